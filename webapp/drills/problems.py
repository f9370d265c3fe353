"""Problems a drill found and their rectification (问题与整改), tracked to closure.

A problem names the responsible unit, the measure and the due date; it goes 待整改 → 整改中 →
已整改, and it is closed only with evidence: a written account of what was done and at least
one photo or PDF scan. A problem that needs the plan changed flags that plan 需修订 through the
plans module (plans.services.request_revision), with the problem as its 整改意见.
"""

from collections.abc import Mapping, Sequence
from datetime import date

from flask import current_app
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from webapp import storage
from webapp.common.ids import as_id
from webapp.common.photos import delete_photo, store_photo
from webapp.common.spreadsheets import human_size
from webapp.common.time import local_today, utcnow
from webapp.documents.images import NotAPicture
from webapp.drills.models import Drill, DrillProblem, ProblemEvidence, ProblemStatus
from webapp.drills.services import latest_day
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.plans import services as plan_services
from webapp.plans.models import Plan, PlanStatus

EVIDENCE_PER_PROBLEM = 10


def check_problem(drill: Drill, values: Mapping) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    clean = {k: str(values.get(k) or "").strip() for k in ("description", "responsible_unit", "measure")}
    if not clean["description"]:
        errors["description"] = "请填写发现的问题"
    elif len(clean["description"]) > 1000:
        errors["description"] = "问题描述不能超过 1000 字"
    if not clean["responsible_unit"]:
        errors["responsible_unit"] = "请填写责任单位"
    elif len(clean["responsible_unit"]) > 100:
        errors["responsible_unit"] = "责任单位不能超过 100 字"
    if not clean["measure"]:
        errors["measure"] = "请填写整改措施"
    elif len(clean["measure"]) > 2000:
        errors["measure"] = "整改措施不能超过 2000 字"
    due_on = values.get("due_on")
    if not due_on:
        errors["due_on"] = "请填写整改期限"
    elif drill.held_on and due_on < drill.held_on:
        errors["due_on"] = f"整改期限不能早于演练日期 {drill.held_on}"
    elif due_on > (last := latest_day()):
        errors["due_on"] = f"整改期限 {due_on} 不能晚于 {last.year} 年 12 月 31 日"
    clean["due_on"] = due_on
    plan_id = as_id(values.get("plan_id"))
    clean["plan"] = None
    if values.get("plan_id") not in (None, "", "0", 0):
        plan = next((p for p in drill.plans if p.id == plan_id), None)
        if plan is None:
            errors["plan_id"] = "要求修订的预案须是本次演练所依据的预案"
        elif plan.status == PlanStatus.WITHDRAWN.value:
            errors["plan_id"] = f"预案《{plan.title}》已废止，不能要求修订"
        clean["plan"] = plan
    return clean, errors


def add_problem(drill: Drill, values: Mapping, user=None, today: date | None = None) -> DrillProblem:
    """Record a problem; with a plan chosen, that plan is flagged 需修订 in the plans module."""
    today = today or local_today()
    if not drill.held:
        raise UserError("演练尚未实施，还不能记录发现的问题")
    clean, errors = check_problem(drill, values)
    if errors:
        raise FieldErrors(errors)
    problem = DrillProblem(drill_id=drill.id, description=clean["description"],
                           responsible_unit=clean["responsible_unit"], measure=clean["measure"],
                           due_on=clean["due_on"], created_by_id=getattr(user, "id", None))
    db.session.add(problem)
    db.session.flush()
    if clean["plan"] is not None:
        flag_plan(problem, clean["plan"], user, today)
    return problem


def flag_plan(problem: DrillProblem, plan: Plan, user=None, today: date | None = None) -> None:
    today = today or local_today()
    # The plans module refuses a due date already past (a drill recorded late): the revision is
    # then asked for without one rather than refused.
    due_on = problem.due_on if problem.due_on >= today else None
    drill = problem.drill
    request = plan_services.request_revision(
        plan, [f"{drill.held_on} 演练“{drill.title}”发现：{problem.description}"], problem.responsible_unit, due_on,
        user, source="drill")
    problem.plan_id, problem.revision_request_id = plan.id, request.id
    db.session.flush()


def update_problem(problem: DrillProblem, values: Mapping, user=None) -> None:
    """Change the description, unit, measure or due date of a problem not yet closed."""
    if problem.status == ProblemStatus.CLOSED.value:
        raise UserError("问题已整改销号，不能再修改；如需重新整改请先撤销销号")
    # The plan was checked when the problem flagged it, and an edit never changes it: the plan
    # may since have been withdrawn or unlinked from the drill, and the problem must stay editable.
    clean, errors = check_problem(problem.drill, values | {"plan_id": ""})
    if errors:
        raise FieldErrors(errors)
    for name in ("description", "responsible_unit", "measure", "due_on"):
        setattr(problem, name, clean[name])
    problem.updated_at = utcnow()
    db.session.flush()


def start_rectifying(problem: DrillProblem) -> None:
    if problem.status != ProblemStatus.OPEN.value:
        raise UserError(f"问题当前为“{problem.status_label}”，不能改为“整改中”")
    problem.status = ProblemStatus.RECTIFYING.value
    problem.updated_at = utcnow()
    db.session.flush()


def add_evidence(problem: DrillProblem, data: bytes, filename: str, user=None) -> ProblemEvidence:
    """A photo (resized like drill photos) or a PDF scan, checked by content, bounded in size."""
    if problem.status == ProblemStatus.CLOSED.value:
        raise UserError("问题已整改销号，不能再添加材料")
    if len(problem.evidence) >= EVIDENCE_PER_PROBLEM:
        raise UserError(f"每个问题最多 {EVIDENCE_PER_PROBLEM} 份整改材料")
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    if data[:5] == b"%PDF-":
        if len(data) > limit:
            raise UserError(f"整改材料“{name}”超过 {human_size(limit)} 的上限，请压缩后再上传")
        evidence = ProblemEvidence(problem_id=problem.id, kind="pdf", key=storage.save(data, "drill-evidence", "pdf"),
                                   filename=name or "整改材料.pdf", size=len(data),
                                   uploaded_by_id=getattr(user, "id", None))
    else:
        what = f"整改材料“{name}”" if name else "整改材料"
        try:
            stored = store_photo(data, "drill-evidence", what)
        except NotAPicture:
            raise UserError(f"{what}既不是图片也不是 PDF 文件，请上传整改后的照片（JPG、PNG）或 PDF 扫描件") from None
        evidence = ProblemEvidence(problem_id=problem.id, kind="photo", key=stored.key, thumb_key=stored.thumb_key,
                                   filename=name or "整改照片.jpg", size=stored.size,
                                   uploaded_by_id=getattr(user, "id", None))
    db.session.add(evidence)
    db.session.flush()
    db.session.refresh(problem)
    return evidence


def remove_evidence(evidence: ProblemEvidence) -> None:
    if evidence.problem.status == ProblemStatus.CLOSED.value:
        raise UserError("问题已整改销号，整改材料不能删除")
    key, thumb = evidence.key, evidence.thumb_key
    db.session.delete(evidence)
    db.session.flush()
    delete_photo(key, thumb)


def close_problem(problem: DrillProblem, note: str, closed_on: date | None, uploads: Sequence[tuple[bytes, str]] = (),
                  user=None, today: date | None = None) -> None:
    """销号: closed with a written account and at least one piece of evidence (uploaded now or
    before). Everything is checked before anything is written."""
    today = today or local_today()
    if problem.status == ProblemStatus.CLOSED.value:
        raise UserError("问题已整改销号")
    errors = {}
    note = (note or "").strip()
    if not note:
        errors["closure_note"] = "请填写整改情况（做了什么、效果如何）"
    elif len(note) > 2000:
        errors["closure_note"] = "整改情况不能超过 2000 字"
    if not closed_on:
        errors["closed_on"] = "请填写整改完成日期"
    elif closed_on > today:
        errors["closed_on"] = "整改完成日期不能晚于今天"
    elif problem.drill.held_on and closed_on < problem.drill.held_on:
        errors["closed_on"] = "整改完成日期不能早于演练日期"
    uploads = [(data, name) for data, name in uploads if data]
    if not uploads and not problem.evidence:
        errors["evidence"] = "销号须附整改佐证材料：请上传整改后的照片或盖章的整改报告（PDF）"
    if errors:
        raise FieldErrors(errors)
    for data, name in uploads:
        try:
            add_evidence(problem, data, name, user)
        except UserError as exc:
            raise FieldErrors({"evidence": exc.message}) from None
    problem.status = ProblemStatus.CLOSED.value
    problem.closure_note, problem.closed_on = note, closed_on
    problem.closed_by_id = getattr(user, "id", None)
    problem.updated_at = utcnow()
    db.session.flush()


def reopen_problem(problem: DrillProblem) -> None:
    """Undo a closure made by mistake: back to 整改中, the evidence kept."""
    if problem.status != ProblemStatus.CLOSED.value:
        raise UserError("问题尚未销号")
    problem.status = ProblemStatus.RECTIFYING.value
    problem.closed_on, problem.closed_by_id = None, None
    problem.updated_at = utcnow()
    db.session.flush()


def problem_query(args: Mapping[str, str], today: date | None = None):
    """Problems filtered by status (open / rectifying / closed / overdue / unclosed), town,
    organizer (org), drill, and text (q)."""
    today = today or local_today()
    query = (select(DrillProblem).join(Drill, DrillProblem.drill_id == Drill.id)
             .options(selectinload(DrillProblem.drill).selectinload(Drill.organization), selectinload(DrillProblem.plan))
             .order_by(DrillProblem.due_on, DrillProblem.id))
    status = (args.get("status") or "").strip()
    if status == "overdue":
        query = query.where(DrillProblem.status != ProblemStatus.CLOSED.value, DrillProblem.due_on < today)
    elif status == "unclosed":
        query = query.where(DrillProblem.status != ProblemStatus.CLOSED.value)
    elif status in {s.value for s in ProblemStatus}:
        query = query.where(DrillProblem.status == status)
    for name, column in (("town", Drill.town_id), ("org", Drill.organization_id), ("drill", Drill.id)):
        value = as_id(args.get(name))
        if value:
            query = query.where(column == value)
    text = (args.get("q") or "").strip()
    if text:
        query = query.where(DrillProblem.description.contains(text, autoescape=True)
                            | DrillProblem.responsible_unit.contains(text, autoescape=True))
    return query


def overdue(today: date | None = None) -> list[DrillProblem]:
    return list(db.session.scalars(problem_query({"status": "overdue"}, today)))


def is_overdue(problem: DrillProblem, today: date | None = None) -> bool:
    return problem.status != ProblemStatus.CLOSED.value and problem.due_on < (today or local_today())


def status_counts(args: Mapping[str, str], today: date | None = None) -> dict[str, int]:
    """Problems per status under the list's other filters (town, org, drill, q), plus 逾期 and 未销号;
    one GROUP BY."""
    today = today or local_today()
    base = problem_query({k: v for k, v in args.items() if k != "status"}, today).order_by(None)
    rows = base.with_only_columns(DrillProblem.status, DrillProblem.due_on).subquery()
    late = case((rows.c.due_on < today, 1), else_=0)
    counts = {s.value: 0 for s in ProblemStatus} | {"overdue": 0, "unclosed": 0}
    for status, number, overdue_number in db.session.execute(
            select(rows.c.status, func.count(), func.sum(late)).group_by(rows.c.status)):
        counts[status] = number
        if status != ProblemStatus.CLOSED.value:
            counts["unclosed"] += number
            counts["overdue"] += int(overdue_number or 0)
    return counts
