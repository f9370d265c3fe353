"""Coverage: how many distinct places of each venue type were reached, out of how many in the
registry, by town; the places not yet reached; progress against a campaign's targets.

A scope is a campaign (its events) or a period (a year, or from/to): the events counted are those
of the campaign, or held in the period. Places are counted once however many events they had
(DOMAIN.md §6: "coverage counts distinct places reached"); 进家庭 counts households visited.
All counts are GROUP BY queries.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.outreach.models import Campaign, CampaignTarget, Event, VenueType
from webapp.outreach.services import venue_types
from webapp.registry.models import TOWN_KINDS, Organization


@dataclass(frozen=True)
class Scope:
    campaign_id: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    town_id: int | None = None

    @classmethod
    def for_campaign(cls, campaign: Campaign, town_id: int | None = None) -> "Scope":
        return cls(campaign_id=campaign.id, town_id=town_id)

    @classmethod
    def for_year(cls, year: int, town_id: int | None = None) -> "Scope":
        return cls(starts_on=date(year, 1, 1), ends_on=date(year, 12, 31), town_id=town_id)

    def where(self, query):
        if self.campaign_id is not None:
            query = query.where(Event.campaign_id == self.campaign_id)
        if self.starts_on is not None:
            query = query.where(Event.held_on >= self.starts_on)
        if self.ends_on is not None:
            query = query.where(Event.held_on <= self.ends_on)
        if self.town_id is not None:
            query = query.where(Event.town_id == self.town_id)
        return query


@dataclass
class Cell:
    reached: int = 0  # distinct places (households for 进家庭)
    total: int | None = None  # places in the registry (None: not registered, e.g. public places)
    events: int = 0
    target: int | None = None

    @property
    def rate(self) -> float | None:
        return round(100 * self.reached / self.total, 1) if self.total else None

    @property
    def progress(self) -> float | None:
        return round(100 * self.reached / self.target, 1) if self.target else None

    @property
    def behind(self) -> bool:
        return self.target is not None and self.reached < self.target


@dataclass
class Coverage:
    types: list[VenueType]
    towns: list[Organization]
    county: dict[int, Cell] = field(default_factory=dict)  # venue type id → cell
    by_town: dict[int, dict[int, Cell]] = field(default_factory=dict)  # town id → type id → cell


def _registry_totals(types: list[VenueType], town_id: int | None) -> dict[tuple[int | None, int], int]:
    """(town id, type id) → active registry places of the type; town None = the county."""
    kinds = {k for t in types for k in t.org_kinds}
    if not kinds:
        return {}
    query = (select(Organization.town_id, Organization.kind, func.count()).where(
        Organization.active.is_(True), Organization.kind.in_(kinds)).group_by(Organization.town_id, Organization.kind))
    if town_id is not None:
        query = query.where(Organization.town_id == town_id)
    per_kind: dict[tuple[int | None, str], int] = {}
    for town, kind, count in db.session.execute(query):
        per_kind[(town, kind)] = count
    totals: dict[tuple[int | None, int], int] = {}
    for venue in types:
        for (town, kind), count in per_kind.items():
            if kind in venue.org_kinds:
                if town is not None:  # places outside any town (county departments) count once, county-wide
                    totals[(town, venue.id)] = totals.get((town, venue.id), 0) + count
                totals[(None, venue.id)] = totals.get((None, venue.id), 0) + count
    return totals


def coverage(scope: Scope) -> Coverage:
    types = venue_types(active_only=False)
    towns = list(db.session.scalars(select(Organization).where(
        Organization.kind.in_([k.value for k in TOWN_KINDS]), Organization.active.is_(True)).order_by(Organization.name)))
    if scope.town_id is not None:
        towns = [t for t in towns if t.id == scope.town_id]
    result = Coverage(types=types, towns=towns)
    totals = _registry_totals(types, scope.town_id)
    households = {t.id for t in types if t.households}
    named = {t.id for t in types if not t.org_kinds}

    def value(type_id: int, places: int, homes: int, names: int) -> int:
        return homes if type_id in households else names if type_id in named else places

    # Reached places are counted among the active ones, like the registry totals and not_reached():
    # reached + not reached = total, and a rate never passes 100 % because a place was retired.
    place = aliased(Organization)
    columns = (func.count(func.distinct(case((place.active.is_(True), Event.place_id)))),
               func.coalesce(func.sum(Event.households), 0), func.count(func.distinct(Event.place_name)),
               func.count(Event.id))
    per_town = scope.where(select(Event.town_id, Event.venue_type_id, *columns)
                           .outerjoin(place, place.id == Event.place_id)
                           .group_by(Event.town_id, Event.venue_type_id))
    for town, type_id, places, homes, names, events in db.session.execute(per_town):
        cell = result.by_town.setdefault(town, {}).setdefault(type_id, Cell())
        cell.reached, cell.events = value(type_id, places, homes, names), events
    # County-wide distinct places in a query of their own: a named place may recur across towns.
    county = scope.where(select(Event.venue_type_id, *columns).outerjoin(place, place.id == Event.place_id)
                         .group_by(Event.venue_type_id))
    for type_id, places, homes, names, events in db.session.execute(county):
        cell = result.county.setdefault(type_id, Cell())
        cell.reached, cell.events = value(type_id, places, homes, names), events
    for venue in types:
        # Households have no registry to count against; named places neither.
        counted = bool(venue.org_kinds) and not venue.households
        result.county.setdefault(venue.id, Cell()).total = totals.get((None, venue.id), 0) if counted else None
        for town in towns:
            cell = result.by_town.setdefault(town.id, {}).setdefault(venue.id, Cell())
            cell.total = totals.get((town.id, venue.id), 0) if counted else None
    if scope.campaign_id is not None:
        for target in db.session.scalars(select(CampaignTarget).where(CampaignTarget.campaign_id == scope.campaign_id)):
            if target.town_id is None:
                if scope.town_id is None:  # a county-wide target is not one town's
                    result.county.setdefault(target.venue_type_id, Cell()).target = target.target
            elif target.town_id in result.by_town:
                result.by_town[target.town_id].setdefault(target.venue_type_id, Cell()).target = target.target
    return result


def not_reached(scope: Scope, venue: VenueType):
    """A query of the registry places of the type that no event in the scope reached."""
    reached = scope.where(select(Event.place_id).where(Event.venue_type_id == venue.id, Event.place_id.is_not(None)))
    query = (select(Organization).where(Organization.active.is_(True), Organization.kind.in_(venue.org_kinds or ["-"]),
                                        Organization.id.not_in(reached))
             .order_by(Organization.town_id, Organization.name))
    if scope.town_id is not None:
        query = query.where(Organization.town_id == scope.town_id)
    return query


def behind_targets(campaign: Campaign) -> list[tuple[str, VenueType, Cell]]:
    """(where, venue type, cell) for every target not yet met: the dashboard's "behind" list."""
    result = coverage(Scope.for_campaign(campaign))
    types = {t.id: t for t in result.types}
    rows = [("全县", types[i], c) for i, c in result.county.items() if c.behind]
    names = {t.id: t.name for t in result.towns}
    for town_id, cells in result.by_town.items():
        rows.extend((names.get(town_id, "县本级"), types[i], c) for i, c in cells.items() if c.behind)
    return rows


def running_behind(today: date) -> list[tuple[Campaign, int]]:
    """(campaign, targets not yet met) for the campaigns running today (started, not ended) that
    are behind on some target, earliest end first: the work still to do, for the dashboard and
    the campaign list's “behind” filter. Campaigns ended or not started are left out: nothing can
    be done about the first, and nothing is due on the second. One coverage() per running
    campaign with targets (a handful at any time)."""
    running = db.session.scalars(
        select(Campaign).where(Campaign.starts_on <= today, Campaign.ends_on >= today,
                               Campaign.id.in_(select(CampaignTarget.campaign_id)))
        .order_by(Campaign.ends_on, Campaign.id))
    out = []
    for campaign in running:
        behind = len(behind_targets(campaign))
        if behind:
            out.append((campaign, behind))
    return out
