"""An outreach officer in a village, on a phone: record a 进农村 event with a photo on the light
field form, survive a failed upload (the form keeps everything and a retry saves it once), and see
the village counted on the coverage page."""

import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.serving import PHONE
from tests.browser.test_registry_browser import log_in
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.outreach.models import Event
from webapp.registry.models import Organization, OrgKind

pytestmark = pytest.mark.browser

NOTE = "浏览器测试：村委会门口设咨询台，讲解防汛避险和用电安全"


def _photo(path) -> str:
    image = Image.new("RGB", (2400, 1800), (40, 140, 90))
    ImageDraw.Draw(image).rectangle((300, 300, 2100, 1500), fill=(230, 200, 60))
    image.save(path, format="JPEG", quality=85)
    return str(path)


@pytest.fixture(scope="module")
def village(live_site):
    app, _ = live_site
    with app.app_context():
        place = db.session.scalar(select(Organization).where(
            Organization.kind == OrgKind.VILLAGE.value, Organization.active.is_(True)).order_by(Organization.id.desc()))
        yield {"id": place.id, "name": place.name, "town_id": place.town_id, "town": place.town.name}


def _village_cell(page, town: str) -> str:
    """The 进农村 cell of the town's row on the coverage page."""
    table = page.get_by_test_id("coverage")
    headers = [h.strip().split("\n")[0] for h in table.locator("thead th").all_inner_texts()]
    column = headers.index("进农村")
    row = table.locator("tbody tr", has=page.locator("th", has_text=re.compile(f"^{town}$")))
    return row.locator("th, td").nth(column).inner_text()


def test_record_an_event_on_a_phone_with_a_photo_and_see_the_coverage_change(live_site, new_context, screenshot,
                                                                           village, tmp_path):
    app, _ = live_site
    phone = new_context(**PHONE).new_page()
    phone.on("dialog", lambda dialog: dialog.accept())
    log_in(phone, "xuanchuan")
    year = local_today().year

    phone.goto(f"/outreach/coverage?year={year}")
    before = _village_cell(phone, village["town"])
    reached_before = int(re.match(r"\s*(\d+)", before).group(1))

    # the field form: type, town, place, forms, audience, materials, a photo
    phone.goto("/o/new")
    phone.get_by_text("进农村", exact=True).click()
    with phone.expect_response(lambda r: "/o/places" in r.url and f"town={village['town_id']}" in r.url):
        phone.locator("#town").select_option(str(village["town_id"]))
    phone.locator("#place_id").select_option(str(village["id"]))
    phone.get_by_text("咨询台", exact=True).click()
    phone.get_by_text("发放资料", exact=True).click()
    phone.get_by_label("受众人数").fill("86")
    phone.get_by_label("宣传册").fill("120")
    phone.get_by_label("简要说明").fill(NOTE)
    phone.get_by_test_id("photo-camera").set_input_files(_photo(tmp_path / "IMG_2001.jpg"))
    expect(phone.get_by_test_id("photo-list").locator("li")).to_have_count(1)
    screenshot(phone, "form")

    # the network fails: everything stays, and survives a reload
    phone.route("**/o/new", lambda route: route.abort() if route.request.method == "POST" else route.continue_())
    phone.get_by_test_id("submit").click()
    expect(phone.get_by_test_id("status")).to_contain_text("上传失败，内容已保存在本机")
    expect(phone.get_by_test_id("retry")).to_be_visible()
    phone.reload()
    expect(phone.get_by_test_id("restored")).to_be_visible()
    assert phone.get_by_label("简要说明").input_value() == NOTE
    assert phone.locator("#place_id").input_value() == str(village["id"])
    expect(phone.get_by_test_id("photo-list").locator("li")).to_have_count(1)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event).where(Event.note == NOTE)) == 0

    # the network is back: one event, with its photo, shrunk
    phone.unroute("**/o/new")
    phone.get_by_test_id("submit").click()
    phone.wait_for_url("**/o/done/*")
    expect(phone.get_by_test_id("done")).to_contain_text("已记录")
    expect(phone.get_by_test_id("summary")).to_contain_text(village["name"])
    screenshot(phone, "done")
    with app.app_context():
        [event] = db.session.scalars(select(Event).where(Event.note == NOTE)).all()
        assert event.place_id == village["id"] and event.audience == 86 and event.materials_total == 120
        assert len(event.photos) == 1 and max(event.photos[0].width, event.photos[0].height) <= 1600

    # the coverage page counts the village
    phone.goto(f"/outreach/coverage?year={year}")
    after = _village_cell(phone, village["town"])
    assert int(re.match(r"\s*(\d+)", after).group(1)) == reached_before + 1, (before, after)
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone, "coverage")
