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
        page.wait_for_load_state("networkidle")
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
        page.get_by_role("button", name="Valider").click()


def first_claim_url(page) -> str:
    accept_conditions(page)
    link = page.locator("table.imagin-list tbody tr a").first
    return page.base_url + link.get_attribute("href")


@pytest.mark.parametrize("username", ["enseignant", "chef", "gestionnaire", "intervenant", "admin"])
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
    sign_in(axe_page, "intervenant")

    def bad_postcode():
        axe_page.goto(f"{axe_page.base_url}/informations-personnelles/")
        axe_page.fill("#postcode", "!!")
        axe_page.locator("main form button[type=submit]").last.click()
        expect(axe_page.locator("main")).to_contain_text("Saisissez un code postal de 5 chiffres")

    check_both_modes(axe_page, bad_postcode)


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
        ("intervenant", "/informations-personnelles/"),
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
