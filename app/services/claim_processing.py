"""The examinations division's side of the claim workflow: the académie's claims, and
the manager's actions on them (accept, cancel / restore, send back, process the fee,
set an SNCF fare, deposit a document), service fait, and the payment export.

Same rules as the agent's side (``claims``): every status change goes through
``claims.transition`` (history: who, when, from, to, comment), every action checks the
statuses it starts from and raises ``DomainError`` with a French message otherwise,
and a claim outside the manager's académie is ``NotFound``.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select, union, update
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from models import (
    Agent,
    Assignment,
    Establishment,
    Exam,
    ExamSession,
    ExpenseClaim,
    Mission,
    MissionType,
    PaymentBatch,
    TravelLeg,
)
from models.enums import ClaimPart, ClaimStatus, TransportMode

from . import (
    ALLOWED,
    Decision,
    DomainError,
    NotFound,
    amounts,
    claim_entry,
    claims,
    clock,
    documents,
    first_refusal,
    listing,
    numbers,
    refused,
    spreadsheet,
)

PARTS = (ClaimPart.FEE, ClaimPart.TRAVEL)
# A part the manager may accept: the agent validated it, or the manager processed it.
READY = frozenset({ClaimStatus.VALIDATED, ClaimStatus.PROCESSED_BY_MANAGER})
# A part still waiting for someone: it blocks the acceptance of the claim.
WAITING = frozenset({ClaimStatus.NOT_VALIDATED, ClaimStatus.TO_BE_PROCESSED})
# The manager may enter or correct the fee from these statuses.
FEE_PROCESSABLE = frozenset(
    {
        ClaimStatus.TO_BE_PROCESSED,
        ClaimStatus.NOT_VALIDATED,
        ClaimStatus.VALIDATED,
        ClaimStatus.PROCESSED_BY_MANAGER,
    }
)
# The fare of a trip may be set while the travel is not accepted yet.
FARE_SETTABLE = frozenset(
    {ClaimStatus.NOT_VALIDATED, ClaimStatus.VALIDATED, ClaimStatus.PROCESSED_BY_MANAGER}
)
FARE_MODES = frozenset(
    {TransportMode.TRAIN, TransportMode.PUBLIC_TRANSPORT, TransportMode.TRAVEL_VOUCHER}
)
MAX_MESSAGE = 2000
# The most a manager may type: a fee (300 copies at the top group are 1,500 €; 60
# hours 823 €) and a 2nd-class train fare (a return across France is under 300 €).
MAX_FEE = Decimal("5000")
MAX_FARE = Decimal("1500")
PART_LABELS = {ClaimPart.FEE: _l("the fee"), ClaimPart.TRAVEL: _l("the travel")}


def _status(claim: ExpenseClaim, part: ClaimPart) -> ClaimStatus:
    return claim.fee_status if part is ClaimPart.FEE else claim.travel_status


def _refuse(message) -> None:
    raise DomainError(message)


# --- Finding claims -------------------------------------------------------------------


def academy_claims_statement(academy_id: int):
    """Every claim of the académie, joined once to what a list row shows and filters on;
    the row's objects are read from these joins (no second join, no query per row)."""
    mission = contains_eager(ExpenseClaim.assignment).contains_eager(Assignment.mission)
    return (
        select(ExpenseClaim)
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        # Outer joins on required keys: the same rows, and PostgreSQL drops the ones a
        # count or a page's keys do not read.
        .outerjoin(Assignment.agent)
        .outerjoin(Mission.session)
        .outerjoin(ExamSession.exam)
        .outerjoin(Mission.mission_type)
        .outerjoin(Mission.centre)
        .where(Mission.academy_id == academy_id)
        .options(
            contains_eager(ExpenseClaim.assignment).contains_eager(Assignment.agent),
            mission.contains_eager(Mission.session).contains_eager(ExamSession.exam),
            mission.contains_eager(Mission.mission_type),
            mission.contains_eager(Mission.centre),
        )
    )


@dataclass
class ClaimFilters:
    """The list's filters; ``None`` means "any"."""

    session_id: int | None = None
    exam_id: int | None = None
    mission_type_id: int | None = None
    centre_id: int | None = None
    agent_id: int | None = None
    fee_status: ClaimStatus | None = None
    travel_status: ClaimStatus | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    waiting_for_manager: bool = False


def filtered(statement, filters: ClaimFilters):
    """``statement`` narrowed by ``filters`` (each backed by an index)."""
    if filters.session_id:
        statement = statement.where(Mission.session_id == filters.session_id)
    if filters.exam_id:
        statement = statement.where(ExamSession.exam_id == filters.exam_id)
    if filters.mission_type_id:
        statement = statement.where(Mission.mission_type_id == filters.mission_type_id)
    if filters.centre_id:
        statement = statement.where(Mission.centre_id == filters.centre_id)
    if filters.agent_id:
        statement = statement.where(Assignment.agent_id == filters.agent_id)
    if filters.fee_status:
        statement = statement.where(ExpenseClaim.fee_status == filters.fee_status)
    if filters.travel_status:
        statement = statement.where(ExpenseClaim.travel_status == filters.travel_status)
    if filters.date_from:
        statement = statement.where(Mission.first_day >= filters.date_from)
    if filters.date_to:
        statement = statement.where(Mission.first_day <= filters.date_to)
    if filters.waiting_for_manager:
        statement = statement.where(waiting_for_manager())
    return statement


def keyword_condition(session: Session, pattern: str):
    """Claims whose dossier number, agent (names, numen, identifier), mission number,
    exam, mission type or centre matches ``pattern`` (an ``ILIKE`` pattern).

    Each table is asked through its own index (trigram indexes on PostgreSQL) and the
    claims come from the union of the matches, reached by the foreign-key indexes: an
    ``OR`` across the joined tables would read every claim of the académie instead."""
    agents = select(Agent.id).where(
        or_(*(listing.contains(column, pattern) for column in KEYWORD_AGENT_COLUMNS))
    )
    missions = union(
        select(Mission.id).where(listing.contains(Mission.number, pattern)),
        select(Mission.id)
        .join(Mission.centre)
        .where(listing.contains(Establishment.name, pattern)),
        select(Mission.id)
        .join(Mission.mission_type)
        .where(listing.contains(MissionType.name, pattern)),
        select(Mission.id)
        .join(Mission.session)
        .join(ExamSession.exam)
        .where(listing.contains(Exam.name, pattern)),
    )
    matching = union(
        select(ExpenseClaim.id).where(listing.contains(ExpenseClaim.number, pattern)),
        select(ExpenseClaim.id)
        .join(ExpenseClaim.assignment)
        .where(Assignment.agent_id.in_(agents)),
        select(ExpenseClaim.id)
        .join(ExpenseClaim.assignment)
        .where(Assignment.mission_id.in_(missions)),
    )
    # The matches are read first: a few thousand keys make an exact list the database
    # reaches by index, where the subquery's guessed size would make it read every
    # claim. A word found everywhere ("BAC") stays a subquery.
    found = list(session.scalars(select(matching.subquery().c[0]).limit(KEYWORD_KEYS + 1)))
    if len(found) <= KEYWORD_KEYS:
        return ExpenseClaim.id.in_(found)
    return ExpenseClaim.id.in_(matching)


KEYWORD_KEYS = 5000
KEYWORD_AGENT_COLUMNS = (Agent.last_name, Agent.first_name, Agent.numen, Agent.external_id)


def waiting_for_manager():
    """Claims on which the manager has something to do: a part validated by the agent
    or to be processed by the manager."""
    waiting = (ClaimStatus.VALIDATED, ClaimStatus.TO_BE_PROCESSED)
    return or_(ExpenseClaim.fee_status.in_(waiting), ExpenseClaim.travel_status.in_(waiting))


# A part in these statuses has a stored amount, unless it could not be computed.
PRICED = (
    ClaimStatus.VALIDATED,
    ClaimStatus.PROCESSED_BY_MANAGER,
    ClaimStatus.ACCEPTED,
    ClaimStatus.SENT_FOR_PAYMENT,
)


def without_amount():
    """A claim validated (or beyond) with a part whose amount is not known: its
    barème lacks lines, or the manager has yet to price the fee. Totals leave it out
    and say so, never counting it as 0."""
    return (ExpenseClaim.fee_status.in_(PRICED) & ExpenseClaim.fee_amount.is_(None)) | (
        ExpenseClaim.travel_status.in_(PRICED) & ExpenseClaim.travel_amount.is_(None)
    )


@dataclass
class AgentClaims:
    """An agent's claims in the académie, as their page shows them: the latest ones,
    and the figures of all of them."""

    latest: list[ExpenseClaim]
    count: int
    fee_total: Decimal
    travel_total: Decimal
    sent_total: Decimal
    without_amount: int = 0


AGENT_PAGE_CLAIMS = 20
GONE = (ClaimStatus.CANCELLED, ClaimStatus.NO_FEE)


def agent_claims(
    session: Session, academy_id: int, agent_id: int, *, limit: int = AGENT_PAGE_CLAIMS
) -> AgentClaims:
    """The ``limit`` latest claims of the agent (by mission date) and, over all their
    claims: how many, the amounts of the parts not cancelled, the amount sent for
    payment. Two queries, whatever the number of claims."""
    statement = filtered(academy_claims_statement(academy_id), ClaimFilters(agent_id=agent_id))
    latest = list(
        session.scalars(
            statement.order_by(Mission.first_day.desc(), ExpenseClaim.id.desc()).limit(limit)
        ).unique()
    )

    def kept(status, amount):
        return func.coalesce(func.sum(case((status.not_in(GONE), amount), else_=0)), 0)

    def sent(status, amount):
        return case((status == ClaimStatus.SENT_FOR_PAYMENT, amount), else_=0)

    figures = session.execute(
        select(
            func.count(ExpenseClaim.id),
            kept(ExpenseClaim.fee_status, ExpenseClaim.fee_amount),
            kept(ExpenseClaim.travel_status, ExpenseClaim.travel_amount),
            func.coalesce(
                func.sum(
                    sent(ExpenseClaim.fee_status, ExpenseClaim.fee_amount)
                    + sent(ExpenseClaim.travel_status, ExpenseClaim.travel_amount)
                ),
                0,
            ),
            func.coalesce(func.sum(case((without_amount(), 1), else_=0)), 0),
        )
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        .where(Mission.academy_id == academy_id, Assignment.agent_id == agent_id)
    ).one()
    return AgentClaims(
        latest=latest,
        count=figures[0],
        fee_total=amounts.money(Decimal(figures[1])),
        travel_total=amounts.money(Decimal(figures[2])),
        sent_total=amounts.money(Decimal(figures[3])),
        without_amount=int(figures[4] or 0),
    )


def academy_claim(session: Session, academy_id: int, claim_id: int) -> ExpenseClaim:
    """One claim of the académie with everything its page shows; another académie's
    claim is not found, like a missing one."""
    claim = session.scalar(
        select(ExpenseClaim)
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        .where(ExpenseClaim.id == claim_id, Mission.academy_id == academy_id)
        .options(*claims.CLAIM_PAGE_LOADS)
    )
    if claim is None:
        raise NotFound(_l("This expense claim does not exist."))
    return claim


def academy_centres(session: Session, academy_id: int) -> list[Establishment]:
    """The exam centres of the académie's missions (the list's centre filter)."""
    return list(
        session.scalars(
            select(Establishment)
            .where(
                Establishment.id.in_(
                    select(Mission.centre_id).where(Mission.academy_id == academy_id)
                )
            )
            .order_by(Establishment.name)
        )
    )


# --- Actions on one claim -------------------------------------------------------------
# Each action has its decision (``can_…``): the claim page offers what is allowed and
# shows the reason of what is not; the action starts with ``can_….require()``, so a
# forged request gets the same French reason.


def _not_exported(claim: ExpenseClaim) -> Decision:
    if claim.payment_batch_id is not None or ClaimStatus.SENT_FOR_PAYMENT in (
        claim.fee_status,
        claim.travel_status,
    ):
        return refused(_l("This expense claim was sent for payment: it can no longer be changed."))
    return ALLOWED


def _not_cancelled(claim: ExpenseClaim) -> Decision:
    if claims.cancelled(claim):
        return refused(_l("This expense claim is cancelled: restore it first."))
    return ALLOWED


def _open(claim: ExpenseClaim) -> Decision:
    return first_refusal(_not_exported(claim), _not_cancelled(claim))


def can_accept(claim: ExpenseClaim, computed: amounts.ClaimAmounts) -> Decision:
    """ "Validé par gestionnaire": every part with something to pay is ready (validated
    by the agent or processed by the manager), the service fait is recorded, no train
    fare is missing, and the fee has an amount (stored, or computed from the barème)."""
    if not (decision := _open(claim)):
        return decision
    if ClaimStatus.ACCEPTED in (claim.fee_status, claim.travel_status):
        return refused(_l("This expense claim is already accepted."))
    for part in PARTS:
        if _status(claim, part) in WAITING:
            return refused(
                _l(
                    "This expense claim cannot be accepted: %(part)s is « %(status)s ».",
                    part=PART_LABELS[part],
                    status=_status(claim, part).label,
                )
            )
    ready = [part for part in PARTS if _status(claim, part) in READY]
    if not ready:
        return refused(_l("This expense claim has nothing to accept."))
    if claim.assignment.service_done_on is None:
        return refused(
            _l("Record the service done for this assignment before accepting its claim.")
        )
    if ClaimPart.TRAVEL in ready and any(leg.fare_pending for leg in computed.travel.legs):
        return refused(
            _l("Enter the SNCF fare of every trip by train or voucher before accepting.")
        )
    # Never from a missing rate: a part whose barème lacks lines is not accepted.
    missing = [
        *(computed.fee.missing if ClaimPart.FEE in ready and claim.fee_amount is None else []),
        *(computed.travel.missing if ClaimPart.TRAVEL in ready else []),
    ]
    if missing:
        return refused(amounts.incomplete_message(claim, missing, _l("accept it")))
    if ClaimPart.FEE in ready and claim.fee_amount is None and computed.fee.amount is None:
        return refused(_l("Enter the fee amount (« Enter the fee ») before accepting."))
    return ALLOWED


def accept(session: Session, claim: ExpenseClaim, *, by_user_id: int) -> None:
    """ "Validé par gestionnaire" (see ``can_accept``). A fee not stored yet is stored
    now; the travel amount is computed again from the trips as they are now."""
    computed = amounts.compute(session, claim)
    can_accept(claim, computed).require()
    ready = [part for part in PARTS if _status(claim, part) in READY]
    if ClaimPart.FEE in ready and claim.fee_amount is None:
        claim.fee_amount = computed.fee.amount
    if ClaimPart.TRAVEL in ready:
        # Computed again so that the export's breakdown adds up to the stored amount.
        claim.travel_amount = computed.travel.total
    for part in ready:
        claims.transition(claim, part, ClaimStatus.ACCEPTED, by_user_id=by_user_id)
    claim.accepted_at = clock.now()


def can_cancel(claim: ExpenseClaim) -> Decision:
    if not (decision := _not_exported(claim)):
        return decision
    if claims.cancelled(claim):
        return refused(_l("This expense claim is already cancelled."))
    return ALLOWED


def cancel(session: Session, claim: ExpenseClaim, *, by_user_id: int, comment: str = "") -> None:
    """ "Annulé": both parts (kept in the history, restorable)."""
    can_cancel(claim).require()
    for part in PARTS:
        if _status(claim, part) not in (ClaimStatus.CANCELLED, ClaimStatus.NO_FEE):
            claims.transition(
                claim, part, ClaimStatus.CANCELLED, by_user_id=by_user_id, comment=comment or None
            )


def can_restore(claim: ExpenseClaim) -> Decision:
    """ "Rétablir": a cancelled claim (both parts cancelled, or one cancelled and the
    other "Pas de frais")."""
    if not claims.cancelled(claim):
        return refused(_l("This expense claim is not cancelled."))
    return ALLOWED


def restore(session: Session, claim: ExpenseClaim, *, by_user_id: int) -> None:
    """Undo "Annulé": each cancelled part goes back to the status it had before."""
    can_restore(claim).require()
    for part in PARTS:
        if _status(claim, part) is not ClaimStatus.CANCELLED:
            continue
        before = next(
            (
                row.from_status
                for row in sorted(claim.history, key=lambda r: (r.at, r.id or 0), reverse=True)
                if row.part is part and row.to_status is ClaimStatus.CANCELLED and row.from_status
            ),
            None,
        )
        if before is None:
            before = claims.initial_statuses(claim.assignment.mission.mission_type)[
                0 if part is ClaimPart.FEE else 1
            ]
        claims.transition(claim, part, before, by_user_id=by_user_id)


def _sent_back_parts(claim: ExpenseClaim) -> list[ClaimPart]:
    return [
        part
        for part in PARTS
        if _status(claim, part) in (ClaimStatus.VALIDATED, ClaimStatus.ACCEPTED)
        and (part is ClaimPart.TRAVEL or claims.fee_needs_entry(claim))
    ]


def can_send_back(claim: ExpenseClaim) -> Decision:
    if not (decision := _open(claim)):
        return decision
    if not _sent_back_parts(claim):
        return refused(_l("Only an expense claim validated by the contributor can be sent back."))
    return ALLOWED


def send_back(session: Session, claim: ExpenseClaim, message: str, *, by_user_id: int) -> None:
    """Back to the agent ("Non validé") with a message shown in Suivi and the console."""
    message = (message or "").strip()
    if not message:
        _refuse(_l("Write the message for the contributor."))
    if len(message) > MAX_MESSAGE:
        _refuse(_l("The message is too long (%(max)s characters at most).", max=MAX_MESSAGE))
    can_send_back(claim).require()
    for part in _sent_back_parts(claim):
        claims.transition(
            claim, part, ClaimStatus.NOT_VALIDATED, by_user_id=by_user_id, comment=message
        )
        if part is ClaimPart.FEE:
            claim.fee_amount = None
        else:
            claim.travel_amount = None
    claim.manager_message = message
    claim.accepted_at = None


def parse_amount(raw: str, *, maximum: Decimal | None = None) -> Decimal:
    """A French amount ("12,50", "12.5", "1 234,00") as Decimal, or a DomainError
    (``numbers.parse_decimal``: no exponent, NaN, Infinity nor third decimal); at most
    ``maximum`` (a fee, by default)."""
    value = numbers.parse_decimal(raw, maximum=maximum or MAX_FEE)
    if value is None:
        _refuse(_l("Enter an amount such as 12,50."))
    return amounts.money(value)


def can_process_fee(claim: ExpenseClaim) -> Decision:
    """ "Saisir la rémunération": the manager enters or corrects the fee amount."""
    if not (decision := _open(claim)):
        return decision
    if claim.fee_status not in FEE_PROCESSABLE:
        return refused(
            _l(
                "The fee cannot be processed from the status « %(status)s ».",
                status=claim.fee_status.label,
            )
        )
    return ALLOWED


def can_enter_fee_detail(claim: ExpenseClaim) -> Decision:
    """The fee's detail entered on the agent's behalf (the families the agent enters)."""
    if not (decision := can_process_fee(claim)):
        return decision
    if claims.family_of(claim) not in claims.ENTRY_FAMILIES:
        return refused(_l("This mission type has no fee detail to enter: enter the amount."))
    return ALLOWED


def can_set_fare(claim: ExpenseClaim, leg: TravelLeg | None = None) -> Decision:
    """The SNCF fare of a trip by train, public transport or travel voucher."""
    if not (decision := _open(claim)):
        return decision
    if claim.travel_status not in FARE_SETTABLE:
        return refused(
            _l(
                "The fare cannot be changed from the status « %(status)s ».",
                status=claim.travel_status.label,
            )
        )
    if leg is not None and leg.transport_mode not in FARE_MODES:
        return refused(
            _l("Only a trip by train, public transport or travel voucher has an SNCF fare.")
        )
    return ALLOWED


def can_deposit(claim: ExpenseClaim) -> Decision:
    """A supporting document deposited by the manager on the agent's behalf."""
    return _open(claim)


def _check_fee_processable(claim: ExpenseClaim) -> None:
    can_process_fee(claim).require()


def process_fee(
    session: Session, claim: ExpenseClaim, amount: Decimal, *, by_user_id: int, comment: str = ""
) -> None:
    """ "Traité par le gestionnaire": the manager enters or corrects the fee amount on
    the agent's behalf (required for "A traiter par le gestionnaire")."""
    _check_fee_processable(claim)
    claim.fee_amount = amount
    claims.transition(
        claim,
        ClaimPart.FEE,
        ClaimStatus.PROCESSED_BY_MANAGER,
        by_user_id=by_user_id,
        comment=(comment or "").strip()[:MAX_MESSAGE] or None,
    )


def enter_fee(
    session: Session, claim: ExpenseClaim, values, *, by_user_id: int, comment: str = ""
) -> Decimal:
    """The manager enters the fee's detail on the agent's behalf (copies, candidates,
    times or duration, as the agent would): the entries are stored as the manager's,
    the amount is computed with the barème of the mission date, and the fee is
    "Traité par le gestionnaire". Raises ``claim_entry.EntryErrors`` (a message per
    field) or ``DomainError``; returns the amount."""
    can_enter_fee_detail(claim).require()
    entries = claim_entry.fee_entries_from(claim, values)
    for entry in entries:
        entry.entered_by_manager = True
    claim_entry.replace_fee_entries(claim, entries)
    fee = amounts.fee_amount(claim, amounts.rates_of_mission(session, claim.assignment.mission))
    if fee.missing:
        raise amounts.incomplete_error(claim, fee.missing, _l("enter the detail again"))
    if fee.amount is None:
        _refuse(_l("The barème has no rate for this fee on the mission date: enter the amount."))
    process_fee(session, claim, fee.amount, by_user_id=by_user_id, comment=comment)
    return fee.amount


def set_fare(
    session: Session, claim: ExpenseClaim, leg_id: int, fare: Decimal | None, *, by_user_id: int
) -> TravelLeg:
    """The SNCF 2nd-class fare of a trip (``None`` clears it); a validated travel part
    gets its stored amount computed again."""
    can_set_fare(claim).require()
    leg = next((leg for leg in claim.travel_legs if leg.id == leg_id), None)
    if leg is None:
        raise NotFound(_l("This travel line does not exist."))
    can_set_fare(claim, leg).require()
    leg.sncf_fare = fare
    if claim.travel_status in READY:
        claim.travel_amount = amounts.compute(session, claim).travel.total
    return leg


def deposit(
    session: Session,
    claim: ExpenseClaim,
    upload: documents.Upload,
    *,
    storage,
    by_user_id: int,
):
    """A supporting document deposited by the manager on the agent's behalf (flagged as
    such: the agent cannot delete it)."""
    can_deposit(claim).require()
    return documents.add_document(
        session, claim, upload, storage=storage, by_user_id=by_user_id, by_manager=True
    )


@dataclass
class BulkResult:
    accepted: list[ExpenseClaim] = field(default_factory=list)
    refused: list[tuple[ExpenseClaim | int, str]] = field(default_factory=list)


def bulk_accept(
    session: Session, academy_id: int, claim_ids: list[int], *, by_user_id: int
) -> BulkResult:
    """Accept a selection: each claim on its own (one refused does not stop the others),
    each refusal with its reason. The caller commits."""
    result = BulkResult()
    for claim_id in dict.fromkeys(claim_ids):
        try:
            claim = academy_claim(session, academy_id, claim_id)
        except NotFound as error:
            result.refused.append((claim_id, str(error.message)))
            continue
        try:
            with session.begin_nested():
                accept(session, claim, by_user_id=by_user_id)
        except DomainError as error:
            session.expire(claim)
            result.refused.append((claim, str(error.message)))
        else:
            result.accepted.append(claim)
    return result


# --- Service fait ---------------------------------------------------------------------


def record_service_done(
    session: Session,
    assignments: list[Assignment],
    *,
    by_user_id: int,
    today: dt.date,
) -> int:
    """Record that the service was done (today) for each assignment whose mission has
    reached its last day and whose claim is not cancelled; returns how many were
    recorded (those already recorded are left as they are)."""
    count = 0
    for assignment in assignments:
        mission = assignment.mission
        last = mission.last_day or mission.first_day
        if assignment.service_done_on is not None:
            continue
        if assignment.claim is not None and claims.cancelled(assignment.claim):
            continue
        if last is None or today < last:
            _refuse(
                _l(
                    "Mission no. %(number)s is not over: record its service done from %(day)s.",
                    number=mission.number,
                    day=(last or today).strftime("%d/%m/%Y"),
                )
            )
        assignment.service_done_on = today
        assignment.service_done_by_id = by_user_id
        count += 1
    return count


def undo_service_done(session: Session, assignment: Assignment) -> None:
    claim = assignment.claim
    if claim is not None and (
        claim.payment_batch_id is not None
        or ClaimStatus.ACCEPTED in (claim.fee_status, claim.travel_status)
    ):
        _refuse(_l("The claim of this assignment is already accepted: the service done stays."))
    if assignment.service_done_on is None:
        _refuse(_l("No service done is recorded for this assignment."))
    assignment.service_done_on = None
    assignment.service_done_by_id = None


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
    return amounts.money(value or Decimal(0))


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
                rates[day] = amounts.rates_of_mission(session, mission)
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
    Commits; raises ``DomainError`` when there is nothing to export. ``only`` restricts
    the export to these claims (the demo uses it to build its past batch)."""
    statement = exportable_statement(academy_id)
    if only is not None:
        statement = statement.where(ExpenseClaim.id.in_(only))
    candidates = list(session.scalars(statement))
    if not candidates:
        _refuse(_l("There is no accepted expense claim to export."))
    number = claims.next_number(session, "payment-batch")
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
        session.rollback()
        _refuse(_l("There is no accepted expense claim to export."))
    session.expire_all()
    exported = _batch_claims(session, ExpenseClaim.id.in_(taken))
    sent = []
    rates: dict = {}
    for claim in exported:
        parts = [part for part in PARTS if _status(claim, part) is ClaimStatus.ACCEPTED]
        _check_complete_for_payment(session, claim, parts, rates)
        sent.append((claim, parts))
        for part in parts:
            claims.transition(claim, part, ClaimStatus.SENT_FOR_PAYMENT, by_user_id=by_user_id)
    batch = session.get(PaymentBatch, batch.id)
    batch.content = _csv_file(session, batch, sent)
    batch.claim_count = len(exported)
    session.commit()
    return batch


def _check_complete_for_payment(session: Session, claim, parts, rates: dict) -> None:
    """An amount never goes to payment computed from a missing rate: the whole export
    is refused (rolled back), naming the claim and the barème's missing lines."""
    mission = claim.assignment.mission
    key = (mission.academy_id, mission.first_day)
    if key not in rates:
        rates[key] = amounts.rates_of_mission(session, mission)
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
        message = str(message)
        session.rollback()
        _refuse(message)


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
            (claim, [p for p in PARTS if _status(claim, p) is ClaimStatus.SENT_FOR_PAYMENT])
            for claim in _batch_claims(session, ExpenseClaim.payment_batch_id == batch.id)
        ]
        batch.content = _csv_file(session, batch, sent)
        session.commit()
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
