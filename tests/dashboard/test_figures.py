"""The module figure functions under the dashboard, each on a small known set of rows: what counts
in a period and a town, and what must not (a drill only planned, an event of another town, an
attempt still in progress, an exam rather than a competition, a plan issued the year before),
the same days a year earlier (29 February), and months of UTC timestamps in Shanghai time."""

import re
import secrets
from datetime import date, datetime

import pytest
from sqlalchemy import select

from tests.conftest import page_text
from tests.drills.conftest import make_drill  # noqa: F401  (fixtures)
from tests.outreach.conftest import make_event, places  # noqa: F401
from tests.plans.conftest import make_plan, owners  # noqa: F401
from tests.quiz.conftest import bank, make_quiz  # noqa: F401
from tests.training.conftest import course, exam_bank, make_session  # noqa: F401
from webapp.auth.permissions import Role
from webapp.common.figures import Period
from webapp.common.time import month_of
from webapp.drills import figures as drills
from webapp.extensions import db
from webapp.outreach import figures as outreach
from webapp.plans import figures as plans
from webapp.plans.models import PlanKind, PlanStatus, StatusChange
from webapp.quiz import figures as quiz
from webapp.quiz.contest_models import Contest, ContestTeam
from webapp.quiz.models import Attempt, AttemptStatus, QuizKind
from webapp.training import certificates
from webapp.training import figures as training
from webapp.training import services as training_services

YEAR = Period.of_year(2025)
BEFORE = Period.of_year(2024)


def utc(*parts) -> datetime:
    """A stored (naive UTC) instant."""
    return datetime(*parts)


# --- Period -----------------------------------------------------------------------------------

def test_previous_period_is_the_same_days_a_year_earlier():
    assert YEAR.previous() == BEFORE and YEAR.whole_year == 2025
    spring = Period(date(2025, 3, 1), date(2025, 8, 31))
    assert spring.previous() == Period(date(2024, 3, 1), date(2024, 8, 31))
    assert spring.previous().whole_year is None


def test_29_february_becomes_the_28th_a_year_earlier():
    assert Period(date(2024, 2, 29), date(2024, 12, 31)).previous() == Period(date(2023, 2, 28), date(2023, 12, 31))
    assert Period(date(2024, 1, 1), date(2024, 2, 29)).previous() == Period(date(2023, 1, 1), date(2023, 2, 28))
    # a leap year's whole year is still the whole previous year
    assert Period.of_year(2024).previous() == Period.of_year(2023)


def test_months_of_a_period_across_new_year():
    assert Period(date(2024, 11, 15), date(2025, 2, 1)).months() == [(2024, 11), (2024, 12), (2025, 1), (2025, 2)]


# --- month_of: stored UTC timestamps counted on Shanghai days --------------------------------

def test_a_utc_timestamp_late_on_31_march_is_april_in_shanghai(owners, make_plan):  # noqa: F811
    plan = make_plan()
    late = StatusChange(plan_id=plan.id, from_status=None, to_status="draft", created_at=utc(2026, 3, 31, 17, 0))
    early = StatusChange(plan_id=plan.id, from_status=None, to_status="draft", created_at=utc(2026, 3, 31, 15, 59))
    db.session.add_all([late, early])
    db.session.commit()

    def month(change, as_utc):
        return db.session.scalar(select(month_of(StatusChange.created_at, utc=as_utc)).where(StatusChange.id == change.id))

    assert month(late, True) == "2026-04"  # 01:00 on 1 April in Shanghai
    assert month(early, True) == "2026-03"  # 23:59 on 31 March
    assert month(late, False) == "2026-03"  # without utc=True the stored value's own month


# --- drills -----------------------------------------------------------------------------------

@pytest.fixture
def drill_rows(owners, make_drill):  # noqa: F811
    tree = owners["tree"]
    make_drill(held_on=date(2025, 3, 10), participants=36, form_org="field")  # 东镇's chemical plant
    make_drill(organization_id=tree["v2"].id, held_on=date(2025, 3, 31), participants=10, form_org="tabletop",
               title="西镇新村防汛桌面推演")
    make_drill(status="planned", held_on=None, planned_on=date(2025, 5, 1), participants=99,
               title="只在计划中的演练")  # not held: does not count
    make_drill(held_on=date(2024, 3, 10), participants=20, title="上一年的演练")
    return tree


def test_drill_totals_count_held_drills_in_the_period_and_town(drill_rows):
    year = drills.totals(YEAR)
    assert (year["drills"], year["participants"], year["field"], year["tabletop"]) == (2, 46, 1, 1)
    assert drills.totals(YEAR, drill_rows["east"].id)["drills"] == 1
    assert drills.totals(YEAR, drill_rows["east"].id)["participants"] == 36
    assert drills.totals(BEFORE)["drills"] == 1 and drills.totals(BEFORE)["participants"] == 20
    # a period of days: from 11 March only the 31 March drill
    assert drills.totals(Period(date(2025, 3, 11), date(2025, 12, 31)))["participants"] == 10


def test_drill_series_by_month_town_and_industry(drill_rows):
    east, west = drill_rows["east"].id, drill_rows["west"].id
    by_month = drills.series("month", YEAR)
    assert set(by_month) == {"2025-03"} and by_month["2025-03"]["drills"] == 2
    assert by_month["2025-03"]["participants"] == 46
    by_town = drills.series("town", YEAR)
    assert {k: v["drills"] for k, v in by_town.items()} == {east: 1, west: 1}
    by_industry = drills.series("industry", YEAR)
    assert by_industry["危险化学品"]["drills"] == 1
    assert sum(v["drills"] for k, v in by_industry.items() if not k) == 1  # the village has no industry
    assert drills.series("town", YEAR, west) == {west: by_town[west]}


# --- outreach ---------------------------------------------------------------------------------

@pytest.fixture
def event_rows(places, make_event):  # noqa: F811
    make_event(held_on=date(2025, 2, 10), audience=60, materials=[{"kind": "宣传册", "quantity": 100}])  # 东镇新村
    make_event(place=places["school"], key="school", held_on=date(2025, 11, 30), audience=200)
    make_event(place=places["v2"], held_on=date(2025, 2, 12), audience=30)  # 西镇: another town
    make_event(held_on=date(2024, 2, 10), audience=50)  # the year before
    make_event(place=places["ent"], key="enterprise", held_on=date(2025, 3, 1), audience=20)
    return places


def test_outreach_totals_for_a_period_and_a_town(event_rows):
    year = outreach.totals(YEAR)
    assert {k: year[k] for k in ("events", "audience", "materials", "places", "towns")} == \
        {"events": 4, "audience": 310, "materials": 100, "places": 4, "towns": 2}
    east = outreach.totals(YEAR, event_rows["east"].id)
    assert (east["events"], east["audience"], east["places"]) == (3, 280, 3)  # not 西镇's 30
    assert outreach.totals(BEFORE)["audience"] == 50
    assert outreach.totals(Period(date(2025, 2, 11), date(2025, 11, 29)))["events"] == 2  # 西镇 and the plant


def test_outreach_series_by_month_town_and_industry(event_rows):
    by_month = outreach.series("month", YEAR)
    assert {k: (v["events"], v["audience"]) for k, v in by_month.items()} == \
        {"2025-02": (2, 90), "2025-03": (1, 20), "2025-11": (1, 200)}
    by_town = outreach.series("town", YEAR)
    assert {k: v["events"] for k, v in by_town.items()} == {event_rows["east"].id: 3, event_rows["west"].id: 1}
    by_industry = outreach.series("industry", YEAR)
    assert by_industry["危险化学品"]["events"] == 1 and by_industry[None]["events"] == 3
    assert set(outreach.series("month", YEAR, event_rows["west"].id)) == {"2025-02"}


# --- training ---------------------------------------------------------------------------------

@pytest.fixture
def training_rows(factory, make_session, course):  # noqa: F811
    tree = factory.tree()
    west_shop = factory.org("西镇机械厂", "enterprise", tree["v2"])  # 工贸
    march = make_session(trainees=3, org=tree["ent"], start=date(2025, 3, 3), title="三月班")
    july = make_session(trainees=2, org=west_shop, start=date(2025, 7, 7), title="七月班")
    make_session(trainees=2, org=tree["ent"], start=date(2024, 11, 4), title="去年班")
    first, _, gone = training_services.enrollments(march)
    training_services.withdraw(gone)  # withdrew: not trained
    first.exam_score, first.exam_passed = 90, True
    certificates.issue(first, today=date(2025, 3, 10), hours=48)
    db.session.commit()
    return tree | {"july": july}


def test_training_by_post_and_series_for_a_period(training_rows):
    east, west = training_rows["east"].id, training_rows["west"].id
    principal = training.by_post(YEAR)[0]
    assert (principal.label, principal.trained, principal.certified) == ("主要负责人", 4, 1)
    assert training.total(training.by_post(BEFORE)).trained == 2
    assert training.total(training.by_post(YEAR, east)).trained == 2
    assert training.series("month", YEAR) == {"2025-03": {"trained": 2, "certified": 1},
                                              "2025-07": {"trained": 2, "certified": 0}}
    assert training.series("town", YEAR) == {east: {"trained": 2, "certified": 1}, west: {"trained": 2, "certified": 0}}
    assert training.series("industry", YEAR) == {"危险化学品": {"trained": 2, "certified": 1},
                                                 "工贸": {"trained": 2, "certified": 0}}
    # from 4 March: the March class started before, its certificate was issued after
    later = training.total(training.by_post(Period(date(2025, 3, 4), date(2025, 12, 31))))
    assert (later.trained, later.certified) == (2, 1)


# --- quiz -------------------------------------------------------------------------------------

def attempt(quiz_, who: str, submitted_at, town=None, org=None, number=1, status=AttemptStatus.SUBMITTED):
    row = Attempt(quiz_id=quiz_.id, token=secrets.token_hex(16), identity_key=f"phone:{who}", number=number,
                  name=who, status=status.value, town_id=town.id if town else None,
                  organization_id=org.id if org else None, started_at=submitted_at or utc(2025, 5, 1, 2, 0),
                  submitted_at=submitted_at)
    db.session.add(row)
    return row


@pytest.fixture
def quiz_rows(factory, make_quiz):  # noqa: F811
    tree = factory.tree()
    east, west, plant = tree["east"], tree["west"], tree["ent"]
    competition = make_quiz()
    exam = make_quiz(title="2025年安全生产知识考试", kind=QuizKind.EXAM.value)
    attempt(competition, "13800000001", utc(2025, 3, 31, 17, 0), east, plant)  # 1 April in Shanghai
    attempt(competition, "13800000002", utc(2025, 4, 10, 2, 0), west)
    attempt(competition, "13800000001", utc(2025, 4, 11, 2, 0), east, plant, number=2)  # a second try counts again
    attempt(competition, "13800000003", None, east, status=AttemptStatus.IN_PROGRESS)  # never handed in
    attempt(exam, "13800000004", utc(2025, 5, 1, 2, 0), east)  # an exam, not a competition
    attempt(competition, "13800000005", utc(2024, 12, 31, 15, 0), west)  # 23:00 on 31 December 2024
    attempt(competition, "13800000006", utc(2024, 12, 31, 16, 30), west)  # 00:30 on 1 January 2025
    on_stage = Contest(title="2025年应急知识现场竞赛", date=date(2025, 6, 1))
    db.session.add(on_stage)
    db.session.flush()
    db.session.add_all([ContestTeam(contest_id=on_stage.id, name="东镇化工队", organization_id=plant.id, position=1),
                        ContestTeam(contest_id=on_stage.id, name="西镇新村队", organization_id=tree["v2"].id, position=2),
                        ContestTeam(contest_id=on_stage.id, name="县医院队", position=3)])
    earlier = Contest(title="2024年现场竞赛", date=date(2024, 6, 1))
    db.session.add(earlier)
    db.session.flush()
    db.session.add(ContestTeam(contest_id=earlier.id, name="东镇队", organization_id=plant.id, position=1))
    db.session.commit()
    return tree


def test_quiz_totals_count_submitted_competition_attempts(quiz_rows):
    east, west = quiz_rows["east"].id, quiz_rows["west"].id
    assert quiz.totals(YEAR) == {"competitions": 1, "participants": 4, "contests": 1, "teams": 3}
    assert quiz.totals(YEAR, east) == {"competitions": 1, "participants": 2, "contests": 1, "teams": 1}
    assert quiz.totals(YEAR, west) == {"competitions": 1, "participants": 2, "contests": 1, "teams": 1}
    assert quiz.totals(BEFORE) == {"competitions": 1, "participants": 1, "contests": 1, "teams": 1}
    assert quiz.totals(Period(date(2025, 4, 1), date(2025, 4, 10)))["participants"] == 2


def test_the_quiz_list_shows_the_competitions_answered_in_a_period(client, login, quiz_rows, make_quiz):  # noqa: F811
    make_quiz(title="无人作答的竞赛")
    login(Role.LEADER)

    def shown(**args) -> tuple[list[str], str]:
        page = client.get("/quiz/", query_string=args)
        assert page.status_code == 200
        return re.findall(r'href="/quiz/\d+">([^<]+)</a>', page.get_data(as_text=True)), page_text(page)

    titles, _ = shown()
    assert len(titles) == 3  # the competition, the exam and the unanswered one
    titles, text = shown(answered=1, year=2025)
    assert len(titles) == 1 and "无人作答的竞赛" not in titles and "2025年安全生产知识考试" not in titles
    assert "只显示2025年有人交过答卷的竞赛和考试，其间交卷 4 人次" in text
    _, text = shown(answered=1, year=2025, town=quiz_rows["east"].id)
    assert "只显示2025年东镇人员交过答卷的竞赛和考试，其间交卷 2 人次" in text
    kept = client.get("/quiz/", query_string={"answered": 1, "year": 2025, "town": quiz_rows["east"].id})
    assert f'<input type="hidden" name="town" value="{quiz_rows["east"].id}">' in kept.get_data(as_text=True)
    titles, text = shown(answered=1, **{"from": "2025-04-01", "to": "2025-04-10"})
    assert len(titles) == 1 and "交卷 2 人次" in text
    assert shown(answered=1, year=2023)[0] == []
    titles, text = shown(answered=1, **{"from": "2025-04-10", "to": "2025-04-01"})
    assert "交卷期间条件未生效：结束日期不能早于开始日期" in text and len(titles) == 3


def test_quiz_series_by_shanghai_month_town_and_industry(quiz_rows):
    east, west = quiz_rows["east"].id, quiz_rows["west"].id
    assert quiz.series("month", YEAR) == {"2025-01": {"competitions": 1, "participants": 1},
                                          "2025-04": {"competitions": 1, "participants": 3}}
    assert quiz.series("town", YEAR) == {east: {"competitions": 1, "participants": 2},
                                         west: {"competitions": 1, "participants": 2}}
    assert quiz.series("industry", YEAR) == {"危险化学品": {"competitions": 1, "participants": 2},
                                             None: {"competitions": 1, "participants": 2}}


# --- plans ------------------------------------------------------------------------------------

def change(plan, to_status, at, from_status=None):
    db.session.add(StatusChange(plan_id=plan.id, from_status=from_status, to_status=to_status, created_at=at))


@pytest.fixture
def plan_rows(owners, make_plan):  # noqa: F811
    tree = owners["tree"]
    a = make_plan(title="东镇化工有限公司生产安全事故综合应急预案")
    b = make_plan(title="东镇化工有限公司液氨泄漏专项应急预案", kind=PlanKind.ENT_SPECIAL)
    c = make_plan(title="西镇防汛应急预案", kind=PlanKind.GOV_GRASSROOTS, owner=tree["west"], hazard="natural",
                  subtype="洪涝灾害")
    a.issued_on, a.filed_on, a.status = date(2025, 3, 1), date(2025, 3, 20), PlanStatus.FILED.value
    b.issued_on, b.filed_on, b.status = date(2024, 12, 31), date(2025, 1, 5), PlanStatus.FILED.value  # issued the year before
    c.issued_on, c.status = date(2025, 5, 1), PlanStatus.PUBLISHED.value
    needs, review = PlanStatus.NEEDS_REVISION.value, PlanStatus.IN_REVIEW.value
    change(a, needs, utc(2025, 6, 30, 16, 30), "filed")  # 00:30 on 1 July in Shanghai
    change(a, review, utc(2025, 7, 10, 2, 0), needs)  # revised
    change(a, needs, utc(2025, 8, 1, 2, 0), "published")  # returned again: the plan counts once in the year
    change(b, needs, utc(2024, 12, 31, 15, 59), "filed")  # 23:59 on 31 December 2024
    change(b, needs, utc(2024, 12, 31, 16, 0), "filed")  # midnight: 1 January 2025
    change(c, "published", utc(2025, 5, 1, 2, 0), review)  # not a revision
    db.session.commit()
    return tree


def test_plan_totals_by_their_dates_and_status_changes(plan_rows):
    east, west = plan_rows["east"].id, plan_rows["west"].id
    assert plans.totals(YEAR) == {"issued": 2, "filed": 2, "revision_requested": 2, "revised": 1}
    assert plans.totals(BEFORE) == {"issued": 1, "filed": 0, "revision_requested": 1, "revised": 0}
    assert plans.totals(YEAR, east) == {"issued": 1, "filed": 2, "revision_requested": 2, "revised": 1}
    assert plans.totals(YEAR, west) == {"issued": 1, "filed": 0, "revision_requested": 0, "revised": 0}
    assert plans.totals(Period(date(2025, 7, 1), date(2025, 7, 31)))["revision_requested"] == 1


def test_the_plans_list_shows_the_plans_each_measure_counts(client, login, plan_rows):
    login(Role.LEADER)

    def listed(**args) -> set[str]:
        page = client.get("/plans/", query_string=args)
        assert page.status_code == 200
        return set(re.findall(r'href="/plans/\d+">([^<]+)</a>', page.get_data(as_text=True)))

    a, b, c = "东镇化工有限公司生产安全事故综合应急预案", "东镇化工有限公司液氨泄漏专项应急预案", "西镇防汛应急预案"
    assert listed(counted="issued", year=2025) == {a, c}
    assert listed(counted="filed", year=2025) == {a, b}
    assert listed(counted="revision_requested", year=2025) == {a, b}
    assert listed(counted="revised", year=2025) == {a}
    assert listed(counted="issued", year=2024) == {b}
    assert listed(counted="revision_requested", **{"from": "2025-07-01", "to": "2025-07-31"}) == {a}
    assert listed(counted="issued", year=2025, town=plan_rows["west"].id) == {c}  # the list's filters on top
    text = page_text(client.get("/plans/", query_string={"counted": "revised", "year": 2025}))
    assert "只显示2025年修订后重新送审的预案" in text
    kept = client.get("/plans/", query_string={"counted": "revised", "year": 2025}).get_data(as_text=True)
    assert 'name="counted" value="revised"' in kept and '<input type="hidden" name="year" value="2025">' in kept

    for args, message in (({"counted": "sold", "year": 2025}, "统计口径“sold”不正确，已显示全部预案"),
                          ({"counted": "issued", "from": "2025-07-01"}, "统计期间条件未生效：请同时填写开始日期和结束日期")):
        page = client.get("/plans/", query_string=args)
        assert message in page_text(page)
        assert listed(**args) == {a, b, c}


def test_plan_series_by_month_and_town(plan_rows):
    east, west = plan_rows["east"].id, plan_rows["west"].id
    zero = dict.fromkeys(plans.MEASURES, 0)
    assert plans.series("month", YEAR) == {
        "2025-01": zero | {"filed": 1, "revision_requested": 1},
        "2025-03": zero | {"issued": 1, "filed": 1},
        "2025-05": zero | {"issued": 1},
        "2025-07": zero | {"revision_requested": 1, "revised": 1},
        "2025-08": zero | {"revision_requested": 1},
    }
    assert plans.series("town", YEAR) == {east: {"issued": 1, "filed": 2, "revision_requested": 2, "revised": 1},
                                          west: zero | {"issued": 1}}
