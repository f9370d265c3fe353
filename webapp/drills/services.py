"""Drills: recording and planning them, the plans they exercise, the timeline, photos, status.

Every check is here, so the officer's form, the phone and the demo share one set of rules: a drill
marked as held has a date that is not in the future; a withdrawn plan cannot be linked; counts are
not negative. Errors name the field in Chinese and nothing is written.
"""

import re
from collections.abc import Mapping, Sequence
from datetime import date

from flask import current_app
from sqlalchemy import extract, func, or_, select
from sqlalchemy.orm import selectinload

from webapp.common.ids import as_id
from webapp.common.photos import delete_photo, store_photo
from webapp.common.time import local_today, utcnow
from webapp.drills.models import (
    HELD,
    STATUS_LABELS,
    Drill,
    DrillPhoto,
    DrillStatus,
    DrillStep,
    FormContent,
    FormOrg,
    FormPurpose,
    drill_plans,
)
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.plans.models import HAZARD_LABELS, HAZARD_SUBTYPES, Hazard, Plan, PlanStatus
from webapp.registry.models import INDUSTRIES, Organization, OrgKind

TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_COUNT = 100_000  # participants: more is a typo, not a drill
MAX_STEPS = 200  # timeline rows: a day-long drill has a few dozen
EARLIEST = date(2000, 1, 1)  # the years the lists and figures offer start here
YEARS_AHEAD = 5  # a drill is planned at most this many years ahead
TEXT_LIMITS = {"title": 200, "location": 200, "commander": 64, "recorder": 64, "purpose": 2000,
               "scenario": 4000, "safety_measures": 2000, "units": 4000, "observers": 2000, "resources": 2000}
DRILL_FIELDS = ("title", "organization_id", "industry", "hazard", "hazard_subtype", "form_org", "form_content",
                "form_purpose", "status", "planned_on", "held_on", "start_time", "duration_minutes", "location",
                "purpose", "scenario", "safety_measures", "commander", "recorder", "participants",
                "participant_units", "units", "observers", "resources")
LABELS = {"title": "演练名称", "location": "演练地点", "commander": "总指挥", "recorder": "记录人", "purpose": "演练目的",
          "scenario": "演练情景", "safety_measures": "安全保障措施", "units": "参演单位", "observers": "观摩人员",
          "resources": "动用的装备物资"}


def _text(values: Mapping, name: str) -> str:
    value = values.get(name)
    return value.strip() if isinstance(value, str) else ""


def _count(values: Mapping, name: str, label: str, errors: dict) -> int:
    raw = values.get(name)
    if raw in (None, ""):
        return 0
    try:
        number = int(raw)
    except (TypeError, ValueError):
        errors[name] = f"{label}应为整数"
        return 0
    if number < 0:
        errors[name] = f"{label}不能为负数"
    elif number > MAX_COUNT:
        errors[name] = f"{label}超过 {MAX_COUNT}，请检查是否多输了位数"
    return number


def latest_day(today: date | None = None) -> date:
    """The last date a drill may be planned for (or a problem be due): YEARS_AHEAD years ahead."""
    return date((today or local_today()).year + YEARS_AHEAD, 12, 31)


def date_error(day: date | None, label: str, today: date | None = None) -> str | None:
    """A typo such as 0001-01-01 or 9999-12-31 would make the drill vanish from every year's
    list (or stretch the year filters over millennia): refused with the bounds named."""
    if day is None:
        return None
    if day < EARLIEST:
        return f"{label} {day} 不正确：请填写 {EARLIEST.year} 年以后的日期"
    last = latest_day(today)
    if day > last:
        return f"{label} {day} 不能晚于 {last.year} 年 12 月 31 日"
    return None


def check_drill(values: Mapping, today: date | None = None) -> tuple[dict, dict[str, str]]:
    """The cleaned values and the errors (field → message)."""
    today = today or local_today()
    errors: dict[str, str] = {}
    clean: dict = {}
    for name, limit in TEXT_LIMITS.items():
        clean[name] = _text(values, name)
        if len(clean[name]) > limit:
            errors[name] = f"{LABELS[name]}不能超过 {limit} 字"
    if not clean["title"]:
        errors["title"] = "请填写演练名称"
    org = db.session.get(Organization, as_id(values.get("organization_id")) or 0)
    if org is None:
        errors["organization_id"] = "请选择组织单位"
    elif not org.active:
        errors["organization_id"] = f"“{org.name}”已停用，不能组织演练"
    clean["organization_id"] = org.id if org else None
    industry = _text(values, "industry") or (org.industry if org is not None else "") or ""
    if industry and industry not in INDUSTRIES:
        errors["industry"] = f"“{industry}”不是登记的行业类型"
    clean["industry"] = industry or None
    try:
        hazard = Hazard(values.get("hazard"))
        clean["hazard"] = hazard.value
    except ValueError:
        errors["hazard"] = "请选择突发事件类别"
        hazard = None
    subtype = _text(values, "hazard_subtype")
    if hazard is not None and subtype and subtype not in HAZARD_SUBTYPES[hazard]:
        errors["hazard_subtype"] = f"“{subtype}”不是{HAZARD_LABELS[hazard]}的子类"
    clean["hazard_subtype"] = subtype
    for name, enum, message in (("form_org", FormOrg, "请选择桌面演练或实战演练"),
                                ("form_content", FormContent, "请选择单项演练或综合演练"),
                                ("form_purpose", FormPurpose, "请选择检验性、示范性或研究性演练")):
        try:
            clean[name] = enum(values.get(name)).value
        except ValueError:
            errors[name] = message
    try:
        status = DrillStatus(values.get("status") or DrillStatus.PLANNED.value)
        clean["status"] = status.value
    except ValueError:
        errors["status"] = "未知的演练状态"
        status = DrillStatus.PLANNED
    planned_on, held_on = values.get("planned_on"), values.get("held_on")
    clean["planned_on"], clean["held_on"] = planned_on or None, held_on or None
    if status.value in HELD:
        if not held_on:
            errors["held_on"] = f"演练状态为“{STATUS_LABELS[status]}”，请填写实施日期"
        elif held_on > today:
            errors["held_on"] = f"实施日期 {held_on} 在今天之后：尚未举行的演练请将状态设为“计划”或“准备”"
    else:
        if not planned_on:
            errors["planned_on"] = "请填写计划日期"
        if held_on:
            errors["held_on"] = "尚未实施的演练不填写实施日期；已举行请将状态改为“实施”"
    for name, label in (("planned_on", "计划日期"), ("held_on", "实施日期")):
        if (message := date_error(clean[name], label, today)) and name not in errors:
            errors[name] = message
    start = _text(values, "start_time")
    if start and not TIME.match(start):
        errors["start_time"] = "开始时间格式应为 时:分，例如 09:30"
    clean["start_time"] = start
    duration = values.get("duration_minutes")
    if duration in (None, ""):
        clean["duration_minutes"] = None
    else:
        try:
            clean["duration_minutes"] = int(duration)
            if not 1 <= clean["duration_minutes"] <= 24 * 60:
                errors["duration_minutes"] = "演练时长应在 1 至 1440 分钟之间"
        except (TypeError, ValueError):
            errors["duration_minutes"] = "演练时长应为分钟数（整数）"
    clean["participants"] = _count(values, "participants", "参演人数", errors)
    clean["participant_units"] = _count(values, "participant_units", "参演单位数", errors)
    if status.value in HELD and "participants" not in errors and clean["participants"] == 0:
        errors["participants"] = "已实施的演练请填写参演人数"
    return clean, errors


def check_plans(plan_ids: Sequence, linked: Sequence[int] = ()) -> tuple[list[Plan], str | None]:
    """The plans to link, or a message naming the first that cannot be linked. A plan already
    linked (`linked`) stays linked after it is withdrawn: the drill did exercise it."""
    ids = []
    for raw in plan_ids:
        plan_id = as_id(raw)
        if plan_id is None:
            return [], "所选预案不存在"
        if plan_id not in ids:
            ids.append(plan_id)
    plans = list(db.session.scalars(select(Plan).where(Plan.id.in_(ids)))) if ids else []
    if len(plans) != len(ids):
        return [], "所选预案不存在或已被删除"
    for plan in plans:
        if plan.status == PlanStatus.WITHDRAWN.value and plan.id not in linked:
            return [], f"预案《{plan.title}》已废止，不能作为演练依据；请选择现行预案"
    return sorted(plans, key=lambda p: ids.index(p.id)), None


def check_steps(steps: Sequence[Mapping]) -> tuple[list[dict], str | None]:
    """The timeline's rows that hold something, or a message naming the first bad row."""
    out = []
    for number, step in enumerate(steps, 1):
        at, event, action = (str(step.get(k) or "").strip() for k in ("at", "event", "action"))
        if not (at or event or action):
            continue
        if not TIME.match(at):
            return [], f"演练过程第 {number} 行：时间格式应为 时:分，例如 09:05"
        if not event:
            return [], f"演练过程第 {number} 行：请填写发生的事件"
        if len(event) > 1000 or len(action) > 1000:
            return [], f"演练过程第 {number} 行：内容不能超过 1000 字"
        out.append({"at": at, "event": event, "action": action})
    if len(out) > MAX_STEPS:
        return [], f"演练过程最多 {MAX_STEPS} 行（本次 {len(out)} 行），请合并次要的环节"
    return out, None


def save_drill(drill: Drill | None, values: Mapping, plan_ids: Sequence, steps: Sequence[Mapping] | None = None,
               user=None, today: date | None = None) -> Drill:
    """Create (drill None) or update a drill with its plans and, when given, its timeline."""
    clean, errors = check_drill(values, today)
    plans, plan_error = check_plans(plan_ids, [p.id for p in drill.plans] if drill is not None else ())
    if plan_error:
        errors["plan_ids"] = plan_error
    clean_steps, step_error = check_steps(steps or [])
    if step_error:
        errors["steps"] = step_error
    if (drill is not None and drill.evaluation is None
            and clean.get("status") in (DrillStatus.EVALUATING.value, DrillStatus.SUMMARIZED.value)):
        errors["status"] = f"演练尚未评估，不能标记为“{STATUS_LABELS[DrillStatus(clean['status'])]}”；请先填写评估表"
    if drill is None and clean.get("status") in (DrillStatus.EVALUATING.value, DrillStatus.SUMMARIZED.value):
        errors["status"] = "新记录的演练状态为计划、准备或实施；评估在记录后进行"
    if drill is not None and clean.get("status") not in (None, *HELD) and "status" not in errors:
        if message := cannot_go_back(drill, DrillStatus(clean["status"])):
            errors["status"] = message
    if errors:
        raise FieldErrors(errors)
    # Before the new row joins the session: a get that misses the identity map queries, and its
    # autoflush would insert the still empty drill.
    org = db.session.get(Organization, clean["organization_id"])
    if drill is None:
        drill = Drill(created_by_id=getattr(user, "id", None))
        db.session.add(drill)
    for name in DRILL_FIELDS:
        if name in clean:
            setattr(drill, name, clean[name])
    drill.town_id = org.town_id
    drill.plans = plans
    if steps is not None:
        drill.steps = [DrillStep(position=i, **step) for i, step in enumerate(clean_steps, 1)]
    drill.updated_at = utcnow()
    db.session.flush()
    return drill


# The order of the phases; a drill may go back one step (a mistake) but never skip evaluation.
ORDER = [DrillStatus.PLANNED, DrillStatus.PREPARING, DrillStatus.CONDUCTED, DrillStatus.EVALUATING,
         DrillStatus.SUMMARIZED]


def cannot_go_back(drill: Drill, target: DrillStatus) -> str | None:
    """Why a held drill may not go back to 计划 or 准备: its evaluation and its problems are
    about a drill that took place, and would hang on one without a date."""
    if drill.status not in HELD or target.value in HELD:
        return None
    found = [what for what, present in (("评估表", drill.evaluation is not None), ("发现的问题", bool(drill.problems)))
             if present]
    if not found:
        return None
    return f"演练已有{'和'.join(found)}，不能退回到“{STATUS_LABELS[target]}”；如实施日期有误，请在演练信息中修改"


def change_status(drill: Drill, to: str, held_on: date | None = None, today: date | None = None) -> None:
    """Move a drill to its next phase. Going to 实施 needs the date it was held (not in the
    future); 评估 and 已总结 need the evaluation. Going back below 实施 is refused once the drill
    has an evaluation or problems, and keeps the drill in its year (the held date becomes the
    planned one when it had none). Everything is checked before anything changes."""
    today = today or local_today()
    try:
        target = DrillStatus(to)
    except ValueError:
        raise UserError("未知的演练状态") from None
    current = DrillStatus(drill.status)
    if target == current:
        return
    if target in (DrillStatus.EVALUATING, DrillStatus.SUMMARIZED) and drill.evaluation is None:
        raise UserError(f"演练尚未评估，不能改为“{STATUS_LABELS[target]}”；请先填写评估表")
    if ORDER.index(target) > ORDER.index(current) + 1 and target != DrillStatus.CONDUCTED:
        raise UserError(f"演练当前为“{STATUS_LABELS[current]}”，不能直接改为“{STATUS_LABELS[target]}”")
    if message := cannot_go_back(drill, target):
        raise UserError(message)
    if target.value in HELD:
        day = held_on or drill.held_on
        if day is None:
            raise UserError("请填写演练的实施日期")
        if day > today:
            raise UserError(f"实施日期 {day} 在今天之后，尚未举行的演练不能标记为“{STATUS_LABELS[target]}”")
        if message := date_error(day, "实施日期", today):
            raise UserError(message)
        if drill.participants <= 0:
            raise UserError("请先在演练信息中填写参演人数，再标记为已实施")
        drill.held_on = day
    else:
        drill.planned_on = drill.planned_on or drill.held_on
        drill.held_on = None
    drill.status = target.value
    drill.updated_at = utcnow()
    db.session.flush()


def get_drill(drill_id: int, for_edit: bool = False) -> Drill | None:
    return db.session.scalar(select(Drill).where(Drill.id == drill_id).options(
        selectinload(Drill.organization), selectinload(Drill.plans), selectinload(Drill.steps),
        selectinload(Drill.photos), selectinload(Drill.problems)))


# ------------------------------------------------------------------------------------------ photos


def add_photo(drill: Drill, data: bytes, caption: str = "", user=None) -> DrillPhoto:
    """Check, resize and attach one photo (raises ImageError with the reason)."""
    limit = current_app.config["DRILL_PHOTOS_PER_DRILL"]
    if len(drill.photos) >= limit:
        raise UserError(f"每次演练最多保存 {limit} 张照片，请先删除不需要的照片")
    caption = (caption or "").strip()
    if len(caption) > 100:
        raise UserError("照片说明不能超过 100 字")
    stored = store_photo(data, "drill-photos", "演练照片")
    photo = DrillPhoto(drill=drill, key=stored.key, thumb_key=stored.thumb_key, width=stored.width,
                       height=stored.height, size=stored.size, caption=caption,
                       uploaded_by_id=getattr(user, "id", None))
    db.session.add(photo)
    db.session.flush()
    # The file is on disk before the row commits; if the request then fails, the orphaned file is
    # harmless (never listed) and far rarer than the other way round.
    return photo


def remove_photo(photo: DrillPhoto) -> None:
    key, thumb = photo.key, photo.thumb_key
    db.session.delete(photo)
    db.session.flush()
    delete_photo(key, thumb)


# ------------------------------------------------------------------------------------------ lists


def drill_query(args: Mapping[str, str]):
    """Drills filtered by the list page's arguments: q (title, scenario, location), year, status,
    form_org, industry, hazard, town, org, plan."""
    query = select(Drill).order_by(_day().desc(), Drill.id.desc())
    text = (args.get("q") or "").strip()
    if text:
        query = query.where(or_(Drill.title.contains(text, autoescape=True),
                                Drill.scenario.contains(text, autoescape=True),
                                Drill.location.contains(text, autoescape=True)))
    for name, column in (("status", Drill.status), ("form_org", Drill.form_org), ("industry", Drill.industry),
                         ("hazard", Drill.hazard)):
        if args.get(name):
            query = query.where(column == args[name])
    year = as_id(args.get("year"))
    if year:
        query = query.where(extract("year", _day()) == year)
    for name, column in (("town", Drill.town_id), ("org", Drill.organization_id)):
        value = as_id(args.get(name))
        if value:
            query = query.where(column == value)
    plan = as_id(args.get("plan"))
    if plan:
        query = query.where(Drill.id.in_(select(drill_plans.c.drill_id).where(drill_plans.c.plan_id == plan)))
    return query


def _day():
    """held_on, else planned_on, as one SQL expression (the date that places a drill in a year)."""
    return func.coalesce(Drill.held_on, Drill.planned_on)


def organizers():
    """Units that may organize a drill: every active organization."""
    return list(db.session.scalars(select(Organization).where(Organization.active.is_(True))
                                   .order_by(Organization.kind, Organization.name)))


def year_plan(year: int, org_id: int | None = None, town_id: int | None = None,
              org_ids: Sequence[int] | None = None) -> list[tuple[Organization, list[Drill]]]:
    """演练计划: the year's drills per organizing unit (planned and held), in date order; org_ids
    limits it to some units (a page of them)."""
    query = (select(Drill).options(selectinload(Drill.organization), selectinload(Drill.plans))
             .where(extract("year", _day()) == year).order_by(Drill.organization_id, _day(), Drill.id))
    if org_id:
        query = query.where(Drill.organization_id == org_id)
    if town_id:
        query = query.where(Drill.town_id == town_id)
    if org_ids is not None:
        query = query.where(Drill.organization_id.in_(org_ids))
    groups: dict[int, tuple[Organization, list[Drill]]] = {}
    for drill in db.session.scalars(query):
        groups.setdefault(drill.organization_id, (drill.organization, []))[1].append(drill)
    return sorted(groups.values(), key=lambda g: (g[0].kind != OrgKind.COUNTY.value, g[0].name))
