"""The session list's dates filter (the dashboard's “sessions this week” links to it): sessions
running on some day between the dates, and a Chinese message for dates that make no sense."""

from datetime import date

from tests.conftest import page_text, table_text
from webapp.auth.permissions import Role


def test_the_session_list_filters_by_dates_and_explains_a_bad_one(app, client, login, make_session):
    make_session(trainees=0, start=date(2026, 3, 2), title="三月班")  # runs 3月2日 to 3月7日
    make_session(trainees=0, start=date(2026, 3, 9), title="三月第二期")
    make_session(trainees=0, start=date(2026, 5, 4), title="五月班")
    login(Role.LEADER)
    page = client.get("/training/?from=2026-03-07&to=2026-03-09")  # the last day of one, the first of the other
    rows = table_text(page, "sessions")
    assert "三月班" in rows and "三月第二期" in rows and "五月班" not in rows
    assert "2026-03-07 至 2026-03-09 期间有培训安排的班次" in page_text(page) and "共 2 条" in page_text(page)
    narrow = client.get("/training/?from=2026-03-08&to=2026-03-08")
    assert "没有符合条件的班次" in table_text(narrow, "sessions")
    wrong = client.get("/training/?from=2026-03-20&to=2026-03-06")
    assert "培训日期条件未生效：结束日期不能早于开始日期" in page_text(wrong)
    assert "共 3 条" in page_text(wrong)  # the bad dates are not applied
    half = client.get("/training/?from=2026-03-20")
    assert "请同时填写开始日期和结束日期" in page_text(half)
