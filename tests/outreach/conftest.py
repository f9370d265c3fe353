"""Outreach fixtures: a county with places of every venue type, a campaign, an event factory, and
photos as a phone sends them (photo_bytes from the drills fixtures)."""

from datetime import date, timedelta

import pytest

from tests.drills.conftest import photo_bytes  # noqa: F401  (re-exported for outreach tests)
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.outreach import services
from webapp.registry.models import OrgKind


@pytest.fixture
def places(factory):
    """The factory tree (two towns 东镇/西镇, a village 新村 in each, an enterprise in 东镇's village)
    plus a community and a school in 东镇 and a department of the county."""
    tree = factory.tree()
    tree["community"] = factory.org("东镇幸福社区", OrgKind.COMMUNITY, tree["east"])
    tree["school"] = factory.org("东镇中心小学", OrgKind.SCHOOL, tree["east"])
    tree["department"] = factory.org("云溪县应急管理局", OrgKind.DEPARTMENT, tree["county"])
    return tree


def venue(key: str):
    return next(v for v in services.venue_types() if v.key == key)


@pytest.fixture
def campaign(app):
    today = local_today()
    item = services.save_campaign(None, {"name": f"{today.year}年安全宣传“五进”常态化活动", "theme": "人人讲安全、个个会应急",
                                         "moment": "常态化", "starts_on": date(today.year, 1, 1),
                                         "ends_on": date(today.year, 12, 31)}, [])
    db.session.commit()
    return item


def event_values(place, key: str, **overrides) -> dict:
    values = {"venue_type_id": venue(key).id, "place_id": place.id if place is not None else "",
              "held_on": local_today() - timedelta(days=2), "forms": ["讲座", "发放资料"], "audience": 60,
              "households": 0, "note": "讲解燃气安全和火灾逃生知识"}
    return values | overrides


@pytest.fixture
def make_event(places):
    def build(place=None, key="village", materials=(), user=None, **overrides):
        place = places["v1"] if place is None and key in ("village", "family") else place
        event = services.save_event(None, event_values(place, key, **overrides), list(materials), user)
        db.session.commit()
        return event

    return build


__all__ = ["event_values", "venue"]
