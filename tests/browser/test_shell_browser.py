"""The shell and the list component in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_keyword_filter_narrows_the_rows_as_one_types(page, demo):
    sign_in(page, "gestionnaire")
    page.click("text=Ouverture des activités")
    rows = page.locator("table.imagin-list tbody tr[data-href]")
    expect(rows).to_have_count(23)  # the agents' services' activities
    page.locator("[data-list-filter]").press_sequentially("exterieur", delay=30)
    expect(rows).to_have_count(9)
    expect(page.locator(".imagin-pager-label")).to_have_text("Page 1 / 1 (9 lignes)")
    # The caret stays in the filter and the URL keeps the keyword (back button, reload).
    expect(page.locator("[data-list-filter]")).to_be_focused()
    expect(page).to_have_url(re.compile(r"q=exterieur"))
    page.locator("[data-list-filter]").press_sequentially(" saisie", delay=30)
    expect(rows).to_have_count(3)  # claims, personal information, unavailabilities


def test_sorting_shows_an_arrow_and_reverses(page, demo):
    sign_in(page, "gestionnaire")
    page.goto(f"{page.base_url}/ouverture-activites/")
    header = page.locator("th a", has_text="Activité")
    header.click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("▲")
    first = page.locator("table.imagin-list tbody tr").first
    expect(first).to_contain_text("Compétences des personnels")
    page.locator("th a", has_text="Activité").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("▼")
    expect(page.locator("table.imagin-list tbody tr").first).to_contain_text(
        "Statistiques nationales de notation"
    )


def test_a_click_on_a_row_opens_its_detail(page, demo):
    sign_in(page, "gestionnaire")
    page.goto(f"{page.base_url}/ouverture-activites/?q=EPS")
    page.locator("table.imagin-list tbody tr").first.locator("td").nth(1).click()
    expect(page).to_have_url(re.compile(r"/ouverture-activites/\d+$"))
    expect(page.locator("legend")).to_have_text("État de l'activité pour ce service")


def test_closed_activities_are_greyed_and_the_widen_button_hides_the_menu(page, demo):
    sign_in(page, "enseignant")
    closed = page.locator("#imagin-menu .closed", has_text="Informations personnelles")
    expect(closed).to_be_visible()
    expect(closed).to_have_css("cursor", "not-allowed")
    page.click("#imagin-widen")
    expect(page.locator("#imagin-menu")).to_be_hidden()
    expect(page.locator("#imagin-header")).to_be_hidden()
    expect(page.locator("#imagin-console")).to_be_visible()
    page.reload()
    expect(page.locator("#imagin-content")).to_be_visible()
    expect(page.locator("#imagin-menu")).to_have_count(1)
    expect(page.locator("#imagin-menu")).to_be_hidden()  # kept for the session
    page.click("#imagin-widen")
    expect(page.locator("#imagin-menu")).to_be_visible()


def test_no_content_security_policy_violation(page, demo):
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    sign_in(page, "gestionnaire")
    for path in (
        "/",
        "/ouverture-activites/",
        "/messages/",
        "/missionmodelview/list/",
        "/missionmodelview/show/1",
        "/establishmentmodelview/add",
    ):
        page.goto(page.base_url + path)
        page.wait_for_load_state("networkidle")
    assert violations == []
