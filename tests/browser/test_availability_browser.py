"""A teacher declares an unavailability with the keyboard alone: the menu entry, the
« Ajouter une indisponibilité » link, the fields, a refusal with the focus on the field
in error, then the declaration saved and listed."""

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.seeds import demo_availability
from models import ExamSession, Mission
from tests.browser import test_axe
from tests.browser.conftest import sign_in
from tests.browser.test_axe import check_both_modes
from tests.browser.test_axe import sign_in as axe_sign_in
from tests.browser.test_keyboard_claim import go, tab_to
from tests.conftest import IS_POSTGRES

pytestmark = pytest.mark.browser
axe_page = test_axe.axe_page  # the fixture: a context where axe-core may be injected


def typed(day: dt.date) -> str:
    """What the date field takes from the keyboard: headless Chromium lays it out in the
    machine's locale (en-US: month, day, year), whatever the page's language."""
    return day.strftime("%m%d%Y")


def test_a_teacher_declares_an_unavailability_with_the_keyboard(app, page, demo):
    with app.app_context():
        first = db.session.scalar(
            select(ExamSession.starts_on).where(ExamSession.unavailability_closes_on.is_not(None))
        )
        db.session.remove()
    sign_in(page, "enseignant")
    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "Saisie des indisponibilités")
    go(page)
    expect(page.locator("#imagin-content h2").first).to_be_visible()
    tab_to(page, lambda f: f["tag"] == "A" and f["text"].startswith("Ajouter une indisponibilité"))
    go(page)

    tab_to(page, lambda f: f["id"] == "f-starts_on")
    page.keyboard.type(typed(first + dt.timedelta(days=2)))
    tab_to(page, lambda f: f["id"] == "f-ends_on")
    page.keyboard.type(typed(first + dt.timedelta(days=1)))  # before the start: refused
    tab_to(page, lambda f: f["id"] == "f-part")
    page.keyboard.press("ArrowDown")  # « Matin »
    tab_to(page, lambda f: f["id"] == "f-comment")
    page.keyboard.type("Réunion parents-professeurs")
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Enregistrer")
    go(page)

    expect(page.locator("#e-ends_on")).to_have_text(
        "La date de fin ne peut pas être antérieure à la date de début."
    )
    expect(page.locator("#f-ends_on")).to_be_focused()
    expect(page.locator("#f-comment")).to_have_value("Réunion parents-professeurs")
    page.keyboard.type(typed(first + dt.timedelta(days=3)))
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Enregistrer")
    go(page)

    expect(page.locator("#imagin-console")).to_contain_text(
        "Votre indisponibilité est enregistrée."
    )
    row = page.locator("table.imagin-list tbody tr", has_text="Réunion parents-professeurs")
    expect(row).to_contain_text("Matin")
    expect(row).to_contain_text((first + dt.timedelta(days=3)).strftime("%d/%m/%Y"))


@pytest.mark.skipif(IS_POSTGRES, reason="axe checks run in the SQLite pass only")
def test_the_availability_pages_have_no_serious_axe_violation(app, axe_page, demo):
    with app.app_context():
        exam_session = db.session.scalar(
            select(ExamSession.id).where(ExamSession.unavailability_closes_on.is_not(None))
        )
        mission = db.session.scalar(
            select(Mission.id).where(Mission.number == demo_availability.INVIGILATION_NUMBER)
        )
        db.session.remove()
    page = axe_page
    axe_sign_in(page, "enseignant")
    page.goto(f"{page.base_url}/indisponibilites/")
    check_both_modes(page)
    form = f"{page.base_url}/indisponibilites/session/{exam_session}/ajouter"
    page.goto(form)

    def refused():  # the form shown again with its messages
        page.goto(form)
        page.click("#imagin-content button[type=submit]")

    check_both_modes(page, refused)
    page.goto(f"{page.base_url}/logout/")
    page.context.clear_cookies()
    axe_sign_in(page, "gestionnaire")
    for path in ("/indisponibilites-intervenants/", f"/missions-affectations/{mission}"):
        page.goto(page.base_url + path)
        check_both_modes(page)
