"""The annual summary (年度应急管理工作数据汇总): a year's figures of the whole county or of one town,
in sentences and tables the way a bureau's annual report annex gives them, each against the year
before (同比), with charts as pictures, rendered through the document engine (kind "annual_summary").

Every number comes from the module figures the dashboard shows (dashboard.figures.overview and
the modules' own figures functions: drills.figures, outreach.figures, training.figures,
quiz.figures, plans.figures), so the summary, the dashboard and the module pages cannot disagree;
nothing is counted here.

Whole calendar years only, counted as the dashboard counts them. The year under way is said as
far as it has gone (“2026年1月1日至12月1日”) and compared with the whole year before; the notes
at the end say so.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from webapp.common.figures import Period, period_words, year_from
from webapp.common.ids import as_id
from webapp.common.time import local_today
from webapp.dashboard import chart_images
from webapp.dashboard import figures as dashboard_figures
from webapp.dashboard.figures import Figure, Group
from webapp.documents import services as documents
from webapp.documents.models import GeneratedDocument
from webapp.drills import figures as drill_figures
from webapp.errors import UserError
from webapp.extensions import db
from webapp.outreach import figures as outreach_figures
from webapp.plans import figures as plan_figures
from webapp.registry.models import TOWN_KINDS, Organization

KIND = "annual_summary"
FORMATS = ("docx", "pdf")
NAME = "应急管理工作数据汇总"
QUIZ_LABELS = {"competitions": "网上知识竞赛（场）", "participants": "网上竞赛参赛（人次）",
               "contests": "现场知识竞赛（场）", "teams": "现场竞赛参赛队伍（支）"}


@dataclass(frozen=True)
class Choice:
    """What was asked for: a year, the county (town_id None) or one town, and the file format."""

    year: int
    town_id: int | None
    town_name: str | None
    fmt: str

    @property
    def title(self) -> str:
        return title(self.year, self.town_name)


def title(year: int, place: str | None = None) -> str:
    """2025年应急管理工作数据汇总, 城关镇2025年应急管理工作数据汇总 (also the file's name)."""
    return f"{place or ''}{year}年{NAME}"


def choice(args, today: date | None = None) -> Choice:
    """?year= (default this year), ?town= (an id of a town or street), ?format= (docx, pdf); a
    UserError with a Chinese message for anything else."""
    today = today or local_today()
    year = year_from(args, today)
    if year > today.year:
        raise UserError(f"{year}年还没有到，请选择{today.year}年或以前的年份")
    fmt = (args.get("format") or "docx").strip().lower()
    if fmt not in FORMATS:
        raise UserError(f"输出格式“{args.get('format')}”不正确，请选择 Word（docx）或 PDF")
    text = (args.get("town") or "").strip()
    town = None
    if text:
        town_id = as_id(text)
        town = db.session.scalar(select(Organization).where(
            Organization.id == town_id, Organization.kind.in_([k.value for k in TOWN_KINDS]))) if town_id else None
        if town is None:
            raise UserError(f"所选乡镇（街道）“{text}”不存在，请从列表中选择")
    return Choice(year, town.id if town else None, town.name if town else None, fmt)


def source(year: int, town_id: int | None) -> str:
    return f"dashboard-summary:{year}:{town_id or 'county'}"


# ------------------------------------------------------------------------------------- wording


def number(value: int) -> str:
    return f"{value:,}"


def delta(current: int, previous: int) -> str:
    """The 同比 cell of a table: +41（+5.2%）, 持平, or — when last year had none to compare with."""
    if not previous:
        return "—"
    diff = current - previous
    if not diff:
        return "持平"
    return f"{diff:+,}（{diff / previous * 100:+.1f}%）"


def compared(pairs: list[tuple[str, Figure]]) -> list[str]:
    """The comparison sentence: 演练次数较上年（782 次）增加 41 次（+5.2%），参演人次…。 Measures
    with nothing last year are said together (活动场次、受众人次上年无记录，无法比较); those with
    nothing in either year are left out; no sentence when none is left."""
    parts = [f"{name}{figure.change}" for name, figure in pairs if figure.previous]
    new = [name for name, figure in pairs if figure.value and not figure.previous]
    if new:
        parts.append(f"{'、'.join(new)}上年无记录，无法比较")
    return ["，".join(parts) + "。"] if parts else []


def _measure_rows(group: Group, labels: dict[str, str]) -> list[dict]:
    rows = []
    for measure, label in labels.items():
        figure = group[measure]
        rows.append({"label": label, "value": number(figure.value), "previous": number(figure.previous),
                     "change": delta(figure.value, figure.previous)})
    return rows


# ------------------------------------------------------------------------------------- sections


def plans_section(group: Group, where: str, when: str) -> dict:
    f = {measure: group[measure] for measure in plan_figures.MEASURES}
    if not any(figure.value for figure in f.values()):
        lines = [f"{where}{when}尚无应急预案发布、备案和修订记录。"]
    else:
        lines = [f"{where}{when}发布应急预案 {number(f['issued'].value)} 部，备案 {number(f['filed'].value)} 部；"
                 f"因评审、演练或评估提出修订 {number(f['revision_requested'].value)} 部，"
                 f"完成修订 {number(f['revised'].value)} 部。"]
    lines += compared([("发布预案数", f["issued"]), ("备案预案数", f["filed"])])
    labels = {m: f"{label}（部）" for m, label in plan_figures.LABELS.items()}
    return {"plans": lines, "plan_rows": _measure_rows(group, labels)}


def _drill_row(row: dict) -> dict:
    return {"label": row["label"], "drills": number(row["drills"]), "participants": number(row["participants"]),
            "previous": number(row["previous"]), "change": delta(row["drills"], row["previous"])}


def drills_section(group: Group, year: int, town_id: int | None, today: date) -> dict:
    figs = drill_figures.figures(year, town_id, today)
    total = {"label": "合计", "drills": figs["totals"]["drills"], "participants": figs["totals"]["participants"],
             "previous": figs["previous"]["drills"]}
    lines = [figs["sentence"], *compared([("演练次数", group["drills"]), ("参演人次", group["participants"])])]
    return {
        "drills": lines,
        "drill_forms": [_drill_row(total)] + [_drill_row(r) for r in figs["tables"]["form"]],
        # a town's own summary has one town: its figures are the sentence already
        "drill_towns": None if town_id else [_drill_row(r) for r in figs["tables"]["town"]] + [_drill_row(total)],
    }


def _outreach_row(row: dict, places: str) -> dict:
    return {"label": row["label"], "events": number(row["events"]), "audience": number(row["audience"]),
            "places": places, "materials": number(row["materials"]), "previous": number(row["previous"]),
            "change": delta(row["events"], row["previous"])}


def outreach_section(group: Group, year: int, town_id: int | None, place: str | None, today: date) -> dict:
    numbers = outreach_figures.totals(year, town_id)
    types = outreach_figures.by_type(year, town_id)
    lines = [outreach_figures.sentence(year, numbers, types, place, today),
             *compared([("活动场次", group["events"]), ("受众人次", group["audience"])])]
    total = {"label": "合计", "previous": group["events"].previous} | numbers
    rows = [_outreach_row(r, f"{number(r['reached'])}{'户' if r['by_households'] else ''}") for r in types]
    towns = None
    if not town_id:
        towns = [_outreach_row(r, number(r["places"])) for r in outreach_figures.by_town(year, town_id)]
        towns.append(_outreach_row(total, number(numbers["places"])))
    return {"outreach": lines, "outreach_types": rows + [_outreach_row(total, "—")], "outreach_towns": towns}


def training_section(group: Group, where: str, when: str) -> dict:
    trained, certified = group["trained"], group["certified"]
    if not (trained.value or certified.value):
        lines = [f"{where}{when}尚无三项岗位人员培训和取证记录。"]
    else:
        lines = [f"{where}{when}培训三项岗位人员 {number(trained.value)} 人次，取证 {number(certified.value)} 人。"]
        posts = [f"{r['label']}参训 {number(r['trained'])} 人次、取证 {number(r['certified'])} 人"
                 for r in group.rows if r["trained"] or r["certified"]]
        if posts:
            lines[0] = lines[0].removesuffix("。") + "，其中" + "，".join(posts) + "。"
    lines += compared([("参训人次", trained), ("取证人数", certified)])
    rows = [{"label": r["label"], "trained": number(r["trained"]), "previous_trained": number(r["previous_trained"]),
             "certified": number(r["certified"]), "previous_certified": number(r["previous_certified"])}
            for r in group.rows]
    rows.append({"label": "合计", "trained": number(trained.value), "previous_trained": number(trained.previous),
                 "certified": number(certified.value), "previous_certified": number(certified.previous)})
    return {"training": lines, "training_rows": rows}


def quiz_section(group: Group, where: str, when: str) -> dict:
    f = {measure: group[measure] for measure in QUIZ_LABELS}
    if not (f["competitions"].value or f["contests"].value):
        lines = [f"{where}{when}尚无知识竞赛记录。"]
    else:
        parts = []
        if f["competitions"].value:
            parts.append(f"组织网上知识竞赛 {number(f['competitions'].value)} 场，"
                         f"参赛 {number(f['participants'].value)} 人次")
        if f["contests"].value:
            parts.append(f"举办现场知识竞赛 {number(f['contests'].value)} 场，参赛队伍 {number(f['teams'].value)} 支")
        lines = [f"{where}{when}" + "；".join(parts) + "。"]
    lines += compared([("网上竞赛参赛人次", f["participants"]), ("现场竞赛场次", f["contests"])])
    return {"quiz": lines, "quiz_rows": _measure_rows(group, QUIZ_LABELS)}


# ------------------------------------------------------------------------------------- charts


def charts(period: Period, town_id: int | None, place: str | None) -> list[dict]:
    """Up to three charts, each placed after the section it belongs with: activities by month
    (drills and outreach, after 三), and by town (the county's summary only) and industry (drills,
    outreach and training, after 四). A chart with nothing to show is left out."""
    chosen = [("outreach", dashboard_figures.by_month(period, town_id)[0])]
    if not town_id:
        chosen.append(("training", dashboard_figures.by_town(period, town_id)))
    chosen.append(("training", dashboard_figures.by_industry(period, town_id)))
    shown = [(section, chart) for section, chart in chosen if chart_images.has_data(chart)]
    year = period.first.year
    return [{"section": section, "caption": f"图{index}　{chart.title}",
             "image": chart_images.picture(chart, title=f"{place or ''}{year}年{chart.title}")}
            for index, (section, chart) in enumerate(shown, 1)]


# ------------------------------------------------------------------------------------- notes


def notes(year: int, place: str | None, today: date) -> list[str]:
    """六、数据说明: how each figure is counted (the rules of the modules' figures functions)."""
    if year == today.year:
        span = (f"本汇总统计{year}年1月1日至{today.month}月{today.day}日的数据；“上年”指{year - 1}年全年，"
                f"本年尚未结束，比较时请留意。")
    else:
        span = f"本汇总统计{year}年全年的数据；“上年”“同比”指与{year - 1}年全年相比。"
    lines = [span]
    if place:
        lines.append(f"统计范围为{place}：应急预案、应急演练按编制或组织单位所在的乡镇（街道）统计，宣传活动按开展地点"
                     "所在的乡镇（街道）统计，培训按学员所在单位、网上竞赛按参赛人所在单位、现场竞赛按参赛队伍所在单位"
                     "的乡镇（街道）统计。")
    lines += [
        "应急预案：发布、备案按预案记载的发布日期、备案日期统计；“提出修订”指因评审、演练或评估被标记为需修订的预案，"
        "“完成修订”指修订后重新送审的预案，同一预案在期内多次修订只计一次。",
        "应急演练：只统计已实施的演练（状态为实施、评估或已总结），计划和准备中的演练不计；按实施日期归入年份；"
        "参演人数按人次累计，同一人参加多次演练分别计算；行业类型按组织单位的行业计，政府、部门、村（社区）"
        "组织的演练不计行业。",
        "安全宣传“五进”：每场活动计一场，受众按人次累计；覆盖地点为开展过活动的不同地点，同一地点多次开展只计一次，"
        "只计单位名录中在用的单位（名录以外的宣传地点按名称计），进家庭按入户户数计；发放资料为各场活动登记的资料"
        "和物品数量之和。",
        "三项岗位人员培训：参训人次为当年开班的培训班的正式学员人次（候补和退出的不计，同一人参加多个培训班分别计）；"
        "取证人数按当年发放的培训合格证明计，含其后被撤销的证明，同一人取得多个岗位的证明分别计。",
        "知识竞赛：网上知识竞赛按当年有人交卷的竞赛计场次，参赛人次为交卷次数（同一人再次答题另计）；"
        "现场知识竞赛按举办日期统计，参赛队伍为登记的队伍数。",
        "各乡镇（街道）统计中的“县本级”指不属于任何乡镇（街道）的单位（县直部门等）。统计图与正文数据同源。",
    ]
    return lines


# ------------------------------------------------------------------------------------- context


def context(year: int, town_id: int | None = None, today: date | None = None, with_charts: bool = True) -> dict:
    """The "annual_summary" kind's fields for the year (and town)."""
    today = today or local_today()
    period = Period.of_year(year)
    place = db.session.get(Organization, town_id).name if town_id else None
    when = period_words(year, today)
    where = place or ""
    groups = {group.key: group for group in dashboard_figures.overview(period, town_id)}
    return {
        "title": title(year, place),
        "year": year,
        "period": when,
        "scope": place or "全县",
        **plans_section(groups["plans"], where, when),
        **drills_section(groups["drills"], year, town_id, today),
        **outreach_section(groups["outreach"], year, town_id, place, today),
        **training_section(groups["training"], where, when),
        **quiz_section(groups["quiz"], where, when),
        "charts": charts(period, town_id, place) if with_charts else [],
        "notes": notes(year, place, today),
        "issuer": documents.bureau_name(),
        "date": today,
    }


def render(chosen: Choice, user=None, today: date | None = None) -> GeneratedDocument:
    """Render and keep the summary (.docx); the view sends it, or its PDF."""
    return documents.render_for(KIND, context(chosen.year, chosen.town_id, today), title=chosen.title, user=user,
                                source=source(chosen.year, chosen.town_id))
