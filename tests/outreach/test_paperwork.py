"""A campaign's summary (宣传活动总结) rendered through the document engine and opened with
python-docx as a user would read it: the facts, the sentences, the table by town and venue type,
the targets, the materials, the photos; who may generate it."""

import io
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from sqlalchemy import func, select

from tests.conftest import page_text
from tests.outreach.conftest import photo_bytes, venue
from webapp.auth.permissions import Role
from webapp.common.time import local_today
from webapp.documents import pdf
from webapp.documents.models import GeneratedDocument
from webapp.extensions import db
from webapp.outreach import paperwork, services

YEAR = local_today().year - 1


def documents() -> int:
    return db.session.scalar(select(func.count()).select_from(GeneratedDocument))


def opened(client, response) -> Document:
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert "/documents/generated/" in location and location.endswith(".docx")
    download = client.get(location)
    assert download.status_code == 200
    return Document(io.BytesIO(download.data))


def table_rows(table) -> list[list[str]]:
    return [["".join(tc.xpath(".//w:t/text()")) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]


def lines(doc) -> list[str]:
    return ["".join(p.xpath(".//w:t/text()")) for p in doc.element.body.iter(qn("w:p"))]


def pictures(doc) -> int:
    return len(doc.element.body.xpath(".//pic:pic"))


def table_with(doc, text: str):
    (found,) = [t for t in doc.tables if any(text in cell for row in table_rows(t) for cell in row)]
    return table_rows(found)


@pytest.fixture
def june(places, make_event):
    """安全生产月 of YEAR with targets, seven events with photos (one portrait), materials, and an
    event of the same month outside the campaign."""
    east = places["east"]
    campaign = services.save_campaign(None, {
        "name": f"{YEAR}年“安全生产月”宣传活动", "theme": "人人讲安全、个个会应急", "moment": "安全生产月",
        "starts_on": date(YEAR, 6, 1), "ends_on": date(YEAR, 6, 30)}, [
        {"venue_type_id": venue("village").id, "town_id": None, "target": 2},
        {"venue_type_id": venue("enterprise").id, "town_id": east.id, "target": 1},
        {"venue_type_id": venue("family").id, "town_id": None, "target": 100},
    ])
    db.session.commit()
    plan = [  # place, key, day, audience, households, materials
        (places["v1"], "village", 3, 120, 0, [{"kind": "宣传单", "quantity": 800}]),
        (places["v1"], "village", 9, 80, 0, [{"kind": "宣传单", "quantity": 450}, {"kind": "应急包", "quantity": 20}]),
        (places["ent"], "enterprise", 12, 60, 0, [{"kind": "宣传册", "quantity": 150}]),
        (places["school"], "school", 14, 500, 0, [{"kind": "宣传册", "quantity": 500}]),
        (places["community"], "community", 16, 260, 0, [{"kind": "海报", "quantity": 40}]),
        (places["v1"], "family", 18, 90, 60, []),
        (places["v2"], "village", 21, 70, 0, [{"kind": "宣传单", "quantity": 300}]),
    ]
    made = []
    for n, (place, key, day, audience, households, materials) in enumerate(plan):
        event = make_event(place, key, materials=materials, held_on=date(YEAR, 6, day), audience=audience,
                           households=households, campaign_id=campaign.id)
        portrait = n == 2
        services.add_photo(event, photo_bytes(900, 1200) if portrait else photo_bytes(1200, 900, color=(20 * n, 90, 60)),
                           "企业员工学习灭火器使用" if portrait else "")
        made.append(event)
    make_event(places["v2"], "village", held_on=date(YEAR, 6, 25), audience=999)  # not the campaign's
    db.session.commit()
    return campaign


def test_the_summary_has_the_figures_the_table_the_targets_and_photos(client, login, places, june):
    login(Role.OUTREACH)
    doc = opened(client, client.post(f"/outreach/campaigns/{june.id}/summary-doc", data={"fmt": "docx"}))
    text = lines(doc)
    assert f"{YEAR}年“安全生产月”宣传活动总结" in text
    assert f"活动名称：{YEAR}年“安全生产月”宣传活动" in text
    assert f"活动时间：{YEAR}年6月1日至6月30日" in text and "活动主题：人人讲安全、个个会应急" in text
    assert (f"活动期间（{YEAR}年6月1日至6月30日），共组织开展安全宣传“五进”活动 7 场，受众 1,180 人次，"
            "发放各类宣传资料和物品 2,200 余份，覆盖 1 家企业、2 个行政村、1 个社区、1 所学校，入户宣传 60 户。") in text
    assert "按宣传场所分，进企业 1 场、进农村 3 场、进社区 1 场、进学校 1 场、进家庭 1 场。" in text
    assert "共有 2 个乡镇（街道）开展了活动，其中东镇开展最多（6 场）。" in text
    assert "本次活动设定目标 3 项，已完成 2 项，未完成：全县进家庭（完成 60户，目标 100户）。" in text

    by_type = table_with(doc, "覆盖率")
    assert by_type[0] == ["宣传场所", "活动场次", "受众人次", "覆盖地点", "覆盖率"]
    assert ["进农村", "3", "270", "2", "100.0%"] in by_type
    assert ["进家庭", "1", "90", "60户", "—"] in by_type

    grid = table_with(doc, "乡镇（街道）")
    labels = [t.label for t in services.venue_types()]
    assert grid[0] == ["乡镇（街道）", *labels]  # a column per venue type
    assert grid[1] == ["东镇", "1/1", "1/1", "1/1", "1/1", "60户", "0/0", "0处"]
    assert grid[2] == ["西镇", "0/0", "1/1", "0/0", "0/0", "0户", "0/0", "0处"]
    assert grid[3] == ["全县", "1/1", "2/2", "1/1", "1/1", "60户", "0/1", "0处"]
    assert len(grid) == 4

    targets = table_with(doc, "完成率")
    assert targets[1:] == [["1", "全县", "进农村", "2个", "2个", "100.0%", "已完成"],
                           ["2", "全县", "进家庭", "100户", "60户", "60.0%", "未完成"],
                           ["3", "东镇", "进企业", "1家", "1家", "100.0%", "已完成"]]

    materials = table_with(doc, "资料种类")
    assert materials[1:] == [["1", "宣传单", "1,550"], ["2", "宣传册", "650"], ["3", "海报", "40"], ["4", "应急包", "20"],
                             ["合计", "2,260"]]

    # six photos of the latest events, two to a row, captioned with place and date; and the seal
    assert pictures(doc) == paperwork.SUMMARY_PHOTOS + 1
    captions = [c for row in table_with(doc, f"{YEAR}年6月21日") for c in row]
    assert captions == [f"新村，{YEAR}年6月21日", f"新村，{YEAR}年6月18日", f"东镇幸福社区，{YEAR}年6月16日",
                        f"东镇中心小学，{YEAR}年6月14日", f"东镇化工有限公司，{YEAR}年6月12日：企业员工学习灭火器使用",
                        f"新村，{YEAR}年6月9日"]
    assert "示范县应急管理局" in text and f"{local_today():%Y}年{local_today().month}月{local_today().day}日" in text
    assert "None" not in "".join(text)

    # kept among the campaign's documents, shown on its page
    [document] = paperwork.documents_for(june)
    assert document.title == f"{YEAR}年“安全生产月”宣传活动总结" and document.source == f"outreach-campaign:{june.id}"
    page = client.get(f"/outreach/campaigns/{june.id}")
    assert f"{YEAR}年“安全生产月”宣传活动总结" in page_text(page)
    html = page.get_data(as_text=True)
    assert f"/documents/generated/{document.id}.docx" in html and 'data-testid="summary-doc-form"' in html


def test_a_campaign_without_targets_materials_or_photos(client, login, places, make_event):
    login(Role.OUTREACH)
    campaign = services.save_campaign(None, {"name": "防灾减灾日宣传", "starts_on": date(YEAR, 5, 6),
                                             "ends_on": date(YEAR, 5, 12)}, [])
    db.session.commit()
    make_event(places["v1"], "village", held_on=date(YEAR, 5, 12), campaign_id=campaign.id, audience=40)
    make_event(places["department"], "agency", held_on=date(YEAR, 5, 12), campaign_id=campaign.id, audience=0)
    doc = opened(client, client.post(f"/outreach/campaigns/{campaign.id}/summary-doc", data={"fmt": "docx"}))
    text = lines(doc)
    assert "防灾减灾日宣传宣传活动总结" in text
    assert f"活动时间：{YEAR}年5月6日至5月12日" in text and not any(t.startswith("活动主题") for t in text)
    assert (f"活动期间（{YEAR}年5月6日至5月12日），共组织开展安全宣传“五进”活动 2 场，受众 40 人次，"
            "覆盖 1 个行政村、1 家机关单位。") in text
    # the department lies in no town: a row of its own, the count without a total
    grid = table_with(doc, "县本级")
    assert grid[3] == ["县本级", "0", "0", "0", "0", "0户", "1", "0处"]
    assert grid[4] == ["全县", "0/1", "1/2", "0/1", "0/1", "0户", "1/1", "0处"]
    assert "本次活动未设定量化目标。" in text
    assert ["—", "本次活动未设定量化目标"] in table_with(doc, "完成率")
    assert ["—", "未记录发放的宣传资料"] in table_with(doc, "资料种类")
    assert "六、活动照片" not in text and pictures(doc) == 1  # the seal only


def test_no_summary_of_a_campaign_without_events(client, login, campaign):
    login(Role.OUTREACH)
    page = client.get(f"/outreach/campaigns/{campaign.id}")
    assert "记录活动后可生成宣传活动总结" in page_text(page)
    assert 'data-testid="summary-doc-form"' not in page.get_data(as_text=True)
    refused = client.post(f"/outreach/campaigns/{campaign.id}/summary-doc", data={"fmt": "docx"}, follow_redirects=True)
    assert f"“{campaign.name}”还没有活动记录，无法生成活动总结" in page_text(refused)
    assert documents() == 0


def test_a_reader_views_coverage_and_figures_but_cannot_generate(client, login, june):
    login(Role.LEADER)
    assert client.get(f"/outreach/coverage?campaign={june.id}").status_code == 200
    assert client.get(f"/outreach/coverage/not-reached?campaign={june.id}").status_code == 200
    assert client.get(f"/outreach/figures?year={YEAR}").status_code == 200
    assert client.post(f"/outreach/campaigns/{june.id}/summary-doc", data={"fmt": "docx"}).status_code == 403
    assert documents() == 0
    page = client.get(f"/outreach/campaigns/{june.id}").get_data(as_text=True)
    assert "生成宣传活动总结" not in page


def test_an_unknown_campaign_is_a_404(client, login):
    login(Role.OUTREACH)
    assert client.post("/outreach/campaigns/999999/summary-doc", data={"fmt": "docx"}).status_code == 404


@pytest.mark.skipif(not pdf.available(), reason="LibreOffice is not installed")
def test_the_summary_as_pdf(client, login, june):
    login(Role.OUTREACH)
    response = client.post(f"/outreach/campaigns/{june.id}/summary-doc", data={"fmt": "pdf"})
    assert response.headers["Location"].endswith(".pdf")
    download = client.get(response.headers["Location"])
    assert download.mimetype == "application/pdf" and download.data.startswith(b"%PDF")
