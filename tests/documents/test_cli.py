"""flask render: a template file or a kind, data from JSON or a spreadsheet, out to .docx or .zip."""

import io
import json
import zipfile

from docx import Document
from openpyxl import Workbook

from tests.documents.conftest import AWARD_LINES
from tests.documents.test_engine import docx_bytes

RECORD = {"winner": "王芳", "competition": "应急知识竞赛", "award": "一等奖", "certificate_no": "YX-1",
          "issuer": "云溪县应急管理局", "date": "2026-11-22"}


def run(app, *args):
    return app.test_cli_runner().invoke(args=["render", *map(str, args)])


def test_json_records_merge_into_one_print_file(app, tmp_path):
    template = tmp_path / "award.docx"
    template.write_bytes(docx_bytes(*AWARD_LINES, "{{ qr }}"))
    data = tmp_path / "data.json"
    records = [RECORD | {"winner": name, "qr": {"qr": f"https://example.gov.cn/v/{name}"}} for name in ("甲", "乙", "丙")]
    data.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    result = run(app, template, "--data", data, "--out", tmp_path / "out.docx")
    assert result.exit_code == 0, result.output
    assert "3 条记录" in result.output
    document = Document(tmp_path / "out.docx")
    firsts = [p.text for p in document.paragraphs if "荣获" in p.text]
    assert firsts == [f"{n}：在应急知识竞赛中荣获一等奖。" for n in "甲乙丙"]
    assert len(document.inline_shapes) == 3


def test_spreadsheet_rows_by_kind_into_a_zip(app, tmp_path):
    workbook = Workbook()
    workbook.active.append(list(RECORD))
    workbook.active.append(list(RECORD.values()))
    workbook.active.append([*list(RECORD.values())[:-1], "2026-12-01"])
    workbook.save(tmp_path / "rows.xlsx")
    result = run(app, "award_certificate", "--data", tmp_path / "rows.xlsx", "--out", tmp_path / "out.zip")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        names = sorted(archive.namelist())
        assert len(names) == 2
        last = Document(io.BytesIO(archive.read(names[1])))
    assert last.paragraphs[-1].text == "云溪县应急管理局 2026年12月1日"


def test_bad_inputs_are_named(app, tmp_path):
    template = tmp_path / "award.docx"
    template.write_bytes(docx_bytes(*AWARD_LINES))
    data = tmp_path / "data.json"
    data.write_text(json.dumps([RECORD, {k: v for k, v in RECORD.items() if k != "award"}]), encoding="utf-8")
    result = run(app, template, "--data", data, "--out", tmp_path / "out.docx")
    assert result.exit_code != 0
    assert "第 2 条记录" in result.output and "award" in result.output
    assert not (tmp_path / "out.docx").exists()
    assert "既不是 .docx 文件，也不是文书类型" in run(app, "nonsense", "--data", data, "--out", tmp_path / "o.zip").output
    assert "输出文件应为" in run(app, template, "--data", data, "--out", tmp_path / "o.txt").output
    data.write_text("{not json", encoding="utf-8")
    assert "不是有效的 JSON" in run(app, template, "--data", data, "--out", tmp_path / "o.docx").output
