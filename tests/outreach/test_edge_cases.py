"""Edge cases found in review: duplicate material kinds, households outside 进家庭, the figures'
places against the coverage page with a retired place, an upload cut off on the way, and bad
query arguments that must never be a server error."""

import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from tests.conftest import page_text
from tests.outreach.conftest import event_values, photo_bytes, venue
from tests.outreach.test_events import event_form
from tests.outreach.test_phone import JSON, phone_form
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.outreach import coverage, figures, services
from webapp.outreach.models import Event, EventMaterial, EventPhoto

TODAY = local_today()


@pytest.fixture(autouse=True)
def shipped_types(app):
    services.ensure_venue_types()
    db.session.commit()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_same_material_kind_on_two_rows_is_one_kind_added_up(client, login, places):
    login(Role.OUTREACH)
    response = client.post("/outreach/events/new", data=event_form(
        places["v1"], "village", materials=[("宣传册", "120"), ("宣传单", "40"), ("宣传册", "80")]))
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert [(m.kind, m.quantity) for m in event.materials] == [("宣传册", 200), ("宣传单", 40)]
    assert event.materials_total == 240


def test_duplicate_kinds_adding_up_past_the_limit_are_refused(places):
    values = event_values(places["v1"], "village")
    with pytest.raises(services.FieldErrors) as caught:
        services.save_event(None, values, [{"kind": "宣传单", "quantity": 600_000}, {"kind": "宣传单", "quantity": 600_000}])
    assert caught.value.errors["materials"] == "宣传资料“宣传单”的数量合计超过 1,000,000，请检查是否多输了位数"
    db.session.rollback()
    assert count(Event) == count(EventMaterial) == 0


def test_households_are_kept_for_home_visits_only(places):
    event = services.save_event(None, event_values(places["v1"], "village", households=30))
    assert event.households == 0  # a crafted post cannot add households to a village lecture
    assert figures.totals(event.held_on.year)["households"] == 0


def test_the_figures_count_the_same_places_as_the_coverage_page(places, make_event):
    year = TODAY.year if TODAY >= date(TODAY.year, 1, 3) else TODAY.year - 1
    day = date(year, 1, 2)
    make_event(places["v1"], "village", held_on=day)
    make_event(places["v2"], "village", held_on=day)
    places["v2"].active = False  # merged into another village after its event
    db.session.commit()
    village = venue("village")
    reached = coverage.coverage(coverage.Scope.for_year(year)).county[village.id].reached
    row = next(r for r in figures.by_type(year) if r["key"] == "village")
    assert reached == row["reached"] == row["places"] == 1
    assert figures.totals(year)["places"] == 1
    assert "覆盖 1 个行政村" in figures.figures(year)["sentence"]


def _cut_off(url: str, data: dict, headers: dict) -> tuple[bytes, str]:
    """The multipart body a phone sends, cut off half way (the network dropped)."""
    builder = EnvironBuilder(path=url, method="POST", data=data, headers=headers, content_type="multipart/form-data")
    try:
        environ = builder.get_environ()
        body = environ["wsgi.input"].read()
    finally:
        builder.close()
    return body[: len(body) // 2], environ["CONTENT_TYPE"]


def test_an_upload_cut_off_on_the_way_says_so_and_saves_nothing(app, client, login, places):
    login(Role.OUTREACH)
    data = phone_form(places["v1"]) | {"photos": [(io.BytesIO(photo_bytes(120, 90)), "IMG_1.jpg")]}
    body, content_type = _cut_off("/o/new", data, JSON)
    response = client.post("/o/new", input_stream=io.BytesIO(body), content_length=len(body),
                           content_type=content_type, headers=JSON)
    assert response.status_code == 400
    assert response.get_json() == {"errors": {"form": "提交没有完整送达（网络中断）：已填写的内容和照片保存在本机，请重新提交"}}
    plain = client.post("/o/new", input_stream=io.BytesIO(body), content_length=len(body), content_type=content_type)
    assert plain.status_code == 400 and "提交没有完整送达" in page_text(plain)
    assert count(Event) == count(EventMaterial) == count(EventPhoto) == 0


def test_a_cut_off_upload_is_not_taken_for_an_expired_page(make_app):
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
    draft = {"csrf_token": token, "type": "2", "held_on": TODAY.isoformat(), "forms": ["讲座"], "audience": "50",
             "note": "讲解防汛知识" * 200, "client_token": "dRaFt_0123456789abcdefgh"}
    body, content_type = _cut_off("/o/new", draft, JSON)
    response = client.post("/o/new", input_stream=io.BytesIO(body), content_length=len(body),
                           content_type=content_type, headers=JSON)
    assert response.status_code == 400
    assert "reload" not in response.get_json() and "网络中断" in response.get_json()["errors"]["form"]
    with app.app_context():
        assert count(Event) == 0


BAD_ARGUMENTS = [
    "/outreach/?year=abc", "/outreach/?year=99999", "/outreach/?page=-1", "/outreach/?campaign=99999999999999999",
    "/outreach/?q=%25_%5C", "/outreach/coverage?year=abc", "/outreach/coverage?town=99999999999",
    "/outreach/coverage/not-reached?page=-1", "/outreach/figures?year=0", "/outreach/figures?year=99999&format=xlsx",
    "/outreach/campaigns?year=abc&page=-1", "/o/places?type=abc&town=abc&q=%25", "/o/new?held_on=9999-12-31",
    "/outreach/events/new?type=99999999999999", "/outreach/events/new?place=99999999999999",
]


@pytest.mark.parametrize("url", BAD_ARGUMENTS)
def test_bad_query_arguments_never_break_a_page(client, login, places, url):
    login(Role.OUTREACH)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/outreach/events/99999999999999", "/outreach/campaigns/99999999999999",
                                 "/outreach/photos/99999999999999/full", "/o/done/99999999999999",
                                 "/outreach/coverage?campaign=99999999999999"])
def test_huge_ids_are_not_found(client, login, places, url):
    login(Role.OUTREACH)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("day", "message"), [("0001-01-01", "活动日期超出可接受的范围"),
                                              ("9999-12-31", "在今天之后：只记录已开展的活动")])
def test_dates_at_the_ends_of_the_calendar_are_refused(client, login, places, day, message):
    login(Role.OUTREACH)
    office = client.post("/outreach/events/new", data=event_form(places["v1"], "village", held_on=day))
    phone = client.post("/o/new", data=phone_form(places["v1"], held_on=day), headers=JSON)
    assert message in page_text(office) and message in phone.get_json()["errors"]["held_on"]
    assert count(Event) == 0


def test_a_huge_note_is_refused_with_a_chinese_message(client, login, places):
    login(Role.OUTREACH)
    response = client.post("/o/new", data=phone_form(places["v1"], note="讲" * 1_000_000), headers=JSON)
    assert response.status_code == 400 and response.get_json()["errors"]["note"] == "备注不能超过 2000 字"
    assert count(Event) == 0


def test_the_place_picker_tells_only_id_name_and_town(client, login, places):
    login(Role.OUTREACH)
    rows = client.get("/o/places?type=village").get_json()
    assert rows and all(set(row) == {"id", "name", "town"} for row in rows)
