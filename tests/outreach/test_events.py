"""The outreach officer's event pages: recording an event with its materials and field photos in
one go (the venue type first, then that type's places by town), correcting it, the list (filters,
totals, Excel), photos on the event's page, and every bad input refused with its Chinese message
and nothing written."""

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select

from tests.conftest import page_text, table_text
from tests.outreach.conftest import photo_bytes, venue
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.outreach import services
from webapp.outreach.models import Event, EventMaterial, EventPhoto

TODAY = local_today()
MATERIALS = [("宣传册", "200"), ("宣传单", "300"), ("", ""), ("应急包", "20")]


@pytest.fixture(autouse=True)
def shipped_types(app):
    """The shipped venue types, kept (as the pages keep them on first use)."""
    services.ensure_venue_types()
    db.session.commit()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_files(app) -> list[Path]:
    folder = Path(app.config["STORAGE_DIR"]) / "outreach-photos"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def event_form(place, key: str, materials=MATERIALS, **overrides) -> dict:
    """The event form as an officer fills it in after a lecture in a village two days ago."""
    data = {"venue_type_id": str(venue(key).id), "place_id": str(place.id) if place is not None else "",
            "held_on": (TODAY - timedelta(days=2)).isoformat(), "campaign_id": "", "organizer_id": "",
            "forms": ["讲座", "发放资料"], "audience": "85", "households": "", "partners": "县消防救援大队\n镇卫生院",
            "note": "讲解燃气安全和火灾逃生知识", "client_token": "tok-" + "a" * 20}
    if materials:
        data["material_kind"], data["material_quantity"] = ([row[i] for row in materials] for i in (0, 1))
    return data | overrides


def fetch(client, url):
    """GET a file (a photo is sent from disk: the response holds the file open until closed)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def listed(response) -> list[str]:
    """The places of the event list, in order."""
    html = response.get_data(as_text=True).split('data-testid="events"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/outreach/events/\d+">([^<]+)</a>', html)


def over_the_limit(app) -> bytes:
    """A valid JPEG padded past the photo limit, lowered for the test (the test client spools a
    body over 500 KB to a temporary file it never closes)."""
    app.config["PHOTO_MAX_BYTES"] = 200 * 1024
    return photo_bytes(600, 400) + b"\0" * app.config["PHOTO_MAX_BYTES"]


# ------------------------------------------------------------------------------ recording an event


def test_the_form_asks_for_the_venue_type_first_then_lists_its_places_by_town(app, client, login, places, campaign):
    login(Role.OUTREACH)
    first = client.get("/outreach/events/new")
    assert first.status_code == 200
    text = page_text(first)
    assert "第一步：选择宣传场所类型" in text
    assert "进农村 2 个行政村" in text and "进学校 1 个学校" in text and "进公共场所 填写公共场所名称" in text
    assert 'name="place_id"' not in first.get_data(as_text=True)

    html = client.get(f"/outreach/events/new?type={venue('village').id}").get_data(as_text=True)
    select_html = html.split('name="place_id"', 1)[1].split("</select>", 1)[0]
    groups = dict(re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select_html, flags=re.S))
    assert set(groups) == {"东镇", "西镇"}  # the two villages called 新村, told apart by their town
    assert f'value="{places["v1"].id}"' in groups["东镇"] and f'value="{places["v2"].id}"' in groups["西镇"]
    assert "东镇中心小学" not in select_html and "东镇化工有限公司" not in select_html
    assert 'data-filter-for="place_id"' in html
    # the campaign running today is the default; the date is today; the photo inputs take the camera
    campaign_html = html.split('name="campaign_id"', 1)[1].split("</select>", 1)[0]
    assert re.search(rf'selected value="{campaign.id}"|value="{campaign.id}" selected', campaign_html)
    assert f'value="{TODAY.isoformat()}"' in html
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert 'name="households"' not in html  # households count only for 进家庭
    assert 'list="material-kinds"' in html and html.count('name="material_kind"') == 5

    family = client.get(f"/outreach/events/new?type={venue('family').id}").get_data(as_text=True)
    assert 'name="households"' in family and "新村（村）" in family and "东镇幸福社区（社区）" in family
    public = client.get(f"/outreach/events/new?type={venue('public').id}").get_data(as_text=True)
    assert 'name="place_name"' in public and 'name="town_id"' in public and 'name="place_id"' not in public


def test_officer_records_an_event_with_materials_and_photos_in_one_go(app, client, login, places, campaign):
    login(Role.OUTREACH)
    data = event_form(places["v1"], "village", campaign_id=str(campaign.id), organizer_id=str(places["east"].id))
    data["photos"] = [(io.BytesIO(photo_bytes(4000, 3000)), "IMG_0001.jpg"),
                      (io.BytesIO(photo_bytes(800, 1200, "PNG")), "IMG_0002.png")]
    response = client.post("/outreach/events/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, page_text(response)
    event = db.session.scalar(select(Event))
    assert response.headers["Location"].endswith(f"/outreach/events/{event.id}")
    assert (event.venue_type.key, event.place_id, event.town_id, event.held_on) == (
        "village", places["v1"].id, places["east"].id, TODAY - timedelta(days=2))  # the town copied from the place
    assert (event.campaign_id, event.organizer_id, event.forms, event.audience) == (
        campaign.id, places["east"].id, ["讲座", "发放资料"], 85)
    assert [(m.kind, m.quantity) for m in event.materials] == [("宣传册", 200), ("宣传单", 300), ("应急包", 20)]
    assert event.materials_total == 520

    photos = db.session.scalars(select(EventPhoto).order_by(EventPhoto.id)).all()
    assert [(p.width, p.height) for p in photos] == [(1600, 1200), (800, 1200)]  # resized to ≤ 1600 px
    assert len(stored_files(app)) == 4  # each photo and its thumbnail
    full = fetch(client, f"/outreach/photos/{photos[0].id}/full")
    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(full.data)).size == (1600, 1200)
    thumb = fetch(client, f"/outreach/photos/{photos[0].id}/thumb")
    assert max(Image.open(io.BytesIO(thumb.data)).size) <= app.config["PHOTO_THUMB_SIDE"]
    assert "private" in thumb.headers["Cache-Control"] and "public" not in thumb.headers["Cache-Control"]

    page = client.get(f"/outreach/events/{event.id}")
    text = page_text(page)
    assert f"已记录进农村活动：新村（{TODAY - timedelta(days=2)}，照片 2 张）" in text
    assert "85 人" in text and "县消防救援大队" in text and "镇卫生院" in text and "讲解燃气安全" in text
    materials = table_text(page, "materials")
    assert "宣传册 200" in materials and "应急包 20" in materials and "合计 520" in materials
    html = page.get_data(as_text=True)
    assert f'href="/registry/orgs/{places["v1"].id}"' in html  # the place in the registry
    assert f'href="/outreach/campaigns/{campaign.id}"' in html
    assert f'src="/outreach/photos/{photos[0].id}/thumb"' in html


def test_a_named_place_and_households_are_recorded(app, client, login, places):
    login(Role.OUTREACH)
    response = client.post("/outreach/events/new", data=event_form(
        None, "public", place_name="西镇集贸市场", town_id=str(places["west"].id), materials=()))
    assert response.status_code == 302, page_text(response)
    response = client.post("/outreach/events/new", data=event_form(
        places["community"], "family", households="36", client_token="tok-" + "b" * 20, materials=()))
    assert response.status_code == 302, page_text(response)
    public, family = db.session.scalars(select(Event).order_by(Event.id)).all()
    assert (public.place_id, public.place_name, public.town_id, public.materials_total) == (
        None, "西镇集贸市场", places["west"].id, 0)
    assert (family.place_id, family.households, family.town_id) == (places["community"].id, 36, places["east"].id)
    assert "36 户" in page_text(client.get(f"/outreach/events/{family.id}"))


def test_a_knowledge_competition_links_the_quiz(app, client, login, places):
    from webapp.quiz.models import Quiz

    quiz = Quiz(code="yj2026", title="2026年全民应急知识网络竞赛", kind="competition")
    exam = Quiz(code="ks2026", title="三项岗位人员考试", kind="exam")
    db.session.add_all([quiz, exam])
    db.session.commit()
    login(Role.OUTREACH)
    html = client.get(f"/outreach/events/new?type={venue('school').id}").get_data(as_text=True)
    quizzes = html.split('name="quiz_id"', 1)[1].split("</select>", 1)[0]
    assert quiz.title in quizzes and exam.title not in quizzes  # competitions only
    response = client.post("/outreach/events/new", data=event_form(places["school"], "school", quiz_id=str(quiz.id)))
    assert response.status_code == 302, page_text(response)
    event = db.session.scalar(select(Event))
    assert event.quiz_id == quiz.id and event.forms == ["讲座", "发放资料", "知识竞赛"]
    assert f'href="/quiz/{quiz.id}"' in client.get(f"/outreach/events/{event.id}").get_data(as_text=True)


def test_the_same_form_sent_twice_records_one_event(app, client, login, places):
    login(Role.OUTREACH)
    data = event_form(places["v1"], "village")
    first = client.post("/outreach/events/new", data=data)
    again = client.post("/outreach/events/new", data=data)  # a double tap, a reload after a slow answer
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert count(Event) == 1 and count(EventMaterial) == 3
    assert "这次活动已经保存过（重复提交），没有重复记录" in page_text(client.get(again.headers["Location"]))


def test_editing_changes_the_event_and_replaces_its_materials(app, client, login, places, make_event, campaign):
    event = make_event(materials=[{"kind": "宣传册", "quantity": 100}], campaign_id=campaign.id)
    login(Role.OUTREACH)
    html = client.get(f"/outreach/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="宣传册"' in html and 'value="100"' in html and 'value="60"' in html
    assert re.search(rf'<option selected value="{places["v1"].id}">|<option value="{places["v1"].id}" selected>', html)
    assert 'enctype="multipart/form-data"' not in html  # photos are managed on the event's page

    response = client.post(f"/outreach/events/{event.id}/edit", data=event_form(
        places["v2"], "village", materials=[("海报", "15"), ("宣传单", "40")], audience="120", forms=["展板"]))
    assert response.status_code == 302, page_text(response)
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.place_id, event.town_id, event.audience, event.forms) == (
        places["v2"].id, places["west"].id, 120, ["展板"])
    assert [(m.kind, m.quantity) for m in event.materials] == [("海报", 15), ("宣传单", 40)]
    assert event.materials_total == 55 and count(EventMaterial) == 2
    assert "已保存活动：新村" in page_text(client.get(f"/outreach/events/{event.id}"))


def test_the_edit_form_switches_the_venue_type_to_that_types_places(app, client, login, places, make_event):
    event = make_event()
    login(Role.OUTREACH)
    html = client.get(f"/outreach/events/{event.id}/edit?type={venue('school').id}").get_data(as_text=True)
    select_html = html.split('name="place_id"', 1)[1].split("</select>", 1)[0]
    assert "东镇中心小学" in select_html and "新村" not in select_html
    assert f'name="venue_type_id" value="{venue("school").id}"' in html
    response = client.post(f"/outreach/events/{event.id}/edit", data=event_form(places["school"], "school"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).venue_type.key == "school"


# ------------------------------------------------------------------------------ bad input


def test_a_place_of_the_wrong_venue_type_is_refused(app, client, login, places):
    login(Role.OUTREACH)
    # the form lists villages only; a crafted request sends the school for 进农村
    response = client.post("/outreach/events/new", data=event_form(places["school"], "village"))
    assert response.status_code == 200
    text = page_text(response)
    assert "“东镇中心小学”是学校，不是行政村：“进农村”的地点应为行政村" in text
    assert "讲解燃气安全和火灾逃生知识" in response.get_data(as_text=True)  # what was typed is kept
    assert count(Event) == count(EventMaterial) == 0


@pytest.mark.parametrize(("overrides", "message"), [
    ({"audience": "-5"}, "受众人数不能为负数"),
    ({"audience": "八十"}, "受众人数应为整数"),
    ({"material_kind": ["宣传册"], "material_quantity": ["-200"]}, "宣传资料第 1 行（宣传册）的数量不能为负数"),
    ({"material_kind": ["", "宣传单"], "material_quantity": ["50", "20"]}, "宣传资料第 1 行：请填写资料种类"),
    ({"forms": []}, "请至少选择一种活动形式"),
    ({"place_id": ""}, "请选择农村的具体行政村"),
    ({"held_on": "2026-02-30"}, "不是有效的日期值"),
])
def test_bad_counts_and_fields_are_named_and_nothing_is_written(app, client, login, places, overrides, message):
    login(Role.OUTREACH)
    response = client.post("/outreach/events/new", data=event_form(places["v1"], "village", **overrides))
    assert response.status_code == 200
    assert message in page_text(response)
    assert count(Event) == count(EventMaterial) == 0


def test_an_event_dated_in_the_future_is_refused_and_its_photos_not_kept(app, client, login, places):
    login(Role.OUTREACH)
    tomorrow = TODAY + timedelta(days=1)
    data = event_form(places["v1"], "village", held_on=tomorrow.isoformat())
    data["photos"] = [(io.BytesIO(photo_bytes()), "IMG_0001.jpg")]
    response = client.post("/outreach/events/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    text = page_text(response)
    assert f"活动日期 {tomorrow} 在今天之后：只记录已开展的活动" in text
    assert "所选照片也未上传" in text  # a file input cannot be refilled: the officer is told to choose again
    assert 'value="宣传册"' in response.get_data(as_text=True)  # the materials typed are kept
    assert count(Event) == count(EventPhoto) == 0 and stored_files(app) == []


def test_a_file_that_is_not_a_picture_saves_nothing_not_even_the_good_photo_before_it(app, client, login, places):
    login(Role.OUTREACH)
    data = event_form(places["v1"], "village")
    data["photos"] = [(io.BytesIO(photo_bytes()), "IMG_0001.jpg"), (io.BytesIO("活动签到表".encode()), "签到表.jpg")]
    response = client.post("/outreach/events/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    text = page_text(response)
    assert "第 2 张照片（签到表.jpg）：活动照片不是有效的图片文件（请使用 PNG 或 JPG）" in text
    assert "所选照片也未上传" in text
    assert count(Event) == count(EventMaterial) == count(EventPhoto) == 0
    assert stored_files(app) == []  # the first photo was stored, then deleted again


def test_a_photo_over_the_size_limit_saves_nothing(app, client, login, places):
    login(Role.OUTREACH)
    data = event_form(places["v1"], "village")
    data["photos"] = [(io.BytesIO(photo_bytes()), "DSC_9998.jpg"), (io.BytesIO(over_the_limit(app)), "DSC_9999.jpg")]
    response = client.post("/outreach/events/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "第 2 张照片（DSC_9999.jpg）：活动照片超过 200 KB 的上限，请压缩后再上传" in page_text(response)
    assert count(Event) == count(EventPhoto) == 0 and stored_files(app) == []


def test_the_new_form_refuses_a_venue_type_that_does_not_exist(app, client, login, places):
    login(Role.OUTREACH)
    assert "所选场所类型不存在或已停用，请重新选择" in page_text(client.get("/outreach/events/new?type=999"))
    response = client.post("/outreach/events/new", data=event_form(places["v1"], "village", venue_type_id="999"))
    assert response.status_code == 200 and "请选择宣传场所类型" in page_text(response)
    assert count(Event) == 0


# ------------------------------------------------------------------------------ photos on the event page


def test_photos_are_added_and_deleted_on_the_event_page(app, client, login, make_event):
    event = make_event()
    login(Role.OUTREACH)
    response = client.post(f"/outreach/events/{event.id}/photos", content_type="multipart/form-data", data={
        "caption": "现场讲座", "photos": [(io.BytesIO(photo_bytes(2000, 1500)), "a.jpg"),
                                       (io.BytesIO(photo_bytes(640, 480, "PNG")), "b.png")]})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/outreach/events/{event.id}#photos")
    photos = db.session.scalars(select(EventPhoto).order_by(EventPhoto.id)).all()
    assert [(p.width, p.caption) for p in photos] == [(1600, "现场讲座"), (640, "现场讲座")]
    assert "已上传 2 张照片" in page_text(client.get(f"/outreach/events/{event.id}"))

    assert client.post(f"/outreach/photos/{photos[0].id}/delete").status_code == 302
    assert [p.id for p in db.session.scalars(select(EventPhoto))] == [photos[1].id]
    assert len(stored_files(app)) == 2
    assert client.get(f"/outreach/photos/{photos[0].id}/full").status_code == 404
    assert client.get(f"/outreach/photos/{photos[1].id}/original").status_code == 404


@pytest.mark.parametrize(("content", "message"), [
    (lambda app: b"not an image", "第 2 张照片（说明.jpg）：活动照片不是有效的图片文件"),
    (over_the_limit, "第 2 张照片（说明.jpg）：活动照片超过 200 KB 的上限"),
])
def test_a_bad_photo_on_the_event_page_adds_no_photo(app, client, login, make_event, content, message):
    content = content(app)
    event = make_event()
    login(Role.OUTREACH)
    response = client.post(f"/outreach/events/{event.id}/photos", content_type="multipart/form-data", data={
        "photos": [(io.BytesIO(photo_bytes()), "a.jpg"), (io.BytesIO(content), "说明.jpg")]})
    assert response.status_code == 302
    text = page_text(client.get(f"/outreach/events/{event.id}"))
    assert message in text and "本次选择的照片都未保存" in text
    assert count(EventPhoto) == 0 and stored_files(app) == []


def test_the_photo_limit_per_event_is_kept(app, client, login, make_event):
    app.config["OUTREACH_PHOTOS_PER_EVENT"] = 2
    event = make_event()
    login(Role.OUTREACH)
    client.post(f"/outreach/events/{event.id}/photos", content_type="multipart/form-data", data={
        "photos": [(io.BytesIO(photo_bytes(300, 200)), f"{n}.jpg") for n in range(3)]})
    assert "每次活动最多保存 2 张照片，本次选择了 3 张" in page_text(client.get(f"/outreach/events/{event.id}"))
    assert count(EventPhoto) == 0 and stored_files(app) == []


# ------------------------------------------------------------------------------ the list


@pytest.fixture
def spread(places, make_event, campaign):
    """Events across types, towns, a campaign and last year."""
    make_event(materials=[{"kind": "宣传册", "quantity": 200}, {"kind": "宣传单", "quantity": 100}],
               campaign_id=campaign.id, audience=80, held_on=TODAY)
    make_event(place=places["school"], key="school", materials=[{"kind": "海报", "quantity": 10}], audience=300,
               held_on=TODAY - timedelta(days=1), note="校园防溺水安全教育", forms=["讲座", "知识竞赛"])
    make_event(place=places["v2"], materials=[{"kind": "自制折页", "quantity": 50}], audience=40,
               held_on=TODAY - timedelta(days=3), campaign_id=campaign.id)
    make_event(key="public", place=None, place_name="县人民广场", audience=500, held_on=date(TODAY.year - 1, 6, 16))
    return campaign


def test_the_list_filters_and_totals(app, client, login, places, spread):
    login(Role.LEADER)

    def shown(**args) -> list[str]:
        page = client.get("/outreach/", query_string=args)
        assert page.status_code == 200
        return listed(page)

    assert shown() == ["新村", "东镇中心小学", "新村", "县人民广场"]
    assert shown(venue=venue("school").id) == ["东镇中心小学"]
    assert shown(town=places["west"].id) == ["新村"]
    assert shown(campaign=spread.id) == ["新村", "新村"]
    assert shown(year=TODAY.year - 1) == ["县人民广场"]
    assert shown(q="防溺水") == ["东镇中心小学"]  # the note is searched too
    assert shown(q="人民广场") == ["县人民广场"]
    assert shown(place=places["v2"].id) == ["新村"]

    totals = page_text(client.get("/outreach/", query_string={"year": TODAY.year})).split("活动", 1)[1]
    assert "3 场" in totals and "420 人次" in totals and "360 份" in totals
    totals = page_text(client.get("/outreach/", query_string={"town": places["east"].id}))
    assert "2 场" in totals and "380 人次" in totals and "310 份" in totals


def test_the_list_of_a_span_of_days(app, client, login, places, spread):
    login(Role.LEADER)
    days = {"from": (TODAY - timedelta(days=3)).isoformat(), "to": (TODAY - timedelta(days=1)).isoformat()}
    page = client.get("/outreach/", query_string=days)
    assert listed(page) == ["东镇中心小学", "新村"]  # both ends are included; today's is not
    text = page_text(page)
    assert f"{days['from']} 至 {days['to']} 开展的活动" in text
    assert "2 场" in text.split("活动", 1)[1] and "340 人次" in text
    # changing another filter keeps the dates
    assert listed(client.get("/outreach/", query_string=days | {"venue": venue("school").id})) == ["东镇中心小学"]


@pytest.mark.parametrize(("days", "message"), [
    ({"from": "2026-13-01", "to": "2026-12-31"}, "开始日期“2026-13-01”不是日期"),
    ({"from": "2026-06-01"}, "请同时填写开始日期和结束日期"),
    ({"from": "2026-06-30", "to": "2026-06-01"}, "结束日期不能早于开始日期"),
])
def test_bad_dates_are_named_and_the_list_shows_every_event(client, login, places, spread, days, message):
    login(Role.LEADER)
    page = client.get("/outreach/", query_string=days, follow_redirects=True)
    assert page.status_code == 200
    assert f"活动日期条件未生效：{message}" in page_text(page)
    assert len(listed(page)) == 4


def test_the_excel_export_has_every_event_with_its_materials(app, client, login, places, spread):
    login(Role.LEADER)
    export = client.get("/outreach/", query_string={"format": "xlsx", "year": TODAY.year})
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(export.data)).active.values)
    header = rows[0]
    for needed in ("序号", "活动日期", "宣传活动", "场所类型", "宣传地点", "所在乡镇（街道）", "组织单位", "活动形式",
                   "受众人数", "入户户数", "发放宣传资料合计（份）", "照片（张）", "活动简况", "记录人"):
        assert needed in header
    # one column per material kind handed out: the shipped ones in their order, a region's own after
    kinds = [h for h in header if h.endswith("（份）") and h != "发放宣传资料合计（份）"]
    assert kinds == ["宣传册（份）", "宣传单（份）", "海报（份）", "自制折页（份）"]
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [r["宣传地点"] for r in records] == ["新村", "东镇中心小学", "新村"]  # last year's is filtered out
    first, school, west = records
    assert (first["场所类型"], first["所在乡镇（街道）"], first["宣传活动"], first["受众人数"]) == (
        "进农村", "东镇", spread.name, 80)
    assert (first["宣传册（份）"], first["宣传单（份）"], first["海报（份）"], first["发放宣传资料合计（份）"]) == (200, 100, 0, 300)
    assert (school["活动形式"], school["海报（份）"], school["活动简况"]) == ("讲座、知识竞赛", 10, "校园防溺水安全教育")
    assert (west["所在乡镇（街道）"], west["自制折页（份）"]) == ("西镇", 50)


# ------------------------------------------------------------------------------ readers


def test_a_leader_reads_everything_but_changes_nothing(app, client, login, places, make_event):
    event = make_event(materials=[{"kind": "宣传册", "quantity": 10}])
    login(Role.OUTREACH)
    client.post(f"/outreach/events/{event.id}/photos", content_type="multipart/form-data",
                data={"photos": [(io.BytesIO(photo_bytes()), "a.jpg")]})
    client.post("/logout")
    photo = db.session.scalar(select(EventPhoto))
    login(Role.LEADER)
    for url in ("/outreach/", f"/outreach/events/{event.id}", f"/outreach/photos/{photo.id}/thumb"):
        assert fetch(client, url).status_code == 200, url
    page = client.get(f"/outreach/events/{event.id}").get_data(as_text=True)
    assert "修改活动记录" not in page and "上传照片" not in page
    assert "记录活动" not in page_text(client.get("/outreach/"))
    assert client.get("/outreach/events/new").status_code == 403
    assert client.get(f"/outreach/events/{event.id}/edit").status_code == 403
    writes = [("/outreach/events/new", event_form(places["v1"], "village")),
              (f"/outreach/events/{event.id}/edit", event_form(places["v1"], "village", audience="1")),
              (f"/outreach/events/{event.id}/photos", {"photos": [(io.BytesIO(photo_bytes()), "b.jpg")]}),
              (f"/outreach/photos/{photo.id}/delete", {})]
    for url, data in writes:
        response = client.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code == 403 and "没有权限" in page_text(response), url
    db.session.expire_all()
    assert count(Event) == 1 and count(EventPhoto) == 1 and db.session.get(Event, event.id).audience == 60


def test_an_event_url_that_names_nothing_is_a_404(app, client, login):
    login(Role.LEADER)
    assert client.get("/outreach/events/12345").status_code == 404
    assert client.get("/outreach/photos/12345/full").status_code == 404


