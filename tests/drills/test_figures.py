"""Drill figures for the annual report: every number cross-checked against the drills the test
creates; the sentence; the town filter; the Excel; a reader sees them."""

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import page_text, table_text
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.drills import figures
from webapp.drills.models import HELD, Drill
from webapp.extensions import db
from webapp.registry.models import OrgKind

YEAR = local_today().year - 1  # a whole year in the past, so every date can be a held drill's


@pytest.fixture
def drills(factory, owners, make_drill):
    """Five drills held in YEAR, two the year before, and some that must not count."""
    tree = owners["tree"]
    west_factory = factory.org("西镇机械厂", OrgKind.ENTERPRISE, tree["v2"], industry="工贸")
    held = [  # organizer, form_org, form_content, purpose, hazard, subtype, day, participants, units
        (owners["enterprise"], "field", "single", "inspection", "accident", "危险化学品事故", date(YEAR, 3, 10), 30, 2),
        (owners["enterprise"], "tabletop", "comprehensive", "research", "accident", "危险化学品事故",
         date(YEAR, 3, 20), 12, 1),
        (west_factory, "field", "comprehensive", "demonstration", "accident", "火灾事故", date(YEAR, 6, 5), 80, 4),
        (tree["east"], "field", "comprehensive", "inspection", "natural", "洪涝灾害", date(YEAR, 7, 1), 200, 6),
        (tree["county"], "tabletop", "single", "inspection", "natural", "地震", date(YEAR, 11, 30), 25, 3),
    ]
    before = [
        (west_factory, "field", "single", "inspection", "accident", "火灾事故", date(YEAR - 1, 3, 1), 50, 1),
        (owners["enterprise"], "tabletop", "single", "inspection", "accident", "危险化学品事故",
         date(YEAR - 1, 4, 2), 10, 1),
    ]
    for org, form_org, content, purpose, hazard, subtype, day, people, units in held + before:
        make_drill(organization_id=org.id, form_org=form_org, form_content=content, form_purpose=purpose,
                   hazard=hazard, hazard_subtype=subtype, held_on=day, participants=people, participant_units=units,
                   title=f"{org.name}{day}演练")
    # not held (a plan, a drill in preparation) and held in another year: none of them count
    make_drill(status="planned", held_on=None, planned_on=date(YEAR, 5, 1), participants=999)
    make_drill(status="preparing", held_on=None, planned_on=date(YEAR, 8, 1), participants=999)
    make_drill(held_on=date(YEAR - 2, 12, 31), participants=999)
    return {"held": held, "before": before, "west_factory": west_factory}


def by_label(rows: list[dict]) -> dict[str, dict]:
    return {r["label"]: r for r in rows}


def test_the_totals_match_the_drills_held_in_the_year(app, drills):
    held = drills["held"]
    figs = figures.figures(YEAR)
    t = figs["totals"]
    assert t["drills"] == len(held) == 5
    assert t["participants"] == sum(d[7] for d in held) == 347
    assert t["units"] == sum(d[8] for d in held) == 16
    assert t["field"] == sum(d[1] == "field" for d in held) == 3
    assert t["tabletop"] == 2 and t["single"] == 2 and t["comprehensive"] == 3
    assert t["organizers"] == len({d[0].id for d in held}) == 4
    assert t["industries"] == len({d[0].industry for d in held if d[0].industry}) == 2
    # the same as counting the rows directly
    direct = db.session.scalar(select(func.count()).select_from(Drill).where(
        Drill.status.in_(HELD), Drill.held_on.between(date(YEAR, 1, 1), date(YEAR, 12, 31))))
    assert direct == t["drills"]
    assert figs["previous"]["drills"] == 2 and figs["previous"]["participants"] == 60
    assert figs["change"] == "较上年（2 次）增加 3 次（+150.0%）"
    assert figs["sentence"] == (f"{YEAR}年全年组织 2 个行业类型的应急演练 5 次，参演 347 人次，"
                                "其中实战演练 3 次、桌面演练 2 次。")


def test_the_tables_by_form_purpose_industry_hazard_town_and_month(app, owners, drills):
    tables = figures.figures(YEAR)["tables"]
    form = by_label(tables["form"])
    assert [r["label"] for r in tables["form"]] == ["桌面演练", "实战演练", "单项演练", "综合演练"]
    assert (form["实战演练"]["drills"], form["实战演练"]["participants"], form["实战演练"]["previous"]) == (3, 310, 1)
    assert (form["桌面演练"]["drills"], form["单项演练"]["drills"], form["综合演练"]["drills"]) == (2, 2, 3)
    purpose = by_label(tables["purpose"])
    assert [purpose[k]["drills"] for k in ("检验性演练", "示范性演练", "研究性演练")] == [3, 1, 1]

    industry = tables["industry"]
    assert [(r["label"], r["drills"], r["participants"]) for r in industry] == [
        ("危险化学品", 2, 42), ("工贸", 1, 80), ("未分行业", 2, 225)]
    assert by_label(industry)["工贸"]["previous"] == 1

    hazard = by_label(tables["hazard"])
    assert list(hazard) == ["事故灾难", "自然灾害", "公共卫生事件", "社会安全事件"]
    assert hazard["事故灾难"]["drills"] == 3 and hazard["事故灾难"]["previous"] == 2
    assert [(s["label"], s["drills"]) for s in hazard["事故灾难"]["subtypes"]] == [("危险化学品事故", 2), ("火灾事故", 1)]
    assert [(s["label"], s["drills"]) for s in hazard["自然灾害"]["subtypes"]] == [("洪涝灾害", 1), ("地震", 1)]
    assert hazard["公共卫生事件"]["drills"] == 0 and hazard["公共卫生事件"]["subtypes"] == []

    town = tables["town"]
    assert [(r["label"], r["drills"], r["participants"]) for r in town] == [
        ("东镇", 3, 242), ("西镇", 1, 80), ("县本级", 1, 25)]

    month = tables["month"]
    assert [r["label"] for r in month] == [f"{m}月" for m in range(1, 13)]
    assert [r["drills"] for r in month] == [0, 0, 2, 0, 0, 1, 1, 0, 0, 0, 1, 0]
    assert [r["previous"] for r in month] == [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert sum(r["drills"] for r in month) == 5
    for name in ("form", "purpose", "industry", "hazard", "town", "month"):
        if name != "form":  # the form table counts each drill twice (by organization, by content)
            assert sum(r["drills"] for r in tables[name]) == 5, name


def test_the_town_filter(client, login, owners, drills):
    east = owners["tree"]["east"]
    figs = figures.figures(YEAR, east.id)
    assert (figs["totals"]["drills"], figs["totals"]["participants"]) == (3, 242)
    assert figs["sentence"] == (f"东镇{YEAR}年全年组织 1 个行业类型的应急演练 3 次，参演 242 人次，"
                                "其中实战演练 2 次、桌面演练 1 次。")
    assert [r["label"] for r in figs["tables"]["town"]] == ["东镇"]
    assert figs["previous"]["drills"] == 1
    login(Role.LEADER)
    page = client.get(f"/drills/figures?year={YEAR}&town={east.id}")
    assert page.status_code == 200
    assert figs["sentence"] in page_text(page)
    assert "西镇 1 80" not in table_text(page, "by-town")


def test_the_page_for_a_reader(client, login, drills):
    login(Role.LEADER)
    page = client.get(f"/drills/figures?year={YEAR}")
    assert page.status_code == 200
    text = page_text(page)
    assert f"{YEAR}年全年组织 2 个行业类型的应急演练 5 次，参演 347 人次，其中实战演练 3 次、桌面演练 2 次。" in text
    assert "演练次数 5 上年 2 参演人次 347 上年 60" in totals_text(page)
    assert "3月 2 42 1 1 1" in table_text(page, "by-month")
    assert "危险化学品事故 2 42" in table_text(page, "by-hazard")
    assert "未分行业 2 225" in table_text(page, "by-industry")


def totals_text(response) -> str:
    html = response.get_data(as_text=True).split('data-testid="totals"', 1)[1].split('<div class="row', 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_a_bad_year_says_so_and_shows_this_year(client, login, app):
    login(Role.DRILL)
    page = client.get("/drills/figures?year=abc")
    assert page.status_code == 200
    assert "年份“abc”不正确" in page_text(page) and f"演练统计 · {local_today().year}年" in page_text(page)
    assert "尚无已实施的应急演练记录" in page_text(page)
    # no Excel of the wrong year: the page with the message instead
    assert client.get("/drills/figures?year=1800&format=xlsx").mimetype == "text/html"


def test_excel(client, login, owners, drills):
    login(Role.LEADER)
    response = client.get(f"/drills/figures?year={YEAR}&format=xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["分组", "项目", "演练次数", "参演人次", "参演单位（家次）", "实战演练", "桌面演练", "上年演练次数"]
    assert ["月份", "3月", 2, 42, 3, 1, 1, 1] in values
    assert ["行业", "工贸", 1, 80, 4, 1, 0, 1] in values
    assert ["事件类别", "自然灾害", 2, 225, 9, 1, 1, 0] in values
    assert ["事件类别（子类）", "事故灾难 · 危险化学品事故", 2, 42, 3, 1, 1, 1] in values
    assert ["乡镇（街道）", "县本级", 1, 25, 3, 0, 1, 0] in values
    assert values[-2] == ["合计", f"{YEAR}年", 5, 347, 16, 3, 2, 2]
    assert values[-1][:2] == ["说明", figures.figures(YEAR)["sentence"]]
    west = load_workbook(io.BytesIO(client.get(
        f"/drills/figures?year={YEAR}&town={owners['tree']['west'].id}&format=xlsx").data)).active
    rows = [[c.value for c in row] for row in west.iter_rows()]
    assert rows[-2] == ["合计", f"{YEAR}年", 1, 80, 4, 1, 0, 1]
