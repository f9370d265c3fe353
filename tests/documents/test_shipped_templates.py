"""The shipped templates (doc_templates/): each uses exactly its kind's fields, fills in with the
kind's sample into the document a user expects, and is what scripts/build_doc_templates.py builds."""

import importlib.util
import io
import zipfile
from functools import cache
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from tests.documents.word import floating_pictures
from webapp.documents import engine
from webapp.documents.filters import cn_date, mask_id
from webapp.documents.kinds import KINDS
from webapp.documents.richtext import Rich

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "doc_templates"
BUILDER = ROOT / "scripts" / "build_doc_templates.py"


def shipped(key: str) -> bytes:
    return (TEMPLATES / KINDS[key].shipped).read_bytes()


def sample(key: str, **changes) -> dict:
    data = dict(KINDS[key].sample) | changes
    if key == "plan":  # rich text arrives from the editor as HTML and is handed to the engine as Rich
        data["chapters"] = [c | {"content": Rich(c["content"]) if isinstance(c["content"], str) else c["content"]}
                            for c in data["chapters"]]
    return data


@cache
def rendered_sample(key: str) -> bytes:
    return engine.render(shipped(key), sample(key), bureau="云溪县应急管理局")


def opened(data: bytes):
    return Document(io.BytesIO(data))


def lines(doc) -> list[str]:
    """The text of every paragraph in the body, tables included, in reading order."""
    return ["".join(p.xpath(".//w:t/text()")) for p in doc.element.body.iter(qn("w:p"))]


def xml_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xml")}


def pictures(doc) -> int:
    return len(doc.element.body.xpath(".//pic:pic"))


def table_rows(table) -> list[list[str]]:
    rows = []
    for tr in table._tbl.tr_lst:
        rows.append(["".join(tc.xpath(".//w:t/text()")) for tc in tr.tc_lst])
    return rows


def table_with(doc, text: str):
    (found,) = [t for t in doc.tables if any(text in cell for row in table_rows(t) for cell in row)]
    return found


def twips(sectpr, tag: str, attr: str) -> int:
    return int(sectpr.find(qn(f"w:{tag}")).get(qn(f"w:{attr}")))


# --- every kind -------------------------------------------------------------------------------

def test_there_is_one_shipped_template_per_kind():
    assert sorted(p.name for p in TEMPLATES.glob("*.docx")) == sorted(k.shipped for k in KINDS.values())


@pytest.mark.parametrize("key", sorted(KINDS))
def test_the_template_uses_exactly_its_kinds_fields(key):
    kind = KINDS[key]
    assert engine.check_names(engine.placeholders(shipped(key)), kind.names, kind.required) == ([], [])


@pytest.mark.parametrize("key", sorted(KINDS))
def test_the_sample_fills_every_placeholder(key):
    data = rendered_sample(key)
    opened(data)  # a Word document python-docx can read
    for name, xml in xml_parts(data).items():
        for marker in ("{{", "}}", "{%", "%}", "{#"):
            assert marker not in xml, f"{name} still holds {marker}"
    # nothing of the template's own dates is left: the sample's dates are written the Chinese way
    text = "\n".join(lines(opened(data)))
    dates = [v for v in KINDS[key].sample.values() if hasattr(v, "isoformat")]
    assert len(dates) == sum(f.type == "date" for f in KINDS[key].fields if f.name in KINDS[key].sample)
    assert all(cn_date(d) in text for d in dates)
    assert all(d.isoformat() not in text for d in dates)


def test_the_build_script_output_is_up_to_date(tmp_path):
    spec = importlib.util.spec_from_file_location("build_doc_templates", BUILDER)
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    built = builder.build(tmp_path)
    assert sorted(p.name for p in built) == sorted(p.name for p in TEMPLATES.glob("*.docx"))
    for path in built:
        committed = xml_parts((TEMPLATES / path.name).read_bytes())
        fresh = xml_parts(path.read_bytes())
        assert fresh["word/document.xml"] == committed["word/document.xml"], \
            f"doc_templates/{path.name} is stale: run .venv/bin/python scripts/build_doc_templates.py"
        assert fresh == committed, f"doc_templates/{path.name}: parts differ from the build script's output"
        # the build is reproducible to the byte (fixed properties and zip timestamps)
        assert path.read_bytes() == (TEMPLATES / path.name).read_bytes()


# --- 通知（红头文件） ----------------------------------------------------------------------------

def test_notice_is_a_red_header_document_in_the_gbt_9704_layout():
    data = rendered_sample("notice")
    doc = opened(data)
    s = KINDS["notice"].sample
    text = lines(doc)

    sectpr = doc.sections[0]._sectPr
    assert (twips(sectpr, "pgSz", "w"), twips(sectpr, "pgSz", "h")) == (11906, 16838)  # A4
    assert [twips(sectpr, "pgMar", side) for side in ("top", "bottom", "left", "right")] == \
        [2098, 1984, 1587, 1474]  # 37 / 35 / 28 / 26 mm

    header = next(p for p in doc.paragraphs if p.text == "云溪县应急管理局文件")
    assert {str(run.font.color.rgb) for run in header.runs if run.text} == {"FF0000"}
    assert header.alignment == 1  # centred
    number = next(p for p in doc.paragraphs if p.text == "云应急〔2026〕12号")
    red_line = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert red_line.get(qn("w:color")) == "FF0000"
    title = next(p for p in doc.paragraphs if p.text == s["title"])
    assert title.alignment == 1
    assert title.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"

    body = [p for p in doc.paragraphs if p.text in s["body"]]
    assert [p.text for p in body] == s["body"]
    assert all(p._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200" for p in body)
    assert all(p.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312" for p in body)
    assert text.index(s["recipients"]) < text.index(s["body"][0])

    assert "附件：1. 参训人员名单" in text and "2. 培训日程安排" in text
    assert text.index("附件：1. 参训人员名单") > text.index(s["body"][-1])
    assert "云溪县应急管理局" in text and "2026年11月22日" in text  # 落款 and 成文日期
    assert "（联系人：李敏，电话：0571-88880001）" in text
    assert pictures(doc) == 1  # the seal
    assert "\u3000抄送：县安委会各成员单位。" in text
    assert "\u3000云溪县应急管理局办公室2026年11月22日印发" in text
    assert text.index("\u3000抄送：县安委会各成员单位。") > text.index("2026年11月22日")
    footers = [xml for name, xml in xml_parts(data).items() if name.startswith("word/footer")]
    assert len(footers) == 2 and all("> PAGE <" in xml for xml in footers)  # odd and even pages


def test_notice_without_the_optional_parts():
    data = engine.render(shipped("notice"), sample("notice", attachments=[], seal=None, cc="", contact=""))
    doc = opened(data)
    text = lines(doc)
    assert not any(t.startswith("附件") for t in text)
    assert not any("抄送" in t for t in text) and not any("联系人" in t for t in text)
    assert pictures(doc) == 0
    assert "\u3000云溪县应急管理局办公室2026年11月22日印发" in text
    # a single attachment is not numbered
    text = lines(opened(engine.render(shipped("notice"), sample("notice", attachments=["参训人员名单"]))))
    assert "附件：参训人员名单" in text


@pytest.mark.parametrize("key, signer, date_line", [
    ("notice", "云溪县应急管理局", "2026年11月22日"),
    ("training_certificate", "发证机关：云溪县应急管理局", "发证日期：2026年11月22日"),
    ("award_certificate", "云溪县应急管理局", "2026年11月22日"),
    ("drill_evaluation", "评估单位：云溪县应急管理局", "2026年10月20日"),
    ("outreach_summary", "云溪县应急管理局", "2026年7月6日"),
])
def test_the_seal_is_pressed_over_the_signer_and_the_date(key, signer, date_line):
    """GB/T 9704-2012 7.3.5.1: the seal presses down on the signer and the date, which sit a
    little below its centre; it floats, so the date stays right under the signer."""
    doc = opened(rendered_sample(key))
    [seal] = floating_pictures(doc)
    assert seal["in_front"] and seal["width_mm"] == 40
    paragraph = seal["paragraph"]
    before, after = paragraph.getprevious(), paragraph.getnext()
    assert "".join(before.xpath(".//w:t/text()")) == signer
    assert "".join(after.xpath(".//w:t/text()")) == date_line
    assert paragraph.pPr.jc.get(qn("w:val")) == "center" and seal["centre_h_mm"] == 0
    spacing = paragraph.pPr.find(qn("w:spacing"))
    assert spacing.get(qn("w:lineRule")) == "exact" and int(spacing.get(qn("w:line"))) <= 20  # 1 pt
    assert 0 < seal["centre_above_mm"] < 10


# --- certificates ----------------------------------------------------------------------------

def assert_landscape_a4(doc):
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    sectpr = section._sectPr
    assert (twips(sectpr, "pgSz", "w"), twips(sectpr, "pgSz", "h")) == (16838, 11906)
    assert sectpr.find(qn("w:pgBorders")) is not None  # the decorative border


def test_training_certificate():
    data = rendered_sample("training_certificate")
    doc = opened(data)
    s = KINDS["training_certificate"].sample
    assert_landscape_a4(doc)
    text = lines(doc)
    assert "培训合格证明" in text
    for label, value in [("姓\u3000\u3000名", "张建国"), ("身份证号", mask_id(s["id_number"])),
                         ("工作单位", s["organization"]), ("岗位类别", s["post"]), ("培训项目", s["course"]),
                         ("培训学时", "48学时"), ("考核成绩", "86分"), ("有效期至", "2029年11月21日")]:
        assert [label, value] in [row[:2] for row in table_rows(doc.tables[0])]
    assert mask_id(s["id_number"]) == "3311**********6613"
    assert all(s["id_number"] not in xml for xml in xml_parts(data).values())  # never the full number
    assert not any("作业类别" in t for t in text)  # no special operation in the sample
    assert "证明编号：YXAQ-2026-000123" in text
    assert "发证机关：云溪县应急管理局" in text and "发证日期：2026年11月22日" in text
    assert "扫码核验" in text and f"核验网址：{s['verify_url']}" in text
    assert pictures(doc) == 2  # QR code and seal; no photo in the sample


def test_training_certificate_for_a_special_operation_with_a_photo():
    from webapp.documents.images import Picture, sample_seal_png

    data = engine.render(shipped("training_certificate"),
                         sample("training_certificate", operation_category="高压电工作业", post="特种作业人员",
                                photo=Picture(sample_seal_png(), width_mm=25), seal=None, verify_url=""))
    doc = opened(data)
    assert ["作业类别", "高压电工作业"] in table_rows(doc.tables[0])
    assert pictures(doc) == 2  # QR code and photo
    assert not any(t.startswith("核验网址") for t in lines(doc))


def test_award_certificate():
    doc = opened(rendered_sample("award_certificate"))
    assert_landscape_a4(doc)
    text = lines(doc)
    assert "荣誉证书" in text
    assert "王芳（城关镇东门社区）：" in text
    assert "在2026年云溪县全民应急知识网络竞赛中成绩优异，荣获" in text
    assert "一等奖" in text and "成绩：98分\u3000\u3000名次：第1名" in text
    assert "证书编号：YXJS-2026-0001" in text
    assert "云溪县应急管理局" in text and "2026年11月22日" in text
    assert pictures(doc) == 2
    doc = opened(engine.render(shipped("award_certificate"),
                               sample("award_certificate", organization="", score=None, rank=None, qr=None)))
    text = lines(doc)
    assert "王芳：" in text and not any("成绩：" in t or "名次：" in t or "扫码" in t for t in text)
    assert pictures(doc) == 1


# --- 应急预案 --------------------------------------------------------------------------------

def test_plan_has_a_cover_a_real_table_of_contents_and_its_chapters():
    data = rendered_sample("plan")
    doc = opened(data)
    s = KINDS["plan"].sample
    text = lines(doc)
    for value in (s["organization"], s["title"], "（综合应急预案）", "：2026版（第3版）", "：2026年11月22日", "：张建国"):
        assert value in text

    # a TOC field Word refreshes on opening: begin / instruction / separate / cached entries / end
    body = doc.element.body
    assert [i.text for i in body.iter(qn("w:instrText"))] == [' TOC \\o "1-3" \\h \\z \\u ']
    kinds = [f.get(qn("w:fldCharType")) for f in body.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    assert 'w:updateFields w:val="true"' in xml_parts(data)["word/settings.xml"]
    chapters = ["第1章 总则", "第2章 应急组织机构及职责", "第3章 应急响应"]
    entries = [p.text for p in doc.paragraphs if p.style.name == "toc 1"]
    assert entries == [*chapters, "附件"]

    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [*chapters, "附件"]
    assert text.index("第2章 应急组织机构及职责", text.index("附件")) < text.index("公司成立应急救援指挥部，总指挥由主要负责人担任。")
    assert "本预案适用于本公司生产经营过程中发生的生产安全事故的应对工作。" in text
    assert "附件1\u3000应急救援队伍及联系方式" in text and "附件2\u3000应急物资装备清单" in text

    # the body is its own section: the plan's title in the header, page numbers from 1
    cover, main = doc.sections
    assert main.header.paragraphs[0].text == s["title"]
    assert main._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
    assert any(" PAGE " == i.text for i in main.footer._element.iter(qn("w:instrText")))
    assert not "".join(p.text for p in cover.footer.paragraphs)


def test_plan_without_approver_or_attachments():
    doc = opened(engine.render(shipped("plan"), sample("plan", approver="", attachments=[])))
    text = lines(doc)
    assert not any("批准人" in t or t.startswith("附件") for t in text)
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"][-1] == "第3章 应急响应"


# --- forms -----------------------------------------------------------------------------------

def test_drill_record():
    doc = opened(rendered_sample("drill_record"))
    s = KINDS["drill_record"].sample
    assert "应急演练记录表" in lines(doc)
    rows = table_rows(doc.tables[0])
    assert ["演练名称", s["title"]] in rows
    assert ["组织单位", s["organization"], "演练日期", "2026年10月16日"] in rows
    assert ["演练地点", s["location"], "演练时间", "09:00 开始，历时 35 分钟"] in rows
    assert ["演练形式", s["form"], "事件类别", "事故灾难（危险化学品事故）"] in rows
    assert ["总指挥", "张建国", "参演人数", "46人"] in rows
    assert ["参演单位", "云溪县青石化工有限公司、云溪县消防救援大队青石站、云溪县人民医院（共3家）"] in rows
    assert ["观摩人员", s["observers"]] in rows and ["装备物资", s["resources"]] in rows
    assert ["演练目的", s["purpose"]] in rows and ["演练情景", s["scenario"]] in rows
    assert ["时间", "事件", "处置行动"] in rows
    steps = [row for row in rows if row[0] in {step["time"] for step in s["steps"]}]
    assert steps == [[step["time"], step["event"], step["action"]] for step in s["steps"]]
    problems = [row for row in rows if row[0].isdigit()]
    assert problems == [[str(i), p] for i, p in enumerate(s["problems"], 1)]
    assert ["—", "无"] not in rows
    assert ["现场照片"] in rows and ["抢险组关阀堵漏"] in rows and ["医疗组转运伤员"] in rows
    assert pictures(doc) == 2
    assert ["记录人", "陈静", "签名", ""] in rows

    bare = sample("drill_record", problems=[], photos=[], units=None, participant_units=None, observers=None,
                  duration=None, hazard=None, resources=None, purpose=None)
    doc = opened(engine.render(shipped("drill_record"), bare))
    rows = table_rows(doc.tables[0])
    assert ["—", "无"] in rows and not [row for row in rows if row[0].isdigit()]
    assert ["现场照片"] not in rows and pictures(doc) == 0
    assert ["参演单位", ""] in rows and ["演练地点", s["location"], "演练时间", ""] in rows
    assert "None" not in "".join(lines(doc))


def test_drill_evaluation():
    doc = opened(rendered_sample("drill_evaluation"))
    s = KINDS["drill_evaluation"].sample
    text = lines(doc)
    assert "应急演练评估报告" in text and s["conclusion"] in text and s["summary"] in text
    assert s["plan_assessment"] in text and s["suggestions"] in text
    basics = table_rows(table_with(doc, "评估人员"))
    assert ["评估人员", s["evaluators"]] in basics and ["依据预案", s["plan_title"]] in basics
    assert ["演练地点", s["location"], "参演人数", "46人"] in basics
    items = table_rows(table_with(doc, "评估要素"))
    assert items == [["序号", "评估要素", "评估内容", "分值", "得分", "评语"]] + [
        [str(i), item["category"], item["title"], str(item["max_score"]), str(item["score"]), item["remark"]]
        for i, item in enumerate(s["items"], 1)] + [["合计", "40", "34", "良好"]]
    assert "评估总分 34 分（满分 40 分），评估等级：良好。" in text
    problems = table_rows(table_with(doc, "整改措施"))
    assert problems == [
        ["序号", "存在问题", "整改措施", "责任单位", "整改期限", "状态"],
        ["1", "警戒组到位时间偏长", "调整警戒组集结点", "安全环保部", "2026年11月30日", "整改中"],
        ["2", "空气呼吸器佩戴不熟练", "每月组织一次佩戴训练", "生产部", "2026年12月31日", "待整改"],
    ]
    assert "评估单位：云溪县应急管理局" in text and "2026年10月20日" in text
    assert pictures(doc) == 1

    bare = sample("drill_evaluation", problems=[], total=None, max_total=None, grade=None, plan_assessment=None,
                  suggestions=None, location=None, form=None, plan_title=None, participants=None)
    doc = opened(engine.render(shipped("drill_evaluation"), bare))
    text = lines(doc)
    assert ["合计", "40", "34", "良好"] not in table_rows(table_with(doc, "评估要素"))
    assert not any(t.startswith("评估总分") for t in text)
    assert ["—", "未发现需要整改的问题"] in table_rows(table_with(doc, "整改措施"))
    assert text.count("无。") == 2 and "None" not in "".join(text)


def test_outreach_summary():
    doc = opened(rendered_sample("outreach_summary"))
    s = KINDS["outreach_summary"].sample
    text = lines(doc)
    assert s["title"] in text and f"活动名称：{s['campaign']}" in text
    assert f"活动时间：{s['period']}" in text and f"活动主题：{s['theme']}" in text
    assert all(sentence in text for sentence in s["summary"])
    assert table_rows(table_with(doc, "覆盖率")) == [["宣传场所", "活动场次", "受众人次", "覆盖地点", "覆盖率"]] + [
        [t["venue"], t["events"], t["audience"], t["places"], t["rate"]] for t in s["by_type"]]
    # a column per venue type, from the lists ({%tc %}); the grid follows the columns rendered
    grid = table_with(doc, "20/46")
    assert table_rows(grid) == [s["coverage_headers"]] + [r["cells"] for r in s["coverage"]] + [s["coverage_total"]]
    widths = grid._tbl.xpath("./w:tblGrid/w:gridCol/@w:w")
    assert len(widths) == 6 and len(set(widths)) == 1
    assert table_rows(table_with(doc, "完成率"))[1:] == [
        [str(i), t["where"], t["venue"], t["target"], t["reached"], t["progress"], t["status"]]
        for i, t in enumerate(s["targets"], 1)]
    assert table_rows(table_with(doc, "资料种类"))[1:] == [
        [str(i), m["kind"], m["quantity"]] for i, m in enumerate(s["materials"], 1)] + [["合计", "9,630"]]
    # photos two to a row: three photos make a full row and a half one
    album = table_rows(table_with(doc, s["photos"][0]["caption"]))
    assert album == [[s["photos"][0]["caption"], s["photos"][1]["caption"]], [s["photos"][2]["caption"], ""]]
    assert pictures(doc) == 3 + 1  # and the seal

    # fewer venue types: fewer columns, the table as wide as before
    two = sample("outreach_summary", coverage_headers=["乡镇（街道）", "进企业"],
                 coverage=[{"cells": ["城关镇", "20/46"]}], coverage_total=None)
    grid = table_with(opened(engine.render(shipped("outreach_summary"), two)), "20/46")
    assert table_rows(grid) == [["乡镇（街道）", "进企业"], ["城关镇", "20/46"]]
    assert len(grid._tbl.xpath("./w:tblGrid/w:gridCol")) == 2

    bare = sample("outreach_summary", theme=None, targets=[], materials=[], materials_total=None, photos=[],
                  seal=None)
    doc = opened(engine.render(shipped("outreach_summary"), bare))
    text = lines(doc)
    assert not any(t.startswith("活动主题") for t in text) and "六、活动照片" not in text
    assert ["—", "本次活动未设定量化目标"] in table_rows(table_with(doc, "完成率"))
    assert ["—", "未记录发放的宣传资料"] in table_rows(table_with(doc, "资料种类"))
    assert pictures(doc) == 0 and "None" not in "".join(text)


def test_signin_sheet_has_a_row_per_trainee_and_an_empty_signature_column():
    doc = opened(rendered_sample("signin_sheet"))
    s = KINDS["signin_sheet"].sample
    text = lines(doc)
    assert s["session_title"] in text
    assert f"培训项目：{s['course']}" in text and "培训日期：2026年12月8日" in text
    assert f"培训地点：{s['location']}" in text and f"主办单位：{s['organizer']}" in text
    (sheet,) = doc.tables
    assert table_rows(sheet) == [["序号", "姓名", "单位", "岗位", "联系电话", "签到（签名）"]] + [
        [str(t["no"]), t["name"], t["organization"], t["post"], t["phone"], ""] for t in s["trainees"]]
    assert sheet.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
