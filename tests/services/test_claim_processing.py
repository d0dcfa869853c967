"""The manager's side of the expense claims on the demo académie: accept, cancel /
restore, send back, the fee and the SNCF fares, bulk acceptance, the service fait and
the payment export (also under concurrent exports), the académie's claims and filters.
Refusals are checked on the French message the manager reads."""

import csv
import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.services import DomainError, NotFound
from app.services.claims import academy as academy_claims
from app.services.claims import bareme, forms, lifecycle, processing
from app.services.claims import entry as claim_entry
from app.services.common import clock
from app.services.common.fields import first_errors
from app.services.payments import export as payment_export
from app.services.payments import service_done as done
from app.transaction import unit_of_work
from models import (
    Academy,
    Agent,
    Assignment,
    Establishment,
    ExamSession,
    ExpenseClaim,
    FeeEntry,
    Manager,
    Mission,
    MissionSlot,
    MissionType,
    Paper,
    PaymentBatch,
)
from models.enums import ClaimPart, ClaimStatus, SlotDuration, TransportMode

S = ClaimStatus
D = Decimal
FEE, TRAVEL = ClaimPart.FEE, ClaimPart.TRAVEL
DAY = dt.timedelta(days=1)
NO_CLAIM = "Cet état de frais n'existe pas."
NOTHING_TO_EXPORT = "Aucun état de frais validé par le gestionnaire n'est à exporter."


# --- Helpers -----------------------------------------------------------------------------


@pytest.fixture
def manager(demo, session) -> int:
    """The user id of « gestionnaire » (Anne GUILLOU, académie de Rennes)."""
    return session.scalar(select(Manager.user_id).where(Manager.code == "DEC2-GUILLOU"))


@pytest.fixture
def rennes(demo, session) -> int:
    return session.scalar(select(Academy.id).where(Academy.code == "RENNES"))


@pytest.fixture
def people(demo, session):
    teacher = session.scalar(select(Agent).where(Agent.numen == "35E0000001MPC"))
    external = session.scalar(select(Agent).where(Agent.external_id == "EXT35000123"))
    return teacher, external


def claim_of(session, agent, number) -> ExpenseClaim:
    claim = session.scalar(
        select(ExpenseClaim)
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        .where(Assignment.agent_id == agent.id, Mission.number == number)
    )
    assert claim is not None, f"no claim of {agent.last_name} on mission {number}"
    return claim


def reloaded(session, claim) -> ExpenseClaim:
    claim_id = claim.id
    session.expire_all()
    return session.get(ExpenseClaim, claim_id)


def find(session, model, **lookup):
    return session.scalar(select(model).filter_by(**lookup))


def statuses(claim) -> tuple[ClaimStatus, ClaimStatus]:
    return claim.fee_status, claim.travel_status


def new_rows(claim, before: int) -> list[tuple]:
    return [
        (row.part, row.from_status, row.to_status, row.by_id, row.comment)
        for row in claim.history[before:]
    ]


def said(error) -> str:
    """The message of a refusal, as the manager reads it (French)."""
    return str(error.value.message)


def service_done(session, claim, manager) -> None:
    done.record_service_done(session, [claim.assignment], by_user_id=manager, today=clock.today())
    session.commit()


def toulouse_claim(session, agent) -> ExpenseClaim:
    """An accepted claim (fee 100.00) on a mission of the académie de Toulouse."""
    corr = find(session, MissionType, code="CORR")
    day = clock.today() - 30 * DAY
    mission = Mission(
        academy=find(session, Academy, code="TOULOUSE"),
        number=310001,
        mission_type=corr,
        session=session.scalars(select(ExamSession)).first(),
        paper=find(session, Paper, code="MATS"),
        centre=find(session, Establishment, name="LG MICHELET"),
    )
    mission.slots = [MissionSlot(day=day, start_time=dt.time(9), duration=SlotDuration.DAY)]
    assignment = Assignment(mission=mission, agent=agent, service_done_on=day)
    claim = assignment.claim = lifecycle.new_claim(corr)
    claim.fee_entries.append(FeeEntry(copies=20))
    claim.fee_amount = D("100.00")
    lifecycle.transition(claim, FEE, S.VALIDATED, by_user_id=None)
    lifecycle.transition(claim, FEE, S.ACCEPTED, by_user_id=None)
    lifecycle.transition(claim, TRAVEL, S.NO_FEE, by_user_id=None)
    lifecycle.assign_number(session, claim, day.year)
    session.add(assignment)
    session.commit()
    return claim


# --- Accept ------------------------------------------------------------------------------


def test_accept_a_validated_claim(session, manager, people, frozen_clock):
    teacher, _external = people
    claim = claim_of(session, teacher, 77508)  # validated by the teacher: 14 copies, by car
    assert statuses(claim) == (S.VALIDATED, S.VALIDATED)
    service_done(session, claim, manager)
    before = len(claim.history)
    processing.accept(session, claim, by_user_id=manager)
    session.commit()
    claim = reloaded(session, claim)
    assert statuses(claim) == (S.ACCEPTED, S.ACCEPTED)
    assert claim.accepted_at == frozen_clock.now
    assert (claim.fee_amount, claim.travel_amount) == (D("70.00"), D("16.00"))  # 14 x 5.00
    assert new_rows(claim, before) == [
        (FEE, S.VALIDATED, S.ACCEPTED, manager, None),
        (TRAVEL, S.VALIDATED, S.ACCEPTED, manager, None),
    ]


def test_accept_waits_for_the_service_done(session, manager, people):
    teacher, _external = people
    claim = claim_of(session, teacher, 77508)
    before = len(claim.history)
    with pytest.raises(DomainError) as error:
        processing.accept(session, claim, by_user_id=manager)
    assert "Enregistrez le service fait de cette affectation" in said(error)
    claim = reloaded(session, claim)
    assert statuses(claim) == (S.VALIDATED, S.VALIDATED)
    assert (len(claim.history), claim.accepted_at) == (before, None)


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        (77286, "le frais de rémunération est « A traiter par le gestionnaire »"),
        (86373, "le frais de rémunération est « Non validé »"),
        (77847, "Cet état de frais est déjà validé par le gestionnaire."),
        (77842, "Cet état de frais est annulé : rétablissez-le d'abord."),
    ],
)
def test_accept_is_refused_from_the_wrong_statuses(session, manager, people, number, fragment):
    teacher, _external = people
    claim = claim_of(session, teacher, number)
    service_done(session, claim, manager)
    wanted, rows = statuses(claim), len(claim.history)
    with pytest.raises(DomainError) as error:
        processing.accept(session, claim, by_user_id=manager)
    assert fragment in said(error)
    claim = reloaded(session, claim)
    assert (statuses(claim), len(claim.history)) == (wanted, rows)


def test_a_train_trip_is_accepted_once_its_fare_is_set(session, manager, people):
    _teacher, external = people
    claim = claim_of(session, external, 176629)  # jury: no fee, travel validated
    (leg,) = claim.travel_legs
    leg.transport_mode, leg.km_one_way, leg.trips = TransportMode.TRAIN, None, None
    session.commit()
    service_done(session, claim, manager)
    with pytest.raises(DomainError) as error:
        processing.accept(session, claim, by_user_id=manager)
    assert "Saisissez le tarif SNCF de chaque déplacement" in said(error)
    assert statuses(reloaded(session, claim)) == (S.NO_FEE, S.VALIDATED)

    claim = reloaded(session, claim)
    leg = processing.set_fare(
        session, claim, claim.travel_legs[0].id, D("42.30"), by_user_id=manager
    )
    session.commit()
    assert leg.sncf_fare == D("42.30")
    claim = reloaded(session, claim)
    assert claim.travel_amount == D("42.30")  # the fare replaces the car's 16.00
    processing.accept(session, claim, by_user_id=manager)
    session.commit()
    claim = reloaded(session, claim)
    assert statuses(claim) == (S.NO_FEE, S.ACCEPTED)
    assert claim.travel_amount == D("42.30")


def test_accept_computes_the_amounts_not_stored_yet(session, manager, people):
    teacher, _external = people
    claim = claim_of(session, teacher, 218280)  # copies from the correction system
    assert statuses(claim) == (S.PROCESSED_BY_MANAGER, S.NO_FEE)
    assert [entry.copies for entry in claim.fee_entries] == [112]
    assert claim.fee_amount is None
    service_done(session, claim, manager)
    processing.accept(session, claim, by_user_id=manager)
    session.commit()
    claim = reloaded(session, claim)
    assert statuses(claim) == (S.ACCEPTED, S.NO_FEE)
    assert (claim.fee_amount, claim.travel_amount) == (D("560.00"), None)  # 112 x 5.00


# --- Cancel / restore --------------------------------------------------------------------


def test_cancel_then_restore_gives_back_each_part_its_status(session, manager, people):
    teacher, _external = people
    claim = claim_of(session, teacher, 69163)  # fee processed by the manager, travel open
    assert statuses(claim) == (S.PROCESSED_BY_MANAGER, S.NOT_VALIDATED)
    before = len(claim.history)
    processing.cancel(session, claim, by_user_id=manager, comment="Épreuve reportée")
    session.commit()
    claim = reloaded(session, claim)
    assert statuses(claim) == (S.CANCELLED, S.CANCELLED)
    assert new_rows(claim, before) == [
        (FEE, S.PROCESSED_BY_MANAGER, S.CANCELLED, manager, "Épreuve reportée"),
        (TRAVEL, S.NOT_VALIDATED, S.CANCELLED, manager, "Épreuve reportée"),
    ]
    processing.restore(session, claim, by_user_id=manager)
    session.commit()
    claim = reloaded(session, claim)
    assert statuses(claim) == (S.PROCESSED_BY_MANAGER, S.NOT_VALIDATED)
    assert new_rows(claim, before + 2) == [
        (FEE, S.CANCELLED, S.PROCESSED_BY_MANAGER, manager, None),
        (TRAVEL, S.CANCELLED, S.NOT_VALIDATED, manager, None),
    ]


def test_a_claim_without_fee_is_cancelled_and_restored(session, manager, people):
    _teacher, external = people
    claim = claim_of(session, external, 176629)  # jury: no fee, travel validated
    processing.cancel(session, claim, by_user_id=manager, comment="Jury annulé")
    session.commit()
    claim = reloaded(session, claim)
    assert statuses(claim) == (S.NO_FEE, S.CANCELLED)
    processing.restore(session, claim, by_user_id=manager)
    session.commit()
    assert statuses(reloaded(session, claim)) == (S.NO_FEE, S.VALIDATED)


def test_cancel_or_restore_from_the_wrong_state_is_refused(session, manager, people):
    teacher, _external = people
    cancelled, validated = claim_of(session, teacher, 77842), claim_of(session, teacher, 77508)
    with pytest.raises(DomainError) as error:
        processing.cancel(session, cancelled, by_user_id=manager)
    assert said(error) == "Cet état de frais est déjà annulé."
    with pytest.raises(DomainError) as error:
        processing.restore(session, validated, by_user_id=manager)
    assert said(error) == "Cet état de frais n'est pas annulé."
    assert statuses(reloaded(session, cancelled)) == (S.CANCELLED, S.CANCELLED)
    assert statuses(reloaded(session, validated)) == (S.VALIDATED, S.VALIDATED)


def test_an_exported_claim_cannot_be_cancelled(session, manager, people):
    teacher, _external = people
    claim = claim_of(session, teacher, 77742)  # in the demo's payment batch
    assert claim.payment_batch_id is not None
    with pytest.raises(DomainError) as error:
        processing.cancel(session, claim, by_user_id=manager)
    assert "transmis à la liquidation" in said(error)
    assert statuses(reloaded(session, claim)) == (S.SENT_FOR_PAYMENT, S.SENT_FOR_PAYMENT)


# --- Send back ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "fragment"),
    [
        ("", "Rédigez le message pour l'intervenant."),
        ("   ", "Rédigez le message pour l'intervenant."),
        ("x" * 2001, "Le message est trop long (2000 caractères au maximum)."),
    ],
)
def test_send_back_needs_a_message_of_reasonable_length(
    session, manager, people, message, fragment
):
    teacher, _external = people
    claim = claim_of(session, teacher, 77508)
    with pytest.raises(DomainError) as error:
        processing.send_back(session, claim, message, by_user_id=manager)
    assert said(error) == fragment
    claim = reloaded(session, claim)
    assert statuses(claim) == (S.VALIDATED, S.VALIDATED)
    assert claim.manager_message is None


def test_send_back_returns_the_claim_to_the_agent(session, manager, people):
    teacher, _external = people
    claim = claim_of(session, teacher, 77508)
    number, before = claim.number, len(claim.history)
    text = "Le nombre de copies ne correspond pas au bordereau : 12 copies."
    processing.send_back(session, claim, f"  {text}\n", by_user_id=manager)
    session.commit()
    claim = reloaded(session, claim)
    assert statuses(claim) == (S.NOT_VALIDATED, S.NOT_VALIDATED)
    assert claim.manager_message == text
    assert (claim.fee_amount, claim.travel_amount) == (None, None)
    assert number is not None and claim.number == number
    assert new_rows(claim, before) == [
        (FEE, S.VALIDATED, S.NOT_VALIDATED, manager, text),
        (TRAVEL, S.VALIDATED, S.NOT_VALIDATED, manager, text),
    ]


def test_send_back_is_refused_on_a_claim_not_validated(session, manager, people):
    teacher, _external = people
    claim = claim_of(session, teacher, 86373)
    with pytest.raises(DomainError) as error:
        processing.send_back(session, claim, "Merci de compléter", by_user_id=manager)
    assert "Seul un état de frais validé par l'intervenant" in said(error)
    claim = reloaded(session, claim)
    assert (statuses(claim), claim.manager_message) == ((S.NOT_VALIDATED, S.NOT_VALIDATED), None)


# --- Amounts entered by the manager ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [("12,50", "12.50"), ("1 234,5", "1234.50"), ("12.5", "12.50"), ("\u00a07", "7.00")],
)
def test_the_fee_amount_form_reads_french_amounts(raw, value, app_ctx):
    form = forms.bind(forms.FeeAmountForm, {"amount": raw})
    amount = bareme.money(form.amount.data)
    assert (first_errors(form), amount, str(amount)) == ({}, D(value), value)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        *((raw, "Saisissez un montant, par exemple 12,50.") for raw in ("abc", "", "1e3", "NaN")),
        *((raw, "Saisissez un nombre compris entre 0 et 5\u202f000.") for raw in ("-1", "100000")),
        ("1,234", "2 décimales au plus."),
    ],
)
def test_the_fee_amount_form_refuses_what_is_not_an_amount(raw, fragment, app_ctx):
    form = forms.bind(forms.FeeAmountForm, {"amount": raw})
    assert [str(message) for message in first_errors(form).values()] == [fragment]


def test_process_fee_stores_the_manager_amount(session, manager, people):
    teacher, _external = people
    claim = claim_of(session, teacher, 77286)  # administrative work: the manager prices it
    before = len(claim.history)
    processing.process_fee(
        session, claim, D("85.40"), by_user_id=manager, comment=" 4 h de travaux "
    )
    session.commit()
    claim = reloaded(session, claim)
    assert statuses(claim) == (S.PROCESSED_BY_MANAGER, S.NOT_VALIDATED)
    assert claim.fee_amount == D("85.40")
    assert new_rows(claim, before) == [
        (FEE, S.TO_BE_PROCESSED, S.PROCESSED_BY_MANAGER, manager, "4 h de travaux"),
    ]


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        (77842, "annulé : rétablissez-le d'abord"),
        (71103, "depuis le statut « Pas de frais »"),
        (77847, "depuis le statut « Validé par gestionnaire »"),
    ],
)
def test_process_fee_is_refused_from_a_closed_fee(session, manager, people, number, fragment):
    teacher, _external = people
    claim = claim_of(session, teacher, number)
    wanted, amount = statuses(claim), claim.fee_amount
    with pytest.raises(DomainError) as error:
        processing.process_fee(session, claim, D("10.00"), by_user_id=manager)
    assert fragment in said(error)
    claim = reloaded(session, claim)
    assert (statuses(claim), claim.fee_amount) == (wanted, amount)


def test_set_fare_on_an_unknown_leg_or_an_accepted_claim_is_refused(session, manager, people):
    teacher, external = people
    jury = claim_of(session, external, 176629)
    with pytest.raises(NotFound) as error:
        processing.set_fare(session, jury, 999_999, D("30.00"), by_user_id=manager)
    assert said(error) == "Cette ligne de déplacement n'existe pas."
    accepted = claim_of(session, teacher, 77847)
    (leg,) = accepted.travel_legs
    with pytest.raises(DomainError) as error:
        processing.set_fare(session, accepted, leg.id, D("30.00"), by_user_id=manager)
    assert "depuis le statut « Validé par gestionnaire »" in said(error)
    assert said(error).startswith("Le tarif ne peut pas être modifié")
    accepted = reloaded(session, accepted)
    assert (accepted.travel_legs[0].sncf_fare, accepted.travel_amount) == (None, D("16.00"))


# --- Bulk acceptance ---------------------------------------------------------------------


def test_bulk_accept_accepts_what_it_can_and_says_why_not_the_others(
    session, rennes, manager, people
):
    teacher, external = people
    validated, automatic = claim_of(session, teacher, 77508), claim_of(session, teacher, 218280)
    for claim in (validated, automatic):
        service_done(session, claim, manager)
    no_service = claim_of(session, external, 176629)
    cancelled = claim_of(session, teacher, 77842)
    elsewhere = toulouse_claim(session, external)
    ids = [validated.id, no_service.id, elsewhere.id, automatic.id, 999_999, cancelled.id]
    elsewhere_rows = len(elsewhere.history)

    result = processing.bulk_accept(session, rennes, [*ids, validated.id], by_user_id=manager)
    session.commit()

    assert [claim.id for claim in result.accepted] == [validated.id, automatic.id]
    refused = [(getattr(item, "id", item), reason) for item, reason in result.refused]
    assert [item for item, _ in refused] == [no_service.id, elsewhere.id, 999_999, cancelled.id]
    assert "Enregistrez le service fait" in refused[0][1]
    assert refused[1][1] == refused[2][1] == NO_CLAIM
    assert refused[3][1] == "Cet état de frais est annulé : rétablissez-le d'abord."
    assert statuses(reloaded(session, validated)) == (S.ACCEPTED, S.ACCEPTED)
    assert statuses(reloaded(session, automatic)) == (S.ACCEPTED, S.NO_FEE)
    assert statuses(reloaded(session, no_service)) == (S.NO_FEE, S.VALIDATED)
    assert statuses(reloaded(session, cancelled)) == (S.CANCELLED, S.CANCELLED)
    elsewhere = reloaded(session, elsewhere)
    assert (statuses(elsewhere), len(elsewhere.history)) == ((S.ACCEPTED, S.NO_FEE), elsewhere_rows)


# --- Service fait ------------------------------------------------------------------------


def test_service_done_is_refused_before_the_last_day(session, manager, people):
    teacher, _external = people
    claim = claim_of(session, teacher, 86373)
    last = lifecycle.mission_days(claim)[1]
    with pytest.raises(DomainError) as error:
        done.record_service_done(session, [claim.assignment], by_user_id=manager, today=last - DAY)
    assert said(error) == (
        "La mission n° 86373 n'est pas terminée : enregistrez son service fait"
        f" à partir du {last:%d/%m/%Y}."
    )
    assert reloaded(session, claim).assignment.service_done_on is None


def test_service_done_skips_cancelled_and_already_recorded(session, manager, people):
    teacher, external = people
    mine, theirs = claim_of(session, teacher, 86373), claim_of(session, external, 86373)
    cancelled, accepted = claim_of(session, teacher, 77842), claim_of(session, teacher, 77847)
    recorded_on = accepted.assignment.service_done_on
    assert recorded_on is not None
    last = lifecycle.mission_days(mine)[1]
    assignments = [c.assignment for c in (mine, cancelled, accepted, theirs)]
    assert done.record_service_done(session, assignments, by_user_id=manager, today=last) == 2
    session.commit()
    for claim in (mine, theirs):
        assignment = reloaded(session, claim).assignment
        assert (assignment.service_done_on, assignment.service_done_by_id) == (last, manager)
    assert reloaded(session, cancelled).assignment.service_done_on is None
    assert reloaded(session, accepted).assignment.service_done_on == recorded_on


def test_undo_service_done(session, manager, people):
    teacher, _external = people
    claim = claim_of(session, teacher, 86373)
    service_done(session, claim, manager)
    done.undo_service_done(session, claim.assignment)
    session.commit()
    assignment = reloaded(session, claim).assignment
    assert (assignment.service_done_on, assignment.service_done_by_id) == (None, None)
    with pytest.raises(DomainError) as error:
        done.undo_service_done(session, assignment)
    assert said(error) == "Aucun service fait n'est enregistré pour cette affectation."
    for number in (77847, 77742):  # accepted; sent for payment
        accepted = claim_of(session, teacher, number)
        recorded_on = accepted.assignment.service_done_on
        with pytest.raises(DomainError) as error:
            done.undo_service_done(session, accepted.assignment)
        assert "le service fait est maintenu" in said(error)
        assert recorded_on is not None
        assert reloaded(session, accepted).assignment.service_done_on == recorded_on


# --- Payment export ----------------------------------------------------------------------

HEADER = (
    "numero_lot;numero_dossier;nature;imputation_budgetaire;identifiant_agent;nom;prenom;"
    "numero_insee;iban;bic;montant;montant_transport;montant_frais_divers;montant_repas;"
    "montant_nuitees;date_service_fait;numero_mission;type_mission;examen;session"
)


def csv_rows(batch) -> list[list[str]]:
    return list(csv.reader(io.StringIO(batch.content, newline=""), delimiter=";"))


def test_export_payments_builds_the_next_batch(session, rennes, manager, people):
    teacher, external = people
    jury = claim_of(session, external, 176629)
    service_done(session, jury, manager)
    processing.accept(session, jury, by_user_id=manager)
    session.commit()
    elsewhere = toulouse_claim(session, external)
    toulouse = elsewhere.assignment.mission.academy_id
    assert (
        payment_export.exportable_count(session, rennes) == 3
    )  # 77847 and 71103 of the demo, 176629
    assert payment_export.exportable_count(session, toulouse) == 1

    batch = payment_export.export_payments(session, rennes, by_user_id=manager)
    assert (batch.number, batch.claim_count, batch.academy_id) == (2, 3, rennes)
    assert batch.file_name == "imagin-paiement-000002.csv"
    assert batch.content.startswith(HEADER + "\r\n")
    assert ";".join(payment_export.CSV_COLUMNS) == HEADER

    oral, harmo = claim_of(session, teacher, 77847), claim_of(session, teacher, 71103)
    jury = reloaded(session, jury)

    def tail(claim):
        mission = claim.assignment.mission
        done = claim.assignment.service_done_on.isoformat()
        exam = [mission.mission_type.name, mission.session.exam.name, mission.session.name]
        return [done, str(mission.number), *exam]

    teacher_id = ["35E0000001MPC", "LECLERC", "Claire", "278073512345623"]
    teacher_id += ["FR1420041010050500013M02606", "PSSTFRPPREN"]
    external_id = ["EXT35000123", "LE GALL", "Marc", "178051412345626"]
    external_id += ["FR7630006000011234567890189", "AGRIFRPPXXX"]
    fee, travel = "0141-02-T2-EXAMENS", "0141-02-T3-DEPLACEMENTS"  # the types' defaults
    zero = "0.00"
    by_car = ["16.00", "16.00", zero, zero, zero]  # 2 x 25 km x 0.32: all transport
    expected = [
        ["2", oral.number, "REMUNERATION", fee, *teacher_id, "24.66", zero, zero, zero, zero]
        + tail(oral),  # 12 candidates x 30 min x 4.11 €/h
        ["2", oral.number, "DEPLACEMENT", travel, *teacher_id, *by_car] + tail(oral),
        ["2", harmo.number, "DEPLACEMENT", travel, *teacher_id, *by_car] + tail(harmo),
        ["2", jury.number, "DEPLACEMENT", travel, *external_id, *by_car] + tail(jury),
    ]
    header, *rows = csv_rows(batch)
    assert header == HEADER.split(";")
    assert sorted(rows) == sorted(expected)
    assert [row[1] for row in rows] == sorted(row[1] for row in rows)  # by dossier number
    # The control totals per nature, as the file has them.
    assert (batch.fee_rows, batch.fee_total) == (1, D("24.66"))
    assert (batch.travel_rows, batch.travel_total) == (3, D("48.00"))
    assert [(t["nature"], t["rows"], t["total"]) for t in payment_export.control_totals(batch)] == [
        ("REMUNERATION", 1, D("24.66")),
        ("DEPLACEMENT", 3, D("48.00")),
    ]
    assert tail(jury)[0] == clock.today().isoformat()

    assert statuses(oral) == (S.SENT_FOR_PAYMENT, S.SENT_FOR_PAYMENT)
    assert statuses(harmo) == (S.NO_FEE, S.SENT_FOR_PAYMENT)
    assert statuses(jury) == (S.NO_FEE, S.SENT_FOR_PAYMENT)
    last = oral.history[-1]
    assert (last.part, last.from_status, last.to_status, last.by_id) == (
        TRAVEL,
        S.ACCEPTED,
        S.SENT_FOR_PAYMENT,
        manager,
    )
    assert {c.payment_batch_id for c in (oral, harmo, jury)} == {batch.id}
    assert reloaded(session, elsewhere).payment_batch_id is None
    assert payment_export.exportable_count(session, rennes) == 0
    assert payment_export.exportable_count(session, toulouse) == 1

    # Nothing left: refused, no second batch, no claim in two batches.
    with pytest.raises(DomainError) as error:
        payment_export.export_payments(session, rennes, by_user_id=manager)
    assert said(error) == NOTHING_TO_EXPORT
    assert [b.number for b in payment_export.batches(session, rennes)] == [2, 1]
    assert session.scalar(select(func.count()).select_from(PaymentBatch)) == 2
    dossiers = [row[1] for b in payment_export.batches(session, rennes) for row in csv_rows(b)[1:]]
    parts = [
        (row[1], row[2]) for b in payment_export.batches(session, rennes) for row in csv_rows(b)[1:]
    ]
    assert len(parts) == len(set(parts)) == 6  # 77742: fee and travel in batch 1
    assert len(set(dossiers)) == 4

    assert payment_export.academy_batch(session, rennes, batch.id).number == 2
    with pytest.raises(NotFound) as error:
        payment_export.academy_batch(session, toulouse, batch.id)
    assert said(error) == "Cet export n'existe pas."


def test_concurrent_exports_put_each_claim_in_one_batch(app, demo):
    """Several managers export at the same moment, each thread with its own session:
    one batch takes every accepted claim, the others find nothing left."""
    workers = 6
    with app.app_context():
        session = db.session
        manager = session.scalar(select(Manager.user_id).where(Manager.code == "DEC2-GUILLOU"))
        rennes = session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        teacher = session.scalar(select(Agent).where(Agent.numen == "35E0000001MPC"))
        for number in (77508, 218280):
            claim = claim_of(session, teacher, number)
            service_done(session, claim, manager)
            processing.accept(session, claim, by_user_id=manager)
            session.commit()
        assert payment_export.exportable_count(session, rennes) == 4
        db.session.remove()
    barrier = threading.Barrier(workers)
    exported, refused, errors = [], [], []

    def export():
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                with unit_of_work(db.session):  # one request's transaction
                    batch = payment_export.export_payments(db.session, rennes, by_user_id=manager)
                exported.append((batch.number, batch.claim_count))
            except DomainError as error:
                refused.append(str(error.message))
            except Exception as error:  # reported below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=export) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert exported == [(2, 4)]
    assert refused == [NOTHING_TO_EXPORT] * (workers - 1)
    with app.app_context():
        rows = db.session.execute(
            select(PaymentBatch.number, func.count(ExpenseClaim.id))
            .join(ExpenseClaim, ExpenseClaim.payment_batch_id == PaymentBatch.id)
            .group_by(PaymentBatch.number)
            .order_by(PaymentBatch.number)
        ).all()
        assert [tuple(row) for row in rows] == [(1, 1), (2, 4)]
        assert db.session.scalar(select(func.count()).select_from(PaymentBatch)) == 2
        assert payment_export.exportable_count(db.session, rennes) == 0


# --- The académie's claims ---------------------------------------------------------------


def test_another_academys_claim_is_not_found(session, rennes, people):
    teacher, external = people
    elsewhere = toulouse_claim(session, external)
    toulouse = elsewhere.assignment.mission.academy_id
    with pytest.raises(NotFound) as error:
        academy_claims.academy_claim(session, rennes, elsewhere.id)
    assert said(error) == NO_CLAIM
    with pytest.raises(NotFound):
        academy_claims.academy_claim(session, toulouse, claim_of(session, teacher, 77508).id)
    assert academy_claims.academy_claim(session, toulouse, elsewhere.id).id == elsewhere.id
    mine = claim_of(session, teacher, 77508)
    assert academy_claims.academy_claim(session, rennes, mine.id).id == mine.id


def listed(session, academy, **filters) -> set[tuple[int, str]]:
    statement = academy_claims.filtered(
        academy_claims.academy_claims_statement(academy), academy_claims.ClaimFilters(**filters)
    )
    return {
        (claim.assignment.mission.number, claim.assignment.agent.last_name)
        for claim in session.scalars(statement).unique()
    }


def test_filters_narrow_the_list(session, rennes, people):
    _teacher, external = people
    toulouse_claim(session, external)  # never listed for Rennes
    everything = listed(session, rennes)
    assert len(everything) == 28  # every demo assignment (5 of the head's centre: issue 16)
    assert listed(session, rennes, fee_status=S.ACCEPTED) == {(77847, "LECLERC")}
    assert listed(session, rennes, travel_status=S.ACCEPTED) == {
        (77847, "LECLERC"),
        (71103, "LECLERC"),
    }
    assert listed(session, rennes, waiting_for_manager=True) == {
        (77508, "LECLERC"),  # validated
        (77508, "BERTHELOT"),  # validated (her financial file is not active)
        (77286, "LECLERC"),  # fee to be processed
        (77844, "LE GALL"),  # fee to be processed
        (176629, "LE GALL"),  # travel validated
    }
    assert listed(session, rennes, fee_status=S.TO_BE_PROCESSED, travel_status=S.NOT_VALIDATED) == {
        (77286, "LECLERC"),
        (77844, "LE GALL"),
    }


def test_a_fee_processed_without_an_amount_cannot_be_accepted(session, manager, people):
    """The demo's REUNION (68640): "Traité par le gestionnaire", no paper, no amount."""
    teacher, _external = people
    claim = claim_of(session, teacher, 68640)
    assert claim.fee_status is S.PROCESSED_BY_MANAGER and claim.fee_amount is None
    service_done(session, claim, manager)
    with pytest.raises(DomainError) as error:
        processing.accept(session, claim, by_user_id=manager)
    assert "Saisissez le montant de la rémunération" in said(error)
    session.rollback()
    processing.process_fee(session, reloaded(session, claim), D("30.00"), by_user_id=manager)
    processing.accept(session, reloaded(session, claim), by_user_id=manager)
    session.commit()
    claim = reloaded(session, claim)
    assert claim.fee_status is S.ACCEPTED and claim.fee_amount == D("30.00")


# --- The fee's detail, entered on the agent's behalf -----------------------------------------


def test_enter_fee_stores_the_detail_as_the_managers_and_prices_it(session, manager, people):
    teacher, _external = people
    claim = claim_of(session, teacher, 86373)  # Correction de copies, 5,00 € a copy
    before = len(claim.history)
    amount = processing.enter_fee(
        session, claim, {"copies": "14"}, by_user_id=manager, comment=" Relevé du centre "
    )
    session.commit()
    claim = reloaded(session, claim)
    assert amount == claim.fee_amount == D("70.00")
    assert [(e.copies, e.entered_by_manager) for e in claim.fee_entries] == [(14, True)]
    assert claim.fee_status is S.PROCESSED_BY_MANAGER
    assert new_rows(claim, before) == [
        (FEE, S.NOT_VALIDATED, S.PROCESSED_BY_MANAGER, manager, "Relevé du centre"),
    ]
    # Corrected later: the new detail replaces the first one.
    processing.enter_fee(session, claim, {"copies": "20"}, by_user_id=manager)
    session.commit()
    claim = reloaded(session, claim)
    assert [e.copies for e in claim.fee_entries] == [20] and claim.fee_amount == D("100.00")


def test_enter_fee_says_what_is_wrong_and_changes_nothing(session, manager, people):
    teacher, _external = people
    claim = claim_of(session, teacher, 86373)
    wanted = statuses(claim)
    with pytest.raises(claim_entry.EntryErrors) as error:
        processing.enter_fee(session, claim, {"copies": "quatorze"}, by_user_id=manager)
    session.rollback()
    assert str(error.value.errors["copies"]) == "Saisissez un nombre entier."
    claim = reloaded(session, claim)
    assert (statuses(claim), claim.fee_entries, claim.fee_amount) == (wanted, [], None)


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        (77286, "n'a pas de détail de rémunération à saisir"),
        (77847, "depuis le statut « Validé par gestionnaire »"),
        (77842, "annulé : rétablissez-le d'abord"),
    ],
)
def test_enter_fee_is_refused_without_detail_or_from_a_closed_fee(
    session, manager, people, number, fragment
):
    teacher, _external = people
    claim = claim_of(session, teacher, number)
    wanted, amount = statuses(claim), claim.fee_amount
    with pytest.raises(DomainError) as error:
        processing.enter_fee(session, claim, {"copies": "3"}, by_user_id=manager)
    session.rollback()
    assert fragment in said(error)
    claim = reloaded(session, claim)
    assert (statuses(claim), claim.fee_amount) == (wanted, amount)
