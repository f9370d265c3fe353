"""A session's paperwork through the document engine: the training notice (培训通知, the red-header
"notice" kind) and the sign-in sheet (培训签到表). Contexts are built here; rendering and keeping
the file is documents.services.render_for, so every generated file shows up among the bureau's
generated documents with the template version that made it."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from webapp.common.identifiers import mask_phone
from webapp.common.time import to_local
from webapp.documents import services as documents
from webapp.documents.filters import cn_date
from webapp.documents.models import GeneratedDocument
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.training import services
from webapp.training.models import TrainingSession

ATTACHMENT = "参训人员名单"

# 发文字号 (GB/T 9704-2012 7.2.4, DOMAIN.md §8): 机关代字〔年份〕序号号, e.g. 洪应急〔2026〕12号 —
# hexagonal brackets, the full four-digit year, the serial without leading zeros and without 第.
# The lenient pattern reads what people actually type so the message can name the one thing wrong.
_LOOSE = re.compile(r"^(?P<prefix>.*?)(?P<open>[〔\[［【(（{｛〈<《])\s*(?P<year>\d+)\s*(?P<close>[〕\]］】)）}｝〉>》])"
                    r"\s*(?P<di>第?)\s*(?P<serial>\d+)\s*(?P<hao>号?)$")
EXAMPLE = "洪应急〔2026〕12号"


def check_doc_number(text: str) -> str:
    """The 发文字号 as typed, or UserError(field="doc_number") naming what is wrong."""
    text = (text or "").strip()

    def refuse(message: str):
        return UserError(f"发文字号“{text}”{message}（正确格式如 {EXAMPLE}）", field="doc_number")

    if not text:
        raise UserError(f"请填写发文字号，如 {EXAMPLE}", field="doc_number")
    match = _LOOSE.match(text)
    if match is None:
        raise refuse("格式不对：应为 机关代字 + 〔年份〕 + 序号 + 号")
    if not match["prefix"].strip():
        raise refuse("缺少机关代字（如“洪应急”）")
    if match["open"] != "〔" or match["close"] != "〕":
        raise refuse(f"的年份应使用六角括号〔〕，不能用“{match['open']}{match['close']}”")
    if len(match["year"]) != 4:
        raise refuse(f"的年份应写全四位，如〔2026〕，不能写成〔{match['year']}〕")
    if not 1949 <= int(match["year"]) <= 2100:
        raise refuse(f"的年份 {match['year']} 不合理")
    if match["di"]:
        raise refuse("的序号前不加“第”字")
    if match["serial"].startswith("0"):
        raise refuse(f"的序号不编虚位（不加前导 0）：应写 {int(match['serial'])}号")
    if not match["hao"]:
        raise refuse("的序号后应有“号”字")
    if re.search(r"\s", text):
        raise refuse("中不应有空格")
    return text


# ------------------------------------------------------------------------------------- notice


def notice_title(session: TrainingSession) -> str:
    return f"关于举办{session.title}的通知"


def _period(session: TrainingSession) -> str:
    days = (session.ends_on - session.starts_on).days + 1
    if days == 1:
        return f"{cn_date(session.starts_on)}，共1天"
    end = (f"{session.ends_on.month}月{session.ends_on.day}日" if session.ends_on.year == session.starts_on.year
           else cn_date(session.ends_on))
    return f"{cn_date(session.starts_on)}至{end}，共{days}天"


def notice_body(session: TrainingSession, extra: str = "") -> list[str]:
    """The body paragraphs: the reason, then 一、时间 二、地点 三、对象 四、材料及要求 五、联系方式."""
    course = session.course
    time = f"一、培训时间：{_period(session)}，{course.required_hours:g}学时。"
    if session.slots:
        first = to_local(session.slots[0].starts_at)
        time += f"首次课程于{first.month}月{first.day}日{first:%H:%M}开始，请提前30分钟到达报到。"
    audience = (session.audience or "").strip().rstrip("。；;") or "经审核报名的参训人员"
    bring = (session.bring or "").strip().rstrip("。；;") or "身份证原件"
    demands = [f"请参训人员携带{bring}"] if not bring.startswith("携带") else [bring]
    demands.append("按时报到，全程参加培训，每节课扫码签到；学时不足或考试不合格的不发放培训合格证明")
    demands += [line.strip().rstrip("。；;") for line in (extra or "").splitlines() if line.strip()]
    contact = (session.contact or "").strip().rstrip("。") or "请与培训组织单位联系"
    return [
        f"为贯彻落实《中华人民共和国安全生产法》和《生产经营单位安全培训规定》关于{course.post_label}"
        f"安全生产培训的要求，经研究，决定举办{session.title}（{course.name}）。现将有关事项通知如下。",
        time,
        f"二、培训地点：{session.venue}。",
        f"三、参训对象：{audience}（名单见附件）。",
        "四、携带材料及要求：" + "；".join(demands) + "。",
        f"五、联系方式：{contact}。",
    ]


def notice_context(session: TrainingSession, *, doc_number: str, recipients: str, signer: str, date: date,
                   issuer: str | None = None, contact: str = "", cc: str = "", printer: str | None = None,
                   print_date: date | None = None, extra: str = "") -> dict:
    """The "notice" kind's fields for this session; the 发文字号 is checked (GB/T 9704-2012)."""
    errors = {}
    try:
        doc_number = check_doc_number(doc_number)
    except UserError as exc:
        errors["doc_number"] = exc.message
    if not (recipients or "").strip():
        errors["recipients"] = "请填写主送机关，如：各乡镇人民政府、街道办事处，各有关企业："
    if not (signer or "").strip():
        errors["signer"] = "请填写落款（发文机关署名）"
    if errors:
        raise FieldErrors(errors)
    recipients = recipients.strip()
    if not recipients.endswith(("：", ":")):
        recipients += "："
    bureau = documents.bureau_name()
    return {
        "issuer": (issuer or "").strip() or bureau,
        "doc_number": doc_number,
        "title": notice_title(session),
        "recipients": recipients.replace(":", "："),
        "body": notice_body(session, extra),
        "attachments": [ATTACHMENT],
        "signer": signer.strip(),
        "date": date,
        "seal": documents.bureau_seal(),
        "contact": (contact or "").strip() or None,
        "cc": (cc or "").strip().rstrip("。") or None,
        "printer": (printer or "").strip() or f"{bureau}办公室",
        "print_date": print_date or date,
    }


def render_notice(session: TrainingSession, values: dict, user=None) -> GeneratedDocument:
    context = notice_context(session, **values)
    return documents.render_for("notice", context, title=f"{session.title}-培训通知", user=user,
                                source=source(session))


# ------------------------------------------------------------------------------- sign-in sheet


def session_days(session: TrainingSession) -> list[date]:
    return [session.starts_on + timedelta(days=n) for n in range((session.ends_on - session.starts_on).days + 1)]


def signin_sheet_context(session: TrainingSession, day: date | None = None) -> dict:
    """The "signin_sheet" kind: the enrolled trainees (not the waiting list), phones masked."""
    day = day or session.starts_on
    if not session.starts_on <= day <= session.ends_on:
        raise UserError(f"签到日期应在班次日期 {session.starts_on} 至 {session.ends_on} 之内", field="day")
    trainees = services.enrollments(session)
    if not trainees:
        raise UserError("本班还没有正式学员，无法生成签到表")
    post = session.course.post_label
    rows = [{"no": n, "name": e.person.name,
             "organization": e.person.organization.name if e.person.organization else "",
             "post": e.person.post or post, "phone": mask_phone(e.person.phone) if e.person.phone else ""}
            for n, e in enumerate(trainees, 1)]
    return {"session_title": session.title, "course": session.course.name, "date": day, "location": session.venue,
            "organizer": documents.bureau_name(), "trainees": rows}


def render_signin_sheet(session: TrainingSession, day: date | None = None, user=None) -> GeneratedDocument:
    context = signin_sheet_context(session, day)
    return documents.render_for("signin_sheet", context, title=f"{session.title}-签到表（{cn_date(context['date'])}）",
                                user=user, source=source(session))


# ------------------------------------------------------------------------------------ listing


def source(session: TrainingSession) -> str:
    return f"training-session:{session.id}"


def session_documents(session: TrainingSession, limit: int = 20) -> list[GeneratedDocument]:
    """Documents generated for this session (notices, sign-in sheets, printed certificates), newest first."""
    return list(db.session.scalars(select(GeneratedDocument).where(GeneratedDocument.source == source(session))
                                   .order_by(GeneratedDocument.id.desc()).limit(limit)))
