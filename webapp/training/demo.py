"""Demo data for seed-demo: a training officer's year in the demo county (云溪县).

About 45 sessions (班次) over the past twelve months, one running this week (with slots today, so
the sign-in screen has something live), a few upcoming (one full, with a waiting list; one
deliberately double-booked in the same hall, so the conflict warning shows), and a few small
sessions from three to four years ago whose certificates have expired or are due for review.
Trainees are the registry's principal persons, safety managers, electricians and welders (plus
scaffolders created here, the registry having none), more from keen towns than from others.

How it is written, and why (the whole seed-demo should take well under a minute on SQLite):
- courses, sessions, slots, the enrollments of the current and upcoming sessions, hand
  corrections of attendance, exams, certificates and revocations go through the services, as an
  officer's clicks would;
- the enrollments and attendance of past sessions are bulk inserts (tens of thousands of rows):
  the same rows the services would write, without a round trip each;
- exam results: running ~3,000 real quiz attempts would take most of a minute, so only the last
  session of three courses holds a real exam (exams.create_exam, quiz.join/submit, a make-up
  through exams.allow_makeup, results through exams.collect_results); for every other past
  session the result is written on the enrollment directly (exam_score / exam_passed, and
  practical_score for special operations), which is what collect_results would have copied there;
- certificates are issued through certificates.issue with today= the session's last day (or the
  make-up day), so numbers and dates are historical.
Deterministic for a given seed and day: dates are relative to today.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import insert, select

from webapp.auth.models import User
from webapp.common.identifiers import id_check_char
from webapp.common.time import from_local, local_today, utcnow
from webapp.extensions import db
from webapp.quiz import services as quiz
from webapp.quiz.models import Question, QuestionBank
from webapp.registry.demo import GIVEN, REGION_CODES, SURNAMES
from webapp.registry.models import Organization, OrgKind, Person
from webapp.training import attendance, certificates, exams, services
from webapp.training.models import (
    Attendance,
    AttendanceCorrection,
    Certificate,
    Course,
    Enrollment,
    EnrollmentStatus,
    OperationCategory,
    Post,
    TimeSlot,
    TrainingSession,
)

MARK_COURSE = "高危行业生产经营单位主要负责人初训"  # its presence means the demo is already there
OFFICER = "peixun"  # the demo training officer (webapp.auth.demo)
CONTACT = "县应急管理局宣传教育股 李敏 0578-6123456"
BRING = "身份证原件、一寸免冠彩色照片 2 张、笔记本和笔"
BRING_SPECIAL = "身份证原件及复印件、一寸免冠彩色照片 2 张、学历证明复印件、县级以上医院体检合格证明"


# ------------------------------------------------------------------------------------ courses

@dataclass(frozen=True)
class CourseSpec:
    key: str
    name: str
    post: Post
    initial: bool
    high_risk: bool
    hours: float
    days: tuple  # (day offset, start, end, hours) per slot, local time
    group: str  # trainers, venues and topics: "general", "electric", "welding", "heights"
    category: str | None = None  # special operations: the catalogue's operation
    audience: str = ""


AM, PM = ("08:30", "12:00", 4), ("14:00", "17:30", 4)
LONG_AM, LONG_PM = ("08:00", "12:00", 5), ("13:30", "17:30", 5)  # 5 lessons of 45 minutes with breaks


def _plan(days: int, am=AM, pm=PM, last_half=False) -> tuple:
    slots = []
    for d in range(days):
        slots.append((d, *am))
        if not (last_half and d == days - 1):
            slots.append((d, *pm))
    return tuple(slots)


COURSES = [
    # 令第3号 art. 9: 48 hours initial / 16 refresher in the high-risk industries, 32 / 12 elsewhere.
    CourseSpec("p_init_hr", MARK_COURSE, Post.PRINCIPAL, True, True, 48, _plan(5, LONG_AM, LONG_PM), "general",
               audience="矿山、危险化学品、烟花爆竹、金属冶炼等高危行业生产经营单位新任主要负责人"),
    CourseSpec("p_init", "生产经营单位主要负责人初训", Post.PRINCIPAL, True, False, 32, _plan(4), "general",
               audience="一般行业生产经营单位新任主要负责人"),
    CourseSpec("p_ref_hr", "高危行业生产经营单位主要负责人复训", Post.PRINCIPAL, False, True, 16, _plan(2), "general",
               audience="高危行业生产经营单位主要负责人（每年再培训）"),
    CourseSpec("p_ref", "生产经营单位主要负责人复训", Post.PRINCIPAL, False, False, 12, _plan(2, last_half=True),
               "general", audience="一般行业生产经营单位主要负责人（每年再培训）"),
    CourseSpec("s_init_hr", "高危行业安全生产管理人员初训", Post.SAFETY_MANAGER, True, True, 48,
               _plan(5, LONG_AM, LONG_PM), "general", audience="高危行业生产经营单位新任安全生产管理人员"),
    CourseSpec("s_init", "安全生产管理人员初训", Post.SAFETY_MANAGER, True, False, 32, _plan(4), "general",
               audience="一般行业生产经营单位新任安全生产管理人员"),
    CourseSpec("s_ref_hr", "高危行业安全生产管理人员复训", Post.SAFETY_MANAGER, False, True, 16, _plan(2), "general",
               audience="高危行业生产经营单位安全生产管理人员（每年再培训）"),
    CourseSpec("s_ref", "安全生产管理人员复训", Post.SAFETY_MANAGER, False, False, 12, _plan(2, last_half=True),
               "general", audience="一般行业生产经营单位安全生产管理人员（每年再培训）"),
    # 令第30号: initial hours per the operation's syllabus (40 here); ≥ 8 hours before each review.
    CourseSpec("elec", "低压电工作业初训", Post.SPECIAL, True, False, 40, _plan(5), "electric", "低压电工作业",
               audience="从事低压电工作业、尚未取得特种作业操作证的人员"),
    CourseSpec("elec_rev", "低压电工作业复审培训", Post.SPECIAL, False, False, 8, ((0, *PM), (1, *AM)), "electric",
               "低压电工作业", audience="低压电工作业操作证 3 年内到期复审的持证人员"),
    CourseSpec("weld", "熔化焊接与热切割作业初训", Post.SPECIAL, True, False, 40, _plan(5), "welding",
               "熔化焊接与热切割作业", audience="从事熔化焊接与热切割作业、尚未取得特种作业操作证的人员"),
    CourseSpec("height", "登高架设作业初训", Post.SPECIAL, True, False, 40, _plan(5), "heights", "登高架设作业",
               audience="建筑施工企业从事脚手架搭设、拆除等登高架设作业的人员"),
]

TRAINERS = {
    "general": ["王建华", "陈立新", "周婷", "黄志刚", "林晓燕", "郑国平"],
    "electric": ["刘海涛", "吴建军"],
    "welding": ["赵德明", "孙建伟"],
    "heights": ["马永强", "徐立国"],
}
TRAINER_TITLES = {
    "王建华": "县应急管理局", "陈立新": "注册安全工程师", "周婷": "县应急管理局政策法规股", "黄志刚": "县消防救援大队",
    "林晓燕": "县卫生健康局职业健康科", "郑国平": "市安全生产协会专家", "刘海涛": "高级电工技师",
    "吴建军": "县职教中心电工实训教师", "赵德明": "高级焊工技师", "孙建伟": "县职教中心焊接实训教师",
    "马永强": "建筑安全专家", "徐立国": "县住建局质量安全监督站",
}
TOPICS = {
    "general": ["安全生产法律法规与政策解读", "生产经营单位安全生产主体责任", "安全风险分级管控与隐患排查治理",
                "事故案例警示教育", "生产安全事故应急预案与应急处置", "职业病危害防治", "重大危险源与危险作业管理",
                "有限空间与动火作业安全", "安全生产标准化建设", "消防安全管理", "考前复习与答疑"],
    "electric": ["电工基础知识", "电气安全技术与安全用具", "低压电器与配电装置", "电气线路与照明安全",
                 "电气防火与触电急救", "实操：低压电器安装与接线", "实操：电工仪表使用与检测",
                 "实操：触电急救（心肺复苏）", "实操：电气安全用具使用", "实操考核"],
    "welding": ["焊接与热切割基础知识", "焊接与热切割安全技术", "焊接作业防火防爆", "焊接职业危害与个人防护",
                "相关法律法规与事故案例", "实操：焊条电弧焊", "实操：气割作业", "实操：焊接设备安全检查",
                "实操：作业现场安全隐患识别", "实操考核"],
    "heights": ["登高架设作业基础知识", "脚手架搭设与拆除安全技术", "安全带与坠落防护", "高处作业事故案例",
                "相关法律法规", "实操：扣件式钢管脚手架搭设", "实操：脚手架拆除", "实操：安全带正确使用",
                "实操：脚手架验收与隐患识别", "实操考核"],
}
HALL = "县应急管理局培训中心三楼报告厅"
COUNTY_VENUES = [HALL, "县行政服务中心二楼多功能厅"]
THEORY_ROOM = "县职教中心实训楼四楼多媒体教室"
PRACTICE_ROOMS = {"electric": "县职教中心实训楼二楼电工实训室", "welding": "县职教中心实训楼一楼焊接实训车间",
                  "heights": "县职教中心室外脚手架实训场"}

# Exam: a paper of 100 points drawn from the shipped banks (loaded by the quiz demo).
EXAM_RULES = [("single", 20, 3), ("multiple", 5, 4), ("true_false", 10, 2)]
EXAM_BANKS = {"general": ["三项岗位人员", "安全生产法"], "special": ["三项岗位人员", "应急常识"]}

# Past twelve months: how many sessions each course ran, and which of them were held in a town
# (乡镇片区, a meeting room with no screen: a printed static QR code).
PAST_SESSIONS = {"p_init_hr": 1, "p_init": 2, "p_ref_hr": 2, "p_ref": 8, "s_init_hr": 1, "s_init": 3, "s_ref_hr": 3,
                 "s_ref": 10, "elec": 4, "elec_rev": 3, "weld": 5, "height": 2}
TOWN_SESSIONS = {"p_ref": ["青石镇", "白沙镇"], "s_ref": ["青石镇", "柳河镇", "龙泉镇"]}
REAL_EXAMS = ("elec", "s_init", "p_ref")  # the last past session of these holds a real exam
REAL_EXAM_SIZE = 40
TOWN_SESSION_SIZE = 70  # a town hall's meeting room
# Old sessions (days before today, course, trainees): their certificates have expired (3-year
# validity), expire soon, or (special operations) are due or overdue for the 3-yearly review.
OLD_SESSIONS = [(1530, "p_init", 28), (1210, "s_init", 30), (1140, "p_ref", 34), (1086, "s_ref", 36),
                (1048, "p_ref", 30), (1160, "elec", 26), (1072, "weld", 24)]

CORRECT_PRESENT = ["扫码时手机无信号，经授课老师现场核实到课", "手机没电未能扫码，已在纸质签到表签字",
                   "迟到约 10 分钟，经班主任核实到课", "微信扫码失败，现场核实到课"]
CORRECT_ABSENT = ["经核查为他人代签到，本人未到课", "签到后中途离场未返回，按缺勤处理"]
REVOKE_REASONS = ["经核查培训期间存在代签到行为，撤销发证", "持证人信息登记有误（身份证号错误），注销后重新办理",
                  "持证人发生严重违章作业，经调查属实，依规注销", "持证人已离职并申请注销"]


# ----------------------------------------------------------------------------------- planning

# New Year's Day, Labour Day and National Day weeks: no training (the Spring Festival moves; left out).
HOLIDAYS = {(1, 1), *((5, d) for d in range(1, 6)), *((10, d) for d in range(1, 8))}

@dataclass
class Plan:
    spec: CourseSpec
    start: date
    stage: str  # old / past / current / upcoming
    venue: str = ""
    town: str | None = None
    town_id: int | None = None
    quota: int | None = None
    real_exam: bool = False
    slots: list = field(default_factory=list)  # (starts_at, ends_at, hours, topic, trainer, venue, static)
    people: list = field(default_factory=list)  # person rows
    capacity: int = 0
    session: TrainingSession | None = None

    @property
    def end(self) -> date:
        return self.start + timedelta(days=max(d for d, *_ in self.spec.days))


class Calendar:
    """Who and what is busy when (venue or trainer, date, half-day): the demo books no double
    booking except the one it means to."""

    def __init__(self):
        self.busy: set[tuple[str, date, str]] = set()

    @staticmethod
    def half(start: str) -> str:
        hour = int(start[:2])
        return "am" if hour < 12 else "pm" if hour < 18 else "eve"

    def free(self, name: str, day: date, start: str) -> bool:
        return (name, day, self.half(start)) not in self.busy

    def book(self, name: str, day: date, start: str) -> None:
        self.busy.add((name, day, self.half(start)))


def _at(day: date, hm: str) -> datetime:
    return from_local(datetime.combine(day, time.fromisoformat(hm)))


def _slot_venues(plan: Plan) -> list[str]:
    """The venue of each slot: special operations learn theory in a classroom, then practise."""
    group = plan.spec.group
    if group == "general":
        return [plan.venue] * len(plan.spec.days)
    theory = max(1, round(len(plan.spec.days) * 0.5))
    return [THEORY_ROOM if i < theory else PRACTICE_ROOMS[group] for i in range(len(plan.spec.days))]


def _fits(cal: Calendar, plan: Plan, weekdays_only: bool = True) -> bool:
    for (offset, start, _end, _hours), venue in zip(plan.spec.days, _slot_venues(plan), strict=True):
        day = plan.start + timedelta(days=offset)
        if weekdays_only and (day.weekday() >= 5 or (day.month, day.day) in HOLIDAYS):
            return False
        if not cal.free(venue, day, start):
            return False
        if not any(cal.free(t, day, start) for t in TRAINERS[plan.spec.group]):
            return False
    return True


def _book(cal: Calendar, plan: Plan, rng: random.Random, force: bool = False) -> None:
    """Fix the plan's slots: a trainer free at each (force: book even where taken)."""
    topics = TOPICS[plan.spec.group]
    pool = TRAINERS[plan.spec.group]
    plan.slots = []
    for i, ((offset, start, end, hours), venue) in enumerate(zip(plan.spec.days, _slot_venues(plan), strict=True)):
        day = plan.start + timedelta(days=offset)
        free = [t for t in pool if cal.free(t, day, start)] or ([rng.choice(pool)] if force else [])
        trainer = rng.choice(free)
        cal.book(venue, day, start)
        cal.book(trainer, day, start)
        topic = topics[-1] if i == len(plan.spec.days) - 1 else topics[i % (len(topics) - 1)]
        plan.slots.append((_at(day, start), _at(day, end), hours, topic, trainer, venue, plan.town is not None))


def _place(cal: Calendar, plan: Plan, rng: random.Random, earliest: date, latest: date, venues: list[str]) -> bool:
    """Move the plan's start to the nearest feasible day (in a free venue) between the bounds."""
    target = plan.start
    for step in range(0, 60):
        for day in (target + timedelta(days=step), target - timedelta(days=step)):
            if not earliest <= day <= latest:
                continue
            plan.start = day
            for venue in rng.sample(venues, len(venues)):
                plan.venue = venue
                if _fits(cal, plan):
                    _book(cal, plan, rng)
                    return True
    return False


# ------------------------------------------------------------------------------------- people

@dataclass
class Pools:
    by_key: dict  # course group key → list of person rows (id, name, id_number, town_id)
    keen: dict  # town id → how keen its units are on training (0..1)
    towns: dict  # town name → id


def _people(rng: random.Random) -> Pools:
    """The registry's enterprise people by what they would be trained for."""
    high_risk = set(current_app.config["TRAINING_HIGH_RISK_INDUSTRIES"])
    rows = db.session.execute(
        select(Person.id, Person.name, Person.id_number, Person.post, Organization.industry, Organization.town_id)
        .join(Organization, Person.organization_id == Organization.id)
        .where(Organization.kind == OrgKind.ENTERPRISE.value, Person.active.is_(True)).order_by(Person.id)).all()
    towns = dict(db.session.execute(select(Organization.name, Organization.id).where(
        Organization.kind.in_([OrgKind.TOWN.value, OrgKind.STREET.value]))).all())
    keen = {tid: rng.uniform(0.65, 0.99) for tid in sorted(towns.values())}
    pools: dict[str, list] = defaultdict(list)
    for row in rows:
        group = {"主要负责人": "principal", "安全管理员": "safety", "安全总监": "safety", "电工": "electric",
                 "焊工": "welding"}.get(row.post or "")
        if group in ("principal", "safety"):
            group += "_hr" if row.industry in high_risk else ""
        if group:
            pools[group].append((row.id, row.name, row.id_number, row.town_id))
    # The registry has no scaffolders (架子工): they are added to the building firms, and any group
    # the registry is short of is topped up the same way.
    minimum = {"principal": 400, "principal_hr": 80, "safety": 500, "safety_hr": 120, "electric": 300,
               "welding": 300, "heights": 160}
    for group, least in minimum.items():
        if len(pools[group]) < least:
            pools[group] += _new_people(rng, group, least - len(pools[group]), high_risk)
    return Pools(dict(pools), keen, towns)


POST_OF_GROUP = {"principal": "主要负责人", "principal_hr": "主要负责人", "safety": "安全管理员",
                 "safety_hr": "安全管理员", "electric": "电工", "welding": "焊工", "heights": "架子工"}


def _new_people(rng: random.Random, group: str, count: int, high_risk: set[str]) -> list:
    industries = {"heights": ["建筑施工"]}.get(group)
    query = select(Organization.id, Organization.town_id).where(Organization.kind == OrgKind.ENTERPRISE.value,
                                                                 Organization.active.is_(True))
    if industries:
        query = query.where(Organization.industry.in_(industries))
    elif group.endswith("_hr"):
        query = query.where(Organization.industry.in_(high_risk))
    orgs = db.session.execute(query.order_by(Organization.id)).all() or db.session.execute(
        select(Organization.id, Organization.town_id).where(Organization.kind == OrgKind.ENTERPRISE.value)).all()
    if not orgs:
        return []
    taken = set(db.session.scalars(select(Person.id_number)))
    rows = []
    while len(rows) < count:
        birth = date(1968, 1, 1) + timedelta(days=rng.randint(0, 365 * 34))
        body = rng.choice(REGION_CODES) + birth.strftime("%Y%m%d") + f"{rng.randint(0, 999):03d}"
        number = body + id_check_char(body)
        if number in taken:
            continue
        taken.add(number)
        org_id, town_id = rng.choice(orgs)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        rows.append({"name": name, "id_number": number, "organization_id": org_id, "post": POST_OF_GROUP[group],
                     "phone": rng.choice(["13", "15", "18"]) + f"{rng.randint(0, 999999999):09d}", "_town": town_id})
    ids = db.session.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True),
                             [{k: v for k, v in r.items() if k != "_town"} for r in rows]).all()
    return [(pid, r["name"], r["id_number"], r["_town"]) for pid, r in zip(ids, rows, strict=True)]


def _participants(rng: random.Random, pools: Pools) -> dict[str, list]:
    """Who trained in the past year, by course: most principals and safety managers (the yearly
    refresher, or the initial course when new), part of the special-operations workers."""
    out: dict[str, list] = defaultdict(list)
    routes = {"principal": ("p_init", "p_ref", 0.15, 1.0), "principal_hr": ("p_init_hr", "p_ref_hr", 0.15, 1.0),
              "safety": ("s_init", "s_ref", 0.2, 1.0), "safety_hr": ("s_init_hr", "s_ref_hr", 0.2, 1.0),
              "electric": ("elec", "elec_rev", 0.55, 0.9), "welding": ("weld", None, 1.0, 0.75),
              "heights": ("height", None, 1.0, 0.9)}
    for group, (initial, refresher, share, rate) in routes.items():
        for person in pools.by_key.get(group, []):
            if rng.random() < pools.keen.get(person[3], 0.7) * rate:
                out[initial if refresher is None or rng.random() < share else refresher].append(person)
    return out


def _assign(rng: random.Random, plans: list[Plan], people: list) -> None:
    """Town sessions take their town's people first; a real-exam session takes REAL_EXAM_SIZE; the
    rest are shared out evenly."""
    rng.shuffle(people)
    rest = []
    town_plans = {p.town_id: p for p in plans if p.town_id}
    for person in people:
        plan = town_plans.get(person[3])
        (plan.people if plan is not None and len(plan.people) < TOWN_SESSION_SIZE else rest).append(person)
    for plan in plans:
        if plan.quota is not None:
            plan.people, rest = rest[:plan.quota], rest[plan.quota:]
    open_plans = [p for p in plans if p.town_id is None and p.quota is None] or plans
    for i, person in enumerate(rest):
        open_plans[i % len(open_plans)].people.append(person)


# -------------------------------------------------------------------------------------- seeding

def seed(rng: random.Random) -> str:
    if db.session.scalar(select(Course.id).where(Course.name == MARK_COURSE)):
        return "培训演示数据已存在，未重复写入。"
    officer = db.session.scalar(select(User).where(User.username == OFFICER))
    services.ensure_catalogue()
    courses = _courses()
    today, now = local_today(), utcnow()
    pools = _people(rng)
    cal = Calendar()

    # the current session first (this week, slots today), and the hall double-booked on purpose
    current = Plan(next(c for c in COURSES if c.key == "s_init"), today - timedelta(days=1), "current", venue=HALL)
    _book(cal, current, rng)
    current.slots.insert(4, (_at(today, "19:00"), _at(today, "21:00"), 2, "事故案例研讨（晚间）",
                             TRAINERS["general"][0], HALL, False))
    clash = Plan(next(c for c in COURSES if c.key == "p_ref"), today + timedelta(days=2), "upcoming", venue=HALL)
    _book(cal, clash, rng, force=True)

    plans = _past_plans(rng, cal, pools, today) + _old_plans(rng, cal, today)
    upcoming = _upcoming_plans(rng, cal, today)
    participants = _participants(rng, pools)
    for spec in COURSES:
        _assign(rng, [p for p in plans if p.stage == "past" and p.spec is spec], participants.get(spec.key, []))
    for plan in plans:
        if plan.stage == "old":
            group = {"p_init": "principal", "s_init": "safety", "p_ref": "principal", "s_ref": "safety",
                     "elec": "electric", "weld": "welding"}[plan.spec.key]
            plan.people = rng.sample(pools.by_key[group], min(plan.quota, len(pools.by_key[group])))
    _title_and_save(plans + [current, clash] + upcoming, courses, officer)

    real, corrections = [], 0
    for plan in sorted(plans, key=lambda p: p.start):
        enrollments = _bulk_enroll(rng, plan, with_results=not plan.real_exam)
        _bulk_attendance(rng, plan, enrollments, now)
        corrections += _corrections(rng, plan, enrollments, officer)
        if plan.real_exam:
            real.append((plan, enrollments))
        else:
            _issue(plan, enrollments, officer, plan.end)
    attempts = sum(_real_exam(rng, plan, enrollments, officer) for plan, enrollments in real)
    _live_sessions(rng, pools, current, clash, upcoming, now)
    revoked = _revoke(rng, officer)

    db.session.flush()
    counts = _counts()
    return (f"三项岗位培训：{len(courses)} 门课程，{counts['sessions']} 个班次，{counts['enrollments']} 人次报名"
            f"（退出 {counts['withdrawn']}，候补 {counts['waitlisted']}），签到 {counts['attendance']} 条（手工更正 {corrections} 条），"
            f"考试答卷 {attempts} 份，证书 {counts['certificates']} 张（已过期 {counts['expired']}，已注销 {revoked}）。")


def _courses() -> dict[str, Course]:
    bank_ids = dict(db.session.execute(select(QuestionBank.name, QuestionBank.id)).all())
    categories = {c.name: c.id for c in db.session.scalars(select(OperationCategory))}
    out = {}
    for spec in COURSES:
        group = "special" if spec.post == Post.SPECIAL else "general"
        banks = [bank_ids[n] for n in EXAM_BANKS[group] if n in bank_ids]
        rules = [{"kind": k, "count": n, "points": p, "bank_ids": banks, "tags": []} for k, n, p in EXAM_RULES]
        if not banks or exams.check_rules([quiz.Rule.of(r) for r in rules]):
            rules = []  # no shipped banks: the courses still exist, without an exam paper
        topics = TOPICS[spec.group]
        out[spec.key] = services.save_course(None, {
            "name": spec.name, "post": spec.post.value, "course_type": "initial" if spec.initial else "refresher",
            "high_risk": spec.high_risk, "operation_category_id": categories.get(spec.category),
            "required_hours": spec.hours, "syllabus": "；".join(topics), "exam_rules": rules,
            "exam_minutes": 90 if spec.initial else 60, "pass_mark": current_app.config["TRAINING_PASS_MARK"],
            "active": True})
    return out


def _past_plans(rng: random.Random, cal: Calendar, pools: Pools, today: date) -> list[Plan]:
    first, last = today - timedelta(days=362), today - timedelta(days=9)
    plans = []
    for key, count in PAST_SESSIONS.items():
        spec = next(c for c in COURSES if c.key == key)
        towns = list(TOWN_SESSIONS.get(key, []))
        town_turns = set(rng.sample(range(count - 1), min(len(towns), count - 1))) if towns else set()
        for i in range(count):
            target = first + timedelta(days=int((i + rng.uniform(0.2, 0.8)) * (last - first).days / count))
            plan = Plan(spec, target, "past")
            venues = COUNTY_VENUES
            if i in town_turns:
                plan.town = towns.pop()
                plan.town_id = pools.towns.get(plan.town)
                venues = [f"{plan.town}人民政府三楼会议室"]
            if key in REAL_EXAMS and i == count - 1:
                plan.real_exam, plan.quota = True, REAL_EXAM_SIZE
                target = max(target, today - timedelta(days=40))
                plan.start = target
            latest = last - timedelta(days=plan.end.toordinal() - plan.start.toordinal())
            if _place(cal, plan, rng, first, latest, venues if spec.group == "general" else [THEORY_ROOM]):
                plans.append(plan)
    return plans


def _old_plans(rng: random.Random, cal: Calendar, today: date) -> list[Plan]:
    plans = []
    for days_ago, key, size in OLD_SESSIONS:
        spec = next(c for c in COURSES if c.key == key)
        plan = Plan(spec, today - timedelta(days=days_ago), "old", quota=size)
        venues = COUNTY_VENUES if spec.group == "general" else [THEORY_ROOM]
        if _place(cal, plan, rng, plan.start - timedelta(days=20), plan.start + timedelta(days=20), venues):
            plans.append(plan)
    return plans


def _upcoming_plans(rng: random.Random, cal: Calendar, today: date) -> list[Plan]:
    plans = []
    for days, key in ((12, "elec"), (20, "s_ref_hr"), (27, "weld"), (33, "elec_rev")):
        spec = next(c for c in COURSES if c.key == key)
        plan = Plan(spec, today + timedelta(days=days), "upcoming")
        venues = COUNTY_VENUES if spec.group == "general" else [THEORY_ROOM]
        if _place(cal, plan, rng, today + timedelta(days=5), today + timedelta(days=80), venues):
            plans.append(plan)
    return plans


def _title_and_save(plans: list[Plan], courses: dict[str, Course], officer) -> None:
    numbers: dict[tuple, int] = defaultdict(int)
    for plan in sorted(plans, key=lambda p: p.start):
        numbers[plan.start.year, plan.spec.key] += 1
        title = f"{plan.start.year}年第{numbers[plan.start.year, plan.spec.key]}期{plan.spec.name}班"
        if plan.town:
            title += f"（{plan.town}片区）"
        size = len(plan.people) or (plan.quota or 0)
        plan.capacity = {"current": 60, "upcoming": 80}.get(plan.stage) or max(30, -(-(size + 5) // 10) * 10)
        if plan.stage == "upcoming" and plan.spec.key == "elec":
            plan.capacity = 48  # the one that fills up and keeps a waiting list
        trainers = sorted({s[4] for s in plan.slots}, key=TRAINERS[plan.spec.group].index)
        session = services.save_session(None, {
            "course_id": courses[plan.spec.key].id, "title": title, "starts_on": plan.start, "ends_on": plan.end,
            "venue": plan.venue if plan.spec.group == "general" else "县职教中心实训楼", "capacity": plan.capacity,
            "trainers": "、".join(f"{t}（{TRAINER_TITLES[t]}）" for t in trainers), "audience": plan.spec.audience,
            "bring": BRING_SPECIAL if plan.spec.post == Post.SPECIAL and plan.spec.initial else BRING,
            "contact": CONTACT}, officer)
        for starts, ends, hours, topic, trainer, venue, static in plan.slots:
            services.save_slot(session, None, {"starts_at": starts, "ends_at": ends, "hours": hours, "topic": topic,
                                               "trainer": trainer, "venue": venue, "static_code": static})
        plan.session = session


def _bulk_enroll(rng: random.Random, plan: Plan, with_results: bool) -> list[Enrollment]:
    """The enrollments of a past session in one statement; about 3 % withdrew before it began.
    with_results: the exam results too (see the module's docstring)."""
    begin = datetime.combine(plan.start, time(0, 0))
    rows = []
    for person_id, *_ in plan.people:
        at = begin - timedelta(days=rng.uniform(3, 30))
        left = rng.random() < 0.03
        row = {"session_id": plan.session.id, "person_id": person_id, "queued_at": at, "enrolled_at": at,
               "status": (EnrollmentStatus.WITHDRAWN if left else EnrollmentStatus.ENROLLED).value,
               "withdrawn_at": begin - timedelta(days=rng.uniform(0.5, 2.5)) if left else None,
               "source": "roster" if rng.random() < 0.7 else "manual",
               "exam_score": None, "exam_passed": None, "practical_score": None}
        if with_results and not left:
            row.update(_result(rng, plan.spec.post == Post.SPECIAL))
        rows.append(row)
    if not rows:
        return []
    return list(db.session.scalars(insert(Enrollment).returning(Enrollment, sort_by_parameter_order=True), rows))


def _result(rng: random.Random, special: bool) -> dict:
    """An exam result written directly: about 88 % pass (80 of 100); 1 % missed the exam."""
    if rng.random() < 0.01:
        return {}
    passed = rng.random() < 0.88
    out = {"exam_score": float(rng.randint(80, 99) if passed else rng.randint(52, 79)), "exam_passed": passed}
    if special:
        out["practical_score"] = float(rng.randint(80, 98) if rng.random() < 0.95 else rng.randint(55, 78))
    return out


def _present_slots(rng: random.Random, count: int) -> list[bool]:
    """Most attend every slot; some miss one, a few miss two or three."""
    luck = rng.random()
    missed = 0 if luck < 0.93 else 1 if luck < 0.98 else rng.randint(2, 3)
    gone = set(rng.sample(range(count), min(missed, count)))
    return [i not in gone for i in range(count)]


def _bulk_attendance(rng: random.Random, plan: Plan, enrollments: list[Enrollment], now: datetime) -> None:
    slots = [s for s in plan.session.slots if s.ends_at <= now]
    rows = []
    for enrollment in enrollments:
        if enrollment.status != EnrollmentStatus.ENROLLED:
            continue
        for slot, present in zip(slots, _present_slots(rng, len(slots)), strict=True):
            if present:
                method = "static" if slot.static_code else "qr" if rng.random() < 0.88 else "code"
                rows.append({"slot_id": slot.id, "enrollment_id": enrollment.id, "present": True, "method": method,
                             "signed_at": slot.starts_at + timedelta(minutes=rng.uniform(-25, 6))})
    if rows:
        db.session.execute(insert(Attendance), rows)


def _corrections(rng: random.Random, plan: Plan, enrollments: list[Enrollment], officer) -> int:
    """A few hand corrections with their reasons, in the past year's sessions."""
    if plan.stage != "past" or rng.random() < 0.5:
        return 0
    enrolled = [e for e in enrollments if e.status == EnrollmentStatus.ENROLLED]
    if not enrolled:
        return 0
    slots = plan.session.slots
    marked = {(a.slot_id, a.enrollment_id) for a in db.session.scalars(
        select(Attendance).join(TimeSlot).where(TimeSlot.session_id == plan.session.id))}
    missing = [(s, e) for e in enrolled for s in slots if (s.id, e.id) not in marked]
    done = 0
    for slot, enrollment in rng.sample(missing, min(len(missing), rng.randint(1, 2))):
        _correct(slot, enrollment, True, rng.choice(CORRECT_PRESENT), officer)
        done += 1
    if rng.random() < 0.3:
        slot, enrollment = rng.choice(slots), rng.choice(enrolled)
        if (slot.id, enrollment.id) in marked:
            _correct(slot, enrollment, False, rng.choice(CORRECT_ABSENT), officer)
            done += 1
    return done


def _correct(slot: TimeSlot, enrollment: Enrollment, present: bool, reason: str, officer) -> None:
    attendance.correct(slot, enrollment, present, reason, officer)
    # dated on the day of the slot, as it would have been made, not today
    when = slot.ends_at + timedelta(minutes=40)
    row = db.session.scalar(select(AttendanceCorrection).where(
        AttendanceCorrection.slot_id == slot.id, AttendanceCorrection.enrollment_id == enrollment.id)
        .order_by(AttendanceCorrection.id.desc()).limit(1))
    row.created_at = when
    mark = db.session.scalar(select(Attendance).where(Attendance.slot_id == slot.id,
                                                      Attendance.enrollment_id == enrollment.id))
    if mark.method == "manual":
        mark.signed_at = when


def _issue(plan: Plan, enrollments: list[Enrollment], officer, day: date) -> int:
    hours = attendance.hours_by_enrollment(plan.session)
    issued = 0
    for e in enrollments:
        earned = hours.get(e.id, 0.0)
        if e.status == EnrollmentStatus.ENROLLED and not certificates.shortfalls(e, earned):
            certificates.issue(e, officer, today=day, hours=earned)
            issued += 1
    return issued


# ------------------------------------------------------------------------------- a real exam

def _real_exam(rng: random.Random, plan: Plan, enrollments: list[Enrollment], officer) -> int:
    """The session's exam through the quiz module: each trainee joins and hands in a paper; those
    who failed get the one make-up a week later, most of whom pass."""
    session = plan.session
    enrolled = [e for e in enrollments if e.status == EnrollmentStatus.ENROLLED]
    if not session.course.exam_rules:  # no banks to draw from: results as for the other sessions
        for e in enrolled:
            for name, value in _result(rng, plan.spec.post == Post.SPECIAL).items():
                setattr(e, name, value)
        _issue(plan, enrolled, officer, plan.end)
        return 0
    exam = exams.create_exam(session, officer)
    bank_ids = {b for rule in session.course.exam_rules for b in rule["bank_ids"]}
    answers = {qid: (kind, answer) for qid, kind, answer in db.session.execute(
        select(Question.id, Question.kind, Question.answer).where(Question.bank_id.in_(bank_ids)))}
    sitting = session.slots[-1].ends_at + timedelta(minutes=30)
    for e in enrolled:
        skill = rng.uniform(0.86, 1.0) if rng.random() < 0.85 else rng.uniform(0.55, 0.8)
        _sit(rng, exam, e.person, skill, sitting, answers)
    attempts = len(enrolled)
    exams.collect_results(session)
    failed = exams.allow_makeup(session) if any(e.exam_passed is False for e in enrolled) else []
    makeup_day = plan.end + timedelta(days=7)
    for e in failed:
        if rng.random() < 0.8:
            _sit(rng, exam, e.person, rng.uniform(0.85, 1.0), _at(makeup_day, "09:00"), answers)
            attempts += 1
    exams.collect_results(session)
    if plan.spec.post == Post.SPECIAL:
        for e in enrolled:
            exams.set_practical(e, str(rng.randint(80, 98) if rng.random() < 0.95 else rng.randint(60, 78)))
    _issue(plan, [e for e in enrolled if e not in failed], officer, plan.end)
    _issue(plan, failed, officer, makeup_day)  # those who passed the make-up
    return attempts


def _sit(rng: random.Random, exam, person: Person, skill: float, start: datetime, answers: dict) -> None:
    attempt = quiz.join(exam, quiz.Identity(person=person), now=start)
    attempt = quiz.by_token(attempt.token, for_update=True)  # with its paper, as the phone's submit loads it
    given = {item.position: _answer(rng, item.order, *answers[item.question_id], skill) for item in attempt.items}
    quiz.submit(attempt, given, now=start + timedelta(minutes=rng.randint(25, 58)))


def _answer(rng: random.Random, order: list[int], kind: str, answer: list[int], skill: float):
    """The trainee's answer in the options' shown order: right with probability `skill`."""
    right = sorted(order.index(i) for i in answer)
    if rng.random() < skill:
        chosen = right
    else:
        wrong = [i for i in range(len(order)) if i not in right]
        if not wrong:
            chosen = right[:-1]
        elif kind == "multiple":
            chosen = sorted(right[:-1] + [rng.choice(wrong)])
        else:
            chosen = [rng.choice(wrong)]
    return chosen if kind == "multiple" else chosen[0]


# ------------------------------------------------------------- this week's and coming sessions

def _live_sessions(rng: random.Random, pools: Pools, current: Plan, clash: Plan, upcoming: list[Plan],
                   now: datetime) -> None:
    """Enrollment through services.enroll (the officer's path), sign-ins for the slots of this
    week's session that have begun, and a full session whose waiting list moved up once."""
    plans = [(current, "safety", 52), (clash, "principal", 64)]
    sizes = {"elec": ("electric", 54), "s_ref_hr": ("safety_hr", 40), "weld": ("welding", 30),
             "elec_rev": ("electric", 26)}
    plans += [(p, *sizes[p.spec.key]) for p in upcoming]
    for plan, group, size in plans:
        people = rng.sample(pools.by_key[group], min(size, len(pools.by_key[group])))
        persons = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_([r[0] for r in people])))}
        enrolled = [services.enroll(plan.session, persons[r[0]], source="roster" if rng.random() < 0.6 else "manual")
                    for r in people]
        if plan.capacity < size:  # full: one withdraws, the first on the waiting list moves up
            services.withdraw(next(e for e in enrolled if e.status == EnrollmentStatus.ENROLLED))
    _this_week(rng, current, now)


def _this_week(rng: random.Random, plan: Plan, now: datetime) -> None:
    enrolled = services.enrollments(plan.session)
    _bulk_attendance(rng, plan, enrolled, now)  # the slots already over
    opens = timedelta(minutes=current_app.config["SIGNIN_OPENS_MINUTES_BEFORE"])
    for slot in plan.session.slots:
        if slot.starts_at - opens <= now < slot.ends_at:  # open now: most have signed in already
            span = (min(now, slot.starts_at + timedelta(minutes=10)) - (slot.starts_at - opens)).total_seconds()
            for e in enrolled:
                if rng.random() < 0.8:
                    at = slot.starts_at - opens + timedelta(seconds=rng.uniform(0, max(span, 1)))
                    attendance.sign_in(slot, e.person.name, e.person.id_number[-6:], "qr", now=min(at, now))


def _revoke(rng: random.Random, officer) -> int:
    issued = list(db.session.scalars(select(Certificate).order_by(Certificate.id)))
    if len(issued) < 10:
        return 0
    for certificate, reason in zip(rng.sample(issued, len(REVOKE_REASONS)), REVOKE_REASONS, strict=True):
        certificates.revoke(certificate, reason, officer)
        day = certificate.issued_on + timedelta(days=rng.randint(20, 200))
        certificate.revoked_at = min(datetime.combine(day, time(2, 0)), utcnow())
    return len(REVOKE_REASONS)


def _counts() -> dict[str, int]:
    today = local_today()

    def count(model, *where) -> int:
        return db.session.scalar(select(db.func.count()).select_from(model).where(*where)) or 0

    return {"sessions": count(TrainingSession), "enrollments": count(Enrollment), "attendance": count(Attendance),
            "withdrawn": count(Enrollment, Enrollment.status == EnrollmentStatus.WITHDRAWN),
            "waitlisted": count(Enrollment, Enrollment.status == EnrollmentStatus.WAITLISTED),
            "certificates": count(Certificate),
            "expired": count(Certificate, Certificate.status == "valid", Certificate.expires_on < today)}
