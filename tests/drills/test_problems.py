"""Problems a drill found and their rectification, through the pages: recording (and flagging the
plan 需修订 in the plans module), the steps to closure with evidence, what is refused and that
nothing is written then, the overdue list and its Excel, and who may do what."""

import io
import random
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import page_text, table_text
from tests.drills.conftest import photo_bytes
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.drills import problems as rectification
from webapp.drills.models import DrillProblem, ProblemEvidence
from webapp.extensions import db
from webapp.plans.models import PlanStatus, RevisionRequest

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _values(**overrides) -> dict:
    return {"description": "警戒组未及时设置警戒区域，无关人员进入现场", "responsible_unit": "安全环保部",
            "measure": "修订警戒组职责，配备警戒器材，每季度开展一次警戒疏散专项训练",
            "due_on": (local_today() + timedelta(days=30)).isoformat(), "plan_id": ""} | overrides


def _stored_files(app) -> list[Path]:
    root = Path(app.config["STORAGE_DIR"]) / "drill-evidence"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def problem(make_drill, app):
    """A problem found by a drill held 3 days ago, due in 30 days."""
    drill = make_drill()
    found = rectification.add_problem(drill, _values(due_on=local_today() + timedelta(days=30)))
    db.session.commit()
    return found


def test_a_problem_that_needs_the_plan_revised_flags_it_in_the_plans_module(app, login, client, make_drill,
                                                                              plan_in_force):
    drill = make_drill(plans=[plan_in_force])
    login(Role.DRILL)
    page = client.get(f"/drills/{drill.id}/problems/new")
    assert page.status_code == 200
    text = page_text(page)
    assert "需要修订预案" in text and plan_in_force.title in text and "标记为“需修订”" in text
    response = client.post(f"/drills/{drill.id}/problems/new", data=_values(plan_id=plan_in_force.id))
    assert response.status_code == 302
    saved = db.session.scalar(select(DrillProblem))
    assert (saved.responsible_unit, saved.status, saved.plan_id) == ("安全环保部", "open", plan_in_force.id)
    db.session.refresh(plan_in_force)
    assert plan_in_force.status == PlanStatus.NEEDS_REVISION.value
    request = db.session.get(RevisionRequest, saved.revision_request_id)
    assert request.source == "drill" and request.plan_id == plan_in_force.id and request.assignee == "安全环保部"
    assert "警戒组未及时设置警戒区域" in request.problems[0] and drill.title in request.problems[0]
    shown = client.get(response.headers["Location"])
    text = page_text(shown)
    assert "已要求修订预案" in text and "需修订" in text
    assert plan_in_force.title in page_text(shown) and "警戒组未及时设置警戒区域" in text
    assert f"/plans/{plan_in_force.id}" in shown.get_data(as_text=True)
    # the plans module lists it as awaiting revision, with the drill's finding
    due = client.get("/plans/due")
    revision = table_text(due, "due-revision")
    assert plan_in_force.title in revision and "警戒组未及时设置警戒区域" in revision and "安全环保部" in revision


def test_a_withdrawn_plan_cannot_be_asked_for_a_revision(app, login, client, make_drill, plan_in_force):
    drill = make_drill(plans=[plan_in_force])
    plan_in_force.status = PlanStatus.WITHDRAWN.value
    db.session.commit()
    login(Role.DRILL)
    page = client.get(f"/drills/{drill.id}/problems/new")
    assert "已废止，不能要求修订" in page_text(page)
    response = client.post(f"/drills/{drill.id}/problems/new", data=_values(plan_id=plan_in_force.id))
    assert response.status_code == 200
    assert f"预案《{plan_in_force.title}》已废止，不能要求修订" in page_text(response)
    assert _count(DrillProblem) == 0 and _count(RevisionRequest) == 0
    assert "警戒组未及时设置警戒区域" in response.get_data(as_text=True)  # what was typed is kept
    db.session.refresh(plan_in_force)
    assert plan_in_force.status == PlanStatus.WITHDRAWN.value


@pytest.mark.parametrize(("overrides", "message"), [
    ({"description": ""}, "请填写发现的问题"),
    ({"responsible_unit": ""}, "请填写责任单位"),
    ({"measure": ""}, "请填写整改措施"),
    ({"due_on": ""}, "请填写整改期限"),
    ({"due_on": "2026-02-30"}, "不是有效的日期"),
])
def test_a_problem_missing_what_it_needs_is_refused(app, login, client, make_drill, overrides, message):
    drill = make_drill()
    login(Role.DRILL)
    response = client.post(f"/drills/{drill.id}/problems/new", data=_values(**overrides))
    assert response.status_code == 200 and message in page_text(response)
    assert _count(DrillProblem) == 0


def test_a_problem_due_before_the_drill_or_on_a_drill_not_held_is_refused(app, login, client, make_drill):
    drill = make_drill()
    login(Role.DRILL)
    response = client.post(f"/drills/{drill.id}/problems/new",
                           data=_values(due_on=(drill.held_on - timedelta(days=1)).isoformat()))
    assert "整改期限不能早于演练日期" in page_text(response)
    planned = make_drill(title="2027年防汛演练", status="planned", held_on=None,
                         planned_on=local_today() + timedelta(days=60))
    response = client.post(f"/drills/{planned.id}/problems/new", data=_values())
    assert "演练尚未实施，还不能记录发现的问题" in page_text(response)
    assert _count(DrillProblem) == 0


def test_start_then_close_with_a_photo_and_a_pdf(app, login, client, problem):
    login(Role.DRILL)
    assert client.post(f"/drills/problems/{problem.id}/start").status_code == 302
    db.session.refresh(problem)
    assert problem.status == "rectifying"
    page = client.get(f"/drills/problems/{problem.id}/close")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'capture="environment"' in html and "multiple" in html
    response = client.post(f"/drills/problems/{problem.id}/close", content_type="multipart/form-data", data={
        "closure_note": "已修订警戒组职责，配齐警戒带，组织专项训练一次", "closed_on": local_today().isoformat(),
        "camera": [(io.BytesIO(photo_bytes(3000, 2000)), "IMG_0001.jpg")],
        "evidence": [(io.BytesIO(PDF), "整改报告.pdf")]})
    assert response.status_code == 302
    db.session.refresh(problem)
    assert problem.status == "closed" and problem.closed_on == local_today()
    assert problem.closure_note == "已修订警戒组职责，配齐警戒带，组织专项训练一次"
    assert sorted(e.kind for e in problem.evidence) == ["pdf", "photo"]
    detail = client.get(f"/drills/problems/{problem.id}")
    text = page_text(detail)
    assert "已整改" in text and "整改报告.pdf" in text and "IMG_0001.jpg" in text and "撤销销号" in text
    photo = next(e for e in problem.evidence if e.kind == "photo")
    pdf = next(e for e in problem.evidence if e.kind == "pdf")
    thumb = client.get(f"/drills/evidence/{photo.id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg" and thumb.data[:3] == b"\xff\xd8\xff"
    full = client.get(f"/drills/evidence/{photo.id}/full")
    assert full.mimetype == "image/jpeg" and len(full.data) > len(thumb.data)
    thumb.close()
    full.close()
    assert f"/drills/evidence/{photo.id}/thumb" in detail.get_data(as_text=True)
    download = client.get(f"/drills/evidence/{pdf.id}/full")
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()
    assert client.get(f"/drills/evidence/{pdf.id}/huge").status_code == 404
    # closed: evidence can no longer be removed
    client.post(f"/drills/evidence/{pdf.id}/delete")
    assert _count(ProblemEvidence) == 2


def test_closing_without_evidence_is_refused_and_nothing_changes(app, login, client, problem):
    login(Role.DRILL)
    client.post(f"/drills/problems/{problem.id}/start")
    response = client.post(f"/drills/problems/{problem.id}/close", data={
        "closure_note": "已整改", "closed_on": local_today().isoformat()})
    assert response.status_code == 200
    assert "销号须附整改佐证材料：请上传整改后的照片或盖章的整改报告（PDF）" in page_text(response)
    assert "已整改" in response.get_data(as_text=True)  # the note typed is kept
    db.session.refresh(problem)
    assert problem.status == "rectifying" and problem.closed_on is None and problem.closure_note == ""


def test_closing_with_a_file_that_is_neither_a_picture_nor_a_pdf_is_refused(app, login, client, problem):
    login(Role.DRILL)
    response = client.post(f"/drills/problems/{problem.id}/close", content_type="multipart/form-data", data={
        "closure_note": "已整改", "closed_on": local_today().isoformat(),
        "evidence": [(io.BytesIO(b"PK\x03\x04 not a picture"), "整改报告.docx")]})
    assert response.status_code == 200
    assert "整改材料“整改报告.docx”既不是图片也不是 PDF 文件" in page_text(response)
    db.session.refresh(problem)
    assert problem.status == "open" and _count(ProblemEvidence) == 0 and _stored_files(app) == []


def test_closing_with_an_oversized_photo_is_refused(app, login, client, problem):
    app.config["PHOTO_MAX_BYTES"] = 100 * 1024
    big = _noisy_png()
    assert len(big) > 100 * 1024
    login(Role.DRILL)
    response = client.post(f"/drills/problems/{problem.id}/close", content_type="multipart/form-data", data={
        "closure_note": "已整改", "closed_on": local_today().isoformat(),
        "camera": [(io.BytesIO(big), "IMG_0002.png")]})
    assert "整改材料“IMG_0002.png”超过 100 KB 的上限，请压缩后再上传" in page_text(response)
    db.session.refresh(problem)
    assert problem.status == "open" and _count(ProblemEvidence) == 0


def _noisy_png() -> bytes:
    """A picture that does not compress: a few hundred KB as PNG."""
    from PIL import Image

    image = Image.frombytes("RGB", (400, 400), random.Random(7).randbytes(400 * 400 * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_when_the_second_of_two_uploads_is_bad_nothing_is_saved(app, login, client, problem):
    login(Role.DRILL)
    client.post(f"/drills/problems/{problem.id}/start")
    response = client.post(f"/drills/problems/{problem.id}/close", content_type="multipart/form-data", data={
        "closure_note": "已整改", "closed_on": local_today().isoformat(),
        "evidence": [(io.BytesIO(photo_bytes()), "IMG_0003.jpg"), (io.BytesIO(b"hello"), "说明.txt")]})
    assert "整改材料“说明.txt”既不是图片也不是 PDF 文件" in page_text(response)
    db.session.refresh(problem)
    assert problem.status == "rectifying" and problem.closure_note == ""
    assert _count(ProblemEvidence) == 0
    assert _stored_files(app) == []  # the first photo's files went with the rolled-back row


def test_evidence_uploaded_first_then_closed_without_new_files(app, login, client, problem):
    login(Role.DRILL)
    response = client.post(f"/drills/problems/{problem.id}/evidence", content_type="multipart/form-data",
                           data={"evidence": [(io.BytesIO(PDF), "验收单.pdf")]})
    assert response.status_code == 302
    assert _count(ProblemEvidence) == 1
    bad = client.post(f"/drills/problems/{problem.id}/evidence", content_type="multipart/form-data",
                      data={"camera": [(io.BytesIO(b"GIF89a"), "x.gif")]}, follow_redirects=True)
    assert "既不是图片也不是 PDF 文件" in page_text(bad) and _count(ProblemEvidence) == 1
    evidence = db.session.scalar(select(ProblemEvidence))
    client.post(f"/drills/evidence/{evidence.id}/delete")
    assert _count(ProblemEvidence) == 0 and _stored_files(app) == []
    client.post(f"/drills/problems/{problem.id}/evidence", content_type="multipart/form-data",
                data={"camera": [(io.BytesIO(photo_bytes()), "IMG_0004.jpg")]})
    response = client.post(f"/drills/problems/{problem.id}/close", data={
        "closure_note": "已整改到位", "closed_on": local_today().isoformat()})
    assert response.status_code == 302
    db.session.refresh(problem)
    assert problem.status == "closed" and len(problem.evidence) == 1


def test_reopen_a_closed_problem(app, login, client, problem):
    login(Role.DRILL)
    client.post(f"/drills/problems/{problem.id}/close", content_type="multipart/form-data", data={
        "closure_note": "已整改", "closed_on": local_today().isoformat(),
        "evidence": [(io.BytesIO(PDF), "整改报告.pdf")]})
    db.session.refresh(problem)
    assert problem.status == "closed"
    response = client.post(f"/drills/problems/{problem.id}/reopen", follow_redirects=True)
    assert "已撤销销号" in page_text(response)
    db.session.refresh(problem)
    assert problem.status == "rectifying" and problem.closed_on is None and len(problem.evidence) == 1
    again = client.post(f"/drills/problems/{problem.id}/reopen", follow_redirects=True)
    assert "问题尚未销号" in page_text(again)


def test_edit_a_problem(app, login, client, problem):
    login(Role.DRILL)
    assert client.get(f"/drills/problems/{problem.id}/edit").status_code == 200
    response = client.post(f"/drills/problems/{problem.id}/edit", data=_values(responsible_unit="生产技术部"))
    assert response.status_code == 302
    db.session.refresh(problem)
    assert problem.responsible_unit == "生产技术部"


def test_the_overdue_list_counts_and_excel(app, login, client, make_drill, owners):
    drill = make_drill()
    today = local_today()
    late = rectification.add_problem(drill, _values(description="应急广播无法覆盖罐区", due_on=drill.held_on))
    rectification.add_problem(drill, _values(description="洗消器材不足", due_on=today + timedelta(days=10)))
    closed = rectification.add_problem(drill, _values(description="报警电话未张贴", due_on=drill.held_on))
    rectification.close_problem(closed, "已张贴", today, [(PDF, "照片说明.pdf")])
    db.session.commit()
    login(Role.LEADER)
    page = client.get("/drills/problems?status=overdue")
    assert page.status_code == 200
    rows = table_text(page, "problems")
    assert "应急广播无法覆盖罐区" in rows and "逾期 3 天" in rows
    assert "洗消器材不足" not in rows and "报警电话未张贴" not in rows
    assert f'data-overdue="{(today - late.due_on).days}"' in page.get_data(as_text=True)
    counts = page_text(page).split("问题与整改", 2)[-1]
    for label, number in (("待整改", 2), ("整改中", 0), ("已整改", 1), ("逾期", 1), ("未销号", 2)):
        assert f"{label} {number}" in counts
    everything = table_text(client.get("/drills/problems"), "problems")
    assert all(d in everything for d in ("应急广播无法覆盖罐区", "洗消器材不足", "报警电话未张贴"))
    west = client.get(f"/drills/problems?town={owners['tree']['west'].id}")
    assert "没有符合条件的问题" in table_text(west, "problems")
    assert "待整改 0" in page_text(west) and "逾期 0" in page_text(west)  # the counts follow the filters
    assert "洗消器材不足" in table_text(client.get("/drills/problems?q=洗消"), "problems")
    # Excel of the list as filtered
    export = client.get("/drills/problems?status=unclosed&format=xlsx")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(export.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["演练名称", "演练日期", "组织单位", "所在乡镇", "发现的问题"]
    assert len(rows) == 3
    overdue_row = next(r for r in rows if r[4] == "应急广播无法覆盖罐区")
    header = rows[0]
    assert overdue_row[header.index("状态")] == "待整改" and overdue_row[header.index("逾期天数")] == 3
    assert overdue_row[header.index("所在乡镇")] == "东镇" and overdue_row[header.index("组织单位")] == "东镇化工有限公司"
    assert overdue_row[header.index("责任单位")] == "安全环保部"


def test_the_list_paginates(app, login, client, make_drill):
    drill = make_drill()
    for n in range(app.config["PAGE_SIZE"] + 3):
        rectification.add_problem(drill, _values(description=f"问题{n:02d}", due_on=local_today() + timedelta(days=n)))
    db.session.commit()
    login(Role.DRILL)
    first = client.get("/drills/problems")
    assert "共 23 条" in page_text(first) and table_text(first, "problems").count("问题") >= 20
    second = table_text(client.get("/drills/problems?page=2"), "problems")
    assert "问题22" in second and "问题00" not in second


def test_the_drill_page_lists_its_problems(app, login, client, make_drill, plan_in_force):
    drill = make_drill(plans=[plan_in_force])
    rectification.add_problem(drill, _values(description="应急广播无法覆盖罐区", due_on=drill.held_on,
                                             plan_id=plan_in_force.id))
    db.session.commit()
    login(Role.DRILL)
    page = client.get(f"/drills/{drill.id}")
    rows = table_text(page, "drill-problems")
    assert "应急广播无法覆盖罐区" in rows and "逾期 3 天" in rows and "待整改" in rows and plan_in_force.title in rows
    assert f"/drills/{drill.id}/problems/new" in page.get_data(as_text=True)


def test_readers_get_403_on_writes(app, login, client, problem):
    login(Role.LEADER)
    assert client.get(f"/drills/problems/{problem.id}").status_code == 200
    assert "整改销号" not in page_text(client.get(f"/drills/problems/{problem.id}"))
    drill_id = problem.drill_id
    for method, url, data in (
            ("get", f"/drills/{drill_id}/problems/new", None),
            ("post", f"/drills/{drill_id}/problems/new", _values()),
            ("post", f"/drills/problems/{problem.id}/edit", _values(responsible_unit="x")),
            ("post", f"/drills/problems/{problem.id}/start", None),
            ("post", f"/drills/problems/{problem.id}/evidence", {"evidence": (io.BytesIO(PDF), "a.pdf")}),
            ("post", f"/drills/problems/{problem.id}/close", {"closure_note": "x",
                                                              "closed_on": local_today().isoformat(),
                                                              "evidence": (io.BytesIO(PDF), "a.pdf")}),
            ("post", f"/drills/problems/{problem.id}/reopen", None)):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 403, url
    db.session.refresh(problem)
    assert problem.status == "open" and _count(ProblemEvidence) == 0 and _count(DrillProblem) == 1


def test_evidence_is_served_only_to_logged_in_users(app, login, client, problem, factory):
    evidence = rectification.add_evidence(problem, photo_bytes(), "IMG_0005.jpg")
    db.session.commit()
    anonymous = app.test_client()
    response = anonymous.get(f"/drills/evidence/{evidence.id}/full")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(Role.LEADER)
    served = client.get(f"/drills/evidence/{evidence.id}/full")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    served.close()
    assert client.post(f"/drills/evidence/{evidence.id}/delete").status_code == 403
    assert _count(ProblemEvidence) == 1
