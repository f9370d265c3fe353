"""Renewals as the officer reads them: certificates expiring soon (unless already renewed), the
yearly refresher of principal persons and safety managers, the 3-yearly special-operations review,
filtered by town and enterprise, exported, and one step to enroll the due people."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from tests.conftest import page_text, table_text
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.registry.models import Person
from webapp.training import certificates, renewals, services
from webapp.training.models import Enrollment, Post


def years_ago(years: int, plus_days: int = 0) -> date:
    return certificates.add_years(local_today(), -years) + timedelta(days=plus_days)


@pytest.fixture
def courses(course, exam_bank):
    services.ensure_catalogue()
    low, high = (next(c for c in services.categories() if c.name == name) for name in ("低压电工作业", "高压电工作业"))

    def make(name, post, course_type="initial", hours=32, category=None):
        c = services.save_course(None, {"name": name, "post": post, "course_type": course_type, "high_risk": False,
                                        "operation_category_id": category.id if category else None,
                                        "required_hours": hours, "exam_rules": [], "pass_mark": 80})
        db.session.commit()
        return c

    return {
        "principal": course,
        "safety": make("安全生产管理人员初训", Post.SAFETY_MANAGER.value),
        "low": make("低压电工作业初训", Post.SPECIAL.value, hours=40, category=low),
        "high": make("高压电工作业初训", Post.SPECIAL.value, hours=40, category=high),
        "principal_refresher": make("主要负责人复训", Post.PRINCIPAL.value, "refresher", 12),
        "low_refresher": make("低压电工复审培训", Post.SPECIAL.value, "refresher", 8, low),
    }


@pytest.fixture
def certify(make_session):
    """certify(person, course, issued_on) → a certificate issued that day (a session of its own)."""
    def make(person, course, issued_on):
        session = make_session(trainees=0, course_=course, title=f"{course.name}班")
        enrollment = services.enroll(session, person)
        enrollment.exam_score, enrollment.exam_passed = 90, True
        if course.needs_practical:
            enrollment.practical_score = 90
        cert = certificates.issue(enrollment, today=issued_on, hours=course.required_hours)
        db.session.commit()
        return cert

    return make


@pytest.fixture
def due(factory, courses, certify):
    tree = factory.tree()
    east, west = tree["ent"], factory.org("西镇机械厂", "enterprise", tree["v2"])
    today = local_today()

    def person(name, org=east):
        return factory.person(name, org)

    people = {name: person(name) for name in (
        "到期甲", "已换证乙", "近期丙", "已注销丁", "已过期戊", "安全己", "复审庚", "已复审辛", "两类壬")}
    people["西镇癸"] = person("西镇癸", west)
    p = people
    c = {
        "expiring": certify(p["到期甲"], courses["principal"], years_ago(3, 30)),
        "renewed_old": certify(p["已换证乙"], courses["principal"], years_ago(3, 20)),
        "renewed_new": certify(p["已换证乙"], courses["principal"], today - timedelta(days=10)),
        "recent": certify(p["近期丙"], courses["principal"], today - timedelta(days=300)),
        "revoked": certify(p["已注销丁"], courses["principal"], years_ago(3, 30)),
        "expired": certify(p["已过期戊"], courses["principal"], years_ago(3, -10)),
        "safety": certify(p["安全己"], courses["safety"], today - timedelta(days=400)),
        "review": certify(p["复审庚"], courses["low"], years_ago(3, 30)),
        "reviewed_old": certify(p["已复审辛"], courses["low"], years_ago(3, 10)),
        "reviewed_new": certify(p["已复审辛"], courses["low"], today - timedelta(days=5)),
        "low_of_two": certify(p["两类壬"], courses["low"], years_ago(3, 20)),
        "high_of_two": certify(p["两类壬"], courses["high"], today - timedelta(days=5)),
        "west": certify(p["西镇癸"], courses["principal"], years_ago(3, 40)),
    }
    certificates.revoke(c["revoked"], "测试注销")
    db.session.commit()
    return {"tree": tree, "east": east, "west": west, "people": people, "certs": c}


def names_in(response, testid: str) -> set[str]:
    text = table_text(response, testid)
    return {name for name in NAMES if name in text}


NAMES = ("到期甲", "已换证乙", "近期丙", "已注销丁", "已过期戊", "安全己", "复审庚", "已复审辛", "两类壬", "西镇癸")


def test_the_three_lists_show_who_is_due(client, login, due):
    login(Role.LEADER)
    page = client.get("/training/renewals")
    assert page.status_code == 200
    # expiring within 90 days, unless a later certificate for the post replaced it
    assert names_in(page, "expiring") == {"到期甲", "西镇癸"}
    # the yearly refresher: last completion 12 months ago by today + 90 days, certificate in force
    assert names_in(page, "refresher") == {"到期甲", "近期丙", "安全己", "西镇癸"}
    # the 3-yearly review, per operation category: the low-voltage certificate of 两类壬 is due even
    # though a later high-voltage one exists; 已复审辛's later low-voltage one replaced the old
    assert names_in(page, "review") == {"复审庚", "两类壬"}
    expiring = table_text(page, "expiring")
    cert = due["certs"]["expiring"]
    assert cert.number in expiring and cert.expires_on.isoformat() in expiring and " 29 " in expiring
    assert cert.person.masked_id in expiring and cert.person.id_number not in expiring
    assert due["certs"]["renewed_old"].number not in expiring
    assert page_text(page).count("已逾期") >= 2  # 到期甲 and 安全己 are past their refresher date


def test_the_number_of_days_narrows_the_lists(client, login, due):
    login(Role.LEADER)
    page = client.get("/training/renewals", query_string={"days": "35"})
    assert names_in(page, "expiring") == {"到期甲"}  # 西镇癸's expires in 39 days
    assert names_in(page, "refresher") == {"到期甲", "安全己", "西镇癸"}  # 近期丙 is due in 65 days
    assert names_in(page, "review") == {"复审庚", "两类壬"}  # due in 30 and 20 days
    narrow = client.get("/training/renewals", query_string={"days": "25"})
    assert names_in(narrow, "expiring") == set() and names_in(narrow, "review") == {"两类壬"}


@pytest.mark.parametrize("days, message, used", [
    ("abc", "天数“abc”不是 0 到 3660 之间的整数，已按 90 天查询", "90"),
    ("-5", "天数“-5”不是 0 到 3660 之间的整数，已按 90 天查询", "90"),
    ("99999999999999999999", "天数“99999999999999999999”不是 0 到 3660 之间的整数", "90"),
    ("5000", "天数最多 3660 天，已按 3660 天查询", "3660"),
])
def test_a_bad_number_of_days_says_so(client, login, due, days, message, used):
    login(Role.LEADER)
    page = client.get("/training/renewals", query_string={"days": days})
    assert page.status_code == 200 and message in page_text(page)
    assert f'name="days" value="{used}"' in page.get_data(as_text=True)


def test_the_lists_filter_by_town_and_by_enterprise(client, login, due):
    login(Role.LEADER)
    west_town = client.get("/training/renewals", query_string={"town": due["tree"]["west"].id})
    assert names_in(west_town, "expiring") == {"西镇癸"} and names_in(west_town, "refresher") == {"西镇癸"}
    assert names_in(west_town, "review") == set()
    east_town = client.get("/training/renewals", query_string={"town": due["tree"]["east"].id})
    assert names_in(east_town, "expiring") == {"到期甲"}
    assert names_in(east_town, "refresher") == {"到期甲", "近期丙", "安全己"}
    west_ent = client.get("/training/renewals", query_string={"org": due["west"].id})
    assert names_in(west_ent, "expiring") == {"西镇癸"} and names_in(west_ent, "review") == set()


def test_a_deactivated_person_is_not_listed(client, login, due):
    due["people"]["到期甲"].active = False
    db.session.commit()
    login(Role.LEADER)
    page = client.get("/training/renewals")
    assert "到期甲" not in names_in(page, "expiring") | names_in(page, "refresher")


def test_long_lists_are_capped_with_their_count_shown(client, login, due, monkeypatch):
    monkeypatch.setattr(renewals, "LIST_CAP", 1)
    login(Role.LEADER)
    page = client.get("/training/renewals")
    assert "共 4 人，显示最早到期的 1 人" in page_text(page)
    assert names_in(page, "refresher") == {"到期甲"}  # the earliest due first
    assert 'data-testid="refresher-total">4<' in page.get_data(as_text=True)


def test_the_export_has_all_three_lists_with_masked_ids(client, login, due):
    login(Role.LEADER)
    response = client.get("/training/renewals", query_string={"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("类别", "姓名", "身份证号")
    body = rows[1:]
    assert len(body) == 2 + 4 + 2
    kinds = {r[0] for r in body}
    assert len(kinds) == 3
    first = next(r for r in body if r[1] == "到期甲")
    assert first[2] == due["people"]["到期甲"].masked_id and first[7] == due["certs"]["expiring"].number
    client.post("/logout")
    login(Role.TRAINING)
    full = client.get("/training/renewals", query_string={"format": "xlsx", "town": due["tree"]["west"].id})
    rows = list(load_workbook(io.BytesIO(full.data)).active.iter_rows(values_only=True))
    assert {r[2] for r in rows[1:]} == {due["people"]["西镇癸"].id_number}


# ----------------------------------------------------------------------------------- enrolling


@pytest.fixture
def refresher(make_session, courses):
    def make(course="principal_refresher", capacity=40, start=None):
        return make_session(trainees=0, course_=courses[course], capacity=capacity, title=f"{course}班",
                            start=start or local_today() + timedelta(days=7))
    return make


def enrolled(session) -> dict[str, tuple[str, str]]:
    db.session.expire_all()
    rows = db.session.execute(db.select(Person.name, Enrollment.status, Enrollment.source)
                              .join(Enrollment, Enrollment.person_id == Person.id)
                              .where(Enrollment.session_id == session.id)).all()
    return {name: (status, source) for name, status, source in rows}


def test_the_due_people_are_enrolled_in_a_refresher_session(client, login, due, refresher):
    session = refresher()
    c = due["certs"]
    login(Role.TRAINING)
    page = client.get("/training/renewals")
    assert f'<option value="{session.id}">' in page.get_data(as_text=True)
    assert f'value="{c["expiring"].id}"' in page.get_data(as_text=True)
    done = client.post("/training/renewals/enroll", data={
        "session_id": session.id, "certificate": [c["expiring"].id, c["recent"].id], "days": "90"},
        follow_redirects=True)
    assert f"已为“{session.title}”报名 2 人" in page_text(done)
    assert enrolled(session) == {"到期甲": ("enrolled", "renewal"), "近期丙": ("enrolled", "renewal")}

    # someone already there is reported; the others are still enrolled
    again = client.post("/training/renewals/enroll", data={
        "session_id": session.id, "certificate": [c["expiring"].id, c["west"].id]}, follow_redirects=True)
    text = page_text(again)
    assert f"已为“{session.title}”报名 1 人" in text and "未重复报名：到期甲（已报名本班）" in text
    assert set(enrolled(session)) == {"到期甲", "近期丙", "西镇癸"}


def test_the_wrong_session_enrolls_nobody(client, login, due, refresher, make_session, courses):
    c = due["certs"]
    principal = refresher()
    login(Role.TRAINING)
    wrong_post = client.post("/training/renewals/enroll", data={
        "session_id": principal.id, "certificate": [c["expiring"].id, c["safety"].id]}, follow_redirects=True)
    assert "安全己 的证书不属于该岗位" in page_text(wrong_post) and "未报名任何人" in page_text(wrong_post)
    assert enrolled(principal) == {}

    other_operation = refresher("low_refresher")
    wrong_category = client.post("/training/renewals/enroll", data={
        "session_id": other_operation.id, "certificate": [c["review"].id, c["high_of_two"].id]},
        follow_redirects=True)
    assert "两类壬 的证书不属于该岗位（作业类别）" in page_text(wrong_category)
    assert enrolled(other_operation) == {}

    initial = make_session(trainees=0, title="主要负责人初训班")
    not_refresher = client.post("/training/renewals/enroll", data={
        "session_id": initial.id, "certificate": [c["expiring"].id]}, follow_redirects=True)
    assert "“主要负责人初训班”是初训班次，请选择一个复训班次" in page_text(not_refresher)
    assert enrolled(initial) == {}

    ended = refresher(start=local_today() - timedelta(days=10))
    over = client.post("/training/renewals/enroll", data={
        "session_id": ended.id, "certificate": [c["expiring"].id]}, follow_redirects=True)
    assert "已于" in page_text(over) and "结业" in page_text(over) and enrolled(ended) == {}

    nobody = client.post("/training/renewals/enroll", data={"session_id": principal.id}, follow_redirects=True)
    assert "请先在名单中勾选要报名的人员" in page_text(nobody)


def test_a_full_refresher_session_puts_the_rest_on_its_waiting_list(client, login, due, refresher):
    session = refresher(capacity=1)
    c = due["certs"]
    login(Role.TRAINING)
    done = client.post("/training/renewals/enroll", data={
        "session_id": session.id, "certificate": [c["expiring"].id, c["recent"].id, c["west"].id]},
        follow_redirects=True)
    assert f"已为“{session.title}”报名 3 人（其中 2 人因名额已满进入候补）" in page_text(done)
    statuses = sorted(status for status, _ in enrolled(session).values())
    assert statuses == ["enrolled", "waitlisted", "waitlisted"]


def test_a_leader_cannot_enroll(client, login, due, refresher):
    session = refresher()
    login(Role.LEADER)
    response = client.post("/training/renewals/enroll", data={
        "session_id": session.id, "certificate": [due["certs"]["expiring"].id]})
    assert response.status_code == 403 and enrolled(session) == {}
