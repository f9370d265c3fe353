"""Outreach figures for the annual report: every number cross-checked against the events the test
creates and against direct counts; the sentence (余份 the way bureaus write it); the town filter;
the Excel; a reader sees them."""

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import extract, func, select

from tests.conftest import page_text, table_text
from tests.outreach.conftest import venue
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.outreach import figures
from webapp.outreach.models import Event, EventMaterial
from webapp.registry.models import OrgKind

YEAR = local_today().year - 1  # a whole year in the past


@pytest.fixture
def events(factory, places, make_event):
    """Seven events in YEAR (two at the same village), two the year before."""
    west_ent = factory.org("西镇机械厂", OrgKind.ENTERPRISE, places["v2"])
    made = {
        "v1_march": make_event(places["v1"], "village", held_on=date(YEAR, 3, 10), audience=120,
                               forms=["讲座", "发放资料"], materials=[{"kind": "宣传单", "quantity": 500},
                                                                   {"kind": "宣传册", "quantity": 120}]),
        "v1_june": make_event(places["v1"], "village", held_on=date(YEAR, 6, 16), audience=300,
                              forms=["咨询台", "发放资料"], materials=[{"kind": "宣传单", "quantity": 1500},
                                                                    {"kind": "应急包", "quantity": 30}]),
        "v2_june": make_event(places["v2"], "village", held_on=date(YEAR, 6, 18), audience=90, forms=["展板"]),
        "ent": make_event(places["ent"], "enterprise", held_on=date(YEAR, 6, 5), audience=45,
                          forms=["现场演示/演练"], materials=[{"kind": "海报", "quantity": 12}]),
        "west_ent": make_event(west_ent, "enterprise", held_on=date(YEAR, 11, 9), audience=60, forms=["讲座"]),
        "school": make_event(places["school"], "school", held_on=date(YEAR, 9, 1), audience=800,
                             forms=["讲座", "知识竞赛"], materials=[{"kind": "宣传册", "quantity": 800}]),
        "family": make_event(places["v1"], "family", held_on=date(YEAR, 6, 20), audience=70, households=35,
                             forms=["发放资料"], materials=[{"kind": "宣传品（扇子、环保袋等）", "quantity": 70}]),
        # the year before
        "before1": make_event(places["v2"], "village", held_on=date(YEAR - 1, 6, 1), audience=50,
                              materials=[{"kind": "宣传单", "quantity": 200}]),
        "before2": make_event(places["community"], "community", held_on=date(YEAR - 1, 12, 31), audience=30),
    }
    return made


def in_year(year: int):
    return [Event.held_on >= date(year, 1, 1), Event.held_on <= date(year, 12, 31)]


def by_label(rows: list[dict]) -> dict[str, dict]:
    return {r["label"]: r for r in rows}


def test_the_totals_match_direct_counts(app, places, events):
    figs = figures.figures(YEAR)
    t = figs["totals"]
    assert t["events"] == db.session.scalar(select(func.count()).select_from(Event).where(*in_year(YEAR))) == 7
    assert t["audience"] == db.session.scalar(select(func.sum(Event.audience)).where(*in_year(YEAR))) == 1485
    materials = db.session.scalar(select(func.sum(EventMaterial.quantity)).join(Event).where(*in_year(YEAR)))
    assert t["materials"] == materials == 500 + 120 + 1500 + 30 + 12 + 800 + 70 == 3032
    assert t["households"] == 35
    # distinct registry places: 东镇新村 (three events, two types), 西镇新村, two enterprises, the school
    assert t["places"] == 5 and t["towns"] == 2
    assert figs["previous"] == {"events": 2, "audience": 80, "households": 0, "materials": 200, "places": 2,
                                "towns": 2}
    assert figs["change"] == "较上年（2 场）增加 5 场（+250.0%）"


def test_places_reached_by_venue_type(app, places, events):
    types = by_label(figures.by_type(YEAR))
    assert list(types)[:5] == ["进企业", "进农村", "进社区", "进学校", "进家庭"]
    direct = {}
    for event in db.session.scalars(select(Event).where(*in_year(YEAR))):
        direct.setdefault(event.venue_type.label, set()).add(event.place_id)
    village = types["进农村"]
    assert (village["events"], village["reached"], village["audience"], village["previous"]) == (3, 2, 510, 1)
    assert village["reached"] == len(direct["进农村"])  # two events at 东镇新村 count once
    assert (types["进企业"]["reached"], types["进学校"]["reached"], types["进社区"]["reached"]) == (2, 1, 0)
    assert types["进社区"]["previous"] == 1
    family = types["进家庭"]  # said in households; its village is a place only where 进农村 reached it
    assert (family["reached"], family["places"], family["by_households"]) == (35, 0, True)
    assert (village["counter"], types["进企业"]["counter"], types["进学校"]["counter"]) == ("个", "家", "所")


def test_the_places_reached_are_the_sentence_added_up(app, places, events, make_event):
    make_event(key="public", place=None, place_name="县人民广场", held_on=date(YEAR, 5, 1))
    make_event(key="public", place=None, place_name="县人民广场", held_on=date(YEAR, 7, 1))  # the same place
    make_event(key="public", place=None, place_name="高铁站", held_on=date(YEAR, 8, 1))
    make_event(places["v2"], "family", held_on=date(YEAR, 9, 9), households=12)  # households only: not a place
    figs = figures.figures(YEAR)
    types = by_label(figures.by_type(YEAR))
    assert types["进公共场所"]["reached"] == 2
    reached = [r["reached"] for r in types.values() if not r["by_households"]]
    assert figs["totals"]["places"] == sum(reached) == 5 + 2
    assert "覆盖 2 家企业、2 个行政村、1 所学校、2 处公共场所，入户宣传 47 户" in figs["sentence"]


def test_the_tables_by_month_town_form_and_material(app, places, events):
    figs = figures.figures(YEAR)
    month = figs["tables"]["month"]
    direct = dict(db.session.execute(select(extract("month", Event.held_on), func.count())
                                     .where(*in_year(YEAR)).group_by(extract("month", Event.held_on))).all())
    assert [r["events"] for r in month] == [direct.get(m, 0) for m in range(1, 13)]
    assert [r["events"] for r in month] == [0, 0, 1, 0, 0, 4, 0, 0, 1, 0, 1, 0]
    assert by_label(month)["6月"]["audience"] == 300 + 90 + 45 + 70
    assert by_label(month)["6月"]["materials"] == 1530 + 12 + 70 and by_label(month)["6月"]["previous"] == 1
    assert by_label(month)["12月"]["previous"] == 1

    town = figs["tables"]["town"]
    assert [(r["label"], r["events"], r["audience"], r["places"]) for r in town] == [
        ("东镇", 5, 1335, 3), ("西镇", 2, 150, 2)]

    form = by_label(figs["tables"]["form"])
    assert list(form) == ["讲座", "展板", "发放资料", "现场演示/演练", "咨询台", "线上推送", "知识竞赛"]
    assert [form[k]["events"] for k in form] == [3, 1, 3, 1, 1, 0, 1]  # an event with two forms counts under both
    assert form["讲座"]["audience"] == 120 + 60 + 800 and form["发放资料"]["previous"] == 2

    assert [(r["label"], r["quantity"], r["events"], r["previous"]) for r in figs["materials"]] == [
        ("宣传单", 2000, 2, 200), ("宣传册", 920, 2, 0), ("宣传品（扇子、环保袋等）", 70, 1, 0),
        ("应急包", 30, 1, 0), ("海报", 12, 1, 0)]
    assert sum(r["quantity"] for r in figs["materials"]) == figs["totals"]["materials"]


@pytest.mark.parametrize("number, text", [
    (0, "0 份"), (36, "36 份"), (100, "100 份"), (123, "120 余份"), (3032, "3,000 余份"), (70312, "70,000 余份"),
    (98765, "98,000 余份"), (70000, "70,000 份"), (1520000, "1,500,000 余份")])
def test_materials_are_rounded_down_the_way_bureaus_write_them(number, text):
    assert figures.approx(number) == text


def test_the_sentence(app, places, events):
    figs = figures.figures(YEAR)
    assert figs["sentence"] == (f"{YEAR}年全年开展安全宣传“五进”活动 7 场，受众 1,485 人次，发放各类宣传资料和物品 "
                                "3,000 余份，覆盖 2 家企业、2 个行政村、1 所学校，入户宣传 35 户。")
    assert figures.figures(YEAR - 2)["sentence"] == f"{YEAR - 2}年全年尚无安全宣传活动记录。"
    today = local_today()
    assert figures.sentence(today.year, {"events": 0}, []).startswith(f"{today.year}年1月1日至{today.month}月")
    # a bigger year, as the annual report says it
    rows = [{"reached": 412, "counter": "家", "place_label": "企业", "by_households": False},
            {"reached": 325, "counter": "个", "place_label": "行政村", "by_households": False},
            {"reached": 23, "counter": "个", "place_label": "社区", "by_households": False},
            {"reached": 396, "counter": "所", "place_label": "学校", "by_households": False},
            {"reached": 0, "counter": "处", "place_label": "公共场所", "by_households": False}]
    numbers = {"events": 1520, "audience": 98000, "materials": 70312}
    assert figures.sentence(2025, numbers, rows, today=date(2026, 3, 1)) == (
        "2025年全年开展安全宣传“五进”活动 1,520 场，受众 98,000 人次，发放各类宣传资料和物品 70,000 余份，"
        "覆盖 412 家企业、325 个行政村、23 个社区、396 所学校。")


def test_the_town_filter(client, login, places, events):
    west = places["west"]
    figs = figures.figures(YEAR, west.id)
    assert (figs["totals"]["events"], figs["totals"]["audience"], figs["totals"]["materials"]) == (2, 150, 0)
    assert figs["sentence"] == f"西镇{YEAR}年全年开展安全宣传“五进”活动 2 场，受众 150 人次，覆盖 1 家企业、1 个行政村。"
    assert [r["label"] for r in figs["tables"]["town"]] == ["西镇"]
    assert figs["materials"] == [] and figs["previous"]["events"] == 1
    login(Role.LEADER)
    page = client.get(f"/outreach/figures?year={YEAR}&town={west.id}")
    assert page.status_code == 200 and figs["sentence"] in page_text(page)
    assert "东镇" not in table_text(page, "by-town")


def totals_text(response) -> str:
    html = response.get_data(as_text=True).split('data-testid="totals"', 1)[1].split('<div class="row', 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_page_for_a_reader(client, login, events):
    login(Role.LEADER)
    page = client.get(f"/outreach/figures?year={YEAR}")
    assert page.status_code == 200
    assert figures.figures(YEAR)["sentence"] in page_text(page)
    assert "活动场次 7 上年 2 受众人次 1,485 上年 80 发放资料（份） 3,032 上年 200" in totals_text(page)
    assert "进农村 3 510 2 个行政村 2,150 1" in table_text(page, "by-type")
    assert "进家庭 1 70 35 户 70 0" in table_text(page, "by-type")
    assert "6月 4 505 35 1,612 1" in table_text(page, "by-month")
    assert "讲座 3 980 2" in table_text(page, "by-form")
    assert "宣传单 2,000 2 200" in table_text(page, "materials")


def test_a_bad_year_says_so_and_shows_this_year(client, login, app):
    login(Role.OUTREACH)
    page = client.get("/outreach/figures?year=abc")
    assert page.status_code == 200
    assert "年份“abc”不正确" in page_text(page) and f"安全宣传统计 · {local_today().year}年" in page_text(page)
    assert client.get("/outreach/figures?year=1800&format=xlsx").mimetype == "text/html"


def test_excel(client, login, places, events):
    login(Role.LEADER)
    response = client.get(f"/outreach/figures?year={YEAR}&format=xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["分组", "项目", "活动场次", "受众人次", "入户户数", "发放资料（份）", "覆盖地点", "上年（场次；资料为份数）"]
    assert ["宣传场所类型", "进农村", 3, 510, 0, 2150, 2, 1] in values
    assert ["乡镇（街道）", "东镇", 5, 1335, 35, 3032, 3, 1] in values
    assert ["月份", "6月", 4, 505, 35, 1612, 3, 1] in values
    assert ["活动形式", "讲座", 3, 980, None, None, None, 2] in values
    assert ["宣传资料", "宣传单", 2, None, None, 2000, None, 200] in values
    assert values[-2] == ["合计", f"{YEAR}年", 7, 1485, 35, 3032, 5, 2]
    assert values[-1][:2] == ["说明", figures.figures(YEAR)["sentence"]]
    assert venue("village").label == "进农村"
