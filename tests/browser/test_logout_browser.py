"""Quitter, in a real browser: the header's button and the idle timeout both post the
logout form (GET /logout/ logs nobody out)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_header_button_logs_out(page, demo):
    sign_in(page, "enseignant")
    quit_button = page.locator("#imagin-header").get_by_role("button", name="Quitter")
    expect(quit_button).to_be_visible()
    quit_button.click()
    expect(page).to_have_url(re.compile(r"/login/"))
    page.goto(f"{page.base_url}/")
    expect(page).to_have_url(re.compile(r"/login/"))


def test_a_link_to_logout_does_not_log_out(page, demo):
    sign_in(page, "enseignant")
    response = page.goto(f"{page.base_url}/logout/")
    assert response.status == 405
    page.goto(f"{page.base_url}/")
    expect(page).to_have_url(f"{page.base_url}/")


def test_the_idle_timeout_posts_the_logout_form(app, page, demo, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 0.05)  # 3 seconds
    monkeypatch.setitem(app.config, "SESSION_WARNING_MINUTES", 0.02)
    sign_in(page, "enseignant")
    expect(page.locator("#imagin-timeout")).to_be_visible(timeout=5000)
    expect(page).to_have_url(re.compile(r"/login/"), timeout=10000)
    page.goto(f"{page.base_url}/")
    expect(page).to_have_url(re.compile(r"/login/"))


def test_the_warning_dialog_quits_through_the_form(app, page, demo, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 1)
    monkeypatch.setitem(app.config, "SESSION_WARNING_MINUTES", 59 / 60)  # after 1 second
    sign_in(page, "enseignant")
    dialog = page.locator("#imagin-timeout")
    expect(dialog).to_be_visible(timeout=5000)
    dialog.get_by_role("button", name="Quitter").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    page.goto(f"{page.base_url}/")
    expect(page).to_have_url(re.compile(r"/login/"))
