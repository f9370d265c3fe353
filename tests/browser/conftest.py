"""Browser fixtures: the app on a real HTTP server (demo county, CSRF on) and Debian's Chromium
driven by Playwright. Nothing is downloaded: without /usr/bin/chromium the tests are skipped, or
fail when CI is set, because CI must run them."""

import os
import random
import re
from pathlib import Path

import pytest

from tests.browser.serving import CHROMIUM, LAUNCH_ARGS, serve
from tests.conftest import database_of_its_own, make_test_app

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found: install Debian's chromium package to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set, so the browser tests must run)", pytrace=False)
        pytest.skip(reason)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def live_site(tmp_path_factory, chromium_path):
    """(app, base URL) of the demo county served on 127.0.0.1:<random port>, one per session (per
    worker), on a database of its own: the other tests of the worker empty theirs between tests,
    which on PostgreSQL is one database for all of them."""
    from webapp.auth import demo as auth_demo
    from webapp.extensions import db
    from webapp.registry import demo as registry_demo

    tmp = tmp_path_factory.mktemp("browser")
    app = make_test_app(tmp, WTF_CSRF_ENABLED=True, SQLALCHEMY_DATABASE_URI=database_of_its_own(tmp, "browser"))
    ctx = app.app_context()
    ctx.push()
    try:
        registry_demo.seed(random.Random(2026))
        auth_demo.seed()
        db.session.commit()
    finally:
        db.session.remove()
        ctx.pop()

    with serve(app) as base_url:
        yield app, base_url


@pytest.fixture(scope="session")
def live_server(live_site):
    return live_site[1]


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        # launch() gives every browser a fresh, empty user-data-dir of its own.
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_context(browser, live_server):
    """new_context(**options): a fresh context (no cookies) whose relative URLs go to the live server."""
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_server, locale="zh-CN", **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request, tmp_path):
    """screenshot(page, name): a full-page PNG in the test's tmp dir, or instance/screenshots/ when
    SAVE_SCREENSHOTS is set."""
    if os.environ.get("SAVE_SCREENSHOTS"):
        folder = REPO / "instance" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = tmp_path
    test = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")

    def take(page, name: str) -> Path:
        path = folder / f"{test}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take

