"""A job's page in a real browser: started with no worker it says it waits; once a
worker runs the job, the progress bar, its text and the result link change without a
reload (jobs.js polls the job's state every 2 s)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import JobWorker

pytestmark = pytest.mark.browser


def test_the_job_page_follows_the_export_without_reloading(app, page, demo):
    JobWorker(app).queue.huey.flush()
    sign_in(page, "gestionnaire")
    page.goto(f"{page.base_url}/mise-en-paiement/")
    page.get_by_role("button", name="Exporter pour paiement").click()
    expect(page).to_have_url(re.compile(r"/traitements/\d+$"))
    expect(page.locator("#job-state")).to_have_text("En attente")
    expect(page.locator("#job-refresh")).to_be_hidden()  # the script polls instead
    page.evaluate("window.imaginNotReloaded = true")
    with JobWorker(app, flush=False):
        expect(page.locator("#job-state")).to_have_text("Terminé", timeout=20000)
    expect(page.locator("#job-progress-text")).to_have_text("2 sur 2 élément(s) (100 %)")
    expect(page.locator("#job-progress")).to_have_attribute("value", "2")
    expect(page.get_by_role("link", name=re.compile("Télécharger le résultat"))).to_be_visible()
    assert page.evaluate("window.imaginNotReloaded") is True
