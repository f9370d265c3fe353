"""Evaluating a drill (演练评估): a score sheet per drill form, a total and a grade.

The shipped items follow AQ/T 9009-2015 《生产安全事故应急演练评估规范》 (separate sheets for field
and tabletop drills: preparation, warning and reporting, command and coordination, handling,
resources, and whether the plan proved workable); each sheet totals 100. A bureau edits them on the
items page. The grade comes from the share of the maximum (DRILL_GRADES, after GB/T 46792-2025
annex D), so a sheet that no longer totals 100 still grades fairly.
"""

from collections.abc import Mapping
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from webapp.common.time import local_today, utcnow
from webapp.drills.models import (
    HELD,
    Drill,
    DrillEvaluation,
    DrillStatus,
    EvaluationItem,
    EvaluationScore,
    FormOrg,
)
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db

SHIPPED_ITEMS = {
    FormOrg.FIELD: (
        ("演练准备", "演练方案明确目的、情景、参演人员、时间地点、资源和安全保障措施，准备充分", 10),
        ("预警与信息报告", "发现险情后报告及时，信息内容准确完整，按程序逐级上报", 10),
        ("响应启动与紧急动员", "按预案确定响应级别并启动响应，人员集结迅速、到位及时", 10),
        ("指挥与协调", "总指挥指挥有序、决策正确，各应急小组分工明确、协同配合", 15),
        ("现场处置", "处置措施符合预案和操作规程，方法正确、动作规范", 15),
        ("警戒与疏散", "警戒区域设置合理，人员疏散路线清楚、秩序良好", 10),
        ("人员防护与医疗救护", "参演人员防护装备佩戴正确，伤员救护与转运及时", 10),
        ("应急资源与装备", "物资装备到位、数量充足、性能完好，适用于处置需要", 10),
        ("通信保障", "通信联络畅通，信息传递准确", 5),
        ("目标达成与预案检验", "达到演练目标，检验了预案的合理性和可操作性", 5),
    ),
    FormOrg.TABLETOP: (
        ("演练准备", "演练方案、情景和讨论问题设计合理，参演人员明确", 10),
        ("情景设置", "事故情景贴近本单位风险，演进过程逻辑清楚", 10),
        ("信息报告与研判", "能准确说明信息报告的程序、时限和内容，研判正确", 15),
        ("指挥决策与职责分工", "各岗位熟悉自身职责，指挥决策及时、合理", 20),
        ("处置措施", "提出的处置措施符合预案，针对性和可操作性强", 20),
        ("资源调配", "熟悉应急资源分布，调配方案合理可行", 10),
        ("预案的合理性与可操作性", "通过推演发现预案存在的不足并提出改进意见", 10),
        ("总结讲评", "讲评客观全面，问题梳理清楚", 5),
    ),
}


def ensure_items() -> None:
    """Put the shipped score sheets in place the first time the items are needed."""
    if db.session.scalar(select(func.count()).select_from(EvaluationItem)):
        return
    for form, items in SHIPPED_ITEMS.items():
        for position, (category, title, max_score) in enumerate(items, 1):
            db.session.add(EvaluationItem(form_org=form.value, category=category, title=title, max_score=max_score,
                                          position=position))
    db.session.flush()


def items_for(form_org: str) -> list[EvaluationItem]:
    ensure_items()
    return list(db.session.scalars(select(EvaluationItem).where(
        EvaluationItem.form_org == form_org, EvaluationItem.active.is_(True))
        .order_by(EvaluationItem.position, EvaluationItem.id)))


def all_items() -> list[EvaluationItem]:
    ensure_items()
    return list(db.session.scalars(select(EvaluationItem).order_by(
        EvaluationItem.form_org, EvaluationItem.active.desc(), EvaluationItem.position, EvaluationItem.id)))


def save_item(item: EvaluationItem | None, values: Mapping) -> EvaluationItem:
    """Add or change a score-sheet line; old evaluations keep their own copy of it."""
    ensure_items()  # an item added first must not stand in for the shipped sheet
    errors = {}
    category, title = (str(values.get(k) or "").strip() for k in ("category", "title"))
    if not category:
        errors["category"] = "请填写评估要素"
    elif len(category) > 32:
        errors["category"] = "评估要素不能超过 32 字"
    if not title:
        errors["title"] = "请填写评估内容"
    elif len(title) > 300:
        errors["title"] = "评估内容不能超过 300 字"
    try:
        form = FormOrg(values.get("form_org"))
    except ValueError:
        errors["form_org"] = "请选择适用的演练形式"
        form = None
    try:
        max_score = int(values.get("max_score"))
        if not 1 <= max_score <= 100:
            errors["max_score"] = "分值应在 1 至 100 之间"
    except (TypeError, ValueError):
        errors["max_score"] = "分值应为整数"
        max_score = 0
    position = values.get("position")
    try:
        position = int(position) if position not in (None, "") else None
    except (TypeError, ValueError):
        errors["position"] = "序号应为整数"
    if errors:
        raise FieldErrors(errors)
    if item is None:
        last = db.session.scalar(select(func.max(EvaluationItem.position)).where(EvaluationItem.form_org == form.value))
        item = EvaluationItem(form_org=form.value, position=(last or 0) + 1)
        db.session.add(item)
    item.form_org, item.category, item.title, item.max_score = form.value, category, title, max_score
    if position is not None:
        item.position = position
    db.session.flush()
    return item


def retire_item(item: EvaluationItem, active: bool = False) -> None:
    item.active = active
    db.session.flush()


def grade_for(total: int, max_total: int) -> str:
    share = 100 * total / max_total if max_total else 0
    for threshold, grade in current_app.config["DRILL_GRADES"]:
        if share >= threshold:
            return grade
    return current_app.config["DRILL_GRADES"][-1][1]


def scored_lines(drill: Drill) -> list[EvaluationScore] | None:
    """The lines a re-scoring keeps: the evaluation's own copies, as long as they are the sheet
    of the drill's form. A drill whose form was corrected afterwards (实战 → 桌面) is scored again
    on its new form's sheet, not on the old one."""
    evaluation = drill.evaluation
    if evaluation is None or not evaluation.scores:
        return None
    forms = set(db.session.scalars(select(EvaluationItem.form_org).where(
        EvaluationItem.id.in_([s.item_id for s in evaluation.scores])).distinct()))
    return list(evaluation.scores) if drill.form_org in forms else None  # (an item may have moved since)


def save_evaluation(drill: Drill, values: Mapping, scores: Mapping[str, Mapping], user=None,
                    today: date | None = None) -> DrillEvaluation:
    """Score the drill: values (evaluated_on, evaluators, summary, plan_assessment, conclusion,
    suggestions) and scores {item id: {"score": …, "remark": …}} for every active item of the
    drill's form (or, for a drill evaluated before, the items it was scored on). A score above
    the item's maximum, below zero or missing is refused with the item named."""
    today = today or local_today()
    if drill.status not in HELD:
        raise UserError("演练尚未实施，不能评估；请先将状态改为“实施”并填写实施日期")
    errors: dict[str, str] = {}
    evaluated_on = values.get("evaluated_on")
    if not evaluated_on:
        errors["evaluated_on"] = "请填写评估日期"
    elif evaluated_on > today:
        errors["evaluated_on"] = "评估日期不能晚于今天"
    elif drill.held_on and evaluated_on < drill.held_on:
        errors["evaluated_on"] = f"评估日期不能早于演练日期 {drill.held_on}"
    text = {k: str(values.get(k) or "").strip() for k in ("evaluators", "summary", "plan_assessment", "conclusion",
                                                           "suggestions")}
    if not text["evaluators"]:
        errors["evaluators"] = "请填写评估人员（每行一人：姓名（单位））"
    if not text["conclusion"]:
        errors["conclusion"] = "请填写评估结论"
    for name, value in text.items():
        if len(value) > 4000:
            errors[name] = "内容不能超过 4000 字"
    evaluation = drill.evaluation
    if (kept := scored_lines(drill)) is not None:
        # Re-scoring keeps the sheet it was first scored on: the same lines, the same maxima.
        lines = [(s.item_id, s.category, s.title, s.max_score) for s in kept]
    else:
        lines = [(i.id, i.category, i.title, i.max_score) for i in items_for(drill.form_org)]
    if not lines:
        raise UserError("评估表没有启用的评估项目，请先在“评估项目”中设置")
    parsed = []
    for position, (item_id, category, title, max_score) in enumerate(lines, 1):
        entry = scores.get(str(item_id)) or scores.get(item_id) or {}
        raw = str(entry.get("score") if entry.get("score") is not None else "").strip()
        remark = str(entry.get("remark") or "").strip()
        name = f"score_{item_id}"
        label = f"第 {position} 项“{category}”"
        if raw == "":
            errors[name] = f"{label}未打分"
            continue
        try:
            score = int(raw)
        except ValueError:
            errors[name] = f"{label}的得分应为整数"
            continue
        if score < 0:
            errors[name] = f"{label}的得分不能为负数"
        elif score > max_score:
            errors[name] = f"{label}的得分 {score} 超过该项满分 {max_score}"
        elif len(remark) > 300:
            errors[name] = f"{label}的评语不能超过 300 字"
        parsed.append(EvaluationScore(item_id=item_id, position=position, category=category, title=title,
                                      max_score=max_score, score=score, remark=remark))
    if errors:
        raise FieldErrors(errors)
    if evaluation is None:
        evaluation = DrillEvaluation(drill_id=drill.id, created_by_id=getattr(user, "id", None))
        db.session.add(evaluation)
    else:
        evaluation.scores.clear()
        db.session.flush()  # the unique (evaluation, item) rows go before their replacements
    evaluation.evaluated_on = evaluated_on
    for name, value in text.items():
        setattr(evaluation, name, value)
    evaluation.scores = parsed
    evaluation.total = sum(s.score for s in parsed)
    evaluation.max_total = sum(s.max_score for s in parsed)
    evaluation.grade = grade_for(evaluation.total, evaluation.max_total)
    evaluation.updated_at = utcnow()
    if drill.status == DrillStatus.CONDUCTED.value:
        drill.status = DrillStatus.EVALUATING.value
    db.session.flush()
    db.session.refresh(drill)
    return evaluation
