"""A manager sets the needs of a mission from its page (« Besoins en intervenants »): a
wrong number is refused with the focus on the field in error and what was typed kept,
then the needs are saved and shown on the mission page; the needs and conflicts
pages have no serious axe violation (issue 17)."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from models import AssignmentConflict, Mission
from tests.browser import test_axe
from tests.browser.conftest import sign_in
from tests.browser.test_axe import check_both_modes
from tests.browser.test_axe import sign_in as axe_sign_in
from tests.conftest import IS_POSTGRES

pytestmark = pytest.mark.browser
axe_page = test_axe.axe_page  # the fixture: a context where axe-core may be injected

FORM_ERRORS = "Le formulaire contient des erreurs : le focus est sur le premier champ en erreur."


def mission_id(app, number):
    with app.app_context():
        found = db.session.scalar(select(Mission.id).where(Mission.number == number))
        db.session.remove()
    return found


def test_a_manager_adds_needs_from_the_mission_page(app, page, demo):
    mission = mission_id(app, 86373)  # a correction without needs
    sign_in(page, "gestionnaire")
    page.goto(f"{page.base_url}/missions-affectations/{mission}")
    needs = page.locator("section", has=page.locator("#needs-title"))
    expect(needs).to_contain_text("Aucun besoin n'est saisi")
    needs.get_by_role("link", name="Modifier les besoins en intervenants").click()

    expect(page.locator("main")).to_contain_text("300 copies par défaut (type de mission)")
    page.get_by_label("Qualité (ligne 1)").select_option(label="CORRECTEUR")
    page.get_by_label("Places (ligne 1)").fill("8")
    page.get_by_label("Charge par intervenant (ligne 1)").fill("60")
    page.get_by_label("Qualité (ligne 2)").select_option(label="PRÉSIDENT")
    page.get_by_label("Places (ligne 2)").fill("0")  # refused: 1 to 999
    page.get_by_role("button", name="Enregistrer").click()

    places = page.locator("#f-places-1")
    expect(places).to_have_attribute("aria-invalid", "true")
    expect(places).to_be_focused()
    expect(places).to_have_accessible_description("Saisissez un nombre compris entre 1 et 999.")
    expect(page.locator("#imagin-live")).to_have_text(FORM_ERRORS)
    expect(page.locator("#f-places-0")).to_have_value("8")
    expect(page.locator("#f-load-0")).to_have_value("60")

    places.fill("1")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#imagin-console")).to_contain_text(
        "Les besoins de la mission sont enregistrés."
    )
    page.get_by_role("link", name="Retour à la mission").click()
    needs = page.locator("section", has=page.locator("#needs-title"))
    expect(needs.locator("tbody tr")).to_have_count(2)
    expect(needs.locator("tbody tr").first).to_contain_text("8")
    expect(needs.locator("tbody tr").first).to_contain_text("60")
    expect(needs.locator("tbody tr").first).to_contain_text("CORRECTEUR")


@pytest.mark.skipif(IS_POSTGRES, reason="axe checks run in the SQLite pass only")
def test_the_needs_and_conflicts_pages_have_no_serious_axe_violation(app, axe_page, demo):
    mission = mission_id(app, 77824)
    with app.app_context():
        conflict = db.session.scalar(select(AssignmentConflict.id))
        db.session.remove()
    page = axe_page
    axe_sign_in(page, "gestionnaire")
    base = page.base_url
    for path in (
        f"/missions-affectations/{mission}",
        f"/missions-affectations/{mission}/besoins",
        "/conflits-interets/",
        "/conflits-interets/ajouter",
        f"/conflits-interets/{conflict}/supprimer",
    ):
        page.goto(base + path)
        check_both_modes(page)

    def refused_needs():
        page.goto(f"{base}/missions-affectations/{mission}/besoins")
        page.fill("#f-places-0", "abc")
        page.click("#imagin-content button[type=submit]")
        expect(page.locator("#e-places-0")).to_be_visible()

    check_both_modes(page, refused_needs)

    def refused_conflict():
        page.goto(f"{base}/conflits-interets/ajouter")
        page.click("#imagin-content button[type=submit]")
        expect(page.locator("#e-agent")).to_be_visible()

    check_both_modes(page, refused_conflict)
