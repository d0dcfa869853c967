"""Focus and announcements in a real browser (issue 18): the first field in error gets
the focus after a failed submit, an upload brings the focus back to its area, a sort to
its column's header; the filter's line count is announced; one Tab stop per list row;
Escape on the idle warning means "stay connected" and the idle logout says why."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from models import Agent
from tests.browser.conftest import sign_in
from tests.browser.test_claims_browser import png_bytes

pytestmark = pytest.mark.browser

FORM_ERRORS = "Le formulaire contient des erreurs : le focus est sur le premier champ en erreur."


def open_claim(page, username="EXT35000123", number="86373"):
    sign_in(page, username)
    page.locator("#imagin-menu").get_by_role("link", name="Saisie état de frais mission").click()
    conditions = page.get_by_label(
        "J'ai lu et j'accepte les conditions relatives à l'utilisation du service."
    )
    expect(page.locator("table.imagin-list").or_(conditions).first).to_be_visible()
    if conditions.count():
        conditions.check()
        page.get_by_role("button", name="Valider").click()
    page.locator("table.imagin-list tbody tr", has_text=number).locator("a").first.click()
    page.get_by_role("button", name="Je souhaite compléter l'état de frais").click()
    expect(page.locator(".imagin-tabs li.active")).to_have_text("Frais rémunération")


def outline_width(page) -> float:
    width = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
    style = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert style != "none"
    return float(width.removesuffix("px"))


def test_a_failed_fee_submit_focuses_the_field_in_error_and_announces_it(page, demo):
    open_claim(page)
    page.get_by_label("Nombre de copies :").fill("-3")
    page.get_by_role("button", name="Etape Suivante").click()
    field = page.locator("#f-copies")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    assert outline_width(page) >= 2
    # Its label and its message are what a screen reader reads on it.
    expect(field).to_have_accessible_name(re.compile("Nombre de copies"))
    expect(field).to_have_accessible_description(re.compile(r"\S"))
    expect(page.locator("#imagin-live")).to_have_text(FORM_ERRORS)


def test_a_failed_trip_focuses_its_first_field_in_error(page, demo):
    open_claim(page)
    page.get_by_label("Nombre de copies :").fill("14")
    page.get_by_role("button", name="Etape Suivante").click()
    page.get_by_role("link", name="Compléter le déplacement").first.click()
    page.fill("#f-departure_time", "")
    page.fill("#f-return_time", "")
    page.get_by_role("button", name="OK").click()
    expect(page.locator("#f-departure_time")).to_be_focused()
    expect(page.locator("#imagin-live")).to_have_text(FORM_ERRORS)


def test_a_password_form_in_error_focuses_the_field_in_error(page, demo):
    sign_in(page, "enseignant")
    page.goto(f"{page.base_url}/compte/mot-de-passe")
    # The browser's own check is bypassed: the server's answer is under test.
    page.evaluate("document.querySelector('main form').noValidate = true")
    page.locator("#new").fill("Un-nouveau-mot-2026")
    page.get_by_role("button", name="Enregistrer").click()
    current = page.locator("#current")
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(current).to_be_focused()
    expect(current).to_have_accessible_description(re.compile(r"\S"))
    expect(page.locator("#imagin-live")).to_have_text(FORM_ERRORS)


def test_a_crud_form_in_error_focuses_its_first_field_in_error(page, demo):
    sign_in(page, "gestionnaire")
    page.goto(f"{page.base_url}/establishmentmodelview/add")
    # The browser's own check is bypassed: the server's answer is under test.
    page.evaluate("document.getElementById('model_form').noValidate = true")
    page.fill("#postcode", "35000")
    page.locator("#model_form button[type=submit]").click()
    expect(page.locator("#uai")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#uai")).to_be_focused()
    expect(page.locator("#imagin-live")).to_have_text(FORM_ERRORS)


def test_an_upload_brings_the_focus_back_to_its_area_and_announces_the_result(page, app, demo):
    # The teacher's financial file made inactive: her pay pieces (RIB…) are asked for.
    with app.app_context():
        teacher = db.session.scalar(select(Agent).where(Agent.numen == "35E0000001MPC"))
        teacher.financial_file_active, teacher.insee_number = False, None
        db.session.commit()
    open_claim(page, "enseignant")
    page.get_by_role("link", name="Récapitulatif").click()
    area = page.locator("details.imagin-upload").first
    summary = area.locator("summary")
    summary_id = summary.get_attribute("id")
    if area.get_attribute("open") is None:
        summary.click()
    area.locator("input[type=file]").set_input_files(
        {"name": "recu.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    area.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#imagin-console")).to_contain_text("Le document « recu.png » est envoyé")
    expect(page.locator(f"#{summary_id}")).to_be_focused()
    expect(page.locator("#imagin-live")).to_contain_text("Le document « recu.png » est envoyé")


def test_a_sort_keeps_the_focus_on_the_sorted_column_header(page, demo):
    sign_in(page, "gestionnaire")
    page.goto(f"{page.base_url}/ouverture-activites/")
    page.locator("th a", has_text="Activité").focus()
    page.keyboard.press("Enter")
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("▲")
    expect(page.locator("th[aria-sort=ascending] a")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("▼")
    expect(page.locator("th[aria-sort=descending] a")).to_be_focused()


def test_the_filter_announces_the_new_line_count(page, demo):
    sign_in(page, "gestionnaire")
    page.goto(f"{page.base_url}/ouverture-activites/")
    page.locator("[data-list-filter]").press_sequentially("exterieur", delay=30)
    expect(page.locator(".imagin-pager-label")).to_have_text("Page 1 / 1 (9 lignes)")
    live = page.locator("#imagin-live")
    expect(live).to_have_text("9 lignes")
    expect(live).to_have_attribute("aria-live", "polite")


def test_each_list_row_takes_one_tab_stop(page, demo):
    sign_in(page, "gestionnaire")
    page.goto(f"{page.base_url}/ouverture-activites/")
    rows = page.locator("table.imagin-list tbody tr[data-href]")
    # The agents' services' activities (issue 16 added the access portal's, the DCS
    # survey, the unavailabilities and the head's service fait).
    expect(rows).to_have_count(23)
    stops = page.evaluate(
        """() => Array.from(document.querySelectorAll('table.imagin-list tbody tr[data-href]'))
            .map(row => [row, ...row.querySelectorAll('*')]
                .filter(el => el.tabIndex >= 0 && !el.disabled).length)"""
    )
    assert stops == [1] * 23
    first_link = rows.first.locator("a").first
    first_link.focus()
    page.keyboard.press("Tab")
    expect(rows.nth(1).locator("a").first).to_be_focused()


def test_escape_on_the_idle_warning_stays_connected(app, page, demo, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 0.1)  # 6 seconds
    monkeypatch.setitem(app.config, "SESSION_WARNING_MINUTES", 0.07)  # after ~2 seconds
    sign_in(page, "enseignant")
    dialog = page.locator("#imagin-timeout")
    expect(dialog).to_be_visible(timeout=5000)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # The count started again: the warning comes back before the end, and the session
    # did not end at the first deadline.
    expect(dialog).to_be_visible(timeout=5000)
    assert "/login/" not in page.url
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(1500)
    assert "/login/" not in page.url


def test_the_login_page_says_the_session_ended_after_inactivity(app, page, demo, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 0.05)  # 3 seconds
    monkeypatch.setitem(app.config, "SESSION_WARNING_MINUTES", 0.02)
    sign_in(page, "enseignant")
    expect(page).to_have_url(re.compile(r"/login/\?reason=idle"), timeout=10000)
    expect(page.locator("#imagin-session-ended")).to_have_text(
        "Votre session a pris fin après 0.05 minutes d'inactivité : identifiez-vous à nouveau."
    )


def test_quitting_by_hand_shows_no_inactivity_message(page, demo):
    sign_in(page, "enseignant")
    page.locator("#imagin-header").get_by_role("button", name="Quitter").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("#imagin-session-ended")).to_have_count(0)


def test_a_crud_list_sort_keeps_the_focus_on_the_sorted_column_header(page, demo):
    sign_in(page, "gestionnaire")
    page.goto(f"{page.base_url}/establishmentmodelview/list/")
    header = page.locator("main table thead th a").nth(1)
    label = header.inner_text().strip()
    header.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    focused = page.locator("main table thead th a:focus")
    expect(focused).to_have_count(1)
    expect(focused).to_contain_text(label)
