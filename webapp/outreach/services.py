"""Five-into outreach: venue types, campaigns and their targets, events with materials and photos.

Every check is here, so the officer's form, the phone's field entry and the demo share one set of
rules: a place must be of the event's venue type, counts are never negative, a campaign ends on or
after its start, an event is not dated in the future. Errors name the field in Chinese and nothing
is written.
"""

import re
from collections.abc import Mapping, Sequence
from datetime import date

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.common.figures import Period
from webapp.common.ids import as_id
from webapp.common.photos import delete_photo, store_photo
from webapp.common.time import local_today, utcnow
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.outreach.models import (
    ACTIVITY_FORMS,
    Campaign,
    CampaignTarget,
    Event,
    EventMaterial,
    EventPhoto,
    VenueType,
)
from webapp.registry.models import KIND_LABELS, TOWN_KINDS, Organization, OrgKind

# (key, label, place label, registry kinds, households): DOMAIN.md §6 — the five of the 2020 方案
# and the two more of the 2017 七进.
SHIPPED_VENUE_TYPES = (
    ("enterprise", "进企业", "企业", [OrgKind.ENTERPRISE.value], False),
    ("village", "进农村", "行政村", [OrgKind.VILLAGE.value], False),
    ("community", "进社区", "社区", [OrgKind.COMMUNITY.value], False),
    ("school", "进学校", "学校", [OrgKind.SCHOOL.value], False),
    ("family", "进家庭", "村（社区）", [OrgKind.VILLAGE.value, OrgKind.COMMUNITY.value], True),
    ("agency", "进机关", "机关单位", [OrgKind.DEPARTMENT.value], False),
    ("public", "进公共场所", "公共场所", [], False),
)
MAX_COUNT = 1_000_000  # an audience or a material count above this is a typo
TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,40}$")


def ensure_venue_types() -> None:
    """Put the shipped venue types in place the first time they are needed."""
    if db.session.scalar(select(func.count()).select_from(VenueType)):
        return
    for position, (key, label, place_label, kinds, households) in enumerate(SHIPPED_VENUE_TYPES, 1):
        db.session.add(VenueType(key=key, label=label, place_label=place_label, org_kinds=kinds,
                                 households=households, position=position))
    db.session.flush()


def venue_types(active_only: bool = True) -> list[VenueType]:
    ensure_venue_types()
    query = select(VenueType).order_by(VenueType.position, VenueType.id)
    if active_only:
        query = query.where(VenueType.active.is_(True))
    return list(db.session.scalars(query))


VENUE_KEY = re.compile(r"^[a-z][a-z0-9_]{1,23}$")


def save_venue_type(venue: VenueType | None, values: Mapping) -> VenueType:
    """Add (venue None) or change a venue type: key (fixed once created: code and the demo name the
    shipped ones), label, place label, registry kinds of its places ([] = named places), the
    households flag and the position (empty = last)."""
    ensure_venue_types()
    errors: dict[str, str] = {}
    others = [v for v in venue_types(active_only=False) if v is not venue]
    if venue is None:
        key = str(values.get("key") or "").strip().lower()
        if not key:
            errors["key"] = "请填写代码（如：market）"
        elif not VENUE_KEY.match(key):
            errors["key"] = "代码应为 2 至 24 位小写字母、数字或下划线，以字母开头（如：market）"
        elif any(v.key == key for v in others):
            errors["key"] = f"代码“{key}”已被“{next(v.label for v in others if v.key == key)}”使用"
    label, place_label = (str(values.get(k) or "").strip() for k in ("label", "place_label"))
    if not label:
        errors["label"] = "请填写名称（如：进集贸市场）"
    elif len(label) > 16:
        errors["label"] = "名称不能超过 16 字"
    elif any(v.label == label for v in others):
        errors["label"] = f"名称“{label}”已有，请换一个"
    if not place_label:
        errors["place_label"] = "请填写地点的称呼（如：集贸市场）"
    elif len(place_label) > 16:
        errors["place_label"] = "地点的称呼不能超过 16 字"
    kinds = [str(k) for k in (values.get("org_kinds") or []) if k]
    unknown = [k for k in kinds if k not in {o.value for o in OrgKind}]
    if unknown:
        errors["org_kinds"] = f"未知的组织机构类型：{'、'.join(unknown)}"
    raw = str(values.get("position") if values.get("position") is not None else "").strip()
    position = None
    if raw:
        if not raw.isdigit() or int(raw) > 9999:
            errors["position"] = "排列顺序应为 0 至 9999 的整数"
        else:
            position = int(raw)
    if errors:
        raise FieldErrors(errors)
    if venue is None:
        venue = VenueType(key=key, active=True)
        db.session.add(venue)
    if position is None and venue.id is None:
        position = max((v.position for v in others), default=0) + 1
    venue.label, venue.place_label = label, place_label
    venue.org_kinds = [o.value for o in OrgKind if o.value in kinds]
    venue.households = bool(values.get("households"))
    if position is not None:
        venue.position = position
    db.session.flush()
    return venue


def set_venue_type_active(venue: VenueType, active: bool) -> None:
    """Retire a venue type (no longer offered for new events; its events and targets stay) or
    restore it."""
    if not active and venue.active and not any(v.active and v is not venue for v in venue_types()):
        raise UserError(f"“{venue.label}”是唯一启用的场所类型，不能停用")
    venue.active = active
    db.session.flush()


def _count(raw, label: str, errors: dict, name: str) -> int:
    if raw in (None, ""):
        return 0
    try:
        number = int(str(raw).strip())
    except ValueError:
        errors[name] = f"{label}应为整数"
        return 0
    if number < 0:
        errors[name] = f"{label}不能为负数"
    elif number > MAX_COUNT:
        errors[name] = f"{label}超过 {MAX_COUNT:,}，请检查是否多输了位数"
    return number


# ------------------------------------------------------------------------------------------ campaigns


def save_campaign(campaign: Campaign | None, values: Mapping, targets: Sequence[Mapping] = (), user=None) -> Campaign:
    """Create or update a campaign with its targets: [{"venue_type_id", "town_id" (or None), "target"}];
    rows with an empty target are dropped."""
    errors: dict[str, str] = {}
    name = str(values.get("name") or "").strip()
    if not name:
        errors["name"] = "请填写活动名称"
    elif len(name) > 200:
        errors["name"] = "活动名称不能超过 200 字"
    theme, moment, note = (str(values.get(k) or "").strip() for k in ("theme", "moment", "note"))
    if len(theme) > 200:
        errors["theme"] = "活动主题不能超过 200 字"
    if len(moment) > 32:
        errors["moment"] = "活动时段不能超过 32 字"
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if not starts_on:
        errors["starts_on"] = "请填写开始日期"
    if not ends_on:
        errors["ends_on"] = "请填写结束日期"
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = f"结束日期 {ends_on} 早于开始日期 {starts_on}"
    for name_, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if day and not date(2000, 1, 1) <= day <= date(local_today().year + 5, 12, 31):
            errors[name_] = "日期超出可接受的范围"
    rows, target_error = _check_targets(targets)
    if target_error:
        errors["targets"] = target_error
    if errors:
        raise FieldErrors(errors)
    if campaign is None:
        campaign = Campaign(created_by_id=getattr(user, "id", None))
        db.session.add(campaign)
    campaign.name, campaign.theme, campaign.moment, campaign.note = name, theme, moment, note[:4000]
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    campaign.targets.clear()
    db.session.flush()  # the unique (campaign, type, town) rows go before their replacements
    campaign.targets = [CampaignTarget(**row) for row in rows]
    campaign.updated_at = utcnow()
    db.session.flush()
    return campaign


def _check_targets(targets: Sequence[Mapping]) -> tuple[list[dict], str | None]:
    types = {t.id: t for t in venue_types(active_only=False)}
    towns = {o.id: o for o in db.session.scalars(select(Organization).where(Organization.kind.in_(
        [k.value for k in TOWN_KINDS])))}
    rows, seen = [], set()
    for number, row in enumerate(targets, 1):
        raw = str(row.get("target") if row.get("target") is not None else "").strip()
        if raw == "":
            continue
        venue = types.get(as_id(row.get("venue_type_id")))
        if venue is None:
            return [], f"第 {number} 个目标：请选择宣传场所类型"
        town_raw = row.get("town_id")
        town = towns.get(as_id(town_raw)) if town_raw not in (None, "", "0", 0) else None
        if town_raw not in (None, "", "0", 0) and town is None:
            return [], f"第 {number} 个目标：所选乡镇（街道）不存在"
        where = town.name if town else "全县"  # the grid's row and column, named as the officer sees them
        try:
            value = int(raw)
        except ValueError:
            return [], f"{where}的“{venue.label}”目标“{raw}”应为整数"
        if value < 0:
            return [], f"{where}的“{venue.label}”目标不能为负数"
        if value > MAX_COUNT:
            return [], f"{where}的“{venue.label}”目标超过 {MAX_COUNT:,}"
        key = (venue.id, town.id if town else None)
        if key in seen:
            return [], f"{where}的“{venue.label}”目标填写了两次"
        seen.add(key)
        rows.append({"venue_type_id": venue.id, "town_id": town.id if town else None, "target": value})
    return rows, None


def campaign_for(day: date) -> Campaign | None:
    """The campaign running on a day (the one started last, when several overlap: a 安全生产月
    inside a year-round campaign): the phone's default."""
    return db.session.scalar(select(Campaign).where(Campaign.starts_on <= day, Campaign.ends_on >= day)
                             .order_by(Campaign.starts_on.desc(), Campaign.id.desc()))


# ------------------------------------------------------------------------------------------ events


def check_event(values: Mapping, materials: Sequence[Mapping], today: date | None = None,
                current: Event | None = None) -> tuple[dict, dict[str, str]]:
    """The cleaned values and the errors (field → message). Editing an event (current) keeps its
    venue type and place even if they were retired since."""
    today = today or local_today()
    errors: dict[str, str] = {}
    clean: dict = {}
    venue = db.session.get(VenueType, as_id(values.get("venue_type_id")) or 0)
    if venue is None or not (venue.active or (current is not None and current.venue_type_id == venue.id)):
        errors["venue_type_id"] = "请选择宣传场所类型（进企业、进农村、进社区、进学校、进家庭……）"
    clean["venue"] = venue
    place = None
    place_raw = values.get("place_id")
    if place_raw not in (None, "", "0", 0):
        place = db.session.get(Organization, as_id(place_raw) or 0)
        if place is None:
            errors["place_id"] = "所选宣传地点不存在"
    place_name = str(values.get("place_name") or "").strip()
    if len(place_name) > 200:
        errors["place_name"] = "地点名称不能超过 200 字"
    if venue is not None:
        if venue.org_kinds:
            if place is None and "place_id" not in errors:
                errors["place_id"] = f"请选择{venue.label.removeprefix('进')}的具体{venue.place_label}"
            elif place is not None and place.kind not in venue.org_kinds:
                errors["place_id"] = (f"“{place.name}”是{KIND_LABELS[OrgKind(place.kind)]}，不是{venue.place_label}："
                                      f"“{venue.label}”的地点应为{venue.place_label}")
            elif place is not None and not place.active and not (current is not None and current.place_id == place.id):
                errors["place_id"] = f"“{place.name}”已停用"
        elif not place_name and place is None:
            errors["place_name"] = f"请填写{venue.place_label}的名称（如：县人民广场）"
    clean["place"], clean["place_name"] = place, place_name
    town = None  # a named place's town (the phone asks for it); a registry place brings its own
    town_raw = values.get("town_id")
    if place is None and town_raw not in (None, "", "0", 0):
        town = db.session.get(Organization, as_id(town_raw) or 0)
        if town is None or town.kind not in {k.value for k in TOWN_KINDS}:
            errors["town_id"] = "所选乡镇（街道）不存在"
    clean["town"] = town
    held_on = values.get("held_on")
    if not held_on:
        errors["held_on"] = "请填写活动日期"
    elif held_on > today:
        errors["held_on"] = f"活动日期 {held_on} 在今天之后：只记录已开展的活动"
    elif held_on < date(2000, 1, 1):
        errors["held_on"] = "活动日期超出可接受的范围"
    clean["held_on"] = held_on
    campaign = None
    campaign_raw = values.get("campaign_id")
    if campaign_raw not in (None, "", "0", 0):
        campaign = db.session.get(Campaign, as_id(campaign_raw) or 0)
        if campaign is None:
            errors["campaign_id"] = "所选宣传活动不存在"
        elif held_on and not campaign.starts_on <= held_on <= campaign.ends_on:
            errors["campaign_id"] = (f"活动日期 {held_on} 不在“{campaign.name}”的时段"
                                     f"（{campaign.starts_on} 至 {campaign.ends_on}）内")
    clean["campaign"] = campaign
    organizer = None
    if values.get("organizer_id") not in (None, "", "0", 0):
        organizer = db.session.get(Organization, as_id(values.get("organizer_id")) or 0)
        if organizer is None:
            errors["organizer_id"] = "所选组织单位不存在"
    clean["organizer"] = organizer
    forms = [f for f in (values.get("forms") or []) if f]
    unknown = [f for f in forms if f not in ACTIVITY_FORMS]
    if unknown:
        errors["forms"] = f"未知的活动形式：{'、'.join(unknown)}"
    elif not forms:
        errors["forms"] = "请至少选择一种活动形式"
    clean["forms"] = [f for f in ACTIVITY_FORMS if f in forms]
    quiz = None
    if values.get("quiz_id") not in (None, "", "0", 0):
        from webapp.quiz.models import Quiz, QuizKind

        quiz = db.session.get(Quiz, as_id(values.get("quiz_id")) or 0)
        if quiz is None or quiz.kind != QuizKind.COMPETITION.value:
            errors["quiz_id"] = "所选知识竞赛不存在"
        elif "知识竞赛" not in forms:
            clean["forms"].append("知识竞赛")
    clean["quiz"] = quiz
    clean["audience"] = _count(values.get("audience"), "受众人数", errors, "audience")
    clean["households"] = _count(values.get("households"), "入户户数", errors, "households")
    if venue is not None and venue.households and "households" not in errors and clean["households"] == 0:
        errors["households"] = "进家庭活动请填写入户户数"
    if venue is not None and not venue.households:
        clean["households"] = 0  # households are counted for 进家庭 only (coverage and figures sum them)
    partners, note = (str(values.get(k) or "").strip() for k in ("partners", "note"))
    if len(partners) > 2000:
        errors["partners"] = "协办单位不能超过 2000 字"
    if len(note) > 2000:
        errors["note"] = "备注不能超过 2000 字"
    clean["partners"], clean["note"] = partners, note
    rows = []
    for number, row in enumerate(materials, 1):
        kind = str(row.get("kind") or "").strip()
        raw = row.get("quantity")
        if not kind and raw in (None, ""):
            continue
        if not kind:
            errors["materials"] = f"宣传资料第 {number} 行：请填写资料种类"
            break
        if len(kind) > 32:
            errors["materials"] = f"宣传资料第 {number} 行：种类不能超过 32 字"
            break
        row_errors: dict[str, str] = {}
        quantity = _count(raw, f"宣传资料第 {number} 行（{kind}）的数量", row_errors, "materials")
        if row_errors:
            errors.update(row_errors)
            break
        if quantity:
            rows.append({"kind": kind, "quantity": quantity})
    # The same kind on two rows is one kind handed out: its quantities added, in the first row's place.
    merged: dict[str, int] = {}
    for row in rows:
        merged[row["kind"]] = merged.get(row["kind"], 0) + row["quantity"]
    over = next((kind for kind, quantity in merged.items() if quantity > MAX_COUNT), None)
    if over is not None and "materials" not in errors:
        errors["materials"] = f"宣传资料“{over}”的数量合计超过 {MAX_COUNT:,}，请检查是否多输了位数"
    clean["materials"] = [{"kind": kind, "quantity": quantity} for kind, quantity in merged.items()]
    return clean, errors


def save_event(event: Event | None, values: Mapping, materials: Sequence[Mapping] = (), user=None,
               today: date | None = None) -> Event:
    """Create (event None) or update an event with its materials. A new event carrying a
    client_token that was already saved returns the saved event unchanged (a phone's retry)."""
    token = str(values.get("client_token") or "").strip() or None
    if token is not None and not TOKEN.match(token):
        token = None
    if event is None and token is not None:
        existing = db.session.scalar(select(Event).where(Event.client_token == token))
        if existing is not None:
            return existing
    clean, errors = check_event(values, materials, today, current=event)
    if errors:
        raise FieldErrors(errors)
    if event is None:
        event = Event(created_by_id=getattr(user, "id", None), client_token=token)
        db.session.add(event)
    place = clean["place"]
    event.venue_type_id = clean["venue"].id
    event.place_id = place.id if place is not None else None
    event.place_name = "" if place is not None else clean["place_name"]
    if place is not None:
        event.town_id = place.town_id
    elif clean["town"] is not None:
        event.town_id = clean["town"].id
    else:
        event.town_id = clean["organizer"].town_id if clean["organizer"] else None
    event.campaign_id = clean["campaign"].id if clean["campaign"] else None
    event.organizer_id = clean["organizer"].id if clean["organizer"] else None
    event.quiz_id = clean["quiz"].id if clean["quiz"] else None
    for name in ("held_on", "forms", "audience", "households", "partners", "note"):
        setattr(event, name, clean[name])
    event.materials = [EventMaterial(**row) for row in clean["materials"]]
    event.materials_total = sum(row["quantity"] for row in clean["materials"])
    event.updated_at = utcnow()
    db.session.flush()
    return event


def add_photo(event: Event, data: bytes, caption: str = "", user=None) -> EventPhoto:
    limit = current_app.config["OUTREACH_PHOTOS_PER_EVENT"]
    if len(event.photos) >= limit:
        raise UserError(f"每次活动最多保存 {limit} 张照片，请先删除不需要的照片")
    caption = (caption or "").strip()
    if len(caption) > 100:
        raise UserError("照片说明不能超过 100 字")
    stored = store_photo(data, "outreach-photos", "活动照片")
    photo = EventPhoto(event=event, key=stored.key, thumb_key=stored.thumb_key, width=stored.width,
                       height=stored.height, size=stored.size, caption=caption,
                       uploaded_by_id=getattr(user, "id", None))
    db.session.add(photo)
    db.session.flush()
    return photo


def remove_photo(photo: EventPhoto) -> None:
    key, thumb = photo.key, photo.thumb_key
    db.session.delete(photo)
    db.session.flush()
    delete_photo(key, thumb)


def event_query(args: Mapping[str, str], dates: Period | None = None):
    """Events filtered by the list's arguments: q (place, note), campaign, venue (type id), town,
    place, organizer (org), year; and held within dates (the view reads ?from=&to= into them)."""
    query = (select(Event).options(selectinload(Event.venue_type), selectinload(Event.place),
                                   selectinload(Event.town), selectinload(Event.campaign))
             .order_by(Event.held_on.desc(), Event.id.desc()))
    text = (args.get("q") or "").strip()
    if text:
        query = query.outerjoin(Organization, Event.place_id == Organization.id).where(
            Organization.name.contains(text, autoescape=True) | Event.place_name.contains(text, autoescape=True)
            | Event.note.contains(text, autoescape=True))
    for name, column in (("campaign", Event.campaign_id), ("venue", Event.venue_type_id), ("town", Event.town_id),
                         ("place", Event.place_id), ("org", Event.organizer_id)):
        value = as_id(args.get(name))
        if value:
            query = query.where(column == value)
    year = as_id(args.get("year"))
    if year and 2000 <= year <= 2100:
        query = query.where(Event.held_on >= date(year, 1, 1), Event.held_on <= date(year, 12, 31))
    if dates:
        query = query.where(Event.held_on >= dates.first, Event.held_on <= dates.last)
    return query
