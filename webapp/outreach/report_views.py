"""Reports on outreach: coverage by town and venue type against the registry (coverage.py), the
places not reached yet, the year's figures (figures.py) with their Excel, and a campaign's summary
(paperwork.py) in Word or PDF."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.auth.permissions import require
from webapp.common.figures import year_from
from webapp.common.identifiers import mask_phone
from webapp.common.ids import as_id
from webapp.common.spreadsheets import workbook_bytes, xlsx_response
from webapp.common.time import local_today
from webapp.documents import pdf
from webapp.errors import UserError
from webapp.extensions import db
from webapp.listing import args_without, paginate
from webapp.outreach import bp, paperwork
from webapp.outreach import coverage as reach
from webapp.outreach import figures as outreach_figures
from webapp.outreach.models import Campaign, Event, VenueType
from webapp.outreach.services import venue_types
from webapp.registry.models import Organization
from webapp.registry.services import towns

YEARS_SHOWN = 6  # the year choosers go back this many years

# ------------------------------------------------------------------------------------- scope


class Chosen:
    """What the coverage pages look at: a campaign, or a year; a town or the county."""

    def __init__(self, args):
        self.error = None
        self.campaign = None
        self.year = None
        campaign_id = as_id(args.get("campaign"))
        if args.get("campaign") and campaign_id is None:
            abort(404)
        if campaign_id:
            self.campaign = db.get_or_404(Campaign, campaign_id)
        else:
            try:
                self.year = year_from(args)
            except UserError as exc:
                self.error = exc.message
                self.year = year_from({})
        town_id = as_id(args.get("town"))
        self.town = db.session.get(Organization, town_id) if town_id else None
        self.town_id = self.town.id if self.town is not None else None

    @property
    def scope(self) -> reach.Scope:
        if self.campaign is not None:
            return reach.Scope.for_campaign(self.campaign, self.town_id)
        return reach.Scope.for_year(self.year, self.town_id)

    @property
    def scope_args(self) -> dict:
        """The campaign or the year as query arguments, for links to the events list and the other reports."""
        return {"campaign": self.campaign.id} if self.campaign is not None else {"year": self.year}

    @property
    def label(self) -> str:
        where = f"{self.town.name} · " if self.town is not None else ""
        return where + (self.campaign.name if self.campaign is not None else f"{self.year}年")


def _campaigns() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())))


def _shown_types(result: reach.Coverage) -> list[VenueType]:
    """Active venue types, and a retired one only when it has events in the scope."""
    return [t for t in result.types if t.active or result.county.get(t.id, reach.Cell()).events]


# ---------------------------------------------------------------------------------- coverage


@bp.get("/coverage")
@require("outreach.view")
def coverage():
    chosen = Chosen(request.args)
    result = reach.coverage(chosen.scope)
    types = _shown_types(result)
    rows = [{"town": town, "label": town.name, "cells": result.by_town.get(town.id, {})} for town in result.towns]
    county_level = result.by_town.get(None, {})
    if any(c.events for c in county_level.values()):
        rows.append({"town": None, "label": outreach_figures.COUNTY_LEVEL, "cells": county_level})
    behind = sum(1 for row in rows for c in row["cells"].values() if c.behind)
    behind += sum(1 for c in result.county.values() if c.behind)
    events = sum(c.events for c in result.county.values())
    return render_template("outreach/coverage.html", chosen=chosen, result=result, types=types, rows=rows,
                           behind=behind, events=events, campaigns=_campaigns(), towns=towns(),
                           this_year=local_today().year, years=YEARS_SHOWN)


# ------------------------------------------------------------------------------- not reached


def _venue(args) -> VenueType | None:
    """?type= (404 when unknown); without it the first active type with registry places."""
    raw = args.get("type")
    if raw:
        venue = db.session.get(VenueType, as_id(raw) or 0)
        if venue is None:
            abort(404)
        return venue
    return next((t for t in venue_types() if t.org_kinds), None)


@bp.get("/coverage/not-reached")
@require("outreach.view")
def not_reached():
    chosen = Chosen(request.args)
    venue = _venue(request.args)
    listed = venue is not None and bool(venue.org_kinds)
    query = reach.not_reached(chosen.scope, venue) if listed else None
    if request.args.get("format") == "xlsx" and listed and chosen.error is None:
        places = db.session.scalars(query.options(selectinload(Organization.town)))
        headers = ("乡镇（街道）", "名称", "类别", "地址", "联系人", "联系电话")
        data = [(p.town.name if p.town else outreach_figures.COUNTY_LEVEL, p.name, p.kind_label, p.address or "",
                 p.contact_name or "", mask_phone(p.contact_phone)) for p in places]
        return xlsx_response(f"未覆盖{venue.place_label}名单-{chosen.label.replace(' · ', '-')}.xlsx",
                             workbook_bytes(headers, data))
    page = by_town = None
    if listed:
        page = paginate(query.options(selectinload(Organization.town)))
        subquery = query.order_by(None).subquery()
        counts = dict(db.session.execute(select(subquery.c.town_id, func.count()).group_by(subquery.c.town_id)).all())
        names = {t.id: t.name for t in towns()}
        by_town = sorted(((names.get(k, outreach_figures.COUNTY_LEVEL) if k else outreach_figures.COUNTY_LEVEL, n)
                          for k, n in counts.items()), key=lambda pair: pair[0])
    return render_template("outreach/not_reached.html", chosen=chosen, venue=venue, listed=listed, page=page,
                           by_town=by_town, types=[t for t in venue_types() if t.org_kinds], campaigns=_campaigns(),
                           towns=towns(), this_year=local_today().year, years=YEARS_SHOWN,
                           filters=args_without("page"), export_args=args_without("page", "format"))


# ------------------------------------------------------------------------------------- figures


@bp.get("/figures")
@require("outreach.view")
def figures():
    error = None
    try:
        year = year_from(request.args)
    except UserError as exc:
        error = exc.message
        year = year_from({})
    town_id = as_id(request.args.get("town"))
    figs = outreach_figures.figures(year, town_id)
    if request.args.get("format") == "xlsx" and error is None:
        place = f"{figs['town_name']}-" if figs["town_name"] else ""
        return xlsx_response(f"安全宣传统计-{place}{year}年.xlsx", outreach_figures.figures_workbook(figs))
    peak = max((r["events"] for r in figs["tables"]["month"]), default=0)
    return render_template("outreach/figures.html", figs=figs, error=error, towns=towns(),
                           this_year=local_today().year, years=YEARS_SHOWN, labels=outreach_figures.TABLES,
                           peak=peak, args=args_without("format"))


# ----------------------------------------------------------------------------------- documents


def _output() -> str:
    output = request.form.get("fmt") or "docx"
    if output not in paperwork.FORMATS:
        output = "docx"
    if output == "pdf" and not pdf.available():
        flash("本机未安装 PDF 转换组件，已生成 Word 版本", "warning")
        output = "docx"
    return output


@bp.post("/campaigns/<int:campaign_id>/summary-doc")
@require("outreach.edit")
def summary_doc(campaign_id: int):
    """The campaign's summary (宣传活动总结): render, then send the user to the file; on a refusal
    back to the campaign with the reason."""
    campaign = db.get_or_404(Campaign, campaign_id)
    output = _output()
    try:
        document = paperwork.render_summary(campaign, current_user, output)
    except UserError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("outreach.campaign", campaign_id=campaign.id) + "#documents")
    return redirect(url_for("documents.generated_file", document_id=document.id, fmt=output))


@bp.app_template_global()
def outreach_campaign_has_events(campaign_id: int) -> bool:
    """Whether a campaign has events, so its page offers the summary only when there is something to sum up."""
    return db.session.scalar(select(Event.id).where(Event.campaign_id == campaign_id).limit(1)) is not None
