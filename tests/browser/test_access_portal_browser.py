"""« Portail d'accès aux missions » in a real browser: a click on a mission leads to the
application (the request to SANTORIN is intercepted: nothing leaves the machine), and an
unavailable application gives the console error instead."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from models import Application
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_a_click_on_a_mission_opens_santorin(page, demo):
    reached = []

    def santorin(route):
        reached.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>SANTORIN</title>")

    page.route("https://santorin.ac-rennes.fr/**", santorin)
    sign_in(page, "enseignant")
    page.click("#imagin-menu >> text=Portail d'accès aux missions")
    row = page.locator("table.imagin-list tbody tr", has_text="A corriger dans SANTORIN")
    expect(row).to_contain_text("86373")
    row.locator("td").nth(3).click()  # anywhere on the row
    page.wait_for_url(re.compile(r"^https://santorin\.ac-rennes\.fr/"))
    assert reached == ["https://santorin.ac-rennes.fr/correcteur?mission=86373"]


def test_an_unavailable_application_gives_the_console_error(app, page, demo):
    with app.app_context():
        santorin = db.session.scalar(select(Application).where(Application.code == "SANTORIN"))
        santorin.available = False
        santorin.maintenance_message = "Retour prévu à 14 h."
        db.session.commit()
        db.session.remove()
    page.route("https://**", lambda route: route.abort())
    sign_in(page, "enseignant")
    page.click("#imagin-menu >> text=Portail d'accès aux missions")
    page.locator("table.imagin-list tbody tr", has_text="A corriger dans SANTORIN").click()
    expect(page.locator("#imagin-console")).to_contain_text(
        "L'application SANTORIN n'est pas disponible : veuillez prendre contact avec votre"
        " gestionnaire. Retour prévu à 14 h."
    )
    assert page.url.endswith("/portail/missions/")
