"""Plan fixtures: an enterprise and a town to own plans, and a plan factory (one call builds a
plan from its kind's outline; reviewed=True adds a passing expert review)."""

from datetime import date

import pytest

from webapp.extensions import db
from webapp.plans import services
from webapp.plans.models import ExpertReview, Hazard, PlanKind
from webapp.registry.models import OrgKind


@pytest.fixture
def owners(factory):
    tree = factory.tree()
    return {"enterprise": tree["ent"], "town": tree["east"], "county": tree["county"], "tree": tree}


@pytest.fixture
def make_plan(owners):
    def build(title="东镇化工有限公司生产安全事故综合应急预案", kind=PlanKind.ENT_COMPREHENSIVE, owner=None,
              hazard=Hazard.ACCIDENT, subtype="危险化学品事故", user=None, reviewed=False):
        owner = owner or (owners["enterprise"] if not str(PlanKind(kind).value).startswith("gov") else owners["town"])
        plan = services.create_plan({"title": title, "organization_id": owner.id, "kind": PlanKind(kind).value,
                                     "hazard": Hazard(hazard).value, "hazard_subtype": subtype,
                                     "response_levels": "Ⅰ级、Ⅱ级、Ⅲ级", "responsible_person": "张建国"}, user)
        if reviewed:
            db.session.add(ExpertReview(plan_id=plan.id, held_on=date(2026, 11, 20), experts=[
                {"name": "王专家", "title": "高级工程师", "unit": "市安全生产协会"}], opinions="内容完整，可操作性强。",
                conclusion="通过", version_number=plan.version_number))
        db.session.commit()
        return plan

    return build


__all__ = ["OrgKind"]
