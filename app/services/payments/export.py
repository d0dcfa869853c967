"""The payment export: the accepted claims of the académie go into a numbered payment
batch, whose CSV file the paying service imports; the batches and their files.
"""

from __future__ import annotations

import io
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from app.services import DomainError, NotFound
from app.services.claims import amounts, bareme, lifecycle
from app.services.claims.processing import PARTS, part_status
from app.services.common import spreadsheet
from app.services.people import personal_data
from models import (
    Agent,
    Assignment,
    ExamSession,
    ExpenseClaim,
    Mission,
    PaymentBatch,
)
from models.enums import ClaimPart, ClaimStatus

# --- Payment export ---------------------------------------------------------------------

CSV_COLUMNS = (
    "numero_lot",
    "numero_dossier",
    "nature",
    "identifiant_agent",
    "nom",
    "prenom",
    "numero_insee",
    "iban",
    "bic",
    "montant_remuneration",
    "montant_transport",
    "montant_frais_divers",
    "montant_repas",
    "montant_nuitees",
    "montant_total",
    "date_service_fait",
    "numero_mission",
    "examen",
    "session",
)
NATURE = {ClaimPart.FEE: "REMUNERATION", ClaimPart.TRAVEL: "DEPLACEMENT"}


def exportable_statement(academy_id: int):
    return (
        select(ExpenseClaim.id)
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        .where(
            Mission.academy_id == academy_id,
            ExpenseClaim.payment_batch_id.is_(None),
            or_(
                ExpenseClaim.fee_status == ClaimStatus.ACCEPTED,
                ExpenseClaim.travel_status == ClaimStatus.ACCEPTED,
            ),
        )
        .order_by(ExpenseClaim.number, ExpenseClaim.id)
    )


def _amount(value: Decimal | None) -> Decimal:
    """An amount as the CSV writes it: a number with two decimals (never text, so the
    spreadsheet-safety of :mod:`spreadsheet` leaves a negative one as it is)."""
    return bareme.money(value or Decimal(0))


def _csv_rows(
    session: Session, batch: PaymentBatch, claim: ExpenseClaim, parts, rates: dict
) -> list[list]:
    agent: Agent = claim.assignment.agent
    mission = claim.assignment.mission
    common_head = [
        batch.number,
        claim.number or "",
        None,
        agent.numen or agent.external_id or "",
        agent.last_name,
        agent.first_name,
        agent.insee_number or "",
        agent.iban or "",
        agent.bic or "",
    ]
    done = claim.assignment.service_done_on
    common_tail = [
        done.isoformat() if done else "",
        mission.number,
        mission.session.exam.name,
        mission.session.name,
    ]
    rows = []
    for part in parts:
        head = list(common_head)
        head[2] = NATURE[part]
        if part is ClaimPart.FEE:
            figures = [claim.fee_amount, 0, 0, 0, 0, claim.fee_amount]
        else:
            day = (mission.academy_id, mission.first_day)
            if day not in rates:
                rates[day] = bareme.rates_of_mission(session, mission)
            travel = amounts.compute(session, claim, rates=rates[day]).travel
            figures = [
                0,
                sum((leg.transport for leg in travel.legs), Decimal(0)),
                sum((leg.misc for leg in travel.legs), Decimal(0)),
                sum((leg.meals for leg in travel.legs), Decimal(0)),
                sum((leg.nights for leg in travel.legs), Decimal(0)),
                claim.travel_amount,
            ]
        rows.append(head + [_amount(v) for v in figures] + common_tail)
    return rows


def export_payments(
    session: Session, academy_id: int, *, by_user_id: int, only: list[int] | None = None
) -> PaymentBatch:
    """Put the accepted claims not exported yet into a new numbered batch, as a CSV file
    (one row per accepted part), and move them to "Transmis à la liquidation".

    A claim is taken by one ``UPDATE … WHERE payment_batch_id IS NULL``: a concurrent
    export waits for the row and then skips it, so no claim is ever in two batches.
    Raises ``DomainError`` when there is nothing to export. ``only`` restricts
    the export to these claims (the demo uses it to build its past batch)."""
    statement = exportable_statement(academy_id)
    if only is not None:
        statement = statement.where(ExpenseClaim.id.in_(only))
    candidates = list(session.scalars(statement))
    if not candidates:
        raise DomainError(_l("There is no accepted expense claim to export."))
    number = lifecycle.next_number(session, "payment-batch")
    batch = PaymentBatch(
        number=number,
        academy_id=academy_id,
        created_by_id=by_user_id,
        file_name=f"imagin-paiement-{number:06d}.csv",
    )
    session.add(batch)
    session.flush()
    taken = list(
        session.scalars(
            update(ExpenseClaim)
            .where(ExpenseClaim.id.in_(candidates), ExpenseClaim.payment_batch_id.is_(None))
            .values(payment_batch_id=batch.id)
            .returning(ExpenseClaim.id)
            .execution_options(synchronize_session=False)
        )
    )
    if not taken:
        raise DomainError(_l("There is no accepted expense claim to export."))
    session.expire_all()
    exported = _batch_claims(session, ExpenseClaim.id.in_(taken))
    sent = []
    rates: dict = {}
    for claim in exported:
        parts = [part for part in PARTS if part_status(claim, part) is ClaimStatus.ACCEPTED]
        _check_complete_for_payment(session, claim, parts, rates)
        sent.append((claim, parts))
        for part in parts:
            lifecycle.transition(claim, part, ClaimStatus.SENT_FOR_PAYMENT, by_user_id=by_user_id)
    batch = session.get(PaymentBatch, batch.id)
    batch.content = _csv_file(session, batch, sent)
    batch.claim_count = len(exported)
    session.flush()
    return batch


def _check_complete_for_payment(session: Session, claim, parts, rates: dict) -> None:
    """An amount never goes to payment computed from a missing rate, nor to an agent
    the finance office cannot pay (financial file not active, IBAN, BIC or INSEE
    number missing or wrong): the whole export is refused (rolled back), naming the
    claim and what is missing."""
    mission = claim.assignment.mission
    key = (mission.academy_id, mission.first_day)
    if key not in rates:
        rates[key] = bareme.rates_of_mission(session, mission)
    missing = []
    if ClaimPart.FEE in parts and claim.fee_amount is None:
        missing += amounts.fee_amount(claim, rates[key]).missing
    if ClaimPart.TRAVEL in parts:
        missing += amounts.compute(session, claim, rates=rates[key]).travel.missing
    if missing or any(
        (claim.fee_amount if part is ClaimPart.FEE else claim.travel_amount) is None
        for part in parts
    ):
        reason = (
            amounts.incomplete_message(claim, missing, _l("export it"))
            if missing
            else _l("its amount is not known.")
        )
        message = _l(
            "Expense claim %(number)s cannot be sent for payment: %(reason)s",
            number=claim.number or claim.id,
            reason=str(reason),
        )
        raise DomainError(str(message))
    # What the finance office needs to pay it (a part of zero pays nothing).
    agent = claim.assignment.agent
    paid = [claim.fee_amount if part is ClaimPart.FEE else claim.travel_amount for part in parts]
    if any(amount > 0 for amount in paid) and (gaps := personal_data.payment_gaps(agent)):
        message = _l(
            "Expense claim %(number)s cannot be sent for payment: %(reason)s",
            number=claim.number or claim.id,
            reason=str(personal_data.payment_gaps_text(agent, gaps)),
        )
        raise DomainError(str(message))


def _batch_claims(session: Session, condition) -> list[ExpenseClaim]:
    """The claims of a batch with everything its file reads, in a fixed number of
    queries."""
    return list(
        session.scalars(
            select(ExpenseClaim)
            .where(condition)
            .order_by(ExpenseClaim.number, ExpenseClaim.id)
            .options(
                joinedload(ExpenseClaim.assignment).joinedload(Assignment.agent),
                joinedload(ExpenseClaim.assignment)
                .joinedload(Assignment.mission)
                .options(
                    joinedload(Mission.session).joinedload(ExamSession.exam),
                    joinedload(Mission.mission_type),
                    joinedload(Mission.centre),
                    joinedload(Mission.paper),
                ),
                selectinload(ExpenseClaim.travel_legs),
                selectinload(ExpenseClaim.fee_entries),
                selectinload(ExpenseClaim.history),
            )
        )
    )


def _csv_file(session: Session, batch: PaymentBatch, parts_of_claims) -> str:
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer)  # formula-safe text cells, ";" and CRLF
    writer.writerow(CSV_COLUMNS)
    rates: dict = {}  # the barème of each mission date, read once
    for claim, parts in parts_of_claims:
        writer.writerows(_csv_rows(session, batch, claim, parts, rates))
    return buffer.getvalue()


def batch_file(session: Session, batch: PaymentBatch) -> str:
    """The batch's CSV file. An export stores it as it wrote it; a batch loaded without
    its file (``flask imagin seed-large``) gets it written from its claims, whose
    exported parts no longer change, on the first download, and stored."""
    if batch.content is None:
        sent = [
            (claim, [p for p in PARTS if part_status(claim, p) is ClaimStatus.SENT_FOR_PAYMENT])
            for claim in _batch_claims(session, ExpenseClaim.payment_batch_id == batch.id)
        ]
        batch.content = _csv_file(session, batch, sent)
        session.flush()
    return batch.content


def batches(session: Session, academy_id: int) -> list[PaymentBatch]:
    return list(
        session.scalars(
            select(PaymentBatch)
            .where(PaymentBatch.academy_id == academy_id)
            .order_by(PaymentBatch.number.desc())
        )
    )


def academy_batch(session: Session, academy_id: int, batch_id: int) -> PaymentBatch:
    batch = session.scalar(
        select(PaymentBatch).where(
            PaymentBatch.id == batch_id, PaymentBatch.academy_id == academy_id
        )
    )
    if batch is None:
        raise NotFound(_l("This export does not exist."))
    return batch


def exportable_count(session: Session, academy_id: int) -> int:
    statement = exportable_statement(academy_id).order_by(None).subquery()
    return session.scalar(select(func.count()).select_from(statement))
