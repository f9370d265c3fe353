"""The outreach demo (seed-demo): two years of five-into work — ≥ 3 campaigns a year, ≥ 1,500
events at places of every venue type, coverage that is uneven across towns, targets some met and
some behind, materials adding up, photos that are real files, a few events linked to the
competition; a second run adds nothing. Runs on the registry and auth demos; the quiz demo is
slow, so its competition is stood in by a quiz row of the same title (what the link looks up)."""

import io
import random
from datetime import date, timedelta

from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp import storage
from webapp.auth import demo as auth_demo
from webapp.auth.models import User
from webapp.common.time import local_today, utcnow
from webapp.extensions import db
from webapp.outreach import coverage, demo, services
from webapp.outreach.models import Campaign, Event, EventMaterial, EventPhoto, VenueType
from webapp.quiz.demo import COMPETITION
from webapp.quiz.models import Quiz, QuizKind
from webapp.registry import demo as registry_demo
from webapp.registry.models import Organization, OrgKind


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _rows() -> tuple:
    return tuple(_count(m) for m in (Campaign, Event, EventMaterial, EventPhoto))


def _seed() -> tuple[str, Quiz]:
    rng = random.Random(2026)
    registry_demo.seed(rng)
    auth_demo.seed()
    now = utcnow()
    quiz = Quiz(code="DEMO2026", title=COMPETITION, kind=QuizKind.COMPETITION.value, opens_at=now - timedelta(days=10),
                closes_at=now + timedelta(days=20), published=True)
    db.session.add(quiz)
    db.session.commit()
    report = demo.seed(rng)
    db.session.commit()
    return report, quiz


def _values(event: Event) -> dict:
    return {"venue_type_id": event.venue_type_id, "place_id": event.place_id or "", "place_name": event.place_name,
            "town_id": event.town_id if event.place_id is None else "",
            "held_on": event.held_on, "campaign_id": event.campaign_id or "", "organizer_id": event.organizer_id or "",
            "forms": event.forms, "quiz_id": event.quiz_id or "", "audience": event.audience,
            "households": event.households, "partners": event.partners, "note": event.note}


def test_outreach_demo_is_two_uneven_years(app):
    report, quiz = _seed()
    assert report.startswith("安全宣传：")
    today = local_today()
    last, this = today.year - 1, today.year

    # ≥ 3 campaigns in each of the two years, at the usual moments, ends after starts
    campaigns = db.session.scalars(select(Campaign)).all()
    for year in (last, this):
        own = [c for c in campaigns if c.starts_on.year == year]
        assert len(own) >= 3
        assert {"常态化", "安全生产月", "防灾减灾日", "消防宣传月"} <= {c.moment for c in own}
        assert any(c.name == f"{year}年安全宣传“五进”常态化活动" for c in own)
    assert all(c.ends_on >= c.starts_on for c in campaigns)
    june = next(c for c in campaigns if c.moment == "安全生产月" and c.starts_on.year == last)
    assert (june.starts_on, june.ends_on) == (date(last, 6, 1), date(last, 6, 30))

    # ≥ 1,500 events over two years, none in the future, all with an audience
    events = db.session.scalars(select(Event).options(selectinload(Event.materials))).all()
    assert len(events) >= 1500
    assert max(e.held_on for e in events) <= today, "no event in the future"
    assert min(e.held_on for e in events) >= date(last, 1, 1)
    assert all(e.audience > 0 and e.forms for e in events)
    # more in June and November than in an ordinary month
    months = dict(db.session.execute(select(func.extract("month", Event.held_on), func.count()).where(
        Event.held_on >= date(last, 1, 1), Event.held_on <= date(last, 12, 31)).group_by(
        func.extract("month", Event.held_on))).all())
    months = {int(m): n for m, n in months.items()}
    ordinary = sorted(months.values())[len(months) // 2]
    assert months[6] > 1.5 * ordinary and months[11] > 1.5 * ordinary

    # every venue type used; every event's place of the right type
    types = {t.id: t for t in db.session.scalars(select(VenueType))}
    assert {e.venue_type_id for e in events} == set(types)
    places = {o.id: o for o in db.session.scalars(select(Organization))}
    for e in events:
        venue = types[e.venue_type_id]
        if venue.org_kinds:
            assert e.place_id is not None and places[e.place_id].kind in venue.org_kinds, (e.id, venue.key)
            assert e.town_id == places[e.place_id].town_id
        else:
            assert e.place_id is None and e.place_name and places[e.town_id].kind in (OrgKind.TOWN, OrgKind.STREET)
    family = [e for e in events if types[e.venue_type_id].households]
    assert family and all(20 <= e.households <= 80 for e in family)
    assert {places[e.place_id].kind for e in family} == {OrgKind.VILLAGE.value, OrgKind.COMMUNITY.value}
    named = {e.place_name for e in events if e.place_name}
    assert {"云溪县人民广场", "云溪高铁站站前广场", "云溪万达广场"} <= named
    organizers = {places[e.organizer_id].name for e in events if e.organizer_id}
    assert {"云溪县应急管理局", "云溪县消防救援大队", "云溪县教育局"} <= organizers
    assert any(places[e.organizer_id].kind in (OrgKind.TOWN, OrgKind.STREET) for e in events if e.organizer_id)

    # campaign events are dated within their campaign
    by_id = {c.id: c for c in campaigns}
    linked = [e for e in events if e.campaign_id]
    assert len(linked) > 0.9 * len(events)
    assert all(by_id[e.campaign_id].starts_on <= e.held_on <= by_id[e.campaign_id].ends_on for e in linked)

    # every saved event passes the officer's form rules (a sample of them)
    for e in random.Random(1).sample(events, 150):
        clean, errors = services.check_event(_values(e), [{"kind": m.kind, "quantity": m.quantity} for m in e.materials])
        assert not errors, (e.id, errors)

    # materials: totals consistent with the rows, tens of thousands a year, by kind
    totals = dict(db.session.execute(select(EventMaterial.event_id, func.sum(EventMaterial.quantity))
                                     .group_by(EventMaterial.event_id)).all())
    assert all(totals.get(e.id, 0) == e.materials_total for e in events)
    assert _count(EventMaterial, EventMaterial.quantity <= 0) == 0
    handed = db.session.scalar(select(func.sum(Event.materials_total)).where(
        Event.held_on >= date(last, 1, 1), Event.held_on <= date(last, 12, 31)))
    assert 20_000 <= handed <= 200_000
    kinds = set(db.session.scalars(select(EventMaterial.kind).distinct()))
    assert {"宣传单", "宣传册", "海报", "应急包"} <= kinds

    # coverage uneven across towns, through the coverage module
    for year in (last, this):
        result = coverage.coverage(coverage.Scope.for_year(year))
        village = next(t for t in result.types if t.key == "village")
        rates = [result.by_town[t.id][village.id].rate for t in result.towns]
        rates = [r for r in rates if r is not None]
        assert len(rates) >= 8
        assert max(rates) >= 2 * min(rates), rates
        assert max(rates) >= 80
        school = next(t for t in result.types if t.key == "school")
        cell = result.county[school.id]
        assert 0 < cell.reached < cell.total

    # targets: some met and some behind, county-wide and per town
    cells = []
    for campaign in (c for c in campaigns if c.starts_on.year == last):
        result = coverage.coverage(coverage.Scope.for_campaign(campaign))
        cells += [c for c in result.county.values() if c.target is not None]
        cells += [c for by_type in result.by_town.values() for c in by_type.values() if c.target is not None]
    assert sum(1 for c in cells if c.behind) >= 5 and sum(1 for c in cells if not c.behind) >= 5
    round_year = next(c for c in campaigns if c.moment == "常态化" and c.starts_on.year == last)
    assert any(t.town_id is None for t in round_year.targets) and any(t.town_id for t in round_year.targets)
    assert coverage.behind_targets(round_year)

    # a handful of events promote the competition
    promoting = [e for e in events if e.quiz_id]
    assert 1 <= len(promoting) <= 10
    assert all(e.quiz_id == quiz.id and "知识竞赛" in e.forms for e in promoting)

    # photos on a few hundred events: real pictures, every row its own files
    photos = db.session.scalars(select(EventPhoto)).all()
    assert len({p.event_id for p in photos}) >= 200
    keys = [p.key for p in photos] + [p.thumb_key for p in photos]
    assert len(set(keys)) == len(keys)
    assert all(storage.exists(k) for k in keys)
    for photo in photos[:5] + photos[-5:]:
        with storage.open_file(photo.key) as f:
            image = Image.open(io.BytesIO(f.read()))
            assert image.format == "JPEG" and (image.width, image.height) == (photo.width, photo.height)
            extrema = image.convert("L").getextrema()
            assert extrema[1] - extrema[0] > 100, "not a blank picture"
    assert any("安全生产月" in p.caption for p in photos)

    # the officer's latest events, recorded from the phone, with their photos
    officer = db.session.scalar(select(User).where(User.username == "xuanchuan"))
    phoned = [e for e in events if e.client_token]
    assert len(phoned) == demo.SHOWCASE
    assert all(e.created_by_id == officer.id and e.photos for e in phoned)

    # a second run adds nothing
    before = _rows()
    assert "已存在" in demo.seed(random.Random(2026))
    assert _rows() == before


def test_outreach_demo_needs_the_demo_county(app):
    assert "没有演示县" in demo.seed(random.Random(2026))
    assert _count(Event) == 0 and _count(Campaign) == 0
