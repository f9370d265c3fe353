"""The outreach officer's field entry on a phone (/o): today's campaign and my recent events, one
short form that records an event with its photos, the place picker's JSON, and the "已记录" page.

The pages are light (their own small CSS and one script, no Bootstrap) and work without script:
the place select is then filled in a second step (/o/new?type=…&town=…) and the form posts as
plain HTML. With the script (static/js/outreach_phone.js) every field and the photos (shrunk on
the phone) stay on the phone until the server has them, and the form is sent with XHR: a request
that asks for JSON (Accept: application/json or X-Requested-With) gets its answer as JSON — the
field errors by input name, a 413 or an expired page too — so nothing typed is lost.

A submission carries a client_token made once per draft: a retry after a lost answer finds the
event already saved (services.save_event) instead of recording it twice; the photos go with the
event in the same transaction, so a retry never adds them twice either. A bad photo saves nothing
and the photo files already stored for the request are deleted again.
"""

import secrets
from datetime import date, timedelta

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp.auth.permissions import require
from webapp.common import photo_views
from webapp.common.ids import as_id
from webapp.common.spreadsheets import human_size
from webapp.common.time import local_today
from webapp.documents.images import check_picture
from webapp.errors import FieldErrors, UserError, render_error
from webapp.extensions import db
from webapp.outreach import phone_bp as bp
from webapp.outreach import services
from webapp.outreach.models import ACTIVITY_FORMS, MATERIAL_KINDS, Campaign, Event, EventPhoto, VenueType
from webapp.registry.models import Organization
from webapp.registry.services import towns

# The materials most events hand out get a number box on the form; the others sit under 更多.
QUICK_MATERIALS = (("宣传册", "宣传册", ""), ("宣传单", "宣传单", ""), ("宣传品（扇子、环保袋等）", "宣传品", "扇子、环保袋等"))
MORE_MATERIALS = tuple((k, k, "") for k in MATERIAL_KINDS if k not in {q[0] for q in QUICK_MATERIALS})
PLACES_JSON_LIMIT = 50  # the picker's answer; a search narrows it
PLACES_PAGE_LIMIT = 200  # the select rendered without script
RECENT_EVENTS = 10
CAMPAIGN_DAYS = 180  # campaigns offered in 更多: running today or ended within this many days
# The services' field names where the form calls its inputs otherwise.
INPUT_NAMES = {"venue_type_id": "type", "town_id": "town"}
FORM_FIELDS = {"type", "town", "place_id", "place_name", "held_on", "forms", "audience", "households",
               "materials", "note", "campaign_id", "partners", "photos"}
TEXT_FIELDS = ("type", "town", "q", "place_id", "place_name", "held_on", "audience", "households", "note",
               "campaign_id", "partners", "client_token")


def _wants_json() -> bool:
    if request.headers.get("X-Requested-With"):
        return True
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


@bp.errorhandler(413)
def too_large(_error):
    limit = human_size(current_app.config["MAX_CONTENT_LENGTH"])
    message = f"本次提交的内容超过 {limit} 的上限：请减少照片后再提交"
    if _wants_json():
        db.session.rollback()
        return jsonify(errors={"photos": message}), 413
    return render_error(413, message)


INTERRUPTED = "提交没有完整送达（网络中断）：已填写的内容和照片保存在本机，请重新提交"


def _interrupted() -> bool:
    """A body was announced but no field arrived: the upload was cut off on the way (Werkzeug drops
    a multipart body that ends before its last boundary). Neither "page expired" nor "fill in the
    date" is true then, and nothing may be saved."""
    return request.method == "POST" and bool(request.content_length) and not request.form and not request.files


def _interrupted_answer():
    db.session.rollback()
    if _wants_json():
        return jsonify(errors={"form": INTERRUPTED}), 400
    return render_error(400, INTERRUPTED)


@bp.errorhandler(CSRFError)
def expired(_error):
    if _interrupted():  # the token was in the part that never arrived
        return _interrupted_answer()
    message = "页面已过期（打开太久或已重新登录）：请刷新页面后再提交，已填写的内容保存在本机"
    if _wants_json():
        return jsonify(errors={"form": message}, reload=True), 400
    return render_error(400, "表单安全令牌缺失或已过期（页面打开太久）。请返回并刷新页面后重新提交。")


# ------------------------------------------------------------------------------------------ helpers


def _venue(raw) -> VenueType | None:
    """An active venue type by id or by key (/o/new?type=family)."""
    raw = str(raw or "").strip()
    if not raw:
        return None
    types = services.venue_types()
    number = as_id(raw)
    return next((v for v in types if (v.id == number if number else v.key == raw)), None)


def _places(venue: VenueType | None, town_id: int | None, words: str, limit: int) -> tuple[list[dict], bool]:
    """Active registry places of the venue type, in one town if given, whose name holds the words:
    ([{id, name, town}], whether there were more than the limit)."""
    if venue is None or not venue.org_kinds:
        return [], False
    town = Organization.__table__.alias("town")
    query = (select(Organization.id, Organization.name, town.c.name)
             .outerjoin(town, town.c.id == Organization.town_id)
             .where(Organization.active.is_(True), Organization.kind.in_(venue.org_kinds)))
    if town_id:
        query = query.where(Organization.town_id == town_id)
    if words:
        query = query.where(Organization.name.contains(words, autoescape=True))
    rows = db.session.execute(query.order_by(Organization.name, Organization.id).limit(limit + 1)).all()
    return [{"id": i, "name": n, "town": t or ""} for i, n, t in rows[:limit]], len(rows) > limit


def _campaigns(today: date) -> list[Campaign]:
    return list(db.session.scalars(
        select(Campaign).where(Campaign.starts_on <= today, Campaign.ends_on >= today - timedelta(days=CAMPAIGN_DAYS))
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc()).limit(30)))


def _new_token() -> str:
    return secrets.token_urlsafe(18)  # 24 characters of [A-Za-z0-9_-]


def _data(source) -> dict:
    """What the form holds (from the query string of the two-step flow, or a post), as typed."""
    data = {name: (source.get(name) or "").strip() for name in TEXT_FIELDS}
    data["forms"] = [f for f in source.getlist("forms") if f]
    kinds, quantities = source.getlist("material_kind"), source.getlist("material_quantity")
    data["materials"] = [{"kind": k.strip(), "quantity": q.strip()}
                         for k, q in zip(kinds, quantities + [""] * (len(kinds) - len(quantities)), strict=False)]
    data["quantity"] = {row["kind"]: row["quantity"] for row in data["materials"]}
    return data


def _values(data: dict, venue: VenueType | None) -> tuple[dict, dict[str, str]]:
    """The services' values for save_event, and the errors found parsing them."""
    errors = {}
    held_on = None
    if data["held_on"]:
        try:
            held_on = date.fromisoformat(data["held_on"])
        except ValueError:
            errors["held_on"] = "活动日期格式不正确（应为 年-月-日）"
    campaign_id = data["campaign_id"]
    if not campaign_id and held_on and held_on <= local_today():
        campaign = services.campaign_for(held_on)
        campaign_id = campaign.id if campaign else None
    registered = venue is not None and bool(venue.org_kinds)
    values = {
        "venue_type_id": venue.id if venue else None,
        "place_id": data["place_id"] if registered else "",
        "place_name": data["place_name"] if venue is not None and not registered else "",
        "town_id": data["town"],
        "held_on": held_on,
        "campaign_id": campaign_id,
        "organizer_id": getattr(current_user, "organization_id", None),
        "forms": data["forms"],
        "audience": data["audience"],
        "households": data["households"] if venue is not None and venue.households else 0,
        "partners": data["partners"],
        "note": data["note"],
        "client_token": data["client_token"],
    }
    if data["type"] and venue is None:
        errors["type"] = "所选宣传场所类型不存在或已停用"
    return values, errors


def _photo_problem(uploads: list[tuple[str, bytes]]) -> str | None:
    """The first photo that will be refused, checked without storing (the form has other errors)."""
    config = current_app.config
    limit = config["OUTREACH_PHOTOS_PER_EVENT"]
    if len(uploads) > limit:
        return f"每次活动最多保存 {limit} 张照片，本次选择了 {len(uploads)} 张"
    for number, (name, data) in enumerate(uploads, 1):
        try:
            check_picture(data, "活动照片", max_bytes=config["PHOTO_MAX_BYTES"], max_pixels=config["PHOTO_MAX_PIXELS"])
        except UserError as exc:
            return f"第 {number} 张照片（{name}）：{exc.message}"
    return None


def _by_token(token: str) -> Event | None:
    if not token or not services.TOKEN.match(token):
        return None
    return db.session.scalar(select(Event).where(Event.client_token == token))


def _record(data: dict, venue: VenueType | None, uploads: list[tuple[str, bytes]]) -> tuple[Event, bool]:
    """Save the event and its photos in one transaction and commit: (event, whether it was already
    saved by an earlier try). Raises FieldErrors keyed by input name; nothing is left behind."""
    earlier = _by_token(data["client_token"])
    if earlier is not None:
        return earlier, True
    values, errors = _values(data, venue)
    stored: list[EventPhoto] = []
    try:
        event = services.save_event(None, values, data["materials"], current_user)
        if errors:  # (a date or type that did not parse fails the services' checks too)
            raise FieldErrors(errors)
        photo_views.attach_all(uploads, lambda data: services.add_photo(event, data, "", current_user), stored, 0,
                               current_app.config["OUTREACH_PHOTOS_PER_EVENT"], "活动")
        db.session.commit()
    except UserError as exc:
        files = [(p.key, p.thumb_key) for p in stored]
        db.session.rollback()
        photo_views.discard(files)
        found = dict(exc.errors) if isinstance(exc, FieldErrors) else {exc.field or "form": exc.message}
        found = {INPUT_NAMES.get(k, k): v for k, v in found.items()}
        found.update(errors)  # the parser's message says more ("格式不正确") than "请填写"
        found = {(k if k in FORM_FIELDS else "form"): v for k, v in found.items()}
        if "photos" not in found and uploads:
            problem = _photo_problem(uploads)
            if problem:
                found["photos"] = problem
        raise FieldErrors(found) from None
    except IntegrityError:
        # the same draft sent twice at once (a retry while the first try was still running): the
        # other request saved it
        files = [(p.key, p.thumb_key) for p in stored]
        db.session.rollback()
        photo_views.discard(files)
        earlier = _by_token(data["client_token"])
        if earlier is None:
            raise
        return earlier, True
    return event, False


def _render_form(data: dict, venue: VenueType | None, errors: dict | None = None, photos_lost: bool = False,
                 status: int = 200):
    today = local_today()
    town_id = as_id(data["town"])
    places, more = _places(venue, town_id, data["q"][:20], PLACES_PAGE_LIMIT) if venue else ([], False)
    chosen = as_id(data["place_id"])
    if chosen and not any(p["id"] == chosen for p in places):
        place = db.session.get(Organization, chosen)
        if place is not None:
            places.insert(0, {"id": place.id, "name": place.name, "town": ""})
    config = current_app.config
    return render_template(
        "outreach/phone/record.html", data=data, venue=venue, venues=services.venue_types(), towns=towns(),
        places=places, more_places=more, forms=ACTIVITY_FORMS, quick=QUICK_MATERIALS, more_materials=MORE_MATERIALS,
        campaigns=_campaigns(today), today=today, errors=errors or {}, photos_lost=photos_lost,
        max_photos=config["OUTREACH_PHOTOS_PER_EVENT"], max_side=config["PHOTO_MAX_SIDE"],
        max_request=config["MAX_CONTENT_LENGTH"], max_request_label=human_size(config["MAX_CONTENT_LENGTH"]),
        max_photo_label=human_size(config["PHOTO_MAX_BYTES"]),
        fresh=request.method == "GET" and not request.args), status


# ------------------------------------------------------------------------------------------ pages


@bp.get("/")
@require("outreach.edit")
def home():
    today = local_today()
    recent = db.session.scalars(
        select(Event).where(Event.created_by_id == current_user.id)
        .options(selectinload(Event.venue_type), selectinload(Event.place))
        .order_by(Event.held_on.desc(), Event.id.desc()).limit(RECENT_EVENTS)).all()
    return render_template("outreach/phone/home.html", campaign=services.campaign_for(today), today=today,
                           recent=recent)


@bp.route("/new", methods=["GET", "POST"])
@require("outreach.edit")
def record():
    if request.method == "GET":
        data = _data(request.args)
        data["held_on"] = data["held_on"] or local_today().isoformat()
        data["client_token"] = data["client_token"] if services.TOKEN.match(data["client_token"]) else _new_token()
        return _render_form(data, _venue(data["type"]))
    if _interrupted():
        return _interrupted_answer()
    data = _data(request.form)
    if not services.TOKEN.match(data["client_token"]):
        data["client_token"] = _new_token()  # a form without script or with a mangled token: one try
    venue = _venue(data["type"])
    uploads = photo_views.uploaded()
    try:
        event, again = _record(data, venue, uploads)
    except FieldErrors as exc:
        if _wants_json():
            return jsonify(errors=exc.errors), 400
        return _render_form(data, venue, exc.errors, photos_lost=bool(uploads), status=400)
    done = url_for(".done", event_id=event.id)
    if _wants_json():
        return jsonify(ok=True, event_id=event.id, url=done, duplicate=again)
    return redirect(done)


@bp.get("/places")
@require("outreach.edit")
def places():
    """The place picker: [{id, name, town}] of the venue type (?type= id or key), in the town
    (?town=), matching ?q=, at most PLACES_JSON_LIMIT."""
    venue = _venue(request.args.get("type"))
    rows, _more = _places(venue, as_id(request.args.get("town")), (request.args.get("q") or "").strip()[:20],
                          PLACES_JSON_LIMIT)
    return jsonify(rows)


@bp.get("/done/<int:event_id>")
@require("outreach.edit")
def done(event_id: int):
    event = db.session.scalar(
        select(Event).where(Event.id == event_id)
        .options(selectinload(Event.venue_type), selectinload(Event.place), selectinload(Event.town),
                 selectinload(Event.campaign), selectinload(Event.materials), selectinload(Event.photos)))
    if event is None:
        abort(404)
    return render_template("outreach/phone/done.html", event=event)
