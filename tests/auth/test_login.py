import os
import uuid
from datetime import timedelta

import pytest
import redis
import time_machine

from tests.conftest import PASSWORD, page_text
from webapp.auth.models import User
from webapp.auth.permissions import Role
from webapp.common.time import utcnow
from webapp.extensions import db


def test_login_lands_on_the_dashboard_and_logout_ends_the_session(client, factory):
    user = factory.user(Role.TRAINING, username="peixun")
    response = client.post("/login", data={"username": "peixun", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    assert "工作台" in page_text(client.get("/dashboard"))
    assert db.session.get(User, user.id).last_login_at is not None
    client.post("/logout")
    assert client.get("/dashboard").headers["Location"].startswith("/login")


def test_passwords_are_stored_as_argon2id(factory):
    user = factory.user()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_wrong_password_says_so_and_counts_down(client, factory):
    factory.user(username="wang")
    response = client.post("/login", data={"username": "wang", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码错误（再错 4 次账号将被暂时锁定）" in page_text(response)
    unknown = client.post("/login", data={"username": "nobody", "password": "nope"})
    assert "用户名或密码错误" in page_text(unknown)


def test_account_locks_after_five_failures_even_with_the_right_password(client, factory):
    user = factory.user(username="li")
    for _ in range(5):
        response = client.post("/login", data={"username": "li", "password": "wrong-password1"})
    assert "已被暂时锁定" in page_text(response)
    locked = client.post("/login", data={"username": "li", "password": PASSWORD})
    assert locked.status_code == 200 and "已被暂时锁定" in page_text(locked)
    assert db.session.get(User, user.id).locked_until > utcnow()
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        assert client.post("/login", data={"username": "li", "password": PASSWORD}).status_code == 302


def test_admin_unlocks_an_account(client, factory, login):
    factory.user(username="zhao")
    for _ in range(5):
        client.post("/login", data={"username": "zhao", "password": "wrong-password1"})
    login(Role.ADMIN)
    target = db.session.scalar(db.select(User).where(User.username == "zhao"))
    assert target.is_locked
    client.post(f"/users/{target.id}/unlock")
    db.session.refresh(target)
    assert not target.is_locked


def test_deactivated_account_cannot_log_in(client, factory):
    user = factory.user(username="old")
    user.active = False
    db.session.commit()
    response = client.post("/login", data={"username": "old", "password": PASSWORD})
    assert "该账号已停用" in page_text(response)


def test_login_is_rate_limited_per_address(make_app, factory):
    app = make_app(LOGIN_RATE_LIMIT_PER_ADDRESS="3 per minute")
    with app.app_context():
        client = app.test_client()
        for i in range(3):
            client.post("/login", data={"username": f"u{i}", "password": "x"})
        response = client.post("/login", data={"username": "u9", "password": "x"})
        assert response.status_code == 429
        assert "操作过于频繁" in page_text(response)


@pytest.mark.parametrize("proxies, separate", [(1, True), (0, False)])
def test_behind_a_proxy_each_client_address_has_its_own_limit(make_app, proxies, separate):
    """Behind nginx every request comes from the proxy; X-Forwarded-For is trusted only when configured."""
    app = make_app(LOGIN_RATE_LIMIT_PER_ADDRESS="2 per minute", TRUSTED_PROXIES=proxies)
    with app.app_context():
        client = app.test_client()

        def attempt(address):
            return client.post("/login", data={"username": "u", "password": "x"},
                               headers={"X-Forwarded-For": address}).status_code

        assert [attempt("10.0.0.1") for _ in range(3)] == [200, 200, 429]
        assert attempt("10.0.0.2") == (200 if separate else 429)


def test_login_refuses_an_offsite_next(client, factory):
    factory.user(username="next")
    response = client.post("/login?next=https://evil.example/x", data={"username": "next", "password": PASSWORD})
    assert response.headers["Location"].endswith("/dashboard")
    factory.user(username="next2")
    client.post("/logout")
    response = client.post("/login?next=/registry/people", data={"username": "next2", "password": PASSWORD})
    assert response.headers["Location"].endswith("/registry/people")


def test_change_password_and_old_sessions_stop_working(app, factory):
    factory.user(username="chen")
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        c.post("/login", data={"username": "chen", "password": PASSWORD})
    bad = first.post("/account/password", data={"current": "wrong", "new": "NewPass123", "confirm": "NewPass123"})
    assert "当前密码不正确" in page_text(bad)
    weak = first.post("/account/password", data={"current": PASSWORD, "new": "12345678", "confirm": "12345678"})
    assert "须同时包含字母和数字" in page_text(weak)
    ok = first.post("/account/password", data={"current": PASSWORD, "new": "NewPass123", "confirm": "NewPass123"})
    assert ok.status_code == 302
    assert first.get("/dashboard").status_code == 200  # this session stays
    assert second.get("/dashboard").status_code == 302  # the other device is logged out
    second.post("/login", data={"username": "chen", "password": "NewPass123"})
    assert second.get("/dashboard").status_code == 200


def test_forms_without_csrf_token_are_refused_in_chinese(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        response = app.test_client().post("/login", data={"username": "a", "password": "b"})
        assert response.status_code == 400
        assert "安全令牌缺失或已过期" in page_text(response)


def test_security_headers_and_cookie_flags(client, factory):
    factory.user(username="hdr")
    response = client.post("/login", data={"username": "hdr", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/dashboard")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_production_cookies_are_secure(make_app):
    app = make_app(APP_ENV="production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_rate_limits_are_shared_through_redis_when_configured(make_app, factory):
    """With REDIS_URL every app server counts the same attempts (two apps = two servers here)."""
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex}"
    settings = {"REDIS_URL": url, "RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": prefix,
                "LOGIN_RATE_LIMIT_PER_ADDRESS": "2 per minute"}
    one, two = make_app(**settings), make_app(**settings)
    with one.app_context():
        assert one.test_client().post("/login", data={"username": "a", "password": "x"}).status_code == 200
    with two.app_context():
        assert two.test_client().post("/login", data={"username": "a", "password": "x"}).status_code == 200
        assert two.test_client().post("/login", data={"username": "a", "password": "x"}).status_code == 429
    store = redis.Redis.from_url(url)
    keys = store.keys(f"*{prefix}*")
    assert keys, "the counts should live in Redis"
    store.delete(*keys)
