"""Fixtures: a fresh database per test (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set),
a client, login(role), and factories for the rows most tests need."""

import io
import os
import re
from itertools import count

import pytest
from flask import g
from sqlalchemy import create_engine, make_url, text

from webapp import create_app
from webapp.auth import services as auth_services
from webapp.auth.permissions import Role
from webapp.common.identifiers import credit_code_check_char, id_check_char
from webapp.extensions import db
from webapp.registry.models import Organization, OrgKind, Person

PASSWORD = "Secret123"
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "BUREAU_NAME": "示范县应急管理局",  # the documents' issuer, whatever registry a test builds
    "WTF_CSRF_ENABLED": False,
    # Cheap Argon2 parameters: the scheme is the same, the cost is not what a test measures.
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_KIB": 1024,
    "ARGON2_PARALLELISM": 1,
}


def database_url(tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'test.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return worker_database(url, worker) if worker else url


_created: set[str] = set()


def worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist each worker (gw0, gw1 …) empties and rebuilds tables of its own, so it
    gets a database of its own beside the one TEST_DATABASE_URL names: <name>_gw0 …, created on
    first use (CI drops them with the main one)."""
    base = make_url(url)
    mine = base.set(database=f"{base.database}_{worker}")
    if mine.database not in _created:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": mine.database}).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{mine.database}"'))
        admin.dispose()
        _created.add(mine.database)
    return mine.render_as_string(hide_password=False)


def database_of_its_own(tmp_path, name: str) -> str:
    """A database that other tests never empty, for a fixture that outlives one test (the demo
    county, the browser tests' live site): on PostgreSQL <name>_<worker>_<name> beside the
    worker's own, on SQLite a file in tmp_path."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / (name + '.db')}"
    return worker_database(url, f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{name}")


def make_test_app(tmp_path, **overrides):
    config = TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": database_url(tmp_path), "STORAGE_DIR": str(tmp_path / "files")}
    app = create_app(config | overrides)

    # Tests hold an app context open so they can use db.session; Flask then reuses it for each
    # request, and with it `g`, where Flask-Login caches the user. A real server starts every
    # request with a fresh `g`, so forget the cached user between requests as it would.
    @app.teardown_request
    def forget_cached_user(_exc):
        g.pop("_login_user", None)

    with app.app_context():
        reset_schema()
    return app


_rebuilt_once = False


def reset_schema() -> None:
    """An empty database with the models' schema. On PostgreSQL the first test of a run rebuilds
    the schema (a database left by an older checkout may have other columns); after that, while
    the tables are exactly the models' (a migration test leaves others), emptying them costs a
    third of rebuilding them (about 0.2 s against 0.6 s a test, which is minutes of CI)."""
    global _rebuilt_once
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            present = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
            if _rebuilt_once and present == set(db.metadata.tables):
                tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                return
        _rebuilt_once = True
        rebuild_schema()
    else:
        db.create_all()  # a new SQLite file for each test


def rebuild_schema() -> None:
    """Drop everything and create the models' tables (a database of its own, e.g. the demo county's)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db.drop_all()
    db.create_all()


def dispose(app) -> None:
    """Close the app's pooled connections (psycopg warns about connections left to the GC)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(tmp_path):
    """Build extra apps with other settings inside a test; their connections are closed after it."""
    made = []

    def build(**overrides):
        made.append(make_test_app(tmp_path, **overrides))
        return made[-1]

    yield build
    for extra in made:
        dispose(extra)


@pytest.fixture
def app(tmp_path):
    app = make_test_app(tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
    dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


_seq = count(1)


def valid_id_number(birth: str = "19900307", region: str = "110101", seq: int | None = None) -> str:
    body = region + birth + f"{(seq if seq is not None else next(_seq)) % 1000:03d}"
    return body + id_check_char(body)


def valid_credit_code(seed: int | None = None) -> str:
    n = seed if seed is not None else next(_seq)
    body = "91330100" + f"MA{n:07d}"
    return body + credit_code_check_char(body)


@pytest.fixture
def factory(app):
    class Factory:
        def org(self, name=None, kind=OrgKind.ENTERPRISE, parent=None, **values):
            org = Organization(name=name or f"单位{next(_seq)}", kind=OrgKind(kind).value, parent=parent, **values)
            if org.kind == OrgKind.ENTERPRISE.value and "industry" not in values:
                org.industry = "工贸"
            db.session.add(org)
            db.session.flush()
            if OrgKind(kind) in (OrgKind.TOWN, OrgKind.STREET):
                org.town_id = org.id
            elif parent is not None:
                org.town_id = parent.town_id
            db.session.commit()
            return org

        def county(self):
            return self.org("测试县", OrgKind.COUNTY)

        def tree(self):
            """A county with two towns, a village in each (both called 新村) and an enterprise."""
            county = self.county()
            east = self.org("东镇", OrgKind.TOWN, county)
            west = self.org("西镇", OrgKind.TOWN, county)
            v1 = self.org("新村", OrgKind.VILLAGE, east)
            v2 = self.org("新村", OrgKind.VILLAGE, west)
            ent = self.org("东镇化工有限公司", OrgKind.ENTERPRISE, v1, industry="危险化学品")
            return {"county": county, "east": east, "west": west, "v1": v1, "v2": v2, "ent": ent}

        def person(self, name="张三", org=None, **values):
            person = Person(name=name, id_number=values.pop("id_number", valid_id_number()), organization=org, **values)
            db.session.add(person)
            db.session.commit()
            return person

        def user(self, role=Role.ADMIN, username=None, password=PASSWORD):
            user = auth_services.create_user(username or f"user{next(_seq)}", "测试用户", password, [role])
            db.session.commit()
            return user

    return Factory()


@pytest.fixture
def login(client, factory):
    def do_login(role=Role.ADMIN):
        user = factory.user(role)
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return do_login


def page_text(response) -> str:
    """The visible text of an HTML response, for asserting what a user reads."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def table_text(response, testid: str) -> str:
    """The visible text of the table marked data-testid=..., leaving out flash messages and filters."""
    html = response.get_data(as_text=True)
    assert f'data-testid="{testid}"' in html, f"no table {testid}"
    fragment = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))


def xlsx_file(headers, rows) -> io.BytesIO:
    """An uploaded workbook as a user would fill it in: a header row, then the rows."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer
