"""Coverage: distinct places reached out of the active places in the registry, by town and venue
type; households for 进家庭; a campaign's events or a year's; targets with progress; the places
not reached yet, on a page and in Excel; what a reader sees."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.conftest import page_text, table_text
from tests.outreach.conftest import venue
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.outreach import coverage, services
from webapp.outreach.coverage import Scope
from webapp.registry.models import OrgKind

YEAR = local_today().year - 1  # a whole year in the past: every date in it is a valid event date


@pytest.fixture
def more(factory, places):
    """A second enterprise and a school in 西镇, and a village of 东镇 that is no longer in use."""
    west_ent = factory.org("西镇机械厂", OrgKind.ENTERPRISE, places["v2"])
    west_school = factory.org("西镇中学", OrgKind.SCHOOL, places["west"])
    retired = factory.org("旧村", OrgKind.VILLAGE, places["east"], active=False)
    return {"west_ent": west_ent, "west_school": west_school, "retired": retired}


def make_campaign(places, name="安全生产月", starts=date(YEAR, 6, 1), ends=date(YEAR, 6, 30), targets=()):
    item = services.save_campaign(None, {"name": f"{YEAR}年{name}宣传活动", "theme": "人人讲安全、个个会应急",
                                         "moment": name, "starts_on": starts, "ends_on": ends}, list(targets))
    db.session.commit()
    return item


@pytest.fixture
def events(places, more, make_event):
    """Events of YEAR: 东镇新村 twice, its enterprise, 西镇's school, two household visits in 东镇新村
    (30 + 20 households), the county department, a public square twice by name; one the year
    before at 西镇新村 (not in YEAR)."""
    day = date(YEAR, 3, 10)
    made = [
        make_event(places["v1"], "village", held_on=day, audience=80),
        make_event(places["v1"], "village", held_on=date(YEAR, 9, 1), audience=50),
        make_event(places["ent"], "enterprise", held_on=day, audience=40),
        make_event(more["west_school"], "school", held_on=day, audience=300),
        make_event(places["v1"], "family", held_on=day, households=30, audience=60),
        make_event(places["v1"], "family", held_on=date(YEAR, 4, 2), households=20, audience=40),
        make_event(places["department"], "agency", held_on=day, audience=25),
        make_event(None, "public", place_name="县人民广场", held_on=day, organizer_id=places["department"].id),
        make_event(None, "public", place_name="县人民广场", held_on=date(YEAR, 5, 1)),
        make_event(places["v2"], "village", held_on=date(YEAR - 1, 12, 30)),
    ]
    return made


def cell(result, town, key):
    return (result.by_town[town.id] if town is not None else result.county)[venue(key).id]


def test_distinct_places_out_of_the_active_places_in_the_registry(app, places, more, events):
    result = coverage.coverage(Scope.for_year(YEAR))
    east, west = places["east"], places["west"]
    assert [t.name for t in result.towns] == ["东镇", "西镇"]
    # two events at 东镇新村 count once; the retired 旧村 is not among the places to reach
    village = cell(result, east, "village")
    assert (village.reached, village.total, village.events, village.rate) == (1, 1, 2, 100.0)
    assert (cell(result, west, "village").reached, cell(result, west, "village").total) == (0, 1)
    county = cell(result, None, "village")
    assert (county.reached, county.total, county.rate) == (1, 2, 50.0)
    assert (cell(result, None, "enterprise").reached, cell(result, None, "enterprise").total) == (1, 2)
    assert (cell(result, east, "enterprise").reached, cell(result, west, "enterprise").total) == (1, 1)
    assert (cell(result, None, "school").reached, cell(result, None, "school").total) == (1, 2)
    assert (cell(result, west, "school").reached, cell(result, east, "school").reached) == (1, 0)
    assert (cell(result, None, "community").reached, cell(result, None, "community").total) == (0, 1)
    # households summed for 进家庭, with no registry total
    family = cell(result, east, "family")
    assert (family.reached, family.total, family.events, family.rate) == (50, None, 2, None)
    assert cell(result, None, "family").reached == 50
    # the county's department is one place, county-wide only (it lies in no town)
    agency = cell(result, None, "agency")
    assert (agency.reached, agency.total) == (1, 1)
    # a named place counted by its name: twice at the square is one place
    public = cell(result, None, "public")
    assert (public.reached, public.total, public.events) == (1, None, 2)


def test_a_place_retired_after_its_event_leaves_both_the_count_and_the_total(app, places, more, events):
    places["ent"].active = False
    db.session.commit()
    result = coverage.coverage(Scope.for_year(YEAR))
    assert (cell(result, None, "enterprise").reached, cell(result, None, "enterprise").total) == (0, 1)
    assert (cell(result, places["east"], "enterprise").reached, cell(result, places["east"], "enterprise").total) == (0, 0)
    listed = db.session.scalars(coverage.not_reached(Scope.for_year(YEAR), venue("enterprise"))).all()
    assert [p.name for p in listed] == ["西镇机械厂"]


def test_the_town_filter(app, places, more, events):
    west = places["west"]
    result = coverage.coverage(Scope.for_year(YEAR, west.id))
    assert [t.name for t in result.towns] == ["西镇"]
    assert (cell(result, None, "village").reached, cell(result, None, "village").total) == (0, 1)
    assert (cell(result, None, "school").reached, cell(result, None, "school").total) == (1, 1)
    assert cell(result, None, "family").reached == 0
    assert cell(result, None, "agency").total == 0  # the county department is in no town


def test_a_campaign_counts_its_own_events_and_a_year_all_of_them(app, places, more, make_event):
    june = make_campaign(places)
    make_event(places["v1"], "village", held_on=date(YEAR, 6, 5), campaign_id=june.id)
    make_event(places["v1"], "village", held_on=date(YEAR, 6, 20), campaign_id=june.id)
    make_event(places["v2"], "village", held_on=date(YEAR, 6, 10))  # in June, but not the campaign's
    make_event(places["v2"], "village", held_on=date(YEAR - 1, 6, 10))
    by_campaign = coverage.coverage(Scope.for_campaign(june))
    assert (cell(by_campaign, None, "village").reached, cell(by_campaign, None, "village").events) == (1, 2)
    assert cell(by_campaign, places["west"], "village").reached == 0
    by_year = coverage.coverage(Scope.for_year(YEAR))
    assert (cell(by_year, None, "village").reached, cell(by_year, None, "village").events) == (2, 3)
    assert cell(coverage.coverage(Scope.for_year(YEAR - 1)), None, "village").events == 1


@pytest.fixture
def june(places, more, make_event):
    east, west = places["east"], places["west"]
    campaign = make_campaign(places, targets=[
        {"venue_type_id": venue("village").id, "town_id": None, "target": 2},
        {"venue_type_id": venue("village").id, "town_id": east.id, "target": 1},
        {"venue_type_id": venue("village").id, "town_id": west.id, "target": 1},
        {"venue_type_id": venue("family").id, "town_id": None, "target": 40},
        {"venue_type_id": venue("enterprise").id, "town_id": east.id, "target": 2},
    ])
    make_event(places["v1"], "village", held_on=date(YEAR, 6, 5), campaign_id=campaign.id)
    make_event(places["v1"], "village", held_on=date(YEAR, 6, 8), campaign_id=campaign.id)
    make_event(places["ent"], "enterprise", held_on=date(YEAR, 6, 8), campaign_id=campaign.id)
    make_event(places["v1"], "family", households=45, held_on=date(YEAR, 6, 9), campaign_id=campaign.id)
    return campaign


def test_targets_progress_and_what_is_behind(app, places, june):
    east, west = places["east"], places["west"]
    result = coverage.coverage(Scope.for_campaign(june))
    county = cell(result, None, "village")
    assert (county.reached, county.target, county.progress, county.behind) == (1, 2, 50.0, True)
    assert (cell(result, east, "village").progress, cell(result, east, "village").behind) == (100.0, False)
    assert (cell(result, west, "village").reached, cell(result, west, "village").behind) == (0, True)
    family = cell(result, None, "family")
    assert (family.reached, family.target, family.progress, family.behind) == (45, 40, 112.5, False)
    ent = cell(result, east, "enterprise")
    assert (ent.reached, ent.target, ent.progress, ent.behind) == (1, 2, 50.0, True)
    assert cell(result, None, "school").target is None and not cell(result, None, "school").behind
    behind = {(where, v.key, c.reached, c.target) for where, v, c in coverage.behind_targets(june)}
    assert behind == {("全县", "village", 1, 2), ("西镇", "village", 0, 1), ("东镇", "enterprise", 1, 2)}
    # one town's view: its own targets, not the county's
    only_east = coverage.coverage(Scope.for_campaign(june, east.id))
    assert cell(only_east, None, "village").target is None
    assert cell(only_east, east, "village").target == 1


# ---------------------------------------------------------------------------------------- pages


def test_the_coverage_page_of_a_year(client, login, places, more, events):
    login(Role.LEADER)  # a reader
    page = client.get(f"/outreach/coverage?year={YEAR}")
    assert page.status_code == 200
    text = table_text(page, "coverage")
    row = text.split("东镇", 1)[1].split("西镇", 1)[0]
    assert "1 / 1 100.0% 1 场" in row  # its enterprise
    assert "1 / 1 100.0% 2 场" in row  # its village, twice
    assert "50 户 2 场" in row  # households
    # events outside any town: the county department (a registry place, no total of its own) and the square
    county_level = text.split("县本级", 1)[1].split("全县", 1)[0]
    assert "— — — — — 1 1 场 1 处 2 场" in county_level.strip()
    county = text.split("全县", 1)[1]
    assert "1 / 2 50.0% 2 场" in county and "1 处 2 场" in county and "未覆盖 1" in county
    assert "1 / 1 100.0% 1 场" in county  # the department, county-wide
    html = page.get_data(as_text=True)
    village, east = venue("village").id, places["east"].id
    assert f"/outreach/?venue={village}&amp;town={east}&amp;year={YEAR}" in html
    assert f"/outreach/coverage/not-reached?type={village}&amp;year={YEAR}" in html
    assert 'class="table-responsive"' in html


def test_the_coverage_page_of_a_campaign_shows_its_targets(client, login, places, june):
    login(Role.LEADER)
    page = client.get(f"/outreach/coverage?campaign={june.id}")
    assert page.status_code == 200
    assert f"覆盖情况 · {june.name}" in page_text(page)
    text = table_text(page, "coverage")
    west = text.split("西镇", 1)[1].split("全县", 1)[0]
    assert "0 / 1 0.0% 0 场 目标 1 · 0.0% 未达标" in west
    county = text.split("全县", 1)[1]
    assert "1 / 2 50.0% 2 场 目标 2 · 50.0% 未达标" in county
    assert "45 户 1 场 目标 40 · 112.5% 已达标" in county
    assert "未达标目标 3" in page_text(page)
    html = page.get_data(as_text=True)
    assert f"venue={venue('village').id}&amp;town={places['east'].id}&amp;campaign={june.id}" in html
    assert html.count("table-danger") == 3
    # one town
    east = client.get(f"/outreach/coverage?campaign={june.id}&town={places['east'].id}")
    assert "西镇" not in table_text(east, "coverage") and 'data-testid="county-row"' not in east.get_data(as_text=True)


def test_a_bad_year_or_an_unknown_campaign(client, login, app):
    login(Role.OUTREACH)
    page = client.get("/outreach/coverage?year=abc")
    assert page.status_code == 200 and "年份“abc”不正确" in page_text(page)
    assert f"覆盖情况 · {local_today().year}年" in page_text(page)
    assert client.get("/outreach/coverage?campaign=999999").status_code == 404
    assert client.get("/outreach/coverage?campaign=abc").status_code == 404


def test_the_places_not_reached(client, login, places, more, events):
    places["v2"].contact_name, places["v2"].contact_phone = "王村长", "13912345678"
    db.session.commit()
    login(Role.LEADER)
    page = client.get(f"/outreach/coverage/not-reached?type={venue('village').id}&year={YEAR}")
    assert page.status_code == 200
    text = table_text(page, "not-reached")
    assert "新村 西镇" in text and "139****5678" in text and "13912345678" not in page.get_data(as_text=True)
    assert "东镇" not in text and "旧村" not in text  # reached; retired
    assert "西镇 1" in table_text(page, "by-town")
    # schools in 西镇 only: the school reached is not listed
    schools = client.get(f"/outreach/coverage/not-reached?type={venue('school').id}&year={YEAR}"
                         f"&town={places['east'].id}")
    assert "东镇中心小学" in table_text(schools, "not-reached") and "西镇中学" not in table_text(schools, "not-reached")
    # the year before: 西镇新村 was reached then, 东镇新村 not
    before = table_text(client.get(f"/outreach/coverage/not-reached?type={venue('village').id}&year={YEAR - 1}"),
                        "not-reached")
    assert "东镇" in before and "西镇" not in before
    # a type of named places has no registry to compare with
    public = client.get(f"/outreach/coverage/not-reached?type={venue('public').id}&year={YEAR}")
    assert "“进公共场所”的地点不在单位名录中" in page_text(public)
    assert client.get(f"/outreach/coverage/not-reached?type=999999&year={YEAR}").status_code == 404


def test_the_places_not_reached_in_excel_and_by_page(app, client, login, factory, places, events):
    for n in range(3):
        factory.org(f"东镇第{n + 1}企业", OrgKind.ENTERPRISE, places["v1"], contact_phone="13700001111")
    login(Role.OUTREACH)
    url = f"/outreach/coverage/not-reached?type={venue('enterprise').id}&year={YEAR}&town={places['east'].id}"
    response = client.get(url + "&format=xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["乡镇（街道）", "名称", "类别", "地址", "联系人", "联系电话"]
    assert sorted(r[1] for r in rows[1:]) == ["东镇第1企业", "东镇第2企业", "东镇第3企业"]
    assert all(r[0] == "东镇" and r[2] == "企业" and r[5] == "137****1111" for r in rows[1:])
    app.config["PAGE_SIZE"] = 2
    first, second = client.get(url), client.get(url + "&page=2")
    assert table_text(first, "not-reached").count("东镇第") == 2
    assert table_text(second, "not-reached").count("东镇第") == 1
    assert "共 3 条" in page_text(first)
