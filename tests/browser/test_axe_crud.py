"""axe-core (WCAG 2.1 A and AA) on Flask-AppBuilder's generated screens: every manager
CRUD list and add form, a show and an edit page, the administrator's users, roles and
managers' files; in normal and in high-contrast mode ("Contraste élevé")."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import sign_in
from tests.conftest import IS_POSTGRES
from views import VIEWS, people
from views.base import ImaginModelView

pytestmark = [
    pytest.mark.browser,
    # axe reads the rendered page, which the database does not change: it runs in the
    # SQLite pass only, to keep `make test` within its time (the pages' data and
    # behaviour on PostgreSQL are covered by the rest of the suite).
    pytest.mark.skipif(IS_POSTGRES, reason="axe checks run in the SQLite pass only"),
]

AXE = Axe()
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Failing impacts, plus the structure rules issue 18 names (axe rates them lower).
STRUCTURE_RULES = {"heading-order", "empty-table-header"}

MANAGER_VIEWS = [
    view
    for view in VIEWS
    if issubclass(view, ImaginModelView) and view is not people.AdminManagerModelView
]
HIGH_CONTRAST_SAMPLE = {people.AgentModelView, people.TeachingModelView}


def _can(view, permission):
    return view.base_permissions is None or permission in view.base_permissions


def _route(view):
    return view.route_base or f"/{view.__name__.lower()}"


def axe_failures(page, url):
    """The serious or critical axe violations of the page (the header and console are
    the shell's: the work area, ``main``, is scanned in full)."""
    results = AXE.run(
        page,
        context={"include": [["main"]]},
        options={"runOnly": WCAG + ["best-practice"], "resultTypes": ["violations"]},
    )
    return [
        (url, violation["id"], [node["html"][:160] for node in violation["nodes"][:3]])
        for violation in results.response["violations"]
        if violation["id"] in STRUCTURE_RULES
        or (violation["impact"] in {"serious", "critical"} and set(violation["tags"]) & set(WCAG))
    ]


def _open(browser, live_server, contrast=False):
    # The page's strict CSP would refuse the injected axe script.
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="fr-FR", bypass_csp=True
    )
    if contrast:
        context.add_init_script("window.localStorage.setItem('imagin.contrast', '1')")
    tab = context.new_page()
    tab.base_url = live_server
    return context, tab


@pytest.fixture(params=["normal", "high-contrast"])
def axe_page(request, browser, live_server, demo):
    context, tab = _open(browser, live_server, contrast=request.param == "high-contrast")
    tab.imagin_mode = request.param
    yield tab
    context.close()


@pytest.fixture
def page(browser, live_server, demo):
    context, tab = _open(browser, live_server)
    yield tab
    context.close()


def visit(page, path):
    page.goto(f"{page.base_url}{path}")  # returns once the page has loaded
    assert page.url.split("?")[0] == f"{page.base_url}{path}".split("?")[0], path
    return path


def test_every_manager_crud_screen_has_no_serious_axe_violation(axe_page):
    page = axe_page
    sign_in(page, "gestionnaire")
    failures = []
    # Every screen in normal mode; in high contrast (the same FAB templates under the
    # shell's high-contrast rules) a representative few, to keep the suite's time.
    normal = page.imagin_mode == "normal"
    views = MANAGER_VIEWS if normal else [v for v in MANAGER_VIEWS if v in HIGH_CONTRAST_SAMPLE]
    for view in views:
        route = _route(view)
        failures += axe_failures(page, visit(page, f"{route}/list/"))
        if _can(view, "can_add"):
            failures += axe_failures(page, visit(page, f"{route}/add"))
    detail_routes = ("/missionmodelview", "/agentmodelview", "/establishmentmodelview")
    for route in detail_routes if normal else detail_routes[:1]:
        visit(page, f"{route}/list/")
        pk = page.locator(f"a[href*='{route}/show/']").first.get_attribute("href").split("/")[-1]
        failures += axe_failures(page, visit(page, f"{route}/show/{pk}"))
        failures += axe_failures(page, visit(page, f"{route}/edit/{pk}"))
    # A list with an active filter ("Rechercher" open, one filter line).
    failures += axe_failures(
        page, visit(page, "/establishmentmodelview/list/?_flt_2_name=Lyc%C3%A9e")
    )
    assert failures == []


def test_admin_screens_have_no_serious_axe_violation(axe_page):
    page = axe_page
    sign_in(page, "admin")
    failures = []
    for route in ("/users", "/roles", "/adminmanagermodelview"):
        failures += axe_failures(page, visit(page, f"{route}/list/"))
        failures += axe_failures(page, visit(page, f"{route}/add"))
    visit(page, "/users/list/")
    pk = page.locator("a[href*='/users/edit/']").first.get_attribute("href").split("/")[-1]
    failures += axe_failures(page, visit(page, f"/users/edit/{pk}"))
    failures += axe_failures(page, visit(page, f"/users/show/{pk}"))
    assert failures == []


def test_crud_headings_follow_the_page_title_and_the_actions_column_is_named(page, demo):
    sign_in(page, "gestionnaire")
    visit(page, "/establishmentmodelview/list/")
    assert page.locator("main h1").count() == 1
    assert page.locator("main h2.panel-title").inner_text().strip() == "Établissements"
    assert page.locator("main h4").count() == 0
    header = page.locator("main table thead th").first
    assert header.inner_text().strip() == "Actions"


def test_a_crud_form_in_error_ties_each_message_to_its_field(page, demo):
    sign_in(page, "gestionnaire")
    visit(page, "/establishmentmodelview/add")
    # The browser's own check is bypassed: the server's answer is under test.
    page.evaluate("document.getElementById('model_form').noValidate = true")
    page.fill("#postcode", "35000")
    with page.expect_navigation():
        page.locator("#model_form button[type=submit]").click()
    for field in ("uai", "name", "town"):
        control = page.locator(f"#{field}")
        assert control.get_attribute("aria-invalid") == "true", field
        described = control.get_attribute("aria-describedby") or ""
        messages = " ".join(
            page.locator(f"[id='{ident}']").inner_text() for ident in described.split()
        )
        assert "Ce champ est requis." in messages, field
    assert page.locator("#postcode").get_attribute("aria-invalid") is None
    assert page.locator("#town").input_value() == ""
    assert page.locator("#postcode").input_value() == "35000"
    assert axe_failures(page, "/establishmentmodelview/add (errors)") == []


def test_the_select2_search_box_of_the_user_form_is_labelled(page, demo):
    sign_in(page, "admin")
    visit(page, "/users/add")
    search = page.locator(".select2-search__field").first
    assert search.get_attribute("aria-label") == "Rôle"
