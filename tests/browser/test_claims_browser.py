"""The expense claim end to end in a real browser, as a teacher and as an external
contributor: conditions, 14 copies, a car trip, a receipt, validation, the PDF."""

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from models import Agent
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def png_bytes() -> bytes:
    """A tiny valid PNG (a scanned receipt, for the upload)."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"\x00\xff\xff\xff" * 1
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def upload(page, dossier: str, piece_label: str, name: str) -> None:
    form = page.locator(f"form:has(input[name=dossier][value={dossier}])")
    details = page.locator(f"details.imagin-upload:has(input[name=dossier][value={dossier}])")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    form.locator("select[name=piece]").select_option(label=piece_label)
    form.locator("input[type=file]").set_input_files(
        {"name": name, "mimeType": "image/png", "buffer": png_bytes()}
    )
    form.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#imagin-console")).to_contain_text(f"Le document « {name} » est envoyé")


@pytest.mark.parametrize(
    ("username", "pay_pieces"),
    [
        # The teacher's financial file made inactive, her INSEE number removed.
        ("enseignant", ["Relevé d'identité bancaire (IBAN)", "Copie de carte vitale"]),
        ("EXT35000123", []),
    ],
)
def test_a_copies_claim_with_a_car_trip_is_validated_and_its_pdf_downloaded(
    page, app, demo, username, pay_pieces
):
    if pay_pieces:
        with app.app_context():
            teacher = db.session.scalar(select(Agent).where(Agent.numen == "35E0000001MPC"))
            teacher.financial_file_active, teacher.insee_number = False, None
            db.session.commit()
    sign_in(page, username)
    page.locator("#imagin-menu").get_by_role("link", name="Saisie état de frais mission").click()

    # Conditions of use first.
    page.get_by_label(
        "J'ai lu et j'accepte les conditions relatives à l'utilisation du service."
    ).check()
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#imagin-console")).to_contain_text("conditions d'utilisation")

    row = page.locator("table.imagin-list tbody tr", has_text="86373")
    expect(row).to_contain_text("Correction de copies")
    expect(row).to_contain_text("Non validé")
    row.locator("a").first.click()

    expect(page.locator(".imagin-claim-header")).to_contain_text("Mission N° 86373")
    page.get_by_role("button", name="Je souhaite compléter l'état de frais").click()

    # Frais rémunération: 14 copies.
    expect(page.locator(".imagin-tabs li.active")).to_have_text("Frais rémunération")
    page.get_by_label("Nombre de copies :").fill("14")
    page.get_by_role("button", name="Etape Suivante").click()

    # Frais déplacement: the first line comes from the mission.
    expect(page.locator(".imagin-tabs li.active")).to_have_text("Frais déplacement")
    legs = page.locator("table.imagin-legs tbody tr")
    expect(legs).to_have_count(1)
    expect(legs.first).to_contain_text("RENNES")
    legs.first.get_by_role("link", name="Compléter le déplacement").click()
    expect(page.locator("#f-departure_town")).to_have_attribute("readonly", "")
    page.fill("#f-departure_time", "08:00")
    page.fill("#f-return_time", "20:00")
    page.select_option("#f-transport_mode", label="AUTOMOBILE")
    page.fill("#f-km_one_way", "35")
    page.fill("#f-trips", "2")
    page.fill("#f-misc_amount", "20")
    page.fill("#f-misc_comment", "Parking")
    page.fill("#f-lunches_refund", "1")
    page.get_by_role("button", name="OK").click()
    expect(page.locator("#imagin-console")).to_contain_text("Vous avez effectué 2 trajet(s).")
    page.get_by_role("link", name="Etape Suivante").click()

    # Récapitulatif: the receipt of the miscellaneous expenses, then validate.
    expect(page.locator(".imagin-tabs li.active")).to_have_text("Récapitulatif")
    expect(page.locator("#tab-recapitulatif")).to_contain_text("Nombre de copies : 14")
    expect(page.locator("#tab-recapitulatif")).to_contain_text("Distance aller : 35 km")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#imagin-console")).to_contain_text("Justificatifs divers")
    upload(page, "TRAVEL", "Justificatifs divers", "recu_parking.png")
    for index, piece in enumerate(pay_pieces):
        upload(page, "PAY", piece, f"piece-{index}.png")
    page.get_by_role("button", name="Valider").click()
    console = page.locator("#imagin-console")
    expect(console).to_contain_text("dossier n°")
    number = re.search(r"dossier n° (\d{4}-\d{6})", console.inner_text()).group(1)
    expect(page.locator(".imagin-claim-header")).to_contain_text(number)
    expect(page.locator(".imagin-claim-header")).to_contain_text("Validé")
    expect(page.get_by_role("button", name="Valider", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Dévalider")).to_have_count(1)

    # The user guide's pop-up: the order number, then "OK" gives the PDF recap.
    popup = page.get_by_role("dialog", name="Votre état de frais est validé")
    expect(popup).to_contain_text(f"Un numéro d'ordre lui a été attribué : {number}")
    expect(popup).to_contain_text("En cliquant sur « OK » un fichier récapitulatif")
    with page.expect_download() as download_info:
        popup.get_by_role("link", name="OK").click()
    expect(popup).to_be_hidden()
    expect(page.locator("#recap-pdf-link")).to_be_focused()
    content = Path(download_info.value.path()).read_bytes()
    assert content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    text = " ".join(text.split())
    assert number in text
    assert "Nombre de copies : 14" in text
    assert "Distance aller : 35 km ; Nombre de trajets : 2" in text
    assert "recu_parking.png" in text
