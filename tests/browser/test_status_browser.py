"""Statuses explained, in the browser: the legend under the list of claims, and a
greyed tab that says why on hover and on keyboard focus."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def open_list(page):
    page.get_by_role("link", name="Saisie état de frais mission").click()
    # First the conditions of use (seed 001 §2.6.1).
    page.get_by_label("J'ai lu et j'accepte les conditions", exact=False).check()
    page.get_by_role("button", name="Valider").click()


def test_the_legend_and_a_greyed_tab_that_says_why(page, demo):
    sign_in(page, "enseignant")
    open_list(page)
    legend = page.locator("#imagin-status-legend")
    expect(legend.locator("summary")).to_have_text("Signification des statuts")
    legend.locator("summary").click()
    row = legend.get_by_role("row", name="Invalidable")
    expect(row).to_contain_text("à compléter sur la première mission de la journée")
    expect(legend.get_by_role("row")).to_have_count(12)  # the head and 11 statuses

    page.locator("tr[data-href]", has_text="86373").locator("td").first.click()
    tab = page.get_by_role("link", name="Frais rémunération")
    expect(tab).to_have_attribute("aria-disabled", "true")
    why = "Choisissez d'abord « Je souhaite compléter l'état de frais »."
    expect(tab).to_have_accessible_description(why)
    tooltip = page.locator("#tab-why-remuneration")
    expect(tooltip).to_be_hidden()
    tab.hover()
    expect(tooltip).to_be_visible()
    expect(tooltip).to_have_text(why)
    page.mouse.move(0, 0)
    expect(tooltip).to_be_hidden()
    tab.focus()
    expect(tooltip).to_be_visible()
    # A click on the greyed tab leads nowhere.
    url = page.url
    tab.click(force=True)
    expect(page).to_have_url(url)
