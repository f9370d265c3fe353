"""The dashboard as a leader reads it: the figures of a year or of dates, for the county or a town,
against a year earlier; the annual-report sentences; the charts' data (JSON for the script, tables
for everyone); Chinese messages for a bad period or town; links that lead to pages that answer."""

import json
import re
from datetime import date

import pytest

from tests.conftest import page_text
from tests.drills.conftest import make_drill  # noqa: F401  (fixtures)
from tests.outreach.conftest import event_values
from tests.plans.conftest import make_plan, owners  # noqa: F401
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.outreach import services as outreach

FIGURE = re.compile(r'<a [^>]*data-figure="([\w.]+)" data-value="(-?\d+)" data-previous="(-?\d+)"[^>]*>(.*?)</a>', re.S)


def figures(response) -> dict[str, dict]:
    """key → {value, previous, href, text} of every figure on the page."""
    html = response.get_data(as_text=True)
    out = {}
    for match in FIGURE.finditer(html):
        tag = match.group(0)
        href = re.search(r'href="([^"]+)"', tag).group(1).replace("&amp;", "&")
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(4))).strip()
        out[match.group(1)] = {"value": int(match.group(2)), "previous": int(match.group(3)), "href": href,
                               "text": text}
    return out


def charts_part(client, response):
    """The charts the dashboard fetches after showing its figures: the URL it names in data-src."""
    src = re.search(r'id="dash-charts" data-src="([^"]+)"', response.get_data(as_text=True)).group(1)
    part = client.get(src.replace("&amp;", "&"))
    assert part.status_code == 200
    return part


def chart_data(response) -> dict[str, dict]:
    html = response.get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="dashboard-charts">(.*?)</script>', html, re.S).group(1)
    return {chart["key"]: chart for chart in json.loads(block)}


def event(place, held_on, audience, key="village", materials=()):
    outreach.save_event(None, event_values(place, key, held_on=held_on, audience=audience), list(materials))
    db.session.commit()


@pytest.fixture
def county(owners, make_drill):  # noqa: F811
    """2025: two drills in 东镇 (1,200 and 36 taking part) and one in 西镇; 2024: one in 东镇.
    Events: two in 东镇 in 2025 (one handing out 1,500 leaflets), one in 西镇; one in 东镇 in 2024.
    A drill only planned for 2025 does not count."""
    tree = owners["tree"]
    make_drill(held_on=date(2025, 3, 10), participants=1200, title="东镇化工液氨泄漏综合演练")
    make_drill(held_on=date(2025, 11, 5), participants=36, form_org="tabletop", title="东镇化工桌面推演")
    make_drill(organization_id=tree["v2"].id, held_on=date(2025, 3, 20), participants=80, title="西镇新村防汛演练")
    make_drill(held_on=date(2024, 6, 1), participants=50, title="上年的演练")
    make_drill(status="planned", held_on=None, planned_on=date(2025, 12, 1), participants=500, title="计划中的演练")
    event(tree["v1"], date(2025, 3, 15), 120, materials=[{"kind": "宣传单", "quantity": 1500}])
    event(tree["ent"], date(2025, 6, 16), 45, key="enterprise")
    event(tree["v2"], date(2025, 5, 12), 300)
    event(tree["v1"], date(2024, 5, 12), 90)
    return tree


def test_a_leader_sees_the_years_figures_against_the_year_before(client, login, county):
    login(Role.LEADER)
    response = client.get("/dashboard?year=2025")
    assert response.status_code == 200
    shown = figures(response)
    assert (shown["drills.drills"]["value"], shown["drills.drills"]["previous"]) == (3, 1)
    assert (shown["drills.participants"]["value"], shown["drills.participants"]["previous"]) == (1316, 50)
    assert shown["drills.participants"]["text"].startswith("参演人次 1,316 人次")  # thousands separator
    assert "较上年（50 人次）增加 1,266 人次" in shown["drills.participants"]["text"]
    assert (shown["drills.tabletop"]["value"], shown["drills.field"]["value"]) == (1, 2)
    assert (shown["outreach.events"]["value"], shown["outreach.events"]["previous"]) == (3, 1)
    assert (shown["outreach.audience"]["value"], shown["outreach.materials"]["value"]) == (465, 1500)
    assert {"training.trained", "training.certified", "quiz.competitions", "quiz.participants", "plans.issued",
            "plans.filed", "plans.revision_requested", "plans.revised"} <= set(shown)
    text = page_text(response)
    assert "全县 · 2025年全年" in text
    # the annual-report sentences, to be read aloud
    assert "2025年全年组织 1 个行业类型的应急演练 3 次，参演 1,316 人次，其中实战演练 2 次、桌面演练 1 次。" in text
    assert "2025年全年开展安全宣传“五进”活动 3 场，受众 465 人次，发放各类宣传资料和物品 1,500 份" in text
    # the registry overview is still there, at the bottom
    assert "单位和人员登记" in text


def test_a_town_shows_its_own_figures(client, login, county):
    login(Role.LEADER)
    east = county["east"]
    response = client.get(f"/dashboard?year=2025&town={east.id}")
    shown = figures(response)
    assert (shown["drills.drills"]["value"], shown["drills.participants"]["value"]) == (2, 1236)
    assert shown["drills.drills"]["previous"] == 1
    assert (shown["outreach.events"]["value"], shown["outreach.audience"]["value"]) == (2, 165)
    assert f'<option value="{east.id}" selected>东镇</option>' in response.get_data(as_text=True)
    assert "东镇 · 2025年全年" in page_text(response)
    assert "东镇2025年全年组织" in page_text(response)
    town_chart = chart_data(charts_part(client, response))["town"]
    assert town_chart["labels"] == ["东镇"] and town_chart["datasets"][0]["data"] == [2]


def test_the_charts_data_is_json_for_the_script_and_tables_for_readers(client, login, county):
    login(Role.LEADER)
    page = client.get("/dashboard?year=2025")
    response = charts_part(client, page)
    charts = chart_data(response)
    assert set(charts) == {"month-activities", "month-people", "town", "industry"}
    months = charts["month-activities"]
    assert months["kind"] == "bar" and months["labels"][2] == "3月"
    drills, events = months["datasets"]
    assert (drills["data"][2], drills["data"][10], events["data"][2], drills["unit"]) == (2, 1, 1, "次")
    assert charts["month-people"]["datasets"][0]["data"][2] == 1280  # March: 1,200 + 80 taking part
    html = response.get_data(as_text=True)
    for key in charts:
        assert f'<canvas data-chart="{key}" role="img" aria-label="' in html
        assert f'data-chart-table="{key}"' in html
    table = html.split('data-chart-table="month-people"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"3月</th>\s*<td[^>]*>1,280</td>", table)
    # Chart.js is vendored and loaded from this origin; no inline code (the CSP forbids it)
    dashboard = page.get_data(as_text=True)
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in dashboard and 'src="/static/js/dashboard.js"' in dashboard
    assert [s for s in re.findall(r"<script([^>]*)>", dashboard) if "src=" not in s] == []
    inline = [s for s in re.findall(r"<script([^>]*)>", html) if "src=" not in s]
    assert inline == [' type="application/json" id="dashboard-charts"']
    # without JavaScript the same charts and tables are a page of their own, linked from the dashboard
    whole = client.get("/dashboard/charts?year=2025")
    assert whole.status_code == 200 and 'data-chart-table="month-people"' in whole.get_data(as_text=True)
    assert 'href="/dashboard/charts?year=2025"' in dashboard
    with client.get("/static/js/dashboard.js") as script:
        assert script.status_code == 200 and b"dashboard-charts" in script.data


def test_dates_from_to_compare_with_the_same_days_a_year_earlier(client, login, county):
    login(Role.LEADER)
    response = client.get("/dashboard?from=2025-03-01&to=2025-03-31")
    assert response.status_code == 200
    shown = figures(response)
    assert (shown["drills.drills"]["value"], shown["drills.participants"]["value"]) == (2, 1280)
    assert shown["outreach.events"]["value"] == 1
    assert "2025年3月1日至2025年3月31日" in page_text(response)
    assert "上年同期" in page_text(response)
    assert "年全年组织" not in page_text(response)  # the annual sentences are for whole years
    assert chart_data(charts_part(client, response))["month-activities"]["labels"] == ["3月"]
    # the training page takes the dates; the drills page only a year: the year of the period
    assert shown["training.trained"]["href"] == "/training/figures?from=2025-03-01&to=2025-03-31"
    assert shown["drills.drills"]["href"] == "/drills/figures?year=2025"


@pytest.mark.parametrize(("query", "message"), [
    ("year=abc", "年份“abc”不正确"),
    ("year=1999", "年份“1999”不正确"),
    ("from=2025-05-01", "请同时填写开始日期和结束日期"),
    ("from=2025-06-01&to=2025-01-01", "结束日期不能早于开始日期"),
    ("from=2025-13-01&to=2025-12-31", "开始日期“2025-13-01”不是日期"),
])
def test_a_bad_period_says_what_is_wrong_and_shows_this_year(client, login, county, query, message):
    login(Role.LEADER)
    response = client.get(f"/dashboard?{query}")
    assert response.status_code == 200
    text = page_text(response)
    assert message in text and f"已改为显示{local_today().year}年的数字" in text
    assert f"全县 · {local_today().year}年" in text
    assert figures(response)["drills.drills"]["value"] >= 0


@pytest.mark.parametrize("town", ["abc", "999999", "-1", "1" * 40])
def test_an_unknown_town_says_so_and_shows_the_county(client, login, county, town):
    login(Role.LEADER)
    response = client.get(f"/dashboard?year=2025&town={town}")
    assert response.status_code == 200
    text = page_text(response)
    assert f"没有找到乡镇（街道）“{town[:20]}”，已改为显示全县的数字" in text
    assert figures(response)["drills.drills"]["value"] == 3  # the whole county's


def test_a_village_is_not_a_town(client, login, county):
    login(Role.LEADER)
    response = client.get(f"/dashboard?year=2025&town={county['v1'].id}")
    assert "没有找到乡镇（街道）" in page_text(response)


@pytest.mark.parametrize("query", ["year=2025", "year=2025&town={east}", "from=2025-02-01&to=2026-01-31&town={east}"])
def test_every_figure_links_to_a_page_that_answers(client, login, county, query):
    login(Role.LEADER)
    shown = figures(client.get("/dashboard?" + query.format(east=county["east"].id)))
    assert len(shown) == 18  # 4 drills, 4 outreach, 2 training, 4 quiz, 4 plans
    for key, figure in shown.items():
        assert client.get(figure["href"]).status_code == 200, (key, figure["href"])
    if "town" in query:
        assert f"town={county['east'].id}" in shown["drills.drills"]["href"]
        assert f"town={county['east'].id}" in shown["plans.filed"]["href"]


def test_the_drills_figure_agrees_with_the_page_it_links_to(client, login, county):
    login(Role.LEADER)
    shown = figures(client.get(f"/dashboard?year=2025&town={county['east'].id}"))
    linked = page_text(client.get(shown["drills.drills"]["href"]))
    assert "东镇 2025年" in linked and "1,236" in linked


def test_the_years_offered_start_with_the_first_year_with_data(client, login, county):
    login(Role.LEADER)
    html = client.get("/dashboard").get_data(as_text=True)
    select = html.split('name="year"', 1)[1].split("</select>", 1)[0]
    years = [int(y) for y in re.findall(r'<option value="(\d+)"', select)]
    assert years == list(range(local_today().year, 2023, -1))
    assert f'<option value="{local_today().year}" selected>' in select


def test_the_annual_summary_button_for_a_whole_year(app, client, login, county):
    if "dashboard.summary" not in app.view_functions:  # the route comes with the summary document
        app.add_url_rule("/dashboard/summary", endpoint="dashboard.summary", view_func=lambda: "")
    login(Role.LEADER)
    east = county["east"].id
    html = client.get(f"/dashboard?year=2025&town={east}").get_data(as_text=True)
    button = re.search(r'<a [^>]*href="([^"]+)"[^>]*>下载年度汇总（Word）</a>', html)
    assert button and button.group(1).replace("&amp;", "&") == f"/dashboard/summary?year=2025&town={east}"
    assert "下载年度汇总" not in client.get("/dashboard?from=2025-01-01&to=2025-06-30").get_data(as_text=True)


def test_every_role_sees_the_dashboard(client, factory, county):
    from tests.conftest import PASSWORD
    for role in Role:
        user = factory.user(role)
        client.post("/login", data={"username": user.username, "password": PASSWORD})
        response = client.get("/dashboard?year=2025")
        assert response.status_code == 200 and figures(response)["drills.drills"]["value"] == 3
        client.post("/logout")
