"""Training figures for a small known set: trained (enrolled trainees of sessions starting in the
period), certified (certificates issued in the period) and pass rates, per post, industry, town and
month; the page, the town filter, a date range and the Excel export."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.conftest import page_text, table_text
from webapp.auth.permissions import Role
from webapp.common.figures import period_from
from webapp.extensions import db
from webapp.training import certificates, figures, services
from webapp.training.models import Post


def scored(enrollment, score):
    enrollment.exam_score, enrollment.exam_passed = score, score >= 80
    return enrollment


@pytest.fixture
def seeded(factory, make_session, course):
    """2025: a principal class in March (3 enrolled, 1 withdraws) in 东镇's chemical plant; a safety
    class in July (2 from 西镇's workshop, 1 with no unit); a principal class in July full after one
    (the second waits). A 2024 class whose certificate is issued in January 2025; one issued in 2026."""
    tree = factory.tree()
    east, west = tree["ent"], factory.org("西镇机械厂", "enterprise", tree["v2"])  # 危险化学品 / 工贸
    safety = services.save_course(None, {"name": "安全生产管理人员初训", "post": Post.SAFETY_MANAGER.value,
                                         "course_type": "initial", "required_hours": 32, "pass_mark": 80})
    db.session.commit()
    march = make_session(trainees=3, org=east, start=date(2025, 3, 3), title="三月班")
    july = make_session(trainees=2, org=west, start=date(2025, 7, 7), course_=safety, title="七月安全班")
    loner = factory.person("无单位者")
    services.enroll(july, loner)
    full = make_session(trainees=2, org=east, start=date(2025, 7, 14), capacity=1, title="七月满员班")
    earlier = make_session(trainees=2, org=east, start=date(2024, 11, 4), title="去年班")

    a, b, gone = services.enrollments(march)
    services.withdraw(gone)
    scored(a, 90), scored(b, 50)
    x, y, z = services.enrollments(july)  # z is the person with no unit
    scored(x, 85), scored(z, 80)
    [only] = services.enrollments(full)
    scored(only, 70)
    old, later = [scored(e, 95) for e in services.enrollments(earlier)]
    certificates.issue(a, today=date(2025, 3, 10), hours=48)
    certificates.issue(x, today=date(2025, 7, 20), hours=32)
    certificates.issue(z, today=date(2025, 8, 1), hours=32)
    certificates.issue(old, today=date(2025, 1, 5), hours=48)
    certificates.issue(later, today=date(2026, 2, 1), hours=48)
    db.session.commit()
    return {"tree": tree}


def rows_of(figs, group) -> dict[str, tuple]:
    return {r.label: (r.trained, r.certified, r.examined, r.passed) for r in figs.tables[group]}


def test_the_figures_equal_the_counts_of_the_seeded_set(seeded):
    figs = figures.figures(period_from({"year": "2025"}))
    assert (figs.total.trained, figs.total.certified, figs.total.examined, figs.total.passed) == (6, 4, 5, 3)
    assert rows_of(figs, "岗位") == {"主要负责人": (3, 2, 3, 1), "安全生产管理人员": (3, 2, 2, 2),
                                    "特种作业人员": (0, 0, 0, 0)}
    assert [r.pass_rate_text for r in figs.tables["岗位"]] == ["33.3%", "100.0%", ""]
    assert rows_of(figs, "行业") == {"危险化学品": (3, 2, 3, 1), "工贸": (2, 1, 1, 1), "未填写": (1, 1, 1, 1)}
    assert rows_of(figs, "乡镇（街道）") == {"东镇": (3, 2, 3, 1), "西镇": (2, 1, 1, 1), "未填写": (1, 1, 1, 1)}
    months = rows_of(figs, "月份")
    assert len(months) == 12
    assert months["2025年1月"] == (0, 1, 0, 0) and months["2025年3月"] == (2, 1, 2, 1)
    assert months["2025年7月"] == (4, 1, 3, 2) and months["2025年8月"] == (0, 1, 0, 0)
    assert sum(m[0] for m in months.values()) == 6 and sum(m[1] for m in months.values()) == 4


def test_a_town_and_a_date_range_narrow_the_figures(seeded):
    east = figures.figures(period_from({"year": "2025"}), seeded["tree"]["east"].id)
    assert (east.total.trained, east.total.certified) == (3, 2)
    assert list(rows_of(east, "乡镇（街道）")) == ["东镇"]
    july = figures.figures(period_from({"from": "2025-07-01", "to": "2025-07-31"}))
    assert (july.total.trained, july.total.certified) == (4, 1)
    assert list(rows_of(july, "月份")) == ["2025年7月"]
    span = figures.figures(period_from({"from": "2024-11-01", "to": "2026-12-31"}))
    assert (span.total.trained, span.total.certified) == (8, 5) and len(span.tables["月份"]) == 26


def test_the_page_shows_the_tables_and_refuses_bad_dates(client, login, seeded):
    login(Role.LEADER)
    page = client.get("/training/figures", query_string={"year": "2025"})
    assert page.status_code == 200
    assert "主要负责人 3 2 3 1 33.3%" in table_text(page, "by-post")
    assert "未填写 1 1 1 1 100.0%" in table_text(page, "by-industry")
    assert "西镇 2 1 1 1 100.0%" in table_text(page, "by-town")
    assert "2025年7月 4 1 3 2 66.7%" in table_text(page, "by-month")
    bad = client.get("/training/figures", query_string={"from": "2025-07-31", "to": "2025-07-01"})
    assert "结束日期不能早于开始日期" in page_text(bad)
    words = client.get("/training/figures", query_string={"from": "七月", "to": "2025-07-01"})
    assert "开始日期“七月”不是日期" in page_text(words)


def test_the_export_opens_in_excel_with_the_same_numbers(client, login, seeded):
    login(Role.LEADER)
    response = client.get("/training/figures", query_string={"year": "2025", "format": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("分组", "项目", "参训人次", "取证数", "参加考试人次", "考试通过人次", "考试通过率")
    assert ("岗位", "主要负责人", 3, 2, 3, 1, "33.3%") in rows
    assert ("行业", "危险化学品", 3, 2, 3, 1, "33.3%") in rows
    assert ("合计", "2025年", 6, 4, 5, 3, "60.0%") in rows
