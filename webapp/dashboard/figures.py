"""The year's figures on one page: each module's totals for a period and town, against the same
period a year earlier (同比), and the series the charts draw (by month, town and industry).

Every number comes from the module's own figures functions (drills.figures, outreach.figures,
training.figures, quiz.figures, plans.figures), so the dashboard, the module pages and the annual
summary cannot disagree. Each is an aggregate query; nothing here loops over rows.
"""

from dataclasses import dataclass, field
from datetime import date

from webapp.common.figures import Period, change
from webapp.common.time import local_today
from webapp.drills import figures as drill_figures
from webapp.outreach import figures as outreach_figures
from webapp.plans import figures as plan_figures
from webapp.quiz import figures as quiz_figures
from webapp.registry.models import INDUSTRIES
from webapp.registry.services import towns
from webapp.training import figures as training_figures

COUNTY_LEVEL = "县本级"
NOT_GIVEN = "未分行业"


@dataclass
class Figure:
    """One number of the page: key (module.measure, e.g. "drills.participants"), its label and
    unit, the value, the same period a year earlier, and the change in words."""

    key: str
    label: str
    unit: str
    value: int
    previous: int
    against: str = "上年"  # 上年同期 for a span of days

    @property
    def change(self) -> str:
        return change(self.value, self.previous, self.unit, self.against)

    @property
    def delta(self) -> int:
        return self.value - self.previous


@dataclass
class Group:
    """The figures of one module, in the order shown."""

    key: str  # drills, outreach, training, quiz, plans
    title: str
    figures: list[Figure]
    rows: list[dict] = field(default_factory=list)  # a small table (training: per post)
    totals: dict = field(default_factory=dict)  # the module's totals as it gave them (for its sentence)

    def __getitem__(self, measure: str) -> Figure:
        return next(f for f in self.figures if f.key == f"{self.key}.{measure}")


def _group(key: str, title: str, now: dict, before: dict, measures: list[tuple[str, str, str]],
           period: Period) -> Group:
    return Group(key, title, [Figure(f"{key}.{name}", label, unit, int(now[name]), int(before[name]), period.against)
                              for name, label, unit in measures], totals=now)


def drills(period: Period, town_id: int | None) -> Group:
    return _group("drills", "应急演练", drill_figures.totals(period, town_id),
                  drill_figures.totals(period.previous(), town_id),
                  [("drills", "演练次数", "次"), ("participants", "参演人次", "人次"), ("field", "实战演练", "次"),
                   ("tabletop", "桌面演练", "次")], period)


def outreach(period: Period, town_id: int | None) -> Group:
    return _group("outreach", "安全宣传“五进”", outreach_figures.totals(period, town_id),
                  outreach_figures.totals(period.previous(), town_id),
                  [("events", "宣传活动", "场"), ("audience", "受众", "人次"), ("materials", "发放资料和物品", "份"),
                   ("places", "覆盖场所", "个")], period)


def training(period: Period, town_id: int | None) -> Group:
    rows = training_figures.by_post(period, town_id)
    before = training_figures.by_post(period.previous(), town_id)
    now_total, before_total = training_figures.total(rows), training_figures.total(before)
    group = _group("training", "三项岗位人员培训",
                   {"trained": now_total.trained, "certified": now_total.certified},
                   {"trained": before_total.trained, "certified": before_total.certified},
                   [("trained", "参训", "人次"), ("certified", "取证", "人")], period)
    previous = {r.label: r for r in before}
    group.rows = [{"label": r.label, "trained": r.trained, "certified": r.certified,
                   "previous_trained": previous[r.label].trained if r.label in previous else 0,
                   "previous_certified": previous[r.label].certified if r.label in previous else 0}
                  for r in rows]
    return group


def quiz(period: Period, town_id: int | None) -> Group:
    return _group("quiz", "知识竞赛", quiz_figures.totals(period, town_id),
                  quiz_figures.totals(period.previous(), town_id),
                  [("competitions", "网上竞赛", "场"), ("participants", "参赛", "人次"), ("contests", "现场竞赛", "场"),
                   ("teams", "参赛队伍", "支")], period)


def plans(period: Period, town_id: int | None) -> Group:
    return _group("plans", "应急预案", plan_figures.totals(period, town_id),
                  plan_figures.totals(period.previous(), town_id),
                  [("issued", "发布", "部"), ("filed", "备案", "部"), ("revision_requested", "提出修订", "部"),
                   ("revised", "完成修订", "部")], period)


def overview(period: Period, town_id: int | None = None) -> list[Group]:
    """The five groups of figures, in the page's order."""
    return [drills(period, town_id), outreach(period, town_id), training(period, town_id),
            quiz(period, town_id), plans(period, town_id)]


# --- the charts' series ------------------------------------------------------------------------

@dataclass
class Chart:
    """A chart as data: the page draws it with Chart.js, the annual summary with matplotlib, and
    the page shows it as a table too (for screen readers, printing, and without JavaScript)."""

    key: str
    title: str
    kind: str  # "bar" (categories along x), "hbar" (categories down the side), "line"
    labels: list[str]
    datasets: list[dict]  # {"label": "演练次数", "unit": "次", "data": [int, …]}

    def as_json(self) -> dict:
        return {"key": self.key, "title": self.title, "kind": self.kind, "labels": self.labels,
                "datasets": self.datasets}

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        return [(label, [d["data"][i] for d in self.datasets]) for i, label in enumerate(self.labels)]


def _month_labels(period: Period, today: date | None = None) -> tuple[list[str], list[str]]:
    """The period's months up to this one: a year under way has no months ahead drawn as zeros."""
    now = today or local_today()
    keys = [f"{y}-{m:02d}" for y, m in period.months() if (y, m) <= (now.year, now.month)] \
        or [f"{period.first.year}-{period.first.month:02d}"]
    one_year = len({y for y, _ in period.months()}) == 1
    return keys, [f"{int(k[5:])}月" if one_year else f"{k[:4]}年{int(k[5:])}月" for k in keys]


def _dataset(label: str, unit: str, found: dict, keys: list, measure: str) -> dict:
    return {"label": label, "unit": unit, "data": [int((found.get(k) or {}).get(measure, 0)) for k in keys]}


def by_month(period: Period, town_id: int | None = None) -> list[Chart]:
    keys, labels = _month_labels(period)
    drills_found = drill_figures.series("month", period, town_id)
    events = outreach_figures.series("month", period, town_id)
    trained = training_figures.series("month", period, town_id)
    answered = quiz_figures.series("month", period, town_id)
    return [
        Chart("month-activities", "各月应急演练与安全宣传活动", "bar", labels, [
            _dataset("应急演练（次）", "次", drills_found, keys, "drills"),
            _dataset("宣传活动（场）", "场", events, keys, "events")]),
        Chart("month-people", "各月参演、参训与参赛人次", "line", labels, [
            _dataset("参演人次", "人次", drills_found, keys, "participants"),
            _dataset("参训人次", "人次", trained, keys, "trained"),
            _dataset("竞赛参赛人次", "人次", answered, keys, "participants")]),
    ]


def by_town(period: Period, town_id: int | None = None) -> Chart:
    """Every active town (or the chosen one), then 县本级 for what belongs to no town."""
    listed = [t for t in towns() if not town_id or t.id == town_id]
    keys = [t.id for t in listed]
    labels = [t.name for t in listed]
    found = {"drills": drill_figures.series("town", period, town_id),
             "events": outreach_figures.series("town", period, town_id),
             "trained": training_figures.series("town", period, town_id)}
    if not town_id and any(None in f for f in found.values()):
        keys, labels = [*keys, None], [*labels, COUNTY_LEVEL]
    return Chart("town", "各乡镇（街道）演练、宣传与培训", "hbar", labels, [
        _dataset("应急演练（次）", "次", found["drills"], keys, "drills"),
        _dataset("宣传活动（场）", "场", found["events"], keys, "events"),
        _dataset("参训人次", "人次", found["trained"], keys, "trained")])


def by_industry(period: Period, town_id: int | None = None, limit: int = 12) -> Chart:
    """The industries with most drills and trainees (the registry's order breaks ties); what has
    no industry (governments, villages, schools) is left out: this chart is about enterprises."""
    drills_found = drill_figures.series("industry", period, town_id)
    trained = training_figures.series("industry", period, town_id)
    present = {k for k in (*drills_found, *trained) if k}
    order = {name: i for i, name in enumerate(INDUSTRIES)}

    def weight(name):
        return (-(drills_found.get(name, {}).get("drills", 0) + trained.get(name, {}).get("trained", 0)),
                order.get(name, len(order)), name)

    keys = sorted(present, key=weight)[:limit]
    return Chart("industry", "各行业应急演练与培训", "hbar", list(keys), [
        _dataset("应急演练（次）", "次", drills_found, keys, "drills"),
        _dataset("参训人次", "人次", trained, keys, "trained")])


def charts(period: Period, town_id: int | None = None) -> list[Chart]:
    return [*by_month(period, town_id), by_town(period, town_id), by_industry(period, town_id)]


def default_period(today: date) -> Period:
    return Period.of_year(today.year)
