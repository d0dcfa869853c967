"""The finance office's return file on the demo académie: paid parts get their date
(the agent reads "Payé le …"), rejected ones come back to the manager with the reason
and go out again in the next export; a file with an unknown, duplicate or wrong line
is refused whole, with the list; the same file imported twice changes nothing."""

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.services import DomainError
from app.services.claims import academy as academy_claims
from app.services.claims import page as claim_page
from app.services.claims import processing
from app.services.common import clock
from app.services.payments import export as payment_export
from app.services.payments import returns
from models import ClaimStatusHistory
from models.enums import ClaimPart, ClaimStatus
from tests.services import test_claim_processing as processing_tests
from tests.services.test_claim_processing import (
    claim_of,
    reloaded,
    said,
    statuses,
    toulouse_claim,
)

S = ClaimStatus
HEADER = "numero_dossier;nature;resultat;date_paiement;motif_rejet\r\n"

manager = pytest.fixture(processing_tests.manager.__wrapped__, name="manager")
rennes = pytest.fixture(processing_tests.rennes.__wrapped__, name="rennes")
people = pytest.fixture(processing_tests.people.__wrapped__, name="people")


def csv_file(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\r\n" for line in lines)).encode("utf-8")


def history_count(session) -> int:
    return session.scalar(select(func.count()).select_from(ClaimStatusHistory))


@pytest.fixture
def exported(session, rennes, manager, people):
    """The demo's batch 1 (77742, fee and travel) and batch 2, exported now (77847:
    fee and travel; 71103: travel)."""
    teacher, _external = people
    payment_export.export_payments(session, rennes, by_user_id=manager)
    session.commit()
    return {number: claim_of(session, teacher, number) for number in (77742, 77847, 71103)}


def test_paid_and_rejected_parts(session, rennes, manager, exported):
    paid, rejected = exported[77742], exported[77847]
    day = clock.today() - dt.timedelta(days=3)
    data = csv_file(
        f"{paid.number};REMUNERATION;PAYE;{day:%d/%m/%Y};",
        f"{paid.number};DEPLACEMENT;PAYE;{day.isoformat()};",
        f"{rejected.number};remuneration;PAYE;{day:%d/%m/%Y};",
        f"{rejected.number};DEPLACEMENT;REJETE;;IBAN clos par la banque",
    )
    result = returns.import_return(session, rennes, data, by_user_id=manager)
    session.commit()
    assert (result.paid, result.rejected, result.unchanged) == (3, 1, 0)
    assert str(result.message) == (
        "Fichier retour enregistré : 3 partie(s) payée(s), 1 rejetée(s) (revenues au"
        " gestionnaire), 0 déjà enregistrée(s)."
    )

    paid = reloaded(session, paid)
    assert (paid.fee_paid_on, paid.travel_paid_on) == (day, day)
    assert statuses(paid) == (S.SENT_FOR_PAYMENT, S.SENT_FOR_PAYMENT)
    shown = [str(o.text) for o in claim_page.payment_outcomes(paid)]
    assert shown == [f"Payé le {day:%d/%m/%Y}"] * 2

    # The rejected part is back with the manager, with its reason.
    rejected = reloaded(session, rejected)
    assert statuses(rejected) == (S.SENT_FOR_PAYMENT, S.PROCESSED_BY_MANAGER)
    assert rejected.fee_paid_on == day and rejected.travel_paid_on is None
    assert rejected.travel_payment_rejection == "IBAN clos par la banque"
    last = rejected.history[-1]
    assert (last.part, last.from_status, last.to_status, last.by_id, last.comment) == (
        ClaimPart.TRAVEL,
        S.SENT_FOR_PAYMENT,
        S.PROCESSED_BY_MANAGER,
        manager,
        "Rejeté par la liquidation : IBAN clos par la banque",
    )
    outcome = claim_page.payment_outcome(rejected, ClaimPart.TRAVEL)
    assert str(outcome.text) == "Rejeté par la liquidation : IBAN clos par la banque"
    waiting = session.scalars(
        academy_claims.filtered(
            academy_claims.academy_claims_statement(rennes),
            academy_claims.ClaimFilters(waiting_for_manager=True),
        )
    ).unique()
    assert rejected.id in {claim.id for claim in waiting}

    # The manager accepts it again: the next export takes that part only.
    processing.accept(session, rejected, by_user_id=manager)
    session.commit()
    assert statuses(reloaded(session, rejected)) == (S.SENT_FOR_PAYMENT, S.ACCEPTED)
    assert payment_export.exportable_count(session, rennes) == 1
    batch = payment_export.export_payments(session, rennes, by_user_id=manager)
    session.commit()
    lines = batch.content.splitlines()[1:]
    assert [(line.split(";")[1], line.split(";")[2]) for line in lines] == [
        (rejected.number, "DEPLACEMENT")
    ]
    assert (batch.fee_rows, batch.travel_rows) == (0, 1)
    rejected = reloaded(session, rejected)
    assert statuses(rejected) == (S.SENT_FOR_PAYMENT, S.SENT_FOR_PAYMENT)
    assert rejected.travel_payment_rejection is None  # sent again: no longer rejected
    assert rejected.fee_paid_on == day


def test_the_same_file_twice_changes_nothing(session, rennes, manager, exported):
    paid, rejected = exported[77742], exported[71103]
    day = clock.today() - dt.timedelta(days=1)
    data = csv_file(
        f"{paid.number};REMUNERATION;PAYE;{day:%d/%m/%Y};",
        f"{rejected.number};DEPLACEMENT;REJETE;;RIB illisible",
    )
    first = returns.import_return(session, rennes, data, by_user_id=manager)
    session.commit()
    before = (history_count(session), statuses(reloaded(session, rejected)))
    again = returns.import_return(session, rennes, data, by_user_id=manager)
    session.commit()
    assert (first.paid, first.rejected, first.unchanged) == (1, 1, 0)
    assert (again.paid, again.rejected, again.unchanged) == (0, 0, 2)
    assert (history_count(session), statuses(reloaded(session, rejected))) == before
    assert reloaded(session, paid).fee_paid_on == day
    # Accepted again since: the old rejection line is still nothing new.
    processing.accept(session, reloaded(session, rejected), by_user_id=manager)
    session.commit()
    third = returns.import_return(session, rennes, data, by_user_id=manager)
    assert (third.paid, third.rejected, third.unchanged) == (0, 0, 2)
    assert statuses(reloaded(session, rejected)) == (S.NO_FEE, S.ACCEPTED)


def test_a_file_with_wrong_lines_is_refused_whole_with_the_list(
    session, rennes, manager, people, exported
):
    _teacher, external = people
    paid, other = exported[77742], exported[77847]
    elsewhere = toulouse_claim(session, external)  # another académie's dossier
    elsewhere.number = "2026-990001"
    session.commit()
    not_sent = claim_of(session, _teacher, 77508)  # validated, not exported
    day = clock.today() - dt.timedelta(days=2)
    future = clock.today() + dt.timedelta(days=2)
    data = csv_file(
        f"{paid.number};REMUNERATION;PAYE;{day:%d/%m/%Y};",  # right: not kept either
        "2099-000001;REMUNERATION;PAYE;01/01/2026;",
        f"{paid.number};REMUNERATION;PAYE;{day:%d/%m/%Y};",
        f"{other.number};FRAIS;PAYE;{day:%d/%m/%Y};",
        f"{other.number};DEPLACEMENT;PAYE;31/02/2026;",
        f"{other.number};REMUNERATION;REJETE;;",
        f"{other.number};DEPLACEMENT;PAYE;{future:%d/%m/%Y};",
        "2026-990001;REMUNERATION;PAYE;01/01/2026;",
        f"{not_sent.number};REMUNERATION;PAYE;01/01/2026;",
        "=HYPERLINK();PAYE",
    )
    before = history_count(session)
    with pytest.raises(returns.ReturnFileRefused) as error:
        returns.import_return(session, rennes, data, by_user_id=manager)
    session.rollback()
    assert said(error) == (
        "Le fichier retour est refusé, rien n'a été enregistré : 9 ligne(s) en erreur."
    )
    assert [str(line) for line in error.value.errors] == [
        "Ligne 3 : « 2099-000001 » : dossier inconnu.",
        f"Ligne 4 : « {paid.number} REMUNERATION » : dossier en double (déjà en ligne 2).",
        "Ligne 5 : « FRAIS » : nature inconnue (REMUNERATION ou DEPLACEMENT attendu).",
        "Ligne 6 : « 31/02/2026 » : date de paiement manquante ou erronée (JJ/MM/AAAA attendu).",
        f"Ligne 7 : « {other.number} » : le motif du rejet manque.",
        f"Ligne 8 : « {future:%d/%m/%Y} » : la date de paiement est dans le futur.",
        "Ligne 9 : « 2026-990001 » : dossier inconnu.",
        f"Ligne 10 : « {not_sent.number} » : sa partie REMUNERATION n'a pas été transmise"
        " à la liquidation.",
        "Ligne 11 : « =HYPERLINK();PAYE » : 5 colonnes attendues, séparées par « ; ».",
    ]
    assert history_count(session) == before
    assert reloaded(session, paid).fee_paid_on is None


def test_a_part_paid_cannot_be_paid_on_another_day_nor_rejected(session, rennes, manager, exported):
    paid = exported[77742]
    day = clock.today() - dt.timedelta(days=5)
    returns.import_return(
        session, rennes, csv_file(f"{paid.number};REMUNERATION;PAYE;{day:%d/%m/%Y};"), by_user_id=1
    )
    session.commit()
    for line in (
        f"{paid.number};REMUNERATION;PAYE;{clock.today():%d/%m/%Y};",
        f"{paid.number};REMUNERATION;REJETE;;Erreur",
    ):
        with pytest.raises(returns.ReturnFileRefused) as error:
            returns.import_return(session, rennes, csv_file(line), by_user_id=manager)
        session.rollback()
        assert [str(e) for e in error.value.errors] == [
            f"Ligne 2 : « {paid.number} » : déjà payé le {day:%d/%m/%Y}."
        ]
    assert reloaded(session, paid).fee_paid_on == day


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "Ligne 1 : «  » : le fichier est vide."),
        (
            b"dossier;nature\r\n",
            "Ligne 1 : « dossier;nature » : la première ligne doit être"
            " « numero_dossier;nature;resultat;date_paiement;motif_rejet ».",
        ),
        (HEADER.encode(), "Ligne 2 : «  » : le fichier n'a aucune ligne après son en-tête."),
        (
            HEADER.encode("utf-16"),
            "Ligne 1 : «  » : le fichier n'est pas un texte UTF-8 (enregistrez-le au format"
            " CSV UTF-8).",
        ),
    ],
)
def test_a_file_that_is_not_a_return_file_is_refused(session, rennes, data, expected):
    with pytest.raises(returns.ReturnFileRefused) as error:
        returns.import_return(session, rennes, data, by_user_id=None)
    assert [str(e) for e in error.value.errors] == [expected]


def test_a_file_too_large_is_refused(session, rennes, monkeypatch):
    monkeypatch.setattr(returns, "MAX_BYTES", 100)
    with pytest.raises(DomainError) as error:
        returns.import_return(session, rennes, csv_file("x;" * 60), by_user_id=None)
    assert said(error) == "Le fichier retour est trop volumineux (5 Mo au plus) : découpez-le."


def test_the_example_file_of_the_readme_is_read():
    """docs/examples/retour-paiement.csv has the format the README documents."""
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "retour-paiement.csv"
    reading = returns._read(example.read_bytes())
    assert reading.errors == []
    assert [(x.number, x.part, x.paid_on, x.reason) for x in reading.lines] == [
        ("2026-000123", ClaimPart.FEE, dt.date(2026, 7, 12), None),
        ("2026-000123", ClaimPart.TRAVEL, dt.date(2026, 7, 12), None),
        ("2026-000124", ClaimPart.FEE, None, "IBAN clos par la banque"),
        ("2026-000125", ClaimPart.TRAVEL, dt.date(2026, 7, 15), None),
    ]


def test_the_travel_breakdown_adds_up_to_its_amount():
    """What acceptance stores for the payment file's breakdown columns."""
    from decimal import Decimal as D

    from app.services.claims.amounts import LegAmount, TravelAmount

    travel = TravelAmount(
        legs=[
            LegAmount(transport=D("16.00"), misc=D("4.50"), meals=D("17.50")),
            LegAmount(transport=D("42.10"), nights=D("90.00"), meals=D("17.50")),
        ]
    )
    assert travel.breakdown() == {
        "transport": D("58.10"),
        "misc": D("4.50"),
        "meals": D("35.00"),
        "nights": D("90.00"),
    }
    assert sum(travel.breakdown().values()) == travel.total == D("187.60")
