"""The demo county, seeded once for this module (`flask seed-demo`): the seed itself, and the
dashboard a leader sees on it, every figure cross-checked against a direct count of the rows and
against the module lists its links lead to.

The direct counts walk the rows in Python (the dashboard aggregates in SQL), so the two are
independent: materials from the material rows rather than the events' totals, dates of attempts
and status changes turned into local time in Python rather than in SQL.
"""

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_CONFIG, database_of_its_own, dispose, rebuild_schema
from webapp import create_app
from webapp.auth.models import User
from webapp.auth.permissions import Role
from webapp.common.time import local_today, to_local
from webapp.drills.models import HELD, Drill
from webapp.extensions import db
from webapp.outreach.models import Event, EventMaterial
from webapp.plans.models import Plan, PlanStatus, StatusChange
from webapp.quiz.contest_models import Contest, ContestTeam
from webapp.quiz.models import Attempt, Question, Quiz
from webapp.registry.models import INDUSTRIES, Organization, OrgKind, Person
from webapp.training.models import Certificate, Enrollment, EnrollmentStatus, TrainingSession

# Under pytest-xdist the module's tests stay on one worker (make test uses --dist loadgroup), so the
# county is seeded once per run, not once per worker.
pytestmark = pytest.mark.xdist_group("demo_county")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """An app on a database of its own holding the demo county (other tests empty theirs)."""
    tmp = tmp_path_factory.mktemp("demo")
    url = database_of_its_own(tmp, "demo")
    app = create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": url, "STORAGE_DIR": str(tmp / "files")})
    with app.app_context():
        rebuild_schema()
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        app.config["SEED_OUTPUT"] = result.output
        db.session.remove()
    yield app
    dispose(app)


@pytest.fixture
def ctx(demo):
    with demo.app_context():
        yield demo
        db.session.rollback()
        db.session.remove()


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_seed_demo_builds_a_realistic_county_once(ctx):
    output = ctx.config["SEED_OUTPUT"]
    assert "admin" in output and "lingdao" in output
    towns = _count(Organization, Organization.kind.in_([OrgKind.TOWN.value, OrgKind.STREET.value]))
    assert towns >= 10
    assert _count(Organization, Organization.kind.in_([OrgKind.VILLAGE.value, OrgKind.COMMUNITY.value])) >= 100
    assert _count(Organization, Organization.kind == OrgKind.SCHOOL.value) >= 50
    assert _count(Organization, Organization.kind == OrgKind.ENTERPRISE.value) >= 300
    industries = db.session.scalars(select(Organization.industry).distinct().where(Organization.industry.is_not(None))).all()
    assert set(industries) <= set(INDUSTRIES) and len(industries) >= 15
    assert _count(Person) >= 2000
    roles = {r for u in db.session.scalars(select(User)) for r in u.role_set}
    assert roles == set(Role)
    # every seeded person's ID number passes its checksum, every org sits in a town
    assert all(p.birth_date for p in db.session.scalars(select(Person).limit(200)))
    assert _count(Organization, Organization.town_id.is_(None), Organization.kind.in_(["village", "enterprise", "school"])) == 0

    # the shipped question banks and a competition under way, with participants from the county
    assert _count(Question) >= 300
    competition = db.session.scalar(select(Quiz).where(Quiz.kind == "competition"))
    assert _count(Quiz, Quiz.kind == "competition") == 1
    assert _count(Attempt, Attempt.quiz_id == competition.id, Attempt.status == "submitted") == 400

    before = (_count(Organization), _count(Person), _count(User), _count(Question), _count(Attempt))
    runner = ctx.test_cli_runner()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "已存在" in again.output
    assert (_count(Organization), _count(Person), _count(User), _count(Question), _count(Attempt)) == before
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "跳过" in skipped.output


# --- the dashboard against direct counts ------------------------------------------------------

def _leader(app):
    client = app.test_client()
    response = client.post("/login", data={"username": "lingdao", "password": "Yingji2026"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


FIGURE = re.compile(r'data-figure="([\w.]+)"[^>]*?data-value="(-?\d+)"[^>]*?data-previous="(-?\d+)"')


def _figures(client, query: str) -> dict[str, tuple[int, int]]:
    response = client.get(f"/dashboard?{query}")
    assert response.status_code == 200
    found = {key: (int(value), int(previous)) for key, value, previous in FIGURE.findall(response.get_data(as_text=True))}
    assert found, "the dashboard shows no figures"
    return found


def _in(day, first: date, last: date) -> bool:
    return day is not None and first <= day <= last


def _town_of(org: Organization | None) -> int | None:
    return org.town_id if org is not None else None


def direct_counts(first: date, last: date, town_id: int | None) -> dict[str, int]:
    """Every figure of the dashboard, counted row by row."""
    def here(value) -> bool:
        return not town_id or value == town_id

    out: Counter = Counter()
    for drill in db.session.scalars(select(Drill)):
        if drill.status in HELD and _in(drill.held_on, first, last) and here(drill.town_id):
            out["drills.drills"] += 1
            out["drills.participants"] += drill.participants or 0
            out["drills.field" if drill.form_org == "field" else "drills.tabletop"] += 1
    materials = Counter()
    for material in db.session.scalars(select(EventMaterial)):
        materials[material.event_id] += material.quantity
    places = set()
    for event in db.session.scalars(select(Event)):
        if _in(event.held_on, first, last) and here(event.town_id):
            out["outreach.events"] += 1
            out["outreach.audience"] += event.audience
            out["outreach.materials"] += materials[event.id]
            if event.place is not None and event.place.active and not event.venue_type.households:
                places.add(event.place_id)
            elif event.place_id is None and event.place_name:
                places.add(event.place_name)
    out["outreach.places"] = len(places)
    for enrollment in db.session.scalars(select(Enrollment)):
        session = db.session.get(TrainingSession, enrollment.session_id)
        if enrollment.status == EnrollmentStatus.ENROLLED.value and _in(session.starts_on, first, last) \
                and here(_town_of(enrollment.person.organization)):
            out["training.trained"] += 1
    for certificate in db.session.scalars(select(Certificate)):
        if _in(certificate.issued_on, first, last) and here(_town_of(certificate.person.organization)):
            out["training.certified"] += 1
    competitions = set()
    for attempt in db.session.scalars(select(Attempt)):
        if attempt.status == "submitted" and attempt.quiz.kind == "competition" and here(attempt.town_id) \
                and _in(to_local(attempt.submitted_at).date(), first, last):
            out["quiz.participants"] += 1
            competitions.add(attempt.quiz_id)
    out["quiz.competitions"] = len(competitions)
    teams, contests = 0, set()
    for contest in db.session.scalars(select(Contest)):
        if _in(contest.date, first, last):
            for team in db.session.scalars(select(ContestTeam).where(ContestTeam.contest_id == contest.id)):
                if not town_id or (team.organization_id and db.session.get(Organization, team.organization_id).town_id == town_id):
                    teams += 1
                    contests.add(contest.id)
            if not town_id:
                contests.add(contest.id)
    out["quiz.contests"], out["quiz.teams"] = len(contests), teams
    requested, revised = set(), set()
    for plan in db.session.scalars(select(Plan)):
        if not here(plan.organization.town_id):
            continue
        out["plans.issued"] += _in(plan.issued_on, first, last)
        out["plans.filed"] += _in(plan.filed_on, first, last)
        for change in db.session.scalars(select(StatusChange).where(StatusChange.plan_id == plan.id)):
            if not _in(to_local(change.created_at).date(), first, last):
                continue
            if change.to_status == PlanStatus.NEEDS_REVISION.value:
                requested.add(plan.id)
            if change.from_status == PlanStatus.NEEDS_REVISION.value and change.to_status == PlanStatus.IN_REVIEW.value:
                revised.add(plan.id)
    out["plans.revision_requested"], out["plans.revised"] = len(requested), len(revised)
    return dict(out)


def _year_earlier(day: date) -> date:
    return day.replace(year=day.year - 1) if (day.month, day.day) != (2, 29) else date(day.year - 1, 2, 28)


@pytest.mark.parametrize("query", ["year={last_year}", "year={this_year}&town={town}", "from={first}&to={last}"])
def test_every_dashboard_figure_agrees_with_a_direct_count(ctx, query):
    today = local_today()
    town = db.session.scalar(select(Organization.id).where(Organization.kind == OrgKind.TOWN.value)
                             .order_by(Organization.name))
    first, last = date(today.year - 1, 3, 1), date(today.year - 1, 8, 31)
    query = query.format(last_year=today.year - 1, this_year=today.year, town=town, first=first, last=last)
    if "year=" in query:
        year = int(re.search(r"year=(\d+)", query).group(1))
        first, last = date(year, 1, 1), date(year, 12, 31)
    town_id = town if "town=" in query else None
    shown = _figures(_leader(ctx), query)
    now = direct_counts(first, last, town_id)
    before = direct_counts(_year_earlier(first), _year_earlier(last), town_id)
    assert shown  # every figure shown is checked, and the main ones must be there
    assert {"drills.drills", "drills.participants", "outreach.events", "outreach.audience", "outreach.materials",
            "training.trained", "training.certified", "quiz.competitions", "quiz.participants",
            "plans.issued", "plans.filed"} <= set(shown)
    for key, (value, previous) in shown.items():
        assert (key, value) == (key, now.get(key, 0)), f"{key} for {query}"
        assert (key, previous) == (key, before.get(key, 0)), f"{key} a year earlier, for {query}"
    # the demo county has something in most of them, so the check is not of zeros
    assert sum(1 for key, (value, _) in shown.items() if value) >= 8


# --- the links lead to lists that show the same numbers -------------------------------------------

DUE = re.compile(r'<a [^>]*?data-due="([\w.]+)"[^>]*?data-count="(\d+)"[^>]*?href="([^"]+)"'
                 r'|<a [^>]*?href="([^"]+)"[^>]*?data-due="([\w.]+)"[^>]*?data-count="(\d+)"')


def _listed(html: str) -> int:
    """The count a list page states: 共 N 条 under a paginated list, or the renewals page's badge."""
    found = re.search(r'data-testid="expiring-total"[^>]*>\s*(\d[\d,]*)', html) or re.search(r"共 ([\d,]+) 条", html)
    assert found, "the list states no count"
    return int(found.group(1).replace(",", ""))


def test_each_due_item_leads_to_a_list_of_exactly_that_many(ctx):
    client = _leader(ctx)
    html = client.get("/dashboard").get_data(as_text=True)
    items = {}
    for match in DUE.finditer(html):
        key, count, href = match.group(1, 2, 3) if match.group(1) else (match.group(5), match.group(6), match.group(4))
        items[key] = (int(count), href.replace("&amp;", "&"))
    assert {"plans.evaluation", "plans.revision", "plans.drill_overdue", "drills.problems_unclosed",
            "drills.problems_overdue", "training.sessions_week", "training.certificates_expiring", "quiz.live",
            "quiz.upcoming", "outreach.behind"} <= set(items)
    assert sum(1 for count, _ in items.values() if count) >= 6  # the demo county has work to do
    for key, (count, href) in items.items():
        page = client.get(href)
        assert page.status_code == 200, href
        assert (key, _listed(page.get_data(as_text=True))) == (key, count), href


def test_figures_lead_to_module_pages_that_show_the_same_numbers(ctx):
    client = _leader(ctx)
    year = local_today().year - 1
    html = client.get(f"/dashboard?year={year}").get_data(as_text=True)
    shown = {key: int(value) for key, value, _ in FIGURE.findall(html)}
    links = {key: href.replace("&amp;", "&")
             for href, key in re.findall(r'<a [^>]*?href="([^"]+)"[^>]*?data-figure="([\w.]+)"', html)}
    assert {"drills.drills", "outreach.events"} <= set(links)
    # the events list counts the year's events
    events = client.get(links["outreach.events"]).get_data(as_text=True)
    assert _listed(events) == shown["outreach.events"]
    # the drills figures page and the outreach figures page state the same totals
    drills = client.get(links["drills.drills"]).get_data(as_text=True)
    assert f"{shown['drills.drills']:,}" in drills and f"{shown['drills.participants']:,}" in drills
    outreach = client.get(links["outreach.places"]).get_data(as_text=True)
    assert f"{shown['outreach.audience']:,}" in outreach
    training = client.get(links["training.trained"]).get_data(as_text=True)
    assert f"{shown['training.trained']:,}" in training


@pytest.mark.parametrize("scope", ["year", "town", "span"])
def test_event_plan_and_competition_figures_lead_to_lists_of_exactly_that_many(ctx, scope):
    client = _leader(ctx)
    today = local_today()
    town = db.session.scalar(select(Organization.id).where(Organization.kind == OrgKind.TOWN).order_by(Organization.id))
    args = {"year": {"year": today.year - 1}, "town": {"year": today.year, "town": town},
            "span": {"from": f"{today.year - 1}-03-01", "to": today.isoformat()}}[scope]
    html = client.get("/dashboard", query_string=args).get_data(as_text=True)
    shown = {key: int(value) for key, value, _ in FIGURE.findall(html)}
    links = {key: href.replace("&amp;", "&")
             for href, key in re.findall(r'<a [^>]*?href="([^"]+)"[^>]*?data-figure="([\w.]+)"', html)}
    keys = ["outreach.events", "plans.issued", "plans.filed", "plans.revision_requested", "plans.revised"]
    assert shown["outreach.events"] and shown["plans.issued"]  # the demo county has some of each
    assert shown["quiz.participants"] or scope == "year"  # its competitions are this year's
    for key in keys:
        assert (key, _listed(client.get(links[key]).get_data(as_text=True))) == (key, shown[key]), links[key]
    assert links["quiz.participants"] == links["quiz.competitions"]
    competitions = client.get(links["quiz.competitions"]).get_data(as_text=True)
    assert _listed(competitions) == shown["quiz.competitions"]
    assert f"其间交卷 {shown['quiz.participants']:,} 人次" in competitions
