"""axe-core (WCAG 2.1 A and AA rules) finds no serious or critical violation on a
representative page of each kind, in normal and in high-contrast mode (issue 18).

axe-core is the one shipped by the PyPI package ``axe-playwright-python``; the page's
strict CSP would block an injected script, hence a context with ``bypass_csp=True``.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.conftest import IS_POSTGRES

pytestmark = [
    pytest.mark.browser,
    # axe reads the rendered page, which the database does not change: it runs in the
    # SQLite pass only, to keep `make test` within its time (the pages' data and
    # behaviour on PostgreSQL are covered by the rest of the suite).
    pytest.mark.skipif(IS_POSTGRES, reason="axe checks run in the SQLite pass only"),
]

AXE = Axe()
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def axe_page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="fr-FR", bypass_csp=True
    )
    tab = context.new_page()
    tab.base_url = live_server
    yield tab
    context.close()


def sign_in(page, username):
    page.goto(f"{page.base_url}/login/")
    page.fill("#username", username)
    page.fill("#password", "imagin-demo")
    page.click("form button[type=submit] >> nth=-1")
    page.wait_for_url(f"{page.base_url}/")


def serious_violations(page) -> list[str]:
    results = AXE.run(page, options=RULES)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in ("serious", "critical"):
            continue
        for node in violation["nodes"]:
            message = (node["any"] or node["all"] or node["none"] or [{}])[0].get("message", "")
            found.append(
                f"{violation['id']} ({violation['impact']}): "
                f"{' '.join(map(str, node['target']))} — {message}"
            )
    return found


def check_both_modes(page, prepare=None):
    """Run axe on the current page, then again with "Contraste élevé" switched on."""
    report = []
    for contrast in (False, True):
        page.evaluate(
            "on => on ? localStorage.setItem('imagin.contrast', '1')"
            " : localStorage.removeItem('imagin.contrast')",
            contrast,
        )
        if prepare:
            prepare()
        else:
            page.reload()
        # The page, its styles and scripts loaded (no web font; no script fetches at
        # load time, so waiting for the network to rest half a second only cost time).
        page.wait_for_load_state("load")
        mode = "high contrast" if contrast else "normal"
        report += [f"[{mode}] {line}" for line in serious_violations(page)]
    assert not report, f"{page.url} ({page.title()}):\n" + "\n".join(report)


def accept_conditions(page):
    page.goto(f"{page.base_url}/etats-de-frais/")
    box = page.get_by_label(
        "J'ai lu et j'accepte les conditions relatives à l'utilisation du service."
    )
    if box.count():
        box.check()
        with page.expect_navigation():
            page.get_by_role("button", name="Valider").click()
    # The rows open their claim by script: clicked once the page's scripts have run.
    page.wait_for_load_state("load")


def first_claim_url(page) -> str:
    accept_conditions(page)
    link = page.locator("table.imagin-list tbody tr a").first
    return page.base_url + link.get_attribute("href")


@pytest.mark.parametrize("username", ["enseignant", "chef", "gestionnaire", "EXT35000123", "admin"])
def test_the_home_of_each_role(axe_page, demo, username):
    sign_in(axe_page, username)
    check_both_modes(axe_page)


def test_the_login_page_and_its_error(axe_page, demo):
    axe_page.goto(f"{axe_page.base_url}/login/")
    check_both_modes(axe_page)

    def failed_login():
        axe_page.goto(f"{axe_page.base_url}/login/")
        axe_page.fill("#username", "enseignant")
        axe_page.fill("#password", "wrong-password")
        axe_page.click("form button[type=submit] >> nth=-1")
        expect(axe_page.get_by_text("Identifiant ou mot de passe incorrect.")).to_be_visible()

    check_both_modes(axe_page, failed_login)


@pytest.mark.parametrize("username", [None, "enseignant"])
def test_the_not_found_page(axe_page, demo, username):
    if username:
        sign_in(axe_page, username)
    axe_page.goto(f"{axe_page.base_url}/page-qui-n-existe-pas")
    check_both_modes(axe_page)


def test_the_agent_claims_list(axe_page, demo):
    sign_in(axe_page, "enseignant")
    accept_conditions(axe_page)
    expect(axe_page.locator("table.imagin-list")).to_be_visible()
    check_both_modes(axe_page)


@pytest.mark.parametrize("tab", ["suivi", "recapitulatif"])
def test_a_claim_tab(axe_page, demo, tab):
    sign_in(axe_page, "enseignant")
    url = re.sub(r"/[^/]*$", f"/{tab}", first_claim_url(axe_page))
    axe_page.goto(url)
    check_both_modes(axe_page)


def test_a_form_in_error(axe_page, demo):
    sign_in(axe_page, "EXT35000123")

    def bad_postcode():
        axe_page.goto(f"{axe_page.base_url}/informations-personnelles/")
        axe_page.fill("#postcode", "!!")
        axe_page.locator("main form button[type=submit]").last.click()
        expect(axe_page.locator("main")).to_contain_text("Saisissez un code postal de 5 chiffres")

    check_both_modes(axe_page, bad_postcode)


def test_the_managers_claim_page_with_its_pdf_summary(axe_page, app, demo):
    from tests.views.test_claims import claim_id

    claim = claim_id(app, "LECLERC", 77508)  # validated: « Récapitulatif PDF » is offered
    sign_in(axe_page, "gestionnaire")
    axe_page.goto(f"{axe_page.base_url}/traitement-etats-de-frais/{claim}")
    expect(axe_page.locator("main")).to_contain_text("Récapitulatif PDF")
    check_both_modes(axe_page)


@pytest.mark.parametrize(
    "username,path",
    [
        ("enseignant", "/compte/mot-de-passe"),
        ("enseignant", "/competences/saisie/"),
        ("gestionnaire", "/tableau-de-bord/"),
        ("gestionnaire", "/traitement-etats-de-frais/"),
        ("gestionnaire", "/ouverture-activites/"),
        ("gestionnaire", "/traitements/"),
        ("gestionnaire", "/mise-en-paiement/"),
        ("EXT35000123", "/informations-personnelles/"),
        # The help of an activity (with the legend of the statuses) and the user guides.
        ("EXT35000123", "/aide?activite=claims_entry"),
        ("enseignant", "/guide"),
        ("gestionnaire", "/guide"),
        # Pages the crawl (tools/axe_crawl.py) reaches that no other test checked.
        ("enseignant", "/plan-du-site"),
        ("enseignant", "/competences/consultation/?onglet=enseignements"),
        ("chef", "/competences/etablissement/"),
        ("gestionnaire", "/competences/gestion/"),
        ("gestionnaire", "/missions-affectations/"),
        ("gestionnaire", "/service-fait/"),
        ("gestionnaire", "/messages/"),
        ("gestionnaire", "/messages/teacher/welcome"),
        ("gestionnaire", "/aide?activite=rates"),
        ("gestionnaire", "/aide?activite=activity_openings"),
    ],
)
def test_account_competence_and_dashboard_pages(axe_page, demo, username, path):
    sign_in(axe_page, username)
    axe_page.goto(axe_page.base_url + path)
    check_both_modes(axe_page)


@pytest.mark.parametrize("path", ["/agentmodelview/list/", "/agentmodelview/add"])
def test_a_crud_list_and_form(axe_page, demo, path):
    sign_in(axe_page, "gestionnaire")
    axe_page.goto(axe_page.base_url + path)
    expect(axe_page.locator("#imagin-console .console-danger")).to_have_count(0)
    check_both_modes(axe_page)


def test_a_claim_with_greyed_tabs_and_the_open_panel(axe_page, demo):
    """The first access of a claim: three tabs greyed with their reason; the
    accessibility panel open."""
    sign_in(axe_page, "enseignant")
    accept_conditions(axe_page)
    axe_page.locator("tr[data-href]", has_text="86373").locator("td").first.click()
    expect(axe_page.locator(".imagin-tab-greyed")).to_have_count(3)

    def open_panel():
        axe_page.reload()
        axe_page.locator("#imagin-a11y-toggle").click()
        axe_page.locator(".imagin-tab-greyed a").first.focus()

    check_both_modes(axe_page, open_panel)


def test_a_phone_sized_screen(browser, live_server, demo):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, locale="fr-FR", bypass_csp=True
    )
    page = context.new_page()
    page.base_url = live_server
    try:
        sign_in(page, "enseignant")
        page.goto(f"{live_server}/etats-de-frais/")
        check_both_modes(page)
        page.locator("#imagin-menu-toggle").click()
        assert not serious_violations(page)
    finally:
        context.close()


def started_claim(page) -> str:
    """The teacher's claim 86373 started: the URL of its fee tab."""
    accept_conditions(page)
    page.locator("table.imagin-list tbody tr", has_text="86373").locator("a").first.click()
    expect(page.locator(".imagin-claim-header")).to_contain_text("86373")
    page.get_by_role("button", name="Je souhaite compléter l'état de frais").click()
    expect(page.locator(".imagin-tabs li.active")).to_have_text("Frais rémunération")
    return page.url


def test_the_claim_wizard_tabs_dialogs_and_confirmation_page(axe_page, demo):
    sign_in(axe_page, "enseignant")
    fee_url = started_claim(axe_page)

    def fee_error_and_leave_warning():
        axe_page.goto(fee_url)
        axe_page.get_by_label("Nombre de copies :").fill("-3")
        axe_page.get_by_role("button", name="Etape Suivante").click()
        expect(axe_page.get_by_label("Nombre de copies :")).to_have_attribute(
            "aria-invalid", "true"
        )
        # The page's script (which asks before leaving a form in error) has run.
        expect(axe_page.locator("form[data-keep-typed-ready]")).to_have_count(1)
        axe_page.locator(".imagin-tabs").get_by_role("link", name="Suivi").click()
        expect(axe_page.get_by_role("dialog")).to_be_visible()

    check_both_modes(axe_page, fee_error_and_leave_warning)

    axe_page.goto(fee_url)
    axe_page.get_by_label("Nombre de copies :").fill("14")
    axe_page.get_by_role("button", name="Etape Suivante").click()
    travel_url = axe_page.url

    def delete_dialog():
        axe_page.goto(travel_url)
        axe_page.get_by_role("button", name="Supprimer ce déplacement").first.click()
        expect(axe_page.get_by_role("dialog")).to_be_visible()

    check_both_modes(axe_page, delete_dialog)
    href = axe_page.locator("table.imagin-legs form[method=get]").first.get_attribute("action")
    axe_page.goto(axe_page.base_url + href)  # the page without JavaScript
    check_both_modes(axe_page)


def test_the_pop_up_after_valider(axe_page, demo):
    sign_in(axe_page, "EXT35000123")
    accept_conditions(axe_page)
    row = axe_page.locator("table.imagin-list tbody tr", has_text="Correction de copies").first
    row.locator("a").first.click()
    axe_page.get_by_role("button", name="Je souhaite compléter l'état de frais").click()
    axe_page.get_by_label("Nombre de copies :").fill("14")
    axe_page.get_by_role("button", name="Etape Suivante").click()
    axe_page.locator("table.imagin-legs tbody tr").first.get_by_role(
        "link", name="Compléter le déplacement"
    ).click()
    axe_page.fill("#f-departure_time", "08:00")
    axe_page.fill("#f-return_time", "20:00")
    axe_page.select_option("#f-transport_mode", label="AUTOMOBILE")
    axe_page.fill("#f-km_one_way", "35")
    axe_page.fill("#f-trips", "2")
    axe_page.get_by_role("button", name="OK").click()
    axe_page.locator(".imagin-tabs").get_by_role("link", name="Récapitulatif").click()
    axe_page.get_by_role("button", name="Valider").click()
    expect(axe_page.get_by_role("dialog", name="Votre état de frais est validé")).to_be_visible()
    check_both_modes(axe_page)


@pytest.mark.parametrize(
    "path,opener",
    [
        ("/missions/", "table.imagin-list tbody tr a >> nth=0"),
        ("/competences/saisie/", "text=Ajouter compétence"),
    ],
)
def test_the_dialogs_of_missions_and_competences(axe_page, demo, path, opener):
    sign_in(axe_page, "enseignant")

    def open_dialog():
        axe_page.goto(axe_page.base_url + path)
        axe_page.locator(opener).click()
        expect(axe_page.get_by_role("dialog")).to_be_visible()

    check_both_modes(axe_page, open_dialog)


def test_a_refused_return_file_with_its_lines(axe_page, demo, tmp_path):
    """« Mise en paiement » after a refused return file: the list of its wrong lines
    next to the file field, the focus on the field."""
    sign_in(axe_page, "gestionnaire")
    wrong = tmp_path / "retour.csv"
    wrong.write_text(
        "numero_dossier;nature;resultat;date_paiement;motif_rejet\r\n"
        "2099-000001;REMUNERATION;PAYE;01/01/2026;\r\n",
        encoding="utf-8",
    )

    def refused():
        axe_page.goto(f"{axe_page.base_url}/mise-en-paiement/")
        axe_page.set_input_files("#return-file", str(wrong))
        axe_page.get_by_role("button", name="Importer le fichier retour").click()
        expect(axe_page.locator("main")).to_contain_text(
            "Ligne 2 : « 2099-000001 » : dossier inconnu."
        )
        expect(axe_page.locator("#return-file")).to_be_focused()

    check_both_modes(axe_page, refused)


def test_a_validated_claim_with_its_devalider_button(axe_page, app, demo):
    """The recap of a claim validated by the agent and not yet processed offers
    « Dévalider » (an orange button: white on orange was 1.9:1, found by the crawl)."""
    from tests.views.test_claims import claim_id

    sign_in(axe_page, "enseignant")
    accept_conditions(axe_page)
    claim = claim_id(app, "LECLERC", 77508)
    axe_page.goto(f"{axe_page.base_url}/etats-de-frais/{claim}/recapitulatif")
    expect(axe_page.get_by_role("button", name="Dévalider")).to_be_visible()
    check_both_modes(axe_page)
