"""The officer's side of attendance: the projector screen and its changing code, the live roll with
hand corrections (a reason required and kept), and the printable static code."""

import base64
import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from tests.conftest import PASSWORD, page_text, table_text
from webapp.auth.permissions import Role
from webapp.common.time import to_local, utcnow
from webapp.extensions import db
from webapp.training import attendance, services
from webapp.training.models import Attendance, AttendanceCorrection


@pytest.fixture
def open_slot(make_session, factory):
    """A slot from 10 minutes ago to 2 hours ahead (explicit UTC times: safe near midnight), with
    three trainees of one enterprise."""
    def build(static=False, trainees=3):
        now = utcnow()
        org = factory.org("东镇化工有限公司")
        session = make_session(trainees=trainees, start=to_local(now - timedelta(minutes=10)).date(), org=org)
        slot = services.save_slot(session, None, {
            "starts_at": now - timedelta(minutes=10), "ends_at": now + timedelta(hours=2), "hours": 2,
            "topic": "危险化学品安全管理", "trainer": "王老师", "venue": "", "static_code": static})
        db.session.commit()
        return slot
    return build


def people(slot):
    return [e.person for e in services.enrollments(slot.session)]


def enrollment_of(slot, person):
    return services.enrollment_of(slot.session, person)


def phone_sign_in(client, url, person):
    """What a trainee's phone does with the address in the QR code."""
    page = client.get(url)
    assert page.status_code == 200, page_text(page)
    signin_pass = re.search(r'name="signin_pass"[^>]*value="([^"]*)"', page.get_data(as_text=True)).group(1)
    path = url.split("://", 1)[1].split("/", 1)[1].split("?")[0]
    return client.post("/" + path, data={"name": person.name, "ident": person.id_number[-6:], "signin_pass": signin_pass})


def test_the_screen_and_its_code_need_a_training_officer(app, client, login, open_slot, factory):
    slot = open_slot()
    screen, code = f"/training/slots/{slot.id}/screen", f"/training/slots/{slot.id}/code.json"
    assert client.get(screen).status_code == 302 and "/login" in client.get(screen).headers["Location"]
    assert client.get(code).status_code == 302
    leader = app.test_client()
    leader.post("/login", data={"username": factory.user(Role.LEADER).username, "password": PASSWORD})
    assert leader.get(screen).status_code == 403 and leader.get(code).status_code == 403
    login(Role.TRAINING)
    page = client.get(screen)
    assert page.status_code == 200
    text = page_text(page)
    assert "2026年第四期主要负责人培训班" in text and "危险化学品安全管理" in text
    assert "已签到 0 / 应到 3" in text and attendance.screen_code(slot).code in text
    assert "http://localhost/t/" in text  # where to type the code
    assert "img-src 'self' data:" in page.headers["Content-Security-Policy"]  # the QR is a data: URL


def test_the_screens_qr_code_signs_a_trainee_in_and_the_counts_follow(client, login, open_slot):
    slot = open_slot()
    login(Role.TRAINING)
    data = client.get(f"/training/slots/{slot.id}/code.json").json
    assert data["code"] == attendance.screen_code(slot).code and 0 < data["seconds_left"] <= 30
    assert (data["present"], data["expected"], data["recent"]) == (0, 3, [])
    assert data["url"] == f"http://localhost/t/{slot.key}?k={attendance.screen_code(slot).token}"
    png = base64.b64decode(data["qr"].removeprefix("data:image/png;base64,"))
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.width > 100
    trainee = people(slot)[0]  # 学员一
    assert phone_sign_in(client, data["url"], trainee).status_code == 200
    after = client.get(f"/training/slots/{slot.id}/code.json").json
    assert (after["present"], after["expected"]) == (1, 3)
    assert [r["name"] for r in after["recent"]] == ["学*一"]
    page = page_text(client.get(f"/training/slots/{slot.id}/screen"))
    assert "已签到 1 / 应到 3" in page and "学*一" in page and "学员一" not in page


def test_a_static_slot_shows_the_printed_code_without_a_countdown(client, login, open_slot):
    slot = open_slot(static=True)
    login(Role.TRAINING)
    data = client.get(f"/training/slots/{slot.id}/code.json").json
    assert data["static"] is True and data["seconds_left"] == 0
    assert data["code"] == attendance.typed_code(slot, None) and data["url"].endswith(f"k={slot.static_token}")


def test_the_roll_lists_who_is_present_and_who_is_missing(client, login, open_slot):
    slot = open_slot()
    first, second, third = people(slot)
    login(Role.TRAINING)
    url = client.get(f"/training/slots/{slot.id}/code.json").json["url"]
    phone_sign_in(client, url, second)
    page = client.get(f"/training/slots/{slot.id}/roll")
    assert page.status_code == 200
    present, missing = table_text(page, "present"), table_text(page, "missing")
    signed_at = db.session.scalar(select(Attendance.signed_at).where(Attendance.slot_id == slot.id))
    assert second.name in present and "东镇化工有限公司" in present and "扫码" in present
    assert to_local(signed_at).strftime("%H:%M:%S") in present
    assert second.masked_phone in present and second.phone not in present
    assert first.name in missing and third.name in missing and second.name not in missing
    assert first.name not in present and "未签到" in missing
    assert "已签到 1 / 应到 3" in page_text(page)


def test_a_correction_needs_a_reason_which_is_kept_and_shown(client, login, open_slot):
    slot = open_slot()
    first, second, _third = people(slot)
    officer = login(Role.TRAINING)
    enrollment = enrollment_of(slot, first)
    roll = f"/training/slots/{slot.id}/roll"

    refused = client.post(roll, data={"enrollment_id": enrollment.id, "present": "1", "reason": "  "})
    assert refused.status_code == 422 and "请填写更正原因" in page_text(refused)
    assert first.name in table_text(refused, "missing")
    assert db.session.scalars(select(AttendanceCorrection)).all() == []
    assert db.session.scalars(select(Attendance)).all() == []

    done = client.post(roll, data={"enrollment_id": enrollment.id, "present": "1", "reason": "手机没电，现场核实到课"})
    assert done.status_code == 303
    page = client.get(roll)
    assert first.name in table_text(page, "present") and "人工更正" in table_text(page, "present")
    log = table_text(page, "corrections")
    assert first.name in log and "到课" in log and "手机没电，现场核实到课" in log and officer.display_name in log
    kept = db.session.scalar(select(AttendanceCorrection))
    assert (kept.enrollment_id, kept.present, kept.reason, kept.user_id) == (enrollment.id, True, "手机没电，现场核实到课", officer.id)
    assert attendance.hours_by_enrollment(slot.session) == {enrollment.id: 2.0}

    # and back: marked absent (left after the first hour), the hours go with it; both reasons stay
    assert client.post(roll, data={"enrollment_id": enrollment.id, "present": "0", "reason": "中途离场"}).status_code == 303
    page = client.get(roll)
    assert first.name in table_text(page, "missing") and "已更正为缺勤" in table_text(page, "missing")
    log = table_text(page, "corrections")
    assert "中途离场" in log and "手机没电，现场核实到课" in log
    assert attendance.hours_by_enrollment(slot.session) == {}


def test_a_trainee_not_on_the_roll_cannot_be_corrected(client, login, open_slot, factory):
    slot = open_slot()
    other = open_slot()
    stranger = enrollment_of(other, people(other)[0])
    login(Role.TRAINING)
    response = client.post(f"/training/slots/{slot.id}/roll",
                           data={"enrollment_id": stranger.id, "present": "1", "reason": "核实到课"})
    assert response.status_code == 422 and "该学员不在本班的正式名单中" in page_text(response)
    assert db.session.scalars(select(Attendance)).all() == []


def test_a_leader_sees_the_roll_but_cannot_correct_it(client, login, open_slot):
    slot = open_slot()
    first = people(slot)[0]
    login(Role.LEADER)
    page = client.get(f"/training/slots/{slot.id}/roll")
    assert page.status_code == 200 and first.name in table_text(page, "missing")
    assert 'name="reason"' not in page.get_data(as_text=True)
    response = client.post(f"/training/slots/{slot.id}/roll",
                           data={"enrollment_id": enrollment_of(slot, first).id, "present": "1", "reason": "到课"})
    assert response.status_code == 403
    assert db.session.scalars(select(Attendance)).all() == []


def test_the_poster_prints_the_static_code_only_for_a_static_slot(client, login, open_slot):
    login(Role.TRAINING)
    printed = open_slot(static=True)
    page = client.get(f"/training/slots/{printed.id}/poster")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert attendance.typed_code(printed, None) in page_text(page) and "data:image/png;base64," in html
    assert "@page" in html and "A4" in html

    dynamic = open_slot()
    page = client.get(f"/training/slots/{dynamic.id}/poster")
    assert page.status_code == 200
    text = page_text(page)
    assert "没有启用可打印的固定签到码" in text and "data:image/png" not in page.get_data(as_text=True)
    assert attendance.typed_code(dynamic, None) not in text
    assert re.search(rf'href="/training/(slots/{dynamic.id}/edit|sessions/{dynamic.session_id})[^"]*"',
                     page.get_data(as_text=True))


def test_an_unknown_slot_is_a_404(client, login):
    login(Role.TRAINING)
    for page in ("screen", "code.json", "roll", "poster"):
        assert client.get(f"/training/slots/999/{page}").status_code == 404
