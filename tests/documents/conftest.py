"""Document tests run against a folder of shipped templates of their own: one award certificate
whose text is easy to assert on."""

import pytest

from tests.documents.test_engine import docx_bytes
from webapp.documents.kinds import KINDS
from webapp.extensions import db

AWARD = KINDS["award_certificate"]
AWARD_LINES = ("{{ winner }}：在{{ competition }}中荣获{{ award }}。", "证书编号：{{ certificate_no }}",
               "{{ issuer }} {{ date|cn_date }}")


@pytest.fixture
def shipped_dir(tmp_path):
    folder = tmp_path / "doc_templates"
    folder.mkdir()
    (folder / AWARD.shipped).write_bytes(docx_bytes(*AWARD_LINES))
    return folder


@pytest.fixture
def app(make_app, shipped_dir):
    app = make_app(DOC_TEMPLATES_DIR=str(shipped_dir))
    with app.app_context():
        yield app
        db.session.remove()


