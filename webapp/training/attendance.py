"""Attendance by QR code: changing codes on a screen, a typed fallback, sign-in, hand corrections,
and the hours attendance earns.

The screen shows a QR code for /t/<slot key>?k=<token>. The token is an HMAC of the slot's secret
and the current 30-second window, so the server needs no table of codes and a photo forwarded to a
group chat stops working a window later. The page that code opens carries a signed pass (valid a
few minutes) so a trainee who takes a while to type their name is not turned away. A phone whose
camera fails types the six-digit code shown under the QR instead (derived the same way).
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from webapp.common.time import to_local, utcnow
from webapp.errors import UserError
from webapp.extensions import db
from webapp.registry.models import Person
from webapp.training.models import (
    Attendance,
    AttendanceCorrection,
    Enrollment,
    EnrollmentStatus,
    TimeSlot,
    TrainingSession,
)

EXPIRED = "二维码已过期：请扫描屏幕上的最新二维码（二维码每 {seconds} 秒更换一次，转发的图片无法签到）"
BAD_CODE = "签到码不正确或已过期，请核对屏幕上的最新签到码"
PASS_EXPIRED = "签到页面已过期，请重新扫描屏幕上的二维码"


# ---------------------------------------------------------------------------------- the codes


def _period() -> int:
    return current_app.config["SIGNIN_CODE_SECONDS"]


def _seconds(now: datetime) -> int:
    """Seconds since the epoch of a naive UTC time (how times are stored)."""
    return int(now.replace(tzinfo=UTC).timestamp())


def window(now: datetime) -> int:
    return _seconds(now) // _period()


def _mac(slot: TimeSlot, message: str) -> bytes:
    return hmac.new(bytes.fromhex(slot.secret), message.encode(), hashlib.sha256).digest()


def qr_token(slot: TimeSlot, win: int) -> str:
    return _mac(slot, f"qr:{win}").hex()[:16]


def typed_code(slot: TimeSlot, win: int | None) -> str:
    """Six digits; win=None gives the static code printed for rooms without a screen."""
    message = "code:static" if win is None else f"code:{win}"
    return f"{int.from_bytes(_mac(slot, message)[:8], 'big') % 1_000_000:06d}"


@dataclass(frozen=True)
class ScreenCode:
    token: str
    code: str
    seconds_left: int


def screen_code(slot: TimeSlot, now: datetime | None = None) -> ScreenCode:
    now = now or utcnow()
    win = window(now)
    if slot.static_code:
        return ScreenCode(slot.static_token, typed_code(slot, None), 0)
    left = _period() - _seconds(now) % _period()
    return ScreenCode(qr_token(slot, win), typed_code(slot, win), left)


def scanned_method(slot: TimeSlot, token: str | None, now: datetime | None = None) -> str:
    """'qr' or 'static' for a token that is valid now; UserError otherwise."""
    token = (token or "").strip()
    if slot.static_code and token and hmac.compare_digest(token, slot.static_token):
        return "static"
    win = window(now or utcnow())
    if token and any(hmac.compare_digest(token, qr_token(slot, w)) for w in (win, win - 1)):
        return "qr"
    raise UserError(EXPIRED.format(seconds=_period()))


def slot_for_code(code: str, now: datetime | None = None) -> TimeSlot:
    """The open slot whose current (or previous) typed code this is."""
    code = "".join(c for c in (code or "") if c.isdigit())
    if len(code) != 6:
        raise UserError("请输入屏幕上显示的 6 位签到码")
    now = now or utcnow()
    win = window(now)
    before = timedelta(minutes=current_app.config["SIGNIN_OPENS_MINUTES_BEFORE"])
    open_slots = db.session.scalars(select(TimeSlot).where(TimeSlot.starts_at <= now + before, TimeSlot.ends_at >= now))
    for slot in open_slots:
        valid = {typed_code(slot, None)} if slot.static_code else {typed_code(slot, w) for w in (win, win - 1)}
        if code in valid:
            return slot
    raise UserError(BAD_CODE)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="training-signin")


def form_pass(slot: TimeSlot, method: str) -> str:
    return _serializer().dumps([slot.id, method])


def check_pass(slot: TimeSlot, signed: str | None) -> str:
    try:
        slot_id, method = _serializer().loads(signed or "", max_age=current_app.config["SIGNIN_FORM_MINUTES"] * 60)
    except (BadSignature, ValueError, TypeError):
        raise UserError(PASS_EXPIRED) from None
    if slot_id != slot.id:
        raise UserError(PASS_EXPIRED)
    return method


# ------------------------------------------------------------------------------------ sign-in


def signin_window(slot: TimeSlot) -> tuple[datetime, datetime]:
    before = timedelta(minutes=current_app.config["SIGNIN_OPENS_MINUTES_BEFORE"])
    return slot.starts_at - before, slot.ends_at


def check_window(slot: TimeSlot, now: datetime) -> None:
    opens, closes = signin_window(slot)
    if not opens <= now <= closes:
        span = f"{to_local(opens):%m月%d日 %H:%M} 至 {to_local(closes):%H:%M}"
        when = "尚未开始" if now < opens else "已经结束"
        raise UserError(f"本节课签到{when}：签到时间为 {span}")


def find_enrollment(session: TrainingSession, name: str, ident: str) -> Enrollment:
    """A trainee names themself with their name and the last 6 characters of their ID number, or
    their phone number."""
    name = " ".join((name or "").split())
    ident = (ident or "").strip().upper().replace(" ", "")
    if not name:
        raise UserError("请填写姓名")
    if re.fullmatch(r"[0-9]{5}[0-9X]", ident):
        # autoescape: "%" or "_" typed here must not act as LIKE wildcards (they would match anyone)
        match = Person.id_number.endswith(ident, autoescape=True)
    elif len(ident) == 11 and ident.isdigit():
        match = Person.phone == ident
    else:
        raise UserError("请填写身份证号后 6 位，或 11 位手机号")
    found = db.session.execute(select(Enrollment).join(Person, Enrollment.person_id == Person.id).where(
        Enrollment.session_id == session.id, Person.name == name, match)).scalars().first()
    if found is None or found.status == EnrollmentStatus.WITHDRAWN:
        raise UserError("未找到您在本班的报名信息：请核对姓名和身份证号后 6 位（或手机号），或联系培训管理员")
    if found.status == EnrollmentStatus.WAITLISTED:
        raise UserError("您目前在本班的候补名单中，尚未正式报名，暂不能签到；请联系培训管理员")
    return found


@dataclass(frozen=True)
class SignIn:
    name: str
    signed_at: datetime
    first: bool  # False: already signed in (a second scan is not an error)
    present: bool


def sign_in(slot: TimeSlot, name: str, ident: str, method: str, ip: str | None = None,
            now: datetime | None = None) -> SignIn:
    now = now or utcnow()
    check_window(slot, now)
    enrollment = find_enrollment(slot.session, name, ident)
    person_name = enrollment.person.name
    existing = _attendance(slot.id, enrollment.id)
    if existing is not None:
        return SignIn(person_name, existing.signed_at, False, existing.present)
    try:
        with db.session.begin_nested():
            db.session.add(Attendance(slot_id=slot.id, enrollment_id=enrollment.id, method=method,
                                      signed_at=now, ip=ip, present=True))
    except IntegrityError:  # the same trainee's second tap, a moment earlier, won
        existing = _attendance(slot.id, enrollment.id)
        return SignIn(person_name, existing.signed_at, False, existing.present)
    return SignIn(person_name, now, True, True)


def _attendance(slot_id: int, enrollment_id: int) -> Attendance | None:
    return db.session.scalar(select(Attendance).where(Attendance.slot_id == slot_id,
                                                      Attendance.enrollment_id == enrollment_id))


# -------------------------------------------------------------------------------- the officer


def correct(slot: TimeSlot, enrollment: Enrollment, present: bool, reason: str, user=None) -> None:
    """Set a trainee present or absent by hand; the reason is required and kept."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise UserError("请填写更正原因（如：扫码失败，现场核实到课）", field="reason")
    if len(reason) > 200:
        raise UserError("更正原因不能超过 200 字", field="reason")
    if enrollment.session_id != slot.session_id or enrollment.status != EnrollmentStatus.ENROLLED:
        raise UserError("该学员不在本班的正式名单中")
    row = _attendance(slot.id, enrollment.id)
    if row is None:
        row = Attendance(slot_id=slot.id, enrollment_id=enrollment.id, method="manual", signed_at=utcnow())
        db.session.add(row)
    row.present = present
    db.session.add(AttendanceCorrection(slot_id=slot.id, enrollment_id=enrollment.id, present=present,
                                        reason=reason, user_id=getattr(user, "id", None)))
    db.session.flush()


@dataclass(frozen=True)
class RollLine:
    enrollment: Enrollment
    attendance: Attendance | None

    @property
    def present(self) -> bool:
        return self.attendance is not None and self.attendance.present


def roll(slot: TimeSlot) -> list[RollLine]:
    """Every enrolled trainee with their sign-in for the slot (None: missing)."""
    rows = db.session.execute(
        select(Enrollment, Attendance).join(Enrollment.person)
        .outerjoin(Attendance, and_(Attendance.enrollment_id == Enrollment.id, Attendance.slot_id == slot.id))
        .where(Enrollment.session_id == slot.session_id, Enrollment.status == EnrollmentStatus.ENROLLED)
        .options(contains_eager(Enrollment.person).selectinload(Person.organization))
        .order_by(Attendance.signed_at.is_(None), Attendance.signed_at.desc(), Person.name))
    return [RollLine(e, a) for e, a in rows]


def corrections(slot: TimeSlot) -> list[AttendanceCorrection]:
    """The slot's hand corrections, newest first, with the trainee and the officer loaded."""
    return list(db.session.scalars(
        select(AttendanceCorrection).where(AttendanceCorrection.slot_id == slot.id)
        .options(selectinload(AttendanceCorrection.enrollment).selectinload(Enrollment.person),
                 selectinload(AttendanceCorrection.user))
        .order_by(AttendanceCorrection.created_at.desc(), AttendanceCorrection.id.desc())))


def present_counts(slots: list[TimeSlot]) -> dict[int, int]:
    """slot id → trainees present, for a session's slots in one query."""
    ids = [s.id for s in slots]
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts |= dict(db.session.execute(
            select(Attendance.slot_id, func.count()).where(Attendance.slot_id.in_(ids), Attendance.present.is_(True))
            .group_by(Attendance.slot_id)).all())
    return counts


def present_count(slot: TimeSlot) -> int:
    return db.session.scalar(select(func.count()).where(Attendance.slot_id == slot.id,
                                                        Attendance.present.is_(True))) or 0


def hours_by_enrollment(session: TrainingSession) -> dict[int, float]:
    """Hours earned so far: the sum of the attended slots' hours, per enrollment."""
    rows = db.session.execute(
        select(Attendance.enrollment_id, func.sum(TimeSlot.hours))
        .join(TimeSlot, Attendance.slot_id == TimeSlot.id)
        .where(TimeSlot.session_id == session.id, Attendance.present.is_(True))
        .group_by(Attendance.enrollment_id))
    return {eid: float(total or 0) for eid, total in rows}


def recent(slot: TimeSlot, limit: int = 8) -> list[tuple[str, datetime]]:
    """The last trainees signed in (name, time), newest first: the screen's ticker."""
    rows = db.session.execute(
        select(Person.name, Attendance.signed_at).join(Enrollment, Attendance.enrollment_id == Enrollment.id)
        .join(Person, Enrollment.person_id == Person.id)
        .where(Attendance.slot_id == slot.id, Attendance.present.is_(True))
        .order_by(Attendance.signed_at.desc(), Attendance.id.desc()).limit(limit))
    return [(name, signed_at) for name, signed_at in rows]
