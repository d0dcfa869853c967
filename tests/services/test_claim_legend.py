"""Statuses explained (issue 18): the legend of the statuses with the user guide's
meanings (seed 001 §2.6.2), and the claim's greyed tabs with the reason why."""

from app.services.claims import legend, workflow
from app.services.claims import page as claim_page
from app.services.common import clock
from models.enums import ClaimStatus
from tests.services.test_claim_page import claim_of, people  # noqa: F401  (fixture)

SEED_TABLE = {
    "Pas de frais": "La mission n'ouvre pas droit à rémunération et il n'y a pas de "
    "déplacement à rembourser.",
    "Annulé": "L'état de frais a été annulé par le gestionnaire académique, il n'est pas "
    "accessible.",
    "Mission non effectuée": "La mission est à venir, l'état de frais n'est pas encore "
    "accessible en saisie.",
    "Mission en cours": "La mission est en cours de déroulement, l'état de frais peut "
    "commencer à être complété.",
    "Non validé": "La mission est achevée, l'état de frais est en attente de validation de "
    "votre part.",
    "Validé": "Les informations nécessaires à la liquidation de l'état de frais sont "
    "saisies et validées. Votre dossier est transmis au gestionnaire académique pour "
    "traitement.",
    "Validé par gestionnaire": "Les informations nécessaires à la liquidation de l'état de "
    "frais sont saisies, votre dossier est accepté par le gestionnaire académique.",
    "Invalidable": "La mission donne lieu à remboursement de frais de déplacement mais les "
    "informations sont à compléter sur la première mission de la journée.",
    "Traité par le gestionnaire": "Vous n'avez rien à saisir, l'état de frais est pris en "
    "charge par le gestionnaire.",
    "A traiter par le gestionnaire": "Le frais de rémunération doit être traité par le "
    "gestionnaire (exemple : mission de travaux administratifs).",
}


def test_the_legend_gives_the_ten_statuses_of_the_guide_word_for_word(app_ctx):
    entries = {str(entry.label): str(entry.meaning) for entry in legend.status_legend()}
    for label, meaning in SEED_TABLE.items():
        assert entries[label] == meaning
    # In the guide's order, then the status of an exported claim, which the guide predates.
    assert list(entries)[:10] == list(SEED_TABLE)
    assert list(entries)[10:] == ["Transmis à la liquidation"]
    # Every status a claim can show is explained.
    assert {entry.status for entry in legend.status_legend()} == set(ClaimStatus)


def tabs_shown(claim):
    decisions = claim_page.tabs(claim, clock.today())
    return {
        str(t.label): t.reason and str(t.reason) for t in claim_page.tab_entries(claim, decisions)
    }


def test_before_the_first_choice_the_tabs_are_greyed_with_why(session, people, app_ctx):  # noqa: F811
    teacher, _external = people
    claim = claim_of(session, teacher, 86373)
    first = "Choisissez d'abord « Je souhaite compléter l'état de frais »."
    assert tabs_shown(claim) == {
        "Suivi": None,
        "Frais rémunération": first,
        "Frais déplacement": first,
        "Récapitulatif": first,
    }
    workflow.start(session, claim, today=clock.today())
    assert set(tabs_shown(claim).values()) == {None}


def test_a_tab_the_mission_has_not_is_absent_not_greyed(session, people, app_ctx):  # noqa: F811
    _teacher, external = people
    claim = claim_of(session, external, 77844)  # SURVEILLANCE: no fee to enter
    workflow.start(session, claim, today=clock.today())
    assert list(tabs_shown(claim)) == ["Suivi", "Frais déplacement", "Récapitulatif"]


def test_travel_of_a_second_mission_of_the_day_is_greyed_with_why(session, people, app_ctx):  # noqa: F811
    teacher, _external = people
    claim = claim_of(session, teacher, 52531)  # travel « Invalidable »
    workflow.start(session, claim, today=clock.today())
    shown = tabs_shown(claim)
    assert shown["Frais rémunération"] is None
    assert shown["Frais déplacement"].startswith(
        "Le déplacement de cette mission est à saisir sur la première mission"
    )
