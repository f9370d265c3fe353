"""Demo data for seed-demo: two years of safety publicity "five-into" work (安全宣传"五进") in the
demo county (云溪县).

- Campaigns, every year: the year-round “五进”常态化活动, the 全国防灾减灾日 week (around 5·12),
  the 安全生产月 (June) and the “119”消防宣传月 (November); the first year also a 《安全生产法》
  宣传周. The year-round campaign has targets per venue type county-wide and per town (80 % of the
  villages and schools, a quarter of the enterprises, a few hundred households …) derived from
  the registry; the moment campaigns have county-wide targets. Some are met, some are behind.
- About 1,800 events from 1 January of last year up to today (more in June and November, a
  spike in the 5·12 week, public places on the 安全宣传咨询日 (16 June), 5·12 and 11·9; schools
  not in their holidays, enterprises and offices on working days): enterprises, villages,
  communities, schools and county departments of the registry, 进家庭 visits of 20–80 households
  in a village or community, and named public places (县人民广场、高铁站广场、万达广场 …).
- Coverage is uneven on purpose: every town has an activity level, so the keen towns reach
  nearly all their villages and schools in a year and the lagging ones a third or less; the
  places a town reaches are a fresh draw each year, and they have most of the repeat events.
- Organizers as in a county (县应急管理局, the town governments, 县消防救援大队, 县教育局 …), with
  partner units; activity forms, audience and materials (宣传单、宣传册、海报、宣传品、应急包) fitting
  the venue; a short note; a few events link the quiz demo's competition (知识竞赛); a few
  hundred events carry photos (drawn scenes, demo_scenes), each row with its own files.

How it is written (seed-demo stays fast: about 2 s for this part on SQLite, 4 s on PostgreSQL): every event's
values and materials pass services.check_event, the rules of the officer's form and the phone;
the rows are then bulk inserts — the rows save_event and add_photo would have written. The
campaigns go through services.save_campaign, and the officer's (xuanchuan) four latest events
entirely through services.save_event and add_photo, as the phone records them.
Deterministic for a given rng and day: dates are relative to today.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from webapp import storage
from webapp.auth.models import User
from webapp.common.time import from_local, local_today, to_local, utcnow
from webapp.extensions import db
from webapp.outreach import coverage, services
from webapp.outreach.demo_scenes import CAPTIONS, Picture, phone_photo, scene
from webapp.outreach.models import Campaign, Event, EventMaterial, EventPhoto, VenueType
from webapp.registry.demo import COUNTY
from webapp.registry.models import TOWN_KINDS, Organization, OrgKind

OFFICER = ("xuanchuan", "赵芳")  # the demo outreach officer (webapp.auth.demo)
EVENTS = 1850  # about this many over the demo's years, whatever the day of the year
PER_YEAR = 950  # events in a full year, at least
SHOWCASE = 4  # the officer's latest events, recorded through the services
PHOTO_SHARE = 0.16  # events with photos
QUIZ_LINKS = 6  # events of the competition's window linked to it

# Venue type → share of a year's events.
SHARE = {"enterprise": 0.32, "village": 0.12, "community": 0.10, "school": 0.11, "family": 0.17, "agency": 0.04,
         "public": 0.14}
# Registry venue types: the share of a town's places reached in a year = base + slope × the town's
# activity (0.25 … 1): from about a third to nearly all of its villages.
REACH = {"enterprise": (0.08, 0.32), "village": (0.05, 0.93), "community": (0.15, 0.8), "school": (0.1, 0.85)}
# Named public places: (name, town, weight).
PUBLIC_PLACES = (
    (f"{COUNTY}人民广场", "城关镇", 6), ("云溪高铁站站前广场", "东城街道", 4), ("云溪万达广场", "西城街道", 5),
    (f"{COUNTY}汽车客运中心", "城关镇", 3), ("滨江公园", "东城街道", 3), ("城关农贸市场", "城关镇", 2),
    (f"{COUNTY}人民医院门诊大厅", "城关镇", 2), (f"{COUNTY}图书馆", "西城街道", 1), (f"{COUNTY}体育馆", "西城街道", 2),
    ("云溪大峡谷景区游客中心", "石门镇", 2), ("青石镇集贸市场", "青石镇", 2), ("白沙镇文化广场", "白沙镇", 2),
    ("柳河汽车站", "柳河镇", 1), ("龙泉镇文化礼堂", "龙泉镇", 1),
)
# (form, chance) per venue type: the forms of an event, at least one.
FORM_ODDS = {
    "enterprise": (("讲座", 0.65), ("发放资料", 0.6), ("现场演示/演练", 0.3), ("展板", 0.15), ("咨询台", 0.05),
                   ("线上推送", 0.1), ("知识竞赛", 0.02)),
    "village": (("发放资料", 0.75), ("展板", 0.35), ("讲座", 0.4), ("咨询台", 0.2), ("现场演示/演练", 0.1)),
    "community": (("展板", 0.4), ("发放资料", 0.7), ("咨询台", 0.35), ("讲座", 0.35), ("现场演示/演练", 0.3),
                  ("线上推送", 0.15)),
    "school": (("讲座", 0.6), ("现场演示/演练", 0.45), ("发放资料", 0.35), ("展板", 0.15), ("知识竞赛", 0.05),
               ("线上推送", 0.1)),
    "family": (("发放资料", 0.95), ("现场演示/演练", 0.1), ("讲座", 0.04)),
    "agency": (("讲座", 0.7), ("发放资料", 0.4), ("线上推送", 0.3), ("知识竞赛", 0.12)),
    "public": (("咨询台", 0.8), ("发放资料", 0.85), ("展板", 0.6), ("现场演示/演练", 0.3), ("线上推送", 0.2)),
}
# What an event is about, per venue type; (months) limits a seasonal topic.
TOPICS = {
    "enterprise": (("《安全生产法》和企业安全生产主体责任", None), ("重大事故隐患判定标准", None), ("有限空间作业安全", None),
                   ("动火作业安全", None), ("危险化学品安全管理", None), ("消防安全“四个能力”建设", None),
                   ("电气安全和用电规范", None), ("高温作业防中暑", (6, 7, 8, 9))),
    "village": (("防汛防台和山洪灾害避险", (4, 5, 6, 7, 8, 9)), ("地质灾害避险转移", (3, 4, 5, 6, 7, 8, 9)),
                ("森林防火", (1, 2, 3, 4, 10, 11, 12)), ("农村自建房安全", None), ("燃气和用电安全", None),
                ("防溺水", (5, 6, 7, 8, 9))),
    "community": (("电动自行车消防安全", None), ("高层建筑火灾逃生", None), ("燃气安全", None), ("家庭应急物资储备", None),
                  ("防汛防台", (5, 6, 7, 8, 9))),
    "school": (("防溺水", (4, 5, 6, 7, 9)), ("地震避险和自救互救", None), ("火灾逃生", None), ("交通安全", None),
               ("校园防踩踏", None)),
    "family": (("燃气安全", None), ("用电安全", None), ("家庭应急物资储备", None), ("火灾逃生", None),
               ("防汛防台", (5, 6, 7, 8, 9)), ("冬季取暖防火防一氧化碳中毒", (1, 2, 11, 12))),
    "agency": (("《安全生产法》", None), ("应急管理基本知识", None), ("办公场所消防安全", None), ("突发事件应对", None)),
    "public": (("安全生产和应急避险常识", None), ("防灾减灾知识", None), ("消防安全", None), ("燃气安全", None)),
}
# A campaign's own topic, used for most of its events.
MOMENT_TOPICS = {
    "安全生产月": {"enterprise": "《安全生产法》和重大事故隐患判定标准", "public": "安全生产法律法规和应急避险常识",
               "agency": "《安全生产法》", "": "查找身边安全隐患"},
    "防灾减灾日": {"school": "地震避险和自救互救", "village": "防汛防台和地质灾害避险", "": "防灾减灾和自救互救知识"},
    "消防宣传月": {"community": "电动自行车消防安全", "school": "火灾逃生", "": "消防安全和火灾逃生"},
    "安全生产法宣传周": {"": "《安全生产法》"},
}
DEMONSTRATION = {"school": "组织师生开展应急疏散演练", "enterprise": "现场演示灭火器和空气呼吸器的使用",
                 "community": "演示灭火器使用和初起火灾扑救", "village": "演示灭火器使用和山洪避险转移路线",
                 "family": "入户查看燃气软管、电线插座等家中隐患", "public": "演示心肺复苏和灭火器使用", "agency": "演示灭火器使用"}
BANNERS = {"常态化": "安全宣传“五进”", "安全生产月": "安全生产月", "防灾减灾日": "防灾减灾日", "消防宣传月": "119消防宣传月",
           "安全生产法宣传周": "《安全生产法》宣传周"}
SAFETY_MONTH_THEMES = {2024: "人人讲安全、个个会应急——畅通生命通道", 2025: "人人讲安全、个个会应急——查找身边安全隐患"}
DISASTER_DAY_THEMES = {2024: "人人讲安全、个个会应急——着力提升基层防灾避险能力", 2025: "人人讲安全、个个会应急——排查身边灾害隐患"}


@dataclass(frozen=True)
class Spec:
    """A campaign to create."""

    year: int
    moment: str
    name: str
    theme: str
    starts_on: date
    ends_on: date
    note: str

    @property
    def banner(self) -> str:
        return BANNERS[self.moment]


@dataclass
class Item:
    """An event to write."""

    venue: VenueType
    place: Organization | None
    place_name: str
    town: Organization | None  # the place's town (a named place: where it is)
    day: date
    spec: Spec | None = None
    organizer: Organization | None = None
    partners: str = ""
    forms: list = field(default_factory=list)
    audience: int = 0
    households: int = 0
    materials: list = field(default_factory=list)
    note: str = ""
    quiz: object = None
    topic: str = ""

    @property
    def title(self) -> str:
        return self.place.name if self.place is not None else self.place_name


def seed(rng: random.Random) -> str:
    if db.session.scalar(select(Event.id).limit(1)):
        return "安全宣传演示数据已存在，未重复写入。"
    if db.session.scalar(select(Organization.id).where(Organization.name == COUNTY)) is None:
        return "没有演示县，未写入安全宣传演示数据。"
    today = local_today()
    officer = db.session.scalar(select(User).where(User.username == OFFICER[0]))
    orgs = list(db.session.scalars(select(Organization).where(Organization.active.is_(True)).order_by(Organization.id)))
    writer = Writer(rng, today, officer, orgs)
    years = [today.year - 1, today.year]
    items = writer.plan(years, EVENTS, PER_YEAR)
    writer.link_quiz(items, _competition())
    specs = writer.specs(years)
    writer.assign(items, specs)
    campaigns = writer.campaigns(specs, items)
    showcase = _showcase(items, today)
    writer.bulk([i for i in items if not any(i is s for s in showcase)], campaigns)
    for number, item in enumerate(showcase):
        writer.through_services(item, campaigns, number)
    db.session.flush()
    return _report(today)


def _competition():
    """The quiz demo's competition, when it is there (知识竞赛 events link it)."""
    from webapp.quiz.demo import COMPETITION
    from webapp.quiz.models import Quiz, QuizKind

    return db.session.scalar(select(Quiz).where(Quiz.title == COMPETITION, Quiz.kind == QuizKind.COMPETITION.value))


def _showcase(items: list[Item], today: date) -> list[Item]:
    """The latest events at registry places of distinct venue types, recorded by the officer on
    the phone: what /o/ lists as 我最近记录的活动."""
    chosen, seen = [], set()
    for item in sorted(items, key=lambda i: i.day, reverse=True):
        if item.place is None or item.venue.key in seen or item.quiz is not None:
            continue
        seen.add(item.venue.key)
        chosen.append(item)
        if len(chosen) == SHOWCASE:
            break
    return chosen


def _nice(value: float) -> int:
    """A target as an office writes it: a round number."""
    if value >= 1000:
        return int(round(value / 100) * 100)
    if value >= 100:
        return int(round(value / 10) * 10)
    if value >= 20:
        return int(round(value / 5) * 5)
    return max(1, int(round(value)))


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return from_local(datetime.combine(day, time(hour, minute)))


def _insert(model, rows: list[dict], chunk: int = 500) -> list[int]:
    """Bulk insert, returning the new ids in the order of the rows."""
    ids: list[int] = []
    for start in range(0, len(rows), chunk):
        ids += db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True),
                                  rows[start:start + chunk]).all()
    return ids


def _insert_rows(model, rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert(model.__table__), rows)


def _weight(key: str, day: date) -> float:
    """How likely an event of the venue type is held on that day."""
    month, dom, weekday = day.month, day.day, day.weekday()
    weight = 1.0
    if month == 6:
        weight *= 3.0 if key in ("enterprise", "public", "agency") else 1.8
    elif month == 11:
        weight *= 3.0 if key in ("community", "family", "school", "public") else 1.8
    elif month == 5 and 10 <= dom <= 16:
        weight *= 4.0 if key in ("school", "village", "community", "public") else 2.0
    if key == "village" and month in (4, 5, 6, 7):
        weight *= 1.3  # before and in the flood season
    if (month == 1 and dom >= 22) or (month == 2 and dom <= 12) or (month == 10 and dom <= 7):
        weight *= 0.2  # the Spring Festival and National Day holidays
    if key == "school" and ((month == 1 and dom >= 18) or (month == 2 and dom < 20) or (month == 7 and dom > 8)
                            or month == 8):
        return 0.0  # school holidays
    if key == "public" and (month, dom) in ((5, 12), (6, 16), (11, 9)):
        weight *= 30  # 防灾减灾日, 安全宣传咨询日, 119 消防日: the county's desks in the squares
    if weekday >= 5:
        weight *= 0.05 if key in ("enterprise", "school", "agency") else 1.6 if key == "public" else 0.7
    return weight


def _day_weight(day: date) -> float:
    """How many events a day has, all venue types together (relative)."""
    return sum(share * _weight(key, day) for key, share in SHARE.items())


class Writer:
    """Builds the events (items) of some years and writes them, with their campaigns. files=False
    (the benchmark's five years): no photos on the bulk events."""

    def __init__(self, rng: random.Random, today: date, officer: User | None, orgs: list[Organization],
                 files: bool = True):
        self.rng, self.today, self.officer, self.files = rng, today, officer, files
        self.user_id = officer.id if officer else None
        self.now = utcnow()
        self.orgs = {o.id: o for o in orgs}  # also keeps them in the session's identity map for check_event
        self.towns = sorted((o for o in orgs if o.kind in {k.value for k in TOWN_KINDS}), key=lambda o: o.id)
        self.town_by_name = {t.name: t for t in self.towns}
        self.places: dict[tuple[str, int], list[Organization]] = {}
        for o in orgs:
            if o.kind in (OrgKind.ENTERPRISE, OrgKind.VILLAGE, OrgKind.COMMUNITY, OrgKind.SCHOOL) and o.town_id:
                self.places.setdefault((o.kind, o.town_id), []).append(o)
        self.departments = [o for o in orgs if o.kind == OrgKind.DEPARTMENT]
        names = {o.name: o for o in self.departments}
        self.bureau = names.get(f"{COUNTY}应急管理局")
        self.fire = names.get(f"{COUNTY}消防救援大队")
        self.education = names.get(f"{COUNTY}教育局")
        self.special = {"建筑施工": names.get(f"{COUNTY}住房和城乡建设局"), "道路运输": names.get(f"{COUNTY}交通运输局"),
                        "水上运输": names.get(f"{COUNTY}交通运输局"), "农林牧渔": names.get(f"{COUNTY}农业农村局"),
                        "旅游景区": names.get(f"{COUNTY}文化和广电旅游体育局"),
                        "人员密集场所": self.fire}
        self.venues = {v.key: v for v in services.venue_types(active_only=False)}
        levels = [0.25 + 0.75 * i / max(1, len(self.towns) - 1) for i in range(len(self.towns))]
        rng.shuffle(levels)
        self.level = {t.id: level for t, level in zip(self.towns, levels, strict=True)}
        self.pictures: dict[tuple[str, str], Picture] = {}

    # -------------------------------------------------------------------------- planning

    def plan(self, years: list[int], events: int, per_year: int) -> list[Item]:
        """The events of the years up to today: about `events` in all, `per_year` in a full year at least."""
        spans = []
        for year in years:
            first, last = date(year, 1, 1), min(date(year, 12, 31), self.today)
            if first > last:
                continue
            total = sum(_day_weight(first + timedelta(days=n)) for n in range((date(year, 12, 31) - first).days + 1))
            part = sum(_day_weight(first + timedelta(days=n)) for n in range((last - first).days + 1))
            spans.append((year, first, last, part / total))
        if not spans:
            return []
        full = max(per_year, math.ceil(events / sum(s[3] for s in spans)))
        items: list[Item] = []
        for year, first, last, part in spans:
            items += self._year(year, first, last, round(full * part), min(1.0, 0.3 + part))
        items.sort(key=lambda i: (i.day, i.venue.position, i.title))
        return items

    def _year(self, year: int, first: date, last: date, count: int, reach: float) -> list[Item]:
        rng = self.rng
        level = {t: min(1.0, max(0.15, v + rng.uniform(-0.06, 0.06))) for t, v in self.level.items()}
        out: list[Item] = []
        for key, share in SHARE.items():
            venue = self.venues[key]
            wanted = round(count * share)
            if key in REACH:
                base, slope = REACH[key]
                reached = []
                for town in self.towns:
                    pool = self.places.get((key, town.id), [])
                    take = min(len(pool), round(len(pool) * (base + slope * level[town.id]) * reach))
                    reached += rng.sample(pool, take)
                picks = reached + (rng.choices(reached, [level[p.town_id] ** 2 for p in reached],
                                               k=wanted - len(reached)) if reached and wanted > len(reached) else [])
            elif key == "family":
                homes = [p for t in self.towns for k in (OrgKind.VILLAGE, OrgKind.COMMUNITY)
                         for p in self.places.get((k.value, t.id), [])]
                picks = rng.choices(homes, [level[p.town_id] ** 1.5 for p in homes], k=wanted) if homes else []
            elif key == "agency":
                reached = rng.sample(self.departments, min(len(self.departments), rng.randint(10, 14)))
                picks = reached + rng.choices(reached, k=max(0, wanted - len(reached)))
            else:
                picks = rng.choices(PUBLIC_PLACES, [w for _, _, w in PUBLIC_PLACES], k=wanted)
            days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
            weights = [_weight(key, d) for d in days]
            if not any(weights):
                weights = [1.0] * len(days)
            for place, day in zip(picks, rng.choices(days, weights, k=len(picks)), strict=True):
                if isinstance(place, tuple):
                    name, town_name, _ = place
                    out.append(Item(venue, None, name, self.town_by_name.get(town_name), day))
                else:
                    out.append(Item(venue, place, "", self.orgs.get(place.town_id), day))
        return out

    def specs(self, years: list[int]) -> list[Spec]:
        out = []
        for n, year in enumerate(years):
            out.append(Spec(year, "常态化", f"{year}年安全宣传“五进”常态化活动", "人人讲安全、个个会应急",
                            date(year, 1, 1), date(year, 12, 31),
                            "按照《推进安全宣传“五进”工作方案》，全年常态化开展安全宣传进企业、进农村、进社区、进学校、进家庭活动，"
                            "各乡镇（街道）每月至少组织两次，年底前实现行政村、学校宣传全覆盖的八成以上。"))
            out.append(Spec(year, "防灾减灾日", f"{year}年全国防灾减灾日宣传周",
                            DISASTER_DAY_THEMES.get(year, "人人讲安全、个个会应急——提升基层防灾避险能力"),
                            date(year, 5, 10), date(year, 5, 16),
                            f"5月12日是第{year - 2008}个全国防灾减灾日。宣传周期间在县人民广场设主会场，"
                            "各乡镇（街道）、学校同步开展防灾减灾知识宣传和应急疏散演练。"))
            out.append(Spec(year, "安全生产月", f"{year}年“安全生产月”活动",
                            SAFETY_MONTH_THEMES.get(year, "人人讲安全、个个会应急——从源头防范化解重大安全风险"),
                            date(year, 6, 1), date(year, 6, 30),
                            "6月16日“安全宣传咨询日”在县人民广场、高铁站广场、万达广场设咨询台；"
                            "各行业部门组织企业开展《安全生产法》宣讲和“查找身边安全隐患”活动。"))
            if n % 2 == 0:
                out.append(Spec(year, "安全生产法宣传周", f"{year}年《安全生产法》宣传周", "学习宣传《安全生产法》，落实安全生产责任",
                                date(year, 9, 1), date(year, 9, 7),
                                "纪念新《安全生产法》施行，组织企业主要负责人和安全管理人员集中学习，开展机关单位专题讲座。"))
            out.append(Spec(year, "消防宣传月", f"{year}年“119”消防宣传月活动", "全民消防 生命至上",
                            date(year, 11, 1), date(year, 11, 30),
                            "11月9日在县人民广场举办消防宣传主题活动；消防救援大队组织“消防安全进社区、进学校、进家庭”，"
                            "重点宣传电动自行车消防安全和高层建筑火灾逃生。"))
        return out

    def link_quiz(self, items: list[Item], quiz) -> None:
        """A few events of the competition's window promote it: 知识竞赛, linked to the quiz."""
        if quiz is None or quiz.opens_at is None:
            return
        start = to_local(quiz.opens_at).date()
        fit = [i for i in items if start <= i.day <= self.today and i.venue.key in ("school", "community", "agency",
                                                                                 "enterprise")]
        for item in self.rng.sample(fit, min(QUIZ_LINKS, len(fit))):
            item.quiz = quiz

    def assign(self, items: list[Item], specs: list[Spec]) -> None:
        """Each event to the campaign running on its day (the one started last, as the phone
        proposes it); a few recorded without one. Then the rest of its values."""
        ordered = sorted(specs, key=lambda s: s.starts_on, reverse=True)
        for item in items:
            running = next((s for s in ordered if s.starts_on <= item.day <= s.ends_on), None)
            item.spec = running if self.rng.random() > 0.02 or running is None or running.moment != "常态化" else None
            self._fill(item)

    # -------------------------------------------------------------------------- an event's values

    def _fill(self, item: Item) -> None:
        rng, key, place = self.rng, item.venue.key, item.place
        item.organizer = self._organizer(item)
        forms = [form for form, chance in FORM_ODDS[key] if rng.random() < chance]
        if not forms:
            forms = [FORM_ODDS[key][0][0]]
        if item.quiz is not None and "知识竞赛" not in forms:
            forms.append("知识竞赛")
        item.forms = forms
        if key == "enterprise":
            audience = max(8, min(place.headcount or 60, rng.randint(20, 120)))
        elif key == "village":
            audience = rng.randint(40, 220)
        elif key == "community":
            audience = rng.randint(50, 300)
        elif key == "school":
            share = rng.uniform(0.85, 1.0) if "现场演示/演练" in forms else rng.uniform(0.2, 0.6)
            audience = max(30, round((place.headcount or 400) * share))
        elif key == "family":
            item.households = rng.randint(20, 80)
            audience = round(item.households * rng.uniform(2.1, 3.2))
        elif key == "agency":
            audience = rng.randint(20, 90)
        else:
            special = (item.day.month, item.day.day) in ((5, 12), (6, 16), (11, 9))
            audience = rng.randint(400, 1500) if special else rng.randint(80, 500)
        item.audience = audience
        item.materials = self._materials(item)
        item.partners = self._partners(item)
        item.topic = self._topic(item)
        item.note = self._note(item)

    def _organizer(self, item: Item) -> Organization | None:
        rng, key, town = self.rng, item.venue.key, item.town
        roll = rng.random()
        if key == "enterprise":
            special = self.special.get(item.place.industry or "")
            if special is not None and roll < 0.3:
                return special
            return self.bureau if roll < 0.6 else town if roll < 0.9 else self.fire
        if key in ("village", "family"):
            return town if roll < 0.72 else self.bureau if roll < 0.9 else self.fire
        if key == "community":
            return town if roll < 0.55 else self.fire if roll < 0.85 else self.bureau
        if key == "school":
            return self.education if roll < 0.4 else self.fire if roll < 0.65 else self.bureau if roll < 0.8 else town
        if key == "agency":
            return self.bureau if roll < 0.8 else self.fire
        if item.town is not None and roll < 0.4 and item.town.name not in ("城关镇", "东城街道", "西城街道"):
            return item.town  # a town's own market or square
        return self.fire if item.day.month == 11 and roll < 0.8 else self.bureau  # the county's desks

    def _materials(self, item: Item) -> list[dict]:
        rng, key, forms = self.rng, item.venue.key, item.forms
        people = item.households if key == "family" else item.audience
        rows = []
        if "发放资料" in forms:
            taken = rng.uniform(0.2, 0.5) if key in ("public", "school") else rng.uniform(0.4, 0.9)  # not everyone takes one
            rows.append({"kind": "宣传单", "quantity": max(10, int(round(people * taken, -1)))})
            if rng.random() < 0.6:
                rows.append({"kind": "宣传册", "quantity": max(5, round(people * rng.uniform(0.1, 0.3)))})
            if key in ("enterprise", "village", "community", "school") and rng.random() < 0.5:
                rows.append({"kind": "海报", "quantity": rng.randint(2, 20)})
            if key in ("public", "community", "family") and rng.random() < 0.5:
                rows.append({"kind": "宣传品（扇子、环保袋等）", "quantity": max(5, round(people * rng.uniform(0.1, 0.3)))})
            if key == "family" and rng.random() < 0.35:
                rows.append({"kind": "应急包", "quantity": max(2, round(people * rng.uniform(0.2, 0.5)))})
            if key == "public" and item.day.month == 5 and rng.random() < 0.7:
                rows.append({"kind": "应急包", "quantity": rng.randint(20, 80)})
        elif "展板" in forms and rng.random() < 0.4:
            rows.append({"kind": "海报", "quantity": rng.randint(2, 12)})
        return rows

    def _partners(self, item: Item) -> str:
        rng, key, town, place = self.rng, item.venue.key, item.town, item.place
        short = town.name.removesuffix("街道").removesuffix("镇").removesuffix("乡") if town else ""
        station = f"{COUNTY}消防救援大队{short}消防救援站" if short else f"{COUNTY}消防救援大队"
        pool = {
            "enterprise": [f"{town.name}应急管理办公室" if town else "", f"{COUNTY}应急管理局", station, f"{COUNTY}总工会"],
            "village": [f"{place.name}村民委员会" if place else "", f"{town.name}派出所" if town else "", station,
                        f"{COUNTY}自然资源和规划局"],
            "community": [f"{place.name}居民委员会" if place else "", f"{place.name.removesuffix('社区')}物业服务中心"
                          if place else "", station],
            "school": [station, f"{town.name}派出所" if town else "", f"{town.name}卫生院" if town else "",
                       f"{COUNTY}红十字会"],
            "family": [f"{place.name}{'居' if place and place.kind == OrgKind.COMMUNITY else '村'}民委员会" if place else "",
                       f"{town.name}应急管理办公室" if town else "", f"{COUNTY}红十字会"],
            "agency": [f"{COUNTY}应急管理局", station],
            "public": [f"{COUNTY}安委会成员单位", f"{COUNTY}红十字会", f"{COUNTY}气象局", station],
        }[key]
        organizer = item.organizer.name if item.organizer else ""
        pool = [p for p in dict.fromkeys(pool) if p and p != organizer and p != (place.name if place else "")]
        return "\n".join(rng.sample(pool, min(len(pool), rng.choice((0, 1, 1, 2, 2, 3)))))

    def _topic(self, item: Item) -> str:
        rng, key = self.rng, item.venue.key
        moment = item.spec.moment if item.spec else ""
        own = MOMENT_TOPICS.get(moment)
        if own and rng.random() < 0.75:
            return own.get(key, own[""])
        fitting = [t for t, months in TOPICS[key] if months is None or item.day.month in months]
        return rng.choice(fitting)

    def _note(self, item: Item) -> str:
        rng, key, forms = self.rng, item.venue.key, item.forms
        parts = []
        if key == "family":
            parts.append(f"入户{item.households}户")
        for form in forms:
            if form == "讲座":
                parts.append(rng.choice(("结合典型事故案例开展专题讲座", "邀请县消防救援大队教官授课", "开展安全知识专题讲座")))
            elif form == "展板":
                parts.append(f"展出宣传展板{rng.randint(4, 16)}块")
            elif form == "发放资料":
                parts.append("发放宣传资料")
            elif form == "现场演示/演练":
                parts.append(DEMONSTRATION[key])
            elif form == "咨询台":
                parts.append("设立咨询台解答群众咨询")
            elif form == "线上推送":
                parts.append("同步在微信工作群推送安全知识")
            elif form == "知识竞赛":
                parts.append(f"组织参加“{item.quiz.title}”线上答题" if item.quiz is not None else "组织安全知识竞赛")
        return f"围绕{item.topic}开展宣传：{'，'.join(parts)}。"

    # -------------------------------------------------------------------------- campaigns

    def campaigns(self, specs: list[Spec], items: list[Item]) -> dict[Spec, Campaign]:
        """The campaigns with their targets: the year-round one's from the registry (80 % of the
        villages and schools of each town …), the moment campaigns' near what they reached."""
        reached: dict[tuple[Spec, str], set] = {}
        homes: dict[tuple[Spec, str], int] = {}
        for item in items:
            for spec in {item.spec, next((s for s in specs if s.moment == "常态化" and s.year == item.day.year), None)}:
                if spec is None:
                    continue
                reached.setdefault((spec, item.venue.key), set()).add(item.place.id if item.place else item.place_name)
                homes[(spec, item.venue.key)] = homes.get((spec, item.venue.key), 0) + item.households
        counts = {(kind, town.id): len(self.places.get((kind, town.id), [])) for town in self.towns
                  for kind in ("village", "community", "school", "enterprise")}

        def total(kind: str) -> int:
            return sum(n for (k, _), n in counts.items() if k == kind)

        out = {}
        for spec in specs:
            targets = []
            if spec.moment == "常态化":
                county = {"enterprise": _nice(0.25 * total("enterprise")), "village": _nice(0.8 * total("village")),
                          "community": _nice(0.8 * total("community")), "school": _nice(0.8 * total("school")),
                          "family": _nice(330 * len(self.towns)), "agency": 10, "public": 8}
                for key, target in county.items():
                    targets.append({"venue_type_id": self.venues[key].id, "town_id": None, "target": target})
                for town in self.towns:
                    for key, rate in (("village", 0.8), ("community", 0.8), ("school", 0.8), ("enterprise", 0.25)):
                        if counts[(key, town.id)]:
                            targets.append({"venue_type_id": self.venues[key].id, "town_id": town.id,
                                            "target": max(1, math.ceil(rate * counts[(key, town.id)]))})
                    targets.append({"venue_type_id": self.venues["family"].id, "town_id": town.id, "target": 300})
            else:
                for key in ("enterprise", "village", "community", "school", "family", "public"):
                    done = homes.get((spec, key), 0) if key == "family" else len(reached.get((spec, key), ()))
                    if done:
                        targets.append({"venue_type_id": self.venues[key].id, "town_id": None,
                                        "target": _nice(done * self.rng.choice((0.8, 0.9, 1.1, 1.25)))})
            values = {"name": spec.name, "theme": spec.theme, "moment": spec.moment, "starts_on": spec.starts_on,
                      "ends_on": spec.ends_on, "note": spec.note}
            out[spec] = services.save_campaign(None, values, targets, self.officer)
        return out

    # -------------------------------------------------------------------------- writing

    def values(self, item: Item, campaigns: dict[Spec, Campaign]) -> dict:
        return {"venue_type_id": item.venue.id, "place_id": item.place.id if item.place else "",
                "place_name": item.place_name, "held_on": item.day,
                "town_id": item.town.id if item.place is None and item.town is not None else "",
                "campaign_id": campaigns[item.spec].id if item.spec else "",
                "organizer_id": item.organizer.id if item.organizer else "", "forms": item.forms,
                "quiz_id": item.quiz.id if item.quiz is not None else "", "audience": item.audience,
                "households": item.households, "partners": item.partners, "note": item.note}

    def bulk(self, items: list[Item], campaigns: dict[Spec, Campaign]) -> None:
        rows = []
        for item in items:
            clean, errors = services.check_event(self.values(item, campaigns), item.materials, self.today)
            if errors:
                raise RuntimeError(f"演示宣传活动“{item.title} {item.day}”不合规则：{errors}")
            place, organizer = clean["place"], clean["organizer"]
            created = min(_local(item.day, 18, self.rng.randint(0, 59)), self.now)
            rows.append({"campaign_id": clean["campaign"].id if clean["campaign"] else None,
                         "venue_type_id": clean["venue"].id, "place_id": place.id if place else None,
                         "place_name": "" if place else clean["place_name"],
                         "town_id": place.town_id if place else clean["town"].id if clean.get("town") else
                         organizer.town_id if organizer else None,
                         "held_on": clean["held_on"], "organizer_id": organizer.id if organizer else None,
                         "partners": clean["partners"], "forms": clean["forms"],
                         "quiz_id": clean["quiz"].id if clean["quiz"] else None, "audience": clean["audience"],
                         "households": clean["households"],
                         "materials_total": sum(m["quantity"] for m in clean["materials"]), "note": clean["note"],
                         "created_by_id": self.user_id, "created_at": created, "updated_at": created})
            item.materials = clean["materials"]
        ids = _insert(Event, rows)
        materials, photos = [], []
        for event_id, item in zip(ids, items, strict=True):
            materials += [{"event_id": event_id, **m} for m in item.materials]
            if self.files and self.rng.random() < PHOTO_SHARE:
                photos += self._photos(event_id, item)
        _insert_rows(EventMaterial, materials)
        _insert_rows(EventPhoto, photos)

    def _scenes(self, item: Item) -> list[str]:
        """The scenes an event's photos show, the main one first."""
        forms, key = item.forms, item.venue.key
        out = []
        if key == "school" and "现场演示/演练" in forms:
            out.append("school")
        if key == "family":
            out.append("leaflets")
        for form, kind in (("咨询台", "desk"), ("讲座", "lecture"), ("现场演示/演练", "demo"), ("展板", "boards"),
                           ("发放资料", "leaflets")):
            if form in forms and kind not in out and not (kind == "demo" and key in ("school", "family")):
                out.append(kind)
        return out or ["boards"]

    def _picture(self, kind: str, banner: str) -> Picture:
        if (kind, banner) not in self.pictures:
            self.pictures[(kind, banner)] = scene(kind, banner, self.rng)
        return self.pictures[(kind, banner)]

    def _caption(self, item: Item, kind: str) -> str:
        where = item.title if kind != "desk" else (item.spec.banner if item.spec else "安全宣传")
        return f"{where}{CAPTIONS[kind]}"[:100]

    def _photos(self, event_id: int, item: Item) -> list[dict]:
        banner = item.spec.banner if item.spec else BANNERS["常态化"]
        kinds = self._scenes(item)[: self.rng.choice((1, 1, 2, 2, 3))]
        created = min(_local(item.day, 18), self.now)
        out = []
        for kind in kinds:
            picture = self._picture(kind, banner)
            out.append({"event_id": event_id, "key": storage.save(picture.full, "outreach-photos", "jpg"),
                        "thumb_key": storage.save(picture.thumb, "outreach-photos", "jpg"), "width": picture.width,
                        "height": picture.height, "size": len(picture.full), "caption": self._caption(item, kind),
                        "uploaded_by_id": self.user_id, "created_at": created})
        return out

    def through_services(self, item: Item, campaigns: dict[Spec, Campaign], number: int) -> Event:
        """One event as the officer records it on the phone: the form with a client token, then
        its photos."""
        values = self.values(item, campaigns) | {"client_token": f"demo-phone-{item.day:%Y%m%d}-{number:02d}"}
        event = services.save_event(None, values, item.materials, self.officer, self.today)
        banner = item.spec.banner if item.spec else BANNERS["常态化"]
        for kind in self._scenes(item)[:2]:
            services.add_photo(event, phone_photo(kind, banner, self.rng), self._caption(item, kind), self.officer)
        return event


def _report(today: date) -> str:
    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    campaigns = count(Campaign)
    events = count(Event)
    audience, households, materials = db.session.execute(select(
        func.coalesce(func.sum(Event.audience), 0), func.coalesce(func.sum(Event.households), 0),
        func.coalesce(func.sum(Event.materials_total), 0))).one()
    photos = count(EventPhoto)
    with_photos = db.session.scalar(select(func.count(func.distinct(EventPhoto.event_id))))
    last = today.year - 1
    result = coverage.coverage(coverage.Scope.for_year(last))
    types = {t.key: t.id for t in result.types}
    cells = {key: result.county.get(types[key]) for key in ("community", "village", "school", "enterprise")}
    reach = "、".join(f"{c.reached}/{c.total}" for c in cells.values() if c is not None)
    return (f"安全宣传：{campaigns} 项宣传活动，{events} 次“五进”活动，受众 {audience:,} 人次，入户 {households:,} 户，"
            f"发放宣传资料和物品 {materials:,} 份，照片 {photos} 张（{with_photos} 次活动）；"
            f"{last}年覆盖社区、行政村、学校、企业 {reach}。")
