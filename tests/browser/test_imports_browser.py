"""« Imports » in a real browser: choose the kind, send the example CYCLADES file, read
the dry run, apply it and follow its job to the end; the screen and the dry run pass
axe-core (WCAG 2.1 A and AA) in normal and high-contrast modes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_axe import check_both_modes
from tests.conftest import JobWorker

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "cyclades-examens.csv"
SHOTS = os.environ.get("IMAGIN_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def axe_context(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="fr-FR", bypass_csp=True
    )
    tab = context.new_page()
    tab.base_url = live_server
    yield tab
    context.close()


def test_a_manager_imports_the_exams_file_from_the_dry_run_to_the_job(app, axe_context, demo):
    page = axe_context
    JobWorker(app).queue.huey.flush()
    sign_in(page, "gestionnaire")
    page.get_by_role("link", name="Imports").first.click()
    expect(page.get_by_role("heading", name="Nouvel import")).to_be_visible()
    check_both_modes(page)
    page.evaluate("localStorage.removeItem('imagin.contrast')")
    page.reload()
    shot(page, "imports-index")

    page.get_by_label(re.compile("Référentiel des examens")).check()
    page.get_by_label(re.compile("Fichier à importer")).set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Simuler").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+$"))
    expect(page.locator("#import-state")).to_have_text("Simulation affichée")
    expect(
        page.get_by_role("table", name=re.compile("Ce que le fichier changerait"))
    ).to_be_visible()
    expect(page.get_by_role("cell", name="BTS / 31406 / E4-A")).to_be_visible()
    check_both_modes(page)
    page.evaluate("localStorage.removeItem('imagin.contrast')")
    page.reload()
    shot(page, "imports-dry-run")

    page.get_by_role("button", name="Appliquer").click()
    expect(page).to_have_url(re.compile(r"/traitements/\d+$"))
    with JobWorker(app, flush=False):
        expect(page.locator("#job-state")).to_have_text("Terminé", timeout=20000)
    expect(page.locator("#job-message")).to_contain_text("11 nouveau(x)")
    page.goto(f"{page.base_url}/imports/")
    history = page.get_by_role("table", name="Imports précédents")
    expect(history).to_contain_text("cyclades-examens.csv")
    expect(history).to_contain_text("Appliqué")
    shot(page, "imports-history")


def test_refused_lines_are_an_accessible_table_with_the_choice_to_skip_them(
    axe_context, demo, tmp_path
):
    page = axe_context
    wrong = tmp_path / "faux.csv"
    header = EXAMPLE.read_text().splitlines()[0]
    wrong.write_text(
        header + "\nEXAMEN;X1;;;;UN;;;;;;;;;;;\nCENTRE;;;;;LYCEE;;;;;035002L;LGT;;35000;RENNES;;\n"
    )
    sign_in(page, "gestionnaire")
    page.goto(f"{page.base_url}/imports/")
    page.get_by_label(re.compile("Fichier à importer")).set_input_files(str(wrong))
    page.get_by_role("button", name="Simuler").click()
    refusals = page.get_by_role("table", name=re.compile("Lignes refusées"))
    expect(refusals.get_by_role("columnheader", name="Motif")).to_be_visible()
    expect(refusals.get_by_role("cell", name="035002L")).to_be_visible()
    expect(page.get_by_label("Importer sans les lignes refusées")).to_be_visible()
    check_both_modes(page)
    page.evaluate("localStorage.removeItem('imagin.contrast')")
    page.reload()
    shot(page, "imports-refusals")
