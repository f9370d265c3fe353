"""Drill fixtures: the plans fixtures (owners, make_plan), a plan in force, a drill factory, and
photos as a phone would send them."""

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from tests.plans.conftest import make_plan, owners  # noqa: F401  (fixtures, re-exported)
from webapp.common.time import local_today
from webapp.drills import services
from webapp.extensions import db
from webapp.plans.models import PlanKind, PlanStatus


def photo_bytes(width: int = 1200, height: int = 900, fmt: str = "JPEG", color=(40, 120, 200)) -> bytes:
    """A real picture of the given size and format."""
    image = Image.new("RGB", (width, height), color)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def plan_in_force(make_plan):  # noqa: F811  (the fixture imported above)
    """A filed on-site disposal plan issued 100 days ago (drill due every 6 months)."""
    plan = make_plan(title="东镇化工有限公司液氨泄漏现场处置方案", kind=PlanKind.ENT_ONSITE, reviewed=True)
    plan.status, plan.issued_on = PlanStatus.FILED.value, local_today() - timedelta(days=100)
    plan.filed_on, plan.filing_number = plan.issued_on + timedelta(days=10), "YXYJBA-2026-001"
    db.session.commit()
    return plan


def drill_values(owner, **overrides) -> dict:
    values = {"title": "2026年液氨泄漏事故现场处置演练", "organization_id": owner.id, "hazard": "accident",
              "hazard_subtype": "危险化学品事故", "form_org": "field", "form_content": "single",
              "form_purpose": "inspection", "status": "conducted", "held_on": local_today() - timedelta(days=3),
              "planned_on": None, "start_time": "09:00", "duration_minutes": 45, "location": "公司罐区",
              "scenario": "液氨储罐阀门泄漏", "commander": "张建国", "recorder": "陈静", "participants": 36,
              "participant_units": 3, "units": "东镇化工有限公司\n东镇消防救援站"}
    return values | overrides


@pytest.fixture
def make_drill(owners):  # noqa: F811
    def build(plans=(), user=None, steps=None, **overrides) -> "services.Drill":
        drill = services.save_drill(None, drill_values(owners["enterprise"], **overrides), [p.id for p in plans],
                                    steps, user)
        db.session.commit()
        return drill

    return build


__all__ = ["date", "drill_values", "photo_bytes"]
