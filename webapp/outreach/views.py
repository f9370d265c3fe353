"""The outreach officer's event pages: the list of events (filters, totals over the filter,
Excel with every event and its materials), one form to record or correct an event (the venue type
first, then the places of that type grouped by town; photos taken in the field with a new event),
the event's page (everything recorded, gallery), and the photos themselves.

A request commits once: services flush, the view commits when everything passed. A new event with
a bad photo is not saved at all, and the photos already stored for it are deleted again. The new
form carries a token: sending it twice (a double tap, a reload after a slow answer) finds the
event saved the first time instead of recording it again."""

import secrets

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from webapp.auth.models import User
from webapp.auth.permissions import can, require
from webapp.common import photo_views
from webapp.common.figures import period_from
from webapp.common.ids import as_id
from webapp.common.spreadsheets import workbook_bytes, xlsx_response
from webapp.common.time import format_local, local_today
from webapp.errors import FieldErrors, UserError, show_on_form
from webapp.extensions import db
from webapp.listing import args_without, paginate
from webapp.outreach import bp, phone_bp, services
from webapp.outreach.forms import EventForm
from webapp.outreach.models import (
    ACTIVITY_FORMS,
    MATERIAL_KINDS,
    Campaign,
    Event,
    EventMaterial,
    EventPhoto,
    VenueType,
)
from webapp.registry import services as registry
from webapp.registry.models import KIND_LABELS, TOWN_KINDS, Organization, OrgKind

# Organizers of publicity: the county, its departments and the towns/streets, in this order.
ORGANIZER_KINDS = (OrgKind.COUNTY, OrgKind.DEPARTMENT, OrgKind.TOWN, OrgKind.STREET)
MATERIAL_ROWS = 5  # material rows the form shows at least (blank ones are ignored)
QUIZ_CHOICES = 100  # the newest competitions offered for a link
NO_TOWN = "县直"  # the group of places with no town (county-level units)


@bp.before_request
@phone_bp.before_request
def keep_shipped_venue_types():
    """The shipped venue types are rows made on first use. Keep them at once: a page that made them
    in a request that then only read (and rolled back) would offer ids its form cannot post back.
    The phone's pages share the hook."""
    if not db.session.scalar(select(func.count()).select_from(VenueType)):
        services.ensure_venue_types()
        db.session.commit()


def event_or_404(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return event


def _attach(event: Event, uploads: list[tuple[str, bytes]], stored: list[EventPhoto], caption: str = "") -> None:
    photo_views.attach_all(uploads, lambda data: services.add_photo(event, data, caption, current_user), stored,
                           len(event.photos), current_app.config["OUTREACH_PHOTOS_PER_EVENT"], "活动")


def _failed(exc: UserError) -> None:
    db.session.rollback()
    flash(exc.message, "danger")


def _day(value) -> str:
    return value.isoformat() if value else ""


def _town_names() -> dict[int, str]:
    return dict(db.session.execute(select(Organization.id, Organization.name)
                                   .where(Organization.kind.in_([k.value for k in TOWN_KINDS]))).all())


# ---------------------------------------------------------------------------------------- list


def _years() -> list[int]:
    """Years with events, and this year, newest first."""
    first, last = db.session.execute(select(func.min(Event.held_on), func.max(Event.held_on))).one()
    this_year = local_today().year
    low, high = min(first.year if first else this_year, this_year), max(last.year if last else this_year, this_year)
    return list(range(high, low - 1, -1))


def _totals(query) -> dict[str, int]:
    """Events, audience, materials and households of the filtered events, in one query."""
    rows = query.order_by(None).subquery()
    events, audience, materials, households = db.session.execute(select(
        func.count(rows.c.id), func.coalesce(func.sum(rows.c.audience), 0),
        func.coalesce(func.sum(rows.c.materials_total), 0), func.coalesce(func.sum(rows.c.households), 0))).one()
    return {"events": events, "audience": int(audience), "materials": int(materials), "households": int(households)}


def _campaigns() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())))


@bp.get("/")
@require("outreach.view")
def index():
    dates = None
    if request.args.get("from") or request.args.get("to"):
        try:
            dates = period_from(request.args)
        except UserError as exc:
            flash(f"活动日期条件未生效：{exc.message}", "warning")
    query = services.event_query(request.args, dates)
    if request.args.get("format") == "xlsx":
        return _export(query)
    page = paginate(query)
    place = db.session.get(Organization, as_id(request.args.get("place")) or 0)
    organizer = db.session.get(Organization, as_id(request.args.get("org")) or 0)
    return render_template(
        "outreach/index.html", page=page, totals=_totals(query), filters=args_without("page"),
        export_args=args_without("page", "format"), campaigns=_campaigns(), types=services.venue_types(False),
        towns=registry.towns(), years=_years(), place=place, organizer=organizer, dates=dates,
        no_place_args=args_without("page", "format", "place"), no_org_args=args_without("page", "format", "org"))


def _export_kinds(present: set[str]) -> list[str]:
    """The material kinds handed out, the shipped ones in their order, then the others by name."""
    return [k for k in MATERIAL_KINDS if k in present] + sorted(present - set(MATERIAL_KINDS))


def _export(query):
    events = list(db.session.scalars(query.options(selectinload(Event.organizer), selectinload(Event.quiz))))
    ids = select(query.order_by(None).subquery().c.id)
    materials: dict[int, dict[str, int]] = {}
    for event_id, kind, quantity in db.session.execute(
            select(EventMaterial.event_id, EventMaterial.kind, func.sum(EventMaterial.quantity))
            .where(EventMaterial.event_id.in_(ids)).group_by(EventMaterial.event_id, EventMaterial.kind)):
        materials.setdefault(event_id, {})[kind] = int(quantity)
    kinds = _export_kinds({k for per_event in materials.values() for k in per_event})
    photos = dict(db.session.execute(select(EventPhoto.event_id, func.count()).where(EventPhoto.event_id.in_(ids))
                                     .group_by(EventPhoto.event_id)).all())
    users = {e.created_by_id for e in events if e.created_by_id}
    names = dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(users))).all()) if users else {}
    towns = _town_names()
    headers = ("序号", "活动日期", "宣传活动", "活动时段", "场所类型", "宣传地点", "地点类别", "所在乡镇（街道）",
               "组织单位", "协办单位", "活动形式", "知识竞赛", "受众人数", "入户户数", "发放宣传资料合计（份）",
               *(f"{k}（份）" for k in kinds), "照片（张）", "活动简况", "记录人", "记录时间")
    rows = []
    for number, e in enumerate(events, 1):
        handed = materials.get(e.id, {})
        rows.append((
            number, _day(e.held_on), e.campaign.name if e.campaign else "", e.campaign.moment if e.campaign else "",
            e.venue_type.label, e.place_title, e.place.kind_label if e.place else e.venue_type.place_label,
            towns.get(e.town_id, ""), e.organizer.name if e.organizer else "", e.partners, "、".join(e.forms or []),
            e.quiz.title if e.quiz else "", e.audience, e.households, e.materials_total,
            *(handed.get(k, 0) for k in kinds), photos.get(e.id, 0), e.note, names.get(e.created_by_id, ""),
            format_local(e.created_at)))
    return xlsx_response(f"安全宣传活动清单_{local_today():%Y%m%d}.xlsx", workbook_bytes(headers, rows))


# ---------------------------------------------------------------------------------------- form


def place_choices(venue: VenueType, current_id: int | None = None) -> list[SelectChoice]:
    """The registry places of the type (active ones, and the event's own), grouped by town."""
    kinds = venue.org_kinds or []
    rows = db.session.execute(
        select(Organization.id, Organization.name, Organization.kind, Organization.town_id)
        .where(Organization.kind.in_(kinds), Organization.active.is_(True) | (Organization.id == (current_id or 0)))
        .order_by(Organization.name, Organization.id)).all() if kinds else []
    towns = _town_names()
    rows = sorted(rows, key=lambda r: (r.town_id not in towns, towns.get(r.town_id, ""), r.name, r.id))
    show_kind = len(kinds) > 1  # 进家庭: villages and communities side by side
    out = [SelectChoice("", f"（请选择{venue.place_label}）")]
    for r in rows:
        label = f"{r.name}（{KIND_LABELS[OrgKind(r.kind)]}）" if show_kind else r.name
        out.append(SelectChoice(str(r.id), label, optgroup=towns.get(r.town_id, NO_TOWN)))
    return out


def campaign_choices() -> list[SelectChoice]:
    """Every campaign, newest first, carrying its period so the page can follow the date."""
    out = [SelectChoice("", "（不属于宣传活动）")]
    for c in _campaigns():
        out.append(SelectChoice(str(c.id), f"{c.name}（{c.starts_on} 至 {c.ends_on}）",
                                render_kw={"data-starts": c.starts_on.isoformat(), "data-ends": c.ends_on.isoformat()}))
    return out


def organizer_choices(current_id: int | None = None) -> list[SelectChoice]:
    """The county, departments and towns/streets, grouped by kind (a retired organizer stays)."""
    rows = db.session.execute(
        select(Organization.id, Organization.name, Organization.kind)
        .where(Organization.kind.in_([k.value for k in ORGANIZER_KINDS]),
               Organization.active.is_(True) | (Organization.id == (current_id or 0)))
        .order_by(Organization.name, Organization.id)).all()
    out = [SelectChoice("", "（请选择组织单位）")]
    for kind in ORGANIZER_KINDS:
        out += [SelectChoice(str(r.id), r.name, optgroup=KIND_LABELS[kind]) for r in rows if r.kind == kind.value]
    return out


def quiz_choices(current_id: int | None = None) -> list[SelectChoice]:
    from webapp.quiz.models import Quiz, QuizKind

    rows = db.session.execute(
        select(Quiz.id, Quiz.title).where(Quiz.kind == QuizKind.COMPETITION.value)
        .order_by(Quiz.id.desc()).limit(QUIZ_CHOICES)).all()
    if current_id and current_id not in {r.id for r in rows}:
        current = db.session.get(Quiz, current_id)
        rows = [*rows, *([current] if current else [])]
    return [SelectChoice("", "（不关联）")] + [SelectChoice(str(r.id), r.title) for r in rows]


def _submitted_materials() -> list[dict]:
    """The materials rows as posted: material_kind and material_quantity, one of each per row."""
    kinds, quantities = request.form.getlist("material_kind"), request.form.getlist("material_quantity")
    count = max(len(kinds), len(quantities))
    kinds, quantities = kinds + [""] * (count - len(kinds)), quantities + [""] * (count - len(quantities))
    return [{"kind": k, "quantity": q} for k, q in zip(kinds, quantities, strict=True)]


def _material_rows(rows: list[dict]) -> list[dict]:
    filled = [r for r in rows if str(r.get("kind") or "").strip() or str(r.get("quantity") or "").strip()]
    return filled + [{"kind": "", "quantity": ""}] * max(1, MATERIAL_ROWS - len(filled))


def _values(form: EventForm) -> dict:
    values = {name: form[name].data for name in ("venue_type_id", "place_id", "place_name", "town_id", "held_on",
                                                 "campaign_id", "organizer_id", "quiz_id", "audience", "households",
                                                 "partners", "note", "client_token")}
    values["forms"] = form.forms.data or []
    return values


def _venue(raw) -> VenueType | None:
    return db.session.get(VenueType, as_id(raw) or 0)


def _show_errors(form: EventForm, exc: UserError) -> str | None:
    """Put the messages under their fields; the materials message goes to the materials card."""
    materials = exc.errors.pop("materials", None) if isinstance(exc, FieldErrors) else None
    if isinstance(exc, FieldErrors) and not exc.errors:
        db.session.rollback()
    else:
        show_on_form(form, exc, aliases={"venue_type_id": ""})
    return materials


def _type_counts() -> dict[int, int | None]:
    """Registry places per venue type (None for named places), for the first step's buttons."""
    per_kind = dict(db.session.execute(select(Organization.kind, func.count()).where(Organization.active.is_(True))
                                       .group_by(Organization.kind)).all())
    return {v.id: sum(per_kind.get(k, 0) for k in v.org_kinds) if v.org_kinds else None
            for v in services.venue_types()}


def _render_form(form: EventForm, event: Event | None, venue: VenueType | None, materials: list[dict],
                 photos_lost: bool = False, materials_error: str | None = None, type_error: str | None = None):
    if venue is None:  # the first step: which kind of place
        return render_template("outreach/event_form.html", form=form, event=event, venue=None,
                               types=services.venue_types(), counts=_type_counts(), type_error=type_error)
    place_id, quiz_id, organizer_id = (as_id(form[n].data) for n in ("place_id", "quiz_id", "organizer_id"))
    form.place_id.choices = place_choices(venue, place_id)
    form.town_id.choices = [SelectChoice("", "（县级或不属于乡镇）")] + [
        SelectChoice(str(t.id), t.name) for t in registry.towns()]
    form.campaign_id.choices = campaign_choices()
    form.organizer_id.choices = organizer_choices(organizer_id)
    form.quiz_id.choices = quiz_choices(quiz_id)
    return render_template(
        "outreach/event_form.html", form=form, event=event, venue=venue, types=services.venue_types(False),
        materials=_material_rows(materials), material_kinds=MATERIAL_KINDS, materials_error=materials_error,
        photos_lost=photos_lost, today=local_today(), activity_forms=ACTIVITY_FORMS, **photo_views.limits(current_app.config["OUTREACH_PHOTOS_PER_EVENT"]))


def _prefill_new(form: EventForm, venue: VenueType) -> None:
    today = local_today()
    form.venue_type_id.data = str(venue.id)
    form.held_on.data = today
    campaign = services.campaign_for(today)
    form.campaign_id.data = str(campaign.id) if campaign else ""
    own = current_user.organization
    if own is not None and own.kind in {k.value for k in ORGANIZER_KINDS}:
        form.organizer_id.data = str(own.id)
    place = db.session.get(Organization, as_id(request.args.get("place")) or 0)
    if place is not None and place.kind in (venue.org_kinds or []):
        form.place_id.data = str(place.id)
    form.client_token.data = secrets.token_urlsafe(16)


def _type_for_place() -> VenueType | None:
    """?place= without ?type=: the first active type whose places are of that kind (进家庭 last)."""
    place = db.session.get(Organization, as_id(request.args.get("place")) or 0)
    if place is None:
        return None
    fitting = [v for v in services.venue_types() if place.kind in (v.org_kinds or [])]
    return min(fitting, key=lambda v: v.households, default=None)


@bp.route("/events/new", methods=["GET", "POST"])
@require("outreach.edit")
def event_new():
    form = EventForm()
    if request.method == "GET":
        raw = request.args.get("type")
        venue = _venue(raw) if raw else _type_for_place()
        if venue is None or not venue.active:
            error = "所选场所类型不存在或已停用，请重新选择" if raw else None
            return _render_form(form, None, None, [], type_error=error)
        _prefill_new(form, venue)
        return _render_form(form, None, venue, [])
    venue = _venue(form.venue_type_id.data)
    materials = _submitted_materials()
    if venue is None or not venue.active:
        return _render_form(form, None, None, [], type_error="请选择宣传场所类型（进企业、进农村、进社区、进学校、进家庭……）")
    if form.validate_on_submit():
        token = (form.client_token.data or "").strip()
        saved = db.session.scalar(select(Event).where(Event.client_token == token)) if token else None
        if saved is not None:  # the same form sent again: it was recorded the first time
            flash("这次活动已经保存过（重复提交），没有重复记录", "info")
            return redirect(url_for("outreach.event", event_id=saved.id))
        uploads, photos = photo_views.uploaded(), []
        try:
            event = services.save_event(None, _values(form), materials, current_user)
            _attach(event, uploads, photos)
        except UserError as exc:
            files = [(p.key, p.thumb_key) for p in photos]
            materials_error = _show_errors(form, exc)  # rolls back: no event, no materials, no photo rows
            photo_views.discard(files)
            return _render_form(form, None, venue, materials, photos_lost=bool(uploads),
                                materials_error=materials_error)
        db.session.commit()
        extra = f"，照片 {len(photos)} 张" if photos else ""
        flash(f"已记录{event.venue_type.label}活动：{event.place_title}（{event.held_on}{extra}）", "success")
        return redirect(url_for("outreach.event", event_id=event.id))
    return _render_form(form, None, venue, materials, photos_lost=bool(photo_views.uploaded()))


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@require("outreach.edit")
def event_edit(event_id: int):
    event = event_or_404(event_id)
    if request.method == "GET":
        form = EventForm(obj=event)
        form.forms.data = list(event.forms or [])
        materials = [{"kind": m.kind, "quantity": m.quantity} for m in event.materials]
        venue = event.venue_type
        other = _venue(request.args.get("type")) if request.args.get("type") else None
        if other is not None and other.id != venue.id and (other.active or other.id == event.venue_type_id):
            venue = other  # a type corrected: its places, and the old place dropped
            form.place_id.data = ""
            if not other.households:
                form.households.data = ""
        form.venue_type_id.data = str(venue.id)
        form.place_id.data = str(form.place_id.data or "")
        for name in ("campaign_id", "organizer_id", "quiz_id", "town_id"):
            form[name].data = str(form[name].data or "")
        return _render_form(form, event, venue, materials)
    form = EventForm()
    materials = _submitted_materials()
    venue = _venue(form.venue_type_id.data) or event.venue_type
    if form.validate_on_submit():
        try:
            services.save_event(event, _values(form), materials, current_user)
        except UserError as exc:
            return _render_form(form, event, venue, materials, materials_error=_show_errors(form, exc))
        db.session.commit()
        flash(f"已保存活动：{event.place_title}（{event.held_on}）", "success")
        return redirect(url_for("outreach.event", event_id=event.id))
    return _render_form(form, event, venue, materials)


# -------------------------------------------------------------------------------------- detail


@bp.get("/events/<int:event_id>", endpoint="event")
@require("outreach.view")
def event_detail(event_id: int):
    event = event_or_404(event_id)
    recorder = db.session.get(User, event.created_by_id) if event.created_by_id else None
    return render_template(
        "outreach/event.html", event=event, recorder=recorder, editable=can("outreach.edit"),
        partner_lines=[line.strip() for line in (event.partners or "").splitlines() if line.strip()],
        registry_link=can("registry.view"), **photo_views.limits(current_app.config["OUTREACH_PHOTOS_PER_EVENT"]))


# -------------------------------------------------------------------------------------- photos


@bp.post("/events/<int:event_id>/photos")
@require("outreach.edit")
def photo_upload(event_id: int):
    event = event_or_404(event_id)
    uploads = photo_views.uploaded()
    if not uploads:
        flash("请选择要上传的照片", "danger")
        return redirect(url_for("outreach.event", event_id=event.id, _anchor="photos"))
    photos: list[EventPhoto] = []
    try:
        _attach(event, uploads, photos, request.form.get("caption", ""))
    except UserError as exc:
        files = [(p.key, p.thumb_key) for p in photos]
        _failed(exc)
        photo_views.discard(files)
        flash("本次选择的照片都未保存，请去掉有问题的照片后重新上传", "warning")
    else:
        db.session.commit()
        flash(f"已上传 {len(photos)} 张照片", "success")
    return redirect(url_for("outreach.event", event_id=event.id, _anchor="photos"))


@bp.get("/photos/<int:photo_id>/<size>", endpoint="photo")
@require("outreach.view")
def photo_file(photo_id: int, size: str):
    photo = db.session.get(EventPhoto, photo_id)
    return photo_views.send(photo, size, f"outreach-{photo.event_id}-{photo.id}" if photo else "")


@bp.post("/photos/<int:photo_id>/delete")
@require("outreach.edit")
def photo_delete(photo_id: int):
    photo = db.session.get(EventPhoto, photo_id)
    if photo is None:
        abort(404)
    event_id = photo.event_id
    try:
        services.remove_photo(photo)
    except UserError as exc:
        _failed(exc)
    else:
        db.session.commit()
        flash("已删除照片", "success")
    return redirect(url_for("outreach.event", event_id=event_id, _anchor="photos"))

