"""Enrollment: one by one from the people registry, twice refused, the waiting list and how it
moves up on a withdrawal (also onto the exam's roster), and rosters from Excel checked whole."""

import io

from openpyxl import load_workbook

from tests.conftest import page_text, table_text, valid_id_number, xlsx_file
from webapp.auth.permissions import Role
from webapp.extensions import db
from webapp.quiz.models import RosterEntry
from webapp.registry.models import Person
from webapp.training import exams, services
from webapp.training.models import Enrollment

HEADERS = ["姓名", "身份证号", "手机号码", "所属单位", "岗位"]


def _enrollments(session) -> list[tuple[str, str]]:
    rows = db.session.execute(db.select(Person.name, Enrollment.status).join(Person)
                              .where(Enrollment.session_id == session.id).order_by(Enrollment.id))
    return [tuple(r) for r in rows]


def _roster(quiz_id: int) -> set[int]:
    return set(db.session.scalars(db.select(RosterEntry.person_id).where(RosterEntry.quiz_id == quiz_id)))


def test_search_the_registry_and_enroll_one_person(client, login, make_session, factory):
    session = make_session(trainees=0)
    tree = factory.tree()
    person = factory.person("赵建国", org=tree["ent"], phone="13912345678", post="总经理")
    login(Role.TRAINING)
    found = client.get(f"/training/sessions/{session.id}/enroll?q=赵建")
    rows = table_text(found, "people")
    assert "赵建国" in rows and person.masked_id in rows and "139****5678" in rows and "东镇化工有限公司" in rows
    assert person.id_number not in found.get_data(as_text=True)  # masked, even for the officer
    by_tail = table_text(client.get(f"/training/sessions/{session.id}/enroll?q={person.id_number[-6:]}"), "people")
    assert "赵建国" in by_tail

    done = client.post(f"/training/sessions/{session.id}/enroll", data={"person_id": person.id, "q": "赵建"},
                       follow_redirects=True)
    assert "已为 赵建国 报名" in page_text(done)
    assert "已报名" in table_text(done, "people")  # the search result now says so
    assert _enrollments(session) == [("赵建国", "enrolled")]
    trainees = table_text(client.get(f"/training/sessions/{session.id}"), "trainees")
    assert "赵建国" in trainees and person.masked_id in trainees and "139****5678" in trainees and "0 / 48" in trainees


def test_enrolling_the_same_person_twice_is_a_clear_error_and_adds_no_row(client, login, make_session, factory):
    session = make_session(trainees=0)
    person = factory.person("钱多多")
    login(Role.TRAINING)
    client.post(f"/training/sessions/{session.id}/enroll", data={"person_id": person.id})
    again = client.post(f"/training/sessions/{session.id}/enroll", data={"person_id": person.id}, follow_redirects=True)
    assert f"钱多多（身份证号 {person.masked_id}）已报名本班，不能重复报名" in page_text(again)
    assert _enrollments(session) == [("钱多多", "enrolled")]
    nobody = client.post(f"/training/sessions/{session.id}/enroll", data={"person_id": ""}, follow_redirects=True)
    assert "请先搜索并选择要报名的人员" in page_text(nobody)


def test_a_full_session_waitlists_and_a_withdrawal_moves_the_first_up_onto_the_exam_roster(client, login, make_session,
                                                                                            factory):
    session = make_session(trainees=2, capacity=2)
    exam = exams.create_exam(session)
    db.session.commit()
    first, second = factory.person("孙候补"), factory.person("李候补")
    login(Role.TRAINING)
    queued = client.post(f"/training/sessions/{session.id}/enroll", data={"person_id": first.id}, follow_redirects=True)
    assert "本班名额（2 人）已满，孙候补 已列入候补名单（第 1 位）" in page_text(queued)
    queued = client.post(f"/training/sessions/{session.id}/enroll", data={"person_id": second.id}, follow_redirects=True)
    assert "李候补 已列入候补名单（第 2 位）" in page_text(queued)
    again = client.post(f"/training/sessions/{session.id}/enroll", data={"person_id": first.id}, follow_redirects=True)
    assert "孙候补" in page_text(again) and "已在本班的候补名单中，不能重复报名" in page_text(again)

    page = client.get(f"/training/sessions/{session.id}")
    waitlist = table_text(page, "waitlist")
    assert waitlist.index("孙候补") < waitlist.index("李候补")
    assert "孙候补" not in table_text(page, "trainees")
    assert "名额 2 人，已报名 2 人，候补 2 人" in page_text(page)
    assert first.id not in _roster(exam.id)

    leaving = services.enrollments(session)[0]
    left_name, left_person = leaving.person.name, leaving.person_id
    moved = client.post(f"/training/enrollments/{leaving.id}/withdraw", follow_redirects=True)
    text = page_text(moved)
    assert f"{left_name} 已退出本班" in text and "候补名单中的 孙候补 已递补为正式学员" in text
    assert "孙候补" in table_text(moved, "trainees") and "孙候补" not in table_text(moved, "waitlist")
    assert left_name not in table_text(moved, "trainees")
    roster = _roster(exam.id)
    assert first.id in roster and left_person not in roster and second.id not in roster

    twice = client.post(f"/training/enrollments/{leaving.id}/withdraw", follow_redirects=True)
    assert "该学员已退出本班" in page_text(twice)
    waiting = db.session.scalar(db.select(Enrollment).where(Enrollment.person_id == second.id))
    off = client.post(f"/training/enrollments/{waiting.id}/withdraw", follow_redirects=True)
    assert "已将 李候补 移出候补名单" in page_text(off) and "候补名单为空" in table_text(off, "waitlist")


def session_form(session, **overrides) -> dict:
    return {"course_id": session.course_id, "title": session.title, "starts_on": session.starts_on.isoformat(),
            "ends_on": session.ends_on.isoformat(), "venue": session.venue, "capacity": session.capacity,
            "trainers": session.trainers, "audience": session.audience, "bring": session.bring,
            "contact": session.contact} | overrides


def test_a_larger_capacity_moves_the_waiting_list_up_onto_the_exam_roster(client, login, make_session, factory):
    session = make_session(trainees=1, capacity=1)
    exam = exams.create_exam(session)
    first, second = factory.person("周候补"), factory.person("吴候补")
    services.enroll(session, first)
    services.enroll(session, second)
    db.session.commit()
    trainee = services.enrollments(session)[0].person.name
    login(Role.TRAINING)

    edited = client.post(f"/training/sessions/{session.id}/edit", data=session_form(session, capacity=2),
                         follow_redirects=True)
    assert "名额增加，候补名单中的 1 人已递补为正式学员" in page_text(edited)
    assert _enrollments(session) == [(trainee, "enrolled"), ("周候补", "enrolled"), ("吴候补", "waitlisted")]
    roster = _roster(exam.id)
    assert first.id in roster and second.id not in roster

    smaller = client.post(f"/training/sessions/{session.id}/edit", data=session_form(session, capacity=1))
    assert smaller.status_code == 200 and "已有 2 人报名，名额不能少于此数" in page_text(smaller)
    db.session.expire_all()
    assert session.capacity == 2 and len(_enrollments(session)) == 3


def test_the_roster_template_has_the_headers_and_text_id_column(client, login):
    login(Role.TRAINING)
    response = client.get("/training/roster-template")
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["数据"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet["B2"].number_format == "@"
    assert "填写说明" in workbook.sheetnames


def upload(client, session, rows, headers=HEADERS):
    return client.post(f"/training/sessions/{session.id}/import", data={"file": (xlsx_file(headers, rows), "名单.xlsx")},
                       content_type="multipart/form-data", follow_redirects=True)


def test_a_good_roster_creates_new_people_and_enrolls_them_with_the_overflow_waitlisted(client, login, make_session,
                                                                                       factory):
    session = make_session(trainees=0, capacity=2)
    tree = factory.tree()
    known = factory.person("周已在", org=tree["ent"])
    login(Role.TRAINING)
    new_a, new_b = valid_id_number(), valid_id_number()
    page = upload(client, session, [
        ("周已在", known.id_number, "", "", ""),
        ("吴新人", new_a, "13800001111", "东镇化工有限公司", "安全员"),
        ("郑新人", new_b, "", "", ""),
    ])
    assert "导入成功：正式报名 2 人，列入候补 1 人，其中 2 人为人员库中新建" in page_text(page)
    assert _enrollments(session) == [("周已在", "enrolled"), ("吴新人", "enrolled"), ("郑新人", "waitlisted")]
    created = db.session.scalar(db.select(Person).where(Person.id_number == new_a))
    assert created.name == "吴新人" and created.organization_id == tree["ent"].id and created.phone == "13800001111"
    assert db.session.scalar(db.select(Enrollment.source).where(Enrollment.person_id == created.id)) == "roster"


def test_a_roster_imported_after_the_exam_was_created_puts_the_enrolled_on_its_roster(client, login, make_session):
    session = make_session(trainees=0, capacity=1)
    exam = exams.create_exam(session)
    db.session.commit()
    login(Role.TRAINING)
    enrolled_id, waiting_id = valid_id_number(), valid_id_number()
    page = upload(client, session, [("吴正式", enrolled_id, "", "", ""), ("郑候补", waiting_id, "", "", "")])
    assert "导入成功：正式报名 1 人，列入候补 1 人" in page_text(page)
    people = {p.name: p.id for p in db.session.scalars(db.select(Person).where(Person.name.in_(["吴正式", "郑候补"])))}
    assert _roster(exam.id) == {people["吴正式"]}


def test_a_roster_with_a_bad_id_and_a_duplicate_row_is_refused_whole(client, login, make_session, factory):
    session = make_session(trainees=1)
    already = services.enrollments(session)[0].person
    login(Role.TRAINING)
    people_before = db.session.scalar(db.select(db.func.count(Person.id)))
    good = valid_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # a wrong check character
    page = upload(client, session, [
        ("王正常", good, "", "", ""),
        ("冯抄错", bad, "", "", ""),
        ("王重复", good, "", "", ""),
        (already.name, already.id_number, "", "", ""),
        ("陈单位", valid_id_number(), "", "不存在的公司", ""),
    ])
    assert "发现 4 处错误，本次没有报名任何人，也没有新建人员" in page_text(page)
    errors = table_text(page, "import-errors")
    assert f"3 身份证号 {bad} 身份证号校验位不正确，请核对号码是否抄错" in errors
    assert f"4 身份证号 {good} 与第 2 行的身份证号重复" in errors
    assert f"5 身份证号 {already.id_number} {already.name} 已报名本班，不能重复报名" in errors
    assert "6 所属单位 不存在的公司" in errors
    assert db.session.scalar(db.select(db.func.count(Person.id))) == people_before
    assert len(_enrollments(session)) == 1


def test_a_roster_with_wrong_headers_gets_one_clear_message(client, login, make_session):
    session = make_session(trainees=0)
    login(Role.TRAINING)
    page = upload(client, session, [("张三", valid_id_number())], headers=["名字", "身份证号"])
    assert "表头与模板不一致（缺少列：姓名；无法识别的列：名字）" in page_text(page)
    assert _enrollments(session) == []
