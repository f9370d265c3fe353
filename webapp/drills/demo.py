"""Demo data for seed-demo: two years of emergency drills (应急演练) in the demo county (云溪县).

About 1,800 drills from the last two years up to today, and the drill plan of the months ahead:
- enterprises of all 17 industries drill their own accidents — a chemical plant its liquid
  ammonia leak, a building site its scaffold collapse, a mall its fire evacuation; high-risk units
  and crowded places every half-year, the others yearly, a share of them each year;
- towns and villages drill flood and typhoon evacuation before the flood season, geological
  hazards in spring and forest fires in winter (the hill towns); communities a fire evacuation in
  the fire-safety month (November); schools an earthquake evacuation in spring (around 5·12) and a
  fire evacuation in autumn; county departments their special plans once a year;
- every plan in force of the plans demo is drilled at its required frequency (plans.due): the
  latest drill within the period for most, a visible minority overdue, so the compliance page
  shows both; the drills link the plans they exercise;
- held drills are 实施, 评估 or 已总结 by age, ahead ones 计划 or 准备; most held drills are
  evaluated on the shipped score sheet (evaluation.items_for) with scores drawn per item up to its
  maximum, so grades vary; problems found are in every state: 待整改, 整改中, 已整改 (each with a
  closure note and evidence: a photo or a stamped PDF), and some overdue;
- a few hundred drills carry photos (drawn scenes, demo_scenes), each row with its own files.

How it is written, and why (seed-demo stays fast: about 3 s for this part on SQLite, 5 s on PostgreSQL):
- every drill's values pass services.check_drill and its timeline services.check_steps, the
  rules of the officer's form (a held drill dated today or before, participants given …); the
  rows are then bulk inserts — the rows save_drill, save_evaluation, add_photo, add_evidence and
  close_problem would have written — rather than thousands of flushes and refreshes;
- the six most recent drills of plans in force, the ones the drill officer (yanlian) opens
  first, go entirely through the services: save_drill with the timeline, add_photo,
  save_evaluation, change_status, add_problem, start_rectifying, close_problem with an upload;
  three of their problems ask for a plan revision, which flags those plans 需修订
  (problems.add_problem → plans.services.request_revision).
Deterministic for a given rng and day: dates are relative to today.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from webapp import storage
from webapp.auth.models import User
from webapp.common.time import from_local, local_today, utcnow
from webapp.drills import compliance, evaluation, problems, services
from webapp.drills.demo_scenes import Picture, evidence_pdf, evidence_photo, field_photo, scenes
from webapp.drills.models import (
    HELD,
    Drill,
    DrillEvaluation,
    DrillPhoto,
    DrillProblem,
    DrillStatus,
    DrillStep,
    EvaluationScore,
    FormContent,
    FormOrg,
    FormPurpose,
    ProblemEvidence,
    ProblemStatus,
    drill_plans,
)
from webapp.extensions import db
from webapp.plans import due
from webapp.plans.demo import EXPERTS, HILL_TOWNS
from webapp.plans.models import HAZARD_SUBTYPES, Hazard, Plan, PlanKind, PlanStatus
from webapp.registry.demo import COUNTY, GIVEN, SURNAMES
from webapp.registry.models import Organization, OrgKind

OFFICER = ("yanlian", "王磊")  # the demo drill officer (webapp.auth.demo)
WINDOW = timedelta(days=730)  # two years of drills up to today
AHEAD = timedelta(days=120)  # the drill plan of the months ahead
SHOWCASE = 6  # recent drills recorded through the services, complete
PLAN_FLAGS = 3  # of their problems, those that ask for a plan revision
OVERDUE_SHARE = 0.14  # plans in force left overdue for their drill
LINKABLE = (PlanStatus.PUBLISHED.value, PlanStatus.FILED.value, PlanStatus.NEEDS_REVISION.value)
HAZARD_OF = {sub: hazard.value for hazard, subs in HAZARD_SUBTYPES.items() for sub in subs}


# ------------------------------------------------------------------------------ what is drilled


@dataclass(frozen=True)
class Family:
    """A kind of drill: its situation, its timeline, what it uses, what goes wrong, its photos."""

    situation: str
    steps: tuple  # (minutes from the start, event, action); {place} {what} {org}
    resources: str
    safety: str
    problems: tuple  # (description, measure)
    captions: tuple
    scene: str


FAMILIES = {
    "leak": Family(
        "{place}{what}输送管线法兰垫片老化破裂，{what}持续泄漏，可燃有毒气体检测报警仪报警，1名巡检人员吸入后出现头晕、恶心症状。",
        ((0, "{place}可燃有毒气体检测报警仪报警，巡检人员发现{what}泄漏", "立即向中控室报告泄漏位置和泄漏量，撤离泄漏点附近作业人员"),
         (3, "中控室确认报警，值班长向总指挥报告", "总指挥宣布启动Ⅱ级应急响应，通过广播通知各应急小组集结"),
         (7, "各应急小组在应急集合点集结完毕", "总指挥下达处置指令，明确分工和安全要求"),
         (10, "警戒疏散组根据风向标判定下风向区域", "拉设警戒带，疏散下风向人员至上风向集合点，禁止车辆进入"),
         (14, "抢险救援组2人一组佩戴正压式空气呼吸器、穿防化服进入泄漏区", "关闭泄漏点上下游阀门，使用堵漏夹具堵漏，开启水幕喷淋稀释"),
         (20, "医疗救护组接到1名吸入中毒人员", "将伤员转移至上风向空气新鲜处，检查生命体征，交120转运"),
         (28, "泄漏点堵漏成功，检测{what}浓度降至安全范围", "收集处置喷淋废水，防止进入雨水管网，对抢险人员进行洗消"),
         (35, "总指挥宣布应急响应结束", "集合清点人数，评估组进行现场讲评")),
        "正压式空气呼吸器6套、重型防化服4套、堵漏工具1套、可燃有毒气体检测仪2台、水幕水带4盘、洗消设备1套、警戒带3卷、急救箱1个",
        "泄漏点为模拟设置，演练前切断系统物料；抢险人员2人一组，佩戴空气呼吸器前检查气密性；设安全员全程监护，出现真实险情立即终止演练。",
        (("2名抢险人员佩戴空气呼吸器前未进行气密性检查", "组织空气呼吸器使用专项培训并逐人考核，在佩戴检查步骤中增加气密性检查"),
         ("堵漏工具箱内缺少法兰夹具配套螺栓", "补齐堵漏工具配件，建立工具箱清单，每月点检一次"),
         ("喷淋废水未及时导入事故应急池", "完善雨水总排口切换阀操作规程，在阀门处设置操作标识并明确责任人"),
         ("风向标被遮挡，警戒组判断风向用时较长", "在储罐区和装卸区增设2处风向标，纳入日常巡检")),
        ("抢险组佩戴空气呼吸器实施堵漏", "警戒疏散组拉设警戒带", "医疗救护组转移中毒人员", "总指挥下达处置指令", "对抢险人员进行洗消"),
        "leak"),
    "fire": Family(
        "{place}电气线路老化短路引燃周边可燃物，产生大量浓烟，火势有蔓延趋势，1名员工被困。",
        ((0, "{place}发生火情，现场员工发现后大声呼救", "就近取用灭火器扑救初起火灾，同时按下手动火灾报警按钮"),
         (2, "消防控制室（值班室）接到报警并确认火情", "启动消防应急广播，向总指挥报告，拨打119报警"),
         (5, "总指挥宣布启动应急响应", "各应急小组按职责就位，切断着火区域非消防电源"),
         (7, "疏散引导组引导人员沿疏散通道撤离", "提醒用湿毛巾捂住口鼻、低姿快速撤离，到达集合点"),
         (10, "灭火组使用室内消火栓出水控制火势", "转移着火点周边可燃物，防止火势蔓延"),
         (14, "集合点清点人数，发现1人未撤出", "搜救组2人佩戴空气呼吸器进入搜救，救出被困人员交医疗救护组"),
         (20, "消防救援力量到达现场", "移交现场指挥权，介绍火场情况，配合扑救"),
         (28, "明火扑灭，现场清理完毕", "总指挥宣布演练结束，进行现场讲评")),
        "干粉灭火器20具、室内消火栓4处、消防水带6盘、正压式空气呼吸器2套、应急照明灯10盏、担架1副、急救箱1个、警戒带2卷",
        "使用油盆模拟火源，设专人看护并备足灭火器；疏散时各楼梯口安排人员疏导，防止拥挤摔倒；演练前检查消防设施完好。",
        (("2具灭火器压力不足，1具已过检验期", "更换过期和压力不足的灭火器，建立灭火器月度检查记录"),
         ("二楼东侧疏散通道堆放杂物，影响疏散", "清理疏散通道杂物，划设禁止占用标线，纳入日常巡查"),
         ("室内消火栓水带接口与栓口不匹配，出水延迟约2分钟", "更换不匹配的水带接口，对全部消火栓进行试水检查"),
         ("部分员工不会使用室内消火栓", "组织全员消防器材实操培训，每人至少实际操作一次")),
        ("员工使用灭火器扑救初起火灾", "疏散引导组引导人员撤离", "灭火组使用室内消火栓出水", "集合点清点人数", "总指挥进行现场讲评"),
        "fire"),
    "collapse": Family(
        "连续降雨后{place}局部发生坍塌，2人被埋压，周边仍有坍塌危险。",
        ((0, "{place}发生坍塌，2人被埋压", "现场人员立即停止作业，撤离到安全区域并报告现场负责人"),
         (3, "现场负责人启动应急响应", "拨打120、119，向上级和属地乡镇报告"),
         (6, "警戒组设置警戒区", "撤离危险区域全部人员，禁止无关人员和车辆进入"),
         (9, "技术组对坍塌体和周边进行观测", "确认暂无二次坍塌风险，安排专人持续监测"),
         (13, "抢险组采用人工配合小型机具清理坍塌物", "先后救出2名被埋压人员"),
         (22, "医疗救护组对伤员止血、包扎、固定", "将伤员抬至安全区域，交120救护车转运"),
         (30, "清点现场人数", "确认无其他人员被困，对坍塌部位进行临时支护"),
         (38, "总指挥宣布应急响应结束", "进行现场讲评")),
        "挖掘机1台、担架2副、急救箱2个、千斤顶2台、切割机1台、应急照明灯6盏、警戒带3卷、对讲机8部",
        "演练区域选在无坍塌危险的场地，以假人模拟被埋压人员；大型机械由持证人员操作并设专人指挥；演练前检查周边边坡和支护。",
        (("现场未配备生命探测仪，搜救主要依靠人工", "与县消防救援大队签订救援协作协议，配备简易搜救器材"),
         ("现场应急通道被材料堆放占用，救护车进入受阻", "清理应急通道，设置通道标识，每日班前检查"),
         ("观测人员未配备对讲机，险情信号传递不畅", "为观测人员配备对讲机和口哨，明确撤离信号")),
        ("抢险组清理坍塌物搜救被困人员", "警戒组设置警戒区", "医疗救护组处置伤员", "技术组观测坍塌体"),
        "site"),
    "injury": Family(
        "{place}一名员工在作业中{what}，伤势较重，现场人员需立即施救。",
        ((0, "{place}一名员工{what}", "同班组员工立即停机（切断电源）并大声呼救"),
         (2, "班组长到场确认伤情", "向车间主任和安全员报告，拨打120"),
         (4, "车间启动现场处置方案", "设置警戒，保护现场，排除二次伤害风险"),
         (6, "医疗救护人员赶到", "对伤员进行止血、包扎、固定，必要时实施心肺复苏"),
         (12, "安排专人到厂门口引导120救护车", "开通应急通道，确保救护车直达现场"),
         (18, "伤员被转运送医", "安排专人陪同，向单位负责人报告伤员情况"),
         (24, "对同类设备开展隐患排查", "检查防护装置和安全联锁是否完好"),
         (30, "宣布演练结束", "进行现场讲评")),
        "急救箱2个、担架1副、止血带4根、烫伤膏2支、绝缘杆1根、AED除颤仪1台、警戒带1卷",
        "以假人模拟伤员，演练设备处于停机挂牌状态；电气操作由持证电工进行；演练前对参演人员进行安全交底。",
        (("急救箱内药品不全，缺少止血带和烫伤膏", "补齐急救箱药品，建立急救箱清单和月检制度"),
         ("员工心肺复苏操作不规范，按压深度不足", "邀请县红十字会开展心肺复苏培训，每季度复训一次"),
         ("设备急停按钮位置不明显，操作员寻找用时较长", "对急停按钮进行醒目标识，在设备旁张贴操作要点")),
        ("员工对伤员进行现场急救", "停机断电并设置警戒", "引导救护车进入厂区"),
        "site"),
    "confined": Family(
        "检修人员进入{place}清理作业时，因有毒有害气体积聚晕倒，监护人发现后呼救。",
        ((0, "{place}内作业人员晕倒，监护人发现", "监护人立即呼救并报告，严禁未佩戴防护装备进入施救"),
         (2, "车间主任接报后启动现场处置方案", "通知救援小组携带空气呼吸器、三脚架赶赴现场，拨打120"),
         (6, "救援小组到达现场", "强制通风，使用四合一气体检测仪检测氧含量和有毒气体浓度"),
         (10, "架设救援三脚架", "救援人员佩戴正压式空气呼吸器、系好安全绳进入"),
         (15, "将被困人员救出", "转移至通风处，检查呼吸和心跳，实施心肺复苏"),
         (22, "120救护车到达", "交接伤员，安排专人陪同送医"),
         (28, "封闭作业点，调查原因", "重新检测合格前禁止作业"),
         (34, "宣布演练结束", "进行现场讲评")),
        "正压式空气呼吸器4套、救援三脚架1套、安全绳2根、四合一气体检测仪2台、轴流风机2台、担架1副、急救箱1个",
        "有限空间入口为模拟设置，不实际进入危险空间；以假人模拟被困人员；救援人员系好安全绳，设专人监护。",
        (("监护人员对有限空间作业审批程序不熟悉", "组织有限空间作业监护人专项培训并考核，审批单增加监护人签字"),
         ("现场仅配备1台气体检测仪，且未按期校验", "增配四合一气体检测仪2台，按期送检校验"),
         ("救援三脚架安装用时过长", "组织救援三脚架安装专项训练，编制操作卡片")),
        ("架设救援三脚架", "检测有限空间气体浓度", "对被困人员实施心肺复苏"),
        "leak"),
    "traffic": Family(
        "一辆{what}在{place}与对向车辆发生碰撞，车内多名人员受伤，发动机舱冒烟。",
        ((0, "{place}发生车辆碰撞，车内人员受伤", "驾驶员立即停车，开启危险报警闪光灯，在来车方向放置警告标志"),
         (2, "驾驶员拨打110、120报警", "向调度（动态监控中心）报告事故情况"),
         (4, "发动机舱冒烟", "使用车载灭火器扑救初起火灾"),
         (6, "组织车内人员有序下车撤离", "疏散到护栏外安全地带，安抚人员情绪"),
         (12, "交警、消防和120到达现场", "实施交通管制，消防破拆救出被困人员"),
         (20, "伤员被送往医院", "应急小组赶到，登记人员信息，安排后续转运"),
         (30, "清障车拖离事故车辆", "恢复道路通行"),
         (36, "宣布演练结束", "进行现场讲评")),
        "车载灭火器2具、三角警告牌2个、安全锤4把、反光背心6件、液压破拆工具1套、急救箱1个、清障车1辆",
        "演练路段提前封闭并设置交通引导，事故车辆为报废车辆；破拆作业由消防救援人员实施，设安全员监护。",
        (("车载灭火器放置位置不便取用", "调整车载灭火器安装位置，驾驶员出车前检查"),
         ("驾驶员设置警告标志距离不足50米", "对驾驶员开展事故现场安全防护培训"),
         ("疏散时未告知乘客安全锤位置", "发车前增加安全告知环节，张贴安全锤位置标识")),
        ("驾驶员放置警告标志", "消防员破拆救出被困人员", "交警实施交通管制"),
        "road"),
    "water": Family(
        "{what}在{place}航行时遇大风，一名人员不慎落水，机舱冒烟。",
        ((0, "一名人员从{what}落水", "发现人高喊“有人落水”，抛投救生圈，盯住落水者位置"),
         (1, "现场负责人接报", "操船减速，向落水者下风侧靠近，通知救生小组"),
         (4, "救生小组穿救生衣就位", "使用救生杆、救生绳将落水人员救起"),
         (8, "落水人员意识模糊", "进行保暖和急救处理，报告海事部门"),
         (12, "机舱冒烟", "关闭机舱通风，使用灭火器扑救，清点人员"),
         (18, "救援船到达", "转移伤员上岸送医"),
         (26, "宣布演练结束", "进行讲评")),
        "救生圈6个、救生衣30件、救生绳2根、救生杆2根、灭火器6具、急救箱1个、对讲机4部",
        "落水人员由穿戴救生衣的专业救生员扮演，救援船全程待命；演练水域水流平缓，提前发布航行通告。",
        (("救生圈抛投不准，两次未抛至落水人员附近", "开展救生圈抛投专项训练，每月一次"),
         ("部分救生衣老化，浮力不足", "更换老化救生衣12件，建立救生设备台账")),
        ("抛投救生圈救援落水人员", "救生小组将落水人员救起"),
        "water"),
    "crowd": Family(
        "节假日{place}客流超过最大承载量，出口处有人摔倒，发生拥挤踩踏险情。",
        ((0, "{place}客流监测达到最大承载量的80%", "启动限流措施，暂停售票和入场"),
         (3, "出口通道有人摔倒，人群拥堵", "现场工作人员立即喊话，阻止后方人员前进"),
         (5, "启动应急广播", "引导人员从备用通道分流"),
         (8, "安保人员在拥堵点位组成人墙", "疏导人群，开辟应急通道"),
         (12, "医疗救护组对受伤人员进行现场救治", "2名伤员交120转运"),
         (20, "客流恢复正常", "做好安抚和信息发布"),
         (28, "宣布演练结束", "进行讲评")),
        "应急广播系统1套、手持扩音器6个、隔离栏30组、担架2副、急救箱2个、对讲机20部",
        "以工作人员和志愿者模拟人群，控制推挤力度；演练区域暂停对外开放，设安全员监护。",
        (("应急广播覆盖不全，北门区域听不清", "在北门区域增设应急广播点位"),
         ("限流措施启动晚于预案规定的客流阈值", "完善客流监测预警阈值，明确限流启动责任人")),
        ("安保人员疏导人群", "开辟应急通道", "对受伤人员进行救治"),
        "school"),
    "elevator": Family(
        "{place}一台电梯运行中突然停在两层之间，轿厢内困有3名人员。",
        ((0, "电梯困人，轿厢内人员按下警铃", "值班人员通过对讲安抚被困人员，告知不要扒门"),
         (2, "值班人员通知维保单位", "报告单位负责人，在各层门口设置警示标志"),
         (5, "确认轿厢位置，切断主电源", "防止电梯突然启动"),
         (12, "维保人员到达现场", "按程序手动盘车将轿厢移至平层位置"),
         (18, "打开层门和轿门", "救出被困人员，检查身体状况"),
         (22, "电梯停用检查", "查明故障原因，修复并检验合格前不得使用"),
         (26, "宣布演练结束", "进行讲评")),
        "电梯三角钥匙2把、盘车手轮1个、松闸扳手1把、警示牌4块、对讲机4部、急救箱1个",
        "盘车救援由持证维保人员操作，演练电梯停止对外使用；被困人员由工作人员扮演。",
        (("维保单位到场时间超过30分钟", "与维保单位约定到场时限，签订补充协议"),
         ("值班人员不熟悉电梯应急救援程序", "组织值班人员开展电梯困人救援培训")),
        ("维保人员盘车救援", "安抚被困人员"),
        "site"),
    "mine": Family(
        "{place}发生{what}，井下作业人员需紧急撤离。",
        ((0, "{place}发现{what}", "现场班组长立即报告调度室，组织人员佩戴自救器"),
         (2, "调度室接报", "通知受威胁区域人员按避灾路线撤离，报告矿长"),
         (5, "矿长宣布启动应急救援预案", "通知矿山救护队，切断灾区电源"),
         (10, "井下人员按避灾路线撤离", "各班组清点人数，向调度室报告"),
         (20, "救护队进入灾区侦察", "搜救未升井人员，控制灾情"),
         (35, "全部人员升井，清点无误", "向县应急管理局报告"),
         (45, "宣布演练结束", "进行讲评")),
        "自救器120台、正压氧气呼吸器6台、瓦斯检测仪4台、担架2副、急救箱2个、矿山救护队1支",
        "演练不实际中断通风和供电，以信号模拟灾情；井下撤离按避灾路线进行，各班组长负责清点。",
        (("部分矿工自救器佩戴用时超过规定时间", "组织全员自救器佩戴训练并考核"),
         ("避灾路线标识部分缺失", "补设井下避灾路线标识，重新绘制避灾路线图")),
        ("井下人员按避灾路线撤离", "升井人员清点"),
        "site"),
    "flood": Family(
        "受台风外围影响，{place}24小时降雨量超过150毫米，山洪灾害危险区和低洼地带群众需紧急转移，{what}出现险情。",
        ((0, "县防指发布暴雨红色预警", "{org}防汛指挥部启动防汛应急响应，召开会商会部署转移工作"),
         (5, "通过应急广播“村村响”和短信发布转移指令", "网格员、转移责任人逐户通知危险区群众"),
         (15, "危险区群众按转移路线撤离", "行动不便的老人由专人背扶转移"),
         (30, "避灾安置点开放", "登记转移人员，发放食品、饮用水和被褥"),
         (40, "{what}出现管涌险情", "抢险队用沙袋围筑反滤围井处置管涌"),
         (50, "1名群众被困低洼地带", "冲锋舟救援队实施水上救援，将其转移至安全区域"),
         (60, "清点转移人数，核对名单", "确认应转尽转，安排人员在危险区路口值守"),
         (70, "指挥长宣布演练结束", "进行讲评")),
        "冲锋舟2艘、救生衣60件、沙袋2000只、发电机2台、应急照明灯30盏、帐篷20顶、折叠床80张、铜锣10面、对讲机20部",
        "水上救援由专业救援人员实施并穿戴救生衣；转移群众由村干部和志愿者模拟，老人儿童不实际涉水；演练前检查冲锋舟和救生器材。",
        (("转移名单未及时更新，2户独居老人未落实转移责任人", "更新危险区人员转移名单，逐户落实转移责任人和转移路线"),
         ("避灾安置点物资不足，缺少折叠床和应急照明", "补充安置点物资，建立安置点物资清单"),
         ("部分村民未收到转移通知短信", "核对预警短信发送名单，同时使用应急广播“村村响”和鸣锣通知"),
         ("冲锋舟发动机启动困难", "对冲锋舟发动机进行检修保养，汛前试航")),
        ("群众按转移路线撤离", "冲锋舟救援被困群众", "避灾安置点登记转移人员", "抢险队处置管涌险情"),
        "water"),
    "geo": Family(
        "连续强降雨后，{place}后山出现多条裂缝并有落石，滑坡体威胁坡下居民，需紧急避险转移。",
        ((0, "监测员巡查发现{place}后山裂缝扩大并有落石", "立即报告村监测责任人和乡镇地质灾害防治办公室"),
         (5, "{org}指挥部接报", "启动地质灾害应急预案，派出技术人员赶赴现场核查"),
         (10, "发出预警信号（鸣锣、广播）", "组织受威胁群众按避险路线撤离到安全区"),
         (20, "清点人员，发现1户未撤离", "应急分队入户劝离并协助转移"),
         (30, "技术人员判定滑坡体仍在变形", "扩大警戒范围，封闭过境道路，设置警示标志"),
         (40, "安置点安置转移群众", "做好生活保障和心理安抚"),
         (50, "宣布演练结束", "进行讲评")),
        "铜锣5面、手持喇叭6个、警戒带10卷、警示牌10块、帐篷10顶、雨量报警器2台、对讲机10部",
        "演练在隐患点影响范围外组织，转移路线提前踏勘；落石和裂缝以标志模拟，不在危险区内停留。",
        (("隐患点监测员未配备雨量报警器", "为隐患点监测员配备简易雨量报警器"),
         ("避险路线标识牌褪色不清", "更换避险路线标识牌，补设2处指示牌"),
         ("受威胁群众对预警信号不熟悉", "入户发放明白卡，讲解预警信号和避险路线")),
        ("群众沿避险路线撤离", "技术人员核查隐患点", "设置警戒和警示标志"),
        "hill"),
    "forest": Family(
        "{place}因祭扫用火不慎引发山林火灾，火线长约200米，风力3至4级，火势向村庄方向蔓延。",
        ((0, "护林员（瞭望台）发现{place}冒烟起火", "立即报告森林防火指挥部"),
         (5, "{org}森林防火指挥部启动应急响应", "调集半专业扑火队和村级应急分队赶赴火场"),
         (20, "扑火队到达火场，侦察火情", "确定从火尾入场、沿两翼推进的扑救方案"),
         (30, "使用风力灭火机、二号工具扑打明火", "在火头前方开设隔离带"),
         (40, "疏散火场周边村庄群众和林区作业人员", "设置路口检查点，禁止无关人员上山"),
         (55, "明火被扑灭", "清理余火，留足人员看守火场"),
         (65, "宣布演练结束", "进行讲评")),
        "风力灭火机10台、二号工具40把、灭火水枪10支、扑火服40套、油锯2台、对讲机15部、运兵车3辆",
        "演练选在林缘空地，不点燃真实林木，以烟雾发生器模拟火情；扑火队员穿戴全套防护装备；现场配备消防车备勤。",
        (("风力灭火机1台无法启动", "对扑火机具进行全面检修保养，建立机具台账"),
         ("扑火队员个人防护装备不全", "补齐扑火服、头盔、防护手套等装备"),
         ("林区通信信号弱，对讲机联络不畅", "配备卫星电话1部，明确林区联络方式")),
        ("扑火队使用风力灭火机扑打明火", "开设隔离带", "清理余火"),
        "forest"),
    "quake": Family(
        "{place}遭遇模拟5.5级地震，教学楼有明显晃动，需组织师生就地避险后紧急疏散。",
        ((0, "学校应急广播发出地震警报", "师生立即就近躲避，躲在课桌下，双手护头"),
         (1, "主震结束，发出疏散指令", "各班由任课教师带领，按指定路线有序疏散"),
         (2, "各楼梯口教师疏导", "防止拥挤踩踏，提醒学生不推不挤"),
         (4, "全体师生到达操场指定区域", "各班班主任清点人数并向年级组长报告"),
         (6, "发现1名学生摔伤", "校医进行检查和包扎处理"),
         (8, "校长宣布疏散完毕，全程用时4分10秒", "通报各年级疏散情况"),
         (12, "开展防震减灾知识讲解", "讲解地震时的正确避险方法"),
         (18, "宣布演练结束", "进行讲评")),
        "应急广播系统1套、手持扩音器8个、急救箱2个、担架1副、班级疏散示意图",
        "演练前检查各楼梯口和疏散通道，安排教师在楼梯拐角值守；低年级学生由班主任带领；严禁跑跳推挤。",
        (("三楼西侧楼梯疏散时出现拥堵", "调整各班疏散路线，错峰疏散，增设楼梯口疏导教师"),
         ("个别班级躲避动作不规范", "班主任利用班会课进行避险动作训练"),
         ("部分班级清点人数后未及时报告", "明确各班报告程序和报告人")),
        ("学生躲在课桌下避险", "师生按路线有序疏散", "各班在操场清点人数"),
        "school"),
    "evac": Family(
        "{place}模拟发生火灾，烟雾沿楼道蔓延，需组织人员紧急疏散。",
        ((0, "{place}发生模拟火情，烟感报警", "值班人员确认火情后启动应急广播，拨打119"),
         (2, "发出疏散指令", "各楼层由负责人带领，用湿毛巾捂住口鼻，沿疏散楼梯低姿撤离"),
         (4, "楼梯口安排人员疏导", "防止拥挤，引导行动不便人员"),
         (7, "人员到达集合点", "按楼层（班级）清点人数并报告"),
         (10, "义务消防队使用灭火器、消火栓扑救初起火灾", "关闭着火楼层电源"),
         (15, "消防救援站到达", "介绍火情，配合处置"),
         (20, "开展灭火器使用实操培训", "请消防员讲解火场逃生知识"),
         (28, "宣布演练结束", "进行讲评")),
        "灭火器20具、室内消火栓、湿毛巾、应急照明灯、手持扩音器4个、烟雾发生器1台",
        "使用烟雾发生器模拟烟雾，不使用明火；各楼梯口安排人员疏导，防止拥挤摔倒。",
        (("部分人员不熟悉疏散楼梯位置", "在各楼层张贴疏散示意图，开展宣传讲解"),
         ("楼道内电动车停放占用疏散通道", "开展楼道电动车清理专项行动，设置集中充电点"),
         ("消防控制室值班人员操作不熟练", "组织消防控制室值班人员培训，持证上岗")),
        ("人员用湿毛巾捂住口鼻低姿撤离", "集合点清点人数", "灭火器使用实操培训"),
        "fire"),
    "epidemic": Family(
        "{place}报告{what}，需开展调查、救治和防控处置。",
        ((0, "{place}报告{what}", "值班人员核实情况，30分钟内报告指挥部"),
         (10, "指挥部组织会商研判", "启动应急响应，派出调查、检测和救治小组"),
         (25, "调查组到达现场", "开展流行病学调查，封存可疑样品（物品）"),
         (40, "救治组转运病人", "定点医院开设绿色通道"),
         (55, "检测组采样送检", "对疫点开展消毒处理"),
         (75, "发布信息，回应社会关切", "指导群众做好防护"),
         (90, "宣布演练结束", "进行讲评")),
        "防护服50套、N95口罩500个、采样箱4个、消毒器械6台、负压救护车1辆、检测试剂一批",
        "采样、消毒均为模拟操作；参演人员按要求穿戴防护用品；演练不涉及真实病例和样本。",
        (("信息报告系统操作不熟练，网络直报延迟", "组织网络直报系统操作培训"),
         ("防护用品储备不足", "补充防护服、N95口罩等储备，建立储备清单"),
         ("调查人员分工不明确", "细化调查小组分工，编制工作指引")),
        ("调查组开展现场调查", "对疫点进行消毒处理", "指挥部会商研判"),
        "meeting"),
    "tabletop": Family(
        "以“{what}”为情景，{org}各应急小组（成员单位）按照预案规定的程序逐阶段推演。",
        ((0, "导演组宣布推演开始，介绍演练情景", "参演人员就位，明确推演规则和时间"),
         (10, "第一阶段：事件发生与信息报告", "各岗位说明信息接报、核实和上报的程序及时限"),
         (30, "第二阶段：研判与响应启动", "指挥长组织会商，确定响应级别并宣布启动"),
         (50, "第三阶段：应急处置", "各工作组陈述处置措施和资源调配方案"),
         (75, "插入情景：事态升级", "讨论请求外部支援、扩大响应的条件和程序"),
         (95, "第四阶段：响应终止与后期处置", "明确善后、调查评估和恢复工作"),
         (110, "评估组点评", "指出推演中暴露的预案和处置不足"),
         (120, "总指挥总结", "部署整改工作")),
        "会议室1间、投影仪1台、演练情景卡片30张、预案文本、应急资源分布图",
        "桌面推演在会议室进行，无现场安全风险；推演材料标注“演练”字样，防止误传。",
        (("部分成员对自身职责表述不清", "组织学习预案，制定岗位职责清单"),
         ("预案中响应分级条件不够具体，推演中分歧较大", "细化响应分级启动条件，组织专题讨论"),
         ("应急资源底数不清，调配方案缺乏依据", "开展应急资源调查，建立应急资源清单"),
         ("信息报告时限与上级预案不一致", "对照上级预案统一信息报告时限")),
        ("参演人员开展桌面推演", "导演组介绍演练情景", "评估组进行点评"),
        "meeting"),
}
# Problems any drill may find (the family's own come first).
GENERAL_PROBLEMS = (
    ("信息报告不及时，从发现险情到报告总指挥用时8分钟，超过预案规定的5分钟", "修订信息报告流程卡片并张贴到各岗位，组织值班人员开展信息报告专项培训"),
    ("应急广播部分区域声音偏小，个别人员未听清指令", "检修应急广播系统，增设2个扬声器并试音验收"),
    ("对讲机电量不足，演练中途通信中断约3分钟", "建立对讲机充电和交接班检查制度，增配备用电池4块"),
    ("应急物资台账与实物不符，缺少2套防护服", "补齐缺少的应急物资，重新核对应急物资台账，明确专人每月检查"),
    ("部分参演人员不熟悉应急集合点位置", "在主要通道增设集合点指示标识，组织应急疏散路线培训"),
    ("警戒区域设置偏小，有无关人员进入警戒区", "明确警戒范围的确定方法，对警戒人员进行培训"),
    ("人员清点耗时较长，未落实分区清点责任人", "建立分区清点责任制，各部门指定清点人并制作人员清单"),
)
PLAN_PROBLEMS = (
    ("演练发现预案中应急指挥部成员和联系方式已不符合实际，部分处置程序与现场实际不符",
     "修订预案应急组织机构、通讯录和处置程序相关章节，经评审后重新发布"),
    ("预案规定的警戒疏散范围偏小，未考虑夜间和节假日人员不足时的处置安排",
     "修订预案警戒疏散和值班安排相关内容，组织评审后重新发布、备案"),
    ("预案中的应急物资清单与实际不符，信息报告时限与上级预案不一致",
     "更新预案应急物资清单，统一信息报告时限，修订后重新发布"),
)
WEAK_REMARKS = ("部分人员动作不够熟练", "用时偏长", "个别环节衔接不够紧密", "需加强针对性培训", "与预案规定有偏差")


@dataclass(frozen=True)
class Scenario:
    name: str  # as in the title: 液氨泄漏事故
    subtype: str  # a HAZARD_SUBTYPES entry ("" with hazard given)
    family: str
    place: str = ""
    what: str = ""
    match: str = ""  # a word of the titles of the plans it exercises
    hazard: str = ""  # when the subtype is empty

    @property
    def hazard_value(self) -> str:
        return self.hazard or HAZARD_OF[self.subtype]


S = Scenario
INDUSTRY_SCENARIOS = {
    "危险化学品": (S("液氨泄漏事故", "危险化学品事故", "leak", "液氨储罐区", "液氨", "液氨泄漏"),
              S("危险化学品泄漏事故", "危险化学品事故", "leak", "甲醇储罐区", "甲醇", "危险化学品泄漏"),
              S("储罐区火灾事故", "火灾事故", "fire", "储罐区", "", "储罐区火灾"),
              S("火灾爆炸事故", "火灾事故", "fire", "合成车间", "", "火灾爆炸"),
              S("装卸车作业泄漏事故", "危险化学品事故", "leak", "装卸站台", "液碱", "装卸车"),
              S("中毒窒息事故", "危险化学品事故", "confined", "反应釜", "", "中毒窒息")),
    "加油站": (S("卸油作业油品泄漏事故", "危险化学品事故", "leak", "卸油区", "汽油", "卸油"),
            S("加油机着火事故", "火灾事故", "fire", "加油区", "", "加油机"),
            S("火灾爆炸事故", "火灾事故", "fire", "储油罐区", "", "火灾爆炸")),
    "非煤矿山": (S("采场边坡滑塌事故", "矿山事故", "collapse", "采场边坡", "", "边坡"),
             S("爆破事故", "矿山事故", "injury", "爆破作业区", "被爆破飞石击伤", "爆破"),
             S("破碎机械伤害事故", "工贸企业事故", "injury", "破碎车间", "手臂被卷入皮带输送机", "破碎机械")),
    "煤矿": (S("井下火灾事故", "矿山事故", "mine", "井下运输巷", "外因火灾", "井下火灾"),
           S("透水事故", "矿山事故", "mine", "采掘工作面", "透水征兆", "透水"),
           S("瓦斯爆炸事故", "矿山事故", "mine", "回采工作面", "瓦斯浓度超限", "瓦斯"),
           S("提升运输事故", "矿山事故", "injury", "主斜井", "被运输矿车撞伤", "提升运输")),
    "烟花爆竹": (S("成品仓库火灾事故", "火灾事故", "fire", "成品仓库", "", "成品仓库"),
             S("火灾爆炸事故", "火灾事故", "fire", "包装工房", "", "火灾爆炸"),
             S("装卸搬运作业事故", "火灾事故", "fire", "装卸区", "", "装卸搬运")),
    "金属冶炼": (S("高温熔融金属喷溅事故", "工贸企业事故", "injury", "中频炉炉前", "被喷溅的高温熔融金属烫伤", "熔融金属"),
             S("煤气泄漏中毒事故", "燃气事故", "leak", "煤气管道区", "煤气", "煤气")),
    "燃气": (S("液化石油气储罐泄漏事故", "燃气事故", "leak", "液化石油气储罐区", "液化石油气", "储罐泄漏"),
           S("调压站燃气泄漏事故", "燃气事故", "leak", "调压站", "天然气", "调压站"),
           S("燃气火灾爆炸事故", "火灾事故", "fire", "灌装车间", "", "火灾爆炸")),
    "工贸": (S("有限空间作业中毒窒息事故", "工贸企业事故", "confined", "污水池", "", "有限空间"),
           S("机械伤害事故", "工贸企业事故", "injury", "生产车间", "手臂被卷入设备", "机械伤害"),
           S("车间火灾事故", "火灾事故", "fire", "生产车间"),
           S("触电事故", "工贸企业事故", "injury", "配电房", "触电倒地")),
    "建筑施工": (S("脚手架坍塌事故", "建筑施工事故", "collapse", "外脚手架", "", "脚手架"),
             S("塔吊倾覆事故", "特种设备事故", "collapse", "塔吊作业区", "", "塔吊"),
             S("高处坠落事故", "建筑施工事故", "injury", "主体结构作业面", "从作业平台坠落", "高处坠落"),
             S("基坑坍塌事故", "建筑施工事故", "collapse", "基坑", "", "基坑")),
    "道路运输": (S("客车交通事故", "道路交通事故", "traffic", "国道云溪段", "客运班车", "车辆交通"),
             S("危险货物运输车辆泄漏事故", "危险化学品事故", "leak", "县道停车区", "柴油"),
             S("车辆火灾事故", "火灾事故", "traffic", "公司停车场", "货车")),
    "水上运输": (S("人员落水事故", "其他生产安全事故", "water", "云溪江航道", "客渡船"),
             S("船舶火灾事故", "火灾事故", "water", "云溪江码头", "货船")),
    "电力": (S("触电事故", "其他生产安全事故", "injury", "变电站", "触电倒地"),
           S("防汛", "洪涝灾害", "flood", "库区", "大坝坝脚"),
           S("变压器火灾事故", "火灾事故", "fire", "主变压器室")),
    "仓储物流": (S("仓库火灾事故", "火灾事故", "fire", "仓库"),
             S("叉车伤害事故", "特种设备事故", "injury", "装卸作业区", "被倒车的叉车撞伤")),
    "人员密集场所": (S("火灾人员疏散", "火灾事故", "evac", "营业大厅", "", "火灾"),
               S("电梯困人事故", "特种设备事故", "elevator", "客梯"),
               S("拥挤踩踏事件", "其他生产安全事故", "crowd", "主入口")),
    "旅游景区": (S("游客拥挤踩踏事件", "其他生产安全事故", "crowd", "景区入口", "", "踩踏"),
             S("游客落水事故", "其他生产安全事故", "water", "漂流河段", "游船"),
             S("山洪灾害避险", "洪涝灾害", "flood", "景区溪谷", "游步道"),
             S("森林火灾扑救", "森林火灾", "forest", "景区林区")),
    "医药制造": (S("危险化学品泄漏事故", "危险化学品事故", "leak", "溶剂库", "乙醇"),
             S("车间火灾事故", "火灾事故", "fire", "提取车间"),
             S("有限空间作业中毒窒息事故", "工贸企业事故", "confined", "发酵罐")),
    "农林牧渔": (S("沼气池中毒窒息事故", "其他生产安全事故", "confined", "沼气池"),
             S("动物疫情处置", "动物疫情", "epidemic", "养殖场", "一起疑似动物疫情，生猪出现异常死亡"),
             S("加工车间火灾事故", "火灾事故", "fire", "加工车间"),
             S("农药中毒事故", "职业中毒", "epidemic", "农药仓库", "2名员工配药时出现头晕、恶心等中毒症状")),
    "其他": (S("办公楼火灾疏散", "火灾事故", "evac", "办公楼"),
           S("食堂食物中毒事件", "食物中毒", "epidemic", "员工食堂", "员工就餐后多人出现腹泻、呕吐症状")),
}
HIGH_RISK = ("煤矿", "非煤矿山", "危险化学品", "烟花爆竹", "金属冶炼", "燃气", "建筑施工")
CROWDED = ("人员密集场所", "旅游景区")
TAKE_PART = {"high": 0.5, "crowded": 0.4, "other": 0.2}  # enterprises recording drills (those with demo plans aside)


@dataclass(frozen=True)
class Topic:
    """A government topic: the plan titles it matches, the words of its drill titles, its
    scenario, the season it is drilled in ((month, day, month, day), …) and how often as a tabletop."""

    match: str
    label: str  # 云溪县2026年{label}综合应急演练
    scenario: Scenario
    windows: tuple
    tabletop: float = 0.15
    town_label: str = ""  # for towns and villages, when different


TOPICS = (
    Topic("防汛防台", "防汛防台风", S("防汛防台", "台风", "flood", "沿溪低洼地带", "溪流堤防"), ((5, 10, 6, 30),),
          town_label="防汛防台"),
    Topic("森林火灾", "森林火灾扑救", S("森林火灾扑救", "森林火灾", "forest", "后山林区"), ((11, 15, 2, 20),), 0.1),
    Topic("地质灾害", "地质灾害避险转移", S("地质灾害避险转移", "地质灾害", "geo", "地质灾害隐患点"), ((4, 1, 5, 31),), 0.1),
    Topic("危险化学品", "危险化学品事故应急救援", S("危险化学品泄漏事故", "危险化学品事故", "leak", "化工企业储罐区", "液氯"),
          ((6, 1, 6, 30),), 0.2, "危险化学品事故"),
    Topic("道路交通", "道路交通事故应急救援", S("道路交通事故", "道路交通事故", "traffic", "国道云溪段", "客运班车"),
          ((9, 1, 10, 31),), 0.2),
    Topic("公路水路", "交通运输突发事件应急处置", S("水上交通事故", "其他生产安全事故", "water", "云溪江渡口", "客渡船"),
          ((9, 1, 10, 31),), 0.4),
    Topic("地震", "地震应急救援", S("地震灾害", "地震", "collapse", "城区老旧居民楼"), ((5, 6, 5, 20),), 0.2),
    Topic("气象灾害", "气象灾害防御", S("暴雨大风气象灾害", "气象灾害", "tabletop"), ((3, 1, 4, 30),), 1.0),
    Topic("公共卫生", "突发公共卫生事件应急处置",
          S("突发公共卫生事件", "传染病疫情", "epidemic", "城关镇某小区", "一起聚集性发热病例（疑似传染病疫情）"),
          ((3, 1, 4, 30),), 0.4),
    Topic("医疗卫生救援", "突发事件医疗卫生救援", S("批量伤员医疗救援", "道路交通事故", "traffic", "县道云溪至白沙段", "旅游大巴"),
          ((9, 1, 10, 15),), 0.3),
    Topic("食品安全", "食品安全事故应急处置",
          S("食品安全事故", "食物中毒", "epidemic", "学校食堂", "一起学生就餐后多人出现腹泻、呕吐的疑似食物中毒事件"),
          ((9, 1, 10, 15),), 0.3),
    Topic("特种设备", "特种设备事故应急救援", S("电梯困人事故", "特种设备事故", "elevator", "县人民医院住院楼客梯"),
          ((6, 1, 6, 30),), 0.0),
    Topic("建设工程", "建设工程施工安全事故应急救援", S("建筑施工坍塌事故", "建筑施工事故", "collapse", "城东安置房项目基坑"),
          ((6, 1, 6, 30),), 0.2),
    Topic("动物疫情", "重大动物疫情应急处置",
          S("重大动物疫情", "动物疫情", "epidemic", "柳河镇某生猪养殖场", "一起疑似非洲猪瘟疫情，生猪出现异常死亡"),
          ((10, 10, 11, 30),), 0.3),
    Topic("旅游", "旅游突发事件应急处置", S("景区游客拥挤踩踏事件", "其他生产安全事故", "crowd", "云溪大峡谷景区"),
          ((4, 1, 4, 28),), 0.2),
    Topic("校园安全", "校园安全突发事件应急处置", S("校园安全突发事件", "", "tabletop", hazard=Hazard.SOCIAL.value),
          ((9, 1, 9, 30),), 1.0),
    Topic("群体性事件", "群体性事件处置", S("群体性事件", "群体性事件", "tabletop"), ((7, 1, 7, 31),), 1.0),
    Topic("生产安全事故灾难", "生产安全事故应急救援", S("液氨泄漏事故", "危险化学品事故", "leak", "白沙镇化工集中区", "液氨"),
          ((6, 1, 6, 30),), 0.3),
    Topic("网络与信息安全", "网络安全事件应急处置", S("网络与信息安全事件", "网络与信息安全事件", "tabletop"),
          ((10, 1, 10, 31),), 1.0),
    Topic("药品安全", "药品安全事件应急处置", S("药品安全事件", "", "tabletop", hazard=Hazard.HEALTH.value),
          ((10, 1, 11, 30),), 1.0),
    Topic("总体", "突发事件", S("突发事件综合", "台风", "flood", "沿溪低洼地带", "溪流堤防"), ((6, 1, 6, 30),), 0.3),
)
TOPIC = {t.match: t for t in TOPICS}
SCHOOL_QUAKE = Topic("", "地震应急疏散", S("地震应急疏散", "地震", "quake", "教学楼"), ((4, 20, 5, 20),), 0.0)
SCHOOL_FIRE = Topic("", "消防安全疏散", S("消防安全疏散", "火灾事故", "evac", "教学楼"), ((9, 10, 11, 28),), 0.0)
COMMUNITY_FIRE = Topic("", "消防安全疏散", S("高层住宅火灾疏散", "火灾事故", "evac", "住宅楼"), ((11, 1, 11, 30),), 0.0)
COMMUNITY_GAS = Topic("", "燃气泄漏应急处置", S("燃气泄漏事故", "燃气事故", "leak", "居民楼", "管道燃气"), ((3, 1, 4, 30),), 0.0)
VILLAGE_FLOOD = Topic("", "防汛防台避险转移", S("山洪灾害避险转移", "洪涝灾害", "flood", "山洪灾害危险区", "溪边堤坝"),
                      ((5, 10, 6, 30),), 0.0)
FIRE_BRIGADE = Topic("", "高层建筑火灾扑救", S("高层建筑火灾", "火灾事故", "fire", "城关镇某高层住宅小区"), ((11, 1, 11, 30),), 0.0)


# ------------------------------------------------------------------------------ the drills to write


@dataclass
class Item:
    org: Organization
    day: date
    held: bool
    scenario: Scenario
    family: str
    title: str
    plans: list
    form_org: str
    form_content: str
    form_purpose: str
    values: dict = field(default_factory=dict)
    steps: list = field(default_factory=list)


@dataclass
class Series:
    """Drills of one unit on one topic, every period or every season, of a plan or of none."""

    org: Organization
    topic: Topic | None  # government, schools, villages, communities
    scenarios: tuple  # enterprises: their scenarios, in turn
    plan: Plan | None
    months: int | None  # the plan's drill period (compliance), or the unit's habit
    on_time: bool | None  # True: keep the last drill within the period; False: leave it overdue; None: no rule
    chance: float = 1.0  # of drilling in a given season


def seed(rng: random.Random) -> str:
    if db.session.scalar(select(Drill.id).limit(1)):
        return "应急演练演示数据已存在，未重复写入。"
    county = db.session.scalar(select(Organization).where(Organization.name == COUNTY))
    if county is None:
        return "没有演示县，未写入应急演练演示数据。"
    today = local_today()
    officer = db.session.scalar(select(User).where(User.username == OFFICER[0]))
    orgs = list(db.session.scalars(select(Organization).where(Organization.active.is_(True)).order_by(Organization.id)))
    plans = list(db.session.scalars(select(Plan).where(Plan.status.in_(LINKABLE), Plan.issued_on.is_not(None))
                                    .order_by(Plan.id)))
    writer = Writer(rng, today, officer, orgs)
    items = []
    for series in _series(rng, today, orgs, plans):
        items += writer.items(series)
    items.sort(key=lambda i: (i.day, i.org.id, i.title))
    showcase = _showcase(items, today)
    writer.bulk([i for i in items if not any(i is s for s in showcase)])
    for number, item in enumerate(showcase):
        writer.through_services(item, number)
    db.session.flush()
    return _report(today)


# ------------------------------------------------------------------------------ schedules


def _series(rng: random.Random, today: date, orgs: list[Organization], plans: list[Plan]) -> list[Series]:
    by_org: dict[int, list[Plan]] = {}
    for plan in plans:
        by_org.setdefault(plan.organization_id, []).append(plan)
    towns = {o.id: o for o in orgs if o.kind in (OrgKind.TOWN, OrgKind.STREET)}
    out: list[Series] = []
    for org in orgs:
        own = by_org.get(org.id, [])
        hill = towns.get(org.town_id) is not None and towns[org.town_id].name in HILL_TOWNS
        if org.kind == OrgKind.ENTERPRISE:
            catalogue = catalogue_of(org)
            if own:
                for plan in own:
                    out.append(Series(org, None, scenarios_for(catalogue, plan), plan, *_rule(rng, plan, today)))
                continue
            group = "high" if org.industry in HIGH_RISK else "crowded" if org.industry in CROWDED else "other"
            if rng.random() < TAKE_PART[group]:
                start = rng.randrange(len(catalogue))
                out.append(Series(org, None, catalogue[start:] + catalogue[:start], None,
                                  6 if group != "other" else 12, None))
            continue
        topics_done = set()
        for plan in own:
            topic = _topic(org, plan)
            topics_done.add(topic.label)
            months, on_time = _rule(rng, plan, today)
            if org.kind == OrgKind.SCHOOL:
                out.append(Series(org, SCHOOL_QUAKE, (), plan, months, on_time))
                out.append(Series(org, SCHOOL_FIRE, (), plan, months, on_time))
            else:
                out.append(Series(org, topic, (), plan, months, on_time))
        if org.kind in (OrgKind.TOWN, OrgKind.STREET):
            keys = ["防汛防台", "总体"] + (["地质灾害", "森林火灾"] if org.name in HILL_TOWNS else [])
            for key in keys:
                if TOPIC[key].label not in topics_done:
                    out.append(Series(org, TOPIC[key], (), None, 12, None, 0.5 if key == "总体" else 0.9))
        elif org.kind == OrgKind.SCHOOL and not own:
            out.append(Series(org, SCHOOL_QUAKE, (), None, 12, None, 0.85))
            out.append(Series(org, SCHOOL_FIRE, (), None, 12, None, 0.85))
        elif org.kind == OrgKind.VILLAGE and not own:
            if rng.random() < 0.5:
                topic = TOPIC["地质灾害"] if hill and rng.random() < 0.5 else VILLAGE_FLOOD
                out.append(Series(org, topic, (), None, 12, None, 0.8))
            if hill and rng.random() < 0.25:
                out.append(Series(org, TOPIC["森林火灾"], (), None, 12, None, 0.7))
        elif org.kind == OrgKind.COMMUNITY and not own:
            if rng.random() < 0.6:
                out.append(Series(org, COMMUNITY_FIRE, (), None, 12, None, 0.8))
            if rng.random() < 0.25:
                out.append(Series(org, COMMUNITY_GAS, (), None, 12, None, 0.8))
        elif org.kind == OrgKind.DEPARTMENT and not own and org.name.endswith("消防救援大队"):
            out.append(Series(org, FIRE_BRIGADE, (), None, 12, None))
    return out


def catalogue_of(org: Organization) -> tuple:
    if "加油站" in org.name:
        return INDUSTRY_SCENARIOS["加油站"]
    return INDUSTRY_SCENARIOS.get(org.industry or "其他", INDUSTRY_SCENARIOS["其他"])


def scenarios_for(catalogue: tuple, plan: Plan) -> tuple:
    """The scenario a plan is drilled on: the one its title names, else its subtype's, else the first."""
    named = [s for s in catalogue if s.match and s.match in plan.title]
    if not named and plan.kind != PlanKind.ENT_COMPREHENSIVE:
        named = [s for s in catalogue if s.subtype == plan.hazard_subtype]
    return tuple(named[:1]) or catalogue[:1]


def _topic(org: Organization, plan: Plan) -> Topic:
    title = plan.title.removeprefix(org.name)
    if org.kind == OrgKind.COMMUNITY:
        return COMMUNITY_FIRE
    if org.kind == OrgKind.VILLAGE and "防汛" in title:
        return VILLAGE_FLOOD
    for topic in TOPICS:
        if topic.match in title:
            return topic
    return TOPIC["总体"]


def _rule(rng: random.Random, plan: Plan, today: date) -> tuple[int, bool | None]:
    """The plan's drill period and whether it is kept: a minority of the plans that could be
    overdue (issued long enough ago) are left overdue."""
    months = due.required_months(plan) or 12
    if plan.status == PlanStatus.NEEDS_REVISION.value:
        return months, True
    could_lapse = plan.issued_on < due.add_months(today, -months) - timedelta(days=20)
    return months, not (could_lapse and rng.random() < OVERDUE_SHARE)


def _weekday(day: date, floor: date) -> date:
    """Drills are held on working days: a weekend moves to the Friday before (the Monday after
    when that would be before `floor`)."""
    if day.weekday() < 5:
        return day
    back = day - timedelta(days=day.weekday() - 4)
    return back if back >= floor else day + timedelta(days=7 - day.weekday())


def _periodic(rng, today: date, months: int, earliest: date, on_time: bool | None) -> tuple[list[date], list[date]]:
    """Held dates every `months` months up to today, the last within the period (on_time True),
    past it (False) or anywhere (None); and the next one when it falls in the plan ahead."""
    start = max(earliest, today - WINDOW)
    limit = due.add_months(today, -months)  # a drill on or after this day keeps the plan in time
    if on_time is False:
        last = limit - timedelta(days=rng.randint(10, 120))
        last = last if last >= start else None
    else:
        low = max(start, limit + timedelta(days=3)) if on_time else max(start, today - timedelta(days=months * 31))
        high = today - timedelta(days=2)
        last = low + timedelta(days=rng.randint(0, (high - low).days)) if low <= high else None
    held: list[date] = []
    day = last
    while day is not None and day >= start:
        held.append(_weekday(day, start))
        day = due.add_months(day, -months) + timedelta(days=rng.randint(-15, 15))
    held.reverse()
    if on_time is False:
        upcoming = today + timedelta(days=rng.randint(7, 75)) if rng.random() < 0.6 else None
    elif last is not None:
        upcoming = due.add_months(last, months) - timedelta(days=rng.randint(0, 25))
    else:
        upcoming = today + timedelta(days=rng.randint(10, 60))
    planned = [_weekday(upcoming, today + timedelta(days=1))] if upcoming and today < upcoming <= today + AHEAD else []
    return [d for d in held if d < today], planned


def _seasonal(rng, today: date, topic: Topic, earliest: date, chance: float) -> tuple[list[date], list[date]]:
    start = max(earliest, today - WINDOW)
    held, planned = [], []
    for year in range(today.year - 3, today.year + 2):
        for m1, d1, m2, d2 in topic.windows:
            first = date(year, m1, d1)
            last = date(year + (1 if (m2, d2) < (m1, d1) else 0), m2, d2)
            day = first + timedelta(days=rng.randint(0, (last - first).days))
            if rng.random() >= chance:
                continue
            day = _weekday(day, first)
            if start <= day < today:
                held.append(day)
            elif today < day <= today + AHEAD:
                planned.append(day)
    return held, planned


def _keep(rng, held: list[date], today: date, months: int, earliest: date, on_time: bool | None) -> list[date]:
    """Seasonal drills of a plan with a period: drop the recent ones of an overdue plan, add one
    to a plan kept in time whose season fell outside the period."""
    limit = due.add_months(today, -months)
    if on_time is False:
        return [d for d in held if d < limit]
    if on_time and (not held or held[-1] < limit):
        low = max(earliest, limit + timedelta(days=3), today - timedelta(days=90))
        if low < today - timedelta(days=2):
            held = [*held, _weekday(low + timedelta(days=rng.randint(0, (today - timedelta(days=2) - low).days)), low)]
    return held


# ------------------------------------------------------------------------------ writing


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _short(org: Organization) -> str:
    return org.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")


def _at(start: str, minutes: int) -> str:
    hours, mins = divmod(int(start[:2]) * 60 + int(start[3:]) + minutes, 60)
    return f"{min(hours, 23):02d}:{mins:02d}"


def _phase(event: str) -> str:
    """A timeline event as a phase of the summary: its first clause, without the stage number."""
    return event.split("：")[-1].split("，")[0]


def _insert(model, rows: list[dict], chunk: int = 500) -> list[int]:
    """Bulk insert, returning the new ids in the order of the rows (in chunks: one RETURNING over
    thousands of rows is slower on SQLite than a few over hundreds)."""
    ids: list[int] = []
    for start in range(0, len(rows), chunk):
        ids += db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True),
                                  rows[start:start + chunk]).all()
    return ids


def _insert_rows(model, rows: list[dict]) -> None:
    """Bulk insert through Core (an executemany; the ORM's bulk path adds nothing for these rows)."""
    if rows:
        db.session.execute(insert(getattr(model, "__table__", model)), rows)


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return from_local(datetime.combine(day, time(hour, minute)))


class Writer:
    """Builds the drills (items) and writes them. files=False (the benchmark's 10,000 drills): no
    photos on the bulk drills, and the evidence rows of closed problems share one stored PDF
    instead of a file each — fine where nothing is deleted, and it keeps the temp folder small."""

    def __init__(self, rng: random.Random, today: date, officer: User | None, orgs: list[Organization],
                 files: bool = True):
        self.rng, self.today, self.officer, self.files = rng, today, officer, files
        self.user_id = officer.id if officer else None
        self.orgs = {o.id: o for o in orgs}  # also keeps them in the session's identity map for check_drill
        self.villages: dict[int, list[Organization]] = {}
        self.chem: dict[int | None, list[Organization]] = {}
        for o in orgs:
            if o.kind == OrgKind.VILLAGE or o.kind == OrgKind.COMMUNITY:
                self.villages.setdefault(o.town_id, []).append(o)
            if o.industry == "危险化学品" and "加油站" not in o.name:
                self.chem.setdefault(o.town_id, []).append(o)
                self.chem.setdefault(None, []).append(o)
        self.now = utcnow()
        self.phone: dict[str, bytes] = {}  # one photo per scene, as a phone sends it (stored anew each time)
        self.pictures: dict[str, list[Picture]] | None = None  # drawn once, on the first bulk write
        self.proofs: list[Picture] = []
        self.reports: list[bytes] = []
        self.shared: str | None = None  # files=False: the one evidence file

    # -------------------------------------------------------------------------- items

    def items(self, series: Series) -> list[Item]:
        rng, today = self.rng, self.today
        earliest = series.plan.issued_on if series.plan is not None else today - WINDOW
        if series.topic is None:
            held, planned = _periodic(rng, today, series.months, earliest, series.on_time)
        else:
            held, planned = _seasonal(rng, today, series.topic, earliest, series.chance)
            if series.plan is not None:
                held = _keep(rng, held, today, series.months, earliest, series.on_time)
        out = []
        for n, day in enumerate([*held, *planned]):
            scenario = series.topic.scenario if series.topic else series.scenarios[n % len(series.scenarios)]
            out.append(self.item(series, scenario, day))
        return out

    def item(self, series: Series, scenario: Scenario, day: date) -> Item:
        """One drill of the series on that day: held when before today, else ahead."""
        rng, org, plan, held = self.rng, series.org, series.plan, day < self.today
        kind = OrgKind(org.kind)
        form_org, content, purpose = FormOrg.FIELD.value, FormContent.SINGLE.value, FormPurpose.INSPECTION.value
        tabletop_share = series.topic.tabletop if series.topic else {
            PlanKind.ENT_ONSITE.value: 0.08, PlanKind.ENT_SPECIAL.value: 0.15,
            PlanKind.ENT_COMPREHENSIVE.value: 0.35}.get(plan.kind if plan else "", 0.15)
        if scenario.family == "tabletop" or rng.random() < tabletop_share:
            form_org = FormOrg.TABLETOP.value
        government = kind in (OrgKind.COUNTY, OrgKind.DEPARTMENT, OrgKind.TOWN, OrgKind.STREET)
        if (government and rng.random() < 0.8) or (plan is not None and plan.kind == PlanKind.ENT_COMPREHENSIVE) \
                or (kind == OrgKind.ENTERPRISE and plan is None and rng.random() < 0.15):
            content = FormContent.COMPREHENSIVE.value
        if form_org == FormOrg.FIELD.value:
            roll = rng.random()
            if roll < (0.25 if government else 0.05):
                purpose = FormPurpose.DEMONSTRATION.value
            elif roll > 0.97:
                purpose = FormPurpose.RESEARCH.value
        family = "tabletop" if form_org == FormOrg.TABLETOP.value else scenario.family
        title = self._title(org, scenario, series, day, form_org, content)
        item = Item(org, day, held, scenario, family, title, [plan] if plan is not None else [], form_org, content,
                    purpose)
        item.values, item.steps = self._values(item, series)
        return item

    def _title(self, org, scenario: Scenario, series: Series, day: date, form_org: str, content: str) -> str:
        year = f"{day.year}年"
        tabletop = form_org == FormOrg.TABLETOP.value
        comprehensive = content == FormContent.COMPREHENSIVE.value
        if series.topic is None:  # enterprises
            plan = series.plan
            if tabletop:
                tail = "应急桌面推演"
            elif plan is not None and plan.kind == PlanKind.ENT_ONSITE:
                tail = "现场处置演练"
            elif plan is not None and plan.kind == PlanKind.ENT_SPECIAL:
                tail = "专项应急演练"
            elif comprehensive:
                tail = "综合应急演练"
            else:
                tail = "应急演练"
            name = scenario.name
            if plan is not None and plan.kind == PlanKind.ENT_COMPREHENSIVE and self.rng.random() < 0.4:
                name = "生产安全事故"
            if name.endswith(("疏散", "避险", "处置")) and not tabletop:
                tail = "综合演练" if comprehensive else "演练"
            return f"{year}{org.name}{name}{tail}"
        topic = series.topic
        county_level = org.kind in (OrgKind.COUNTY, OrgKind.DEPARTMENT)
        label = topic.label if county_level else (topic.town_label or topic.label)
        if tabletop:
            tail = "桌面推演" if label.endswith("处置") else "应急桌面推演"
        elif label.endswith(("转移", "疏散", "扑救", "处置", "救援")):
            tail = "综合演练" if comprehensive else "演练"
        else:
            tail = "综合应急演练" if comprehensive else "应急演练"
        if org.kind in (OrgKind.COUNTY, OrgKind.DEPARTMENT):
            return f"{COUNTY}{year}{label}{tail}"
        if org.kind == OrgKind.SCHOOL:
            return f"{org.name}{year}{'春季' if day.month < 8 else '秋季'}学期{label}{tail}"
        return f"{org.name}{year}{label}{tail}"

    def _values(self, item: Item, series: Series) -> tuple[dict, list[dict]]:
        rng, org, scenario = self.rng, item.org, item.scenario
        kind = OrgKind(org.kind)
        town = self.orgs.get(org.town_id) if org.town_id else None
        villages = self.villages.get(org.town_id, [])
        place = scenario.place
        if kind == OrgKind.ENTERPRISE:
            location = f"{org.name}{place}"
        elif kind == OrgKind.SCHOOL:
            location = f"{org.name}{'教学楼及操场' if item.family != 'tabletop' else '会议室'}"
            place = org.name
        elif kind == OrgKind.COMMUNITY:
            place = f"{org.name}{rng.randint(1, 18)}幢{place}" if scenario.family != "flood" else f"{org.name}地下车库"
            location = place
        elif kind == OrgKind.VILLAGE:
            place = f"{org.name}{place}"
            location = place
        elif kind in (OrgKind.TOWN, OrgKind.STREET):
            near = rng.choice(villages).name if villages else org.name
            if scenario.family in ("leak", "fire") and self.chem.get(org.id):
                place = rng.choice(self.chem[org.id]).name + scenario.place.removeprefix("化工企业")
            else:
                place = f"{near}{place}"
            location = place if item.family != "tabletop" else f"{org.name}人民政府会议室"
        else:  # county and departments
            if scenario.family == "leak" and self.chem.get(None):
                place = rng.choice(self.chem[None]).name + "储罐区"
            location = place if item.family != "tabletop" else f"{COUNTY}应急指挥中心"
        commander_unit = COUNTY if kind == OrgKind.DEPARTMENT else town.name if kind == OrgKind.VILLAGE and town \
            else org.name
        what = scenario.what or {"leak": "危险化学品", "injury": "受伤倒地", "traffic": "货车", "water": "船舶",
                                 "mine": "险情", "flood": "堤防", "epidemic": "突发事件"}.get(scenario.family, "")
        if item.family == "tabletop":
            what = scenario.name
        context = {"place": place, "what": what, "org": commander_unit}
        family = FAMILIES[item.family]
        start = rng.choice({OrgKind.SCHOOL: ("09:40", "10:00", "14:30", "15:10")}.get(
            kind, ("09:00", "09:30", "10:00", "14:00", "14:30", "15:00")))
        count = rng.randint(4, len(family.steps))
        chosen = [0, *sorted(rng.sample(range(1, len(family.steps) - 1), count - 2)), len(family.steps) - 1]
        steps = [{"at": _at(start, family.steps[i][0]), "event": family.steps[i][1].format(**context),
                  "action": family.steps[i][2].format(**context)} for i in chosen]
        duration = family.steps[chosen[-1]][0] + rng.randint(8, 20)
        people, units = self._participants(item, town, villages)
        plan = item.plans[0] if item.plans else None
        values = {
            "title": item.title, "organization_id": org.id, "industry": "", "hazard": scenario.hazard_value,
            "hazard_subtype": scenario.subtype, "form_org": item.form_org, "form_content": item.form_content,
            "form_purpose": item.form_purpose, "start_time": start, "duration_minutes": duration,
            "location": location, "scenario": family.situation.format(**context),
            "purpose": self._purpose(item, plan), "safety_measures": family.safety,
            "commander": self._commander(org, kind), "recorder": _name(rng), "participants": people,
            "participant_units": len(units), "units": "\n".join(units), "observers": self._observers(item, town),
            "resources": family.resources,
        }
        return values, steps

    def _participants(self, item: Item, town, villages) -> tuple[int, list[str]]:
        rng, org = self.rng, item.org
        kind = OrgKind(org.kind)
        short = _short(town) if town else ""
        rescue = [f"{COUNTY}消防救援大队{short}消防救援站" if short else f"{COUNTY}消防救援大队",
                  f"{town.name}卫生院" if town else f"{COUNTY}人民医院",
                  f"{town.name}派出所" if town else f"{COUNTY}公安局"]
        if item.form_org == FormOrg.TABLETOP.value:
            if kind in (OrgKind.COUNTY, OrgKind.DEPARTMENT, OrgKind.TOWN, OrgKind.STREET):
                members = [f"{COUNTY}{d}" for d in ("应急管理局", "公安局", "卫生健康局", "交通运输局", "水利局",
                                                    "自然资源和规划局", "住房和城乡建设局", "消防救援大队", "气象局")]
                units = [org.name, *rng.sample(members, rng.randint(4, 8))]
                return rng.randint(25, 60), list(dict.fromkeys(units))
            return rng.randint(8, 25), [org.name]
        if kind == OrgKind.ENTERPRISE:
            people = max(8, min(org.headcount or 40, rng.randint(15, 60)))
            units = [org.name]
            if item.form_content == FormContent.COMPREHENSIVE.value:
                units += rescue[: rng.randint(1, 3)]
                people += rng.randint(10, 40)
            return people, units
        if kind == OrgKind.SCHOOL:
            return max(30, round((org.headcount or 300) * rng.uniform(0.92, 0.99))), [org.name, *rescue[1: rng.randint(1, 3)]]
        if kind == OrgKind.VILLAGE:
            return rng.randint(40, 180), [org.name, f"{town.name}应急管理办公室" if town else "乡镇应急管理办公室",
                                          *rescue[2:3]]
        if kind == OrgKind.COMMUNITY:
            return rng.randint(60, 300), [org.name, f"{org.name.removesuffix('社区')}物业服务中心", *rescue[: rng.randint(1, 3)]]
        if kind in (OrgKind.TOWN, OrgKind.STREET):
            units = [org.name, *rescue, *(v.name for v in rng.sample(villages, min(len(villages), rng.randint(2, 5)))),
                     f"{org.name}应急救援队", f"国网{COUNTY}供电公司{short}供电所"]
            return rng.randint(150, 400), units
        departments = [f"{COUNTY}{d}" for d in ("应急管理局", "公安局", "卫生健康局", "交通运输局", "消防救援大队",
                                                "生态环境分局", "市场监督管理局", "住房和城乡建设局")]
        units = list(dict.fromkeys([org.name, *rng.sample(departments, rng.randint(5, 8)),
                                    f"{COUNTY}红十字应急救护队", f"国网{COUNTY}供电公司"]))
        return rng.randint(200, 500), units

    def _purpose(self, item: Item, plan: Plan | None) -> str:
        if item.org.kind == OrgKind.SCHOOL:
            danger = "地震" if item.scenario.family == "quake" else "火灾"
            return f"提高师生在{danger}发生时的应急避险和自救互救能力，确保紧急情况下疏散快速、有序、安全，检验学校应急预案的可操作性。"
        basis = f"《{plan.title}》" if plan is not None else "本单位应急预案"
        return (f"检验{basis}的针对性和可操作性，熟悉{item.scenario.name}的应急处置程序，"
                "提高各应急小组的协同配合能力和参演人员的自救互救能力。")

    def _commander(self, org: Organization, kind: OrgKind) -> str:
        rng = self.rng
        if kind == OrgKind.ENTERPRISE:
            return f"{org.contact_name or _name(rng)}（总经理）"
        post = {OrgKind.SCHOOL: "校长", OrgKind.VILLAGE: "村委会主任", OrgKind.COMMUNITY: "社区主任",
                OrgKind.STREET: "街道办事处主任", OrgKind.DEPARTMENT: "局长", OrgKind.COUNTY: "副县长"}.get(kind)
        if kind == OrgKind.TOWN:
            post = "乡长" if org.name.endswith("乡") else "镇长"
        if kind == OrgKind.DEPARTMENT and org.name.endswith("大队"):
            post = "大队长"
        name = org.contact_name if kind in (OrgKind.VILLAGE, OrgKind.COMMUNITY, OrgKind.SCHOOL) and org.contact_name \
            else _name(rng)
        return f"{name}（{post}）"

    def _observers(self, item: Item, town) -> str:
        rng = self.rng
        if item.form_purpose == FormPurpose.DEMONSTRATION.value or (
                item.form_content == FormContent.COMPREHENSIVE.value and rng.random() < 0.4):
            where = f"{town.name}人民政府分管负责人、" if town is not None else "各乡镇（街道）分管负责人、"
            return f"{COUNTY}应急管理局、{where}周边单位安全管理人员{rng.randint(12, 60)}人"
        return ""

    # -------------------------------------------------------------------------- bulk

    def bulk(self, items: list[Item]) -> None:
        rng, today = self.rng, self.today
        field_items = [(i.id, i.category, i.title, i.max_score) for i in evaluation.items_for(FormOrg.FIELD.value)]
        tabletop_items = [(i.id, i.category, i.title, i.max_score) for i in evaluation.items_for(FormOrg.TABLETOP.value)]
        if self.pictures is None:
            self.pictures = scenes(rng) if self.files else {}
            self.proofs = [evidence_photo(rng) for _ in range(2)]
            self.reports = [evidence_pdf(rng) for _ in range(2)]
        rows = []
        for item in items:
            status = self._status(item)
            values = item.values | {"status": status, "held_on": item.day if item.held else None,
                                    "planned_on": item.day if not item.held or rng.random() < 0.8 else
                                    item.day - timedelta(days=rng.randint(1, 10))}
            clean, errors = services.check_drill(values, today)
            steps, step_error = services.check_steps(item.steps)
            if errors or step_error:
                raise RuntimeError(f"演示演练“{item.title}”不合规则：{errors or step_error}")
            created = _local(item.day + timedelta(days=1), 17) if item.held else \
                _local(max(item.day - timedelta(days=rng.randint(20, 45)), today - timedelta(days=rng.randint(1, 10))), 10)
            rows.append(clean | {"town_id": item.org.town_id, "created_by_id": self.user_id,
                                 "created_at": min(created, self.now), "updated_at": min(created, self.now)})
            item.values = clean
            item.steps = steps
        ids = _insert(Drill, rows)
        links, step_rows, photo_rows = [], [], []
        evaluations, scores, found = [], [], []
        for drill_id, item in zip(ids, items, strict=True):
            links += [{"drill_id": drill_id, "plan_id": p.id} for p in item.plans]
            step_rows += [{"drill_id": drill_id, "position": n, **s} for n, s in enumerate(item.steps, 1)]
            if not item.held:
                continue
            if rng.random() < (0.24 if item.form_org == FormOrg.FIELD.value else 0.1) and self.files:
                photo_rows += self._photos(drill_id, item, self.pictures)
            quality = min(0.99, max(0.55, rng.gauss(0.86, 0.07))) if rng.random() > 0.02 else rng.uniform(0.45, 0.6)
            if item.values["status"] != DrillStatus.CONDUCTED.value:
                sheet = field_items if item.form_org == FormOrg.FIELD.value else tabletop_items
                evaluations.append(self._evaluation(drill_id, item, sheet, quality))
                wanted = rng.choice((0, 1, 1, 2, 2, 3)) if quality < 0.8 else rng.choice((0, 0, 1, 1, 2))
            else:
                wanted = 1 if rng.random() < 0.2 else 0
            pool = list(FAMILIES[item.family].problems) + rng.sample(GENERAL_PROBLEMS, 3)
            for description, measure in rng.sample(pool, wanted):
                found.append((drill_id, item, description, measure))
        _insert_rows(drill_plans, links)
        _insert_rows(DrillStep, step_rows)
        _insert_rows(DrillPhoto, photo_rows)
        if evaluations:
            evaluation_ids = _insert(DrillEvaluation, [e for e, _ in evaluations])
            for evaluation_id, (_, lines) in zip(evaluation_ids, evaluations, strict=True):
                scores += [line | {"evaluation_id": evaluation_id} for line in lines]
            _insert_rows(EvaluationScore, scores)
        self._problems(found)

    def _status(self, item: Item) -> str:
        rng, age = self.rng, (self.today - item.day).days
        if not item.held:
            return DrillStatus.PREPARING.value if -age <= 21 and rng.random() < 0.7 else DrillStatus.PLANNED.value
        roll = rng.random()
        if age <= 7:
            return DrillStatus.CONDUCTED.value if roll < 0.6 else DrillStatus.EVALUATING.value
        if age <= 30:
            return (DrillStatus.CONDUCTED.value if roll < 0.15 else DrillStatus.EVALUATING.value if roll < 0.6
                    else DrillStatus.SUMMARIZED.value)
        return (DrillStatus.CONDUCTED.value if roll < 0.08 else DrillStatus.EVALUATING.value if roll < 0.12
                else DrillStatus.SUMMARIZED.value)

    def _photos(self, drill_id: int, item: Item, pictures: dict[str, list[Picture]]) -> list[dict]:
        rng = self.rng
        family = FAMILIES[item.family]
        out = []
        for caption in rng.sample(family.captions, min(len(family.captions), rng.randint(1, 3))):
            picture = rng.choice(pictures[family.scene])
            out.append({"drill_id": drill_id, "key": storage.save(picture.full, "drill-photos", "jpg"),
                        "thumb_key": storage.save(picture.thumb, "drill-photos", "jpg"), "width": picture.width,
                        "height": picture.height, "size": len(picture.full), "caption": caption,
                        "uploaded_by_id": self.user_id, "created_at": min(_local(item.day, 18), self.now)})
        return out

    def _scores(self, sheet: list[tuple], quality: float) -> list[dict]:
        rng = self.rng
        lines = []
        for position, (item_id, category, title, max_score) in enumerate(sheet, 1):
            share = min(1.0, max(0.3, quality + rng.gauss(0, 0.06)))
            score = min(max_score, round(max_score * share))
            lines.append({"item_id": item_id, "position": position, "category": category, "title": title,
                          "max_score": max_score, "score": score,
                          "remark": rng.choice(WEAK_REMARKS) if share < 0.75 else ""})
        return lines

    def _evaluation(self, drill_id: int, item: Item, sheet: list[tuple], quality: float) -> tuple[dict, list[dict]]:
        rng = self.rng
        lines = self._scores(sheet, quality)
        total, max_total = sum(s["score"] for s in lines), sum(s["max_score"] for s in lines)
        if any(s["score"] > s["max_score"] for s in lines):
            raise RuntimeError("演示评估的得分超过满分")
        grade = evaluation.grade_for(total, max_total)
        evaluated_on = min(self.today, item.day + timedelta(days=rng.choice((0, 0, 1, 2, 3, 5, 7))))
        text = self._evaluation_text(item, grade)
        row = {"drill_id": drill_id, "evaluated_on": evaluated_on, "evaluators": self._evaluators(item.org),
               **text, "total": total, "max_total": max_total, "grade": grade, "created_by_id": self.user_id,
               "created_at": min(_local(evaluated_on, 16), self.now), "updated_at": min(_local(evaluated_on, 16), self.now)}
        return row, lines

    def _evaluators(self, org: Organization) -> str:
        rng = self.rng
        lines = [f"{OFFICER[1]}（{COUNTY}应急管理局）" if rng.random() < 0.5 else f"{_name(rng)}（{COUNTY}应急管理局）"]
        lines += [f"{name}（{unit}）" for name, _title, unit in rng.sample(EXPERTS, rng.randint(1, 2))]
        if org.kind == OrgKind.SCHOOL:
            lines.append(f"{_name(rng)}（{COUNTY}教育局）")
        elif org.town_id and org.kind != OrgKind.DEPARTMENT:
            town = self.orgs.get(org.town_id)
            if town is not None:
                lines.append(f"{_name(rng)}（{town.name}应急管理办公室）")
        return "\n".join(lines)

    def _evaluation_text(self, item: Item, grade: str) -> dict:
        values, plan = item.values, (item.plans[0] if item.plans else None)
        summary = (f"演练于{item.day.year}年{item.day.month}月{item.day.day}日{values['start_time']}在{values['location']}举行，"
                   f"参演{values['participants']}人，历时{values['duration_minutes']}分钟，按演练方案完成了"
                   f"{'、'.join(_phase(s['event']) for s in item.steps[1:3])}等环节，过程连贯，参演人员总体能够按职责完成处置任务。")
        basis = f"《{plan.title}》" if plan is not None else "本单位应急预案"
        assessment = (f"{basis}规定的组织机构、响应程序和处置措施总体合理，具有可操作性；"
                      + ("信息报告和资源保障部分内容需结合演练发现的问题进一步完善。" if grade in ("合格", "不合格")
                         else "未发现需要修订的重大问题。"))
        conclusion = {"优秀": "演练组织严密、准备充分，各环节衔接顺畅，达到了预期目标，评定为优秀。",
                      "良好": "演练达到了预期目标，处置程序基本正确，个别环节有待改进，评定为良好。",
                      "合格": "演练基本达到预期目标，但在信息报告、协同配合等方面存在不足，评定为合格。",
                      "不合格": "演练未能达到预期目标，处置程序和人员技能存在较多问题，评定为不合格，需重新组织演练。"}[grade]
        suggestions = "针对演练发现的问题制定整改措施，明确责任人和完成时限；加强应急队伍培训，下一周期重点演练薄弱环节。"
        return {"summary": summary, "plan_assessment": assessment, "conclusion": conclusion, "suggestions": suggestions}

    def _responsible(self, org: Organization, family: str) -> str:
        rng = self.rng
        kind = OrgKind(org.kind)
        if kind == OrgKind.ENTERPRISE:
            return org.name + rng.choice(("安全环保部", "设备部", "生产部", "综合办公室"))
        if kind == OrgKind.SCHOOL:
            return org.name + rng.choice(("安全办", "总务处", "政教处"))
        if kind in (OrgKind.TOWN, OrgKind.STREET):
            return org.name + rng.choice(("应急管理办公室", "农业农村办", "综合行政执法队"))
        if kind == OrgKind.VILLAGE:
            return f"{org.name}村民委员会"
        if kind == OrgKind.COMMUNITY:
            return f"{org.name}居民委员会"
        return org.name + rng.choice(("办公室", "应急股", "安全监管股"))

    def _problems(self, found: list[tuple]) -> None:
        rng, today, proofs, reports = self.rng, self.today, self.proofs, self.reports
        rows, closures = [], []
        for drill_id, item, description, measure in found:
            due_on = item.day + timedelta(days=rng.randint(15, 60))
            roll = rng.random()
            if due_on < today - timedelta(days=45):
                status = "closed" if roll < 0.94 else "rectifying" if roll < 0.975 else "open"
            elif due_on < today:
                status = "closed" if roll < 0.65 else "rectifying" if roll < 0.87 else "open"
            else:
                status = "closed" if roll < 0.2 else "rectifying" if roll < 0.65 else "open"
            closed_on = None
            if status == "closed":
                end = min(today, due_on + timedelta(days=rng.randint(-10, 5)))
                closed_on = item.day + timedelta(days=rng.randint(min(3, (end - item.day).days), max(3, (end - item.day).days)))
                closed_on = min(closed_on, today)
            created = min(_local(item.day + timedelta(days=1), 11), self.now)
            rows.append({"drill_id": drill_id, "description": description,
                         "responsible_unit": self._responsible(item.org, item.family)[:100], "measure": measure,
                         "due_on": due_on, "status": ProblemStatus(status).value, "closed_on": closed_on,
                         "closure_note": f"已{measure.split('，')[0]}，经复查符合要求。" if closed_on else "",
                         "closed_by_id": self.user_id if closed_on else None, "created_by_id": self.user_id,
                         "created_at": created,
                         "updated_at": min(_local(closed_on, 15), self.now) if closed_on else created})
            closures.append(closed_on)
        if not rows:
            return
        ids = _insert(DrillProblem, rows)
        evidence = []
        for problem_id, closed_on in zip(ids, closures, strict=True):
            if closed_on is None:
                continue
            for _ in range(1 if rng.random() < 0.9 else 2):
                when = min(_local(closed_on, 10), self.now)
                if not self.files:
                    if self.shared is None:
                        self.shared = storage.save(reports[0], "drill-evidence", "pdf")
                    evidence.append({"problem_id": problem_id, "kind": "pdf", "filename": "整改情况报告（盖章）.pdf",
                                     "key": self.shared, "thumb_key": None, "size": len(reports[0]),
                                     "uploaded_by_id": self.user_id, "created_at": when})
                elif rng.random() < 0.6:
                    proof = rng.choice(proofs)
                    evidence.append({"problem_id": problem_id, "kind": "photo", "filename": "整改后现场照片.jpg",
                                     "key": storage.save(proof.full, "drill-evidence", "jpg"),
                                     "thumb_key": storage.save(proof.thumb, "drill-evidence", "jpg"),
                                     "size": len(proof.full), "uploaded_by_id": self.user_id, "created_at": when})
                else:
                    report = rng.choice(reports)
                    evidence.append({"problem_id": problem_id, "kind": "pdf", "filename": "整改情况报告（盖章）.pdf",
                                     "key": storage.save(report, "drill-evidence", "pdf"), "thumb_key": None,
                                     "size": len(report), "uploaded_by_id": self.user_id, "created_at": when})
        _insert_rows(ProblemEvidence, evidence)

    # -------------------------------------------------------------------------- through the services

    def through_services(self, item: Item, number: int) -> None:
        """One recent drill as the drill officer records it: the drill with its timeline, three
        photos from the phone, the evaluation, and its problems (one asking for a plan revision,
        one rectifying, one closed with a photo of the fix)."""
        rng, today, user = self.rng, self.today, self.officer
        values = item.values | {"status": DrillStatus.CONDUCTED.value, "held_on": item.day, "planned_on": item.day}
        drill = services.save_drill(None, values, [p.id for p in item.plans], item.steps, user, today)
        family = FAMILIES[item.family]
        for caption in family.captions[:3]:
            services.add_photo(drill, self._phone_photo(family.scene), caption, user)
        sheet = evaluation.items_for(drill.form_org)
        quality = rng.uniform(0.78, 0.95)
        lines = self._scores([(i.id, i.category, i.title, i.max_score) for i in sheet], quality)
        grade = evaluation.grade_for(sum(s["score"] for s in lines), sum(s["max_score"] for s in lines))
        text = self._evaluation_text(item, grade)
        evaluation.save_evaluation(drill, {"evaluated_on": min(today, item.day + timedelta(days=1)),
                                           "evaluators": self._evaluators(item.org), **text},
                                   {str(s["item_id"]): {"score": s["score"], "remark": s["remark"]} for s in lines},
                                   user, today)
        if number % 2 == 0:
            services.change_status(drill, DrillStatus.SUMMARIZED.value, today=today)
        unit = self._responsible(item.org, item.family)[:100]
        pool = list(family.problems) + list(GENERAL_PROBLEMS)
        picked = rng.sample(pool, 3)
        if number < PLAN_FLAGS and item.plans:
            description, measure = PLAN_PROBLEMS[number % len(PLAN_PROBLEMS)]
            problems.add_problem(drill, {"description": description, "responsible_unit": unit, "measure": measure,
                                         "due_on": today + timedelta(days=rng.randint(30, 60)),
                                         "plan_id": item.plans[0].id}, user, today)
        else:
            description, measure = picked[2]
            problems.add_problem(drill, {"description": description, "responsible_unit": unit, "measure": measure,
                                         "due_on": today + timedelta(days=rng.randint(20, 40))}, user, today)
        rectifying = problems.add_problem(drill, {"description": picked[0][0], "responsible_unit": unit,
                                                  "measure": picked[0][1],
                                                  "due_on": today + timedelta(days=rng.randint(10, 30))}, user, today)
        problems.start_rectifying(rectifying)
        closed = problems.add_problem(drill, {"description": picked[1][0], "responsible_unit": unit,
                                              "measure": picked[1][1], "due_on": today + timedelta(days=10)}, user, today)
        problems.start_rectifying(closed)
        problems.close_problem(closed, f"已{picked[1][1].split('，')[0]}，经复查符合要求。", today,
                               [(self._phone_photo("site"), "整改后现场照片.jpg")], user, today)

    def _phone_photo(self, scene: str) -> bytes:
        if scene not in self.phone:
            self.phone[scene] = field_photo(scene, self.rng)
        return self.phone[scene]


def _showcase(items: list[Item], today: date) -> list[Item]:
    """The most recent held drills of plans in force, one per kind of unit and drill, recorded
    through the services so the drill officer's first page shows them complete."""
    chosen, seen = [], set()
    for item in reversed(items):
        if not item.held or not item.plans or (today - item.day).days < 2:
            continue
        if any(p.status not in due.IN_FORCE for p in item.plans):
            continue
        key = (item.org.kind, item.family)
        if key in seen or item.form_org != FormOrg.FIELD.value:
            continue
        seen.add(key)
        chosen.append(item)
        if len(chosen) == SHOWCASE:
            break
    return chosen


def _report(today: date) -> str:
    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    drills = count(Drill)
    held = count(Drill, Drill.status.in_(HELD))
    industries = db.session.scalar(select(func.count(func.distinct(Drill.industry))).where(Drill.industry.is_not(None)))
    evaluated = count(DrillEvaluation)
    found = count(DrillProblem)
    closed = count(DrillProblem, DrillProblem.status == ProblemStatus.CLOSED.value)
    late = len(problems.overdue(today))
    photos = count(DrillPhoto)
    with_photos = db.session.scalar(select(func.count(func.distinct(DrillPhoto.drill_id))))
    rows = compliance.compliance(today=today)
    met = sum(1 for r in rows if r.met)
    return (f"应急演练：{drills} 次（已实施 {held}，计划/准备 {drills - held}），{industries} 个行业类型，评估 {evaluated} 次，"
            f"发现问题 {found} 个（已整改 {closed}，逾期未整改 {late}），照片 {photos} 张（{with_photos} 次演练）；"
            f"现行预案 {len(rows)} 件，按期演练 {met} 件，逾期未演练 {len(rows) - met} 件。")
