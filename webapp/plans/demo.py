"""Demo data for seed-demo: the emergency plans of the demo county (云溪县).

About 200 plans: the county's 总体 plan, its 专项 plans owned by the lead departments (防汛防台,
森林火灾, 地质灾害, 危化品事故, 道路交通 …), departmental plans, every town's 总体 and 防汛防台
plans (地质灾害 and 森林火灾 in the hill towns), grassroots plans of villages, communities and
schools, and enterprise plans: high-risk units (危险化学品, 矿山, 烟花爆竹, 金属冶炼, 燃气, 建筑施工)
hold a 综合应急预案, several 专项应急预案 and 现场处置方案; other enterprises a 综合 plan and one or
two 现场处置方案. Plans are in every status, issued over the past four years, so some are overdue
for their three-yearly evaluation and some due soon; a dozen have many versions, saved by
different demo users; published and filed ones have an expert review (评审, or 论证 for units that
may self-evaluate) with three experts; plans under review or returned carry open comments and
suggestions.

How it is written, and why:
- plans are created, edited and moved along their status flow through the services
  (services.create_plan, save_section with the section's current revision, change_status,
  return_for_revision), so every rule holds: published only after a passing review (the
  ExpertReview row is added first), filed with a date and a unique number;
- the first draft's text is written into the sections directly and saved as one version
  (services.new_version, note “完成初稿”): saving each of ~20 sections of ~200 plans through
  save_section would write thousands of snapshots and slow seed-demo down for nothing;
- historic dates: change_status takes issued_on (the evaluation due date follows from it), and
  filed_on / filing_number; the rows the services stamp with “now” (status changes, versions,
  reviews, comments, the plan's own timestamps) are back-dated afterwards to the plan's own
  timeline, so the history reads like the plan's real life, not like today's seeding;
- comments and suggestions are written as PlanComment rows (threads via parent_id, some
  resolved).
Deterministic for a given seed and day: dates are relative to today.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update

from webapp.auth.models import User
from webapp.common.time import from_local, local_today, utcnow
from webapp.documents.richtext import sanitize
from webapp.extensions import db
from webapp.plans import review, services
from webapp.plans.models import (
    STATUS_LABELS,
    ExpertReview,
    Hazard,
    Plan,
    PlanComment,
    PlanKind,
    PlanSection,
    PlanStatus,
    PlanVersion,
    RevisionRequest,
    StatusChange,
)
from webapp.registry.demo import COUNTY, GIVEN, SURNAMES
from webapp.registry.models import Organization, OrgKind

MARK_TITLE = "云溪县突发事件总体应急预案"  # its presence means the demo is already there
EDITORS = ("yuan", "admin")  # the demo users who edit and review plans (webapp.auth.demo)
BUREAU_DUTY = "0578-6112110"  # the county emergency bureau's 24-hour duty line (demo)
HILL_TOWNS = ("青石镇", "桃源乡", "石门镇", "龙泉镇", "双溪乡", "黄岭镇", "清水镇")

# ------------------------------------------------------------------------------ government topics


@dataclass(frozen=True)
class Topic:
    name: str  # as in the title: 云溪县{name}应急预案
    hazard: Hazard
    subtype: str
    lead: str  # the lead department (owner of the county plan)
    laws: tuple
    watch: str  # monitoring: who watches what
    measures: tuple


TOPICS = {
    "flood": Topic("防汛防台风", Hazard.NATURAL, "台风", "水利局",
                   ("《中华人民共和国防洪法》", "《中华人民共和国防汛条例》"),
                   "水利、气象、自然资源部门依托雨量站、水位站和山洪灾害监测预警平台实时监测雨情、水情、汛情",
                   ("组织山洪、地质灾害危险区和低洼易涝区群众转移避险，落实“一户一卡”和转移责任人",
                    "水库、山塘落实24小时值守，按调度指令预泄腾库，出现险情立即组织抢护",
                    "关闭涉水景区、停止户外作业和大型活动，船只回港、人员上岸",
                    "抢修受损道路、供电、通信设施，保障避灾安置点的食宿和医疗")),
    "forest": Topic("森林火灾", Hazard.NATURAL, "森林火灾", "林业局",
                    ("《中华人民共和国森林法》", "《森林防火条例》"),
                    "林业部门通过林火视频监控、护林员巡山和卫星热点核查监测林区火情",
                    ("专业扑火队30分钟内到达火场，按“打早、打小、打了”原则组织扑救",
                     "划定警戒区，疏散火场周边村庄群众和林区作业人员",
                     "保护林区内输电线路、通信基站、油气管道等重要设施",
                     "明火扑灭后留足看守力量清理余火，防止复燃")),
    "geo": Topic("地质灾害", Hazard.NATURAL, "地质灾害", "自然资源和规划局",
                 ("《地质灾害防治条例》",),
                 "自然资源部门对全县地质灾害隐患点和风险防范区实行群测群防，汛期加密巡查",
                 ("立即组织受威胁群众撤离，设置警戒线和警示标志",
                  "组织专家开展应急调查，判定灾害规模和发展趋势，防范次生灾害",
                  "搜救被困人员，抢通被阻断的道路和供电、通信线路",
                  "对危险区实施封控，未经评估不得返回")),
    "chem": Topic("危险化学品事故", Hazard.ACCIDENT, "危险化学品事故", "应急管理局",
                  ("《危险化学品安全管理条例》", "《生产安全事故应急条例》"),
                  "应急管理部门依托危险化学品安全生产风险监测预警系统，对重大危险源企业实时监测",
                  ("划定警戒区，组织下风向群众疏散，实施交通管制",
                   "消防救援力量开展堵漏、冷却、稀释和洗消，防止泄漏物进入水体",
                   "生态环境部门对大气、水体开展应急监测，及时发布监测结果",
                   "卫生健康部门组织中毒伤员救治")),
    "road": Topic("道路交通事故", Hazard.ACCIDENT, "道路交通事故", "公安局",
                  ("《中华人民共和国道路交通安全法》",),
                  "公安交警部门通过卡口监控、路面巡逻和122报警平台掌握道路交通状况",
                  ("交警部门设置现场警戒，实施交通管制和分流",
                   "消防救援力量破拆救出被困人员，120 急救转运伤员",
                   "涉及危险货物车辆的，按危险化学品事故处置要求组织处置",
                   "交通运输部门组织清障和道路抢修，尽快恢复通行")),
    "quake": Topic("地震", Hazard.NATURAL, "地震", "应急管理局", ("《中华人民共和国防震减灾法》",),
                   "应急管理部门接收省地震台网速报信息，组织震情、灾情速报",
                   ("组织救援队伍搜救被压埋人员，开展医疗救治", "开放应急避难场所，转移安置受灾群众",
                    "对受损房屋开展安全鉴定，防范余震造成次生灾害", "抢修供水、供电、通信和交通设施")),
    "weather": Topic("气象灾害", Hazard.NATURAL, "气象灾害", "气象局", ("《气象灾害防御条例》",),
                     "气象部门依托自动气象站和天气雷达监测暴雨、雷电、大风、冰冻等天气",
                     ("及时发布气象灾害预警信号，通过广播、短信和应急广播“村村响”传播",
                      "根据预警等级落实停课、停工、停运等措施", "做好道路除冰、城市排涝和电力线路巡查")),
    "health": Topic("突发公共卫生事件", Hazard.HEALTH, "传染病疫情", "卫生健康局",
                    ("《中华人民共和国传染病防治法》", "《突发公共卫生事件应急条例》"),
                    "卫生健康部门依托传染病网络直报系统和医疗机构哨点监测开展监测",
                    ("开展流行病学调查，追踪密切接触者", "对病例实施隔离治疗，对疫点开展消毒",
                     "保障医疗救治床位、药品和防护物资", "及时、准确发布疫情信息，回应社会关切")),
    "food": Topic("食品安全事故", Hazard.HEALTH, "食物中毒", "市场监督管理局", ("《中华人民共和国食品安全法》",),
                  "市场监管部门通过抽检监测、投诉举报和医疗机构报告掌握食品安全风险",
                  ("救治病人，封存可疑食品及原料", "开展流行病学调查和样品检测，查明原因", "依法追溯、召回问题食品")),
    "equipment": Topic("特种设备事故", Hazard.ACCIDENT, "特种设备事故", "市场监督管理局",
                       ("《中华人民共和国特种设备安全法》",),
                       "市场监管部门通过特种设备安全监察平台和定期检验掌握在用设备状况",
                       ("切断电源、气源，防止事故扩大", "解救电梯、游乐设施被困人员", "组织技术专家分析原因，提出处置方案")),
    "building": Topic("建设工程施工安全事故", Hazard.ACCIDENT, "建筑施工事故", "住房和城乡建设局",
                      ("《建设工程安全生产管理条例》",),
                      "住建部门通过智慧工地平台和日常检查掌握在建工地危大工程情况",
                      ("组织施工单位和救援力量搜救被困人员", "对坍塌体和周边建筑开展监测，防止二次坍塌",
                       "停止事故工地及同类工程的相关作业并开展排查")),
    "animal": Topic("重大动物疫情", Hazard.HEALTH, "动物疫情", "农业农村局", ("《中华人民共和国动物防疫法》",),
                    "农业农村部门依托动物疫病监测网络和养殖场户报告开展监测",
                    ("划定疫点、疫区和受威胁区，实施封锁", "扑杀、无害化处理染疫动物", "开展紧急免疫和消毒")),
    "tourism": Topic("旅游突发事件", Hazard.ACCIDENT, "其他生产安全事故", "文化和广电旅游体育局",
                     ("《中华人民共和国旅游法》",),
                     "文旅部门依托景区客流监测系统和旅行社团队动态掌握游客情况",
                     ("组织景区疏导游客，控制客流", "救治受伤游客，做好滞留游客安置", "协调交通运输部门组织游客疏散")),
}
# County departmental plans: (department, title after the department's name, hazard, subtype)
DEPARTMENT_PLANS = [
    ("教育局", "校园安全突发事件应急预案", Hazard.SOCIAL, ""),
    ("交通运输局", "公路水路交通运输突发事件应急预案", Hazard.ACCIDENT, "道路交通事故"),
    ("公安局", "群体性事件处置应急预案", Hazard.SOCIAL, "群体性事件"),
    ("卫生健康局", "突发事件医疗卫生救援应急预案", Hazard.HEALTH, ""),
    ("应急管理局", "生产安全事故灾难应急预案", Hazard.ACCIDENT, ""),
    ("经济商务科技局", "网络与信息安全事件应急预案", Hazard.SOCIAL, "网络与信息安全事件"),
    ("市场监督管理局", "药品安全事件应急预案", Hazard.HEALTH, ""),
]

# ------------------------------------------------------------------------------ enterprise plans

# industry → (subtype of the comprehensive plan, [(special plan, subtype)], [(on-site plan, subtype)], measures)
INDUSTRY_PLANS = {
    "危险化学品": ("危险化学品事故",
              [("危险化学品泄漏事故专项应急预案", "危险化学品事故"), ("火灾爆炸事故专项应急预案", "火灾事故"),
               ("中毒窒息事故专项应急预案", "危险化学品事故")],
              [("液氨泄漏现场处置方案", "危险化学品事故"), ("储罐区火灾现场处置方案", "火灾事故"),
               ("装卸车作业泄漏现场处置方案", "危险化学品事故")],
              ("立即停止作业，关闭泄漏点上下游阀门，启动喷淋和事故排风", "佩戴正压式空气呼吸器和防化服进行堵漏",
               "用围堰和沙袋收容泄漏物，关闭雨水总排口，防止进入外环境", "对着火储罐及相邻储罐进行冷却，防止爆炸")),
    "非煤矿山": ("矿山事故",
             [("边坡坍塌事故专项应急预案", "矿山事故"), ("爆破事故专项应急预案", "矿山事故")],
             [("采场边坡滑塌现场处置方案", "矿山事故"), ("破碎机械伤害现场处置方案", "工贸企业事故")],
             ("立即停止采装作业，撤出危险区域内人员和设备", "设置警戒，禁止无关人员进入坍塌区",
              "在确保安全的前提下搜救被埋压人员", "组织技术人员监测边坡位移，防止二次坍塌")),
    "煤矿": ("矿山事故", [("瓦斯爆炸事故专项应急预案", "矿山事故"), ("透水事故专项应急预案", "矿山事故")],
           [("井下火灾现场处置方案", "矿山事故"), ("提升运输事故现场处置方案", "矿山事故")],
           ("立即停止作业，按避灾路线撤离井下人员", "切断灾区电源，加强通风", "请求矿山救护队进入灾区侦察和救援")),
    "烟花爆竹": ("火灾事故", [("火灾爆炸事故专项应急预案", "火灾事故")],
             [("成品仓库火灾现场处置方案", "火灾事故"), ("装卸搬运作业现场处置方案", "火灾事故")],
             ("立即停止一切作业，疏散库区和周边人员至安全距离以外", "初起火灾用消防沙和灭火器扑救，严禁冒险抢运",
              "设置警戒区，禁止车辆和人员进入", "配合消防救援力量处置，防止殉爆")),
    "金属冶炼": ("工贸企业事故",
             [("高温熔融金属事故专项应急预案", "工贸企业事故"), ("煤气中毒事故专项应急预案", "工贸企业事故")],
             [("中频炉熔融金属喷溅现场处置方案", "工贸企业事故"), ("煤气泄漏现场处置方案", "燃气事故")],
             ("立即停炉断电，撤离炉前作业人员", "严禁用水扑救熔融金属，使用干沙覆盖", "对烫伤人员进行冷却处理并送医",
              "检测一氧化碳浓度，佩戴空气呼吸器进入危险区域")),
    "燃气": ("燃气事故", [("燃气泄漏事故专项应急预案", "燃气事故"), ("火灾爆炸事故专项应急预案", "火灾事故")],
           [("液化石油气储罐泄漏现场处置方案", "燃气事故"), ("调压站泄漏现场处置方案", "燃气事故")],
           ("关闭泄漏点上游阀门，切断气源", "消除警戒区内一切火源，禁止使用非防爆电器", "用喷雾水稀释泄漏气体",
            "疏散周边居民，配合交警实施交通管制")),
    "建筑施工": ("建筑施工事故",
             [("高处坠落事故专项应急预案", "建筑施工事故"), ("起重机械事故专项应急预案", "特种设备事故"),
              ("基坑坍塌事故专项应急预案", "建筑施工事故")],
             [("脚手架坍塌现场处置方案", "建筑施工事故"), ("塔吊倾覆现场处置方案", "特种设备事故")],
             ("立即停止相关作业，撤离危险区域人员", "在确保安全的前提下搜救被困人员，严禁盲目施救",
              "对伤员进行止血、包扎、固定后送医", "对周边构筑物和基坑进行监测，防止二次坍塌")),
    "工贸": ("工贸企业事故", [], [("有限空间作业中毒窒息现场处置方案", "工贸企业事故"), ("机械伤害现场处置方案", "工贸企业事故")],
           ("立即停机断电并挂牌上锁", "严禁未经检测和未佩戴防护用品进入有限空间盲目施救", "对伤员进行现场急救并拨打120")),
    "人员密集场所": ("火灾事故", [("火灾事故专项应急预案", "火灾事故")], [("火灾人员疏散现场处置方案", "火灾事故")],
               ("启动消防广播，引导顾客沿疏散通道撤离", "使用室内消火栓和灭火器扑救初起火灾", "清点人员，向消防救援人员报告被困人员情况")),
    "道路运输": ("道路交通事故", [("道路运输事故专项应急预案", "道路交通事故")], [("车辆交通事故现场处置方案", "道路交通事故")],
             ("立即停车，开启危险报警闪光灯，设置警告标志", "组织乘客有序撤离到安全地带", "报警并救护伤员，保护事故现场")),
    "旅游景区": ("其他生产安全事故", [], [("游客拥挤踩踏现场处置方案", "其他生产安全事故")],
             ("启动限流措施，暂停售票和入园", "在拥堵点位疏导游客，开辟应急通道", "对受伤游客进行现场救治")),
}
OVERALL_MEASURES = ("组织营救和救治受伤人员，疏散、撤离并妥善安置受威胁人员", "迅速控制危险源，标明危险区域，封锁危险场所",
                    "抢修损坏的交通、通信、供水、供电等公共设施，保障群众基本生活", "加强治安管理，维护社会秩序")
EVENTS = {"防汛防台风": "洪涝台风灾害", "地震": "地震灾害"}
HIGH_RISK = ("危险化学品", "非煤矿山", "煤矿", "烟花爆竹", "金属冶炼", "燃气", "建筑施工")
ORDINARY = ("工贸", "人员密集场所", "道路运输", "旅游景区")

EXPERTS = [
    ("王建华", "高级工程师", "云溪县应急管理专家库"), ("陈立新", "注册安全工程师", "市安全生产协会"),
    ("郑国平", "教授级高级工程师", "市安全生产协会"), ("林晓燕", "主任医师", "云溪县人民医院"),
    ("黄志刚", "高级工程师", "云溪县消防救援大队"), ("周卫东", "高级工程师", "市化工设计院"),
    ("吴海燕", "副教授", "市职业技术学院"), ("徐立国", "高级工程师", "云溪县住建局质量安全监督站"),
    ("杨明远", "高级工程师", "市水利水电勘测设计院"), ("孙志强", "高级工程师", "市地质环境监测站"),
    ("马永强", "林业高级工程师", "云溪县林业技术推广站"), ("蒋文斌", "注册安全工程师", "市安全技术服务中心"),
]
OPINIONS = [
    "预案编制依据充分，结构符合要求，应急组织机构和职责明确，处置措施具有针对性和可操作性",
    "风险评估结论与预案内容衔接较好，应急资源调查基本清楚",
    "建议进一步细化响应分级条件，明确各级响应的启动程序",
    "建议补充应急物资的存放位置、数量和管理责任人",
    "建议完善与上级及周边单位预案的衔接，补充外部救援力量联系方式",
    "建议将信息报告时限与《生产安全事故报告和调查处理条例》的规定保持一致",
]
COMMENTS = {  # section title → what a reviewer writes there
    "应急组织机构及职责": "应急指挥部成员名单与现任人员不一致，请核对后更新，并明确各工作组组长的 AB 角。",
    "组织指挥体系": "成员单位职责中缺少通信管理部门和电力企业，请补充。",
    "信息报告": "信息报告时限请写明“接报后1小时内”向县应急管理局报告，并补充24小时值班电话。",
    "响应分级": "响应分级条件过于笼统，建议按本单位控制事态的能力细化，不要照搬事故等级。",
    "物资装备保障": "应急物资清单缺少存放位置和管理责任人，部分物资已过有效期，请更新。",
    "处置措施": "处置措施应区分不同情形，建议补充夜间、节假日人员不足时的处置安排。",
    "应急处置": "请补充报警负责人、报警电话以及与周边单位联动的具体方式。",
    "事故风险描述": "风险描述应写明危险物质的最大存量和可能的影响范围。",
    "注意事项": "请补充救援人员个体防护装备的佩戴要求和进入危险区域的条件。",
    "预警": "预警发布渠道请补充应急广播“村村响”和短信平台。",
    "适用范围": "适用范围应与综合应急预案相衔接，写明本预案与上级预案的关系。",
}
REPLIES = ["已核对并更新，请审阅。", "收到，下一版修改。", "已按意见补充。", "此处为上级文件原文，建议保留。"]


@dataclass
class Spec:
    title: str
    owner: Organization
    kind: PlanKind
    hazard: Hazard
    subtype: str
    levels: str
    group: str  # gov / town / grassroots / school / high / ordinary
    measures: tuple = ()
    topic: Topic | None = None
    town: str = ""
    event: str = ""  # what the text calls the events: 洪涝台风灾害, 液氨泄漏事故 …
    extra: dict = field(default_factory=dict)


def seed(rng: random.Random) -> str:
    if db.session.scalar(select(Plan.id).where(Plan.title == MARK_TITLE)):
        return "应急预案演示数据已存在，未重复写入。"
    county = db.session.scalar(select(Organization).where(Organization.name == COUNTY))
    if county is None:
        return "没有演示县，未写入应急预案演示数据。"
    users = [db.session.scalar(select(User).where(User.username == name)) for name in EDITORS]
    today = local_today()
    specs = _specs(rng, county)
    counters: dict[tuple[str, int], int] = {}
    started = utcnow()
    clocks: dict[int, Clock] = {}
    for index, spec in enumerate(specs):
        plan, clock = _one(rng, spec, index, users, today, counters, started)
        clocks[plan.id] = clock
    db.session.flush()
    backdate(clocks, started)
    db.session.expire_all()
    counts = services.status_counts()
    overdue = db.session.scalar(select(func.count()).select_from(Plan).where(
        Plan.status.in_([PlanStatus.PUBLISHED, PlanStatus.FILED]), Plan.next_evaluation_on < today))
    versions = db.session.scalar(select(func.count()).select_from(PlanVersion))
    open_comments = db.session.scalar(select(func.count()).select_from(PlanComment).where(
        PlanComment.resolved.is_(False), PlanComment.parent_id.is_(None)))
    by_status = "，".join(f"{STATUS_LABELS[s]} {counts.get(s.value, 0)}" for s in PlanStatus)
    return (f"应急预案：{len(specs)} 件（{by_status}），{versions} 个版本，逾期未评估 {overdue} 件，"
            f"未处理的评审意见 {open_comments} 条。")


# ------------------------------------------------------------------------------------ the plans


def _specs(rng: random.Random, county: Organization) -> list[Spec]:
    orgs = list(db.session.scalars(select(Organization).order_by(Organization.id)))
    departments = {o.name.removeprefix(COUNTY): o for o in orgs if o.kind == OrgKind.DEPARTMENT and o.parent_id == county.id}
    towns = [o for o in orgs if o.kind in (OrgKind.TOWN, OrgKind.STREET)]
    gov4 = "Ⅰ级、Ⅱ级、Ⅲ级、Ⅳ级"
    specs = [Spec(MARK_TITLE, county, PlanKind.GOV_OVERALL, Hazard.NATURAL, "", gov4, "gov", OVERALL_MEASURES,
                  event="突发事件", extra={"status": "filed"})]
    for key, topic in TOPICS.items():
        owner = departments.get(topic.lead) or county
        specs.append(Spec(f"{COUNTY}{topic.name}应急预案", owner, PlanKind.GOV_SPECIAL, topic.hazard, topic.subtype,
                          gov4, "gov", topic.measures, topic,
                          extra={"status": "filed", "edits": 9} if key == "flood" else {}))
    # the plan the current flood plan replaced: withdrawn
    flood = TOPICS["flood"]
    specs.append(Spec(f"{COUNTY}{flood.name}应急预案（{local_today().year - 4}年版）", departments.get(flood.lead, county),
                      PlanKind.GOV_SPECIAL, flood.hazard, flood.subtype, gov4, "gov", flood.measures, flood,
                      extra={"status": "withdrawn", "superseded": True}))
    for name, what, hazard, subtype in DEPARTMENT_PLANS:
        owner = departments.get(name)
        if owner is not None:
            topic = Topic(what.removesuffix("应急预案").removesuffix("处置").removesuffix("医疗卫生救援"), hazard, subtype, name, (), TOPICS["chem"].watch.replace(
                "应急管理部门", "本部门").replace("危险化学品安全生产风险监测预警系统，对重大危险源企业", "行业监管信息系统和日常检查，对行业领域风险"),
                ("组织本行业领域力量开展先期处置", "配合县应急指挥部做好现场处置", "做好本部门职责范围内的善后工作"))
            specs.append(Spec(owner.name + what, owner, PlanKind.GOV_DEPARTMENT, hazard, subtype, "Ⅰ级、Ⅱ级、Ⅲ级",
                              "gov", topic.measures, topic))
    by_town: dict[int, list[Organization]] = {}
    for o in orgs:
        if o.town_id and o.id != o.town_id:
            by_town.setdefault(o.town_id, []).append(o)
    for town in towns:
        specs.append(Spec(f"{town.name}突发事件总体应急预案", town, PlanKind.GOV_OVERALL, Hazard.NATURAL, "", "Ⅰ级、Ⅱ级、Ⅲ级",
                          "town", OVERALL_MEASURES, None, town.name, "突发事件"))
        keys = ["flood"] + (["geo", "forest"] if town.name in HILL_TOWNS else []) + (
            ["chem"] if town.name in ("城关镇", "白沙镇") else [])
        for key in keys:
            topic = TOPICS[key]
            specs.append(Spec(f"{town.name}{topic.name}应急预案", town, PlanKind.GOV_SPECIAL, topic.hazard, topic.subtype,
                              "Ⅰ级、Ⅱ级、Ⅲ级", "town", topic.measures, topic, town.name))
        units = by_town.get(town.id, [])
        villages = [u for u in units if u.kind == OrgKind.VILLAGE]
        communities = [u for u in units if u.kind == OrgKind.COMMUNITY]
        schools = [u for u in units if u.kind == OrgKind.SCHOOL]
        for village in rng.sample(villages, min(2, len(villages))):
            topic = TOPICS["geo" if town.name in HILL_TOWNS and rng.random() < 0.5 else "flood"]
            specs.append(Spec(f"{village.name}{topic.name}应急预案", village, PlanKind.GOV_GRASSROOTS, topic.hazard,
                              topic.subtype, "Ⅰ级、Ⅱ级", "grassroots", topic.measures, topic, town.name))
        for community in communities[:1]:
            specs.append(Spec(f"{community.name}消防安全应急预案", community, PlanKind.GOV_GRASSROOTS, Hazard.ACCIDENT,
                              "火灾事故", "Ⅰ级、Ⅱ级", "grassroots", INDUSTRY_PLANS["人员密集场所"][3], None, town.name))
        for school in schools[:1]:
            specs.append(Spec(f"{school.name}校园安全突发事件应急预案", school, PlanKind.GOV_GRASSROOTS, Hazard.SOCIAL, "",
                              "Ⅰ级、Ⅱ级", "school", ("立即组织师生按疏散路线撤离到操场等安全区域", "清点人数，向教育局和属地派出所报告",
                                                   "做好受伤师生救治和家长沟通工作"), None, town.name, "校园安全突发事件"))
    enterprises = [o for o in orgs if o.kind == OrgKind.ENTERPRISE]
    names = {o.id: o.name for o in towns}
    for industry in HIGH_RISK:
        for org in _spread([o for o in enterprises if o.industry == industry], 5 if industry == "危险化学品" else 3):
            specs += _enterprise_specs(rng, org, industry, True, names.get(org.town_id, ""))
    for industry in ORDINARY:
        for org in _spread([o for o in enterprises if o.industry == industry], 3):
            specs += _enterprise_specs(rng, org, industry, False, names.get(org.town_id, ""))
    return specs


def _spread(orgs: list[Organization], count: int) -> list[Organization]:
    """`count` of them, from as many towns as possible (one per town in turn)."""
    by_town: dict[int | None, list[Organization]] = {}
    for org in orgs:
        by_town.setdefault(org.town_id, []).append(org)
    out, queues = [], list(by_town.values())
    while len(out) < count and any(queues):
        for queue in queues:
            if queue and len(out) < count:
                out.append(queue.pop(0))
    return out


def _enterprise_specs(rng, org: Organization, industry: str, high: bool, town: str) -> list[Spec]:
    subtype, specials, onsite, measures = INDUSTRY_PLANS[industry]
    if "加油站" in org.name:
        specials = [("火灾爆炸事故专项应急预案", "火灾事故")]
        onsite = [("卸油作业油品泄漏现场处置方案", "危险化学品事故"), ("加油机着火现场处置方案", "火灾事故")]
    group = "high" if high else "ordinary"
    out = [Spec(f"{org.name}生产安全事故综合应急预案", org, PlanKind.ENT_COMPREHENSIVE, Hazard.ACCIDENT, subtype,
                "Ⅰ级、Ⅱ级、Ⅲ级", group, measures, town=town)]
    for title, sub in specials:
        out.append(Spec(org.name + title, org, PlanKind.ENT_SPECIAL, Hazard.ACCIDENT, sub, "Ⅰ级、Ⅱ级", group, measures,
                        town=town))
    for title, sub in onsite[:3 if high else rng.choice((1, 2))]:
        out.append(Spec(org.name + title, org, PlanKind.ENT_ONSITE, Hazard.ACCIDENT, sub, "", group, measures, town=town))
    return out


FATES = ("draft", "in_review", "published", "filed", "needs_revision", "withdrawn")
FATE_WEIGHTS = (10, 10, 12, 52, 10, 6)


def _one(rng, spec: Spec, index: int, users: list, today: date, counters: dict, started: datetime) -> tuple[Plan, "Clock"]:
    fate = spec.extra.get("status") or rng.choices(FATES, FATE_WEIGHTS)[0]
    # Issue dates over the past four years; every tenth filed plan falls due for evaluation soon.
    if fate == "published":
        issued = today - timedelta(days=rng.randint(5, 60))
    elif fate == "filed" and index % 10 == 3:
        issued = today - timedelta(days=3 * 365 - rng.randint(10, 80))
    elif spec.extra.get("superseded"):
        issued = today - timedelta(days=4 * 365 - 30)
    else:
        issued = today - timedelta(days=rng.randint(60, 4 * 365 - 40))
    began = issued - timedelta(days=rng.randint(40, 120)) if fate not in ("draft", "in_review") else \
        today - timedelta(days=rng.randint(5, 90))
    author = users[index % len(users)] if users[0] else None
    other = users[(index + 1) % len(users)] if users[0] else None
    clock = Clock(began, started, today)

    owner = spec.owner
    person, phone = _responsible(rng, spec)
    plan = services.create_plan({
        "title": spec.title, "organization_id": owner.id, "kind": spec.kind.value, "hazard": spec.hazard.value,
        "hazard_subtype": spec.subtype, "response_levels": spec.levels, "responsible_person": person,
        "responsible_phone": phone}, author)
    clock.stamp(plan, began)
    partial = fate == "draft" and rng.random() < 0.6  # a draft still half written
    _fill(rng, plan, spec, person, phone, partial, author)
    services.new_version(plan, "完成初稿" if not partial else "编写初稿（部分章节）", author)
    clock.stamp(plan, began + timedelta(days=rng.randint(3, 15)))

    edits = spec.extra.get("edits", 3 if index % 9 == 4 else 0)
    if edits and fate != "draft":
        _edits(rng, plan, edits, [author, other], clock, began + timedelta(days=16))
    if fate == "draft":
        if index % 3 == 0:
            _comments(rng, plan, [other, author], clock, began + timedelta(days=2), count=1)
        return _finish(plan, clock)
    if fate == "withdrawn" and not spec.extra.get("superseded") and index % 2:
        services.change_status(plan, PlanStatus.WITHDRAWN.value, author, "单位已停产关闭，预案废止"
                               if spec.group in ("high", "ordinary")
                               else "与上级预案合并，本预案废止")
        clock.stamp(plan, began + timedelta(days=30))
        return _finish(plan, clock)

    review_day = issued - timedelta(days=rng.randint(8, 25)) if fate != "in_review" else today - timedelta(days=rng.randint(1, 20))
    services.change_status(plan, PlanStatus.IN_REVIEW.value, author, "提交评审")
    clock.stamp(plan, review_day - timedelta(days=10))
    if fate == "in_review":
        _comments(rng, plan, [other, author], clock, review_day, count=rng.randint(2, 4))
        return _finish(plan, clock)
    if fate == "needs_revision" and index % 3 == 0:  # failed its review: returned with the problems found
        _review(rng, plan, spec, review_day, "不通过", other)
        services.return_for_revision(plan, rng.sample(OPINIONS[2:], 2), _assignee(spec), today + timedelta(days=rng.randint(15, 45)),
                                     other)
        clock.stamp(plan, review_day + timedelta(days=1))
        _comments(rng, plan, [other, author], clock, review_day, count=rng.randint(1, 3))
        return _finish(plan, clock)

    _review(rng, plan, spec, review_day, rng.choice(("通过", "修改后通过")), other)
    clock.stamp(plan, review_day)
    services.change_status(plan, PlanStatus.PUBLISHED.value, author, "经评审通过，主要负责人签署发布", issued_on=issued)
    clock.stamp(plan, issued)
    if fate == "published":
        return _finish(plan, clock)
    filed_on = min(today, issued + timedelta(days=rng.randint(5, 26)))
    services.change_status(plan, PlanStatus.FILED.value, other, "材料齐全，予以备案", filed_on=filed_on,
                           filing_number=_filing_number(spec, filed_on, counters))
    clock.stamp(plan, filed_on)
    if fate == "withdrawn":
        services.change_status(plan, PlanStatus.WITHDRAWN.value, other, "已由新修订的预案替代，本版废止")
        clock.stamp(plan, min(today, issued + timedelta(days=4 * 365 - 60)))
    elif fate == "needs_revision":
        overdue = plan.next_evaluation_on and plan.next_evaluation_on < today
        problems = (["预案发布已满三年，评估认为应急组织机构和人员已发生较大变化", "应急物资装备清单与实际不符"] if overdue else
                    ["演练中发现信息报告流程不畅，值班电话无人接听", "疏散路线与现场实际不符，需重新绘制"])
        services.return_for_revision(plan, problems, _assignee(spec), today + timedelta(days=rng.randint(10, 60)), other,
                                     source="evaluation" if overdue else "drill")
        clock.stamp(plan, today - timedelta(days=rng.randint(1, 20)))
        if index % 2:
            _comments(rng, plan, [other, author], clock, today - timedelta(days=1), count=1)
    return _finish(plan, clock)


class Clock:
    """A plan's own timeline: each stamp says that what the services wrote since the previous
    stamp (stamped with the real “now”) happened on `day`. backdate() applies all timelines at
    the end, one bulk update per table, rather than a round of UPDATEs per step."""

    def __init__(self, began: date, started: datetime, today: date):
        self.began, self.started, self.last, self.today = began, started, began, today
        self.marks: list[tuple[datetime, datetime]] = []  # (real time of the stamp, back-dated time)

    def stamp(self, plan: Plan, day: date) -> None:
        db.session.flush()
        day = min(max(day, self.last), self.today)
        self.last = day
        when = from_local(datetime.combine(day, time(9, 0))) + timedelta(minutes=(plan.id * 37 + len(self.marks) * 11) % 480)
        self.marks.append((utcnow(), when))

    def at(self, real: datetime) -> datetime:
        for mark, when in self.marks:
            if real <= mark:
                return when
        return self.marks[-1][1]


def backdate(clocks: dict[int, Clock], started: datetime) -> None:
    for model, column in ((StatusChange, "created_at"), (PlanVersion, "created_at"), (ExpertReview, "created_at"),
                          (PlanComment, "created_at"), (PlanComment, "resolved_at"), (RevisionRequest, "created_at"),
                          (PlanSection, "updated_at")):
        attr = getattr(model, column)
        rows = db.session.execute(select(model.id, model.plan_id, attr).where(attr >= started)).all()
        changes = [{"id": i, column: clocks[p].at(real)} for i, p, real in rows if p in clocks]
        if changes:
            db.session.execute(update(model), changes)
    db.session.execute(update(Plan), [{"id": p, "created_at": c.marks[0][1], "updated_at": c.marks[-1][1]}
                                      for p, c in clocks.items() if c.marks])


def _finish(plan: Plan, clock: Clock) -> tuple[Plan, Clock]:
    db.session.flush()
    return plan, clock


def _responsible(rng, spec: Spec) -> tuple[str, str]:
    owner = spec.owner
    if owner.kind == OrgKind.ENTERPRISE and owner.contact_name:
        return owner.contact_name, owner.contact_phone or ""
    return _name(rng), f"0578-6{rng.randint(100000, 999999)}"


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _mobile(rng) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def _assignee(spec: Spec) -> str:
    return spec.owner.name + ("安全环保部" if spec.owner.kind == OrgKind.ENTERPRISE else "办公室")


def _filing_number(spec: Spec, filed_on: date, counters: dict) -> str:
    # Filing by territory (DOMAIN.md §1, §3): enterprises and county plans with the county;
    # village, community and school plans with their town.
    if spec.group in ("grassroots", "school"):
        prefix = spec.town.removesuffix("街道").removesuffix("镇").removesuffix("乡") + "应急备"
    elif spec.group in ("high", "ordinary"):
        prefix = "云应急备"
    else:
        prefix = "云政办备"
    key = (prefix, filed_on.year)
    counters[key] = counters.get(key, 0) + 1
    return f"{prefix}〔{filed_on.year}〕{counters[key]}号"


def _review(rng, plan: Plan, spec: Spec, day: date, conclusion: str, user) -> None:
    # High-risk units must hold a review with experts; others may self-evaluate (论证), 2019 办法 art. 21.
    form = "论证" if spec.group in ("ordinary", "grassroots", "school") else "评审"
    experts = [{"name": n, "title": t, "unit": u} for n, t, u in rng.sample(EXPERTS, 3)]
    opinions = [OPINIONS[0]] + rng.sample(OPINIONS[1:], 2)
    if conclusion == "不通过":
        opinions = ["预案与本单位风险实际脱节，处置措施缺乏针对性", "未开展应急资源调查，物资装备情况不清", OPINIONS[4]]
    review.record_review(plan, day, form, experts, "\n".join(f"{i}. {o}。" for i, o in enumerate(opinions, 1)),
                         conclusion, user)


def _comments(rng, plan: Plan, users: list, clock: Clock, day: date, count: int) -> None:
    """Reviewers' comments through review.py: some answered, some resolved, one in two plans with a
    suggestion (a proposed text for the section), now and then accepted or rejected by the author."""
    reviewer, author = users
    sections = [s for s in plan.sections if s.title in COMMENTS]
    for n, section in enumerate(rng.sample(sections, min(count, len(sections)))):
        if n == 0 and rng.random() < 0.5:
            suggestion = review.propose(plan, section, section.content + "<p>（补充）事故（事件）发生后，现场负责人应立即报告，"
                                        f"值班人员接报后1小时内向云溪县应急管理局（{BUREAU_DUTY}）报告。</p>",
                                        COMMENTS[section.title], reviewer)
            roll = rng.random()
            if roll < 0.2 and author is not None:
                review.accept(suggestion, author)
            elif roll < 0.3 and author is not None:
                review.reject(suggestion, author, "本节已在综合应急预案中规定，此处不再重复。")
            continue
        comment = review.add_comment(plan, section.key, COMMENTS[section.title], reviewer)
        if rng.random() < 0.5:
            review.add_comment(plan, section.key, rng.choice(REPLIES), author, parent=comment)
            if rng.random() < 0.4:
                review.resolve(comment, author)
    clock.stamp(plan, day)


def _edits(rng, plan: Plan, count: int, users: list, clock: Clock, day: date) -> None:
    """Saves through the service, each from the section's current revision, by alternating users."""
    notes = ["<p>（{year}年修订）根据机构改革后的职责分工，相关表述已作相应调整。</p>",
             "<p>夜间及节假日由值班领导带班，值班人员24小时在岗，确保信息畅通。</p>",
             "<p>根据{year}年评审意见补充：处置过程中应做好记录，处置结束后5个工作日内形成书面总结。</p>",
             "<p>（{year}年更新）联系人和联系电话已按人员调整情况核对更新。</p>"]
    candidates = [s for s in plan.sections if s.content and s.level >= 1 and "<table>" not in s.content] or list(plan.sections)
    for n in range(count):
        section = rng.choice(candidates)
        extra = rng.choice(notes).format(year=day.year)
        services.save_section(section, section.content + extra, section.revision, users[n % len(users)])
        clock.stamp(plan, day + timedelta(days=n * 3))


# ------------------------------------------------------------------------------------ section text


def _fill(rng, plan: Plan, spec: Spec, person: str, phone: str, partial: bool, user) -> None:
    """The first draft: realistic short text for the main chapters, tables where plans have them."""
    ctx = _context(rng, spec, person, phone)
    writers = WRITERS_ENTERPRISE if not plan.government else WRITERS_GOVERNMENT
    if plan.kind == PlanKind.GOV_GRASSROOTS:
        writers = WRITERS_ENTERPRISE
    for position, section in enumerate(plan.sections):
        if partial and position > 4:
            break
        writer = writers.get(section.title)
        if writer is None:
            continue
        section.content = sanitize(writer(ctx))
        section.revision += 1
        section.updated_by_id = getattr(user, "id", None)


def _context(rng, spec: Spec, person: str, phone: str) -> dict:
    enterprise = spec.owner.kind == OrgKind.ENTERPRISE
    subject = {"high": "本公司", "ordinary": "本公司", "school": "本校"}.get(spec.group, "本单位" if spec.group == "grassroots"
                                                                             else ("本镇（街道）" if spec.group == "town" else "本县"))
    event = spec.event or (EVENTS.get(spec.topic.name, spec.topic.name) if spec.topic else (spec.subtype or "突发事件"))
    if enterprise:
        event = spec.title.removeprefix(spec.owner.name).removesuffix("专项应急预案").removesuffix("现场处置方案") \
            .removesuffix("综合应急预案").removeprefix("生产安全事故") or spec.subtype
        event = event if event else "生产安全事故"
    names = [_name(rng) for _ in range(7)]
    names[0] = person or names[0]
    return {"owner": spec.owner.name, "subject": subject, "event": event, "names": names,
            "phones": [phone or _mobile(rng)] + [_mobile(rng) for _ in range(6)], "measures": spec.measures or (),
            "topic": spec.topic, "town": spec.town or "", "enterprise": enterprise, "group": spec.group,
            "duty": f"0578-6{rng.randint(100000, 999999)}", "team": rng.randint(8, 40), "fund": rng.choice((5, 10, 20, 30))}


def _p(*texts) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def _ol(items) -> str:
    return "<ol>" + "".join(f"<li>{i}；</li>" for i in items) + "</ol>"


def _table(head, rows) -> str:
    return ("<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows) + "</table>")


def _duties(c) -> str:
    n = c["names"]
    if c["enterprise"] or c["group"] in ("grassroots", "school"):
        rows = [("应急指挥部", f"总指挥：{n[0]}", f"副总指挥：{n[1]}", "统一指挥事故应急处置，决定启动和终止应急响应，向上级报告"),
                ("抢险救援组", n[2], "生产、设备、维修人员", "切断危险源，实施堵漏、灭火和被困人员搜救"),
                ("警戒疏散组", n[3], "保安、各班组长", "设置警戒区，疏散无关人员，引导外部救援车辆"),
                ("医疗救护组", n[4], "经急救培训的员工", "对伤员进行现场急救，配合120转运"),
                ("后勤保障组", n[5], "行政、仓库人员", "保障应急物资、车辆、通信和生活供应"),
                ("通讯联络组", n[6], "办公室人员", "负责内外部信息报告和联络，做好记录")]
        return _p(f"{c['subject']}成立应急指挥部，下设五个工作组，各组长不在岗时由副组长替代。") + _table(
            ("机构", "负责人", "成员", "职责"), rows)
    rows = [("应急指挥部", f"指挥长：{n[0]}（分管副职）", "各成员单位主要负责人", f"统一领导、指挥{c['event']}应对工作"),
            ("指挥部办公室", f"主任：{n[1]}", "牵头部门相关科室", "承担日常工作，汇总上报信息，协调成员单位"),
            ("现场指挥部", "由指挥长指定", "相关成员单位、属地", "组织现场救援处置，划定警戒区域"),
            ("专家组", f"组长：{n[2]}", "相关领域专家", "研判事态发展，提出处置建议")]
    return _p(f"{c['subject']}设立{c['event']}应急指挥部，成员单位按职责分工开展应急处置工作。") + _table(
        ("机构", "组成", "成员", "职责"), rows)


def _contacts(c) -> str:
    n, ph = c["names"], c["phones"]
    rows = [(n[0], "总指挥" if c["enterprise"] else "指挥长", ph[0]), (n[1], "副总指挥" if c["enterprise"] else "办公室主任", ph[1]),
            (n[2], "抢险救援组组长", ph[2]), (n[6], "通讯联络组组长", ph[3]),
            ("应急值班室", "24小时值班", c["duty"]), ("云溪县应急管理局", "值班室", BUREAU_DUTY),
            ("消防救援 / 医疗急救", "报警", "119 / 120")]
    return _p("应急通信以固定电话和手机为主，对讲机为辅；联系人变动时，通讯联络组应在3日内更新本表。") + _table(
        ("姓名（单位）", "应急职务", "联系电话"), rows)


def _equipment(c) -> str:
    n = c["names"]
    items = [("正压式空气呼吸器", "4 套", "应急物资柜（门卫室）"), ("干粉灭火器（8 kg）", "60 具", "各车间、仓库"),
             ("急救药箱", "3 个", "办公楼一楼"), ("应急照明灯", "20 盏", "应急物资柜"), ("警戒带、警示锥", "10 卷 / 30 个", "门卫室")]
    if not c["enterprise"]:
        items = [("救生衣", "50 件", "镇应急物资仓库"), ("冲锋舟", "2 艘", "镇应急物资仓库"), ("发电机", "3 台", "镇应急物资仓库"),
                 ("帐篷、折叠床", "40 顶 / 120 张", "避灾安置点"), ("雨衣雨靴、强光手电", "各 100 套", "镇应急物资仓库")]
    return _p("应急物资实行专人管理、定期检查，使用后及时补充，过期物资按期更换。") + _table(
        ("名称", "数量", "存放位置", "责任人"), [(a, b, loc, n[5]) for a, b, loc in items])


def _levels(c) -> str:
    return _table(("级别", "启动条件", "组织指挥"), [
        ("Ⅰ级", "造成或可能造成3人以上死亡（含失踪），或超出县级处置能力", "县应急指挥部报请市级指挥，县级全力先期处置"),
        ("Ⅱ级", "造成或可能造成1至2人死亡，或较大社会影响", "县应急指挥部指挥长组织指挥"),
        ("Ⅲ级", "造成人员受伤或一定财产损失，事态可能扩大", "县应急指挥部副指挥长组织指挥"),
        ("Ⅳ级", "发生一般事件，属地能够自行处置", "属地乡镇（街道）组织处置，牵头部门指导")])


def _event_text(c) -> str:
    if c["enterprise"]:
        return c["event"] if c["event"].endswith("事故") else c["event"] + "事故"
    return c["event"] if c["event"].endswith(("事故", "事件", "灾害", "火灾", "疫情")) else c["event"] + "事件"


WRITERS_ENTERPRISE = {
    "适用范围": lambda c: _p(f"本预案适用于{c['owner']}{'厂区范围内' if c['enterprise'] else '辖区内'}发生或可能发生的"
                         f"{_event_text(c)}的应急处置，是{c['subject']}应急预案体系的组成部分，与上级应急预案相衔接。"),
    "响应分级": lambda c: _p("依据事故危害程度、影响范围和本公司控制事态的能力，应急响应分为三级：Ⅰ级（需请求县级救援力量支援）、"
                         "Ⅱ级（本公司能够控制）和Ⅲ级（车间、班组能够控制）。"),
    "应急组织机构及职责": _duties,
    "应急工作职责": _duties,
    "信息报告": lambda c: _p(f"{c['subject']}24小时应急值班电话：{c['duty']}。事故发生后，现场人员立即向班组长和值班人员报告；"
                         f"值班人员接报后立即报告总指挥，总指挥确认后1小时内向{c['town'] or '属地乡镇（街道）'}和"
                         f"云溪县应急管理局（{BUREAU_DUTY}）报告。"),
    "预警": lambda c: _p("通过可燃有毒气体检测报警、视频监控、巡检和气象预警信息获取预警信息，由总指挥决定发布预警，"
                       "采取停止作业、撤离人员、加强监测等措施；危险消除后解除预警。"),
    "响应启动": lambda c: _p("确定响应级别后，总指挥宣布启动响应，召开应急会议，调集应急队伍和物资，"
                         "按规定报告事故信息，并视情况请求外部支援。"),
    "应急处置": lambda c: _ol(c["measures"] or ("立即组织人员撤离", "报警并救护伤员")) + _p(
        f"报警负责人：{c['names'][6]}，报警电话：{c['duty']}；外部救援：火警 119、急救 120、云溪县应急管理局 {BUREAU_DUTY}。"),
    "处置措施": lambda c: _ol(c["measures"] or ("立即组织人员撤离", "报警并救护伤员")),
    "应急支援": lambda c: _p("当事态超出本公司处置能力时，总指挥立即拨打119、120并向县应急管理局请求支援，"
                         "安排专人引导外部救援力量进入现场，移交指挥权并提供技术资料。"),
    "响应终止": lambda c: _p("事故现场得到控制，环境符合有关标准，导致次生、衍生事故的隐患消除后，由总指挥宣布应急响应结束。"),
    "后期处置": lambda c: _p("做好污染物收集处理、现场洗消和伤亡人员善后工作，配合事故调查，评估应急处置工作，"
                         "经检查确认安全后恢复生产。"),
    "通信与信息保障": _contacts,
    "应急队伍保障": lambda c: _p(f"{c['subject']}组建兼职应急救援队伍{c['team']}人，每半年开展一次培训和演练，"
                           "并与云溪县消防救援大队、就近专业救援队伍签订救援协议。"),
    "物资装备保障": _equipment,
    "其他保障": lambda c: _p(f"{c['subject']}每年安排应急专项经费不少于{c['fund']}万元，保障应急车辆、医疗和后勤供应。"),
    "应急保障": lambda c: _p(f"{c['subject']}兼职应急队伍{c['team']}人，应急物资存放于应急物资柜并专人管理，"
                         f"应急经费每年不少于{c['fund']}万元。") + _contacts(c),
    "事故风险描述": lambda c: _p(f"本岗位（装置）主要风险为{_event_text(c)}，可能因设备缺陷、违章操作或防护措施失效引发，"
                           "可能造成人员伤亡和财产损失，事故多发生在检维修、装卸和开停车阶段。"),
    "注意事项": lambda c: "<ul>" + "".join(f"<li>{t}</li>" for t in (
        "进入危险区域必须佩戴相应个体防护装备，严禁单人施救", "使用消防器材前确认火灾类别，站在上风向操作",
        "处置过程中注意观察现场变化，出现险情立即撤离", "保护事故现场，做好处置过程记录")) + "</ul>",
}

WRITERS_GOVERNMENT = {
    "编制目的": lambda c: _p(f"健全{_event_text(c)}应对工作机制，科学有序高效应对{_event_text(c)}，"
                         "最大程度减少人员伤亡和财产损失，维护人民群众生命财产安全和社会稳定。"),
    "编制依据": lambda c: "<ul>" + "".join(f"<li>{law}</li>" for law in (
        "《中华人民共和国突发事件应对法》", *(c["topic"].laws if c["topic"] else ()),
        "《突发事件应急预案管理办法》（国办发〔2024〕5号）", "《云溪县突发事件总体应急预案》")) + "</ul>",
    "适用范围": lambda c: _p(f"本预案适用于{c['owner']}行政区域内{_event_text(c)}的防范和应对工作。"),
    "事件分级": lambda c: _p("按照事件性质、严重程度、可控性和影响范围，分为特别重大、重大、较大和一般四级。"),
    "工作原则": lambda c: _p("坚持人民至上、生命至上，坚持统一领导、分级负责、属地为主，坚持预防为主、预防与应急相结合，"
                         "坚持快速反应、协同应对。"),
    "组织指挥体系": _duties,
    "风险防控": lambda c: _p("各成员单位定期开展风险调查和隐患排查治理，建立风险清单和隐患台账，落实管控责任。"),
    "监测": lambda c: _p((c["topic"].watch if c["topic"] else "各成员单位按职责开展监测") + "，发现异常及时报告。"),
    "预警": lambda c: _p("预警级别分为一级、二级、三级和四级，分别用红色、橙色、黄色和蓝色标示。"
                       "预警信息通过应急广播“村村响”、短信、微信公众号等渠道发布，危险解除后及时宣布解除预警。"),
    "信息报告": lambda c: _p(f"事发地乡镇（街道）和有关部门接报后30分钟内电话报告、1小时内书面报告县委县政府总值班室"
                         f"和县应急管理局（{BUREAU_DUTY}），不得迟报、谎报、瞒报和漏报。"),
    "先期处置": lambda c: _p("事发单位立即组织本单位力量先期处置；事发地乡镇（街道）组织群众转移避险，控制事态发展。"),
    "分级响应": _levels,
    "处置措施": lambda c: _ol(c["measures"] or ("组织人员搜救和医疗救治", "疏散安置受影响群众")),
    "信息发布": lambda c: _p("信息发布坚持实事求是、及时准确，由县应急指挥部统一发布，必要时召开新闻发布会。"),
    "响应终止": lambda c: _p("事件得到有效处置，次生、衍生事件危害基本消除后，由启动响应的指挥机构宣布终止响应。"),
    "恢复与重建": lambda c: _p("做好伤亡人员救治、抚恤和受灾群众安置，组织调查评估，制订恢复重建计划并组织实施。"),
    "保障措施": lambda c: _p("加强综合性消防救援队伍、专业救援队伍和基层应急队伍建设，储备必要的应急物资，"
                         "保障应急经费、通信、交通运输和医疗卫生。") + _equipment(c) + _contacts(c),
    "附则": lambda c: _p("本预案由牵头部门负责解释，原则上每三年评估一次，根据评估结果及时修订；本预案自印发之日起施行。"),
}
