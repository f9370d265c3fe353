"""The drill officer's pages: recording a drill with its plans, timeline and field photos in one
go, editing it, the list (filters, counts, Excel), the year's drill plan, the phase buttons, and
every bad input refused with its Chinese message and nothing written."""

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select

from tests.conftest import page_text, table_text
from tests.drills.conftest import photo_bytes
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.drills.models import Drill, DrillPhoto, DrillStep
from webapp.extensions import db
from webapp.plans import services as plan_services
from webapp.plans.models import PlanKind, PlanStatus
from webapp.registry.models import OrgKind

TODAY = local_today()
STEPS = [("09:00", "2号液氨储罐出口阀门泄漏，现场人员报警", "中控室启动现场处置方案"),
         ("09:05", "应急小组到场", "设置警戒区，佩戴空气呼吸器关阀堵漏"),
         ("09:30", "泄漏得到控制", "清点人数，宣布演练结束")]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_files(app) -> list[Path]:
    folder = Path(app.config["STORAGE_DIR"]) / "drill-photos"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def drill_form(owner, plans=(), steps=(), **overrides) -> dict:
    """The drill form as an officer fills it in after a field drill three days ago."""
    data = {"title": "2026年液氨泄漏事故现场处置演练", "organization_id": str(owner.id),
            "plan_ids": [str(p.id) for p in plans], "industry": "", "hazard": "accident",
            "hazard_subtype": "危险化学品事故", "form_org": "field", "form_content": "single",
            "form_purpose": "inspection", "status": "conducted", "planned_on": "",
            "held_on": (TODAY - timedelta(days=3)).isoformat(), "start_time": "09:00", "duration_minutes": "45",
            "location": "公司罐区", "purpose": "检验现场处置方案的可操作性", "scenario": "液氨储罐阀门泄漏",
            "safety_measures": "设置安全员两名，救护车现场待命", "commander": "张建国", "recorder": "陈静",
            "participants": "36", "participant_units": "3", "units": "东镇化工有限公司\n东镇消防救援站",
            "observers": "县应急管理局 李科长", "resources": "正压式空气呼吸器 6 套、堵漏工具 1 套"}
    if steps:
        data["step_at"], data["step_event"], data["step_action"] = (list(column) for column in zip(*steps, strict=True))
    return data | overrides


def fetch(client, url):
    """GET a file (a photo is sent from disk: the response holds the file open until closed)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def add_photo(client, login, drill) -> DrillPhoto:
    """A photo uploaded by a drill officer, who then logs out."""
    login(Role.DRILL)
    response = client.post(f"/drills/{drill.id}/photos", content_type="multipart/form-data",
                           data={"photos": [(io.BytesIO(photo_bytes()), "a.jpg")]})
    assert response.status_code == 302
    client.post("/logout")
    return db.session.scalar(select(DrillPhoto).order_by(DrillPhoto.id.desc()))


def listed(response) -> list[str]:
    """The drill titles of the list page, in order."""
    html = response.get_data(as_text=True).split('data-testid="drills"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/drills/\d+">([^<]+)</a>', html)


def withdrawn_plan(make_plan, title="东镇化工有限公司液氨泄漏专项应急预案（2019版）"):
    plan = make_plan(title=title, kind=PlanKind.ENT_SPECIAL)
    plan_services.change_status(plan, PlanStatus.WITHDRAWN.value)
    db.session.commit()
    return plan


# ------------------------------------------------------------------------------ recording a drill


def test_officer_records_a_drill_with_timeline_and_photos_in_one_go(app, client, login, owners, plan_in_force):
    login(Role.DRILL)
    big = photo_bytes(4000, 3000)  # a phone photo: 4000 pixels wide
    data = drill_form(owners["enterprise"], plans=[plan_in_force], steps=STEPS + [("", "", "")])
    data["photos"] = [(io.BytesIO(big), "IMG_0001.jpg"), (io.BytesIO(photo_bytes(800, 1200, "PNG")), "IMG_0002.png")]
    response = client.post("/drills/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, page_text(response)
    drill = db.session.scalar(select(Drill))
    assert response.headers["Location"].endswith(f"/drills/{drill.id}")
    assert (drill.title, drill.status, drill.held_on, drill.participants, drill.participant_units) == (
        "2026年液氨泄漏事故现场处置演练", "conducted", TODAY - timedelta(days=3), 36, 3)
    assert drill.industry == "危险化学品" and drill.town_id == owners["town"].id  # from the organizer
    assert [p.id for p in drill.plans] == [plan_in_force.id]
    assert [(s.position, s.at, s.event, s.action) for s in drill.steps] == [
        (i, *step) for i, step in enumerate(STEPS, 1)]

    photos = db.session.scalars(select(DrillPhoto).order_by(DrillPhoto.id)).all()
    assert [(p.width, p.height) for p in photos] == [(1600, 1200), (800, 1200)]  # resized to ≤ 1600 px
    assert len(stored_files(app)) == 4  # each photo and its thumbnail
    full = fetch(client, f"/drills/photos/{photos[0].id}/full")
    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(full.data)).size == (1600, 1200)
    thumb = fetch(client, f"/drills/photos/{photos[0].id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.data)).size) <= app.config["PHOTO_THUMB_SIDE"]
    assert "private" in thumb.headers["Cache-Control"] and "max-age=" in thumb.headers["Cache-Control"]
    assert "public" not in thumb.headers["Cache-Control"]  # behind the login: no shared cache keeps it

    page = client.get(f"/drills/{drill.id}")
    text = page_text(page)
    assert "已保存演练“2026年液氨泄漏事故现场处置演练”（实施，照片 2 张）" in text
    assert "实战演练（单项演练、检验性演练）" in text and "36 人，3 个单位" in text
    assert "东镇消防救援站" in text and "正压式空气呼吸器 6 套" in text
    timeline = table_text(page, "timeline")
    assert timeline.index("09:00") < timeline.index("应急小组到场") < timeline.index("宣布演练结束")
    html = page.get_data(as_text=True)
    assert f'href="/plans/{plan_in_force.id}"' in html
    assert f'src="/drills/photos/{photos[0].id}/thumb"' in html and f'href="/drills/photos/{photos[0].id}/full"' in html


def test_the_form_offers_the_organizers_plans_first_and_no_withdrawn_plan(app, client, login, owners, make_plan):
    town_plan = make_plan(title="东镇突发事件总体应急预案", kind=PlanKind.GOV_OVERALL, hazard="natural", subtype="洪涝灾害")
    own = make_plan(title="东镇化工有限公司生产安全事故综合应急预案")
    old = withdrawn_plan(make_plan)
    login(Role.DRILL)
    html = client.get(f"/drills/new?org={owners['enterprise'].id}").get_data(as_text=True)
    plans = html.split('data-plan-select')[1].split("</select>")[0]
    assert plans.index(f'data-org="{owners["enterprise"].id}"') < plans.index(f'data-org="{owners["town"].id}"')
    assert plans.index(own.title) < plans.index(town_plan.title)
    assert old.title not in plans
    assert 'accept="image/*"' in html and 'capture="environment"' in html and "multiple" in html
    # a plan's "record a drill" link starts from the plan: its owner and its hazard
    html = client.get(f"/drills/new?plan={town_plan.id}").get_data(as_text=True)
    organizer = html.split('name="organization_id"')[1].split("</select>")[0]
    assert re.findall(r'selected value="(\d+)"', organizer) == [str(owners["town"].id)]
    assert f'<option value="{town_plan.id}" selected>' in html


def test_a_planned_drill_needs_only_its_plan_date(app, client, login, owners):
    login(Role.DRILL)
    data = drill_form(owners["town"], title="东镇2026年防汛应急演练", hazard="natural", hazard_subtype="洪涝灾害",
                      status="planned", held_on="", planned_on=(TODAY + timedelta(days=30)).isoformat(),
                      participants="", participant_units="")
    db.session.expunge_all()  # as on a server, where the request starts with no organization loaded
    response = client.post("/drills/new", data=data)
    assert response.status_code == 302
    drill = db.session.scalar(select(Drill))
    assert (drill.status, drill.held_on, drill.planned_on, drill.participants) == (
        "planned", None, TODAY + timedelta(days=30), 0)
    assert drill.industry is None  # a town has no industry


def test_a_drill_page_says_when_it_was_held_or_when_it_is_planned(client, login, make_drill):
    held = make_drill()
    planned = make_drill(status="planned", held_on=None, planned_on=TODAY + timedelta(days=30), participants=0,
                         start_time="14:30", duration_minutes=50)
    login(Role.DRILL)

    def held_on(drill) -> str:
        html = client.get(f"/drills/{drill.id}").get_data(as_text=True)
        return html.split('data-testid="held-on">', 1)[1].split("</dd>", 1)[0].strip()

    assert held_on(held) == f"{held.held_on} 09:00，历时 45 分钟"
    assert held_on(planned) == "尚未实施（计划 14:30 开始，预计 50 分钟）"


def test_editing_changes_the_fields_and_replaces_the_timeline(app, client, login, owners, make_drill, plan_in_force):
    drill = make_drill(plans=[plan_in_force], steps=[{"at": "09:00", "event": "报警", "action": "启动预案"}])
    login(Role.DRILL)
    page = client.get(f"/drills/{drill.id}/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="报警"' in html and f'<option value="{plan_in_force.id}" selected>' in html
    assert html.count('name="step_at"') == 8  # the row recorded and seven blank ones
    # the plan is withdrawn later: the drill did exercise it, so it stays linked on the next save
    plan_services.change_status(plan_in_force, PlanStatus.WITHDRAWN.value)
    db.session.commit()
    response = client.post(f"/drills/{drill.id}/edit", data=drill_form(
        owners["enterprise"], plans=[plan_in_force], steps=[("08:50", "集结点名", ""), ("", "", ""),
                                                            ("09:10", "模拟泄漏", "关闭紧急切断阀")],
        title="液氨泄漏现场处置演练（修订）", participants="42", form_org="tabletop", industry="其他"))
    assert response.status_code == 302, page_text(response)
    db.session.expire_all()
    drill = db.session.get(Drill, drill.id)
    assert (drill.title, drill.participants, drill.form_org, drill.industry) == (
        "液氨泄漏现场处置演练（修订）", 42, "tabletop", "其他")
    assert [(s.at, s.event, s.action) for s in drill.steps] == [("08:50", "集结点名", ""), ("09:10", "模拟泄漏", "关闭紧急切断阀")]
    assert count(DrillStep) == 2
    assert [p.id for p in drill.plans] == [plan_in_force.id]
    assert "已保存演练“液氨泄漏现场处置演练（修订）”" in page_text(client.get(f"/drills/{drill.id}"))


# ------------------------------------------------------------------------------ bad input


def test_a_drill_dated_in_the_future_cannot_be_recorded_as_held(app, client, login, owners):
    login(Role.DRILL)
    tomorrow = TODAY + timedelta(days=1)
    data = drill_form(owners["enterprise"], steps=STEPS, held_on=tomorrow.isoformat())
    data["photos"] = [(io.BytesIO(photo_bytes()), "IMG_0001.jpg")]
    response = client.post("/drills/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    text = page_text(response)
    assert f"实施日期 {tomorrow} 在今天之后：尚未举行的演练请将状态设为“计划”或“准备”" in text
    assert "所选照片也未上传" in text  # a file input cannot be refilled: the officer is told to choose again
    assert 'value="应急小组到场"' in response.get_data(as_text=True)  # the timeline typed is kept
    assert count(Drill) == count(DrillStep) == count(DrillPhoto) == 0 and stored_files(app) == []


def test_a_withdrawn_plan_is_refused_by_name(app, client, login, owners, make_plan):
    plan = withdrawn_plan(make_plan)
    login(Role.DRILL)
    response = client.post("/drills/new", data=drill_form(owners["enterprise"], plans=[plan], steps=STEPS))
    assert response.status_code == 200
    assert "预案《东镇化工有限公司液氨泄漏专项应急预案（2019版）》已废止，不能作为演练依据；请选择现行预案" in page_text(response)
    assert count(Drill) == count(DrillStep) == 0


@pytest.mark.parametrize(("field", "value", "message"), [
    ("participants", "-5", "参演人数不能为负数"),
    ("participant_units", "-1", "参演单位数不能为负数"),
    ("participants", "三十", "参演人数应为整数"),
    ("duration_minutes", "0", "演练时长应在 1 至 1440 分钟之间"),
    ("held_on", "2026-02-30", "不是有效的日期值"),
])
def test_bad_numbers_and_dates_are_named_and_nothing_is_written(app, client, login, owners, field, value, message):
    login(Role.DRILL)
    response = client.post("/drills/new", data=drill_form(owners["enterprise"], steps=STEPS, **{field: value}))
    assert response.status_code == 200
    assert message in page_text(response)
    assert count(Drill) == count(DrillStep) == 0


def test_a_bad_timeline_row_is_named(app, client, login, owners):
    login(Role.DRILL)
    response = client.post("/drills/new", data=drill_form(owners["enterprise"], steps=[
        ("09:00", "报警", ""), ("", "", ""), ("", "人员疏散", "")]))
    assert "演练过程第 3 行：时间格式应为 时:分，例如 09:05" in page_text(response)
    assert count(Drill) == count(DrillStep) == 0


def test_a_file_that_is_not_a_picture_saves_nothing_not_even_the_good_photo_before_it(app, client, login, owners):
    login(Role.DRILL)
    data = drill_form(owners["enterprise"], steps=STEPS)
    data["photos"] = [(io.BytesIO(photo_bytes()), "IMG_0001.jpg"), (io.BytesIO("演练签到表".encode()), "签到表.jpg")]
    response = client.post("/drills/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    text = page_text(response)
    assert "第 2 张照片（签到表.jpg）：演练照片不是有效的图片文件（请使用 PNG 或 JPG）" in text
    assert "所选照片也未上传" in text
    assert count(Drill) == count(DrillStep) == count(DrillPhoto) == 0
    assert stored_files(app) == []  # the first photo was stored, then deleted again


def test_the_photo_limit_is_under_the_request_limit(app):
    # the photo rule speaks first: a photo over it gets the photo's message, not the 413 page
    assert app.config["PHOTO_MAX_BYTES"] == 15 * 1024 * 1024 < app.config["MAX_CONTENT_LENGTH"]


def over_the_limit(app) -> bytes:
    """A valid JPEG padded past the photo limit, lowered for the test: werkzeug's test client
    spools a body over 500 KB to a temporary file it never closes (a ResourceWarning here)."""
    app.config["PHOTO_MAX_BYTES"] = 200 * 1024
    return photo_bytes(600, 400) + b"\0" * app.config["PHOTO_MAX_BYTES"]


def test_a_photo_over_the_size_limit_saves_nothing(app, client, login, owners):
    login(Role.DRILL)
    data = drill_form(owners["enterprise"], steps=STEPS)
    data["photos"] = [(io.BytesIO(photo_bytes()), "DSC_9998.jpg"), (io.BytesIO(over_the_limit(app)), "DSC_9999.jpg")]
    response = client.post("/drills/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "第 2 张照片（DSC_9999.jpg）：演练照片超过 200 KB 的上限，请压缩后再上传" in page_text(response)
    assert count(Drill) == count(DrillStep) == count(DrillPhoto) == 0 and stored_files(app) == []


# ------------------------------------------------------------------------------ photos on the drill page


def test_photos_are_added_and_deleted_on_the_drill_page(app, client, login, make_drill):
    drill = make_drill()
    login(Role.DRILL)
    response = client.post(f"/drills/{drill.id}/photos", content_type="multipart/form-data", data={
        "caption": "堵漏组关阀", "photos": [(io.BytesIO(photo_bytes(2000, 1500)), "a.jpg"),
                                        (io.BytesIO(photo_bytes(640, 480, "PNG")), "b.png")]})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/drills/{drill.id}#photos")
    photos = db.session.scalars(select(DrillPhoto).order_by(DrillPhoto.id)).all()
    assert [(p.width, p.caption) for p in photos] == [(1600, "堵漏组关阀"), (640, "堵漏组关阀")]
    assert "已上传 2 张照片" in page_text(client.get(f"/drills/{drill.id}"))

    response = client.post(f"/drills/photos/{photos[0].id}/delete")
    assert response.status_code == 302
    assert [p.id for p in db.session.scalars(select(DrillPhoto))] == [photos[1].id]
    assert len(stored_files(app)) == 2  # the deleted photo's file and thumbnail are gone
    assert client.get(f"/drills/photos/{photos[0].id}/full").status_code == 404


@pytest.mark.parametrize(("content", "message"), [
    (lambda app: b"not an image", "第 2 张照片（说明.jpg）：演练照片不是有效的图片文件"),
    (over_the_limit, "第 2 张照片（说明.jpg）：演练照片超过 200 KB 的上限"),
])
def test_a_bad_photo_on_the_drill_page_adds_no_photo(app, client, login, make_drill, content, message):
    content = content(app)
    drill = make_drill()
    login(Role.DRILL)
    response = client.post(f"/drills/{drill.id}/photos", content_type="multipart/form-data", data={
        "photos": [(io.BytesIO(photo_bytes()), "a.jpg"), (io.BytesIO(content), "说明.jpg")]})
    assert response.status_code == 302
    text = page_text(client.get(f"/drills/{drill.id}"))
    assert message in text and "本次选择的照片都未保存" in text
    assert count(DrillPhoto) == 0 and stored_files(app) == []


def test_the_photo_limit_per_drill_is_kept(app, client, login, make_drill):
    app.config["DRILL_PHOTOS_PER_DRILL"] = 2
    drill = make_drill()
    login(Role.DRILL)
    response = client.post(f"/drills/{drill.id}/photos", content_type="multipart/form-data", data={
        "photos": [(io.BytesIO(photo_bytes(300, 200)), f"{n}.jpg") for n in range(3)]})
    assert response.status_code == 302
    assert "每次演练最多保存 2 张照片，本次选择了 3 张" in page_text(client.get(f"/drills/{drill.id}"))
    assert count(DrillPhoto) == 0 and stored_files(app) == []


def test_a_photo_url_that_names_nothing_is_a_404(app, client, login, make_drill):
    photo = add_photo(client, login, make_drill())
    login(Role.LEADER)
    assert client.get("/drills/photos/12345/full").status_code == 404
    assert client.get("/drills/photos/99999999999/thumb").status_code == 404
    assert client.get(f"/drills/photos/{photo.id}/original").status_code == 404
    assert fetch(client, f"/drills/photos/{photo.id}/full").status_code == 200


# ------------------------------------------------------------------------------ phases


def test_the_phase_buttons_move_a_drill_and_refuse_a_future_date(app, client, login, make_drill):
    planned_on = TODAY - timedelta(days=1)
    drill = make_drill(status="planned", held_on=None, planned_on=planned_on)
    login(Role.DRILL)
    page = page_text(client.get(f"/drills/{drill.id}"))
    assert "进入“准备”阶段" in page and "标记为已实施" in page

    assert client.post(f"/drills/{drill.id}/status", data={"to": "preparing"}).status_code == 302
    assert db.session.get(Drill, drill.id).status == "preparing"
    assert "演练状态已改为“准备”" in page_text(client.get(f"/drills/{drill.id}"))

    tomorrow = TODAY + timedelta(days=1)
    client.post(f"/drills/{drill.id}/status", data={"to": "conducted", "held_on": tomorrow.isoformat()})
    assert f"实施日期 {tomorrow} 在今天之后，尚未举行的演练不能标记为“实施”" in page_text(client.get(f"/drills/{drill.id}"))
    client.post(f"/drills/{drill.id}/status", data={"to": "conducted", "held_on": "昨天"})
    assert "实施日期“昨天”格式不正确" in page_text(client.get(f"/drills/{drill.id}"))
    db.session.expire_all()
    assert (db.session.get(Drill, drill.id).status, db.session.get(Drill, drill.id).held_on) == ("preparing", None)

    client.post(f"/drills/{drill.id}/status", data={"to": "conducted", "held_on": planned_on.isoformat()})
    db.session.expire_all()
    drill = db.session.get(Drill, drill.id)
    assert (drill.status, drill.held_on) == ("conducted", planned_on)

    client.post(f"/drills/{drill.id}/status", data={"to": "evaluating"})
    page = page_text(client.get(f"/drills/{drill.id}"))
    assert "演练尚未评估，不能改为“评估”；请先填写评估表" in page and "填写评估表" in page
    db.session.expire_all()
    assert db.session.get(Drill, drill.id).status == "conducted"


# ------------------------------------------------------------------------------ the list


def test_the_list_filters_counts_and_exports(app, client, login, owners, factory, make_drill, plan_in_force):
    west_ent = factory.org("西镇商贸城", OrgKind.ENTERPRISE, owners["tree"]["v2"], industry="人员密集场所")
    make_drill(plans=[plan_in_force], steps=[{"at": "09:00", "event": "报警"}, {"at": "09:10", "event": "疏散"}],
               held_on=TODAY)
    make_drill(title="商场火灾疏散桌面推演", organization_id=west_ent.id, form_org="tabletop", hazard_subtype="火灾事故",
               location="商贸城三楼会议室", held_on=TODAY - timedelta(days=20))
    make_drill(title="东镇防汛应急演练", organization_id=owners["town"].id, hazard="natural", hazard_subtype="洪涝灾害",
               status="planned", held_on=None, planned_on=TODAY, participants=0)
    make_drill(title="两年前的液氨泄漏演练", held_on=date(TODAY.year - 2, 6, 1))
    login(Role.LEADER)

    def titles(**args) -> list[str]:
        page = client.get("/drills/", query_string=args)
        assert page.status_code == 200
        return listed(page)

    assert titles() == ["东镇防汛应急演练", "2026年液氨泄漏事故现场处置演练", "商场火灾疏散桌面推演", "两年前的液氨泄漏演练"]
    assert titles(form_org="tabletop") == ["商场火灾疏散桌面推演"]
    assert titles(town=owners["town"].id) == ["东镇防汛应急演练", "2026年液氨泄漏事故现场处置演练", "两年前的液氨泄漏演练"]
    assert titles(org=owners["enterprise"].id) == ["2026年液氨泄漏事故现场处置演练", "两年前的液氨泄漏演练"]
    assert titles(year=TODAY.year - 2) == ["两年前的液氨泄漏演练"]
    assert titles(status="planned") == ["东镇防汛应急演练"]
    assert titles(hazard="natural") == ["东镇防汛应急演练"]
    assert titles(industry="人员密集场所") == ["商场火灾疏散桌面推演"]
    assert titles(q="三楼会议室") == ["商场火灾疏散桌面推演"]  # the place is searched too
    assert titles(q="液氨", year=TODAY.year - 2) == ["两年前的液氨泄漏演练"]
    only_plan = client.get("/drills/", query_string={"plan": plan_in_force.id})
    assert "只显示演练预案《东镇化工有限公司液氨泄漏现场处置方案》的演练" in page_text(only_plan)
    assert listed(only_plan) == ["2026年液氨泄漏事故现场处置演练"]

    counts = page_text(client.get("/drills/", query_string={"town": owners["town"].id}))
    assert "计划 1" in counts and "实施 2" in counts and "评估 0" in counts

    export = client.get("/drills/", query_string={"format": "xlsx", "town": owners["town"].id, "year": TODAY.year})
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(export.data)).active.values)
    header = rows[0]
    assert header[:4] == ("序号", "演练名称", "组织单位", "单位类型")
    for needed in ("所在乡镇（街道）", "组织形式", "实施日期", "演练的预案", "参演人数", "参演单位数", "演练情景",
                   "照片（张）", "评估等级", "未整改问题"):
        assert needed in header
    record = {title: dict(zip(header, row, strict=True)) for title, row in ((r[1], r) for r in rows[1:])}
    assert set(record) == {"2026年液氨泄漏事故现场处置演练", "东镇防汛应急演练"}
    held = record["2026年液氨泄漏事故现场处置演练"]
    assert (held["组织单位"], held["所在乡镇（街道）"], held["行业类型"], held["组织形式"], held["状态"]) == (
        "东镇化工有限公司", "东镇", "危险化学品", "实战演练", "实施")
    assert held["演练的预案"] == "东镇化工有限公司液氨泄漏现场处置方案"
    assert (held["参演人数"], held["参演单位数"], held["演练过程（条）"], held["照片（张）"]) == (36, 3, 2, 0)
    assert held["实施日期"] == TODAY.isoformat()
    assert record["东镇防汛应急演练"]["计划日期"] == TODAY.isoformat()


# ------------------------------------------------------------------------------ the year's drill plan


def test_the_year_plan_lists_each_units_planned_and_held_drills(app, client, login, owners, make_drill):
    year = TODAY.year
    make_drill(title="液氨泄漏现场处置演练", held_on=date(year, 1, 1) if TODAY > date(year, 1, 1) else TODAY)
    make_drill(title="全厂综合应急演练", status="planned", held_on=None, planned_on=date(year, 12, 31))
    make_drill(title="东镇防汛应急演练", organization_id=owners["town"].id, hazard="natural", hazard_subtype="洪涝灾害",
               status="preparing", held_on=None, planned_on=date(year, 12, 30))
    make_drill(title="去年的演练", held_on=date(year - 1, 5, 1))
    login(Role.LEADER)

    page = client.get("/drills/year-plan", query_string={"year": year})
    assert page.status_code == 200
    text = page_text(page)
    assert f"{year}年度应急演练计划" in text and "去年的演练" not in text
    ent = table_text(page, f"plan-{owners['enterprise'].id}")
    assert ent.index("液氨泄漏现场处置演练") < ent.index("全厂综合应急演练")  # in date order
    assert "计划 2 次，已实施 1 次" in text and "计划 1 次，已实施 0 次" in text
    assert "东镇防汛应急演练" in table_text(page, f"plan-{owners['town'].id}")
    totals = page_text(page).split("组织单位", 1)[1]
    assert "演练（计划与已实施） 3" in totals and "已实施 1" in totals and "未实施 2" in totals

    west = page_text(client.get("/drills/year-plan", query_string={"year": year, "town": owners["tree"]["west"].id}))
    assert "没有符合条件的演练" in west
    only_town = client.get("/drills/year-plan", query_string={"year": year, "org": owners["town"].id})
    assert "液氨" not in page_text(only_town) and "东镇防汛应急演练" in page_text(only_town)
    assert "去年的演练" in page_text(client.get("/drills/year-plan", query_string={"year": year - 1}))
    assert "年份“abc”不正确" in page_text(client.get("/drills/year-plan?year=abc"))

    export = client.get("/drills/year-plan", query_string={"year": year, "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.data)).active.values)
    assert rows[0][:5] == ("组织单位", "单位类型", "所在乡镇（街道）", "序号", "演练名称")
    assert [(r[0], r[4], r[11]) for r in rows[1:]] == [
        ("东镇", "东镇防汛应急演练", "准备"),
        ("东镇化工有限公司", "液氨泄漏现场处置演练", "实施"), ("东镇化工有限公司", "全厂综合应急演练", "计划")]


# ------------------------------------------------------------------------------ readers


def test_a_leader_reads_everything_but_changes_nothing(app, client, login, owners, make_drill):
    drill = make_drill(steps=[{"at": "09:00", "event": "报警"}])
    photo = add_photo(client, login, drill)
    login(Role.LEADER)
    for url in ("/drills/", f"/drills/{drill.id}", "/drills/year-plan", f"/drills/photos/{photo.id}/thumb"):
        assert fetch(client, url).status_code == 200, url
    page = client.get(f"/drills/{drill.id}").get_data(as_text=True)
    assert "修改演练信息" not in page and "上传照片" not in page and "标记为已实施" not in page
    assert "记录演练" not in page_text(client.get("/drills/"))
    assert client.get("/drills/new").status_code == 403
    assert client.get(f"/drills/{drill.id}/edit").status_code == 403
    writes = [("/drills/new", drill_form(owners["enterprise"])),
              (f"/drills/{drill.id}/edit", drill_form(owners["enterprise"], title="改名")),
              (f"/drills/{drill.id}/status", {"to": "planned"}),
              (f"/drills/{drill.id}/photos", {"photos": [(io.BytesIO(photo_bytes()), "b.jpg")]}),
              (f"/drills/photos/{photo.id}/delete", {})]
    for url, data in writes:
        response = client.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code == 403 and "没有权限" in page_text(response), url
    db.session.expire_all()
    assert count(Drill) == 1 and count(DrillPhoto) == 1
    assert db.session.get(Drill, drill.id).title == "2026年液氨泄漏事故现场处置演练"
    assert db.session.get(Drill, drill.id).status == "conducted"
