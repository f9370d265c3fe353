"""A drill's paperwork through the document engine: the drill record (演练记录表, AQ/T 9007-2019
§7.5: what happened, when, who took part, the course of events, photos, the problems found) and the
evaluation report (演练评估报告, AQ/T 9009-2015 §7: the facts, how it went, the scores, whether the
plan proved workable, problems with their measures, the conclusion). Contexts are built here;
documents.services.render_for renders and keeps the file, so every document shows up among the
bureau's generated documents with the template version that made it."""

from sqlalchemy import select

from webapp import storage
from webapp.documents import services as documents
from webapp.documents.images import Picture
from webapp.documents.models import GeneratedDocument
from webapp.drills.models import Drill
from webapp.errors import UserError
from webapp.extensions import db
from webapp.plans.models import HAZARD_LABELS, Hazard

RECORD_PHOTOS = 8  # photos in the record; every photo stays on the drill page
PHOTO_WIDTH_MM = 110  # a landscape photo across the form; a portrait one is PHOTO_HEIGHT_MM high
PHOTO_HEIGHT_MM = 95
ISSUERS = {"organizer": "组织单位", "bureau": "应急管理局"}


def source(drill: Drill) -> str:
    return f"drill:{drill.id}"


def documents_for(drill: Drill, limit: int = 20) -> list[GeneratedDocument]:
    """Documents generated for this drill (records, evaluation reports), newest first."""
    return list(db.session.scalars(select(GeneratedDocument).where(GeneratedDocument.source == source(drill))
                                   .order_by(GeneratedDocument.id.desc()).limit(limit)))


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _plans(drill: Drill) -> str:
    return "；".join(plan.title for plan in drill.plans) or "（未关联预案）"


def _hazard(drill: Drill) -> str:
    label = HAZARD_LABELS[Hazard(drill.hazard)]
    return f"{label}（{drill.hazard_subtype}）" if drill.hazard_subtype else label


def _duration(drill: Drill) -> str | None:
    parts = []
    if drill.start_time:
        parts.append(f"{drill.start_time} 开始")
    if drill.duration_minutes:
        hours, minutes = divmod(drill.duration_minutes, 60)
        spent = (f"{hours} 小时" if hours else "") + (f"{minutes} 分钟" if minutes else "")
        parts.append(f"历时 {spent}")
    return "，".join(parts) or None


def _picture(photo) -> Picture | None:
    """The stored (resized) JPEG, sized for the form; None when its file has gone missing."""
    if not storage.exists(photo.key):
        return None
    with storage.open_file(photo.key) as f:
        data = f.read()
    if photo.height > photo.width:
        return Picture(data, width_mm=None, height_mm=PHOTO_HEIGHT_MM, what="演练照片")
    return Picture(data, width_mm=PHOTO_WIDTH_MM, what="演练照片")


def _held(drill: Drill, what: str) -> None:
    if not drill.held or drill.held_on is None:
        raise UserError(f"演练尚未实施（当前为“{drill.status_label}”），不能生成{what}；演练实施后再生成")


# ------------------------------------------------------------------------------- 演练记录表


def record_context(drill: Drill, max_photos: int = RECORD_PHOTOS) -> dict:
    """The "drill_record" kind's fields for this drill."""
    _held(drill, "演练记录表")
    photos = []
    for photo in drill.photos:
        if len(photos) >= max_photos:
            break
        picture = _picture(photo)
        if picture is not None:
            photos.append({"image": picture, "caption": photo.caption or f"现场照片 {len(photos) + 1}"})
    return {
        "title": drill.title,
        "organization": drill.organization.name,
        "plan_title": _plans(drill),
        "drill_date": drill.held_on,
        "duration": _duration(drill),
        "location": drill.location or "—",
        "form": drill.form_label,
        "hazard": _hazard(drill),
        "commander": drill.commander or "—",
        "participants": drill.participants,
        "participant_units": drill.participant_units or None,
        "units": _lines(drill.units) or None,
        "observers": "、".join(_lines(drill.observers)) or None,
        "resources": "、".join(_lines(drill.resources)) or None,
        "purpose": drill.purpose or None,
        "scenario": drill.scenario or "—",
        "steps": [{"time": s.at, "event": s.event, "action": s.action} for s in drill.steps],
        "problems": [p.description for p in drill.problems],
        "photos": photos,
        "recorder": drill.recorder or "—",
    }


def render_record(drill: Drill, user=None) -> GeneratedDocument:
    return documents.render_for("drill_record", record_context(drill), title=f"{drill.title}-演练记录表",
                                user=user, source=source(drill))


# ----------------------------------------------------------------------------- 演练评估报告


def _summary(drill: Drill) -> str:
    """How the drill was carried out, when the evaluators wrote nothing: from the record."""
    where = f"在{drill.location}" if drill.location else ""
    text = (f"{drill.organization.name}于{drill.held_on.year}年{drill.held_on.month}月{drill.held_on.day}日{where}"
            f"组织{drill.form_label}，参演 {drill.participants} 人")
    if drill.participant_units:
        text += f"、{drill.participant_units} 家单位"
    if drill.plans:
        text += f"，检验{_plans(drill)}"
    return text + "。"


def evaluation_context(drill: Drill, issuer: str = "organizer") -> dict:
    """The "drill_evaluation" kind's fields. issuer: "organizer" (the organizing unit evaluates
    its own drill, AQ/T 9009-2015) or "bureau" (the bureau's report, with the bureau's seal)."""
    _held(drill, "演练评估报告")
    evaluation = drill.evaluation
    if evaluation is None:
        raise UserError("演练尚未评估，不能生成评估报告；请先填写评估表")
    if issuer not in ISSUERS:
        raise UserError("请选择评估报告的落款单位（组织单位或应急管理局）", field="issuer")
    by_bureau = issuer == "bureau"
    return {
        "title": drill.title,
        "organization": drill.organization.name,
        "drill_date": drill.held_on,
        "location": drill.location or None,
        "form": drill.form_label,
        "plan_title": _plans(drill),
        "participants": drill.participants,
        "evaluators": "、".join(_lines(evaluation.evaluators)),
        "summary": evaluation.summary or _summary(drill),
        "items": [{"category": s.category, "title": s.title, "max_score": s.max_score, "score": s.score,
                   "remark": s.remark} for s in evaluation.scores],
        "total": evaluation.total,
        "max_total": evaluation.max_total,
        "grade": evaluation.grade,
        "plan_assessment": evaluation.plan_assessment or None,
        "problems": [{"description": p.description, "measure": p.measure, "owner": p.responsible_unit,
                      "deadline": p.due_on, "status": p.status_label} for p in drill.problems],
        "conclusion": evaluation.conclusion,
        "suggestions": evaluation.suggestions or None,
        "issuer": documents.bureau_name() if by_bureau else drill.organization.name,
        "date": evaluation.evaluated_on,
        "seal": documents.bureau_seal() if by_bureau else None,
    }


def render_evaluation(drill: Drill, user=None, issuer: str = "organizer") -> GeneratedDocument:
    return documents.render_for("drill_evaluation", evaluation_context(drill, issuer),
                                title=f"{drill.title}-演练评估报告", user=user, source=source(drill))
