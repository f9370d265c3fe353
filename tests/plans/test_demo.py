"""seed-demo writes the county's emergency plans: ≥ 150 across towns, departments and
enterprises, in every status, some overdue for evaluation, several with many versions and open
comments; a second run adds nothing."""

from sqlalchemy import func, select

from webapp.common.time import local_today
from webapp.extensions import db
from webapp.plans import services
from webapp.plans.models import (
    STATUS_LABELS,
    ExpertReview,
    Plan,
    PlanComment,
    PlanKind,
    PlanStatus,
    PlanVersion,
    RevisionRequest,
    StatusChange,
)
from webapp.plans.outlines import OUTLINES
from webapp.registry.models import Organization, OrgKind


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _rows() -> tuple:
    return tuple(_count(m) for m in (Plan, PlanVersion, PlanComment, ExpertReview, RevisionRequest, StatusChange))


def test_seed_demo_writes_the_county_plans_once(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "应急预案：" in result.output
    today = local_today()

    plans = db.session.scalars(select(Plan)).all()
    assert len(plans) >= 150
    assert {p.status for p in plans} == {s.value for s in PlanStatus}, "every status is present"
    assert {p.kind for p in plans} == {k.value for k in PlanKind}
    owners = {p.organization.kind for p in plans}
    assert {OrgKind.COUNTY, OrgKind.DEPARTMENT, OrgKind.TOWN, OrgKind.VILLAGE, OrgKind.SCHOOL,
            OrgKind.ENTERPRISE} <= owners
    titles = {p.title for p in plans}
    assert {"云溪县突发事件总体应急预案", "云溪县防汛防台风应急预案", "青石镇地质灾害应急预案"} <= titles
    assert any(t.endswith("液氨泄漏现场处置方案") for t in titles)
    # a high-risk enterprise holds a comprehensive plan, special plans and on-site plans
    enterprise_kinds: dict[int, set[str]] = {}
    for p in plans:
        enterprise_kinds.setdefault(p.organization_id, set()).add(p.kind)
    chem = db.session.scalars(select(Organization.id).where(Organization.industry == "危险化学品")).all()
    assert any(enterprise_kinds.get(i, set()) >= {PlanKind.ENT_COMPREHENSIVE, PlanKind.ENT_SPECIAL,
                                                  PlanKind.ENT_ONSITE} for i in chem)

    # evaluation due: some overdue, some within 90 days; issue dates over the past four years
    live = [p for p in plans if p.status in (PlanStatus.PUBLISHED, PlanStatus.FILED)]
    assert any(p.next_evaluation_on < today for p in live)
    assert len(services.due_for_evaluation(90)) > len([p for p in live if p.next_evaluation_on < today])
    assert min(p.issued_on for p in plans if p.issued_on) < today.replace(year=today.year - 3)
    for p in live:
        assert p.next_evaluation_on == services.next_evaluation(p, p.issued_on)
        assert services.passing_review(p) is not None, p.title
    filed = [p for p in plans if p.status == PlanStatus.FILED]
    assert all(p.filing_number and "〔" in p.filing_number and p.issued_on <= p.filed_on <= today for p in filed)
    for p in [p for p in plans if p.status == PlanStatus.NEEDS_REVISION]:
        requests = db.session.scalars(select(RevisionRequest).where(RevisionRequest.plan_id == p.id)).all()
        assert requests and requests[0].problems and requests[0].assignee
    reviews = db.session.scalars(select(ExpertReview)).all()
    assert all(len(r.experts) == 3 and r.opinions for r in reviews)

    # versions by more than one user; history back-dated to the plan's own timeline
    many = [p for p in plans if p.version_number > 2]
    assert len(many) >= 5
    busiest = max(many, key=lambda p: p.version_number)
    saved_by = {v.user_id for v in services.versions(busiest)}
    assert len(saved_by) >= 2
    old = next(p for p in filed if p.issued_on < today.replace(year=today.year - 1))
    published = next(c for c in services.history(old) if c.to_status == PlanStatus.PUBLISHED)
    assert published.created_at.date().year == old.issued_on.year
    # the main chapters hold real text, not the outline's placeholders
    flood = next(p for p in plans if p.title == "云溪县防汛防台风应急预案")
    placeholders = {text for _n, _t, _l, text in OUTLINES[PlanKind(flood.kind)] if text}
    written = [s for s in flood.sections if s.content and s.content not in placeholders]
    assert len(written) >= 15
    duties = next(s for s in flood.sections if s.title == "组织指挥体系")
    assert "<table>" in duties.content and "指挥长" in duties.content

    # open comments and suggestions
    open_comments = _count(PlanComment, PlanComment.parent_id.is_(None), PlanComment.resolved.is_(False))
    assert open_comments >= 10
    assert _count(PlanComment, PlanComment.suggestion.is_not(None), PlanComment.decision.is_(None)) > 0
    assert _count(PlanComment, PlanComment.parent_id.is_not(None)) > 0
    in_review = [p for p in plans if p.status == PlanStatus.IN_REVIEW]
    assert any(_count(PlanComment, PlanComment.plan_id == p.id) for p in in_review)
    assert STATUS_LABELS[PlanStatus.FILED] in result.output

    before = _rows()
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "应急预案演示数据已存在" in again.output
    assert _rows() == before
