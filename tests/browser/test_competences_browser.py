"""Declaring a competence in a real browser: exam, then specialty, then paper option."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_lists_follow_each_other_and_the_competence_is_created(page, demo):
    sign_in(page, "enseignant")
    page.click("#imagin-menu >> text=Saisie compétences")
    page.click("text=Ajouter compétence")
    expect(page.locator("#competence-form")).to_be_visible()
    refresh = page.locator("[data-no-js]")
    expect(refresh).to_have_count(1)
    expect(refresh).to_be_hidden()  # with JavaScript the lists follow without it
    page.select_option("#exam", label="BACCALAUREAT GENERAL")
    expect(page.locator("#specialty option")).to_have_count(4)  # the prompt + 3 specialties
    page.select_option("#specialty", label="TOUTES - TOUTES SERIES")
    expect(page.locator("#paper option")).to_have_count(2)
    page.select_option("#paper", label="003, HISTOIRE ET GEOGRAPHIE")
    page.click("text=Créer la compétence")
    expect(page.locator("#imagin-console")).to_contain_text("La compétence a été créée.")
    row = page.locator("table.imagin-list tbody tr", has_text="HISTOIRE ET GEOGRAPHIE")
    expect(row).to_contain_text("35E0000001MPC (C)")


def test_the_cross_invalidates_and_strikes_the_line(page, demo):
    sign_in(page, "enseignant")
    page.goto(f"{page.base_url}/competences/saisie/")
    row = page.locator("table.imagin-list tbody tr", has_text="LANGUE VIVANTE 3 ANGLAIS")
    row.locator("button.imagin-invalider").click()
    row = page.locator("table.imagin-list tbody tr", has_text="LANGUE VIVANTE 3 ANGLAIS")
    expect(row).to_have_class("struck")
    expect(row.locator("td").nth(3)).to_have_text("35E0000001MPC (I) 0650012K (C) SYS (C)")
    expect(row.locator("td").first).to_have_css("text-decoration-line", "line-through")
