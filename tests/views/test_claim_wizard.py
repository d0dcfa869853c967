"""The claim wizard's pages as the agent receives them (issue 18, the agent's
experience): a tab clicked after typing saves the entry (or says it could not), the
red cross's confirmation page and "Rétablir la ligne pré-remplie", the pop-up after
"Valider" with the PDF recap, the amounts so far in the header of every tab, and the
mission details and "Ajouter compétence" pages the dialogs show."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.services.claims import entry as claim_entry
from app.services.common import clock
from models import ExpenseClaim, TravelLeg
from tests.services.test_claim_workflow import leg_values
from tests.views.helpers import console, text
from tests.views.test_claims import accept, assignment_id, claim_id, start
from tests.views.test_claims import post as agent_post

FEE = "/etats-de-frais/{}/remuneration"


@pytest.fixture
def leclerc(log_in, demo):
    """The demo teacher, signed in, the conditions of use accepted."""
    client = log_in("enseignant")
    accept(client)
    return client


def legs_of(app, claim):
    with app.app_context():
        return [
            (leg.position, leg.departure_town)
            for leg in db.session.scalars(
                select(TravelLeg).where(TravelLeg.claim_id == claim).order_by(TravelLeg.position)
            )
        ]


def copies_entered(app, client, copies="14"):
    claim = claim_id(app, "LECLERC", 86373)
    start(client, claim)
    agent_post(client, FEE.format(claim), {"copies": copies})
    return claim


def test_a_tab_clicked_after_typing_saves_then_opens_it(app, leclerc):
    claim = claim_id(app, "LECLERC", 86373)
    start(leclerc, claim)
    response = agent_post(leclerc, FEE.format(claim), {"copies": "14", "go": "recapitulatif"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/etats-de-frais/{claim}/recapitulatif")
    recap = leclerc.get(response.headers["Location"])
    assert "Votre saisie est enregistrée." in console(recap.text)
    assert "Nombre de copies : 14" in text(recap.text)


def test_a_tab_clicked_with_a_wrong_entry_keeps_it_and_says_it_is_not_saved(app, leclerc):
    claim = copies_entered(app, leclerc)
    page = agent_post(leclerc, FEE.format(claim), {"copies": "-3", "go": "suivi"})
    assert page.status_code == 422
    assert 'value="-3"' in page.text and 'aria-invalid="true"' in page.text
    assert "Votre saisie n'est pas enregistrée : corrigez-la avant de quitter l'onglet." in console(
        page.text
    )
    # The warning before leaving the tab, for the browser to show.
    assert "Quitter sans enregistrer" in page.text and "data-has-errors" in page.text
    again = leclerc.get(FEE.format(claim))
    assert 'value="14"' in again.text  # what was saved before stays


def test_the_red_cross_asks_first_then_the_prefilled_line_comes_back(app, leclerc):
    claim = copies_entered(app, leclerc)
    travel = leclerc.get(f"/etats-de-frais/{claim}/deplacement")
    leg = re.search(r"/deplacement/ligne/(\d+)/supprimer", travel.text).group(1)
    url = f"/etats-de-frais/{claim}/deplacement/ligne/{leg}/supprimer"
    # Without the confirmation, nothing is deleted: the confirmation page.
    for page in (leclerc.get(url), agent_post(leclerc, url)):
        assert page.status_code == 200
        shown = text(page.text)
        assert "Supprimer ce déplacement ?" in shown and "THOURIE" in shown
        assert "Vous pourrez ensuite rétablir la ligne pré-remplie." in shown
    assert legs_of(app, claim) == [(1, "THOURIE")]
    assert "Rétablir la ligne pré-remplie" not in travel.text

    deleted = agent_post(leclerc, url, {"confirm": "y"}, follow_redirects=True)
    assert "Le déplacement est supprimé." in console(deleted.text)
    assert legs_of(app, claim) == []
    assert "Rétablir la ligne pré-remplie" in deleted.text

    restored = agent_post(
        leclerc, f"/etats-de-frais/{claim}/deplacement/ligne-pre-remplie", follow_redirects=True
    )
    assert "La ligne pré-remplie est rétablie : complétez-la." in console(restored.text)
    assert legs_of(app, claim) == [(1, "THOURIE")]
    assert "Rétablir la ligne pré-remplie" not in restored.text
    twice = agent_post(
        leclerc, f"/etats-de-frais/{claim}/deplacement/ligne-pre-remplie", follow_redirects=True
    )
    assert "La ligne pré-remplie est déjà dans le tableau." in console(twice.text)
    assert legs_of(app, claim) == [(1, "THOURIE")]


def test_a_new_trip_on_an_empty_table_shows_the_home_town_read_only(app, leclerc):
    claim = copies_entered(app, leclerc)
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        claim_entry.delete_leg(db.session, row, row.travel_legs[0].id, today=clock.today())
        db.session.commit()
    page = leclerc.get(f"/etats-de-frais/{claim}/deplacement/ligne")
    field = re.search(r'<input[^>]*id="f-departure_town"[^>]*>', page.text).group(0)
    assert 'value="THOURIE"' in field and "readonly" in field and "name=" not in field


def test_valider_shows_the_pop_up_with_the_pdf_recap(app, leclerc):
    claim = copies_entered(app, leclerc)
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        claim_entry.save_leg(
            db.session, row, row.travel_legs[0].id, leg_values(row), today=clock.today()
        )
        db.session.commit()
    response = agent_post(leclerc, f"/etats-de-frais/{claim}/valider")
    assert response.headers["Location"].endswith("/recapitulatif?valide=1")
    page = leclerc.get(response.headers["Location"])
    with app.app_context():
        number = db.session.get(ExpenseClaim, claim).number
    popup = re.search(r'<dialog open id="validated-dialog".*?</dialog>', page.text, re.S).group(0)
    shown = text(popup)
    assert "Votre état de frais est validé" in shown
    assert f"Un numéro d'ordre lui a été attribué : {number}" in shown
    assert "En cliquant sur « OK » un fichier récapitulatif de l'état de frais" in shown
    assert f'href="/etats-de-frais/{claim}/recapitulatif.pdf"' in popup
    # Later visits of the tab: no pop-up, the PDF link stays.
    later = leclerc.get(f"/etats-de-frais/{claim}/recapitulatif")
    assert "validated-dialog" not in later.text
    assert f'href="/etats-de-frais/{claim}/recapitulatif.pdf"' in later.text


def header_amounts(page) -> tuple[str, str]:
    header = re.search(
        r'<section class="imagin-card imagin-claim-header">.*?</section>', page.text, re.S
    ).group(0)
    assert "Montants" in text(header)
    return tuple(
        " ".join(
            text(re.search(rf'<dd id="amount-{part}">(.*?)</dd>', header, re.S).group(1)).split()
        )
        for part in ("fee", "travel")
    )


def test_the_amounts_so_far_show_in_the_header_of_every_tab(app, leclerc):
    claim = copies_entered(app, leclerc)
    for tab in ("suivi", "remuneration", "deplacement", "recapitulatif"):
        fee, travel = header_amounts(leclerc.get(f"/etats-de-frais/{claim}/{tab}"))
        assert fee == "70,00 € (estimation)", (tab, fee)  # 14 copies at 5 €
        # The prefilled trip is still to complete: no "0,00 €".
        assert travel == "déplacement à compléter", (tab, travel)
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        claim_entry.save_leg(
            db.session, row, row.travel_legs[0].id, leg_values(row), today=clock.today()
        )
        db.session.commit()
    _fee, travel = header_amounts(leclerc.get(f"/etats-de-frais/{claim}/deplacement"))
    assert re.match(r"\d+,\d\d € \(estimation\)", travel) and not travel.startswith("0,00"), travel


def test_the_mission_details_toggle_and_the_dialog_contents(app, leclerc):
    claim = claim_id(app, "LECLERC", 86373)
    page = leclerc.get(f"/etats-de-frais/{claim}/suivi")
    button = re.search(r"<button[^>]*data-details-toggle[^>]*>", page.text).group(0)
    assert 'aria-expanded="true"' in button and 'aria-controls="mission-details"' in button
    assert 'id="mission-details"' in page.text
    detail = leclerc.get(f"/missions/{assignment_id(app, 'LECLERC', 86373)}")
    assert re.search(
        r"<section[^>]*data-dialog-content[^>]*>\s*<h2>Détails de la mission", detail.text
    )
    add = leclerc.get("/competences/saisie/ajouter")
    assert re.search(r"<section[^>]*data-dialog-content[^>]*>\s*<h2>Ajouter compétence", add.text)
    assert 'action="/competences/saisie/ajouter"' in add.text
