"""Campaigns and venue types: the list of campaigns (period, events), one form for a campaign with
its targets grid (one row per venue type, one column for the county and one per town), the
campaign's page (targets with their progress from the coverage, its latest events, the summary
document), and the venue types an officer may add, correct, retire and restore."""

import re
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.auth.permissions import can, require
from webapp.common.ids import as_id
from webapp.common.time import local_today
from webapp.errors import FieldErrors, UserError, show_on_form
from webapp.extensions import db
from webapp.listing import args_without, paginate
from webapp.outreach import bp, coverage, services
from webapp.outreach.forms import MOMENTS, CampaignForm, VenueTypeForm
from webapp.outreach.models import Campaign, CampaignTarget, Event, VenueType
from webapp.registry import services as registry
from webapp.registry.models import KIND_LABELS, Organization

TARGET_INPUT = re.compile(r"^target-(\d{1,10})-(\d{1,10})$")  # target-<venue type id>-<town id, 0 = county>
LATEST_EVENTS = 10


def campaign_or_404(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def _phase(campaign: Campaign, today: date) -> str:
    if today < campaign.starts_on:
        return "未开始"
    return "已结束" if today > campaign.ends_on else "进行中"


# ------------------------------------------------------------------------------------ campaigns


def _event_counts(ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """campaign id → (events, audience, materials), in one GROUP BY."""
    if not ids:
        return {}
    rows = db.session.execute(select(Event.campaign_id, func.count(Event.id), func.coalesce(func.sum(Event.audience), 0),
                                     func.coalesce(func.sum(Event.materials_total), 0))
                              .where(Event.campaign_id.in_(ids)).group_by(Event.campaign_id))
    return {cid: (n, int(audience), int(materials)) for cid, n, audience, materials in rows}


def _campaign_years() -> list[int]:
    first, last = db.session.execute(select(func.min(Campaign.starts_on), func.max(Campaign.ends_on))).one()
    this_year = local_today().year
    low, high = min(first.year if first else this_year, this_year), max(last.year if last else this_year, this_year)
    return list(range(high, low - 1, -1))


@bp.get("/campaigns")
@require("outreach.view")
def campaigns():
    query = select(Campaign).options(selectinload(Campaign.targets)).order_by(Campaign.starts_on.desc(),
                                                                               Campaign.id.desc())
    text = (request.args.get("q") or "").strip()
    if text:
        query = query.where(Campaign.name.contains(text, autoescape=True) | Campaign.theme.contains(text, autoescape=True))
    year = as_id(request.args.get("year"))
    if year and 2000 <= year <= 2100:  # campaigns running some time in the year
        query = query.where(Campaign.starts_on <= date(year, 12, 31), Campaign.ends_on >= date(year, 1, 1))
    today = local_today()
    behind = {}
    if request.args.get("behind") == "1":
        behind = {c.id: n for c, n in coverage.running_behind(today)}
        query = query.where(Campaign.id.in_(list(behind)))
    page = paginate(query)
    return render_template("outreach/campaigns.html", page=page, counts=_event_counts([c.id for c in page.items]),
                           phases={c.id: _phase(c, today) for c in page.items}, years=_campaign_years(),
                           filters=args_without("page"), behind=behind)


def _grid(campaign: Campaign | None, values: dict[str, str] | None = None) -> dict:
    """The targets grid: the active venue types (and retired ones holding a target of this
    campaign, so saving keeps them), the county and every town (and a retired town with a target)."""
    targets = list(campaign.targets) if campaign is not None else []
    held_types = {t.venue_type_id for t in targets}
    types = [v for v in services.venue_types(active_only=False) if v.active or v.id in held_types]
    towns = registry.towns()
    missing = {t.town_id for t in targets if t.town_id} - {t.id for t in towns}
    if missing:
        towns += list(db.session.scalars(select(Organization).where(Organization.id.in_(missing))
                                         .order_by(Organization.name)))
    if values is None:
        values = {f"target-{t.venue_type_id}-{t.town_id or 0}": str(t.target) for t in targets}
    return {"types": types, "towns": towns, "values": values}


def _posted_targets() -> tuple[list[dict], dict[str, str]]:
    """The grid as posted: rows for services and the typed values to show again."""
    rows, values = [], {}
    for name, raw in request.form.items():
        match = TARGET_INPUT.match(name)
        if match is None:
            continue
        values[name] = raw
        town = int(match.group(2))
        rows.append({"venue_type_id": match.group(1), "town_id": town or None, "target": raw})
    return rows, values


def _campaign_values(form: CampaignForm) -> dict:
    return {"name": form.name.data, "theme": form.theme.data, "moment": form.moment_value,
            "starts_on": form.starts_on.data, "ends_on": form.ends_on.data, "note": form.note.data}


def _save(form: CampaignForm, campaign: Campaign | None):
    """Validate and save: (the campaign or None, the grid's error, the grid's values as typed)."""
    rows, values = _posted_targets()
    if not form.validate_on_submit():
        return None, None, values
    try:
        saved = services.save_campaign(campaign, _campaign_values(form), rows, current_user)
    except UserError as exc:
        grid_error = exc.errors.pop("targets", None) if isinstance(exc, FieldErrors) else None
        if isinstance(exc, FieldErrors) and not exc.errors:
            db.session.rollback()
        else:
            show_on_form(form, exc)
        return None, grid_error, values
    db.session.commit()
    return saved, None, values


def _render_campaign_form(form: CampaignForm, campaign: Campaign | None, values: dict | None = None,
                          grid_error: str | None = None):
    return render_template("outreach/campaign_form.html", form=form, campaign=campaign,
                           grid=_grid(campaign, values), grid_error=grid_error, moments=MOMENTS)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@require("outreach.edit")
def campaign_new():
    form = CampaignForm()
    if request.method == "GET":
        year = local_today().year
        form.starts_on.data, form.ends_on.data = date(year, 1, 1), date(year, 12, 31)
        return _render_campaign_form(form, None)
    saved, grid_error, values = _save(form, None)
    if saved is not None:
        flash(f"已保存宣传活动“{saved.name}”（目标 {len(saved.targets)} 项）", "success")
        return redirect(url_for("outreach.campaign", campaign_id=saved.id))
    return _render_campaign_form(form, None, values, grid_error)


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@require("outreach.edit")
def campaign_edit(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    if request.method == "GET":
        form = CampaignForm(obj=campaign)
        form.set_moment(campaign.moment)
        return _render_campaign_form(form, campaign)
    form = CampaignForm()
    saved, grid_error, values = _save(form, campaign)
    if saved is not None:
        flash(f"已保存宣传活动“{saved.name}”（目标 {len(saved.targets)} 项）", "success")
        return redirect(url_for("outreach.campaign", campaign_id=saved.id))
    return _render_campaign_form(form, campaign, values, grid_error)


def _documents(campaign: Campaign) -> list:
    from webapp.outreach import paperwork  # the summary document's module (imports the document engine)

    return paperwork.documents_for(campaign)


def target_rows(campaign: Campaign, result: coverage.Coverage) -> list[dict]:
    """Each target with what was reached: the county first, then the towns by name, types in order."""
    types = {t.id: t for t in result.types}
    order = {t.id: i for i, t in enumerate(result.types)}
    towns = {t.id: t.name for t in result.towns}
    missing = {t.town_id for t in campaign.targets if t.town_id and t.town_id not in towns}
    if missing:
        towns |= dict(db.session.execute(select(Organization.id, Organization.name)
                                         .where(Organization.id.in_(missing))).all())
    rows = []
    for target in campaign.targets:
        found = (result.county if target.town_id is None else result.by_town.get(target.town_id, {})).get(
            target.venue_type_id) or coverage.Cell()
        cell = coverage.Cell(reached=found.reached, total=found.total, events=found.events, target=target.target)
        rows.append({"where": towns.get(target.town_id, "") if target.town_id else "全县", "town_id": target.town_id,
                     "venue": types.get(target.venue_type_id), "cell": cell})
    rows.sort(key=lambda r: (r["town_id"] is not None, r["where"], order.get(r["venue"].id if r["venue"] else 0, 99)))
    return rows


@bp.get("/campaigns/<int:campaign_id>", endpoint="campaign")
@require("outreach.view")
def campaign_detail(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    result = coverage.coverage(coverage.Scope.for_campaign(campaign))
    events, audience, materials, households = db.session.execute(select(
        func.count(Event.id), func.coalesce(func.sum(Event.audience), 0),
        func.coalesce(func.sum(Event.materials_total), 0), func.coalesce(func.sum(Event.households), 0))
        .where(Event.campaign_id == campaign.id)).one()
    latest = list(db.session.scalars(
        select(Event).where(Event.campaign_id == campaign.id)
        .options(selectinload(Event.venue_type), selectinload(Event.place), selectinload(Event.town))
        .order_by(Event.held_on.desc(), Event.id.desc()).limit(LATEST_EVENTS)))
    today = local_today()
    days = (campaign.ends_on - campaign.starts_on).days + 1
    elapsed = min(max((today - campaign.starts_on).days + 1, 0), days)
    rows = target_rows(campaign, result)
    return render_template(
        "outreach/campaign.html", campaign=campaign, coverage=result, targets=rows,
        behind=sum(1 for r in rows if r["cell"].behind), phase=_phase(campaign, today),
        time_share=round(100 * elapsed / days), totals={"events": events, "audience": int(audience),
                                                        "materials": int(materials), "households": int(households)},
        latest=latest, documents=_documents(campaign), editable=can("outreach.edit"))


# ---------------------------------------------------------------------------------- venue types


def venue_type_or_404(type_id: int) -> VenueType:
    venue = db.session.get(VenueType, type_id)
    if venue is None:
        abort(404)
    return venue


@bp.get("/venue-types")
@require("outreach.view")
def venue_types():
    # A handful of rows (five, seven, a region's own): not paginated.
    types = services.venue_types(active_only=False)
    events = dict(db.session.execute(select(Event.venue_type_id, func.count(Event.id)).group_by(Event.venue_type_id)).all())
    targets = dict(db.session.execute(select(CampaignTarget.venue_type_id, func.count(CampaignTarget.id))
                                      .group_by(CampaignTarget.venue_type_id)).all())
    return render_template("outreach/venue_types.html", types=types, events=events, targets=targets,
                           kind_labels={k.value: v for k, v in KIND_LABELS.items()})


def _venue_values(form: VenueTypeForm) -> dict:
    return {name: form[name].data for name in ("key", "label", "place_label", "org_kinds", "households", "position")}


@bp.route("/venue-types/new", methods=["GET", "POST"])
@require("outreach.edit")
def venue_type_new():
    form = VenueTypeForm()
    if form.validate_on_submit():
        try:
            venue = services.save_venue_type(None, _venue_values(form))
        except UserError as exc:
            show_on_form(form, exc)
        else:
            db.session.commit()
            flash(f"已添加场所类型“{venue.label}”，记录活动时即可选择", "success")
            return redirect(url_for("outreach.venue_types"))
    return render_template("outreach/venue_type_form.html", form=form, venue=None)


@bp.route("/venue-types/<int:type_id>/edit", methods=["GET", "POST"])
@require("outreach.edit")
def venue_type_edit(type_id: int):
    venue = venue_type_or_404(type_id)
    form = VenueTypeForm(obj=venue) if request.method == "GET" else VenueTypeForm()
    if request.method == "GET":
        form.org_kinds.data = list(venue.org_kinds or [])
        form.position.data = str(venue.position)
    if form.validate_on_submit():
        try:
            services.save_venue_type(venue, _venue_values(form))
        except UserError as exc:
            show_on_form(form, exc)
        else:
            db.session.commit()
            flash(f"已保存场所类型“{venue.label}”", "success")
            return redirect(url_for("outreach.venue_types"))
    form.key.data = venue.key  # fixed once created
    return render_template("outreach/venue_type_form.html", form=form, venue=venue)


@bp.post("/venue-types/<int:type_id>/status")
@require("outreach.edit")
def venue_type_status(type_id: int):
    venue = venue_type_or_404(type_id)
    active = request.form.get("active") == "1"
    try:
        services.set_venue_type_active(venue, active)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        if active:
            flash(f"已恢复场所类型“{venue.label}”，记录活动时可以再选择", "success")
        else:
            flash(f"已停用场所类型“{venue.label}”：新的活动不能再选择它，已记录的活动和覆盖统计不受影响", "success")
    return redirect(url_for("outreach.venue_types"))

