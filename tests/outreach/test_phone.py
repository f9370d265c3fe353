"""The outreach officer's field entry on a phone (/o): the light pages (under 100 KB with their CSS
and script), the form without script in two steps, the JSON submission the script makes (photos,
materials, the client token that makes a retry record the event once), every bad input refused
with its Chinese message and nothing written, the place picker's JSON, and who may use it."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.conftest import PASSWORD, page_text
from tests.drills.conftest import photo_bytes
from tests.outreach.conftest import venue
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.outreach import services
from webapp.outreach.models import MATERIAL_KINDS, Event, EventMaterial, EventPhoto
from webapp.registry.models import OrgKind

TODAY = local_today()
JSON = {"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"}
TOKEN = "dRaFt_0123456789abcdefgh"


@pytest.fixture(autouse=True)
def venue_types(app):
    """The shipped venue types, kept (a request that fails rolls back what the test only flushed)."""
    services.ensure_venue_types()
    db.session.commit()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_files(app) -> list[Path]:
    folder = Path(app.config["STORAGE_DIR"]) / "outreach-photos"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def phone_form(place, key="village", materials=None, **overrides) -> dict:
    """The phone form as the officer fills it in: a lecture with leaflets two days ago."""
    quantities = materials or {}
    data = {"type": str(venue(key).id), "town": "", "q": "", "place_id": str(place.id) if place is not None else "",
            "place_name": "", "held_on": (TODAY - timedelta(days=2)).isoformat(), "forms": ["讲座", "发放资料"],
            "audience": "80", "households": "", "note": "讲解燃气安全和火灾逃生知识", "campaign_id": "", "partners": "",
            "material_kind": list(MATERIAL_KINDS), "material_quantity": [quantities.get(k, "") for k in MATERIAL_KINDS],
            "client_token": TOKEN}
    return data | overrides


def post(client, data, photos=(), json=True):
    if photos:
        data = data | {"photos": [(io.BytesIO(content), name) for name, content in photos]}
    return client.post("/o/new", data=data, headers=JSON if json else {}, content_type="multipart/form-data")


def select_html(html: str, name: str) -> str:
    return re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)


def options(html: str, name: str) -> list[str]:
    """The visible texts of a select's options."""
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<option[^>]*>(.*?)</option>",
                                                                    select_html(html, name), re.S)]


def chosen(html: str, name: str) -> list[str]:
    """The values of a select's selected options."""
    return re.findall(r'<option value="([^"]*)"\s+selected', select_html(html, name))


# ------------------------------------------------------------------------------------------ access


def test_a_phone_not_logged_in_goes_to_the_login_page_and_back(client, factory):
    for url in ("/o/", "/o/new", "/o/places?type=village"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location
    assert "next=%2Fo%2Fnew" in client.get("/o/new").location
    user = factory.user(Role.OUTREACH)
    back = client.post("/login?next=%2Fo%2Fnew", data={"username": user.username, "password": PASSWORD})
    assert back.status_code == 302 and back.location == "/o/new"
    assert client.get("/o/new").status_code == 200


def test_a_leader_reads_but_does_not_record(client, login, places):
    login(Role.LEADER)
    for url in ("/o/", "/o/new", "/o/places?type=village"):
        assert client.get(url).status_code == 403
    assert post(client, phone_form(places["v1"])).status_code == 403
    assert count(Event) == 0


# ------------------------------------------------------------------------------------------ pages


def test_home_shows_todays_campaign_and_my_last_events_only(client, login, places, campaign, make_event, factory):
    me = login(Role.OUTREACH)
    make_event(places["v1"], user=me, audience=45)
    make_event(places["school"], key="school", user=me, audience=300)
    make_event(places["v2"], user=factory.user(Role.OUTREACH), note="别人的", audience=7)
    response = client.get("/o/")
    text = page_text(response)
    assert response.status_code == 200
    assert campaign.name in text and "记录一次宣传活动" in text
    recent = text.split("我最近记录的", 1)[1]
    assert "东镇中心小学" in recent and "受众 300 人" in recent and "受众 45 人" in recent
    assert "受众 7 人" not in recent


def test_without_script_the_place_list_comes_in_a_second_step(client, login, places):
    login(Role.OUTREACH)
    first = client.get("/o/new")
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert all(label in page_text(first) for label in ("进企业", "进农村", "进社区", "进学校", "进家庭"))
    assert options(html, "place_id") == ["请先选择场所类型和乡镇（街道）"]
    assert 'formmethod="get"' in html and "列出地点" in html
    assert f'value="{TODAY.isoformat()}"' in html  # the date defaults to today

    # step two: the type and the town (and what was typed so far) come back in the query string
    village = venue("village")
    second = client.get(f"/o/new?type={village.id}&town={places['east'].id}&note=%E8%AE%B2%E5%BA%A7&audience=35")
    html = second.get_data(as_text=True)
    assert options(html, "place_id") == ["请选择行政村", "新村"]
    assert re.findall(r'<option value="(\d+)"', select_html(html, "place_id")) == [str(places["v1"].id)]
    assert f'value="{village.id}" required' in html and "checked" in html.split(f'value="{village.id}"', 1)[1][:200]
    assert ">讲座</textarea>" in html and 'value="35"' in html

    # by key, the whole county: the same village name is told apart by its town
    county = client.get("/o/new?type=village").get_data(as_text=True)
    assert options(county, "place_id") == ["请选择行政村", "新村（东镇）", "新村（西镇）"]
    enterprises = client.get(f"/o/new?type=enterprise&town={places['east'].id}").get_data(as_text=True)
    assert options(enterprises, "place_id") == ["请选择企业", "东镇化工有限公司"]

    # a type without registry places asks for the place's name instead
    public = client.get("/o/new?type=public").get_data(as_text=True)
    assert re.search(r"data-place-box\s+hidden", public) and not re.search(r"data-named-box\s+hidden", public)


def test_a_full_submission_from_the_phone(app, client, login, places, campaign):
    me = login(Role.OUTREACH)
    response = post(client, phone_form(places["v1"], materials={"宣传册": "200", "宣传单": "500"}),
                    photos=[("IMG_0001.jpg", photo_bytes(2400, 1800)), ("IMG_0002.jpg", photo_bytes(800, 600))])
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    event = db.session.get(Event, body["event_id"])
    assert body == {"ok": True, "event_id": event.id, "url": f"/o/done/{event.id}", "duplicate": False}
    assert event.place_id == places["v1"].id and event.town_id == places["east"].id
    assert event.venue_type.key == "village" and event.held_on == TODAY - timedelta(days=2)
    assert event.forms == ["讲座", "发放资料"] and event.audience == 80
    assert event.campaign_id == campaign.id  # the campaign running on the day, chosen on the server
    assert event.client_token == TOKEN and event.created_by_id == me.id
    assert [(m.kind, m.quantity) for m in event.materials] == [("宣传册", 200), ("宣传单", 500)]
    assert event.materials_total == 700
    assert [(p.width, p.height) for p in event.photos] == [(1600, 1200), (800, 600)]
    assert len(stored_files(app)) == 4  # each photo and its thumbnail
    full = Path(app.config["STORAGE_DIR"]) / event.photos[0].key
    with Image.open(full) as stored:
        assert stored.size == (1600, 1200) and stored.format == "JPEG"

    done = client.get(body["url"])
    text = page_text(done)
    assert done.status_code == 200
    assert "已记录" in text and "进农村：新村" in text and "东镇" in text and campaign.name in text
    assert "宣传册 200 份、宣传单 500 份（共 700 份）" in text and "照片 2 张" in text
    assert "再记一条" in text and "查看覆盖情况" in text
    assert client.get(f"/o/done/{event.id + 1}").status_code == 404


def test_a_retry_with_the_same_token_records_the_event_once(app, client, login, places):
    login(Role.OUTREACH)
    data = phone_form(places["school"], key="school", materials={"宣传单": "120"})
    first = post(client, data, photos=[("IMG_1.jpg", photo_bytes())]).get_json()
    # the answer was lost on the way back: the phone sends the same draft again
    again = post(client, data, photos=[("IMG_1.jpg", photo_bytes())])
    assert again.status_code == 200
    assert again.get_json() == first | {"duplicate": True}
    assert count(Event) == 1 and count(EventMaterial) == 1 and count(EventPhoto) == 1
    assert len(stored_files(app)) == 2
    # without script: the plain form posted twice (a double tap, a reload) carries its token too
    plain = phone_form(places["v2"], client_token="plainForm_token_0001")
    assert post(client, plain, json=False).status_code == 302
    assert post(client, plain, json=False).status_code == 302
    assert count(Event) == 2


@pytest.mark.parametrize(("key", "place", "overrides", "field", "message"), [
    ("school", "v1", {}, "place_id", "“新村”是村，不是学校：“进学校”的地点应为学校"),
    ("village", "v1", {"audience": "-5"}, "audience", "受众人数不能为负数"),
    ("village", "v1", {"material_quantity": ["-100", "", "", "", "", ""]}, "materials",
     "宣传资料第 1 行（宣传册）的数量不能为负数"),
    ("village", "v1", {"held_on": (TODAY + timedelta(days=1)).isoformat()}, "held_on", "在今天之后：只记录已开展的活动"),
    ("village", "v1", {"held_on": "2026-13-40"}, "held_on", "活动日期格式不正确（应为 年-月-日）"),
    ("village", "v1", {"forms": []}, "forms", "请至少选择一种活动形式"),
    ("village", None, {}, "place_id", "请选择农村的具体行政村"),
    ("family", "community", {"households": ""}, "households", "进家庭活动请填写入户户数"),
    ("public", None, {}, "place_name", "请填写公共场所的名称（如：县人民广场）"),
    ("village", "v1", {"type": "999999"}, "type", "所选宣传场所类型不存在或已停用"),
])
def test_field_errors_come_back_as_json_and_nothing_is_written(app, client, login, places, key, place, overrides,
                                                               field, message):
    login(Role.OUTREACH)
    response = post(client, phone_form(places[place] if place else None, key=key, **overrides),
                    photos=[("IMG_0001.jpg", photo_bytes())])
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert message in errors[field]
    assert count(Event) == count(EventMaterial) == count(EventPhoto) == 0 and stored_files(app) == []


def test_several_errors_at_once_each_by_its_field(client, login, places):
    login(Role.OUTREACH)
    response = post(client, phone_form(places["v1"], key="school", audience="-1",
                                       held_on=(TODAY + timedelta(days=3)).isoformat()))
    assert set(response.get_json()["errors"]) == {"place_id", "audience", "held_on"}
    assert count(Event) == 0


def test_without_script_errors_show_on_the_form_with_everything_typed(client, login, places):
    login(Role.OUTREACH)
    response = post(client, phone_form(places["v1"], audience="-5", note="村民大会前讲解防汛知识",
                                       town=str(places["east"].id), materials={"宣传册": "150"}),
                    photos=[("IMG_0001.jpg", photo_bytes())], json=False)
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert response.status_code == 400
    assert "受众人数不能为负数" in text
    assert "所选照片也未上传" in text  # files cannot come back: the officer chooses them again
    assert "村民大会前讲解防汛知识" in html and 'value="150"' in html and 'value="-5"' in html
    assert f'value="{TOKEN}"' in html  # the same token: the corrected form is still one event
    assert options(html, "place_id")[1:] == ["新村"] and chosen(html, "place_id") == [str(places["v1"].id)]
    assert count(Event) == 0


def test_a_bad_photo_saves_nothing_and_names_the_photo(app, client, login, places):
    login(Role.OUTREACH)
    response = post(client, phone_form(places["v1"], materials={"宣传册": "50"}),
                    photos=[("IMG_0001.jpg", photo_bytes()), ("签到表.jpg", "活动签到表".encode())])
    assert response.status_code == 400
    assert response.get_json()["errors"] == {
        "photos": "第 2 张照片（签到表.jpg）：活动照片不是有效的图片文件（请使用 PNG 或 JPG）"}
    assert count(Event) == count(EventMaterial) == count(EventPhoto) == 0
    assert stored_files(app) == []  # the first photo was stored, then deleted again


def test_a_bad_photo_is_named_even_when_the_form_has_other_errors(client, login, places):
    login(Role.OUTREACH)
    response = post(client, phone_form(places["v1"], audience="-1"), photos=[("x.jpg", b"not a picture")])
    errors = response.get_json()["errors"]
    assert errors["audience"] == "受众人数不能为负数"
    assert errors["photos"] == "第 1 张照片（x.jpg）：活动照片不是有效的图片文件（请使用 PNG 或 JPG）"


def test_too_many_photos_are_refused(app, client, login, places):
    login(Role.OUTREACH)
    app.config["OUTREACH_PHOTOS_PER_EVENT"] = 2
    response = post(client, phone_form(places["v1"]), photos=[(f"{n}.jpg", photo_bytes(60, 40)) for n in range(3)])
    assert response.get_json()["errors"]["photos"] == "每次活动最多保存 2 张照片，本次选择了 3 张"
    assert count(Event) == 0 and stored_files(app) == []


def test_an_upload_over_the_request_limit_answers_json(app, client, login, places):
    login(Role.OUTREACH)
    app.config["MAX_CONTENT_LENGTH"] = 100 * 1024  # lowered: the test client spools big bodies to a file
    big = [("IMG_big.jpg", photo_bytes(60, 40) + b"\0" * 150 * 1024)]
    response = post(client, phone_form(places["v1"]), photos=big)
    assert response.status_code == 413
    assert response.get_json()["errors"]["photos"] == "本次提交的内容超过 100 KB 的上限：请减少照片后再提交"
    plain = post(client, phone_form(places["v1"]), photos=big, json=False)
    assert plain.status_code == 413 and "请减少照片后再提交" in page_text(plain)
    assert count(Event) == 0


def test_an_expired_page_answers_json_asking_for_a_reload(make_app, places):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        services.ensure_venue_types()
        from webapp.auth import services as auth_services

        auth_services.create_user("xc", "宣传专员", "Secret123", [Role.OUTREACH])
        db.session.commit()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": "xc", "password": "Secret123", "csrf_token": token}).status_code == 302
    response = client.post("/o/new", data={"type": "1"}, headers=JSON)
    assert response.status_code == 400
    body = response.get_json()
    assert body["reload"] is True and "请刷新页面后再提交" in body["errors"]["form"]


def test_a_named_place_keeps_the_town_chosen_on_the_phone(client, login, places):
    login(Role.OUTREACH)
    response = post(client, phone_form(None, key="public", place_name="东镇农贸市场", town=str(places["east"].id)))
    event = db.session.get(Event, response.get_json()["event_id"])
    assert event.place_id is None and event.place_name == "东镇农贸市场" and event.town_id == places["east"].id
    wrong = post(client, phone_form(None, key="public", place_name="广场", town=str(places["v1"].id),
                                    client_token="another_token_00001"))
    assert wrong.get_json()["errors"]["town"] == "所选乡镇（街道）不存在"


def test_households_are_kept_only_for_home_visits(client, login, places):
    login(Role.OUTREACH)
    family = post(client, phone_form(places["community"], key="family", households="36", audience="90"))
    event = db.session.get(Event, family.get_json()["event_id"])
    assert event.households == 36 and event.venue_type.key == "family"
    # a households figure left in the hidden box of another type is not recorded
    school = post(client, phone_form(places["school"], key="school", households="12", client_token="another_token_00002"))
    assert db.session.get(Event, school.get_json()["event_id"]).households == 0


# ------------------------------------------------------------------------------------------ places JSON


def test_the_place_picker_filters_by_type_town_and_name(client, login, places, factory):
    login(Role.OUTREACH)
    east, west = places["east"], places["west"]
    village = venue("village").id
    rows = client.get(f"/o/places?type={village}").get_json()
    assert [(r["name"], r["town"]) for r in rows] == [("新村", "东镇"), ("新村", "西镇")]
    assert client.get(f"/o/places?type={village}&town={west.id}").get_json() == [
        {"id": places["v2"].id, "name": "新村", "town": "西镇"}]
    assert [r["name"] for r in client.get(f"/o/places?type=family&town={east.id}").get_json()] == ["东镇幸福社区", "新村"]
    assert [r["name"] for r in client.get("/o/places?type=school").get_json()] == ["东镇中心小学"]
    assert client.get("/o/places?type=public").get_json() == []  # named places: typed, not picked
    assert client.get("/o/places?type=nonsense").get_json() == []
    for n in range(55):
        factory.org(f"东镇{n:02d}号机械厂", OrgKind.ENTERPRISE, east)
    factory.org("西镇机械厂", OrgKind.ENTERPRISE, west)
    many = client.get(f"/o/places?type=enterprise&town={east.id}").get_json()
    assert len(many) == 50  # a search narrows the rest
    found = client.get(f"/o/places?type=enterprise&town={east.id}&q=化工").get_json()
    assert [r["name"] for r in found] == ["东镇化工有限公司"]
    assert [r["name"] for r in client.get("/o/places?type=enterprise&q=%").get_json()] == []  # % is a character


# ------------------------------------------------------------------------------------------ weight


def test_the_phone_pages_are_light(client, login, places, campaign, make_event):
    me = login(Role.OUTREACH)
    event = make_event(places["v1"], user=me)
    for url in ("/o/", "/o/new", f"/o/new?type=village&town={places['east'].id}", f"/o/done/{event.id}"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "bootstrap" not in html
        linked = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html))
        assert "/static/css/outreach_phone.css" in linked and "/static/js/outreach_phone.js" in linked
        total = len(response.get_data())
        for path in linked:
            asset = client.get(path)
            total += len(asset.get_data())
            asset.close()
        assert total < 100 * 1024, (url, total)
