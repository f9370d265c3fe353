from flask import redirect, render_template, request, url_for
from flask_login import current_user

from webapp.auth.permissions import require
from webapp.common.figures import Period, period_from
from webapp.common.ids import as_id
from webapp.common.time import local_today
from webapp.dashboard import bp, due, figures, services
from webapp.drills import figures as drill_figures
from webapp.errors import UserError
from webapp.outreach import figures as outreach_figures
from webapp.plans import figures as plan_figures
from webapp.quiz.models import QuizKind
from webapp.registry import services as registry


@bp.get("/")
def root():
    return redirect(url_for("dashboard.index" if current_user.is_authenticated else "auth.login"))


@bp.get("/dashboard")
@require("dashboard.view")
def index():
    today, period, town, towns, errors = _scope()
    town_id = town.id if town else None
    groups = figures.overview(period, town_id)
    chosen = _scope_args(period, town_id)
    return render_template(
        "dashboard/index.html",
        due=due.items(current_user), errors=errors, period=period, today=today, towns=towns, town=town,
        years=services.years_with_data(period, today), groups=groups,
        links=_links(period, town_id), sentences=_sentences(groups, period, town_id, town.name if town else None, today),
        charts_url=url_for("dashboard.charts", **chosen), charts_part_url=url_for("dashboard.charts", part=1, **chosen),
        summary_url=_summary_url(period, town_id),
        overview=registry.town_overview(), industries=services.enterprises_by_industry(),
    )


@bp.get("/dashboard/charts")
@require("dashboard.view")
def charts():
    """The charts and their tables: fetched into the dashboard after it has shown the figures
    (?part=1: the fragment alone), or a page of its own where JavaScript does not run."""
    today, period, town, _, errors = _scope()
    town_id = town.id if town else None
    drawn = figures.charts(period, town_id)
    context = {"charts": drawn, "chart_data": [c.as_json() for c in drawn]}
    if request.args.get("part"):
        return render_template("dashboard/_charts.html", **context)
    return render_template("dashboard/charts.html", errors=errors, period=period, today=today, town=town,
                           back_url=url_for("dashboard.index", **_scope_args(period, town_id)), **context)


def _scope():
    """(today, period, town or None, the towns, messages) from ?year= / ?from=&to= and ?town=; what is wrong
    is said in Chinese and replaced by this year or the whole county."""
    today = local_today()
    errors = []
    try:
        period = period_from(request.args, today)
    except UserError as exc:
        errors.append(f"{exc.message}，已改为显示{today.year}年的数字")
        period = figures.default_period(today)
    towns = registry.towns()
    town, error = _chosen_town(request.args.get("town"), towns)
    if error:
        errors.append(error)
    return today, period, town, towns, errors


def _scope_args(period: Period, town_id: int | None) -> dict:
    dates = {"year": period.whole_year} if period.whole_year else \
        {"from": period.first.isoformat(), "to": period.last.isoformat()}
    return dates | ({"town": town_id} if town_id else {})


def _chosen_town(raw: str | None, towns: list) -> tuple:
    """(the town, None), (None, None) for the whole county, or (None, a message) for an id that
    names no active town (a stale bookmark, a typed URL)."""
    text = (raw or "").strip()
    if not text:
        return None, None
    town = next((t for t in towns if t.id == as_id(text)), None)
    if town is None:
        return None, f"没有找到乡镇（街道）“{text[:20]}”，已改为显示全县的数字"
    return town, None


def _links(period: Period, town_id: int | None) -> dict[str, str]:
    """Figure key → the module page that lists or counts it, with the same town and period where
    the page takes them. Pages that filter by year only get the year the period ends in."""
    year = period.whole_year or period.last.year
    town = {"town": town_id} if town_id else {}
    by_year = {"year": year} | town
    dates = {"year": year} if period.whole_year else {"from": period.first.isoformat(), "to": period.last.isoformat()}
    drills = url_for("drills.figures", **by_year)
    events = url_for("outreach.index", **dates, **town)
    trained = url_for("training.figures", **dates, **town)
    competitions = url_for("quiz.index", kind=QuizKind.COMPETITION.value, answered=1, **dates, **town)
    return {
        "drills.drills": drills, "drills.participants": drills, "drills.field": drills, "drills.tabletop": drills,
        "outreach.events": events, "outreach.audience": events, "outreach.materials": events,
        "outreach.places": url_for("outreach.figures", **by_year),
        "training.trained": trained, "training.certified": trained,
        "quiz.competitions": competitions, "quiz.participants": competitions,
        "quiz.contests": url_for("quiz.contests"), "quiz.teams": url_for("quiz.contests"),
        **{f"plans.{measure}": url_for("plans.index", counted=measure, **dates, **town)
           for measure in plan_figures.MEASURES},
    }


def _sentences(groups: list[figures.Group], period: Period, town_id: int | None, place: str | None,
               today) -> dict[str, str]:
    """The annual report's lines for drills and outreach, for a whole year only (their wording is
    a year's: 2025年全年… / 2026年1月1日至12月1日…), from the totals the page already has."""
    year = period.whole_year
    if not year:
        return {}
    totals = {group.key: group.totals for group in groups}
    return {
        "drills": drill_figures.sentence(year, totals["drills"], place, today),
        "outreach": outreach_figures.sentence(year, totals["outreach"], outreach_figures.by_type(year, town_id),
                                              place, today),
    }


def _summary_url(period: Period, town_id: int | None) -> str | None:
    """The annual summary of a whole year (?format=pdf is added by the page for the PDF)."""
    if not period.whole_year:
        return None
    return url_for("dashboard.summary", year=period.whole_year, **({"town": town_id} if town_id else {}))
