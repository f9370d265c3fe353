"""Plan rules: the registry, sections with optimistic locking, versions (compare, restore), and
the status flow with its preconditions. Review (comments, suggestions, expert reviews) is in
review.py, Word import and output in wordio.py. Services flush; the request commits once.
"""

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import lxml.html
from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import defer, selectinload

from webapp.common.time import local_today, utcnow
from webapp.documents.richtext import sanitize
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.plans import figures
from webapp.plans.models import (
    EVALUATED,
    GOVERNMENT_KINDS,
    HAZARD_SUBTYPES,
    ExpertReview,
    Hazard,
    Plan,
    PlanAttachment,
    PlanKind,
    PlanSection,
    PlanStatus,
    PlanVersion,
    RevisionRequest,
    StatusChange,
)
from webapp.plans.outlines import ENTERPRISE_ATTACHMENTS, OUTLINES
from webapp.registry.models import Organization, OrgKind

PLAN_FIELDS = ("title", "organization_id", "kind", "hazard", "hazard_subtype", "response_levels",
               "responsible_person", "responsible_phone")


# ------------------------------------------------------------------------------------ registry


def check_plan(values: Mapping) -> dict[str, str]:
    errors = {}
    title = (values.get("title") or "").strip()
    if not title:
        errors["title"] = "请填写预案名称"
    elif len(title) > 200:
        errors["title"] = "预案名称不能超过 200 字"
    org = db.session.get(Organization, values.get("organization_id") or 0)
    if org is None:
        errors["organization_id"] = "请选择编制单位（部门、乡镇或企业）"
    try:
        kind = PlanKind(values.get("kind"))
    except ValueError:
        errors["kind"] = "请选择预案类型"
        kind = None
    if org is not None and kind is not None:
        enterprise = org.kind == OrgKind.ENTERPRISE
        if enterprise and kind in GOVERNMENT_KINDS:
            errors["kind"] = "企业的预案应为综合应急预案、专项应急预案或现场处置方案"
        elif not enterprise and kind not in GOVERNMENT_KINDS:
            errors["kind"] = "政府、部门和基层单位的预案应为总体、专项、部门或基层单位应急预案"
    try:
        hazard = Hazard(values.get("hazard"))
    except ValueError:
        errors["hazard"] = "请选择突发事件类别"
    else:
        subtype = (values.get("hazard_subtype") or "").strip()
        if subtype and subtype not in HAZARD_SUBTYPES[hazard]:
            errors["hazard_subtype"] = f"“{subtype}”不是{hazard_label(hazard)}的子类，可选：{'、'.join(HAZARD_SUBTYPES[hazard])}"
    return errors


def hazard_label(hazard: Hazard) -> str:
    from webapp.plans.models import HAZARD_LABELS

    return HAZARD_LABELS[hazard]


def create_plan(values: Mapping, user=None, sections: list[dict] | None = None) -> Plan:
    """A new draft from its kind's outline (or from imported sections), as version 1."""
    errors = check_plan(values)
    if errors:
        raise FieldErrors(errors)
    plan = Plan(created_by_id=getattr(user, "id", None))
    _set_fields(plan, values)
    db.session.add(plan)
    db.session.flush()
    outline = sections if sections is not None else [
        {"number": n, "title": t, "level": lvl, "content": text} for n, t, lvl, text in OUTLINES[PlanKind(plan.kind)]]
    for position, item in enumerate(outline, 1):
        db.session.add(PlanSection(plan_id=plan.id, key=f"s{position}", position=position, number=item["number"],
                                   title=item["title"], level=item["level"], content=sanitize(item["content"]),
                                   updated_by_id=getattr(user, "id", None)))
    if not plan.government:
        for position, title in enumerate(ENTERPRISE_ATTACHMENTS, 1):
            db.session.add(PlanAttachment(plan_id=plan.id, position=position, title=title))
    db.session.add(StatusChange(plan_id=plan.id, from_status=None, to_status=PlanStatus.DRAFT.value,
                                note="新建" if sections is None else "由 Word 文件导入", user_id=getattr(user, "id", None)))
    db.session.flush()
    db.session.refresh(plan)
    new_version(plan, "新建" if sections is None else "由 Word 文件导入", user)
    return plan


def update_plan(plan: Plan, values: Mapping) -> None:
    errors = check_plan(values)
    if errors:
        raise FieldErrors(errors)
    _set_fields(plan, values)
    plan.updated_at = utcnow()
    db.session.flush()


def _set_fields(plan: Plan, values: Mapping) -> None:
    for name in PLAN_FIELDS:
        if name in values:
            value = values[name]
            setattr(plan, name, value.strip() if isinstance(value, str) else value)


# ------------------------------------------------------------------------------------ sections


class EditConflict(UserError):
    """The section changed since the editor opened it: the other change is shown, nothing saved."""

    def __init__(self, section: PlanSection):
        who = section.updated_by.display_name if section.updated_by else "其他用户"
        when = section.updated_at
        super().__init__(f"保存失败：{who} 已在您打开后修改了本节（{_local(when)}）。"
                         "您的内容没有保存，请对照对方的修改后重新编辑。")
        self.section = section


def _local(value: datetime) -> str:
    from webapp.common.time import format_local

    return format_local(value)


def save_section(section: PlanSection, content: str, base_revision: int, user=None,
                 title: str | None = None) -> PlanSection:
    """Save one section if nobody saved it since base_revision; every save is a new version."""
    plan = section.plan
    if plan.status == PlanStatus.WITHDRAWN:
        raise UserError("预案已废止，不能再编辑")
    if title is not None:
        title = title.strip()
        if not title:
            raise FieldErrors({"title": "章节标题不能为空"})
    # Claim the next revision in one conditional UPDATE: of two saves made from the same revision
    # only one matches (PostgreSQL re-checks the WHERE after the other commits; SQLite serializes
    # writers), so the second is refused instead of silently overwriting the first.
    claimed = db.session.execute(
        update(PlanSection).where(PlanSection.id == section.id, PlanSection.revision == base_revision)
        .values(revision=base_revision + 1).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.refresh(section)
        raise EditConflict(section)
    if title is not None:
        section.title = title[:200]
    section.content = sanitize(content or "")
    section.revision = base_revision + 1
    section.updated_by_id = getattr(user, "id", None)
    section.updated_at = utcnow()
    db.session.flush()
    new_version(plan, f"编辑 {section.number} {section.title}".strip(), user)
    return section


def snapshot(plan: Plan) -> list[dict]:
    return [{"key": s.key, "number": s.number, "title": s.title, "level": s.level, "content": s.content}
            for s in plan.sections]


def new_version(plan: Plan, note: str, user=None) -> PlanVersion:
    sections = snapshot(plan)
    plan.version_number = (plan.version_number or 0) + 1
    plan.search_text = plain_text(sections)
    plan.updated_at = utcnow()
    version = PlanVersion(plan_id=plan.id, number=plan.version_number, sections=sections, note=note[:200],
                          user_id=getattr(user, "id", None))
    db.session.add(version)
    db.session.flush()
    return version


def html_text(html: str) -> str:
    if not html or not html.strip():
        return ""
    try:
        return " ".join(lxml.html.fragment_fromstring(html, create_parent="div").text_content().split())
    except Exception:  # an unparsable fragment searches as its raw text
        return re.sub(r"<[^>]+>", " ", html)


def plain_text(sections: list[dict]) -> str:
    return "\n".join(f"{s['number']} {s['title']} {html_text(s['content'])}" for s in sections)


def versions(plan: Plan) -> list[PlanVersion]:
    """The version list (newest first) with who saved each; the snapshots themselves are not
    loaded (30 versions of a 60-page plan would be megabytes of JSON for a table of notes)."""
    return list(db.session.scalars(select(PlanVersion).where(PlanVersion.plan_id == plan.id)
                                   .options(defer(PlanVersion.sections), selectinload(PlanVersion.user))
                                   .order_by(PlanVersion.number.desc())))


def version(plan: Plan, number: int) -> PlanVersion:
    found = db.session.scalar(select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.number == number))
    if found is None:
        raise UserError(f"没有第 {number} 版")
    return found


@dataclass(frozen=True)
class SectionDiff:
    key: str
    title: str
    change: str  # 新增 / 删除 / 修改 / 未变
    html: str  # the text with <ins>/<del> marks (escaped text only)


def compare(old: PlanVersion, new: PlanVersion) -> list[SectionDiff]:
    """Section by section, matched by key: which were added, removed, changed, with the changed
    text marked character by character (Chinese has no spaces to split words on)."""
    from markupsafe import escape

    before = {s["key"]: s for s in old.sections}
    after = {s["key"]: s for s in new.sections}
    order = [s["key"] for s in new.sections] + [k for k in before if k not in after]
    out = []
    for key in order:
        a, b = before.get(key), after.get(key)
        title = f"{(b or a)['number']} {(b or a)['title']}".strip()
        if a is None:
            out.append(SectionDiff(key, title, "新增", f"<ins>{escape(html_text(b['content']))}</ins>"))
        elif b is None:
            out.append(SectionDiff(key, title, "删除", f"<del>{escape(html_text(a['content']))}</del>"))
        else:
            old_text = f"{a['title']}\n{html_text(a['content'])}"
            new_text = f"{b['title']}\n{html_text(b['content'])}"
            if old_text == new_text:
                out.append(SectionDiff(key, title, "未变", str(escape(html_text(b["content"])))))
            else:
                out.append(SectionDiff(key, title, "修改", _marked(old_text, new_text)))
    return out


def _marked(old: str, new: str) -> str:
    from markupsafe import escape

    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(str(escape(new[j1:j2])))
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(old[i1:i2])}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(new[j1:j2])}</ins>")
    return "".join(parts).replace("\n", "<br>")


def restore(plan: Plan, old: PlanVersion, user=None) -> PlanVersion:
    """Make an older version the current text, as a new version (history is never rewritten)."""
    if plan.status == PlanStatus.WITHDRAWN:
        raise UserError("预案已废止，不能恢复版本")
    wanted = {s["key"]: s for s in old.sections}
    current = {s.key: s for s in plan.sections}
    for key, section in current.items():
        if key not in wanted:
            plan.sections.remove(section)
    for position, (key, data) in enumerate(wanted.items(), 1):
        section = current.get(key)
        if section is None:
            section = PlanSection(plan_id=plan.id, key=key)
            plan.sections.append(section)
        changed = section.content != data["content"] or section.title != data["title"]
        section.position, section.number, section.title = position, data["number"], data["title"]
        section.level, section.content = data["level"], data["content"]
        if changed:
            section.revision = (section.revision or 0) + 1
            section.updated_by_id = getattr(user, "id", None)
            section.updated_at = utcnow()
    db.session.flush()
    db.session.refresh(plan)
    return new_version(plan, f"恢复第 {old.number} 版", user)


# -------------------------------------------------------------------------------------- status

ALLOWED = {
    PlanStatus.DRAFT: {PlanStatus.IN_REVIEW, PlanStatus.WITHDRAWN},
    PlanStatus.IN_REVIEW: {PlanStatus.PUBLISHED, PlanStatus.NEEDS_REVISION, PlanStatus.DRAFT},
    PlanStatus.PUBLISHED: {PlanStatus.FILED, PlanStatus.NEEDS_REVISION, PlanStatus.WITHDRAWN},
    PlanStatus.FILED: {PlanStatus.NEEDS_REVISION, PlanStatus.WITHDRAWN},
    PlanStatus.NEEDS_REVISION: {PlanStatus.IN_REVIEW, PlanStatus.WITHDRAWN},
    PlanStatus.WITHDRAWN: set(),
}
PASSING = ("通过", "修改后通过")


def passing_review(plan: Plan) -> ExpertReview | None:
    return db.session.scalar(select(ExpertReview).where(ExpertReview.plan_id == plan.id,
                                                        ExpertReview.conclusion.in_(PASSING))
                             .order_by(ExpertReview.held_on.desc(), ExpertReview.id.desc()))


def change_status(plan: Plan, to: str, user=None, note: str = "", *, issued_on: date | None = None,
                  filed_on: date | None = None, filing_number: str | None = None) -> None:
    """Move a plan along 草稿 → 评审中 → 已发布 → 已备案 (→ 需修订 → 评审中 …, or 已废止)."""
    from webapp.plans.models import STATUS_LABELS

    try:
        target = PlanStatus(to)
    except ValueError:
        raise UserError("未知的预案状态") from None
    current = PlanStatus(plan.status)
    if target not in ALLOWED[current]:
        allowed = "、".join(STATUS_LABELS[s] for s in ALLOWED[current]) or "无（已废止的预案不能再变更）"
        raise UserError(f"预案当前为“{STATUS_LABELS[current]}”，不能改为“{STATUS_LABELS[target]}”；可改为：{allowed}")
    if target == PlanStatus.PUBLISHED:
        # Published only after review: 2019 办法 art. 21–24 (评审 or 论证, then signed and issued).
        if passing_review(plan) is None:
            raise UserError("发布前须有结论为“通过”或“修改后通过”的评审（论证）记录")
        plan.issued_on = issued_on or local_today()
        plan.next_evaluation_on = next_evaluation(plan, plan.issued_on)
    if target == PlanStatus.FILED:
        errors = {}
        if passing_review(plan) is None:
            errors["review"] = "备案须附评审意见：本预案还没有结论为“通过”或“修改后通过”的评审（论证）记录"
        number = (filing_number or "").strip()
        if not number:
            errors["filing_number"] = "请填写备案编号"
        elif db.session.scalar(select(Plan.id).where(Plan.filing_number == number, Plan.id != plan.id)):
            errors["filing_number"] = f"备案编号“{number}”已被其他预案使用"
        if not filed_on:
            errors["filed_on"] = "请填写备案日期"
        elif plan.issued_on and filed_on < plan.issued_on:
            errors["filed_on"] = "备案日期不能早于发布日期"
        elif filed_on > local_today():
            errors["filed_on"] = "备案日期不能晚于今天"
        if errors:
            raise FieldErrors(errors)
        plan.filing_number, plan.filed_on = number, filed_on
    db.session.add(StatusChange(plan_id=plan.id, from_status=current.value, to_status=target.value,
                                note=(note or "").strip()[:500], user_id=getattr(user, "id", None)))
    plan.status = target.value
    plan.updated_at = utcnow()
    db.session.flush()


def return_for_revision(plan: Plan, problems: list[str], assignee: str, due_on: date | None, user=None,
                        source: str = "review") -> RevisionRequest:
    """需修订, with the problems found (整改意见) and who must fix them."""
    problems = [p.strip() for p in problems if p and p.strip()]
    errors = {}
    if not problems:
        errors["problems"] = "请逐条填写发现的问题（整改意见）"
    if not (assignee or "").strip():
        errors["assignee"] = "请填写负责整改的单位或人员"
    if due_on and due_on < local_today():
        errors["due_on"] = "整改期限不能早于今天"
    if errors:
        raise FieldErrors(errors)
    if plan.status != PlanStatus.NEEDS_REVISION.value or source == "review":
        change_status(plan, PlanStatus.NEEDS_REVISION.value, user, "；".join(problems))
    request = RevisionRequest(plan_id=plan.id, problems=problems, assignee=assignee.strip()[:100], due_on=due_on,
                              source=source, user_id=getattr(user, "id", None))
    db.session.add(request)
    db.session.flush()
    return request


def request_revision(plan: Plan, problems: list[str], assignee: str, due_on: date | None, user=None,
                     source: str = "drill") -> RevisionRequest:
    """A revision asked for from outside the review (a drill's or an evaluation's finding). A plan
    in force becomes 需修订; one already 需修订, or still a draft or in review, keeps its status and
    gets the request on its list; a withdrawn plan cannot be revised."""
    if plan.status == PlanStatus.WITHDRAWN.value:
        raise UserError(f"预案《{plan.title}》已废止，不能要求修订")
    if plan.status in (PlanStatus.PUBLISHED.value, PlanStatus.FILED.value, PlanStatus.NEEDS_REVISION.value):
        return return_for_revision(plan, problems, assignee, due_on, user, source=source)
    problems = [p.strip() for p in problems if p and p.strip()]
    if not problems or not (assignee or "").strip():
        raise UserError("要求修订预案须写明问题和负责整改的单位")
    request = RevisionRequest(plan_id=plan.id, problems=problems, assignee=assignee.strip()[:100], due_on=due_on,
                              source=source, user_id=getattr(user, "id", None))
    db.session.add(request)
    db.session.flush()
    return request


def next_evaluation(plan: Plan, start: date) -> date:
    years = current_app.config["PLAN_EVALUATION_YEARS"]["government" if plan.government else "enterprise"]
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def filing_deadline(plan: Plan) -> date | None:
    """Publication + PLAN_FILING_WORKING_DAYS working days (weekends skipped; holidays are not known)."""
    if not plan.issued_on:
        return None
    day, left = plan.issued_on, current_app.config["PLAN_FILING_WORKING_DAYS"]
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def history(plan: Plan) -> list[StatusChange]:
    return list(db.session.scalars(select(StatusChange).where(StatusChange.plan_id == plan.id)
                                   .options(selectinload(StatusChange.user)).order_by(StatusChange.created_at.desc(), StatusChange.id.desc())))


# -------------------------------------------------------------------------------------- search


def plan_query(args: Mapping[str, str], today: date | None = None, counted=None):
    """Plans filtered by the list page's arguments: q (title and text), owner, kind, hazard,
    status, town, and due (evaluation due within N days of today, overdue ones included); counted
    is (measure, period) from plans.figures: the plans issued, filed, … in the period."""
    query = select(Plan).order_by(Plan.updated_at.desc(), Plan.id.desc())
    if counted:
        query = query.where(Plan.id.in_(figures.counted(*counted)))
    text = (args.get("q") or "").strip()
    if text:
        like = f"%{_escape_like(text)}%"
        query = query.where(or_(Plan.title.like(like, escape="\\"), Plan.search_text.like(like, escape="\\")))
    for name, column in (("kind", Plan.kind), ("hazard", Plan.hazard), ("status", Plan.status)):
        if args.get(name):
            query = query.where(column == args[name])
    owner = _int(args.get("org"))
    if owner:
        query = query.where(Plan.organization_id == owner)
    town = _int(args.get("town"))
    if town:
        query = query.join(Organization, Plan.organization_id == Organization.id).where(Organization.town_id == town)
    days = _int(args.get("due"))
    if days is not None and args.get("due"):
        query = query.where(Plan.next_evaluation_on <= (today or local_today()) + timedelta(days=days),
                            Plan.status.in_(EVALUATED))
    return query


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _int(raw) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 <= value < 2**31 else None


def due_for_evaluation(days: int = 90) -> list[Plan]:
    return list(db.session.scalars(select(Plan).where(
        Plan.status.in_(EVALUATED),
        Plan.next_evaluation_on <= local_today() + timedelta(days=days)).order_by(Plan.next_evaluation_on)))


def status_counts() -> dict[str, int]:
    return dict(db.session.execute(select(Plan.status, func.count()).group_by(Plan.status)).all())
