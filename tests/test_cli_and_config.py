import pytest
from sqlalchemy import select

from tests.conftest import dispose
from webapp import create_app
from webapp.auth.models import User
from webapp.auth.permissions import Role
from webapp.extensions import db


def test_create_user_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "zhang", "--name", "张主任", "--role", "leader", "--role", "drill_officer",
                                 "--password", "Duty2026xy"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "zhang"))
    assert user.role_set == {Role.LEADER, Role.DRILL}
    weak = runner.invoke(args=["create-user", "li", "--name", "李", "--role", "leader", "--password", "short"])
    assert weak.exit_code != 0 and "密码至少 8 位" in weak.output


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"APP_ENV": "production", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_development_generates_a_secret_key_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    second = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert len(first.config["SECRET_KEY"]) == 64
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    dispose(first)
    dispose(second)


def test_environment_overrides_database_url(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.db")
    dispose(app)


def test_sqlite_runs_with_wal_and_foreign_keys(make_app):
    app = make_app()
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def test_chinese_in_json_columns_is_stored_as_it_reads(app):
    """Someone querying the database sees 讲座, not \\u8bb2\\u5ea7 (and it takes half the bytes)."""
    from sqlalchemy import text

    from webapp.outreach.models import VenueType

    db.session.add(VenueType(key="market", label="进集市", place_label="集市", org_kinds=["集市摊位"]))
    db.session.commit()
    stored = db.session.execute(text("SELECT CAST(org_kinds AS TEXT) FROM outreach_venue_types WHERE key = 'market'"))
    assert stored.scalar() == '["集市摊位"]'
    assert db.session.scalar(select(VenueType.org_kinds).where(VenueType.key == "market")) == ["集市摊位"]


def test_the_bureau_is_the_registry_county_unless_the_region_names_it(make_app):
    from tests.conftest import page_text
    from webapp.registry.models import Organization, OrgKind

    app = make_app(BUREAU_NAME=None)
    client = app.test_client()  # no app context held: each request has its own, as on a server
    assert "应急管理局" in page_text(client.get("/login")) and "县应急管理局" not in page_text(client.get("/login"))
    with app.app_context():
        db.session.add(Organization(name="云溪县", kind=OrgKind.COUNTY.value))
        db.session.commit()
    assert "云溪县应急管理局" in page_text(client.get("/login"))
    app.config["BUREAU_NAME"] = "某某市某某区应急管理局"
    assert "某某市某某区应急管理局" in page_text(client.get("/login"))
