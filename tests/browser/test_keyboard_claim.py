"""The whole expense claim with the keyboard alone (issue 18, done-when): no click, the
focus visible at every step (a computed outline) and on the first field in error after
a failed submit. Keys only: Tab, Shift+Tab, Enter, Space, typing."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# What has the focus, and whether it shows: its computed outline.
ACTIVE = """() => {
  const el = document.activeElement;
  if (!el) { return { tag: "NONE", id: "", text: "", row: "", type: "", outline: false }; }
  const style = getComputedStyle(el);
  return {
    tag: el.tagName, id: el.id, type: el.type || "", text: (el.textContent || el.value || "").trim(),
    row: el.closest("tr") ? el.closest("tr").textContent : "",
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
}"""


def active(page) -> dict:
    return page.evaluate(ACTIVE)


def assert_focus_visible(page) -> dict:
    focused = active(page)
    for _ in range(10):  # a date field settles its inner focus a frame later
        if focused["outline"]:
            break
        page.wait_for_timeout(50)
        focused = active(page)
    assert focused["tag"] != "BODY", "the focus fell to the top of the page"
    assert focused["outline"], f"no visible focus on {focused}"
    return focused


def tab_to(page, wanted, limit=120, key="Tab") -> dict:
    """Press Tab until ``wanted(focused)`` holds, the focus visible at every stop."""
    for _ in range(limit):
        page.keyboard.press(key)
        focused = assert_focus_visible(page)
        if wanted(focused):
            return focused
    raise AssertionError(f"{limit} × {key} did not reach the element")


def go(page, key="Enter"):
    """A key that leads to another page: wait for it before the next key."""
    with page.expect_navigation():
        page.keyboard.press(key)


def text_is(tag, text):
    return lambda f: f["tag"] == tag and f["text"] == text


def test_a_claim_is_completed_with_the_keyboard_alone(page, demo):
    page.goto(f"{page.base_url}/login/")
    # The identifier has the focus on arrival.
    assert active(page)["id"] == "username"
    page.keyboard.type("EXT35000123")
    tab_to(page, lambda f: f["id"] == "password")
    page.keyboard.type("imagin-demo")
    go(page)
    page.wait_for_url(f"{page.base_url}/")

    tab_to(page, text_is("A", "Saisie état de frais mission"))
    go(page)

    # Conditions of use: Space ticks the box, Enter on Valider.
    tab_to(page, lambda f: f["type"] == "checkbox")
    page.keyboard.press("Space")
    tab_to(page, text_is("BUTTON", "Valider"))
    go(page)
    expect(page.locator("#imagin-console")).to_contain_text("conditions d'utilisation")

    # The claim list: one Tab stop per row, the link of the claim's row.
    tab_to(page, lambda f: f["tag"] == "A" and "86373" in f["row"])
    go(page)
    expect(page.locator(".imagin-claim-header")).to_contain_text("Mission N° 86373")
    tab_to(page, text_is("BUTTON", "Je souhaite compléter l'état de frais"))
    go(page)

    # Frais rémunération: an invalid number, the focus comes back on the field in error.
    expect(page.locator(".imagin-tabs li.active")).to_have_text("Frais rémunération")
    tab_to(page, lambda f: f["id"] == "f-copies")
    page.keyboard.type("-3")
    tab_to(page, text_is("BUTTON", "Etape Suivante"))
    go(page)
    expect(page.locator("#f-copies")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-copies")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Control+A")
    page.keyboard.type("14")
    tab_to(page, text_is("BUTTON", "Etape Suivante"))
    go(page)

    # Frais déplacement: the trip prefilled from the mission, completed.
    expect(page.locator(".imagin-tabs li.active")).to_have_text("Frais déplacement")
    tab_to(page, text_is("A", "Compléter le déplacement"))
    go(page)
    expect(page.locator("#f-departure_town")).to_have_attribute("readonly", "")
    tab_to(page, lambda f: f["id"] == "f-departure_time")
    # Hours, minutes, then "A" (morning) where Chromium shows a 12-hour field.
    page.keyboard.type("0800A")
    expect(page.locator("#f-departure_time")).to_have_value("08:00")
    # Tab also walks through the parts of a date or time field.
    tab_to(page, lambda f: f["id"] == "f-return_time")
    page.keyboard.type("1100A")
    expect(page.locator("#f-return_time")).to_have_value("11:00")
    tab_to(page, lambda f: f["id"] == "f-transport_mode")
    page.keyboard.type("AUTO")
    expect(page.locator("#f-transport_mode")).to_have_value("CAR")
    tab_to(page, lambda f: f["id"] == "f-km_one_way")
    page.keyboard.type("35")
    page.keyboard.press("Tab")
    assert assert_focus_visible(page)["id"] == "f-trips"
    page.keyboard.type("2")
    tab_to(page, text_is("BUTTON", "OK"))
    go(page)
    expect(page.locator("#imagin-console")).to_contain_text("Vous avez effectué 2 trajet(s).")
    tab_to(page, text_is("A", "Etape Suivante"))
    go(page)

    # Récapitulatif, then Valider (Shift+Tab works too: back and forth once).
    expect(page.locator(".imagin-tabs li.active")).to_have_text("Récapitulatif")
    expect(page.locator("#tab-recapitulatif")).to_contain_text("Nombre de copies : 14")
    tab_to(page, text_is("BUTTON", "Valider"))
    page.keyboard.press("Shift+Tab")
    assert_focus_visible(page)
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Valider"
    go(page)
    console = page.locator("#imagin-console")
    expect(console).to_contain_text("dossier n°")
    assert re.search(r"dossier n° \d{4}-\d{6}", console.inner_text())
    expect(page.locator(".imagin-claim-header")).to_contain_text("Validé")
