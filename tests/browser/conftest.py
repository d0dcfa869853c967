"""A live server in a thread and a headless Debian Chromium driven by Playwright."""

import os
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import IS_POSTGRES

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install Debian's chromium package")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    tab = context.new_page()
    tab.base_url = live_server
    yield tab
    context.close()


def pytest_collection_modifyitems(items):
    """The browser tests run in the SQLite pass only: what Chromium shows, the keyboard
    and axe do not depend on the database, and every route they drive runs on PostgreSQL
    in the view, job and service tests (the PostgreSQL pass would only repeat minutes of
    pages). Under pytest-xdist they spread over the workers like the rest (one Chromium
    per worker): the ``xdist_group`` they carry no longer groups them since pytest 9
    (xdist 3.8 renames ``item._nodeid``, which pytest 9 no longer reads)."""
    skip = pytest.mark.skip(reason="browser tests run in the SQLite pass")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))
            if IS_POSTGRES:
                item.add_marker(skip)


def sign_in(page, username):
    page.goto(f"{page.base_url}/login/")
    page.fill("#username", username)
    page.fill("#password", "imagin-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")
