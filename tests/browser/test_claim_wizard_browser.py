"""The claim wizard as a teacher expects it (issue 18, "the agent's experience"):
nothing typed is lost when another tab is clicked, the trip's red cross asks first
(dialog; a page without JavaScript), the prefilled line comes back, a new first trip
keeps the read-only departure town, the amounts so far show on every tab, the mission
header's details button, and the mission details and "Ajouter compétence" dialogs."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def accept_conditions(page):
    page.goto(f"{page.base_url}/etats-de-frais/")
    box = page.get_by_label(
        "J'ai lu et j'accepte les conditions relatives à l'utilisation du service."
    )
    if box.count():
        box.check()
        page.get_by_role("button", name="Valider").click()


def open_claim(page, number="86373", start=True, script=True):
    """The teacher's claim of mission ``number``, started (on its first entry tab)."""
    sign_in(page, "enseignant")
    accept_conditions(page)
    page.locator("table.imagin-list tbody tr", has_text=number).locator("a").first.click()
    expect(page.locator(".imagin-claim-header")).to_contain_text(f"Mission N° {number}")
    if start:
        page.get_by_role("button", name="Je souhaite compléter l'état de frais").click()
    if start and script:  # the page's script keeps what is typed once it has run
        expect(page.locator("form[data-keep-typed-ready]")).to_have_count(1)


def tab(page, label):
    """A claim tab's link, once the page (and its script, which saves what was typed
    when a tab is clicked) has loaded."""
    page.wait_for_load_state()
    return page.locator(".imagin-tabs").get_by_role("link", name=label)


def active_tab(page):
    return page.locator(".imagin-tabs li.active")


def test_another_tab_saves_what_was_typed_and_warns_when_it_cannot(page, demo):
    open_claim(page)
    expect(active_tab(page)).to_have_text("Frais rémunération")
    page.get_by_label("Nombre de copies :").fill("14")
    tab(page, "Récapitulatif").click()  # not "Etape Suivante"
    expect(active_tab(page)).to_have_text("Récapitulatif")
    expect(page.locator("#imagin-console")).to_contain_text("Votre saisie est enregistrée.")
    expect(page.locator("#tab-recapitulatif")).to_contain_text("Nombre de copies : 14")

    # A wrong number: not saved, kept in the field, and said so.
    tab(page, "Frais rémunération").click()
    expect(page.get_by_label("Nombre de copies :")).to_have_value("14")
    page.get_by_label("Nombre de copies :").fill("-3")
    tab(page, "Suivi").click()
    expect(active_tab(page)).to_have_text("Frais rémunération")
    expect(page.get_by_label("Nombre de copies :")).to_have_value("-3")
    expect(page.get_by_label("Nombre de copies :")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#imagin-console")).to_contain_text(
        "Votre saisie n'est pas enregistrée : corrigez-la avant de quitter l'onglet."
    )

    # Leaving the tab again asks first: Escape stays, focus back on the tab clicked.
    suivi = tab(page, "Suivi")
    suivi.click()
    dialog = page.get_by_role("dialog", name="Votre saisie n'est pas enregistrée")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Rester sur l'onglet")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(suivi).to_be_focused()
    expect(page.get_by_label("Nombre de copies :")).to_have_value("-3")
    suivi.click()
    dialog.get_by_role("link", name="Quitter sans enregistrer").click()
    expect(active_tab(page)).to_have_text("Suivi")
    # What was saved before stays: 14 copies.
    tab(page, "Frais rémunération").click()
    expect(page.get_by_label("Nombre de copies :")).to_have_value("14")


def test_a_tab_clicked_without_typing_just_opens_it(page, demo):
    open_claim(page)
    tab(page, "Suivi").click()  # the copies field is empty and required: no save, no error
    expect(active_tab(page)).to_have_text("Suivi")
    expect(page.locator("#imagin-console")).not_to_contain_text("erreur")


def test_the_amounts_so_far_show_on_every_tab_before_validation(page, demo):
    open_claim(page)
    page.get_by_label("Nombre de copies :").fill("14")
    page.get_by_role("button", name="Etape Suivante").click()
    expect(active_tab(page)).to_have_text("Frais déplacement")
    amounts = page.locator(".imagin-claim-header .imagin-amounts-now")
    expect(amounts).to_contain_text("Montants")
    expect(page.locator("#amount-fee")).to_contain_text("€")
    expect(page.locator("#amount-fee")).to_contain_text("estimation")
    fee = page.locator("#amount-fee").inner_text()
    tab(page, "Récapitulatif").click()
    expect(page.locator("#amount-fee")).to_have_text(fee)


def test_the_red_cross_asks_first_and_the_prefilled_line_comes_back(page, demo):
    open_claim(page)
    page.get_by_label("Nombre de copies :").fill("14")
    page.get_by_role("button", name="Etape Suivante").click()
    legs = page.locator("table.imagin-legs tbody tr")
    expect(legs).to_have_count(1)
    expect(legs.first).to_contain_text("THOURIE")
    cross = legs.first.get_by_role("button", name="Supprimer ce déplacement")

    # Cancelled with Escape: nothing deleted, the focus back on the cross.
    cross.click()
    dialog = page.get_by_role("dialog", name="Supprimer ce déplacement ?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("THOURIE – RENNES")
    expect(dialog.get_by_role("button", name="Annuler")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # round inside the dialog: Supprimer, then Annuler again
    expect(dialog.get_by_role("button", name="Annuler")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(cross).to_be_focused()
    expect(legs).to_have_count(1)

    cross.click()
    dialog.get_by_role("button", name="Supprimer", exact=True).click()
    expect(page.locator("#imagin-console")).to_contain_text("Le déplacement est supprimé.")
    expect(page.locator("table.imagin-legs")).to_contain_text("Aucun déplacement.")

    page.get_by_role("button", name="Rétablir la ligne pré-remplie").click()
    expect(page.locator("#imagin-console")).to_contain_text("La ligne pré-remplie est rétablie")
    expect(legs).to_have_count(1)
    expect(legs.first).to_contain_text("THOURIE")
    expect(legs.first).to_contain_text("RENNES")
    expect(page.get_by_role("button", name="Rétablir la ligne pré-remplie")).to_have_count(0)


def test_a_new_first_trip_keeps_the_read_only_departure_town(page, demo):
    open_claim(page)
    page.get_by_label("Nombre de copies :").fill("14")
    with page.expect_navigation():
        page.get_by_role("button", name="Etape Suivante").click()
    # The red cross asks in a dialog once the page's script has run (before, it opens
    # the confirmation page: a loaded machine clicked too early).
    page.wait_for_load_state()
    page.locator("table.imagin-legs tbody tr").first.get_by_role(
        "button", name="Supprimer ce déplacement"
    ).click()
    page.get_by_role("dialog").get_by_role("button", name="Supprimer", exact=True).click()
    page.get_by_role("link", name="Ajouter un déplacement").click()
    town = page.locator("#f-departure_town")
    expect(town).to_have_attribute("readonly", "")
    expect(town).to_have_value("THOURIE")
    expect(page.locator("#h-departure_town")).to_have_text(
        "Votre ville de résidence : non modifiable."
    )


def test_without_javascript_the_red_cross_opens_a_confirmation_page(browser, live_server, demo):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    page.base_url = live_server
    try:
        open_claim(page, script=False)
        page.get_by_label("Nombre de copies :").fill("14")
        page.get_by_role("button", name="Etape Suivante").click()
        page.locator("table.imagin-legs tbody tr").first.get_by_role(
            "button", name="Supprimer ce déplacement"
        ).click()
        expect(
            page.get_by_role("heading", name="Supprimer ce déplacement ? — Mission N° 86373")
        ).to_be_visible()
        expect(page.locator("main")).to_contain_text("THOURIE")
        expect(page.locator("main")).to_contain_text(
            "Vous pourrez ensuite rétablir la ligne pré-remplie."
        )
        page.get_by_role("button", name="Supprimer", exact=True).click()
        expect(page.locator("#imagin-console")).to_contain_text("Le déplacement est supprimé.")
        expect(page.locator("table.imagin-legs")).to_contain_text("Aucun déplacement.")
    finally:
        context.close()


def test_the_mission_header_shows_and_hides_its_details(page, demo):
    open_claim(page)
    button = page.get_by_role("button", name="Détails de la mission")
    expect(button).to_have_attribute("aria-expanded", "true")
    details = page.locator("#mission-details")
    expect(details).to_contain_text("Dates de la mission")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(details).to_be_hidden()
    expect(page.locator(".imagin-claim-header")).to_contain_text("Mission N° 86373")
    statuses = page.locator(".imagin-claim-statuses")  # still in view
    expect(statuses).to_be_visible()
    expect(statuses).to_contain_text("Statut frais de rémunération")
    # The choice stays on the claim's other tabs.
    tab(page, "Suivi").click()
    expect(page.get_by_role("button", name="Détails de la mission")).to_have_attribute(
        "aria-expanded", "false"
    )
    expect(page.locator("#mission-details")).to_be_hidden()
    page.get_by_role("button", name="Détails de la mission").press("Enter")
    expect(page.locator("#mission-details")).to_be_visible()


def test_the_mission_details_open_in_a_dialog(page, demo):
    sign_in(page, "enseignant")
    page.goto(f"{page.base_url}/missions/")
    row = page.locator("table.imagin-list tbody tr", has_text="86373")
    link = row.locator("a").first
    link.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Détails de la mission")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("86373")
    expect(dialog).to_contain_text("Liste des dates de la mission")
    assert page.url.endswith("/missions/")  # the list stays behind
    # The focus stays inside: Tab goes round.
    for _ in range(6):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('dialog') !== null")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(link).to_be_focused()
    # A click anywhere on the row too; "Fermer" closes.
    row.locator("td").nth(1).click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Fermer").click()
    expect(dialog).to_have_count(0)


def test_ajouter_competence_opens_in_a_dialog(page, demo):
    sign_in(page, "enseignant")
    page.goto(f"{page.base_url}/competences/saisie/")
    add = page.get_by_role("link", name="Ajouter compétence")
    add.click()
    dialog = page.get_by_role("dialog", name="Ajouter compétence")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Examen")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(add).to_be_focused()
    add.click()
    dialog.get_by_label("Examen").select_option(label="BACCALAUREAT GENERAL")
    expect(dialog.locator("#specialty option")).to_have_count(4)
    dialog.get_by_label("Spécialité").select_option(label="TOUTES - TOUTES SERIES")
    dialog.get_by_label("Epreuve option").select_option(label="003, HISTOIRE ET GEOGRAPHIE")
    dialog.get_by_role("button", name="Créer la compétence").click()
    expect(page.locator("#imagin-console")).to_contain_text("La compétence a été créée.")


def test_without_javascript_the_dialogs_are_pages(browser, live_server, demo):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    page.base_url = live_server
    try:
        sign_in(page, "enseignant")
        page.goto(f"{page.base_url}/missions/")
        page.locator("table.imagin-list tbody tr", has_text="86373").locator("a").first.click()
        expect(page).to_have_url(f"{live_server}/missions/" + page.url.rsplit("/", 1)[-1])
        expect(page.get_by_role("heading", name="Détails de la mission")).to_be_visible()
        page.goto(f"{page.base_url}/competences/saisie/")
        page.get_by_role("link", name="Ajouter compétence").click()
        expect(page).to_have_url(f"{live_server}/competences/saisie/ajouter")
        expect(page.get_by_role("button", name="Actualiser les listes")).to_be_visible()
    finally:
        context.close()


class LeavePrompts:
    """The browser's « leave this page? » prompts (beforeunload) the page asked for:
    each one answered ``stay`` (dismissed) or leave (accepted), in turn."""

    def __init__(self, page):
        self.asked = 0
        self.leave = False
        page.on("dialog", self.answer)

    def answer(self, dialog):
        assert dialog.type == "beforeunload"
        self.asked += 1
        dialog.accept() if self.leave else dialog.dismiss()


def menu_link(page, label):
    return page.locator("#imagin-menu").get_by_role("link", name=label)


def test_leaving_the_claim_by_the_menu_after_typing_asks_first(page, demo):
    """Nothing typed is lost: a menu link after typing in the fee form makes the
    browser ask; staying keeps the typing, leaving goes; nothing typed, no question."""
    prompts = LeavePrompts(page)
    open_claim(page)
    claim_url = page.url
    copies = page.get_by_label("Nombre de copies :")
    copies.click()
    page.keyboard.type("14")
    menu_link(page, "Consultation missions").click()
    expect(copies).to_have_value("14")  # stayed: still on the claim, typing kept
    assert prompts.asked == 1
    expect(active_tab(page)).to_have_text("Frais rémunération")

    prompts.leave = True
    menu_link(page, "Consultation missions").click()
    page.wait_for_url(f"{page.base_url}/missions/")
    assert prompts.asked == 2

    # The same claim, nothing typed: the menu just opens the page.
    page.goto(claim_url)
    expect(page.locator("form[data-warn-unsaved-ready]")).to_have_count(1)
    page.get_by_label("Nombre de copies :").click()
    menu_link(page, "Consultation missions").click()
    page.wait_for_url(f"{page.base_url}/missions/")
    assert prompts.asked == 2


def test_saving_or_the_tabs_never_ask_but_a_form_in_error_does(page, demo):
    prompts = LeavePrompts(page)
    open_claim(page)
    copies = page.get_by_label("Nombre de copies :")
    copies.click()
    page.keyboard.type("-3")
    page.get_by_role("button", name="Etape Suivante").click()  # sent: no question
    expect(copies).to_have_attribute("aria-invalid", "true")
    assert prompts.asked == 0
    # Shown back with its errors, not saved: leaving by the menu asks.
    expect(page.locator("form[data-warn-unsaved-ready]")).to_have_count(1)
    page.locator("main h1, main h2").first.click()
    menu_link(page, "Consultation missions").click()
    expect(copies).to_have_value("-3")
    assert prompts.asked == 1
    # Typing fixed, another tab: saved by the tab (its own rule), no browser question.
    copies.fill("14")
    tab(page, "Récapitulatif").click()
    expect(active_tab(page)).to_have_text("Récapitulatif")
    assert prompts.asked == 1


def test_a_trip_typed_then_left_by_retour_asks_but_annuler_does_not(page, demo):
    prompts = LeavePrompts(page)
    open_claim(page)
    page.get_by_label("Nombre de copies :").fill("14")
    page.get_by_role("button", name="Etape Suivante").click()
    complete = page.locator("table.imagin-legs tbody tr").first.get_by_role(
        "link", name="Compléter le déplacement"
    )
    complete.click()
    expect(page.locator("form[data-warn-unsaved-ready]")).to_have_count(1)
    page.select_option("#f-transport_mode", label="AUTOMOBILE")
    page.locator("#f-km_one_way").click()
    page.keyboard.type("35")
    page.get_by_role("link", name="Retour").click()
    expect(page.locator("#f-km_one_way")).to_have_value("35")
    assert prompts.asked == 1
    page.get_by_role("link", name="Annuler").click()  # a deliberate discard
    expect(active_tab(page)).to_have_text("Frais déplacement")
    assert prompts.asked == 1
