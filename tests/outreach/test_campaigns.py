"""Campaigns and venue types: a campaign with its targets grid (per venue type, county-wide and per
town), its page with the progress of each target from the coverage, the list, bad input refused
with its Chinese message and nothing written; venue types added, corrected, retired (no longer
offered for new events) and restored; readers change nothing."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import page_text, table_text
from tests.outreach.conftest import event_values, venue
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.outreach import services
from webapp.outreach.models import Campaign, CampaignTarget, Event, VenueType

TODAY = local_today()
YEAR = TODAY.year


@pytest.fixture(autouse=True)
def shipped_types(app):
    """The shipped venue types, kept (as the pages keep them on first use)."""
    services.ensure_venue_types()
    db.session.commit()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def campaign_form(**overrides) -> dict:
    return {"name": f"{YEAR}年“安全生产月”宣传活动", "theme": "人人讲安全、个个会应急", "moment": "安全生产月",
            "moment_other": "", "starts_on": date(YEAR, 1, 1).isoformat(), "ends_on": date(YEAR, 12, 31).isoformat(),
            "note": "各乡镇（街道）结合实际开展"} | overrides


def grid(places, **cells) -> dict:
    """Targets as typed into the grid: village_0=2 is 进农村 for the county, village_east=1 for 东镇."""
    out = {}
    for name, value in cells.items():
        key, where = name.rsplit("_", 1)
        town = 0 if where == "0" else places[where].id
        out[f"target-{venue(key).id}-{town}"] = str(value)
    return out


def targets_of(campaign) -> set[tuple[str, int | None, int]]:
    return {(t.venue_type.key, t.town_id, t.target) for t in campaign.targets}


def posted(place, venue_type, **overrides) -> dict:
    """An event as the form posts it (text fields), for a venue type that may be retired."""
    values = event_values(place, "village", **overrides) | {"venue_type_id": str(venue_type.id)}
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


# ------------------------------------------------------------------------------ campaigns


def test_the_targets_grid_has_a_row_per_venue_type_and_a_column_per_town(app, client, login, places):
    login(Role.OUTREACH)
    page = client.get("/outreach/campaigns/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for key in ("enterprise", "village", "community", "school", "family", "agency", "public"):
        assert f'name="target-{venue(key).id}-0"' in html
        assert f'name="target-{venue(key).id}-{places["east"].id}"' in html
        assert f'name="target-{venue(key).id}-{places["west"].id}"' in html
    assert "table-responsive" in html.split('data-testid="targets-grid"')[0][-200:]  # scrolls on a phone
    head = table_text(page, "targets-grid").split("进企业")[0]
    assert "全县" in head and "东镇" in head and "西镇" in head
    for moment in ("安全生产月", "全国防灾减灾日", "《安全生产法》宣传周", "消防宣传月", "常态化", "其他"):
        assert f'value="{moment}"' in html


def test_a_campaign_is_created_with_its_targets(app, client, login, places):
    login(Role.OUTREACH)
    data = campaign_form(moment="其他", moment_other="冬春火灾防控") | grid(
        places, village_0=2, village_east=1, school_east=1, family_0=50)
    data[f"target-{venue('community').id}-{places['west'].id}"] = ""  # a blank cell sets no target
    response = client.post("/outreach/campaigns/new", data=data)
    assert response.status_code == 302, page_text(response)
    campaign = db.session.scalar(select(Campaign))
    assert response.headers["Location"].endswith(f"/outreach/campaigns/{campaign.id}")
    assert (campaign.name, campaign.moment, campaign.starts_on, campaign.ends_on) == (
        f"{YEAR}年“安全生产月”宣传活动", "冬春火灾防控", date(YEAR, 1, 1), date(YEAR, 12, 31))
    assert targets_of(campaign) == {("village", None, 2), ("village", places["east"].id, 1),
                                    ("school", places["east"].id, 1), ("family", None, 50)}
    assert "已保存宣传活动“" in page_text(client.get(response.headers["Location"]))

    # the form shows the grid as saved, and the free moment under 其他
    html = client.get(f"/outreach/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert f'name="target-{venue("village").id}-{places["east"].id}" value="1"' in html
    assert 'value="冬春火灾防控"' in html
    assert re.search(r'<option selected value="其他">|<option value="其他" selected>', html)


def test_editing_the_grid_replaces_the_targets(app, client, login, places, campaign):
    services.save_campaign(campaign, {"name": campaign.name, "moment": "常态化", "starts_on": campaign.starts_on,
                                      "ends_on": campaign.ends_on}, [{"venue_type_id": venue("village").id,
                                                                      "town_id": None, "target": 5}])
    db.session.commit()
    login(Role.OUTREACH)
    data = campaign_form(name=campaign.name, moment="常态化") | grid(places, village_0="", school_0=3)
    response = client.post(f"/outreach/campaigns/{campaign.id}/edit", data=data)
    assert response.status_code == 302, page_text(response)
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    assert targets_of(campaign) == {("school", None, 3)} and count(CampaignTarget) == 1
    assert campaign.moment == "常态化"


def test_the_campaign_page_shows_progress_against_each_target(app, client, login, places, campaign, make_event):
    services.save_campaign(campaign, {"name": campaign.name, "moment": "常态化", "starts_on": campaign.starts_on,
                                      "ends_on": campaign.ends_on}, [
        {"venue_type_id": venue("village").id, "town_id": None, "target": 2},
        {"venue_type_id": venue("village").id, "town_id": places["east"].id, "target": 1},
        {"venue_type_id": venue("school").id, "town_id": places["east"].id, "target": 1},
        {"venue_type_id": venue("family").id, "town_id": None, "target": 50}])
    db.session.commit()
    make_event(campaign_id=campaign.id, audience=80, materials=[{"kind": "宣传册", "quantity": 120}])
    make_event(campaign_id=campaign.id, audience=40)  # the same village again: still one place reached
    make_event(key="family", place=places["community"], households=30, campaign_id=campaign.id, audience=30)
    make_event(place=places["v2"], audience=25)  # not in the campaign
    login(Role.LEADER)
    page = client.get(f"/outreach/campaigns/{campaign.id}")
    assert page.status_code == 200
    rows = [re.sub(r"\s+", " ", r).strip() for r in re.findall(
        r"<tr[^>]*>(.*?)</tr>", page.get_data(as_text=True).split('data-testid="targets"')[1].split("</table>")[0],
        flags=re.S)[1:]]
    text_rows = [re.sub(r"<[^>]+>", " ", r) for r in rows]
    text_rows = [re.sub(r"\s+", " ", r).strip() for r in text_rows]
    assert text_rows[0].startswith("全县 进农村 2 1 50.0%") and "差 1" in text_rows[0]
    assert text_rows[1].startswith("全县 进家庭 50 30 60.0%")
    assert text_rows[2].startswith("东镇 进农村 1 1 100.0%") and "已完成" in text_rows[2]
    assert text_rows[3].startswith("东镇 进学校 1 0 0%") and "差 1" in text_rows[3]
    html = page.get_data(as_text=True)
    assert html.count("data-behind") == 3 and "3 项未达标" in page_text(page)
    totals = page_text(page).split("活动 ", 1)[1]
    assert "3 场" in totals and "150 人次" in totals and "120 份" in totals and "30 户" in totals
    coverage = table_text(page, "coverage")
    assert "进农村 2 1 个 2 50.0%" in coverage  # 1 of the 2 villages in the registry
    latest = table_text(page, "latest-events")
    assert latest.count("新村") == 2 and "东镇幸福社区" in latest
    assert f'href="/outreach/coverage?campaign={campaign.id}"' in html
    assert f'href="/outreach/?campaign={campaign.id}"' in html


def test_the_campaign_list_shows_periods_and_event_counts(app, client, login, places, campaign, make_event):
    other = services.save_campaign(None, {"name": f"{YEAR - 1}年消防宣传月", "moment": "消防宣传月",
                                          "starts_on": date(YEAR - 1, 11, 1), "ends_on": date(YEAR - 1, 11, 30)})
    db.session.commit()
    make_event(campaign_id=campaign.id, audience=70)
    make_event(place=places["v2"], campaign_id=campaign.id, audience=30)
    make_event(held_on=date(YEAR - 1, 11, 9), campaign_id=other.id)
    login(Role.LEADER)
    page = client.get("/outreach/campaigns")
    listing = table_text(page, "campaigns")
    assert listing.index(campaign.name) < listing.index(other.name)  # newest first
    assert f"{YEAR}-01-01 至 {YEAR}-12-31 进行中 2 100" in listing
    assert f"{YEAR - 1}-11-01 至 {YEAR - 1}-11-30 已结束 1 60" in listing
    assert other.name not in table_text(client.get(f"/outreach/campaigns?year={YEAR}"), "campaigns")


@pytest.mark.parametrize(("overrides", "message"), [
    ({"starts_on": date(YEAR, 6, 30).isoformat(), "ends_on": date(YEAR, 6, 1).isoformat()},
     f"结束日期 {date(YEAR, 6, 1)} 早于开始日期 {date(YEAR, 6, 30)}"),
    ({"name": ""}, "请填写活动名称"),
    ({"starts_on": ""}, "请填写开始日期"),
    ({"ends_on": "6月30日"}, "不是有效的日期值"),
])
def test_bad_campaign_fields_are_named_and_nothing_is_written(app, client, login, places, overrides, message):
    login(Role.OUTREACH)
    response = client.post("/outreach/campaigns/new", data=campaign_form(**overrides) | grid(places, village_0=2))
    assert response.status_code == 200
    assert message in page_text(response)
    assert f'name="target-{venue("village").id}-0" value="2"' in response.get_data(as_text=True)  # kept
    assert count(Campaign) == count(CampaignTarget) == 0


@pytest.mark.parametrize(("cells", "message"), [
    ({"village_east": -3}, "东镇的“进农村”目标不能为负数"),
    ({"school_0": "十"}, "全县的“进学校”目标“十”应为整数"),
])
def test_a_bad_target_is_named_by_its_cell_and_nothing_is_written(app, client, login, places, cells, message):
    login(Role.OUTREACH)
    response = client.post("/outreach/campaigns/new", data=campaign_form() | grid(places, family_0=50, **cells))
    assert response.status_code == 200
    assert message in table_text(response, "targets-grid") or message in page_text(response)
    assert 'data-testid="targets-error"' in response.get_data(as_text=True)
    assert count(Campaign) == count(CampaignTarget) == 0


def test_a_bad_edit_changes_nothing(app, client, login, places, campaign):
    login(Role.OUTREACH)
    response = client.post(f"/outreach/campaigns/{campaign.id}/edit", data=campaign_form(
        name="改名", starts_on=date(YEAR, 12, 31).isoformat(), ends_on=date(YEAR, 1, 1).isoformat()))
    assert response.status_code == 200 and "早于开始日期" in page_text(response)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).name == campaign.name


# ------------------------------------------------------------------------------ venue types


def test_a_venue_type_is_added_and_offered_for_new_events(app, client, login, places):
    login(Role.OUTREACH)
    response = client.post("/outreach/venue-types/new", data={
        "key": "market", "label": "进集贸市场", "place_label": "集贸市场", "org_kinds": ["enterprise"], "position": ""})
    assert response.status_code == 302, page_text(response)
    added = db.session.scalar(select(VenueType).where(VenueType.key == "market"))
    assert (added.label, added.place_label, added.org_kinds, added.households, added.active) == (
        "进集贸市场", "集贸市场", ["enterprise"], False, True)
    assert added.position == max(v.position for v in services.venue_types(False) if v.key != "market") + 1
    listing = table_text(client.get("/outreach/venue-types"), "venue-types")
    assert "进集贸市场" in listing and "企业" in listing
    assert "进集贸市场" in page_text(client.get("/outreach/events/new"))
    html = client.get(f"/outreach/events/new?type={added.id}").get_data(as_text=True)
    assert "东镇化工有限公司" in html.split('name="place_id"')[1].split("</select>")[0]

    response = client.post(f"/outreach/venue-types/{added.id}/edit", data={
        "key": "other", "label": "进市场", "place_label": "市场", "org_kinds": [], "households": "y", "position": "9"})
    assert response.status_code == 302, page_text(response)
    db.session.expire_all()
    added = db.session.get(VenueType, added.id)
    assert (added.key, added.label, added.org_kinds, added.households, added.position) == (
        "market", "进市场", [], True, 9)  # the key stays


@pytest.mark.parametrize(("values", "message"), [
    ({"key": "village"}, "代码“village”已被“进农村”使用"),
    ({"key": "Market!"}, "代码应为 2 至 24 位小写字母、数字或下划线"),
    ({"key": ""}, "请填写代码"),
    ({"label": ""}, "请填写名称"),
    ({"label": "进企业"}, "名称“进企业”已有，请换一个"),
    ({"place_label": ""}, "请填写地点的称呼"),
    ({"org_kinds": ["factory"]}, "未知的组织机构类型：factory"),
    ({"position": "-1"}, "排列顺序应为 0 至 9999 的整数"),
])
def test_a_bad_venue_type_is_refused(app, client, login, values, message):
    login(Role.OUTREACH)
    data = {"key": "market", "label": "进集贸市场", "place_label": "集贸市场", "org_kinds": ["enterprise"]} | values
    response = client.post("/outreach/venue-types/new", data=data)
    assert response.status_code == 200 and message in page_text(response)
    assert count(VenueType) == 7


def test_a_retired_venue_type_is_not_offered_and_refused_on_new_events(app, client, login, places, make_event):
    agency = venue("agency")
    old = make_event(key="agency", place=places["department"])
    login(Role.OUTREACH)
    response = client.post(f"/outreach/venue-types/{agency.id}/status", data={"active": "0"})
    assert response.status_code == 302
    assert "已停用场所类型“进机关”" in page_text(client.get("/outreach/venue-types"))
    db.session.expire_all()
    assert db.session.get(VenueType, agency.id).active is False

    picker = page_text(client.get("/outreach/events/new"))
    assert "进机关" not in picker and "进企业" in picker
    assert "所选场所类型不存在或已停用" in page_text(client.get(f"/outreach/events/new?type={agency.id}"))
    data = posted(places["department"], agency, client_token="tok-" + "c" * 20)
    response = client.post("/outreach/events/new", data=data)
    assert response.status_code == 200 and "请选择宣传场所类型" in page_text(response)
    assert count(Event) == 1
    # an event recorded before keeps its type and can still be corrected
    response = client.post(f"/outreach/events/{old.id}/edit", data=posted(places["department"], agency, audience="75"))
    assert response.status_code == 302, page_text(response)
    db.session.expire_all()
    assert db.session.get(Event, old.id).audience == 75

    client.post(f"/outreach/venue-types/{agency.id}/status", data={"active": "1"})
    db.session.expire_all()
    assert db.session.get(VenueType, agency.id).active is True
    assert "进机关" in page_text(client.get("/outreach/events/new"))


def test_the_last_active_venue_type_cannot_be_retired(app, client, login):
    login(Role.OUTREACH)
    types = services.venue_types()
    for venue_type in types[1:]:
        venue_type.active = False
    db.session.commit()
    client.post(f"/outreach/venue-types/{types[0].id}/status", data={"active": "0"})
    assert "“进企业”是唯一启用的场所类型，不能停用" in page_text(client.get("/outreach/venue-types"))
    db.session.expire_all()
    assert db.session.get(VenueType, types[0].id).active is True


# ------------------------------------------------------------------------------ readers


def test_a_leader_reads_campaigns_and_types_but_changes_nothing(app, client, login, places, campaign):
    login(Role.LEADER)
    for url in ("/outreach/campaigns", f"/outreach/campaigns/{campaign.id}", "/outreach/venue-types"):
        assert client.get(url).status_code == 200, url
    assert "编辑宣传活动" not in page_text(client.get(f"/outreach/campaigns/{campaign.id}"))
    assert "停用" not in table_text(client.get("/outreach/venue-types"), "venue-types").replace("已停用", "")
    agency = venue("agency")
    for url in ("/outreach/campaigns/new", f"/outreach/campaigns/{campaign.id}/edit", "/outreach/venue-types/new",
                f"/outreach/venue-types/{agency.id}/edit"):
        assert client.get(url).status_code == 403, url
    writes = [("/outreach/campaigns/new", campaign_form()),
              (f"/outreach/campaigns/{campaign.id}/edit", campaign_form(name="改名")),
              ("/outreach/venue-types/new", {"key": "market", "label": "进集贸市场", "place_label": "集贸市场"}),
              (f"/outreach/venue-types/{agency.id}/edit", {"label": "改名", "place_label": "机关"}),
              (f"/outreach/venue-types/{agency.id}/status", {"active": "0"})]
    for url, data in writes:
        response = client.post(url, data=data)
        assert response.status_code == 403 and "没有权限" in page_text(response), url
    db.session.expire_all()
    assert count(Campaign) == 1 and db.session.get(Campaign, campaign.id).name == campaign.name
    assert count(VenueType) == 7 and db.session.get(VenueType, agency.id).active is True
