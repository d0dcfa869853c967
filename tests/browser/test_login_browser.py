"""The login page as the convocation says (issue 18): "Mot de passe oublié ?" carries
the identifier typed so far."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_forgotten_password_carries_the_identifier_typed(page, demo):
    page.goto(f"{page.base_url}/login/")
    link = page.get_by_role("link", name="Mot de passe oublié ?")
    expect(link).to_have_attribute("href", "/compte/mot-de-passe-oublie")
    page.locator("#username").press_sequentially("EXT35000123", delay=10)
    expect(link).to_have_attribute("href", "/compte/mot-de-passe-oublie?identifiant=EXT35000123")
    # Emptied again: the link carries nothing.
    page.locator("#username").fill("")
    page.locator("#username").dispatch_event("input")
    expect(link).to_have_attribute("href", "/compte/mot-de-passe-oublie")
    page.locator("#username").fill("EXT35000123")
    link.click()
    expect(page.locator("h1")).to_have_text("Mot de passe oublié")
    expect(page.get_by_label("Identifiant")).to_have_value("EXT35000123")


def test_the_external_contributor_logs_in_with_his_identifier_letter_case_counting(page, demo):
    page.goto(f"{page.base_url}/login/")
    page.fill("#username", "ext35000123")
    page.fill("#password", "imagin-demo")
    page.click("button[type=submit]")
    expect(page.locator("#imagin-console")).to_contain_text(
        "Identifiant ou mot de passe incorrect."
    )
    page.fill("#username", "EXT35000123")
    page.fill("#password", "imagin-demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{page.base_url}/")
    expect(page.locator(".imagin-user")).to_contain_text("LE GALL")
