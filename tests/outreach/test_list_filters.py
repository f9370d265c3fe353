"""The campaign list's “behind” filter (the dashboard's campaigns behind their targets link to it):
campaigns running today with a target not yet met; ended and future campaigns are left out."""

from datetime import timedelta

from tests.conftest import page_text, table_text
from tests.outreach.conftest import event_values, venue
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.outreach import coverage, services


def campaign(name, target, starts, ends, town=None):
    today = local_today()
    item = services.save_campaign(None, {"name": name, "moment": "常态化", "starts_on": today + timedelta(days=starts),
                                         "ends_on": today + timedelta(days=ends)},
                                  [{"venue_type_id": venue("village").id, "town_id": town, "target": target}])
    db.session.commit()
    return item


def test_running_campaigns_behind_their_targets(app, client, login, places):
    behind = campaign("东镇进村未完成", 2, -30, 30, places["east"].id)  # a town's target
    met = campaign("全县进村已完成", 1, -30, 60)
    campaign("去年的活动未完成", 9, -400, -300)
    campaign("下月的活动", 9, 20, 50)
    for item in (behind, met):
        services.save_event(None, event_values(places["v1"], "village", campaign_id=item.id))
    db.session.commit()
    assert [(c.name, n) for c, n in coverage.running_behind(local_today())] == [("东镇进村未完成", 1)]
    login(Role.LEADER)
    page = client.get("/outreach/campaigns?behind=1")
    rows = table_text(page, "campaigns")
    assert "东镇进村未完成" in rows and "1 项目标未完成" in rows
    assert not any(name in rows for name in ("已完成", "去年", "下月"))
    assert "共 1 条" in page_text(page)
    everything = page_text(client.get("/outreach/campaigns"))
    assert "共 4 条" in everything and "项目标未完成" not in everything
