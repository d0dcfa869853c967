"""The administrator's « Clients API » in Chromium: Swagger UI renders the API's
specification under the portal's strict CSP (its files served by the portal, no CDN,
no blocked script); creating a client shows its token; the pages are axe-clean."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_axe import serious_violations
from tests.conftest import IS_POSTGRES

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_the_specification_under_the_csp(page, demo):
    problems = []
    # (The browser's own request of /favicon.ico is not the page's.)
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.text} {m.location.get('url')}")
            if m.type == "error" and not m.location.get("url", "").endswith("favicon.ico")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on(
        "request",
        lambda r: (
            problems.append(f"outside request {r.url}")
            if not r.url.startswith(page.base_url) and not r.url.startswith("data:")
            else None
        ),
    )
    sign_in(page, "admin")
    page.goto(f"{page.base_url}/administration/api/documentation")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("IMAG'IN")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/missions" in path for path in paths)
    assert not problems, problems


def test_the_administrator_creates_a_client_in_the_browser(page, demo):
    sign_in(page, "admin")
    page.goto(f"{page.base_url}/administration/clients-api/")
    page.get_by_role("link", name="Créer un client").click()
    page.get_by_label("Nom du client").fill("Logiciel de liquidation")
    page.get_by_label("Académie").select_option(index=1)
    page.get_by_label("paiements:lire").check()
    page.get_by_label("paiements:ecrire").check()
    expiry = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    page.get_by_label("Date d'expiration").fill(expiry)
    page.get_by_role("button", name="Créer le client").click()
    token = page.get_by_label("Jeton").input_value()
    assert token.startswith("imagin_")
    page.get_by_role("link", name="Retour aux clients API").click()
    expect(page.locator("#api-clients")).to_contain_text("Logiciel de liquidation")
    assert token not in page.content()


@pytest.mark.skipif(IS_POSTGRES, reason="axe checks run in the SQLite pass only")
def test_the_pages_are_axe_clean(browser, live_server, demo):
    from tests.browser.test_axe import sign_in as axe_sign_in

    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="fr-FR", bypass_csp=True
    )
    tab = context.new_page()
    tab.base_url = live_server
    axe_sign_in(tab, "admin")
    found = []
    for path in (
        "/administration/clients-api/",
        "/administration/clients-api/nouveau",
        "/administration/api/documentation",
    ):
        tab.goto(f"{live_server}{path}")
        found += [f"{path}: {v}" for v in serious_violations(tab)]
    context.close()
    assert not found, "\n".join(found)
