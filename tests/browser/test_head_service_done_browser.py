"""The head of the exam centre records service fait in a real browser: for one convoked
contributor, then for the whole mission; the manager then sees who recorded it."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_head_records_service_done_and_the_manager_sees_who(page, demo):
    sign_in(page, "chef")
    page.click("#imagin-menu >> text=Constat de service fait")
    expect(page.get_by_role("heading", name="Constat de service fait", level=1)).to_be_visible()
    row = page.locator("table.imagin-list tbody tr", has_text="330001")
    expect(row).to_contain_text("0 / 3")
    row.locator("td").first.click()
    expect(page.locator("caption")).to_have_text("Intervenants convoqués")
    page.get_by_label("Sélectionner JAOUEN Ronan").check()
    page.click("text=Service fait pour la sélection")
    expect(page.locator("#imagin-console")).to_contain_text(
        "Service fait enregistré pour 1 intervenant(s)."
    )
    jaouen = page.locator("table.imagin-list tbody tr", has_text="JAOUEN Ronan")
    expect(jaouen).to_contain_text("Yves Morvan")
    page.click("text=Service fait pour toute la mission")
    expect(page.locator("#imagin-console")).to_contain_text(
        "Service fait enregistré pour 2 intervenant(s)."
    )
    expect(page.locator("text=Service fait pour toute la mission")).to_have_count(0)
    mission_url = page.url
    page.context.clear_cookies()

    sign_in(page, "gestionnaire")
    page.goto(mission_url.replace("/constat-service-fait/", "/service-fait/"))
    rows = page.locator("table.imagin-list tbody tr")
    expect(rows).to_have_count(3)
    for index in range(3):
        expect(rows.nth(index).locator("td").last).to_have_text("Yves Morvan")
