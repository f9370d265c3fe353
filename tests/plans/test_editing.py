"""Editing a plan section by section: every save is a version and is sanitized; two reviewers
editing the same section never overwrite each other (the second save is refused with the other's
text shown and nothing lost); attachments with a size limit; open comments shown per section."""

import io
import re

from tests.conftest import PASSWORD, page_text, table_text
from webapp.auth.permissions import Role
from webapp.extensions import db
from webapp.plans.models import Plan, PlanAttachment, PlanComment, PlanSection, PlanStatus, PlanVersion


def textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, f"no textarea {name}"
    return found.group(1)


def hidden(html: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name}"
    return found.group(1)


def versions_of(plan: Plan) -> int:
    return db.session.scalar(db.select(db.func.count(PlanVersion.id)).where(PlanVersion.plan_id == plan.id))


def test_saving_a_section_makes_a_sanitized_new_version(client, login, make_plan):
    user = login(Role.PLAN_REVIEWER)
    plan = make_plan()
    section = plan.sections[3]  # 2 应急组织机构及职责
    page = client.get(f"/plans/{plan.id}/sections/{section.key}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert hidden(html, "base_revision") == "1"
    assert "应急指挥部" in textarea(html, "content")  # the outline's starter table, editable without JS
    assert "插入表格" in html and "表格加一行" in html and "js/plan_editor.js" in html

    content = ("<h1>2.1 应急指挥部</h1><p>总指挥：<b>总经理</b></p><script>alert(1)</script>"
               "<ol><li>组织救援</li></ol><table><tr><td>组长</td><td>张建国</td></tr></table>"
               '<p onclick="steal()">联系电话见附件</p>')
    response = client.post(f"/plans/{plan.id}/sections/{section.key}",
                           data={"title": "应急组织机构及职责", "content": content, "base_revision": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(PlanSection, section.id)
    assert saved.revision == 2 and saved.updated_by_id == user.id
    assert "<script" not in saved.content and "alert" not in saved.content and "onclick" not in saved.content
    assert "<b>总经理</b>" in saved.content or "<strong>总经理</strong>" in saved.content
    assert "<table>" in saved.content and "张建国" in saved.content and "<ol>" in saved.content
    plan = db.session.get(Plan, plan.id)
    assert plan.version_number == 2 and versions_of(plan) == 2
    latest = db.session.scalar(db.select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.number == 2))
    assert latest.note == "编辑 2 应急组织机构及职责" and latest.user_id == user.id
    assert "张建国" in next(s["content"] for s in latest.sections if s["key"] == section.key)

    after = client.get(f"/plans/{plan.id}/sections/{section.key}")
    assert "已保存" in page_text(after) and "第 2 版" in page_text(after)
    assert hidden(after.get_data(as_text=True), "base_revision") == "2"
    assert "测试用户" in table_text(client.get(f"/plans/{plan.id}"), "sections")  # last edited by


def test_save_and_go_to_the_next_section(client, login, make_plan):
    login(Role.PLAN_REVIEWER)
    plan = make_plan()
    first, second = plan.sections[1], plan.sections[2]
    response = client.post(f"/plans/{plan.id}/sections/{first.key}", data={
        "title": first.title, "content": "<p>本预案适用于本公司厂区内的危险化学品事故。</p>", "base_revision": "1",
        "action": "next"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/sections/{second.key}")
    page = page_text(client.get(response.headers["Location"]))
    assert "1.2 响应分级" in page and "1.1 适用范围" in page  # the previous-section link


def test_an_empty_title_is_refused_and_the_text_is_kept(client, login, make_plan):
    login(Role.PLAN_REVIEWER)
    plan = make_plan()
    section = plan.sections[1]
    page = client.post(f"/plans/{plan.id}/sections/{section.key}",
                       data={"title": " ", "content": "<p>我写的新内容</p>", "base_revision": "1"})
    assert page.status_code == 200 and "章节标题不能为空" in page_text(page)
    assert "我写的新内容" in textarea(page.get_data(as_text=True), "content")
    db.session.expire_all()
    assert db.session.get(PlanSection, section.id).revision == 1


def test_two_editors_the_second_save_is_refused_and_loses_nothing(app, client, make_plan, factory):
    first_user = factory.user(Role.PLAN_REVIEWER, username="wang")
    first_user.display_name = "王审核"
    factory.user(Role.PLAN_REVIEWER, username="li")
    db.session.commit()
    plan = make_plan()
    section = plan.sections[3]
    url = f"/plans/{plan.id}/sections/{section.key}"
    other = app.test_client()
    assert other.post("/login", data={"username": "li", "password": PASSWORD}).status_code == 302
    assert client.post("/login", data={"username": "wang", "password": PASSWORD}).status_code == 302

    # both open the section at revision 1
    assert hidden(client.get(url).get_data(as_text=True), "base_revision") == "1"
    assert hidden(other.get(url).get_data(as_text=True), "base_revision") == "1"
    # 王 saves first
    first = client.post(url, data={"title": section.title, "content": "<p>总指挥由总经理担任。</p>", "base_revision": "1"})
    assert first.status_code == 302
    # 李 saves from the stale revision
    second = other.post(url, data={"title": section.title, "content": "<p>总指挥由安全副总担任。</p>", "base_revision": "1"})
    assert second.status_code == 409
    text = page_text(second)
    assert "保存失败：王审核 已在您打开后修改了本节" in text
    html = second.get_data(as_text=True)
    theirs = html.split('data-testid="their-content"', 1)[1].split("</div>", 1)[0]
    assert "总指挥由总经理担任。" in theirs  # the other's saved text, shown read-only
    assert "总指挥由安全副总担任。" in textarea(html, "content")  # the user's own text, still in the editor
    assert hidden(html, "base_revision") == "2"  # the revision to save against, deliberately

    db.session.expire_all()
    saved = db.session.get(PlanSection, section.id)
    assert saved.revision == 2 and "总指挥由总经理担任。" in saved.content  # the first save intact
    assert versions_of(plan) == 2  # nothing written by the second save

    # saving again against the new revision goes through
    again = other.post(url, data={"title": section.title, "content": "<p>总指挥由总经理担任，安全副总协助。</p>",
                                  "base_revision": "2"})
    assert again.status_code == 302
    db.session.expire_all()
    assert "安全副总协助" in db.session.get(PlanSection, section.id).content and versions_of(plan) == 3


def test_a_withdrawn_plan_cannot_be_edited(client, login, make_plan):
    login(Role.PLAN_REVIEWER)
    plan = make_plan()
    plan.status = PlanStatus.WITHDRAWN.value
    db.session.commit()
    section = plan.sections[1]
    page = client.get(f"/plans/{plan.id}/sections/{section.key}")
    assert "预案已废止，不能再编辑" in page_text(page) and "data-plan-editor" not in page.get_data(as_text=True)
    refused = client.post(f"/plans/{plan.id}/sections/{section.key}",
                          data={"title": section.title, "content": "<p>新内容</p>", "base_revision": "1"})
    assert refused.status_code == 200 and "预案已废止，不能再编辑" in page_text(refused)
    db.session.expire_all()
    assert db.session.get(PlanSection, section.id).revision == 1


def test_open_comments_are_counted_in_the_contents_and_listed_on_the_section(client, login, make_plan):
    user = login(Role.PLAN_REVIEWER)
    plan = make_plan()
    section = plan.sections[5]  # 3.1 信息报告
    thread = PlanComment(plan_id=plan.id, section_key=section.key, body="未写明向县应急管理局报告的时限", user_id=user.id)
    db.session.add(thread)
    db.session.flush()
    db.session.add_all([
        PlanComment(plan_id=plan.id, section_key=section.key, parent_id=thread.id, body="补充：1 小时内", user_id=user.id),
        PlanComment(plan_id=plan.id, section_key=section.key, body="已处理的意见", resolved=True, user_id=user.id),
        PlanComment(plan_id=plan.id, section_key=plan.sections[1].key, body="适用范围过窄", user_id=user.id)])
    db.session.commit()
    toc = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    row = [r for r in toc.split("<tr>") if "3.1 信息报告" in r][0]
    assert re.search(r">\s*1\s*</a>", row)  # one open thread (the reply and the resolved one do not count)
    page = client.get(f"/plans/{plan.id}/sections/{section.key}").get_data(as_text=True)
    comments = page.split('data-testid="section-comments"', 1)[1].split("</ul>", 1)[0]
    assert "未写明向县应急管理局报告的时限" in comments
    assert "已处理的意见" not in comments and "适用范围过窄" not in comments


def test_attachments_add_upload_download_and_remove(app, client, login, make_plan):
    login(Role.PLAN_REVIEWER)
    plan = make_plan(title="东镇城区防汛应急预案", kind="gov_special", hazard="natural", subtype="洪涝灾害")
    assert plan.attachments == []
    response = client.post(f"/plans/{plan.id}/attachments", data={"title": "城区易涝点分布图"})
    assert response.status_code == 302
    attachment = db.session.scalar(db.select(PlanAttachment).where(PlanAttachment.plan_id == plan.id))
    assert attachment.title == "城区易涝点分布图"
    duplicate = client.post(f"/plans/{plan.id}/attachments", data={"title": "城区易涝点分布图"}, follow_redirects=True)
    assert "附件“城区易涝点分布图”已在列表中" in page_text(duplicate)

    upload = client.post(f"/plans/{plan.id}/attachments/{attachment.id}/file",
                         data={"file": (io.BytesIO(b"%PDF-1.4 map"), "易涝点.pdf")}, content_type="multipart/form-data")
    assert upload.status_code == 302
    db.session.expire_all()
    attachment = db.session.get(PlanAttachment, attachment.id)
    assert attachment.filename == "易涝点.pdf" and attachment.size == 12 and attachment.storage_key.endswith(".pdf")
    detail = page_text(client.get(f"/plans/{plan.id}"))
    assert "易涝点.pdf" in detail
    download = client.get(f"/plans/{plan.id}/attachments/{attachment.id}/file")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 map"
    download.close()

    app.config["PLAN_ATTACHMENT_MAX_BYTES"] = 1024
    too_big = client.post(f"/plans/{plan.id}/attachments/{attachment.id}/file",
                          data={"file": (io.BytesIO(b"x" * 2000), "大图.dwg")}, content_type="multipart/form-data",
                          follow_redirects=True)
    assert "文件超过 1 KB 的上限" in page_text(too_big)
    db.session.expire_all()
    attachment = db.session.get(PlanAttachment, attachment.id)
    assert attachment.filename == "易涝点.pdf" and attachment.size == 12  # the earlier file is kept

    removed = client.post(f"/plans/{plan.id}/attachments/{attachment.id}/delete")
    assert removed.status_code == 302
    assert db.session.scalar(db.select(db.func.count(PlanAttachment.id))) == 0


def test_a_save_from_a_stale_revision_is_refused_even_when_the_row_in_memory_looks_current(app, make_plan, factory):
    # Two requests that both read revision 1: the first save wins, the second must not overwrite it.
    from webapp.plans import services

    first, second = factory.user(Role.PLAN_REVIEWER), factory.user(Role.PLAN_REVIEWER)
    plan = make_plan(user=first)
    section = plan.sections[0]
    db.session.execute(db.update(PlanSection).where(PlanSection.id == section.id)
                       .values(revision=2, content="<p>甲保存的内容</p>", updated_by_id=first.id))
    # `section` in this session still says revision 1, as the second request's copy would
    try:
        services.save_section(section, "<p>乙的内容</p>", 1, second)
    except services.EditConflict as exc:
        assert "已在您打开后修改了本节" in exc.message
    else:
        raise AssertionError("the stale save went through")
    db.session.expire_all()
    saved = db.session.get(PlanSection, section.id)
    assert (saved.revision, saved.content) == (2, "<p>甲保存的内容</p>")
    assert versions_of(plan) == 1


def test_a_withdrawn_plans_attachments_cannot_change(client, login, make_plan):
    login(Role.PLAN_REVIEWER)
    plan = make_plan()
    plan.status = PlanStatus.WITHDRAWN.value
    db.session.commit()
    count = len(plan.attachments)
    assert count  # an enterprise plan starts with the GB/T 29639-2020 annex list
    response = client.post(f"/plans/{plan.id}/attachments", data={"title": "新增的附件"}, follow_redirects=True)
    assert "预案已废止，附件不能再修改" in page_text(response)
    attachment = plan.attachments[0]
    response = client.post(f"/plans/{plan.id}/attachments/{attachment.id}/delete", follow_redirects=True)
    assert "预案已废止，附件不能再修改" in page_text(response)
    response = client.post(f"/plans/{plan.id}/attachments/{attachment.id}/file",
                           data={"file": (io.BytesIO(b"%PDF-1.4"), "a.pdf")}, follow_redirects=True)
    assert "预案已废止，附件不能再修改" in page_text(response)
    db.session.expire_all()
    assert len(db.session.get(Plan, plan.id).attachments) == count
