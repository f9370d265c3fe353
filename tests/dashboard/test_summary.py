"""The annual summary (年度应急管理工作数据汇总) downloaded as a leader and opened with python-docx as a
reader would read it: the title and period, each section's sentence with the year's numbers and the
comparison with last year's rows, the tables, the charts as PNG pictures, the town variant with
only that town's numbers; a wrong year, town or format refused in Chinese; the PDF."""

import io
import os
import secrets
from datetime import date, datetime
from urllib.parse import quote

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from PIL import Image
from sqlalchemy import func, select

from tests.conftest import page_text
from tests.drills.conftest import drill_values
from tests.outreach.conftest import make_event, places  # noqa: F401  (fixtures)
from tests.quiz.conftest import bank, make_quiz  # noqa: F401
from tests.training.conftest import course, exam_bank, make_session  # noqa: F401
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.documents import pdf
from webapp.documents.models import GeneratedDocument
from webapp.drills import services as drill_services
from webapp.extensions import db
from webapp.plans import services as plan_services
from webapp.plans.models import PlanKind, PlanStatus, StatusChange
from webapp.quiz.contest_models import Contest, ContestTeam
from webapp.quiz.models import Attempt, AttemptStatus
from webapp.registry.models import OrgKind
from webapp.training import certificates
from webapp.training import services as training_services

Y = local_today().year - 1  # a whole year gone by
P = Y - 1  # the year before it: 同比


# --- reading the document ---------------------------------------------------------------------

def lines(doc) -> list[str]:
    return ["".join(p.xpath(".//w:t/text()")) for p in doc.element.body.iter(qn("w:p"))]


def table_rows(table) -> list[list[str]]:
    return [["".join(tc.xpath(".//w:t/text()")) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]


def table_after(doc, title: str) -> list[list[str]]:
    """The rows of the table that follows the paragraph `title` (the table's own title)."""
    body = list(doc.element.body)
    for index, element in enumerate(body):
        if element.tag == qn("w:p") and "".join(element.xpath(".//w:t/text()")) == title:
            following = next(e for e in body[index + 1:] if e.tag == qn("w:tbl"))
            return table_rows(next(t for t in doc.tables if t._tbl is following))
    raise AssertionError(f"no table titled {title}")


def download(client, **args):
    response = client.get("/dashboard/summary", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def opened(response) -> Document:
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Document(io.BytesIO(response.data))


def documents() -> int:
    return db.session.scalar(select(func.count()).select_from(GeneratedDocument))


# --- a small county with a known year ---------------------------------------------------------

def drill(org, held_on, participants, form_org="field", form_content="single", **values):
    drill_services.save_drill(None, drill_values(org, held_on=held_on, participants=participants, form_org=form_org,
                                                 form_content=form_content, **values), [])


def plan(owner, title, kind=PlanKind.ENT_COMPREHENSIVE, **dates):
    made = plan_services.create_plan({"title": title, "organization_id": owner.id, "kind": kind.value,
                                      "hazard": "accident", "hazard_subtype": "危险化学品事故",
                                      "response_levels": "Ⅰ级、Ⅱ级", "responsible_person": "张建国"})
    for name, value in dates.items():
        setattr(made, name, value)
    return made


def attempt(quiz, who: str, town, at: datetime, number: int = 1):
    db.session.add(Attempt(quiz_id=quiz.id, token=secrets.token_hex(16), identity_key=f"phone:{who}", number=number,
                           name=who, status=AttemptStatus.SUBMITTED.value, town_id=town.id, started_at=at,
                           submitted_at=at))


@pytest.fixture
def county(places, make_event, make_session, make_quiz, factory):  # noqa: F811
    """东镇 (its village 新村 and chemical plant) and 西镇 (its village and a machine shop), with Y's
    drills, events, a training class, a competition and plans, and a little of year P."""
    east, west, plant, village = places["east"], places["west"], places["ent"], places["v1"]
    shop = factory.org("西镇机械厂", OrgKind.ENTERPRISE, places["v2"])  # 工贸

    drill(plant, date(Y, 3, 10), 40)
    drill(plant, date(Y, 6, 5), 12, form_org="tabletop", form_content="comprehensive", title="东镇化工桌面推演")
    drill(shop, date(Y, 9, 20), 30, form_content="comprehensive", title="西镇机械厂综合演练")
    drill(plant, None, 99, status="planned", planned_on=date(Y, 11, 1), title="只在计划中的演练")  # not held
    drill(plant, date(P, 5, 1), 25, title="上一年的演练")

    make_event(held_on=date(Y, 2, 10), audience=120, materials=[{"kind": "宣传单", "quantity": 800}])  # 东镇新村
    make_event(held_on=date(Y, 4, 15), audience=80, materials=[{"kind": "宣传单", "quantity": 450},
                                                                {"kind": "应急包", "quantity": 20}])
    make_event(place=plant, key="enterprise", held_on=date(Y, 3, 1), audience=60,
               materials=[{"kind": "宣传册", "quantity": 150}])
    make_event(place=places["v2"], held_on=date(Y, 5, 20), audience=70)  # 西镇
    make_event(key="family", held_on=date(Y, 6, 18), audience=90, households=60)
    make_event(held_on=date(P, 2, 10), audience=50)

    march = make_session(trainees=3, org=plant, start=date(Y, 3, 3), title="三月班")
    make_session(trainees=1, org=shop, start=date(Y, 7, 7), title="七月班")
    earlier = make_session(trainees=2, org=plant, start=date(P, 4, 1), title="上年班")
    for enrollment, day in [*zip(training_services.enrollments(march)[:2], (date(Y, 3, 10),) * 2, strict=True),
                            (training_services.enrollments(earlier)[0], date(P, 4, 10))]:
        enrollment.exam_score, enrollment.exam_passed = 90, True
        certificates.issue(enrollment, today=day, hours=48)

    competition = make_quiz(title=f"{Y}年全民应急知识网络竞赛")
    attempt(competition, "13800000001", east, datetime(Y, 5, 1, 2, 0))
    attempt(competition, "13800000001", east, datetime(Y, 5, 2, 2, 0), number=2)  # a second try counts again
    attempt(competition, "13800000002", west, datetime(Y, 5, 3, 2, 0))
    attempt(make_quiz(title=f"{P}年竞赛"), "13800000003", east, datetime(P, 5, 1, 2, 0))
    contest = Contest(title=f"{Y}年应急知识现场竞赛", date=date(Y, 10, 1))
    db.session.add(contest)
    db.session.flush()
    db.session.add_all([ContestTeam(contest_id=contest.id, name="东镇化工队", organization_id=plant.id, position=1),
                        ContestTeam(contest_id=contest.id, name="西镇机械队", organization_id=shop.id, position=2)])

    filed = PlanStatus.FILED.value
    a = plan(plant, "东镇化工有限公司生产安全事故综合应急预案", issued_on=date(Y, 2, 1), filed_on=date(Y, 2, 20),
             status=filed)
    plan(shop, "西镇机械厂生产安全事故综合应急预案", issued_on=date(Y, 5, 1), status=PlanStatus.PUBLISHED.value)
    plan(plant, "东镇化工有限公司液氨泄漏专项应急预案", PlanKind.ENT_SPECIAL, issued_on=date(P, 6, 1),
         filed_on=date(P, 6, 15), status=filed)
    db.session.add(StatusChange(plan_id=a.id, from_status=filed, to_status=PlanStatus.NEEDS_REVISION.value,
                                created_at=datetime(Y, 8, 1, 2, 0)))
    db.session.commit()
    return places | {"shop": shop, "village": village}


# --- the county's summary ---------------------------------------------------------------------

def test_the_county_summary_reads_like_the_years_report(client, login, county):
    login(Role.LEADER)
    response = download(client, year=Y)
    name = f"{Y}年应急管理工作数据汇总"
    assert quote(f"{name}.docx") in response.headers["Content-Disposition"]
    doc = opened(response)
    text = lines(doc)
    assert text[0] == name and text[1] == f"（{Y}年全年）"
    assert f"现将全县{Y}年全年应急预案、应急演练、安全宣传“五进”、三项岗位人员培训和知识竞赛工作的主要数据汇总如下。" in text
    headings = ["一、应急预案", "二、应急演练", "三、安全宣传“五进”", "四、三项岗位人员培训", "五、知识竞赛", "六、数据说明"]
    assert [t for t in text if t in headings] == headings

    # 一、应急预案: issued and filed by their dates, the plan returned for revision
    assert f"{Y}年全年发布应急预案 2 部，备案 1 部；因评审、演练或评估提出修订 1 部，完成修订 0 部。" in text
    assert "发布预案数较上年（1 部）增加 1 部（+100.0%），备案预案数与上年持平（1 部）。" in text
    assert table_after(doc, "应急预案发布、备案和修订情况") == [
        ["项目", f"{Y}年", f"{P}年", "同比"],
        ["发布预案（部）", "2", "1", "+1（+100.0%）"], ["备案预案（部）", "1", "1", "持平"],
        ["提出修订（部）", "1", "0", "—"], ["完成修订（部）", "0", "0", "—"]]

    # 二、应急演练: held drills only (not the one planned), against last year's one
    assert f"{Y}年全年组织 2 个行业类型的应急演练 3 次，参演 82 人次，其中实战演练 2 次、桌面演练 1 次。" in text
    assert "演练次数较上年（1 次）增加 2 次（+200.0%），参演人次较上年（25 人次）增加 57 人次（+228.0%）。" in text
    assert table_after(doc, "应急演练分形式情况") == [
        ["演练形式", "演练次数", "参演人次", f"{P}年演练次数", "同比"],
        ["合计", "3", "82", "1", "+2（+200.0%）"], ["桌面演练", "1", "12", "0", "—"],
        ["实战演练", "2", "70", "1", "+1（+100.0%）"], ["单项演练", "1", "40", "1", "持平"],
        ["综合演练", "2", "42", "0", "—"]]
    assert table_after(doc, "应急演练分乡镇（街道）情况")[1:] == [
        ["东镇", "2", "52", "1", "+1（+100.0%）"], ["西镇", "1", "30", "0", "—"], ["合计", "3", "82", "1", "+2（+200.0%）"]]

    # 三、安全宣传“五进”: events, audience (人次), distinct places, households, materials
    assert (f"{Y}年全年开展安全宣传“五进”活动 5 场，受众 420 人次，发放各类宣传资料和物品 1,400 余份，"
            "覆盖 1 家企业、2 个行政村，入户宣传 60 户。") in text
    assert "活动场次较上年（1 场）增加 4 场（+400.0%），受众人次较上年（50 人次）增加 370 人次（+740.0%）。" in text
    by_type = table_after(doc, "安全宣传“五进”分场所情况")
    assert by_type[0] == ["宣传场所", "活动场次", "受众人次", "覆盖地点", "发放资料（份）", f"{P}年场次", "同比"]
    rows = {r[0]: r[1:] for r in by_type[1:]}
    assert rows["进企业"] == ["1", "60", "1", "150", "0", "—"]
    assert rows["进农村"] == ["3", "270", "2", "1,270", "1", "+2（+200.0%）"]
    assert rows["进家庭"] == ["1", "90", "60户", "0", "0", "—"]
    assert rows["进学校"] == ["0", "0", "0", "0", "0", "—"]
    assert by_type[-1] == ["合计", "5", "420", "—", "1,420", "1", "+4（+400.0%）"]
    assert table_after(doc, "安全宣传“五进”分乡镇（街道）情况")[1:] == [
        ["东镇", "4", "350", "2", "1,420", "1", "+3（+300.0%）"], ["西镇", "1", "70", "1", "0", "0", "—"],
        ["合计", "5", "420", "3", "1,420", "1", "+4（+400.0%）"]]

    # 四、三项岗位人员培训: enrolled trainees (人次) and certificates issued, per post
    assert f"{Y}年全年培训三项岗位人员 4 人次，取证 2 人，其中主要负责人参训 4 人次、取证 2 人。" in text
    assert "参训人次较上年（2 人次）增加 2 人次（+100.0%），取证人数较上年（1 人）增加 1 人（+100.0%）。" in text
    assert table_after(doc, "三项岗位人员分岗位培训和取证情况") == [
        ["岗位类别", "参训（人次）", "取证（人）"], ["", f"{Y}年", f"{P}年", f"{Y}年", f"{P}年"],  # 岗位类别 spans both
        ["主要负责人", "4", "2", "2", "1"], ["安全生产管理人员", "0", "0", "0", "0"],
        ["特种作业人员", "0", "0", "0", "0"], ["合计", "4", "2", "2", "1"]]

    # 五、知识竞赛: submitted attempts (a second try counts), the on-site contest and its teams
    assert f"{Y}年全年组织网上知识竞赛 1 场，参赛 3 人次；举办现场知识竞赛 1 场，参赛队伍 2 支。" in text
    assert "网上竞赛参赛人次较上年（1 人次）增加 2 人次（+200.0%），现场竞赛场次上年无记录，无法比较。" in text
    assert table_after(doc, "知识竞赛情况")[1:] == [
        ["网上知识竞赛（场）", "1", "1", "持平"], ["网上竞赛参赛（人次）", "3", "1", "+2（+200.0%）"],
        ["现场知识竞赛（场）", "1", "0", "—"], ["现场竞赛参赛队伍（支）", "2", "0", "—"]]

    # 六、数据说明 and the bureau's name with the date at the end
    notes = text[text.index("六、数据说明") + 1:]
    assert notes[0] == f"1. 本汇总统计{Y}年全年的数据；“上年”“同比”指与{P}年全年相比。"
    assert any("只统计已实施的演练" in n for n in notes) and any("含其后被撤销的证明" in n for n in notes)
    assert any("同一地点多次开展只计一次" in n for n in notes)
    today = local_today()
    assert [t for t in text if t][-2:] == ["示范县应急管理局", f"{today.year}年{today.month}月{today.day}日"]

    # the charts, each after its section with a caption: by month, by town, by industry
    captions = [t for t in text if t.startswith("图")]
    assert captions == ["图1　各月应急演练与安全宣传活动", "图2　各乡镇（街道）演练、宣传与培训", "图3　各行业应急演练与培训"]
    assert text.index(captions[0]) < text.index("四、三项岗位人员培训") < text.index(captions[1]) < text.index("五、知识竞赛")
    assert_charts(doc, 3)
    assert documents() == 1  # kept among the generated documents


def assert_charts(doc, count: int):
    """Pictures 150 mm wide on the page, PNGs of about 1,000 pixels across (170 dpi)."""
    assert len(doc.inline_shapes) == count
    for shape in doc.inline_shapes:
        assert abs(shape.width - Mm(150)) < Mm(0.5) and Mm(45) < shape.height < Mm(160)
        blob = doc.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
        assert blob.startswith(b"\x89PNG")
        with Image.open(io.BytesIO(blob)) as image:
            assert 950 < image.width < 1050 and 300 < image.height < 1100


# --- one town ---------------------------------------------------------------------------------

def test_a_towns_summary_shows_only_that_towns_numbers(client, login, county):
    login(Role.LEADER)
    east = county["east"]
    response = download(client, year=Y, town=east.id)
    assert quote(f"东镇{Y}年应急管理工作数据汇总.docx") in response.headers["Content-Disposition"]
    doc = opened(response)
    text = lines(doc)
    assert text[0] == f"东镇{Y}年应急管理工作数据汇总"
    assert f"现将东镇{Y}年全年应急预案、应急演练、安全宣传“五进”、三项岗位人员培训和知识竞赛工作的主要数据汇总如下。" in text
    assert f"东镇{Y}年全年发布应急预案 1 部，备案 1 部；因评审、演练或评估提出修订 1 部，完成修订 0 部。" in text
    assert f"东镇{Y}年全年组织 1 个行业类型的应急演练 2 次，参演 52 人次，其中实战演练 1 次、桌面演练 1 次。" in text
    assert "演练次数较上年（1 次）增加 1 次（+100.0%），参演人次较上年（25 人次）增加 27 人次（+108.0%）。" in text
    assert f"东镇{Y}年全年开展安全宣传“五进”活动 4 场，受众 350 人次" in "".join(text)
    assert f"东镇{Y}年全年培训三项岗位人员 3 人次，取证 2 人，其中主要负责人参训 3 人次、取证 2 人。" in text
    assert f"东镇{Y}年全年组织网上知识竞赛 1 场，参赛 2 人次；举办现场知识竞赛 1 场，参赛队伍 1 支。" in text
    assert table_after(doc, "应急演练分形式情况")[1] == ["合计", "2", "52", "1", "+1（+100.0%）"]
    assert table_after(doc, "安全宣传“五进”分场所情况")[-1] == ["合计", "4", "350", "—", "1,420", "1", "+3（+300.0%）"]
    # no tables or chart by town in a town's own summary, and nothing of 西镇 anywhere
    titles = ("应急演练分乡镇（街道）情况", "安全宣传“五进”分乡镇（街道）情况")
    assert not any(t in text for t in titles)
    assert "西镇" not in "".join(text)
    assert any(t.startswith("2. 统计范围为东镇：") for t in text)
    assert [t for t in text if t.startswith("图")] == ["图1　各月应急演练与安全宣传活动", "图2　各行业应急演练与培训"]
    assert_charts(doc, 2)


# --- what is refused --------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    ({"year": "去年"}, "年份“去年”不正确，请选择 2000 至 2100 年之间的年份"),
    ({"year": str(local_today().year + 1)}, f"{local_today().year + 1}年还没有到"),
    ({"town": "99999"}, "所选乡镇（街道）“99999”不存在，请从列表中选择"),
    ({"format": "xls"}, "输出格式“xls”不正确，请选择 Word（docx）或 PDF"),
])
def test_a_wrong_year_town_or_format_is_refused_in_chinese(client, login, args, message):
    login(Role.LEADER)
    response = client.get("/dashboard/summary", query_string=args)
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    assert message in page_text(client.get("/dashboard"))
    assert documents() == 0


def test_a_unit_that_is_not_a_town_is_refused(client, login, county):
    login(Role.LEADER)
    client.get("/dashboard/summary", query_string={"town": county["ent"].id})
    assert f"所选乡镇（街道）“{county['ent'].id}”不存在" in page_text(client.get("/dashboard"))
    assert documents() == 0


def test_this_years_summary_is_counted_to_date_and_needs_a_login(client, login):
    assert client.get("/dashboard/summary").status_code == 302  # to the login page
    login(Role.LEADER)
    today = local_today()
    text = lines(opened(download(client)))
    assert text[:2] == [f"{today.year}年应急管理工作数据汇总", f"（{today.year}年1月1日至{today.month}月{today.day}日）"]
    assert f"{today.year}年1月1日至{today.month}月{today.day}日尚无已实施的应急演练记录。" in text
    assert not any(t.startswith("图") for t in text)  # nothing to draw
    note = next(t for t in text if t.startswith("1. 本汇总统计"))
    assert f"“上年”指{today.year - 1}年全年，本年尚未结束" in note


# --- PDF ---------------------------------------------------------------------------------------

@pytest.fixture
def soffice() -> str:
    """LibreOffice, or a skip where it is missing (a failure when CI is set: CI must run it)."""
    if not pdf.available():
        reason = "LibreOffice (soffice) not found: install Debian's libreoffice-writer-nogui to run the PDF test"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set, so the PDF tests must run)", pytrace=False)
        pytest.skip(reason)
    return pdf.soffice_path()


def test_the_summary_as_pdf(client, login, county, soffice):
    login(Role.LEADER)
    response = download(client, year=Y, format="pdf")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert quote(f"{Y}年应急管理工作数据汇总.pdf") in response.headers["Content-Disposition"]


def test_without_a_working_converter_the_pdf_is_refused_with_the_reason(app, client, login, tmp_path):
    login(Role.LEADER)
    app.config["SOFFICE_PATH"] = str(tmp_path / "no-such-soffice")
    client.get("/dashboard/summary", query_string={"format": "pdf"})
    assert "本机未安装 PDF 转换组件（LibreOffice），请下载 Word 版本" in page_text(client.get("/dashboard"))
    assert documents() == 0

    broken = tmp_path / "soffice"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    app.config["SOFFICE_PATH"] = str(broken)
    response = client.get("/dashboard/summary", query_string={"format": "pdf"})
    assert response.status_code == 302
    assert "转换失败：LibreOffice 返回错误（代码 3）；可先下载 Word 版本" in page_text(client.get("/dashboard"))
    assert documents() == 1  # the Word file was made and kept
