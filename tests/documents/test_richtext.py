"""Rich text from the editor becomes Word structure: rendered through the real engine into a
small template with ``{{p content }}``, then read back with python-docx from the saved bytes, so
what is checked is what Word opens (including docxtpl's subdoc insertion)."""

import io
import zipfile

from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from webapp.documents.engine import render
from webapp.documents.kinds import KINDS
from webapp.documents.richtext import HEADING_LEVELS, Rich

BEFORE, AFTER = "模板前文", "模板后文"


def template(*paragraphs: str | tuple[str, str], numbering: bool = True, drop_styles: tuple[str, ...] = ()) -> bytes:
    """A .docx whose body is `paragraphs`; a (text, style) pair sets the paragraph style."""
    doc = Document()
    for p in paragraphs:
        text, style = p if isinstance(p, tuple) else (p, None)
        doc.add_paragraph(text, style=style)
    for name in drop_styles:
        doc.styles.element.remove(doc.styles[name].element)
    if not numbering:
        part = doc.part
        for rid, rel in list(part.rels.items()):
            if rel.reltype.endswith("/numbering"):
                part.drop_rel(rid)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


SIMPLE = template(BEFORE, "{{p content }}", AFTER)


def rendered(html: str, data: bytes = SIMPLE) -> bytes:
    return render(data, {"content": Rich(html)})


def opened(html: str, data: bytes = SIMPLE):
    return Document(io.BytesIO(rendered(html, data)))


def blocks(doc) -> list:
    """The body's paragraphs and tables in order, without the template's own paragraphs."""
    out = []
    for el in doc.element.body:
        if el.tag == qn("w:p"):
            p = Paragraph(el, doc._body)
            if p.text not in (BEFORE, AFTER):
                out.append(p)
        elif el.tag == qn("w:tbl"):
            out.append(Table(el, doc._body))
    return out


def texts(doc) -> list[str]:
    return [b.text for b in blocks(doc) if isinstance(b, Paragraph)]


def numbering_of(doc, paragraph: Paragraph) -> tuple[int, int, str, str]:
    """(numId, ilvl, numFmt, lvlText) of a list paragraph, resolved in the document's numbering part."""
    num_pr = paragraph._p.pPr.numPr
    assert num_pr is not None, f"{paragraph.text!r} is not a list paragraph"
    num_id, ilvl = num_pr.numId.val, num_pr.ilvl.val
    root = doc.part.numbering_part.element
    (num,) = root.xpath(f"w:num[@w:numId='{num_id}']")
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    (lvl,) = root.xpath(f"w:abstractNum[@w:abstractNumId='{abstract_id}']/w:lvl[@w:ilvl='{ilvl}']")
    assert lvl.find(qn("w:start")).get(qn("w:val")) == "1"
    return num_id, ilvl, lvl.find(qn("w:numFmt")).get(qn("w:val")), lvl.find(qn("w:lvlText")).get(qn("w:val"))


def body_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode()


def all_text(data: bytes) -> str:
    root = etree.fromstring(body_xml(data).encode())
    return "".join(root.itertext())


def test_heading_map_is_one_below_the_chapter_heading():
    assert HEADING_LEVELS == {"h1": 2, "h2": 3, "h3": 4, "h4": 5}


def test_headings_use_the_templates_heading_styles():
    doc = opened("<h1>一、总体要求</h1><h2>（一）编制目的</h2><h3>1. 适用范围</h3><h4>(1) 说明</h4><p>正文</p>")
    got = [(p.text, p.style.name) for p in blocks(doc)]
    assert got == [("一、总体要求", "Heading 2"), ("（一）编制目的", "Heading 3"),
                   ("1. 适用范围", "Heading 4"), ("(1) 说明", "Heading 5"), ("正文", "Normal")]
    # The template's styles carry the outline level a TOC field looks for.
    heading = doc.styles["Heading 2"].element
    assert heading.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == "1"


def test_a_template_without_heading_styles_still_gets_outline_levels():
    data = template(BEFORE, "{{p content }}", AFTER, drop_styles=("Heading 2", "Heading 3"))
    doc = opened("<h1>第一节</h1><h2>第一小节</h2>", data)
    first, second = blocks(doc)
    for paragraph, name, level in ((first, "Heading 2", "1"), (second, "Heading 3", "2")):
        assert paragraph.style.name == name
        in_style = paragraph.style.element.pPr.find(qn("w:outlineLvl"))
        in_paragraph = paragraph._p.pPr.find(qn("w:outlineLvl"))
        assert (in_paragraph if in_paragraph is not None else in_style).get(qn("w:val")) == level


def test_a_heading_style_without_an_outline_level_gets_one_on_the_paragraph():
    doc = Document()
    doc.add_paragraph("{{p content }}")
    style = doc.styles["Heading 2"].element
    style.pPr.remove(style.pPr.find(qn("w:outlineLvl")))
    out = io.BytesIO()
    doc.save(out)
    (heading,) = blocks(opened("<h1>总则</h1>", out.getvalue()))
    assert heading.style.name == "Heading 2"
    assert heading._p.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == "1"


def test_ordered_and_bulleted_lists_are_word_numbering():
    doc = opened("<ol><li>一级响应</li><li>二级响应</li></ol><ul><li>切断物料</li><li>疏散人员</li></ul>")
    ol1, ol2, ul1, ul2 = blocks(doc)
    assert [p.text for p in (ol1, ol2, ul1, ul2)] == ["一级响应", "二级响应", "切断物料", "疏散人员"]
    a, b = numbering_of(doc, ol1), numbering_of(doc, ol2)
    assert a == b and a[1:] == (0, "decimal", "%1.")
    c, d = numbering_of(doc, ul1), numbering_of(doc, ul2)
    assert c == d and c[1] == 0 and c[2] == "bullet"
    assert a[0] != c[0]


def test_each_list_restarts_at_one():
    doc = opened("<ol><li>甲</li><li>乙</li></ol><p>中间</p><ol><li>丙</li></ol>")
    first, _second, _middle, third = blocks(doc)
    one, other = numbering_of(doc, first)[0], numbering_of(doc, third)[0]
    assert one != other
    root = doc.part.numbering_part.element

    def abstract(num_id):
        return root.xpath(f"w:num[@w:numId='{num_id}']/w:abstractNumId/@w:val")[0]

    # Separate abstract definitions: Word would otherwise continue the count.
    assert abstract(one) != abstract(other)


def test_nested_lists_go_one_level_deeper():
    doc = opened("<ol><li>报告<ul><li>电话</li><li>书面<ol><li>首报</li></ol></li></ul></li><li>处置</li></ol>")
    got = {p.text: numbering_of(doc, p) for p in blocks(doc)}
    assert got["报告"][1:3] == (0, "decimal")
    assert got["电话"][1:3] == (1, "bullet") and got["书面"][0] == got["电话"][0]
    assert got["首报"][1:3] == (2, "decimal")
    assert got["处置"][0] == got["报告"][0]


def test_a_second_paragraph_in_a_list_item_is_indented_without_a_number():
    doc = opened("<ol><li><p>第一段</p><p>第二段</p></li></ol>")
    first, second = blocks(doc)
    assert numbering_of(doc, first)[1] == 0
    assert second._p.pPr.numPr is None and second.paragraph_format.left_indent > 0


def test_numbering_survives_into_the_saved_document():
    data = rendered("<ol><li>甲</li></ol><ul><li>乙</li></ul>")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        numbering = etree.fromstring(z.read("word/numbering.xml"))
        document = etree.fromstring(z.read("word/document.xml"))
    used = {el.get(qn("w:val")) for el in document.iter(qn("w:numId"))}
    defined = {el.get(qn("w:numId")) for el in numbering.iter(qn("w:num"))}
    assert len(used) == 2 and used <= defined
    # Schema order: every abstractNum before the first num.
    tags = [el.tag for el in numbering]
    assert max(i for i, t in enumerate(tags) if t == qn("w:abstractNum")) < tags.index(qn("w:num"))


def test_a_template_without_a_numbering_part_gets_one():
    data = template(BEFORE, "{{p content }}", AFTER, numbering=False)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        rels = z.read("word/_rels/document.xml.rels").decode()
    assert "numbering" not in rels
    out = rendered("<ol><li>甲</li><li>乙</li></ol>", data)
    doc = Document(io.BytesIO(out))
    first, second = blocks(doc)
    assert numbering_of(doc, first) == numbering_of(doc, second)
    assert numbering_of(doc, first)[2] == "decimal"
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        assert "wordprocessingml.numbering+xml" in z.read("[Content_Types].xml").decode()


def test_tables_have_borders_a_bold_repeating_header_and_merged_cells():
    doc = opened(
        "<table><thead><tr><th>小组</th><th>组长</th><th>职责</th></tr></thead><tbody>"
        "<tr><td>抢险救援组</td><td>李强</td><td>现场<b>抢险</b>、人员搜救</td></tr>"
        "<tr><td rowspan='2'>警戒疏散组</td><td colspan=\"2\">王磊</td></tr>"
        "<tr><td>赵敏</td><td>疏散人员</td></tr></tbody></table>"
    )
    (table,) = blocks(doc)
    assert isinstance(table, Table)
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["小组", "组长", "职责"],
        ["抢险救援组", "李强", "现场抢险、人员搜救"],
        ["警戒疏散组", "王磊", "王磊"],
        ["警戒疏散组", "赵敏", "疏散人员"],
    ]
    merged = table.rows[2].cells
    assert merged[1]._tc is merged[2]._tc  # colspan: one cell spanning two columns
    rowspan = [tr.tc_lst[0].vMerge for tr in table._tbl.tr_lst[2:]]
    assert rowspan == ["restart", "continue"]
    header = [el.find(qn("w:trPr")) for el in table._tbl.tr_lst]
    assert header[0].find(qn("w:tblHeader")) is not None
    assert all(pr is None or pr.find(qn("w:tblHeader")) is None for pr in header[1:])
    assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    body_runs = {run.text: run.bold for run in table.cell(1, 2).paragraphs[0].runs}
    assert body_runs == {"现场": None, "抢险": True, "、人员搜救": None}
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {el.tag.split("}")[1] for el in borders} == {"top", "left", "bottom", "right", "insideH", "insideV"}
    assert all(el.get(qn("w:val")) == "single" for el in borders)


def test_irregular_spans_are_clipped_instead_of_overlapping():
    doc = opened(
        "<table><tr><td rowspan='0'>甲</td><td colspan='999'>乙</td></tr>"
        "<tr><td colspan='abc'>丙</td><td rowspan='7'>丁</td></tr></table>"
    )
    (table,) = blocks(doc)
    assert [[c.text for c in row.cells] for row in table.rows] == [["甲", "乙", "乙"], ["甲", "丙", "丁"]]


def test_a_row_of_th_without_thead_is_the_header():
    doc = opened("<table><tr><th>物资</th><th>数量</th></tr><tr><td>沙袋</td><td>200</td></tr></table>")
    (table,) = blocks(doc)
    assert table._tbl.tr_lst[0].trPr.find(qn("w:tblHeader")) is not None
    assert table._tbl.tr_lst[1].trPr is None
    assert table.cell(0, 0).paragraphs[0].runs[0].bold and not table.cell(1, 0).paragraphs[0].runs[0].bold


def test_cells_can_hold_lists_and_paragraphs():
    doc = opened("<table><tr><td><p>措施：</p><ul><li>断电</li><li>断料</li></ul></td></tr></table>")
    (table,) = blocks(doc)
    paragraphs = table.cell(0, 0).paragraphs
    assert [p.text for p in paragraphs] == ["措施：", "断电", "断料"]
    assert numbering_of(doc, paragraphs[1])[2] == "bullet"


def test_inline_formatting_becomes_run_properties():
    doc = opened("<p>普通<strong>粗体</strong><em>斜体</em><u>下划线</u><s>删除</s>H<sub>2</sub>O"
                 "m<sup>3</sup><b><i>粗斜</i></b></p>")
    (p,) = blocks(doc)
    runs = {r.text: r for r in p.runs}
    assert runs["粗体"].bold and not runs["普通"].bold
    assert runs["斜体"].italic
    assert runs["下划线"].underline
    assert runs["删除"].font.strike
    assert runs["2"].font.subscript and runs["3"].font.superscript
    assert runs["粗斜"].bold and runs["粗斜"].italic


def test_line_breaks_stay_inside_the_paragraph():
    doc = opened("<p>第一行<br>第二行<br/></p>")
    (p,) = blocks(doc)
    assert len(p._p.findall(".//" + qn("w:br"))) == 1  # the final <br> adds no empty line, as in a browser
    assert p.text == "第一行\n第二行"


def test_whitespace_collapses_like_a_browser_and_empty_paragraphs_go():
    doc = opened(
        "<p>  应急   <b> 响应 </b>  结束  </p>"
        "<p> </p><p><br></p><p>&nbsp;</p><div>\n</div>"
        "<p>　　发生事故后，立即报告：“119”！（不得迟报）</p>"
        "<p>企业\n    名称</p>"
    )
    assert texts(doc) == ["应急 响应 结束", "　　发生事故后，立即报告：“119”！（不得迟报）", "企业名称"]


def test_text_outside_any_block_and_blockquotes():
    doc = opened("开头文字<b>加粗</b><p>段落</p>结尾<blockquote>引用内容</blockquote>")
    first, para, tail, quote = blocks(doc)
    assert [first.text, para.text, tail.text, quote.text] == ["开头文字加粗", "段落", "结尾", "引用内容"]
    assert quote.paragraph_format.left_indent > 0 and para.paragraph_format.left_indent is None


def test_no_markup_leaks_into_the_text():
    html = ("<h1>总则</h1><p class='x'><span style='color:red'>一、<font face='黑体'>目的</font></span></p>"
            "<ol><li>甲</li></ol><table><tr><th>a</th></tr><tr><td>b</td></tr></table><div><div>嵌套</div></div>")
    text = all_text(rendered(html))
    assert "<" not in text and "&lt;" not in text and ">" not in text
    assert "总则" in text and "一、目的" in text and "嵌套" in text


def test_scripts_and_attribute_injection_leave_no_trace():
    html = (
        "<script>alert('x')</script><style>p{color:red}</style>"
        "<p onclick=\"steal()\" style=\"color:red\" title='</w:t></w:r><w:r><w:t>INJECTED'>安全文本</p>"
        "<img src='https://evil.example/track.png'><iframe src='https://evil.example/'></iframe>"
        "<a href='https://evil.example/'>链接文字</a>"
        "<td colspan='2\"><w:p>x'>单元</td>"
        "<w:p><w:r><w:t>伪造</w:t></w:r></w:p>"
        "<p>响铃\x07分段\x0b垂直</p>"
        "<p><img>&#xFFFE;换\x0c页&#0;</p>"
    )
    data = rendered(html)
    xml = body_xml(data)
    for trace in ("alert", "steal", "color", "INJECTED", "evil.example", "onclick", "w:drawing", "w:hyperlink"):
        assert trace not in xml
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not any("evil" in z.read(name).decode("utf-8", "ignore") for name in z.namelist()
                       if name.endswith(".rels"))
    doc = Document(io.BytesIO(data))
    # The fake OOXML is only text, in a paragraph of its own like any unknown block.
    assert texts(doc) == ["安全文本", "链接文字", "单元", "伪造", "响铃分段垂直", "换 页"]


def test_empty_or_unusable_html_still_leaves_a_valid_document():
    table_template = Document()
    table_template.add_table(1, 1).cell(0, 0).paragraphs[0].text = "{{p content }}"
    out = io.BytesIO()
    table_template.save(out)
    for html in ("", "   ", "<p></p><script>x</script>", "<?xml version='1.0' encoding='utf-8'?>"):
        doc = Document(io.BytesIO(rendered(html, out.getvalue())))
        cell = doc.tables[0].cell(0, 0)
        assert [p.text for p in cell.paragraphs] == [""]


def test_deep_nesting_keeps_its_text():
    # Deeper than the walk's recursion guard, within what libxml2's parser keeps (~255 levels).
    doc = opened("<div>" * 200 + "深处" + "</div>" * 200 + "<ul>" * 20 + "<li>深列表</li>" + "</ul>" * 20)
    assert texts(doc) == ["深处", "深列表"]
    assert numbering_of(doc, blocks(doc)[-1])[1] == 8  # Word has nine list levels


PLAN_TEMPLATE = template(
    "{{ title }}",
    "{%p for c in chapters %}",
    ("第{{ c.number }}章 {{ c.title }}", "Heading 1"),
    "{{p c.content }}",
    "{%p endfor %}",
)


def test_the_plan_samples_chapters_render_as_word_structure():
    sample = KINDS["plan"].sample
    # The sample's chapter contents are Rich values, which the engine resolves inside the rows.
    data = render(PLAN_TEMPLATE, {"title": sample["title"], "chapters": sample["chapters"]})
    doc = Document(io.BytesIO(data))
    paragraphs = doc.paragraphs
    by_text = {p.text: p for p in paragraphs}

    assert [p.text for p in paragraphs if p.style.name == "Heading 1"] == [
        "第1章 总则", "第2章 应急组织机构及职责", "第3章 应急响应"]
    assert by_text["1.1 适用范围"].style.name == "Heading 2"  # the sample uses <h1>, one below the chapter
    assert by_text["1.2 响应分级"].style.name == "Heading 2"
    assert numbering_of(doc, by_text["一级响应：公司层面"])[1:3] == (0, "decimal")
    assert numbering_of(doc, by_text["二级响应：车间层面"])[1:3] == (0, "decimal")
    bullets = [numbering_of(doc, by_text[t]) for t in ("切断物料来源", "启动应急处置程序", "拨打 119、120")]
    assert {b[2] for b in bullets} == {"bullet"} and len({b[0] for b in bullets}) == 1

    (table,) = doc.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["小组", "组长", "职责"],
        ["抢险救援组", "李强", "现场抢险、人员搜救"],
        ["警戒疏散组", "王磊", "设置警戒区、疏散人员"],
    ]
    assert table.cell(0, 0).paragraphs[0].runs[0].bold
    # The table sits in chapter 2, between its introduction and chapter 3.
    order = [el.tag for el in doc.element.body]
    table_at = order.index(qn("w:tbl"))
    assert doc.element.body[table_at - 1].xpath("string(.)") == "公司成立应急救援指挥部，总指挥由主要负责人担任。"
    assert "<" not in all_text(data) and "&lt;" not in all_text(data)
