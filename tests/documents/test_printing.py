"""Batch printing as an officer does it: download the data sheet, fill it, upload, watch the job,
download one merged print file (or a zip), and see bad rows refused before anything runs."""

import io
import zipfile

from docx import Document
from openpyxl import Workbook, load_workbook

from tests.conftest import page_text, table_text
from tests.jobs.test_jobs import wait_finished
from webapp.auth.permissions import Role
from webapp.documents.models import DocumentTemplate, GeneratedDocument
from webapp.extensions import db
from webapp.jobs.models import Job

HEADERS = ["获奖者（个人或队伍）*", "所在单位", "竞赛名称*", "奖项*", "成绩", "名次", "证书编号*", "颁发单位*", "颁发日期*"]


def sheet(rows) -> io.BytesIO:
    workbook = Workbook()
    workbook.active.append(HEADERS)
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def winners(n: int):
    return [[f"选手{i:03d}", "城关镇", "安全知识竞赛", "优秀奖", 90, i, f"YX-{i:04d}", "云溪县应急管理局",
             "2026-11-22"] for i in range(1, n + 1)]


def start(client, template_id, data, output):
    return client.post(f"/documents/{template_id}/batch", data={"file": (data, "名单.xlsx"), "output": output,
                                                              "title": "竞赛获奖证书"},
                       content_type="multipart/form-data")


def download(client, job_id: str) -> bytes:
    response = client.get(f"/jobs/{job_id}/download")
    try:
        assert response.status_code == 200
        return response.data
    finally:
        response.close()  # send_file streams from an open file


def award_template(client) -> DocumentTemplate:
    client.get("/documents/")
    return db.session.scalar(db.select(DocumentTemplate))


def test_the_data_sheet_has_the_kinds_chinese_headers(client, login):
    login(Role.TRAINING)
    template = award_template(client)
    response = client.get(f"/documents/{template.id}/batch/data-template")
    headers = [c.value for c in load_workbook(io.BytesIO(response.data)).active[1]]
    assert headers == HEADERS


def test_bad_rows_are_listed_and_no_job_starts(client, login):
    login(Role.TRAINING)
    template = award_template(client)
    rows = winners(3)
    rows[1][0] = ""
    rows[2][8] = "2026年11月22日"
    response = start(client, template.id, sheet(rows), "docx")
    errors = table_text(response, "batch-errors")
    assert "3 获奖者（个人或队伍）* 请填写获奖者（个人或队伍）" in errors
    assert "4 颁发日期* 2026年11月22日 日期格式应为 2026-11-22" in errors
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 0


def test_merged_print_file_has_every_certificate_in_order(client, login):
    login(Role.TRAINING)
    template = award_template(client)
    response = start(client, template.id, sheet(winners(40)), "docx")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_id = response.headers["Location"].rstrip("/").split("/")[-1]
    state = wait_finished(client, job_id)
    assert state["status"] == "done", state
    lines = [p.text for p in Document(io.BytesIO(download(client, job_id))).paragraphs if p.text.strip()]
    firsts = [line for line in lines if line.startswith("选手")]
    assert firsts == [f"选手{i:03d}：在安全知识竞赛中荣获优秀奖。" for i in range(1, 41)]
    assert "证书编号：YX-0040" in lines
    db.session.expire_all()
    kept = db.session.scalar(db.select(GeneratedDocument))
    assert kept.record_count == 40 and kept.version.number == 1
    assert "竞赛获奖证书" in page_text(client.get("/documents/generated"))


def test_zip_has_one_document_per_row(client, login):
    login(Role.TRAINING)
    template = award_template(client)
    response = start(client, template.id, sheet(winners(5)), "zip")
    job_id = response.headers["Location"].rstrip("/").split("/")[-1]
    assert wait_finished(client, job_id)["status"] == "done"
    archive = zipfile.ZipFile(io.BytesIO(download(client, job_id)))
    names = sorted(archive.namelist())
    assert len(names) == 5
    first = Document(io.BytesIO(archive.read(names[0])))
    assert first.paragraphs[0].text == "选手001：在安全知识竞赛中荣获优秀奖。"
