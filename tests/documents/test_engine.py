"""The engine on its own: placeholders (also split over runs), filters, images, and every kind of
bad template or data refused with a Chinese message."""

import io
import zipfile
from datetime import date

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from PIL import Image

from tests.documents.word import floating_pictures
from webapp.documents import engine
from webapp.documents.filters import cn_amount, cn_date, cn_date_upper, cn_number, doc_number
from webapp.documents.images import ImageError, Picture, QRCode, Seal


def docx_bytes(*paragraphs: str | list[str]) -> bytes:
    """A .docx whose paragraphs are given as text, or as a list of runs (to split placeholders)."""
    document = Document()
    for paragraph in paragraphs:
        p = document.add_paragraph()
        for run in [paragraph] if isinstance(paragraph, str) else paragraph:
            p.add_run(run)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def texts(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def test_placeholders_split_over_runs_as_word_and_wps_write_them():
    data = docx_bytes(["姓名：{{ na", "me }}"], ["{", "{ post }", "}"], ["{% if sc", "ore %}成绩 {{ score }}{% endif %}"])
    assert engine.placeholders(data) == {"name", "post", "score"}
    out = engine.render(data, {"name": "张三", "post": "主要负责人", "score": 86})
    assert texts(out) == ["姓名：张三", "主要负责人", "成绩 86"]


def test_chinese_filters():
    assert cn_date(date(2026, 11, 22)) == "2026年11月22日"
    assert cn_date_upper(date(2026, 11, 22)) == "二〇二六年十一月二十二日"
    assert cn_date_upper(date(2030, 10, 1)) == "二〇三〇年十月一日"
    assert [cn_number(n) for n in (0, 10, 12, 105, 110, 1001, 20015)] == \
        ["零", "十", "十二", "一百零五", "一百一十", "一千零一", "二万零一十五"]
    assert cn_amount(1280.5) == "壹仟贰佰捌拾元伍角"
    assert cn_amount(100000) == "壹拾万元整"
    assert cn_amount("10005.07") == "壹万零伍元零柒分"
    assert doc_number("云应急", 2026, 12) == "云应急〔2026〕12号"
    data = docx_bytes("{{ d|cn_date }} {{ id|mask_id }} {{ n|cn_number }} {{ '云应急'|doc_number(2026, 7) }}")
    out = engine.render(data, {"d": date(2026, 1, 5), "id": "331102197805126613", "n": 12})
    assert texts(out) == ["2026年1月5日 3311**********6613 十二 云应急〔2026〕7号"]


def test_qr_code_seal_and_photo_become_pictures_sized_in_mm():
    photo = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(photo, format="JPEG")
    data = docx_bytes("{{ qr }}", "{{ seal }}", "{{ photo }}")
    out = engine.render(data, {"qr": QRCode("https://example.gov.cn/verify/abc", size_mm=25),
                               "seal": Seal.sample(), "photo": Picture(photo.getvalue(), width_mm=25)})
    document = Document(io.BytesIO(out))
    shapes = document.inline_shapes  # the QR code and the photo sit in the line
    assert len(shapes) == 2
    assert round(shapes[0].width.mm) == 25
    assert round(shapes[1].height.mm) == round(25 * 400 / 300)
    [seal] = floating_pictures(document)
    assert seal["width_mm"] == 40


def test_the_seal_floats_in_front_of_the_signer_and_date_centred_where_it_stands():
    data = docx_bytes("云溪县应急管理局", "{{ seal }}", "2026年11月22日")
    out = engine.render(data, {"seal": Seal.sample()})
    document = Document(io.BytesIO(out))
    [seal] = floating_pictures(document)
    assert seal["in_front"]  # over the text, not pushing the date onto a line of its own
    assert seal["centre_h_mm"] == 0 and seal["centre_above_mm"] == 3
    assert texts(out) == ["云溪县应急管理局", "", "2026年11月22日"]
    part = document.part.related_parts[seal["embed"]]
    assert part.blob == Seal.sample().png()


def test_a_document_with_a_table_of_contents_asks_word_to_refresh_it_on_opening():
    """A template authored in Word carries a TOC field but rarely w:updateFields; the rendered
    document gets it, so Word fills in the page numbers when the file is opened."""
    document = Document()
    run = document.add_paragraph().add_run()
    for kind, text in (("begin", None), (None, ' TOC \\o "1-2" \\h '), ("separate", None), ("end", None)):
        if kind:
            run._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="{kind}"/>'))
        else:
            run._r.append(parse_xml(f'<w:instrText {nsdecls("w")} xml:space="preserve">{text}</w:instrText>'))
    document.add_paragraph("{{ title }}", style="Heading 1")
    out = io.BytesIO()
    document.save(out)

    def settings(data: bytes) -> str:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read("word/settings.xml").decode()

    assert "updateFields" not in settings(out.getvalue())
    rendered = settings(engine.render(out.getvalue(), {"title": "第1章 总则"}))
    assert rendered.count('<w:updateFields w:val="true"/>') == 1
    assert rendered.index("updateFields") < rendered.index("<w:compat")  # where the schema puts it
    assert "updateFields" not in settings(engine.render(docx_bytes("{{ title }}"), {"title": "通知"}))


def test_values_are_escaped_not_interpreted():
    out = engine.render(docx_bytes("{{ name }}"), {"name": "<w:t>A&B</w:t> {{ x }}"})
    assert texts(out) == ["<w:t>A&B</w:t> {{ x }}"]


@pytest.mark.parametrize("data, message", [
    (b"not a zip at all", "上传的不是 Word 文档（.docx）"),
    (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "这是旧版 .doc 文件"),
    (b"PK\x03\x04 broken", "文件已损坏"),
])
def test_files_that_are_not_docx_are_refused(data, message):
    with pytest.raises(engine.TemplateProblem, match=message):
        engine.placeholders(data)


def _repack(data: bytes, extra: dict[str, bytes] | None = None, content_types: bytes | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "[Content_Types].xml" and content_types:
                body = content_types
            dst.writestr(item, body)
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def test_macro_templates_are_refused():
    data = docx_bytes("{{ name }}")
    with pytest.raises(engine.TemplateProblem, match="含有宏"):
        engine.placeholders(_repack(data, {"word/vbaProject.bin": b"\0" * 10}))
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").replace(
        b"document.main+xml", b"document.macroEnabled.main+xml")
    with pytest.raises(engine.TemplateProblem, match="含有宏"):
        engine.placeholders(_repack(data, content_types=types))


def test_zip_bomb_is_refused_without_unpacking():
    bomb = _repack(docx_bytes("x"), {"word/media/bomb.bin": b"\0" * (engine.MAX_TEMPLATE_UNPACKED + 1)})
    assert len(bomb) < 1024 * 1024  # small on disk, huge unpacked
    with pytest.raises(engine.TemplateProblem, match="压缩炸弹"):
        engine.placeholders(bomb)


def test_jinja_syntax_error_names_the_text_around_it():
    data = docx_bytes("第一段", "证书编号：{{ certificate_no }", "{% if x %}没有结束")
    with pytest.raises(engine.TemplateProblem, match="模板语法错误") as caught:
        engine.placeholders(data)
    assert "{{ }}" in caught.value.message


@pytest.mark.parametrize("expression", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ name.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
])
def test_attribute_escapes_are_refused_by_the_sandbox(expression):
    with pytest.raises(engine.TemplateProblem) as caught:
        engine.render(docx_bytes(expression), {"name": "张三"})
    assert "不允许" in caught.value.message or "缺少数据" in caught.value.message


def test_a_missing_value_names_the_placeholder_instead_of_printing_blank():
    data = docx_bytes("持证人：{{ holder_name }}，编号 {{ certificate_no }}")
    with pytest.raises(engine.TemplateProblem, match="“certificate_no”没有提供数值"):
        engine.render(data, {"holder_name": "张三"})


def test_an_image_that_is_not_an_image_is_refused():
    with pytest.raises(ImageError, match="照片不是有效的图片文件"):
        engine.render(docx_bytes("{{ photo }}"), {"photo": Picture(b"GIF89a not really")})
    with pytest.raises(ImageError, match="印章图片是空文件"):
        engine.render(docx_bytes("{{ seal }}"), {"seal": Seal(b"")})


def test_names_are_checked_against_a_kind():
    unknown, missing = engine.check_names({"title", "tittle"}, {"title", "date", "bureau"}, {"title", "date"})
    assert unknown == ["tittle"] and missing == ["date"]
