"""Drill figures for a year: the numbers a bureau puts in its annual report (“全年组织 18 个行业类型
的事故应急演练 980 次，参演 45,000 人次”), by form, purpose, industry, hazard, town and month.

Only drills that took place count: status in HELD, held_on in the year. A drill keeps its
organizer's town and industry (copied when saved), so every table is one GROUP BY over the drills
table, and the previous year's figures are the same query a year earlier. Results are plain dicts
and lists so the dashboard can reuse them: figures(year, town_id), totals(year, town_id),
sentence(...).
"""

from datetime import date

from sqlalchemy import case, extract, func, select

from webapp.common.figures import Period, as_period, change, period_words, town_name
from webapp.common.spreadsheets import workbook_bytes
from webapp.common.time import month_of
from webapp.drills.models import (
    FORM_CONTENT_LABELS,
    FORM_ORG_LABELS,
    FORM_PURPOSE_LABELS,
    HELD,
    Drill,
    FormContent,
    FormOrg,
)
from webapp.extensions import db
from webapp.plans.models import HAZARD_LABELS, HAZARD_SUBTYPES
from webapp.registry.models import Organization
from webapp.registry.services import towns

NO_INDUSTRY = "未分行业"  # drills organized by governments, departments, villages …
NO_SUBTYPE = "未细分"
COUNTY_LEVEL = "县本级"  # organizers outside any town (the county and its departments)
MEASURES = ("drills", "participants", "units", "field", "tabletop")
TABLES = {"form": "演练形式", "purpose": "演练目的", "industry": "行业", "hazard": "事件类别",
          "town": "乡镇（街道）", "month": "月份"}


def _held(when: int | Period, town_id: int | None) -> list:
    period = as_period(when)
    conditions = [Drill.status.in_(HELD), Drill.held_on >= period.first, Drill.held_on <= period.last]
    if town_id:
        conditions.append(Drill.town_id == town_id)
    return conditions


def _measures() -> tuple:
    # count(*) counts the drills as count(id) would (an id is never NULL), and lets PostgreSQL read
    # only the index ix_drills_held_figures, which holds every other column used here
    return (func.count(), func.coalesce(func.sum(Drill.participants), 0),
            func.coalesce(func.sum(Drill.participant_units), 0),
            func.coalesce(func.sum(case((Drill.form_org == FormOrg.FIELD.value, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Drill.form_org == FormOrg.TABLETOP.value, 1), else_=0)), 0))


def totals(year: int | Period, town_id: int | None = None) -> dict:
    """The year (or a period) in one query: drills, participant-times (参演人次), participating units (家次),
    organizing units, industry types, field / tabletop, single / comprehensive."""
    row = db.session.execute(
        select(*_measures(), func.count(func.distinct(Drill.organization_id)), func.count(func.distinct(Drill.industry)),
               func.coalesce(func.sum(case((Drill.form_content == FormContent.SINGLE.value, 1), else_=0)), 0),
               func.coalesce(func.sum(case((Drill.form_content == FormContent.COMPREHENSIVE.value, 1), else_=0)), 0))
        .where(*_held(year, town_id))).one()
    names = (*MEASURES, "organizers", "industries", "single", "comprehensive")
    return {name: int(value or 0) for name, value in zip(names, row, strict=True)}


def grouped(columns: tuple, year: int | Period, town_id: int | None) -> dict:
    """key (a value, or a tuple for several columns) → {measure: number}."""
    rows = db.session.execute(select(*columns, *_measures()).where(*_held(year, town_id)).group_by(*columns))
    out = {}
    for row in rows:
        key = row[0] if len(columns) == 1 else tuple(row[:len(columns)])
        out[key] = {name: int(value or 0) for name, value in zip(MEASURES, row[len(columns):], strict=True)}
    return out


def _row(label: str, found: dict | None, previous: dict | None) -> dict:
    row = {"label": label} | {name: 0 for name in MEASURES}
    if found:
        row.update(found)
    row["previous"] = previous["drills"] if previous else 0
    return row


def _table(columns: tuple, year: int, town_id: int | None) -> tuple[dict, dict]:
    return grouped(columns, year, town_id), grouped(columns, year - 1, town_id)


def _by_form(year: int, town_id: int | None) -> list[dict]:
    rows = []
    for column, labels in ((Drill.form_org, FORM_ORG_LABELS), (Drill.form_content, FORM_CONTENT_LABELS)):
        found, previous = _table((column,), year, town_id)
        rows += [_row(label, found.get(key.value), previous.get(key.value)) for key, label in labels.items()]
    return rows


def _by_purpose(year: int, town_id: int | None) -> list[dict]:
    found, previous = _table((Drill.form_purpose,), year, town_id)
    return [_row(label, found.get(key.value), previous.get(key.value)) for key, label in FORM_PURPOSE_LABELS.items()]


def _by_industry(year: int, town_id: int | None) -> list[dict]:
    """Industries with a drill this year, most drills first; 未分行业 last."""
    found, previous = _table((Drill.industry,), year, town_id)
    rows = [_row(key or NO_INDUSTRY, value, previous.get(key)) for key, value in found.items()]
    return sorted(rows, key=lambda r: (r["label"] == NO_INDUSTRY, -r["drills"], r["label"]))


def _by_hazard(year: int, town_id: int | None) -> list[dict]:
    """The four hazard classes (事故灾难 …), each with its subtypes that had drills."""
    found, previous = _table((Drill.hazard, Drill.hazard_subtype), year, town_id)
    rows = []
    for hazard, label in HAZARD_LABELS.items():
        keys = {key for key in (*found, *previous) if key[0] == hazard.value}
        known = list(HAZARD_SUBTYPES.get(hazard, ()))
        ordered = sorted((k for k in keys if found.get(k)),
                         key=lambda k: (k[1] not in known, known.index(k[1]) if k[1] in known else 0, k[1]))
        subtypes = [_row(key[1] or NO_SUBTYPE, found.get(key), previous.get(key)) for key in ordered]
        row = _row(label, None, None)
        for name in MEASURES:
            row[name] = sum(found[k][name] for k in keys if k in found)
        row["previous"] = sum(previous[k]["drills"] for k in keys if k in previous)
        rows.append(row | {"subtypes": subtypes})
    return rows


def _by_town(year: int, town_id: int | None) -> list[dict]:
    """Every active town (those without drills too), then 县本级 and any inactive town with drills."""
    found, previous = _table((Drill.town_id,), year, town_id)
    listed = [t for t in towns() if not town_id or t.id == town_id]
    names = {t.id: t.name for t in listed}
    others = [k for k in found if k and k not in names]
    if others:
        names |= dict(db.session.execute(select(Organization.id, Organization.name)
                                          .where(Organization.id.in_(others))).all())
    rows = [_row(t.name, found.get(t.id), previous.get(t.id)) for t in listed]
    rows += [_row(names[k], found[k], previous.get(k)) for k in sorted(others, key=lambda k: names[k])]
    if None in found:
        rows.append(_row(COUNTY_LEVEL, found[None], previous.get(None)))
    return rows


def _by_month(year: int, town_id: int | None) -> list[dict]:
    month = extract("month", Drill.held_on)
    found, previous = _table((month,), year, town_id)
    found = {int(k): v for k, v in found.items()}  # PostgreSQL's EXTRACT gives a numeric
    previous = {int(k): v for k, v in previous.items()}
    return [_row(f"{m}月", found.get(m), previous.get(m)) for m in range(1, 13)]


def sentence(year: int, numbers: dict, place: str | None = None, today: date | None = None) -> str:
    """The line for the annual report:
    2026年全年组织 18 个行业类型的应急演练 980 次，参演 45,000 人次，其中实战演练 600 次、桌面演练 380 次。"""
    when = period_words(year, today)
    where = place or ""
    if not numbers["drills"]:
        return f"{where}{when}尚无已实施的应急演练记录。"
    kinds = f" {numbers['industries']} 个行业类型的" if numbers["industries"] else ""
    return (f"{where}{when}组织{kinds}应急演练 {numbers['drills']:,} 次，参演 {numbers['participants']:,} 人次，"
            f"其中实战演练 {numbers['field']:,} 次、桌面演练 {numbers['tabletop']:,} 次。")


def figures(year: int, town_id: int | None = None, today: date | None = None) -> dict:
    """Every table of the figures page (each a list of row dicts with label, drills, participants,
    units, field, tabletop and previous = the previous year's drills), the totals of the year and
    of the year before, and the annual-report sentence."""
    place = town_name(town_id)
    numbers, before = totals(year, town_id), totals(year - 1, town_id)
    return {
        "year": year,
        "town_id": town_id,
        "town_name": place,
        "totals": numbers,
        "previous": before,
        "change": change(numbers["drills"], before["drills"], "次"),
        "sentence": sentence(year, numbers, place, today),
        "tables": {
            "form": _by_form(year, town_id),
            "purpose": _by_purpose(year, town_id),
            "industry": _by_industry(year, town_id),
            "hazard": _by_hazard(year, town_id),
            "town": _by_town(year, town_id),
            "month": _by_month(year, town_id),
        },
    }


HEADERS = ("分组", "项目", "演练次数", "参演人次", "参演单位（家次）", "实战演练", "桌面演练", "上年演练次数")


def figures_workbook(figs: dict) -> bytes:
    """One sheet: each table's rows under a 分组 column (filter or pivot it in Excel); hazard
    subtypes as 事件类别 · 子类; then the year's totals and the annual-report sentence."""
    rows = []
    for key, table in figs["tables"].items():
        for r in table:
            rows.append([TABLES[key], r["label"], *(r[name] for name in MEASURES), r["previous"]])
            for sub in r.get("subtypes", ()):
                rows.append([f"{TABLES[key]}（子类）", f"{r['label']} · {sub['label']}",
                             *(sub[name] for name in MEASURES), sub["previous"]])
    t = figs["totals"]
    rows.append(["合计", f"{figs['year']}年", *(t[name] for name in MEASURES), figs["previous"]["drills"]])
    rows.append(["说明", figs["sentence"], "", "", "", "", "", ""])
    return workbook_bytes(HEADERS, rows)


SERIES_COLUMNS = {"month": lambda: month_of(Drill.held_on), "town": lambda: Drill.town_id,
                  "industry": lambda: Drill.industry}


def series(by: str, period: Period, town_id: int | None = None) -> dict:
    """For the dashboard's charts: month ('2026-03'), town id (None: 县本级) or industry ('' none)
    → {drills, participants, units, field, tabletop} of the drills held in the period."""
    return grouped((SERIES_COLUMNS[by](),), period, town_id)
