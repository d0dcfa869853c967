"""Expense claims: their creation with the assignment, the statuses shown to users,
the agent's side of the workflow (start, "not done", validate, unvalidate), the
same-day travel rule, the dossier numbering and the status history.

Every status change goes through ``transition`` (one history row: who, when, from,
to, comment); every action checks the statuses it starts from and raises
``DomainError`` with a French message otherwise. Queries for an agent are scoped to
that agent: someone else's claim is ``NotFound``.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from models import (
    Assignment,
    ClaimStatusHistory,
    ExpenseClaim,
    Mission,
    MissionSlot,
    NumberCounter,
    TravelLeg,
)
from models.enums import ClaimPart, ClaimStatus, FeeEntryFamily
from models.referential import MissionType

from . import ALLOWED, Decision, DomainError, NotFound, amounts, clock, documents, refused

# Stored states whose label follows from the mission dates.
DATE_DERIVED = frozenset({ClaimStatus.NOT_VALIDATED})


def initial_statuses(mission_type: MissionType) -> tuple[ClaimStatus, ClaimStatus]:
    """Fee and travel statuses of a new claim, from its mission type (DESIGN.md §4)."""
    family = mission_type.fee_family
    if family is FeeEntryFamily.NONE:
        fee = ClaimStatus.TO_BE_PROCESSED if mission_type.has_fee else ClaimStatus.NO_FEE
    elif family is FeeEntryFamily.AUTOMATIC:
        fee = ClaimStatus.PROCESSED_BY_MANAGER
    else:
        fee = ClaimStatus.NOT_VALIDATED
    travel = ClaimStatus.NOT_VALIDATED if mission_type.reimburses_travel else ClaimStatus.NO_FEE
    return fee, travel


def new_claim(mission_type: MissionType, *, by_user_id: int | None = None) -> ExpenseClaim:
    """The claim created with an assignment (attach it to ``assignment.claim``)."""
    fee, travel = initial_statuses(mission_type)
    claim = ExpenseClaim(fee_status=fee, travel_status=travel)
    for part, status in ((ClaimPart.FEE, fee), (ClaimPart.TRAVEL, travel)):
        claim.history.append(
            ClaimStatusHistory(part=part, from_status=None, to_status=status, by_id=by_user_id)
        )
    return claim


def displayed_status(
    stored: ClaimStatus,
    first_day: dt.date | None,
    last_day: dt.date | None,
    today: dt.date,
) -> ClaimStatus:
    """The status a user sees: an open part is "Mission non effectuée" before the
    mission, "Mission en cours" during it and "Non validé" once it has ended."""
    if stored not in DATE_DERIVED or first_day is None:
        return stored
    if today < first_day:
        return ClaimStatus.NOT_STARTED
    if today <= (last_day or first_day):
        return ClaimStatus.IN_PROGRESS
    return ClaimStatus.NOT_VALIDATED


def transition(
    claim: ExpenseClaim,
    part: ClaimPart,
    to_status: ClaimStatus,
    *,
    by_user_id: int | None,
    comment: str | None = None,
) -> None:
    """Set the status of one part and write the history row (no commit)."""
    attribute = "fee_status" if part is ClaimPart.FEE else "travel_status"
    from_status = getattr(claim, attribute)
    setattr(claim, attribute, to_status)
    claim.history.append(
        ClaimStatusHistory(
            part=part,
            from_status=from_status,
            to_status=to_status,
            by_id=by_user_id,
            comment=comment,
            at=clock.now(),
        )
    )


def next_number(session: Session, scope: str) -> int:
    """Next value of the counter ``scope``: one atomic ``UPDATE … RETURNING``, so
    concurrent transactions get distinct values (PostgreSQL locks the row, SQLite the
    database, until commit), and a value is never given twice (the caller commits with
    the claim that uses it)."""
    bump = (
        update(NumberCounter)
        .where(NumberCounter.scope == scope)
        .values(last_value=NumberCounter.last_value + 1)
        .returning(NumberCounter.last_value)
    )
    value = session.execute(bump).scalar()
    if value is None:
        try:
            with session.begin_nested():
                session.add(NumberCounter(scope=scope, last_value=0))
        except IntegrityError:
            pass  # another transaction created it first
        value = session.execute(bump).scalar()
    return value


def assign_number(session: Session, claim: ExpenseClaim, year: int) -> str:
    """Give ``claim`` its dossier number (once): "<year>-<sequence>"."""
    if claim.number is None:
        claim.number = f"{year}-{next_number(session, f'claim-{year}'):06d}"
    return claim.number


# --- What a claim needs ------------------------------------------------------------

ENTRY_FAMILIES = frozenset(
    {
        FeeEntryFamily.COPIES,
        FeeEntryFamily.CANDIDATES,
        FeeEntryFamily.HALF_DAY_TIMES,
        FeeEntryFamily.DURATION,
    }
)
# Statuses after which the agent can no longer change the part.
MANAGER_PROCESSED = frozenset({ClaimStatus.ACCEPTED, ClaimStatus.SENT_FOR_PAYMENT})
# Mission ended more than this long ago: not listed to the agent any more.
LIST_HORIZON_YEARS = 4


def family_of(claim: ExpenseClaim) -> FeeEntryFamily:
    return claim.assignment.mission.mission_type.fee_family


def fee_needs_entry(claim: ExpenseClaim) -> bool:
    """The agent enters the fee (copies, candidates, times or hours)."""
    return family_of(claim) in ENTRY_FAMILIES


def has_fee_tab(claim: ExpenseClaim) -> bool:
    """The "Frais rémunération" tab: the families the agent enters, and the copies
    from the correction system (read-only)."""
    return fee_needs_entry(claim) or family_of(claim) is FeeEntryFamily.AUTOMATIC


def has_travel_tab(claim: ExpenseClaim) -> bool:
    return claim.assignment.mission.mission_type.reimburses_travel and claim.travel_status not in (
        ClaimStatus.NO_FEE,
        ClaimStatus.CANCELLED,
    )


def fee_open(claim: ExpenseClaim) -> bool:
    return fee_needs_entry(claim) and claim.fee_status is ClaimStatus.NOT_VALIDATED


def travel_open(claim: ExpenseClaim) -> bool:
    return has_travel_tab(claim) and claim.travel_status is ClaimStatus.NOT_VALIDATED


def mission_days(claim: ExpenseClaim) -> tuple[dt.date | None, dt.date | None]:
    mission = claim.assignment.mission
    return mission.first_day, mission.last_day or mission.first_day


def shown_statuses(claim: ExpenseClaim, today: dt.date) -> tuple[ClaimStatus, ClaimStatus]:
    first, last = mission_days(claim)
    return (
        displayed_status(claim.fee_status, first, last, today),
        displayed_status(claim.travel_status, first, last, today),
    )


def cancelled(claim: ExpenseClaim) -> bool:
    """Cancelled by the manager: a part is "Annulé" and the other one is "Annulé" too
    or has nothing to pay ("Pas de frais", e.g. a jury without fee)."""
    parts = (claim.fee_status, claim.travel_status)
    return ClaimStatus.CANCELLED in parts and all(
        status in (ClaimStatus.CANCELLED, ClaimStatus.NO_FEE) for status in parts
    )


def accessible(claim: ExpenseClaim, today: dt.date) -> bool:
    """The agent may open the claim: not cancelled, and the mission has begun."""
    first, _last = mission_days(claim)
    return not cancelled(claim) and first is not None and today >= first


def editable(claim: ExpenseClaim, today: dt.date) -> bool:
    """The agent may still enter something (a part is open and the claim started)."""
    return (
        accessible(claim, today)
        and claim.started_at is not None
        and claim.not_done_declared_at is None
        and (fee_open(claim) or travel_open(claim))
    )


def first_access(claim: ExpenseClaim, today: dt.date) -> bool:
    """The two choices of the first access: "Je n'ai pas effectué cette mission" and
    "Je souhaite compléter l'état de frais"."""
    return (
        accessible(claim, today)
        and claim.started_at is None
        and claim.not_done_declared_at is None
        and (fee_open(claim) or travel_open(claim))
    )


def fee_complete(claim: ExpenseClaim) -> bool:
    return not fee_open(claim) or bool(claim.fee_entries)


def fee_warnings(claim: ExpenseClaim) -> list:
    """What the agent should look at again in the fee entered (saving is allowed):
    0 copies or 0 candidates pay nothing, and is most often a slip."""
    family = family_of(claim)
    typed = [e for e in claim.fee_entries if not e.from_correction_system]
    if not typed:
        return []
    if family is FeeEntryFamily.COPIES and sum(e.copies or 0 for e in typed) == 0:
        return [_l("0 copies: no fee will be computed. Check the number of copies corrected.")]
    if family is FeeEntryFamily.CANDIDATES and not sum(
        (e.candidates or 0) + (e.candidates_morning or 0) + (e.candidates_afternoon or 0)
        for e in typed
    ):
        return [
            _l("0 candidates: no fee will be computed. Check the number of candidates examined.")
        ]
    return []


def travel_complete(claim: ExpenseClaim) -> bool:
    return not travel_open(claim) or all(leg.completed for leg in claim.travel_legs)


# --- The agent's claims -----------------------------------------------------------


def _agent_claims_query(agent_id: int):
    return (
        select(ExpenseClaim)
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        .where(Assignment.agent_id == agent_id)
        .options(
            contains_eager(ExpenseClaim.assignment)
            .contains_eager(Assignment.mission)
            .options(
                joinedload(Mission.session),
                joinedload(Mission.centre),
                joinedload(Mission.paper),
                joinedload(Mission.specialty),
            ),
        )
    )


def agent_claims(session: Session, agent_id: int, today: dt.date) -> list[ExpenseClaim]:
    """The agent's claims, except those whose mission ended more than four years ago."""
    try:
        horizon = today.replace(year=today.year - LIST_HORIZON_YEARS)
    except ValueError:  # 29 February
        horizon = today.replace(year=today.year - LIST_HORIZON_YEARS, day=28)
    statement = _agent_claims_query(agent_id).where(
        or_(Mission.last_day.is_(None), Mission.last_day >= horizon)
    )
    return list(session.scalars(statement.order_by(Mission.first_day.desc())).unique())


# What a claim's page reads, loaded with it (the agent's and the manager's).
CLAIM_PAGE_LOADS = (
    selectinload(ExpenseClaim.fee_entries),
    selectinload(ExpenseClaim.travel_legs),
    selectinload(ExpenseClaim.documents),
    selectinload(ExpenseClaim.history),
)


def agent_claim(session: Session, agent_id: int, claim_id: int) -> ExpenseClaim:
    """One claim of the agent; anyone else's (or none) is NotFound, the same answer."""
    claim = session.scalar(
        _agent_claims_query(agent_id).where(ExpenseClaim.id == claim_id).options(*CLAIM_PAGE_LOADS)
    )
    if claim is None:
        raise NotFound(_l("This expense claim does not exist."))
    return claim


# --- The agent's actions ------------------------------------------------------------


def _refuse(message) -> None:
    raise DomainError(message)


# Each action of the agent has its decision (``can_…``): the page offers the action
# when it is allowed, and the action itself starts with ``can_….require()``, so a
# forged request is refused with the same French reason.


def can_open(claim: ExpenseClaim, today: dt.date) -> Decision:
    """The agent may open the claim's entry: not cancelled, and the mission has begun."""
    if cancelled(claim):
        return refused(_l("This expense claim was cancelled by the manager: it is not accessible."))
    first, _last = mission_days(claim)
    if first is None or today < first:
        return refused(
            _l(
                "The mission has not started: its expense claim can be entered from %(day)s.",
                day=first.strftime("%d/%m/%Y") if first else "?",
            )
        )
    return ALLOWED


def _enterable(claim: ExpenseClaim, today: dt.date) -> Decision:
    """Open to the agent, not declared "not done", with a part still open."""
    if not (decision := can_open(claim, today)):
        return decision
    if claim.not_done_declared_at is not None:
        return refused(_l("You declared that you did not carry out this mission."))
    if not (fee_open(claim) or travel_open(claim)):
        return refused(_l("This expense claim can no longer be changed."))
    return ALLOWED


def can_edit(claim: ExpenseClaim, today: dt.date) -> Decision:
    """The agent may still enter something ("Enregistrer" too)."""
    if not (decision := _enterable(claim, today)):
        return decision
    if claim.started_at is None:
        return refused(_l("Choose first « I want to complete the expense claim »."))
    return ALLOWED


def can_start(claim: ExpenseClaim, today: dt.date) -> Decision:
    """ "Je souhaite compléter l'état de frais" (the first access)."""
    if not (decision := _enterable(claim, today)):
        return decision
    if claim.started_at is not None:
        return refused(_l("This expense claim is already being completed."))
    return ALLOWED


def can_declare_not_done(claim: ExpenseClaim, today: dt.date) -> Decision:
    """ "Je n'ai pas effectué cette mission"."""
    if not (decision := can_open(claim, today)):
        return decision
    if claim.not_done_declared_at is not None:
        return refused(_l("You already declared that you did not carry out this mission."))
    if any(status in documents.FROZEN for status in (claim.fee_status, claim.travel_status)):
        return refused(_l("This expense claim is validated: unvalidate it first."))
    if not any(s in NOT_DONE_FROM for s in (claim.fee_status, claim.travel_status)):
        return refused(_l("There is nothing to declare on this expense claim."))
    return ALLOWED


def can_enter_fee(claim: ExpenseClaim, today: dt.date) -> Decision:
    """The "Frais rémunération" form may be saved."""
    if not (decision := can_edit(claim, today)):
        return decision
    if family_of(claim) not in ENTRY_FAMILIES:
        return refused(_l("You have no fee to enter for this mission."))
    if not fee_open(claim):
        return refused(_l("The fee of this expense claim can no longer be changed."))
    return ALLOWED


def can_enter_travel(claim: ExpenseClaim, today: dt.date) -> Decision:
    """Travel lines may be added, completed and deleted."""
    if not (decision := can_edit(claim, today)):
        return decision
    if not travel_open(claim):
        return refused(_l("The travel of this expense claim can no longer be changed."))
    return ALLOWED


def can_validate(claim: ExpenseClaim, today: dt.date) -> Decision:
    """ "Valider" may be pressed (what it then checks — entries complete, documents
    sent — is said when it is pressed)."""
    if not (decision := can_edit(claim, today)):
        return decision
    _first, last = mission_days(claim)
    if last is not None and today <= last:
        return refused(
            _l(
                "The mission is in progress: you can validate its expense claim after %(day)s.",
                day=last.strftime("%d/%m/%Y"),
            )
        )
    return ALLOWED


def can_unvalidate(claim: ExpenseClaim) -> Decision:
    """ "Dévalider": a validated claim the manager has not processed yet."""
    if claim.fee_status in MANAGER_PROCESSED or claim.travel_status in MANAGER_PROCESSED:
        return refused(
            _l("The manager has already processed this expense claim: it cannot be unvalidated.")
        )
    if ClaimStatus.VALIDATED not in (claim.fee_status, claim.travel_status):
        return refused(_l("This expense claim is not validated."))
    return ALLOWED


def check_accessible(claim: ExpenseClaim, today: dt.date) -> None:
    can_open(claim, today).require()


def check_editable(claim: ExpenseClaim, today: dt.date) -> None:
    can_edit(claim, today).require()


def start(session: Session, claim: ExpenseClaim, *, today: dt.date) -> None:
    """ "Je souhaite compléter l'état de frais": the tabs open; the travel tab gets its
    first line from the mission."""
    can_start(claim, today).require()
    claim.started_at = clock.now()
    if travel_open(claim) and not claim.travel_legs:
        claim.travel_legs.append(prefilled_leg(claim))
    session.commit()


def prefilled_leg(claim: ExpenseClaim) -> TravelLeg:
    """The first travel line: from the agent's home town to the exam centre, on the
    mission's first date and time."""
    agent = claim.assignment.agent
    mission = claim.assignment.mission
    centre = mission.centre
    first_slot = mission.slots[0] if mission.slots else None
    return TravelLeg(
        position=1,
        departure_town=agent.town or "",
        departure_postcode=agent.postcode,
        departure_date=first_slot.day if first_slot else mission.first_day,
        departure_time=first_slot.start_time if first_slot else None,
        arrival_town=centre.town if centre else "",
        arrival_postcode=centre.postcode if centre else None,
        return_date=first_slot.day if first_slot else mission.first_day,
        completed=False,
    )


NOT_DONE_FROM = frozenset(
    {ClaimStatus.NOT_VALIDATED, ClaimStatus.NOT_VALIDATABLE, ClaimStatus.TO_BE_PROCESSED}
)


def declare_not_done(
    session: Session, claim: ExpenseClaim, *, by_user_id: int, today: dt.date
) -> None:
    """ "Je n'ai pas effectué cette mission": nothing is to be paid; the open parts
    become "Pas de frais" and the manager sees the declaration."""
    can_declare_not_done(claim, today).require()
    comment = str(_l("Mission not carried out (declared by the contributor)"))
    changed = False
    for part, status in (
        (ClaimPart.FEE, claim.fee_status),
        (ClaimPart.TRAVEL, claim.travel_status),
    ):
        if status in NOT_DONE_FROM:
            transition(claim, part, ClaimStatus.NO_FEE, by_user_id=by_user_id, comment=comment)
            changed = True
    if not changed:
        _refuse(_l("There is nothing to declare on this expense claim."))
    claim.not_done_declared_at = clock.now()
    claim.fee_entries.clear()
    claim.travel_legs.clear()
    session.commit()


def validate(
    session: Session,
    claim: ExpenseClaim,
    *,
    by_user_id: int,
    today: dt.date,
    zero_confirmed: bool = False,
) -> str:
    """ "Valider": checks the entries and the documents, gives the dossier number
    (once, never reused), freezes the open parts as "Validé" and stores the amounts.
    A fee of 0 copies / 0 candidates is validated only once the agent confirmed it
    (``zero_confirmed``): it may be true (a lot withdrawn, every candidate absent) but
    is most often a slip that would go unpaid. Returns the dossier number."""
    can_validate(claim, today).require()
    if not fee_complete(claim):
        _refuse(_l("Complete the « Fee » tab before validating."))
    if not travel_complete(claim):
        _refuse(_l("Complete every travel line (« Complete the trip ») before validating."))
    if fee_open(claim) and fee_warnings(claim) and not zero_confirmed:
        raise ZeroFeeNotConfirmed(fee_warnings(claim))
    if documents.dematerialised(claim):
        missing = documents.missing_for(claim)
        if missing:
            raise MissingDocuments(missing)
    amounts_ = amounts.compute(session, claim)
    parts = []
    if fee_open(claim):
        parts.append(ClaimPart.FEE)
        claim.fee_amount = amounts_.fee.amount
    if travel_open(claim):
        parts.append(ClaimPart.TRAVEL)
        claim.travel_amount = amounts_.travel.total
    for part in parts:
        transition(claim, part, ClaimStatus.VALIDATED, by_user_id=by_user_id)
    claim.validated_at = clock.now()
    claim.manager_message = None  # answered: it stays in the history
    number = assign_number(session, claim, today.year)
    session.commit()
    return number


class ZeroFeeNotConfirmed(DomainError):
    """Validation of a fee of 0 copies / candidates waits for the agent's confirmation."""

    def __init__(self, warnings):
        super().__init__(
            _l(
                "%(warning)s To validate all the same, tick « I confirm this fee » and "
                "validate again.",
                warning=warnings[0],
            )
        )
        self.warnings = warnings


class MissingDocuments(DomainError):
    """Validation waits for these supporting documents."""

    def __init__(self, missing):
        names = ", ".join(str(piece.label) for _dossier, piece in missing)
        super().__init__(
            _l(
                "Supporting documents are missing: %(names)s. Deposit them, then validate.",
                names=names,
            )
        )
        self.missing = missing


def unvalidate(session: Session, claim: ExpenseClaim, *, by_user_id: int) -> None:
    """ "Dévalider": back to entry, as long as the manager has not processed it. The
    dossier number stays with the claim."""
    can_unvalidate(claim).require()
    parts = [
        part
        for part, status in (
            (ClaimPart.FEE, claim.fee_status),
            (ClaimPart.TRAVEL, claim.travel_status),
        )
        if status is ClaimStatus.VALIDATED
    ]
    for part in parts:
        transition(claim, part, ClaimStatus.NOT_VALIDATED, by_user_id=by_user_id)
    claim.validated_at = None
    session.commit()


def save_draft(session: Session, claim: ExpenseClaim, *, today: dt.date) -> None:
    """ "Enregistrer": the entries are kept as they are, to come back to later."""
    check_editable(claim, today)
    claim.updated_at = clock.now()
    session.commit()


# --- Several missions the same day ------------------------------------------------------

SAME_DAY_SWITCHABLE = frozenset({ClaimStatus.NOT_VALIDATED, ClaimStatus.NOT_VALIDATABLE})


def _same_day_claims(session: Session, agent_id: int):
    """The agent's claims with travel, and the first claim of each day (the earliest
    slot of that day, then the lowest claim id)."""
    session.flush()
    rows = session.execute(
        select(ExpenseClaim, MissionSlot.day, MissionSlot.start_time)
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        .join(Mission.slots)
        .join(Mission.mission_type)
        .where(
            Assignment.agent_id == agent_id,
            Assignment.cancelled_at.is_(None),
            MissionType.reimburses_travel.is_(True),
            ExpenseClaim.travel_status.notin_([ClaimStatus.CANCELLED, ClaimStatus.NO_FEE]),
        )
    ).all()
    first_of_day: dict[dt.date, tuple[dt.time, int]] = {}
    for claim, day, start_time in rows:
        candidate = (start_time, claim.id)
        if day not in first_of_day or candidate < first_of_day[day]:
            first_of_day[day] = candidate
    claims_by_id = {claim.id: claim for claim, _day, _time in rows}
    return claims_by_id, {day: claim_id for day, (_time, claim_id) in first_of_day.items()}


def first_mission_of_day(session: Session, claim: ExpenseClaim) -> Mission | None:
    """The mission on which the travel of ``claim``'s first day is entered, when it is
    another one (the one ``refresh_same_day_travel`` chose); else None."""
    claims_by_id, first_of_day = _same_day_claims(session, claim.assignment.agent_id)
    first_id = first_of_day.get(claim.assignment.mission.first_day)
    if first_id is None or first_id == claim.id:
        return None
    return claims_by_id[first_id].assignment.mission


def refresh_same_day_travel(session: Session, agent_id: int, *, by_user_id: int | None) -> None:
    """When an agent has several missions with travel on the same day, travel is
    entered on the first one of the day: the others' travel part is "Invalidable".
    Run after an assignment is added or removed (no commit)."""
    claims_by_id, first_of_day = _same_day_claims(session, agent_id)
    for claim_id, claim in claims_by_id.items():
        first_claim = first_of_day.get(claim.assignment.mission.first_day, claim_id)
        wanted = (
            ClaimStatus.NOT_VALIDATED if first_claim == claim_id else ClaimStatus.NOT_VALIDATABLE
        )
        if claim.travel_status in SAME_DAY_SWITCHABLE and claim.travel_status is not wanted:
            comment = (
                str(_l("Travel is entered on the first mission of the day"))
                if wanted is ClaimStatus.NOT_VALIDATABLE
                else None
            )
            transition(claim, ClaimPart.TRAVEL, wanted, by_user_id=by_user_id, comment=comment)
