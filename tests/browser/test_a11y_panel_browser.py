"""The accessibility panel (seed 001 §1.3.1: contrast, font size, line spacing,
justification) and the menu folded behind a button on a phone-sized screen."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def _font_size(page, selector="body"):
    return page.locator(selector).evaluate("e => parseFloat(getComputedStyle(e).fontSize)")


def test_the_four_settings_of_the_guide_apply_and_persist_across_pages(page, demo):
    sign_in(page, "enseignant")
    toggle = page.locator("#imagin-a11y-toggle")
    expect(toggle).to_have_text("Accessibilité")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    panel = page.get_by_role("group", name="Paramètres d'accessibilité")
    expect(panel).to_be_visible()
    base = _font_size(page)
    line = page.locator("body").evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")

    panel.get_by_role("button", name="Augmenter la taille de police").click()
    panel.get_by_role("button", name="Augmenter la taille de police").click()
    panel.get_by_role("button", name="Contraste élevé").click()
    panel.get_by_role("button", name="Interlignage").click()
    panel.get_by_role("button", name="Justification").click()
    for name in ("Contraste élevé", "Interlignage", "Justification"):
        expect(panel.get_by_role("button", name=name)).to_have_attribute("aria-pressed", "true")

    # Another page: every setting is still applied, and the panel says so.
    page.goto(f"{page.base_url}/etats-de-frais/")
    assert _font_size(page) > base * 1.15
    assert page.locator("body").evaluate("e => parseFloat(getComputedStyle(e).lineHeight)") > (
        line * 1.15
    )
    expect(page.locator(".imagin-header")).to_have_css("background-color", "rgb(0, 0, 0)")
    expect(page.locator("#imagin-content p").first).to_have_css("text-align", "justify")
    page.locator("#imagin-a11y-toggle").click()
    for name in ("Contraste élevé", "Interlignage", "Justification"):
        expect(panel.get_by_role("button", name=name)).to_have_attribute("aria-pressed", "true")

    # Reset brings everything back, and that persists too.
    panel.get_by_role("button", name="Réinitialiser").click()
    page.goto(f"{page.base_url}/")
    assert _font_size(page) == base
    expect(page.locator("#imagin-content p").first).not_to_have_css("text-align", "justify")
    page.locator("#imagin-a11y-toggle").click()
    for name in ("Contraste élevé", "Interlignage", "Justification"):
        expect(panel.get_by_role("button", name=name)).to_have_attribute("aria-pressed", "false")


def test_the_panel_is_driven_with_the_keyboard(page, demo):
    sign_in(page, "enseignant")
    page.locator("#imagin-a11y-toggle").focus()
    page.keyboard.press("Enter")
    justify = page.get_by_role("button", name="Justification")
    expect(justify).to_be_visible()
    justify.focus()
    page.keyboard.press("Space")
    expect(justify).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#imagin-content p").first).to_have_css("text-align", "justify")


def test_on_a_phone_the_menu_folds_behind_a_button(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="fr-FR")
    page = context.new_page()
    page.base_url = live_server
    try:
        sign_in(page, "enseignant")
        button = page.get_by_role("button", name="Menu des activités")
        expect(button).to_be_visible()
        expect(button).to_have_attribute("aria-expanded", "false")
        entry = page.locator("#imagin-menu a", has_text="Saisie état de frais mission")
        expect(entry).to_be_hidden()
        # The content starts on the first screen, right under the header and the button.
        top = page.locator("#imagin-content").evaluate("e => e.getBoundingClientRect().top")
        assert top < 740 / 2
        # Keyboard: Enter unfolds, Tab reaches the first activity, Escape folds back.
        button.focus()
        page.keyboard.press("Enter")
        expect(button).to_have_attribute("aria-expanded", "true")
        expect(entry).to_be_visible()
        page.keyboard.press("Tab")
        expect(page.locator("#imagin-menu-entries a").first).to_be_focused()
        page.keyboard.press("Escape")
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(button).to_be_focused()
        expect(entry).to_be_hidden()
        # A click unfolds it too, and the activity opens.
        button.click()
        entry.click()
        expect(page.locator("h1")).to_have_text("Saisie état de frais mission")
    finally:
        context.close()


def test_on_a_wide_screen_the_menu_is_unfolded_without_a_button(page, demo):
    sign_in(page, "enseignant")
    expect(page.locator("#imagin-menu-toggle")).to_be_hidden()
    expect(page.locator("#imagin-menu a", has_text="Saisie état de frais mission")).to_be_visible()
