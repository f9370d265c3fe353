"""The public certificate check /verify/<token>: the status a stranger reads (有效 / 已过期 / 已注销),
with the holder's name and ID masked and nothing else about them; a wrong token learns nothing."""

from datetime import timedelta

import pytest

from tests.conftest import page_text
from tests.training.conftest import attend_all, take_exam
from webapp.common.identifiers import mask_id_number
from webapp.common.time import local_today
from webapp.extensions import db
from webapp.training import certificates, exams, services


@pytest.fixture
def issued(make_session, factory):
    """Three certificates of a 48-hour session (4 days × 12 hours), exam passed with 100."""
    org = factory.org("东镇化工有限公司")
    start = local_today() - timedelta(days=10)
    session = make_session(trainees=3, start=start, org=org,
                           slots=[(start + timedelta(days=i), "08:00", "20:00", 12) for i in range(4)])
    exams.create_exam(session)
    db.session.commit()
    for enrollment in services.enrollments(session):
        take_exam(session, enrollment.person, right=20)
    attend_all(session)
    report = certificates.issue_session(session)
    db.session.commit()
    assert len(report.issued) == 3, report.skipped
    return report.issued


def private_details(certificate):
    person = certificate.person
    return [person.id_number, person.phone, person.organization.name, person.name]


def test_a_valid_certificate_shows_its_public_facts_only(client, issued):
    certificate = issued[0]
    response = client.get(f"/verify/{certificate.token}")
    assert response.status_code == 200
    html, text = response.get_data(as_text=True), page_text(response)
    assert "有效" in page_text(response).split("持证人")[0]
    assert 'data-testid="status"' in html and 'class="status valid"' in html
    assert "学*一" in text and mask_id_number(certificate.person.id_number) in text
    assert "主要负责人" in text and "危险化学品生产经营单位主要负责人初训" in text
    assert certificate.number in text and "示范县应急管理局" in text
    assert certificate.issued_on.strftime("%Y年%m月%d日") in text and certificate.expires_on.strftime("%Y年%m月%d日") in text
    for detail in private_details(certificate):
        assert detail not in html
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script" not in html and len(response.data) < 100_000


def test_an_expired_certificate_says_so(client, issued):
    certificate = issued[1]
    certificate.issued_on = local_today().replace(year=local_today().year - 4)
    certificate.expires_on = certificate.issued_on.replace(year=certificate.issued_on.year + 3) - timedelta(days=1)
    db.session.commit()
    response = client.get(f"/verify/{certificate.token}")
    assert response.status_code == 200
    text = page_text(response)
    assert "已过期" in text and "该证书已超过有效期" in text and "真实有效" not in text
    assert 'class="status expired"' in response.get_data(as_text=True)
    for detail in private_details(certificate):
        assert detail not in response.get_data(as_text=True)


def test_a_revoked_certificate_says_so_without_the_reason(client, issued):
    certificate = issued[2]
    certificates.revoke(certificate, "提供虚假材料")
    db.session.commit()
    response = client.get(f"/verify/{certificate.token}")
    assert response.status_code == 200
    html, text = response.get_data(as_text=True), page_text(response)
    assert "已注销" in text and 'class="status revoked"' in html and "真实有效" not in text
    assert "提供虚假材料" not in html
    for detail in private_details(certificate):
        assert detail not in html


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
    lambda t: t[:10],  # cut short
    lambda t: t + "x" * 20,  # too long
    lambda t: "YJPX2026ZY00001",  # a certificate number is not a token
])
def test_a_tampered_token_is_a_plain_404(client, issued, tamper):
    response = client.get(f"/verify/{tamper(issued[0].token)}")
    assert response.status_code == 404
    text = page_text(response)
    assert "证书不存在或核验码有误" in text
    for certificate in issued:
        assert certificate.number not in text and "学*" not in text


def test_verification_is_rate_limited_per_address(app, client, issued):
    app.config["VERIFY_RATE_LIMIT_PER_ADDRESS"] = "3 per minute"
    codes = [client.get(f"/verify/{issued[0].token}").status_code for _ in range(3)]
    codes.append(client.get(f"/verify/{issued[1].token}").status_code)
    assert codes == [200, 200, 200, 429]
