"""Outreach figures: the numbers a bureau puts in its annual report (“全年开展安全宣传“五进”活动
1,520 场，受众 98,000 人次，发放各类宣传资料和物品 70,000 余份，覆盖 412 家企业、325 个行政村、
23 个社区、396 所学校”), by venue type, town, month, activity form and kind of material.

An event keeps its place's town (copied when saved) and the sum of its materials, so every table is
one GROUP BY over the events table; the activity forms, a JSON list, are grouped by their text (a
few distinct combinations) and split in Python. Places reached are distinct places (DOMAIN.md §6),
households for 进家庭. Results are plain dicts and lists so the dashboard can reuse them:
figures(year, town_id), totals(year, town_id), by_type(year, town_id), sentence(...); the campaign
summary uses the same functions with campaign_id instead of a year.
"""

import json
from datetime import date
from functools import cache

from sqlalchemy import Text, case, cast, extract, func, select
from sqlalchemy.orm import aliased

from webapp.common.figures import Period, as_period, change, period_words, town_name
from webapp.common.spreadsheets import workbook_bytes
from webapp.common.time import month_of
from webapp.extensions import db
from webapp.outreach.models import ACTIVITY_FORMS, MATERIAL_KINDS, Event, EventMaterial, VenueType
from webapp.outreach.services import venue_types
from webapp.registry.models import Organization
from webapp.registry.services import towns

COUNTY_LEVEL = "县本级"  # events at places outside any town (a county department, a named place)
MEASURES = ("events", "audience", "households", "materials", "places")
TABLES = {"type": "宣传场所类型", "town": "乡镇（街道）", "month": "月份", "form": "活动形式"}
# How a place of each venue type is counted in a sentence: 412 家企业、396 所学校 (default 个).
COUNTERS = {"enterprise": "家", "school": "所", "agency": "家", "public": "处"}
OTHER_MATERIAL = "其他"


def _where(year: int | Period | None, town_id: int | None, campaign_id: int | None = None) -> list:
    conditions = []
    if year is not None:
        period = as_period(year)
        conditions += [Event.held_on >= period.first, Event.held_on <= period.last]
    if town_id:
        conditions.append(Event.town_id == town_id)
    if campaign_id is not None:
        conditions.append(Event.campaign_id == campaign_id)
    return conditions


# Places reached are counted among the active registry places, as on the coverage page
# (coverage.py), so the report's sentence and the coverage page give the same numbers.
@cache
def _place():
    """The events' registry place, aliased (made on first use: aliasing configures the mappers)."""
    return aliased(Organization, name="reached_place")


def _measures() -> tuple:
    # count(*): the events, as count(id) (events are the left side of the join); PostgreSQL can
    # then answer from ix_outreach_events_held_figures without reading the events themselves
    return (func.count(), func.coalesce(func.sum(Event.audience), 0),
            func.coalesce(func.sum(Event.households), 0), func.coalesce(func.sum(Event.materials_total), 0),
            _places())


def _places():
    """Places reached: the active registry places of the venue types counted by place, plus the
    named places (by name). Types counted in households (进家庭) say households instead, so the
    total is what the report's sentence lists (“覆盖 260 家企业、13 处公共场所……”) added up."""
    by_place = Event.venue_type_id.not_in(select(VenueType.id).where(VenueType.households.is_(True)))
    registry = func.count(func.distinct(case((_place().active.is_(True) & by_place, Event.place_id))))
    named = func.count(func.distinct(case((Event.place_id.is_(None) & (Event.place_name != ""), Event.place_name))))
    return registry + named


def _select(*columns):
    """SELECT columns FROM the events, each joined to its registry place (for the active check)."""
    return select(*columns).select_from(Event).outerjoin(_place(), _place().id == Event.place_id)


def _numbers(row) -> dict:
    return {name: int(value or 0) for name, value in zip(MEASURES, row, strict=True)}


def totals(year: int | Period | None, town_id: int | None = None, campaign_id: int | None = None) -> dict:
    """Events, audience (人次), households visited, materials handed out, distinct registry places
    reached, towns reached — in one query."""
    row = db.session.execute(_select(*_measures(), func.count(func.distinct(Event.town_id)))
                             .where(*_where(year, town_id, campaign_id))).one()
    return _numbers(row[:len(MEASURES)]) | {"towns": int(row[-1] or 0)}


def grouped(column, year: int | Period | None, town_id: int | None, campaign_id: int | None = None,
             extra: tuple = ()) -> dict:
    """key → {measure: number, and the extra columns by position as extra0, extra1 …}."""
    rows = db.session.execute(_select(column, *_measures(), *extra).where(*_where(year, town_id, campaign_id))
                              .group_by(column))
    out = {}
    for row in rows:
        numbers = _numbers(row[1:1 + len(MEASURES)])
        for index, value in enumerate(row[1 + len(MEASURES):]):
            numbers[f"extra{index}"] = int(value or 0)
        out[row[0]] = numbers
    return out


def _row(label: str, found: dict | None, previous: dict | None) -> dict:
    row = {"label": label} | {name: 0 for name in MEASURES}
    if found:
        row.update({name: found[name] for name in MEASURES})
    row["previous"] = previous["events"] if previous else 0
    return row


def _previous(column, year: int | None, town_id: int | None, campaign_id: int | None, extra: tuple = ()) -> dict:
    return grouped(column, year - 1, town_id, campaign_id, extra) if year is not None else {}


def counter(venue) -> str:
    return COUNTERS.get(venue.key, "个")


def by_type(year: int | None, town_id: int | None = None, campaign_id: int | None = None) -> list[dict]:
    """Every active venue type (and a retired one that had events), in their order: events,
    audience, materials, households, distinct places (named places by name; none for 进家庭), and
    `reached` — the places, or the households for 进家庭 — with the words for a sentence."""
    found = grouped(Event.venue_type_id, year, town_id, campaign_id)
    previous = _previous(Event.venue_type_id, year, town_id, campaign_id)
    rows = []
    for venue in venue_types(active_only=False):
        if not venue.active and venue.id not in found:
            continue
        row = _row(venue.label, found.get(venue.id), previous.get(venue.id))
        row |= {"key": venue.key, "type_id": venue.id, "place_label": venue.place_label,
                "counter": counter(venue), "by_households": venue.households,
                "reached": row["households"] if venue.households else row["places"]}
        rows.append(row)
    return rows


def by_town(year: int | None, town_id: int | None = None, campaign_id: int | None = None) -> list[dict]:
    """Every active town (those without events too), then any inactive town with events, then 县本级."""
    found = grouped(Event.town_id, year, town_id, campaign_id)
    previous = _previous(Event.town_id, year, town_id, campaign_id)
    listed = [t for t in towns() if not town_id or t.id == town_id]
    names = {t.id: t.name for t in listed}
    others = [k for k in found if k and k not in names]
    if others:
        names |= dict(db.session.execute(select(Organization.id, Organization.name)
                                          .where(Organization.id.in_(others))).all())
    rows = [_row(t.name, found.get(t.id), previous.get(t.id)) | {"town_id": t.id} for t in listed]
    rows += [_row(names[k], found[k], previous.get(k)) | {"town_id": k} for k in sorted(others, key=lambda k: names[k])]
    if None in found:
        rows.append(_row(COUNTY_LEVEL, found[None], previous.get(None)) | {"town_id": None})
    return rows


def by_month(year: int, town_id: int | None = None) -> list[dict]:
    month = extract("month", Event.held_on)
    found = {int(k): v for k, v in grouped(month, year, town_id).items()}  # PostgreSQL's EXTRACT gives a numeric
    previous = {int(k): v for k, v in grouped(month, year - 1, town_id).items()}
    return [_row(f"{m}月", found.get(m), previous.get(m)) for m in range(1, 13)]


def _form_counts(year: int | None, town_id: int | None, campaign_id: int | None) -> dict[str, dict]:
    """form → {events, audience}: one GROUP BY over the forms' text (few distinct combinations),
    each combination's counts added to each of its forms."""
    text = cast(Event.forms, Text)
    rows = db.session.execute(select(text, func.count(Event.id), func.coalesce(func.sum(Event.audience), 0))
                              .where(*_where(year, town_id, campaign_id)).group_by(text))
    out: dict[str, dict] = {}
    for raw, events, audience in rows:
        try:
            forms = json.loads(raw) if raw else []
        except ValueError:
            forms = []
        for form in set(forms if isinstance(forms, list) else []):
            counts = out.setdefault(form, {"events": 0, "audience": 0})
            counts["events"] += int(events)
            counts["audience"] += int(audience or 0)
    return out


def by_form(year: int | None, town_id: int | None = None, campaign_id: int | None = None) -> list[dict]:
    """Events and audience per activity form (an event with two forms counts under both), in the
    order of ACTIVITY_FORMS; forms no longer offered that still have events after them."""
    found = _form_counts(year, town_id, campaign_id)
    previous = _form_counts(year - 1, town_id, campaign_id) if year is not None else {}
    labels = list(ACTIVITY_FORMS) + sorted(k for k in found if k not in ACTIVITY_FORMS)
    return [{"label": form, "events": found.get(form, {}).get("events", 0),
             "audience": found.get(form, {}).get("audience", 0),
             "previous": previous.get(form, {}).get("events", 0)} for form in labels]


def _material_counts(year: int | None, town_id: int | None, campaign_id: int | None) -> dict[str, tuple[int, int]]:
    rows = db.session.execute(
        select(EventMaterial.kind, func.coalesce(func.sum(EventMaterial.quantity), 0),
               func.count(func.distinct(EventMaterial.event_id)))
        .join(Event, Event.id == EventMaterial.event_id).where(*_where(year, town_id, campaign_id))
        .group_by(EventMaterial.kind))
    return {kind: (int(quantity or 0), int(events)) for kind, quantity, events in rows}


def materials(year: int | None, town_id: int | None = None, campaign_id: int | None = None) -> list[dict]:
    """Materials handed out by kind: quantity, events that handed them out, last year's quantity;
    the most handed out first, 其他 last."""
    found = _material_counts(year, town_id, campaign_id)
    previous = _material_counts(year - 1, town_id, campaign_id) if year is not None else {}
    known = {kind: index for index, kind in enumerate(MATERIAL_KINDS)}
    rows = [{"label": kind, "quantity": quantity, "events": events, "previous": previous.get(kind, (0, 0))[0]}
            for kind, (quantity, events) in found.items()]
    return sorted(rows, key=lambda r: (r["label"] == OTHER_MATERIAL, -r["quantity"], known.get(r["label"], 99),
                                       r["label"]))


# ----------------------------------------------------------------------------------- sentences


def approx(number: int, unit: str = "份") -> str:
    """A large count the way bureaus write it, rounded down to two significant digits:
    70,312 → “70,000 余份”; an exact or small count as it is: “36 份”."""
    if number < 100:
        return f"{number:,} {unit}"
    step = 10 ** (len(str(number)) - 2)
    floor = number // step * step
    return f"{number:,} {unit}" if floor == number else f"{floor:,} 余{unit}"


def places_phrase(types: list[dict]) -> str:
    """412 家企业、325 个行政村、23 个社区、396 所学校 — places reached, venue types in their order;
    households are said apart (入户宣传 1,200 户)."""
    return "、".join(f"{r['reached']:,} {r['counter']}{r['place_label']}" for r in types
                    if r["reached"] and not r["by_households"])


def describe(lead: str, numbers: dict, types: list[dict]) -> str:
    """lead + “ 1,520 场，受众 98,000 人次，发放各类宣传资料和物品 70,000 余份，覆盖 …，入户宣传 1,200 户。”"""
    parts = [f"{lead} {numbers['events']:,} 场", f"受众 {numbers['audience']:,} 人次"]
    if numbers["materials"]:
        parts.append(f"发放各类宣传资料和物品 {approx(numbers['materials'])}")
    reached = places_phrase(types)
    if reached:
        parts.append(f"覆盖 {reached}")
    homes = sum(r["reached"] for r in types if r["by_households"])
    if homes:
        parts.append(f"入户宣传 {homes:,} 户")
    return "，".join(parts) + "。"


def sentence(year: int, numbers: dict, types: list[dict], place: str | None = None, today: date | None = None) -> str:
    """The line for the annual report: 2025年全年开展安全宣传“五进”活动 1,520 场，受众 98,000 人次，…"""
    when = period_words(year, today)
    where = place or ""
    if not numbers["events"]:
        return f"{where}{when}尚无安全宣传活动记录。"
    return describe(f"{where}{when}开展安全宣传“五进”活动", numbers, types)


def figures(year: int, town_id: int | None = None, today: date | None = None) -> dict:
    """Everything on the figures page: the year's totals and the year before's, the sentence, and
    the tables by venue type, town, month and activity form (rows with label, events, audience,
    households, materials, places, previous = last year's events), and materials by kind."""
    place = town_name(town_id)
    numbers, before = totals(year, town_id), totals(year - 1, town_id)
    types = by_type(year, town_id)
    return {
        "year": year,
        "town_id": town_id,
        "town_name": place,
        "totals": numbers,
        "previous": before,
        "change": change(numbers["events"], before["events"], "场"),
        "sentence": sentence(year, numbers, types, place, today),
        "tables": {"type": types, "town": by_town(year, town_id), "month": by_month(year, town_id),
                   "form": by_form(year, town_id)},
        "materials": materials(year, town_id),
    }


HEADERS = ("分组", "项目", "活动场次", "受众人次", "入户户数", "发放资料（份）", "覆盖地点", "上年（场次；资料为份数）")


def figures_workbook(figs: dict) -> bytes:
    """One sheet: each table's rows under a 分组 column (filter or pivot it in Excel), the
    materials by kind, the year's totals and the annual-report sentence."""
    rows = []
    for key, table in figs["tables"].items():
        for r in table:
            if key == "form":
                rows.append([TABLES[key], r["label"], r["events"], r["audience"], "", "", "", r["previous"]])
            else:
                rows.append([TABLES[key], r["label"], r["events"], r["audience"], r["households"], r["materials"],
                             r["places"], r["previous"]])
    for r in figs["materials"]:
        rows.append(["宣传资料", r["label"], r["events"], "", "", r["quantity"], "", r["previous"]])
    t = figs["totals"]
    rows.append(["合计", f"{figs['year']}年", t["events"], t["audience"], t["households"], t["materials"], t["places"],
                 figs["previous"]["events"]])
    rows.append(["说明", figs["sentence"], "", "", "", "", "", ""])
    return workbook_bytes(HEADERS, rows)


SERIES_COLUMNS = {"month": lambda: month_of(Event.held_on), "town": lambda: Event.town_id,
                  "industry": lambda: _place().industry}


def series(by: str, period: Period, town_id: int | None = None) -> dict:
    """For the dashboard's charts: month ('2026-03'), town id (None: 县本级) or the place's industry
    (enterprises; None for other places) → {events, audience, households, materials, places}."""
    return {key: {name: found[name] for name in MEASURES}
            for key, found in grouped(SERIES_COLUMNS[by](), period, town_id).items()}
