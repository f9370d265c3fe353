"""The drills demo (seed-demo): ≥ 1,000 drills over two years across ≥ 15 industries, organized by
enterprises, towns, departments, schools and communities; evaluations with varying grades;
problems in every state, some overdue, the closed ones with evidence; photos that are real
files; plans in force drilled on time and a minority overdue; the drill officer's latest drills
complete; a second run adds nothing. Runs on the registry, auth and plans demos only (the quiz and
training demos are not needed, and are slow)."""

import io
import random
import re
from datetime import timedelta

from PIL import Image
from sqlalchemy import func, select

from webapp import storage
from webapp.auth import demo as auth_demo
from webapp.common.time import local_today
from webapp.drills import compliance, demo, problems
from webapp.drills.models import (
    HELD,
    Drill,
    DrillEvaluation,
    DrillPhoto,
    DrillProblem,
    DrillStatus,
    DrillStep,
    EvaluationScore,
    ProblemEvidence,
    ProblemStatus,
    drill_plans,
)
from webapp.extensions import db
from webapp.plans import demo as plans_demo
from webapp.plans.models import Plan, PlanStatus, RevisionRequest
from webapp.registry import demo as registry_demo
from webapp.registry.models import OrgKind


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _rows() -> tuple:
    return tuple(_count(m) for m in (Drill, DrillStep, DrillPhoto, DrillEvaluation, EvaluationScore, DrillProblem,
                                     ProblemEvidence, RevisionRequest))


def _seed() -> str:
    rng = random.Random(2026)
    registry_demo.seed(rng)
    auth_demo.seed()
    plans_demo.seed(rng)
    report = demo.seed(rng)
    db.session.commit()
    return report


def test_drills_demo_is_a_realistic_two_years(app):
    report = _seed()
    assert report.startswith("应急演练：")
    today = local_today()
    drills = db.session.scalars(select(Drill)).all()

    # ≥ 1,000 drills over the last two years, ≥ 15 industry types, organized by every kind of unit
    assert len(drills) >= 1000
    held = [d for d in drills if d.status in HELD]
    assert all(d.held_on is not None and d.held_on <= today for d in held), "no held drill in the future"
    assert all(d.participants > 0 for d in held)
    assert min(d.held_on for d in held) <= today - timedelta(days=700)
    assert min(d.held_on for d in held) >= today - timedelta(days=731)
    assert len({d.industry for d in drills if d.industry}) >= 15
    kinds = {d.organization.kind for d in drills}
    assert {OrgKind.ENTERPRISE, OrgKind.TOWN, OrgKind.DEPARTMENT, OrgKind.SCHOOL, OrgKind.COMMUNITY,
            OrgKind.VILLAGE} <= kinds
    enterprise = sum(1 for d in drills if d.organization.kind == OrgKind.ENTERPRISE)
    assert enterprise > len(drills) / 2, "enterprises organize most drills"
    assert all(d.town_id == d.organization.town_id for d in drills)

    # realistic titles, hazards matching the unit
    titles = [d.title for d in drills]
    assert any(re.fullmatch(r"20\d\d年.+液氨泄漏事故现场处置演练", t) for t in titles)
    assert any(re.fullmatch(r".+(镇|乡|街道)20\d\d年防汛防台综合应急演练", t) for t in titles)
    schools = [d for d in drills if d.organization.kind == OrgKind.SCHOOL]
    assert schools and all(d.hazard_subtype in ("地震", "火灾事故") and "疏散" in d.title for d in schools)
    villages = [d for d in drills if d.organization.kind == OrgKind.VILLAGE]
    assert villages and {d.hazard_subtype for d in villages} <= {"洪涝灾害", "台风", "地质灾害", "森林火灾"}
    chemical = [d for d in drills if d.industry == "危险化学品"]
    assert {d.hazard_subtype for d in chemical} <= {"危险化学品事故", "火灾事故"}
    school = max(schools, key=lambda d: d.participants)
    assert school.participants >= 300, "a whole school evacuates"

    # mostly field drills, some tabletop; every form appears
    field = sum(1 for d in drills if d.form_org == "field")
    assert field > 0.7 * len(drills) and len(drills) - field > 50
    assert {d.form_content for d in drills} == {"single", "comprehensive"}
    assert {d.form_purpose for d in drills} == {"inspection", "demonstration", "research"}

    # the drill plan ahead: planned and preparing drills in the coming months, with no held date
    ahead = [d for d in drills if d.status not in HELD]
    assert {d.status for d in ahead} == {DrillStatus.PLANNED.value, DrillStatus.PREPARING.value}
    assert all(d.held_on is None and d.planned_on > today for d in ahead)
    assert len(ahead) >= 30
    assert {d.status for d in held} == set(HELD)

    # timelines of 4–8 steps
    steps = dict(db.session.execute(select(DrillStep.drill_id, func.count()).group_by(DrillStep.drill_id)).all())
    assert len(steps) == len(drills)
    assert min(steps.values()) >= 4 and max(steps.values()) <= 8

    # evaluations for most held drills, scores within each item's maximum, grades that vary
    evaluations = db.session.scalars(select(DrillEvaluation)).all()
    assert len(evaluations) >= 0.7 * len(held)
    assert _count(EvaluationScore, EvaluationScore.score > EvaluationScore.max_score) == 0
    assert _count(EvaluationScore, EvaluationScore.score < 0) == 0
    totals = dict(db.session.execute(select(EvaluationScore.evaluation_id, func.sum(EvaluationScore.score))
                                     .group_by(EvaluationScore.evaluation_id)).all())
    assert all(totals[e.id] == e.total and e.total <= e.max_total for e in evaluations)
    assert len({e.grade for e in evaluations}) >= 3
    assert all(e.evaluated_on >= e.drill.held_on and e.evaluated_on <= today for e in evaluations)
    evaluated = {e.drill_id for e in evaluations}
    assert all(d.id in evaluated for d in drills if d.status in (DrillStatus.EVALUATING, DrillStatus.SUMMARIZED))

    # problems in every state, some overdue; every closed one with a note, a date and evidence
    found = db.session.scalars(select(DrillProblem)).all()
    assert {p.status for p in found} == {s.value for s in ProblemStatus}
    overdue = problems.overdue(today)
    assert {p.status for p in overdue} == {ProblemStatus.OPEN.value, ProblemStatus.RECTIFYING.value}
    assert 10 <= len(overdue) < 0.2 * len(found)
    closed = [p for p in found if p.status == ProblemStatus.CLOSED]
    assert all(p.closure_note and p.closed_on and p.drill.held_on <= p.closed_on <= today for p in closed)
    assert all(p.evidence for p in closed)
    assert all(p.due_on >= p.drill.held_on for p in found)
    evidence = db.session.scalars(select(ProblemEvidence)).all()
    assert {e.kind for e in evidence} == {"photo", "pdf"}
    for e in evidence[:40]:
        with storage.open_file(e.key) as f:
            head = f.read(5)
        assert head == b"%PDF-" if e.kind == "pdf" else head[:2] == b"\xff\xd8"
        assert e.kind == "pdf" or storage.exists(e.thumb_key)

    # photos on a few hundred drills: real pictures, every row its own files
    photos = db.session.scalars(select(DrillPhoto)).all()
    assert len({p.drill_id for p in photos}) >= 200
    keys = [p.key for p in photos] + [p.thumb_key for p in photos]
    assert len(set(keys)) == len(keys)
    assert all(storage.exists(k) for k in keys)
    for photo in photos[:5] + photos[-5:]:
        with storage.open_file(photo.key) as f:
            image = Image.open(io.BytesIO(f.read()))
            assert image.format == "JPEG" and (image.width, image.height) == (photo.width, photo.height)
            extrema = image.convert("L").getextrema()
            assert extrema[1] - extrema[0] > 100, "not a blank picture"

    # compliance: most plans in force drilled on time, a visible minority overdue
    rows = compliance.compliance(today=today)
    met = [r for r in rows if r.met]
    late = [r for r in rows if not r.met]
    assert len(met) > 3 * len(late) and len(late) >= 5
    assert any(r.last_drill is not None for r in late), "some overdue plans were drilled, but too long ago"
    linked = set(db.session.scalars(select(drill_plans.c.plan_id)))
    assert sum(1 for r in met if r.plan.id in linked) >= 0.6 * len(met)

    # a handful of problems asked for a plan revision: those plans are 需修订 in the plans module
    flagged = [p for p in found if p.plan_id is not None]
    assert 1 <= len(flagged) <= 6
    for p in flagged:
        assert p.revision_request_id is not None
        assert db.session.get(Plan, p.plan_id).status == PlanStatus.NEEDS_REVISION
        assert p.plan in p.drill.plans

    # the drill officer's most recent drills are complete: timeline, photos, evaluation, problems
    recent = [d for d in held if d.held_on >= today - timedelta(days=30)]
    complete = [d for d in recent if d.steps and d.photos and d.evaluation and d.problems]
    assert len(complete) >= 4
    assert any(len({p.status for p in d.problems}) == 3 for d in complete)

    # a second run adds nothing
    before = _rows()
    assert "已存在" in demo.seed(random.Random(2026))
    assert _rows() == before
