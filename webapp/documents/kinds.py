"""Document kinds: what each kind of document is, the fields its templates may use, and sample
values for previews and tests.

A template belongs to one kind. Its placeholders are checked against the kind's fields before
anything is rendered: a name the kind does not provide is reported, and so is a required field
the template never uses. The modules (training, plans, drills …) fill these same fields.

Field types: text, date (a datetime.date), number, image (a documents.images spec), rows (a list
of dicts with the listed columns, for a {%tr for %} table), list (a list of strings), rich (rich
text from the browser editor, rendered as real Word structure).
"""

import io
from dataclasses import dataclass, field
from datetime import date

from PIL import Image as PILImage
from PIL import ImageDraw

from webapp.documents.images import Picture, QRCode, Seal
from webapp.documents.richtext import Rich

# Every kind also receives these, filled in by the engine when the caller does not give them.
COMMON_FIELDS = ("bureau", "today")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"
    required: bool = True
    columns: tuple[str, ...] = ()  # for rows: the keys of each row


@dataclass(frozen=True)
class DocumentKind:
    key: str
    label: str
    shipped: str  # file name under doc_templates/
    fields: tuple[Field, ...]
    sample: dict = field(default_factory=dict, compare=False)

    @property
    def names(self) -> set[str]:
        return {f.name for f in self.fields} | set(COMMON_FIELDS)

    @property
    def required(self) -> set[str]:
        return {f.name for f in self.fields if f.required}

    def complete(self, context: dict) -> dict:
        """Optional fields a caller left out become None, so `{% if photo %}` works under
        StrictUndefined while a missing required field still fails by name."""
        return {f.name: None for f in self.fields if not f.required} | dict(context)


KINDS: dict[str, DocumentKind] = {}


def _kind(*args, **kwargs) -> None:
    kind = DocumentKind(*args, **kwargs)
    KINDS[kind.key] = kind


_kind(
    "notice", "通知（红头文件）", "notice.docx",
    (
        Field("issuer", "发文机关"),
        Field("doc_number", "发文字号"),
        Field("title", "标题"),
        Field("recipients", "主送机关"),
        Field("body", "正文段落", "list"),
        Field("attachments", "附件名称", "list", required=False),
        Field("signer", "落款（发文机关署名）"),
        Field("date", "成文日期", "date"),
        Field("seal", "印章", "image", required=False),
        Field("contact", "联系人及电话", required=False),
        Field("cc", "抄送", required=False),
        Field("printer", "印发机关"),
        Field("print_date", "印发日期", "date"),
    ),
    sample={
        "issuer": "云溪县应急管理局",
        "doc_number": "云应急〔2026〕12号",
        "title": "关于举办2026年第四期生产经营单位主要负责人安全生产培训班的通知",
        "recipients": "各乡镇人民政府、街道办事处，县直有关单位，各有关企业：",
        "body": [
            "为贯彻落实《中华人民共和国安全生产法》关于生产经营单位主要负责人安全生产知识和管理能力的要求，"
            "经研究，决定举办2026年第四期生产经营单位主要负责人安全生产培训班。现将有关事项通知如下。",
            "一、培训时间：2026年12月8日至12月11日，共4天，不少于32学时。",
            "二、培训地点：云溪县应急管理局培训中心（县人民路1号）三楼报告厅。",
            "三、参训对象：辖区内危险化学品、非煤矿山、金属冶炼等高危行业企业主要负责人。",
            "四、有关要求：请参训人员携带身份证原件及复印件，按时报到，培训期间不得无故缺课。",
        ],
        "attachments": ["参训人员名单", "培训日程安排"],
        "signer": "云溪县应急管理局",
        "date": date(2026, 11, 22),
        "seal": Seal.sample(),
        "contact": "联系人：李敏，电话：0571-88880001",
        "cc": "县安委会各成员单位",
        "printer": "云溪县应急管理局办公室",
        "print_date": date(2026, 11, 22),
    },
)

_kind(
    "training_certificate", "培训合格证明", "training_certificate.docx",
    (
        Field("holder_name", "姓名"),
        Field("id_number", "身份证号"),  # templates show it through mask_id
        Field("organization", "工作单位"),
        Field("post", "岗位类别"),
        Field("operation_category", "作业类别", required=False),
        Field("course", "培训项目"),
        Field("hours", "学时", "number"),
        Field("score", "考核成绩", "number"),
        Field("certificate_no", "证明编号"),
        Field("issue_date", "发证日期", "date"),
        Field("expiry_date", "有效期至", "date"),
        Field("issuer", "发证机关"),
        Field("seal", "印章", "image", required=False),
        Field("qr", "核验二维码", "image"),
        Field("verify_url", "核验网址", required=False),
        Field("photo", "照片", "image", required=False),
    ),
    sample={
        "holder_name": "张建国",
        "id_number": "331102197805126613",
        "organization": "云溪县青石化工有限公司",
        "post": "主要负责人",
        "operation_category": "",
        "course": "危险化学品生产经营单位主要负责人安全生产知识和管理能力培训",
        "hours": 48,
        "score": 86,
        "certificate_no": "YXAQ-2026-000123",
        "issue_date": date(2026, 11, 22),
        "expiry_date": date(2029, 11, 21),
        "issuer": "云溪县应急管理局",
        "seal": Seal.sample(),
        "qr": QRCode("https://yjj.example.gov.cn/verify/3kP9xQ2mZt7wLr5v", size_mm=28),
        "verify_url": "https://yjj.example.gov.cn/verify/3kP9xQ2mZt7wLr5v",
        "photo": None,
    },
)

_kind(
    "award_certificate", "竞赛获奖证书", "award_certificate.docx",
    (
        Field("winner", "获奖者（个人或队伍）"),
        Field("organization", "所在单位", required=False),
        Field("competition", "竞赛名称"),
        Field("award", "奖项"),
        Field("score", "成绩", "number", required=False),
        Field("rank", "名次", "number", required=False),
        Field("certificate_no", "证书编号"),
        Field("issuer", "颁发单位"),
        Field("date", "颁发日期", "date"),
        Field("seal", "印章", "image", required=False),
        Field("qr", "核验二维码", "image", required=False),
    ),
    sample={
        "winner": "王芳",
        "organization": "城关镇东门社区",
        "competition": "2026年云溪县全民应急知识网络竞赛",
        "award": "一等奖",
        "score": 98,
        "rank": 1,
        "certificate_no": "YXJS-2026-0001",
        "issuer": "云溪县应急管理局",
        "date": date(2026, 11, 22),
        "seal": Seal.sample(),
        "qr": QRCode("https://yjj.example.gov.cn/verify/a8Kq2Lm9Xz", size_mm=20),
    },
)

_kind(
    "plan", "应急预案", "plan.docx",
    (
        Field("organization", "编制单位"),
        Field("title", "预案名称"),
        Field("plan_type", "预案类型"),
        Field("version", "版本号"),
        Field("publish_date", "发布日期", "date"),
        Field("approver", "批准人", required=False),
        Field("chapters", "章节", "rows", columns=("number", "title", "content")),
        Field("attachments", "附件", "list", required=False),
    ),
    sample={
        "organization": "云溪县青石化工有限公司",
        "title": "云溪县青石化工有限公司生产安全事故综合应急预案",
        "plan_type": "综合应急预案",
        "version": "2026版（第3版）",
        "publish_date": date(2026, 11, 22),
        "approver": "张建国",
        "chapters": [
            {"number": "1", "title": "总则", "content": Rich(
                "<h1>1.1 适用范围</h1><p>本预案适用于本公司生产经营过程中发生的生产安全事故的应对工作。</p>"
                "<h1>1.2 响应分级</h1><ol><li>一级响应：公司层面</li><li>二级响应：车间层面</li></ol>")},
            {"number": "2", "title": "应急组织机构及职责", "content": Rich(
                "<p>公司成立应急救援指挥部，总指挥由主要负责人担任。</p>"
                "<table><tr><th>小组</th><th>组长</th><th>职责</th></tr>"
                "<tr><td>抢险救援组</td><td>李强</td><td>现场抢险、人员搜救</td></tr>"
                "<tr><td>警戒疏散组</td><td>王磊</td><td>设置警戒区、疏散人员</td></tr></table>")},
            {"number": "3", "title": "应急响应", "content": Rich(
                "<p>事故发生后，现场人员应立即报告，并采取以下措施：</p>"
                "<ul><li>切断物料来源</li><li>启动应急处置程序</li><li>拨打 119、120</li></ul>")},
        ],
        "attachments": ["应急救援队伍及联系方式", "应急物资装备清单"],
    },
)

def _sample_photo(sky: tuple[int, int, int], ground: tuple[int, int, int], width_mm: float = 100) -> Picture:
    """A plain drawn scene (sky, ground, a tank) standing in for a drill photo in previews."""
    image = PILImage.new("RGB", (640, 480), sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 640, 480), fill=ground)
    draw.rectangle((380, 170, 560, 320), fill=(210, 210, 205), outline=(90, 90, 90), width=4)
    draw.ellipse((380, 150, 560, 200), fill=(225, 225, 220), outline=(90, 90, 90), width=4)
    for x in (120, 170, 220):
        draw.rectangle((x, 250, x + 26, 330), fill=(230, 120, 30))
        draw.ellipse((x + 3, 222, x + 23, 248), fill=(240, 200, 160))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return Picture(out.getvalue(), width_mm=width_mm, what="演练照片")


# 应急演练记录表 (AQ/T 9007-2019 §7.5: the drill is recorded — time, place, participants, the course
# of events with the actions taken, photos — and the problems found).
_kind(
    "drill_record", "应急演练记录表", "drill_record.docx",
    (
        Field("title", "演练名称"),
        Field("organization", "组织单位"),
        Field("plan_title", "依据预案"),
        Field("drill_date", "演练日期", "date"),
        Field("duration", "演练时间", required=False),  # 09:00 开始，历时 35 分钟
        Field("location", "演练地点"),
        Field("form", "演练形式"),
        Field("hazard", "事件类别", required=False),
        Field("commander", "总指挥"),
        Field("participants", "参演人数", "number"),
        Field("participant_units", "参演单位数", "number", required=False),
        Field("units", "参演单位", "list", required=False),
        Field("observers", "观摩人员", required=False),
        Field("resources", "动用的装备物资", required=False),
        Field("purpose", "演练目的", required=False),
        Field("scenario", "演练情景"),
        Field("steps", "演练过程", "rows", columns=("time", "event", "action")),
        Field("problems", "发现的问题", "list", required=False),
        Field("photos", "现场照片", "rows", required=False, columns=("image", "caption")),
        Field("recorder", "记录人"),
    ),
    sample={
        "title": "2026年危险化学品泄漏事故综合应急演练",
        "organization": "云溪县青石化工有限公司",
        "plan_title": "云溪县青石化工有限公司生产安全事故综合应急预案",
        "drill_date": date(2026, 10, 16),
        "duration": "09:00 开始，历时 35 分钟",
        "location": "公司罐区及厂区东门",
        "form": "实战演练（综合演练、检验性演练）",
        "hazard": "事故灾难（危险化学品事故）",
        "commander": "张建国",
        "participants": 46,
        "participant_units": 3,
        "units": ["云溪县青石化工有限公司", "云溪县消防救援大队青石站", "云溪县人民医院"],
        "observers": "县应急管理局刘洋等 6 人",
        "resources": "空气呼吸器 12 套、消防车 2 辆、堵漏工具 1 套、救护车 1 辆",
        "purpose": "检验甲醇泄漏时的报告、响应启动、堵漏和人员救护程序。",
        "scenario": "储罐区甲醇储罐法兰泄漏，一名操作工吸入中毒。",
        "steps": [
            {"time": "09:00", "event": "巡检人员发现甲醇储罐法兰泄漏", "action": "立即报告中控室，设置临时警戒"},
            {"time": "09:03", "event": "中控室报告总指挥", "action": "总指挥宣布启动二级响应，各小组集结"},
            {"time": "09:10", "event": "一名操作工吸入中毒", "action": "抢险组佩戴空气呼吸器关闭阀门，医疗组转运伤员"},
            {"time": "09:35", "event": "泄漏得到控制", "action": "总指挥宣布演练结束，开展现场讲评"},
        ],
        "problems": ["警戒组到位时间偏长（8分钟）", "部分人员不熟悉空气呼吸器佩戴"],
        "photos": [
            {"image": _sample_photo((150, 190, 230), (120, 120, 110)), "caption": "抢险组关阀堵漏"},
            {"image": _sample_photo((170, 200, 225), (100, 130, 90)), "caption": "医疗组转运伤员"},
        ],
        "recorder": "陈静",
    },
)

# 应急演练评估报告 (AQ/T 9009-2015 §7: the evaluation report — the drill's basic facts, how it was
# carried out, the scores, whether the plan proved workable, problems with their measures,
# conclusion and suggestions).
_kind(
    "drill_evaluation", "应急演练评估报告", "drill_evaluation.docx",
    (
        Field("title", "演练名称"),
        Field("organization", "组织单位"),
        Field("drill_date", "演练日期", "date"),
        Field("location", "演练地点", required=False),
        Field("form", "演练形式", required=False),
        Field("plan_title", "依据预案", required=False),
        Field("participants", "参演人数", "number", required=False),
        Field("evaluators", "评估人员"),
        Field("summary", "演练实施情况"),
        Field("items", "评估项目", "rows", columns=("category", "title", "max_score", "score", "remark")),
        Field("total", "评估总分", "number", required=False),
        Field("max_total", "满分", "number", required=False),
        Field("grade", "评估等级", required=False),
        Field("plan_assessment", "预案的合理性与可操作性", required=False),
        Field("problems", "问题及整改", "rows",
              columns=("description", "measure", "owner", "deadline", "status")),
        Field("conclusion", "评估结论"),
        Field("suggestions", "改进建议", required=False),
        Field("issuer", "评估单位"),
        Field("date", "报告日期", "date"),
        Field("seal", "印章", "image", required=False),
    ),
    sample={
        "title": "2026年危险化学品泄漏事故综合应急演练",
        "organization": "云溪县青石化工有限公司",
        "drill_date": date(2026, 10, 16),
        "location": "公司罐区及厂区东门",
        "form": "实战演练（综合演练、检验性演练）",
        "plan_title": "云溪县青石化工有限公司生产安全事故综合应急预案",
        "participants": 46,
        "evaluators": "刘洋（县应急管理局）、周敏（化工专家）",
        "summary": "本次演练依据公司综合应急预案，检验了泄漏处置和人员救护环节，参演46人。",
        "items": [
            {"category": "预警与信息报告", "title": "发现险情后报告及时，信息内容准确完整", "max_score": 10,
             "score": 9, "remark": "报告及时、内容完整"},
            {"category": "指挥与协调", "title": "总指挥指挥有序，各小组协同配合", "max_score": 15, "score": 11,
             "remark": "警戒组到位偏慢"},
            {"category": "现场处置", "title": "处置措施符合预案和操作规程", "max_score": 15, "score": 14,
             "remark": "关阀堵漏规范"},
        ],
        "total": 34,
        "max_total": 40,
        "grade": "良好",
        "plan_assessment": "预案响应程序清楚、职责明确，总体可行；警戒组集结点设置需调整。",
        "problems": [
            {"description": "警戒组到位时间偏长", "measure": "调整警戒组集结点", "owner": "安全环保部",
             "deadline": "2026-11-30", "status": "整改中"},
            {"description": "空气呼吸器佩戴不熟练", "measure": "每月组织一次佩戴训练", "owner": "生产部",
             "deadline": "2026-12-31", "status": "待整改"},
        ],
        "conclusion": "演练达到预期目的，预案总体可行，需按上表完成整改。",
        "suggestions": "修订预案中警戒疏散组的集结点和到位时限。",
        "issuer": "云溪县应急管理局",
        "date": date(2026, 10, 20),
        "seal": Seal.sample(),
    },
)

_kind(
    "signin_sheet", "培训签到表", "signin_sheet.docx",
    (
        Field("session_title", "培训班名称"),
        Field("course", "培训项目"),
        Field("date", "日期", "date"),
        Field("location", "地点"),
        Field("organizer", "主办单位"),
        Field("trainees", "学员", "rows", columns=("no", "name", "organization", "post", "phone")),
    ),
    sample={
        "session_title": "2026年第四期主要负责人安全生产培训班",
        "course": "危险化学品生产经营单位主要负责人安全生产知识和管理能力培训",
        "date": date(2026, 12, 8),
        "location": "云溪县应急管理局培训中心三楼报告厅",
        "organizer": "云溪县应急管理局",
        "trainees": [
            {"no": i + 1, "name": name, "organization": org, "post": "主要负责人", "phone": phone}
            for i, (name, org, phone) in enumerate([
                ("张建国", "云溪县青石化工有限公司", "139****1234"),
                ("李强", "城关顺达危化品运输有限公司", "137****5678"),
                ("王芳", "双溪恒福化工有限公司", "150****2468"),
            ])
        ],
    },
)

_kind(
    "quiz_poster", "答题二维码海报", "quiz_poster.docx",
    (
        Field("kind_label", "活动类型"),
        Field("title", "活动名称"),
        Field("description", "说明", required=False),
        Field("period", "答题时间", required=False),
        Field("join_url", "参与网址"),
        Field("qr", "参与二维码", "image"),
        Field("organizer", "主办单位"),
    ),
    sample={
        "kind_label": "知识竞赛",
        "title": "2026年云溪县全民应急知识网络竞赛",
        "description": "以《安全生产法》和应急避险常识为主，每人一次机会，限时 20 分钟。",
        "period": "2026年11月22日至12月12日",
        "join_url": "https://yjj.example.gov.cn/q/k7m2xp",
        "qr": QRCode("https://yjj.example.gov.cn/q/k7m2xp", size_mm=110),
        "organizer": "云溪县应急管理局",
    },
)

_kind(
    "plan_review", "应急预案评审意见", "plan_review.docx",
    (
        Field("plan_title", "预案名称"),
        Field("organization", "编制单位"),
        Field("held_on", "评审日期", "date"),
        Field("form", "评审形式"),  # 评审, or 论证 for units that may self-evaluate (2019 办法 art. 21)
        Field("experts", "评审专家", "rows", columns=("name", "title", "unit")),
        Field("opinions", "评审意见", "list"),  # one paragraph per item
        Field("conclusion", "评审结论"),  # 通过 / 修改后通过 / 不通过
        Field("version", "评审版本"),
        Field("seal", "印章", "image", required=False),
    ),
    sample={
        "plan_title": "云溪县青石化工有限公司生产安全事故综合应急预案",
        "organization": "云溪县青石化工有限公司",
        "held_on": date(2026, 11, 20),
        "form": "评审",
        "experts": [
            {"name": "周敏", "title": "高级工程师", "unit": "市安全生产协会"},
            {"name": "刘洋", "title": "注册安全工程师", "unit": "云溪县应急管理局"},
            {"name": "陈立", "title": "教授级高级工程师", "unit": "省化工研究院"},
        ],
        "opinions": [
            "预案编制依据充分，应急组织机构及职责明确，响应分级与企业实际相符。",
            "建议补充甲醇储罐泄漏的现场处置措施，完善应急物资装备清单。",
        ],
        "conclusion": "修改后通过",
        "version": "第3版",
        "seal": Seal.sample(),
    },
)

# 备案登记表: 《生产安全事故应急预案管理办法》 art. 26–28 (DOMAIN.md §1); government plans use the
# same form under 《突发事件应急预案管理办法》 art. 26, titled 应急预案备案登记表.
PLAN_FILING_MATERIALS = ("应急预案备案申请表", "应急预案评审意见", "应急预案文本及电子文档", "风险评估结果",
                         "应急资源调查清单")

_kind(
    "plan_filing", "应急预案备案登记表", "plan_filing.docx",
    (
        Field("form_title", "表名"),  # 生产经营单位生产安全事故应急预案备案登记表 / 应急预案备案登记表
        Field("plan_title", "预案名称"),
        Field("organization", "单位名称"),
        Field("credit_code", "统一社会信用代码", required=False),
        Field("kind_label", "预案类型"),
        Field("hazard", "突发事件类别"),
        Field("responsible_person", "责任人"),
        Field("phone", "联系电话"),  # masked
        Field("issued_on", "发布日期", "date"),
        Field("filing_number", "备案编号"),
        Field("filed_on", "备案日期", "date"),
        Field("materials", "备案材料", "list"),
        Field("signer", "备案部门"),
        Field("seal", "印章", "image", required=False),
    ),
    sample={
        "form_title": "生产经营单位生产安全事故应急预案备案登记表",
        "plan_title": "云溪县青石化工有限公司生产安全事故综合应急预案",
        "organization": "云溪县青石化工有限公司",
        "credit_code": "91331102MA2A0B1C2D",
        "kind_label": "综合应急预案",
        "hazard": "事故灾难（危险化学品事故）",
        "responsible_person": "张建国",
        "phone": "139****1234",
        "issued_on": date(2026, 11, 22),
        "filing_number": "云应急预备〔2026〕015号",
        "filed_on": date(2026, 12, 4),
        "materials": list(PLAN_FILING_MATERIALS),
        "signer": "云溪县应急管理局",
        "seal": Seal.sample(),
    },
)

# 宣传活动总结: a five-into campaign's summary (DOMAIN.md §6) — what was done, where, how far the
# targets were met, with photos; signed by the bureau. The coverage table has a column per venue
# type (venue types are data): its header and cells are lists, looped over with {%tc %}.
_kind(
    "outreach_summary", "宣传活动总结", "outreach_summary.docx",
    (
        Field("title", "标题"),
        Field("campaign", "活动名称"),
        Field("period", "活动时间"),
        Field("theme", "活动主题", required=False),
        Field("summary", "总体情况", "list"),  # one paragraph per item
        Field("by_type", "分类开展情况", "rows", columns=("venue", "events", "audience", "places", "rate")),
        Field("coverage_headers", "覆盖情况表头", "list"),  # 乡镇（街道）, 进企业, 进农村 …
        Field("coverage", "分乡镇覆盖情况", "rows", columns=("cells",)),  # cells: the town, then one per type
        Field("coverage_total", "全县合计", "list", required=False),
        Field("targets", "目标完成情况", "rows", required=False,
              columns=("where", "venue", "target", "reached", "progress", "status")),
        Field("materials", "宣传资料发放", "rows", required=False, columns=("kind", "quantity")),
        Field("materials_total", "宣传资料合计", "number", required=False),
        Field("photos", "活动照片", "rows", required=False, columns=("image", "caption")),
        Field("issuer", "落款单位"),
        Field("date", "落款日期", "date"),
        Field("seal", "印章", "image", required=False),
    ),
    sample={
        "title": "2026年“安全生产月”宣传活动总结",
        "campaign": "2026年“安全生产月”宣传活动",
        "period": "2026年6月1日至6月30日",
        "theme": "人人讲安全、个个会应急——畅通生命通道",
        "summary": [
            "活动期间（2026年6月1日至6月30日），共组织开展安全宣传“五进”活动 186 场，受众 14,350 人次，"
            "发放各类宣传资料和物品 9,600 余份，覆盖 42 家企业、35 个行政村、8 个社区、16 所学校，入户宣传 620 户。",
            "按宣传场所分，进企业 48 场、进农村 62 场、进社区 21 场、进学校 19 场、进家庭 36 场。",
            "共有 3 个乡镇（街道）开展了活动，其中城关镇开展最多（82 场）。",
            "本次活动设定目标 6 项，已完成 5 项，未完成：青石镇进农村（完成 9个，目标 12个）。",
        ],
        "by_type": [
            {"venue": "进企业", "events": "48", "audience": "3,120", "places": "42", "rate": "35.0%"},
            {"venue": "进农村", "events": "62", "audience": "5,480", "places": "35", "rate": "58.3%"},
            {"venue": "进社区", "events": "21", "audience": "2,300", "places": "8", "rate": "80.0%"},
            {"venue": "进学校", "events": "19", "audience": "2,650", "places": "16", "rate": "64.0%"},
            {"venue": "进家庭", "events": "36", "audience": "800", "places": "620户", "rate": "—"},
        ],
        "coverage_headers": ["乡镇（街道）", "进企业", "进农村", "进社区", "进学校", "进家庭"],
        "coverage": [
            {"cells": ["城关镇", "20/46", "12/18", "6/6", "8/10", "310户"]},
            {"cells": ["青石镇", "14/40", "9/24", "1/2", "5/9", "180户"]},
            {"cells": ["双溪乡", "8/34", "14/18", "1/2", "3/6", "130户"]},
        ],
        "coverage_total": ["全县", "42/120", "35/60", "8/10", "16/25", "620户"],
        "targets": [
            {"where": "全县", "venue": "进企业", "target": "40家", "reached": "42家", "progress": "105.0%",
             "status": "已完成"},
            {"where": "全县", "venue": "进家庭", "target": "600户", "reached": "620户", "progress": "103.3%",
             "status": "已完成"},
            {"where": "青石镇", "venue": "进农村", "target": "12个", "reached": "9个", "progress": "75.0%",
             "status": "未完成"},
        ],
        "materials": [
            {"kind": "宣传单", "quantity": "5,200"},
            {"kind": "宣传册", "quantity": "2,400"},
            {"kind": "宣传品（扇子、环保袋等）", "quantity": "1,650"},
            {"kind": "应急包", "quantity": "380"},
        ],
        "materials_total": 9630,
        "photos": [
            {"image": _sample_photo((150, 190, 230), (120, 120, 110), 74), "caption": "城关镇东门社区，2026年6月16日：安全宣传咨询日"},
            {"image": _sample_photo((170, 200, 225), (100, 130, 90), 74), "caption": "青石镇上湾村，2026年6月12日"},
            {"image": _sample_photo((160, 185, 215), (110, 110, 120), 74), "caption": "双溪乡中心小学，2026年6月8日"},
        ],
        "issuer": "云溪县应急管理局",
        "date": date(2026, 7, 6),
        "seal": Seal.sample(),
    },
)


def _sample_chart(series: list[list[int]], width_mm: float = 150) -> Picture:
    """Plain bars (no text) standing in for a chart of the annual summary in previews; the real
    ones are drawn by dashboard.chart_images."""
    width, height, colours = 1000, 420, ((31, 78, 121), (224, 123, 0), (106, 153, 78))
    image = PILImage.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.line((60, 20, 60, 380, 980, 380), fill=(60, 60, 60), width=2)
    top = max(max(values) for values in series) or 1
    slot = 900 / len(series[0])
    bar = slot * 0.8 / len(series)
    for index, values in enumerate(series):
        for position, value in enumerate(values):
            left = 70 + position * slot + index * bar
            draw.rectangle((left, 380 - value / top * 340, left + bar - 2, 380), fill=colours[index % len(colours)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return Picture(out.getvalue(), width_mm=width_mm, what="统计图")


# 年度应急管理工作数据汇总: a year's figures of the county or of one town (webapp/dashboard/summary.py),
# like the data annex of a bureau's annual report — a sentence and a table per line of work, each
# against the year before (同比), charts as pictures placed with their section, and how each figure
# is counted. Tables by town are for the county's summary only (drill_towns, outreach_towns).
_kind(
    "annual_summary", "年度应急管理工作数据汇总", "annual_summary.docx",
    (
        Field("title", "标题"),  # 2025年应急管理工作数据汇总 / 城关镇2025年应急管理工作数据汇总
        Field("year", "年度", "number"),  # the tables' column headers: 2025年, 2024年
        Field("period", "统计期间"),  # 2025年全年 / 2026年1月1日至12月1日
        Field("scope", "统计范围"),  # 全县 / 城关镇
        Field("plans", "应急预案情况", "list"),  # one paragraph per item
        Field("plan_rows", "应急预案统计表", "rows", columns=("label", "value", "previous", "change")),
        Field("drills", "应急演练情况", "list"),
        Field("drill_forms", "演练分形式统计表", "rows", columns=("label", "drills", "participants", "previous", "change")),
        Field("drill_towns", "演练分乡镇统计表", "rows", required=False,
              columns=("label", "drills", "participants", "previous", "change")),
        Field("outreach", "安全宣传情况", "list"),
        Field("outreach_types", "宣传分场所统计表", "rows",
              columns=("label", "events", "audience", "places", "materials", "previous", "change")),
        Field("outreach_towns", "宣传分乡镇统计表", "rows", required=False,
              columns=("label", "events", "audience", "places", "materials", "previous", "change")),
        Field("training", "三项岗位人员培训情况", "list"),
        Field("training_rows", "培训分岗位统计表", "rows",
              columns=("label", "trained", "previous_trained", "certified", "previous_certified")),
        Field("quiz", "知识竞赛情况", "list"),
        Field("quiz_rows", "知识竞赛统计表", "rows", columns=("label", "value", "previous", "change")),
        # section: the one it follows (outreach, training); caption: 图1　各月应急演练与安全宣传活动
        Field("charts", "统计图", "rows", required=False, columns=("section", "image", "caption")),
        Field("notes", "数据说明", "list"),
        Field("issuer", "落款单位"),
        Field("date", "落款日期", "date"),
    ),
    sample={
        "title": "2025年应急管理工作数据汇总",
        "year": 2025,
        "period": "2025年全年",
        "scope": "全县",
        "plans": [
            "2025年全年发布应急预案 86 部，备案 74 部；因评审、演练或评估提出修订 19 部，完成修订 15 部。",
            "发布预案数较上年（79 部）增加 7 部（+8.9%），备案预案数较上年（70 部）增加 4 部（+5.7%）。",
        ],
        "plan_rows": [
            {"label": "发布预案（部）", "value": "86", "previous": "79", "change": "+7（+8.9%）"},
            {"label": "备案预案（部）", "value": "74", "previous": "70", "change": "+4（+5.7%）"},
            {"label": "提出修订（部）", "value": "19", "previous": "22", "change": "-3（-13.6%）"},
            {"label": "完成修订（部）", "value": "15", "previous": "15", "change": "持平"},
        ],
        "drills": [
            "2025年全年组织 12 个行业类型的应急演练 782 次，参演 41,360 人次，其中实战演练 486 次、桌面演练 296 次。",
            "演练次数较上年（705 次）增加 77 次（+10.9%），参演人次较上年（38,020 人次）增加 3,340 人次（+8.8%）。",
        ],
        "drill_forms": [
            {"label": "合计", "drills": "782", "participants": "41,360", "previous": "705", "change": "+77（+10.9%）"},
            {"label": "桌面演练", "drills": "296", "participants": "6,120", "previous": "262", "change": "+34（+13.0%）"},
            {"label": "实战演练", "drills": "486", "participants": "35,240", "previous": "443", "change": "+43（+9.7%）"},
            {"label": "单项演练", "drills": "530", "participants": "22,180", "previous": "497", "change": "+33（+6.6%）"},
            {"label": "综合演练", "drills": "252", "participants": "19,180", "previous": "208", "change": "+44（+21.2%）"},
        ],
        "drill_towns": [
            {"label": "城关镇", "drills": "312", "participants": "16,800", "previous": "287", "change": "+25（+8.7%）"},
            {"label": "青石镇", "drills": "254", "participants": "13,420", "previous": "231", "change": "+23（+10.0%）"},
            {"label": "双溪乡", "drills": "198", "participants": "10,540", "previous": "170", "change": "+28（+16.5%）"},
            {"label": "县本级", "drills": "18", "participants": "600", "previous": "17", "change": "+1（+5.9%）"},
            {"label": "合计", "drills": "782", "participants": "41,360", "previous": "705", "change": "+77（+10.9%）"},
        ],
        "outreach": [
            "2025年全年开展安全宣传“五进”活动 956 场，受众 71,200 人次，发放各类宣传资料和物品 52,000 余份，"
            "覆盖 118 家企业、64 个行政村、12 个社区、31 所学校，入户宣传 2,140 户。",
            "活动场次较上年（880 场）增加 76 场（+8.6%），受众人次较上年（66,500 人次）增加 4,700 人次（+7.1%）。",
        ],
        "outreach_types": [
            {"label": "进企业", "events": "268", "audience": "18,400", "places": "118", "materials": "14,200",
             "previous": "241", "change": "+27（+11.2%）"},
            {"label": "进农村", "events": "302", "audience": "24,600", "places": "64", "materials": "17,900",
             "previous": "288", "change": "+14（+4.9%）"},
            {"label": "进社区", "events": "121", "audience": "10,300", "places": "12", "materials": "7,400",
             "previous": "110", "change": "+11（+10.0%）"},
            {"label": "进学校", "events": "96", "audience": "12,800", "places": "31", "materials": "6,100",
             "previous": "90", "change": "+6（+6.7%）"},
            {"label": "进家庭", "events": "169", "audience": "5,100", "places": "2,140户", "materials": "6,600",
             "previous": "151", "change": "+18（+11.9%）"},
            {"label": "合计", "events": "956", "audience": "71,200", "places": "—", "materials": "52,200",
             "previous": "880", "change": "+76（+8.6%）"},
        ],
        "outreach_towns": [
            {"label": "城关镇", "places": "96", "events": "401", "audience": "30,100", "materials": "22,300", "previous": "372",
             "change": "+29（+7.8%）"},
            {"label": "青石镇", "places": "71", "events": "318", "audience": "23,500", "materials": "17,100", "previous": "290",
             "change": "+28（+9.7%）"},
            {"label": "双溪乡", "places": "58", "events": "237", "audience": "17,600", "materials": "12,800", "previous": "218",
             "change": "+19（+8.7%）"},
            {"label": "合计", "places": "225", "events": "956", "audience": "71,200", "materials": "52,200",
             "previous": "880", "change": "+76（+8.6%）"},
        ],
        "training": [
            "2025年全年培训三项岗位人员 2,486 人次，取证 2,210 人，其中主要负责人参训 640 人次、取证 598 人，"
            "安全生产管理人员参训 1,052 人次、取证 931 人，特种作业人员参训 794 人次、取证 681 人。",
            "参训人次较上年（2,301 人次）增加 185 人次（+8.0%），取证人数较上年（2,050 人）增加 160 人（+7.8%）。",
        ],
        "training_rows": [
            {"label": "主要负责人", "trained": "640", "previous_trained": "602", "certified": "598",
             "previous_certified": "560"},
            {"label": "安全生产管理人员", "trained": "1,052", "previous_trained": "968", "certified": "931",
             "previous_certified": "866"},
            {"label": "特种作业人员", "trained": "794", "previous_trained": "731", "certified": "681",
             "previous_certified": "624"},
            {"label": "合计", "trained": "2,486", "previous_trained": "2,301", "certified": "2,210",
             "previous_certified": "2,050"},
        ],
        "quiz": [
            "2025年全年组织网上知识竞赛 6 场，参赛 18,420 人次；举办现场知识竞赛 2 场，参赛队伍 24 支。",
            "网上竞赛参赛人次较上年（15,900 人次）增加 2,520 人次（+15.8%），现场竞赛场次与上年持平（2 场）。",
        ],
        "quiz_rows": [
            {"label": "网上知识竞赛（场）", "value": "6", "previous": "5", "change": "+1（+20.0%）"},
            {"label": "网上竞赛参赛（人次）", "value": "18,420", "previous": "15,900", "change": "+2,520（+15.8%）"},
            {"label": "现场知识竞赛（场）", "value": "2", "previous": "2", "change": "持平"},
            {"label": "现场竞赛参赛队伍（支）", "value": "24", "previous": "20", "change": "+4（+20.0%）"},
        ],
        "charts": [
            {"section": "outreach", "caption": "图1　各月应急演练与安全宣传活动",
             "image": _sample_chart([[48, 52, 61, 70, 88, 74, 55, 49, 63, 90, 84, 48],
                                     [40, 31, 66, 75, 92, 180, 58, 50, 61, 70, 160, 73]])},
            {"section": "training", "caption": "图2　各行业应急演练与培训",
             "image": _sample_chart([[110, 96, 64, 52, 40, 31], [240, 400, 260, 610, 150, 220]])},
        ],
        "notes": [
            "本汇总统计2025年全年的数据；“上年”“同比”指与2024年全年相比。",
            "应急演练：只统计已实施的演练（状态为实施、评估或已总结），计划和准备中的演练不计；参演人数按人次累计。",
            "三项岗位人员培训：取证人数按当年发放的培训合格证明计，含其后被撤销的证明。",
        ],
        "issuer": "云溪县应急管理局",
        "date": date(2026, 1, 15),
    },
)
