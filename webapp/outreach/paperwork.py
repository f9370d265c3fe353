"""A campaign's summary (宣传活动总结) through the document engine: what the campaign was (name,
period, theme), what was done in figures and sentences, a table of places reached by town and
venue type against the registry, the targets and how far they were met, the materials handed out
by kind, a few photos (the latest events' first photos, captioned with place and date), signed by
the bureau. The context is built here from the figures and coverage modules; documents.services
.render_for renders and keeps the file, so it shows among the bureau's generated documents."""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp import storage
from webapp.common.time import local_today
from webapp.documents import services as documents
from webapp.documents.filters import cn_date
from webapp.documents.images import Picture
from webapp.documents.models import GeneratedDocument
from webapp.errors import UserError
from webapp.extensions import db
from webapp.outreach import figures
from webapp.outreach.coverage import Cell, Scope, coverage
from webapp.outreach.models import Campaign, Event, EventPhoto

SUMMARY_PHOTOS = 6  # photos in the summary, two to a row
PHOTO_WIDTH_MM = 74  # a landscape photo; a portrait one is PHOTO_HEIGHT_MM high
PHOTO_HEIGHT_MM = 56
FORMATS = ("docx", "pdf")


def source(campaign: Campaign) -> str:
    return f"outreach-campaign:{campaign.id}"


def documents_for(campaign: Campaign, limit: int = 20) -> list[GeneratedDocument]:
    """Documents generated for this campaign (its summaries), newest first."""
    return list(db.session.scalars(select(GeneratedDocument).where(GeneratedDocument.source == source(campaign))
                                   .order_by(GeneratedDocument.id.desc()).limit(limit)))


def period(campaign: Campaign) -> str:
    """2026年6月1日至6月30日 (the year once when both dates are in it)."""
    start, end = campaign.starts_on, campaign.ends_on
    if start == end:
        return cn_date(start)
    tail = f"{end.month}月{end.day}日" if end.year == start.year else cn_date(end)
    return f"{cn_date(start)}至{tail}"


def summary_title(campaign: Campaign) -> str:
    name = campaign.name.strip()
    return f"{name}总结" if name.endswith(("活动", "宣传周", "宣传月")) else f"{name}宣传活动总结"


# ------------------------------------------------------------------------------------ photos


def _picture(photo: EventPhoto) -> Picture | None:
    """The stored (resized) JPEG, sized for a half-width cell; None when its file has gone missing."""
    if not storage.exists(photo.key):
        return None
    with storage.open_file(photo.key) as f:
        data = f.read()
    if photo.height > photo.width:
        return Picture(data, width_mm=None, height_mm=PHOTO_HEIGHT_MM, what="活动照片")
    return Picture(data, width_mm=PHOTO_WIDTH_MM, what="活动照片")


def photos(campaign: Campaign, limit: int = SUMMARY_PHOTOS) -> list[dict]:
    """The first photo of each of the latest events with photos: {image, caption (place, date)}."""
    first = (select(func.min(EventPhoto.id)).join(Event, Event.id == EventPhoto.event_id)
             .where(Event.campaign_id == campaign.id).group_by(EventPhoto.event_id))
    found = db.session.scalars(
        select(EventPhoto).join(Event, Event.id == EventPhoto.event_id).where(EventPhoto.id.in_(first))
        .options(selectinload(EventPhoto.event).selectinload(Event.place))
        .order_by(Event.held_on.desc(), Event.id.desc()).limit(limit * 2))
    out = []
    for photo in found:
        if len(out) >= limit:
            break
        picture = _picture(photo)
        if picture is None:
            continue
        event = photo.event
        caption = f"{event.place_title or '活动现场'}，{cn_date(event.held_on)}"
        if photo.caption:
            caption += f"：{photo.caption}"
        out.append({"image": picture, "caption": caption})
    return out


# ------------------------------------------------------------------------------------ tables


def _shown_types(result, types_rows: list[dict]) -> list:
    """Active venue types, and a retired one only when the campaign had events of it."""
    had = {r["type_id"] for r in types_rows if r["events"]}
    return [t for t in result.types if t.active or t.id in had]


def cell_text(venue, cell: Cell | None) -> str:
    """5/12 (places reached / places in the registry); 230户 for households; 3处 for named places;
    the bare count where there is no total (registry places outside any town: 县本级)."""
    cell = cell or Cell()
    if venue.households:
        return f"{cell.reached:,}户"
    if not venue.org_kinds:
        return f"{cell.reached:,}处"
    return f"{cell.reached:,}" if cell.total is None else f"{cell.reached:,}/{cell.total:,}"


def coverage_table(result, shown: list) -> tuple[list[str], list[dict], list[str]]:
    """(headers, rows of {"cells": [town, …]}, the county row) for the table by town × venue type."""
    headers = ["乡镇（街道）"] + [t.label for t in shown]
    rows = []
    for town in result.towns:
        cells = result.by_town.get(town.id, {})
        rows.append({"cells": [town.name] + [cell_text(t, cells.get(t.id)) for t in shown]})
    county_level = result.by_town.get(None, {})
    if any(c.events for c in county_level.values()):
        rows.append({"cells": [figures.COUNTY_LEVEL] + [cell_text(t, county_level.get(t.id)) for t in shown]})
    total = ["全县"] + [cell_text(t, result.county.get(t.id)) for t in shown]
    return headers, rows, total


def _unit(venue) -> str:
    return "户" if venue.households else f"{figures.counter(venue)}"


def target_rows(result) -> list[dict]:
    """Every target of the campaign: county-wide first, then by town, in venue type order."""
    rows = []
    places = [("全县", result.county)] + [(t.name, result.by_town.get(t.id, {})) for t in result.towns]
    for where, cells in places:
        for venue in result.types:
            cell = cells.get(venue.id)
            if cell is None or cell.target is None:
                continue
            rows.append({"where": where, "venue": venue.label, "target": f"{cell.target:,}{_unit(venue)}",
                         "reached": f"{cell.reached:,}{_unit(venue)}",
                         "progress": f"{cell.progress:.1f}%" if cell.progress is not None else "—",
                         "status": "未完成" if cell.behind else "已完成", "behind": cell.behind})
    return rows


def _rate(cell: Cell | None) -> str:
    return f"{cell.rate:.1f}%" if cell is not None and cell.rate is not None else "—"


# ------------------------------------------------------------------------------------ sentences


def _listing(pairs: list[tuple[str, int]], unit: str) -> str:
    return "、".join(f"{label} {count:,} {unit}" for label, count in pairs)


def summary_sentences(campaign: Campaign, numbers: dict, types: list[dict], forms: list[dict],
                      towns: list[dict], targets: list[dict]) -> list[str]:
    lines = [figures.describe(f"活动期间（{period(campaign)}），共组织开展安全宣传“五进”活动", numbers, types)]
    kinds = [(r["label"], r["events"]) for r in types if r["events"]]
    if len(kinds) > 1:
        lines.append(f"按宣传场所分，{_listing(kinds, '场')}。")
    used = sorted(((r["label"], r["events"]) for r in forms if r["events"]), key=lambda p: -p[1])
    if used:
        lines.append(f"活动形式包括{_listing(used, '场')}（一场活动可有多种形式）。")
    active = [r for r in towns if r["events"] and r["label"] != figures.COUNTY_LEVEL]
    if active:
        top = max(active, key=lambda r: r["events"])
        lines.append(f"共有 {len(active)} 个乡镇（街道）开展了活动，其中{top['label']}开展最多（{top['events']:,} 场）。")
    if not targets:
        lines.append("本次活动未设定量化目标。")
    else:
        behind = [t for t in targets if t["behind"]]
        done = len(targets) - len(behind)
        if not behind:
            lines.append(f"本次活动设定目标 {len(targets)} 项，已全部完成。")
        else:
            missing = "；".join(f"{t['where']}{t['venue']}（完成 {t['reached']}，目标 {t['target']}）" for t in behind[:5])
            more = f"等 {len(behind)} 项" if len(behind) > 5 else ""
            lines.append(f"本次活动设定目标 {len(targets)} 项，已完成 {done} 项，未完成：{missing}{more}。")
    return lines


# ------------------------------------------------------------------------------------ context


def summary_context(campaign: Campaign, today: date | None = None, max_photos: int = SUMMARY_PHOTOS) -> dict:
    """The "outreach_summary" kind's fields for this campaign; UserError when it has no events."""
    numbers = figures.totals(None, campaign_id=campaign.id)
    if not numbers["events"]:
        raise UserError(f"“{campaign.name}”还没有活动记录，无法生成活动总结；请先记录活动")
    types = figures.by_type(None, campaign_id=campaign.id)
    result = coverage(Scope.for_campaign(campaign))
    shown = _shown_types(result, types)
    headers, rows, total = coverage_table(result, shown)
    targets = target_rows(result)
    stuff = figures.materials(None, campaign_id=campaign.id)
    shown_ids = {t.id for t in shown}
    return {
        "title": summary_title(campaign),
        "campaign": campaign.name,
        "period": period(campaign),
        "theme": campaign.theme or None,
        "summary": summary_sentences(campaign, numbers, types, figures.by_form(None, campaign_id=campaign.id),
                                     figures.by_town(None, campaign_id=campaign.id), targets),
        "by_type": [{"venue": r["label"], "events": f"{r['events']:,}", "audience": f"{r['audience']:,}",
                     "places": f"{r['reached']:,}{'户' if r['by_households'] else ''}",
                     "rate": _rate(result.county.get(r["type_id"]))}
                    for r in types if r["type_id"] in shown_ids],
        "coverage_headers": headers,
        "coverage": rows,
        "coverage_total": total,
        "targets": [{k: v for k, v in t.items() if k != "behind"} for t in targets],
        "materials": [{"kind": r["label"], "quantity": f"{r['quantity']:,}"} for r in stuff],
        "materials_total": numbers["materials"],
        "photos": photos(campaign, max_photos),
        "issuer": documents.bureau_name(),
        "date": today or local_today(),
        "seal": documents.bureau_seal(),
    }


def render_summary(campaign: Campaign, user=None, fmt: str = "docx") -> GeneratedDocument:
    """Render and keep the summary (.docx; the caller sends PDF through generated_file when fmt is pdf)."""
    if fmt not in FORMATS:
        raise UserError("请选择输出格式（Word 或 PDF）", field="fmt")
    context = summary_context(campaign)
    return documents.render_for("outreach_summary", context, title=summary_title(campaign), user=user,
                                source=source(campaign))
