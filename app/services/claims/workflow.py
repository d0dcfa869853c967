"""The agent's side of the claim workflow: the agent's claims, and their actions
(start, "not done", validate, unvalidate, save a draft), the same-day travel rule.

Every action checks the statuses it starts from and raises ``DomainError`` with a
French message otherwise. Queries for an agent are scoped to that agent: someone
else's claim is ``NotFound``.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from app.services import ALLOWED, Decision, DomainError, NotFound, refused
from app.services.claims import amounts, documents
from app.services.claims.lifecycle import (
    ENTRY_FAMILIES,
    LIST_HORIZON_YEARS,
    MANAGER_PROCESSED,
    assign_number,
    cancelled,
    family_of,
    fee_complete,
    fee_open,
    fee_warnings,
    mission_days,
    transition,
    travel_complete,
    travel_open,
)
from app.services.common import clock, formats
from app.services.documents import store as stored_documents
from models import (
    Assignment,
    ExpenseClaim,
    Mission,
    MissionSlot,
    TravelLeg,
)
from models.enums import ClaimPart, ClaimStatus
from models.referential import MissionType

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
                day=formats.day(first, "?"),
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
                day=formats.day(last),
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
    session.flush()


# The prefilled line's place; a trip added later comes after the last one.
FIRST_LEG_POSITION = 1


def prefilled_leg(claim: ExpenseClaim) -> TravelLeg:
    """The first travel line: from the agent's home town to the exam centre, on the
    mission's first date and time."""
    agent = claim.assignment.agent
    mission = claim.assignment.mission
    centre = mission.centre
    first_slot = mission.slots[0] if mission.slots else None
    return TravelLeg(
        position=FIRST_LEG_POSITION,
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
    session.flush()


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
    session.flush()
    # The recap PDF, rendered by a job once this is committed.
    stored_documents.recap_changed(session, claim, by_user_id=by_user_id)
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
    session.flush()
    stored_documents.recap_changed(session, claim, by_user_id=by_user_id)


def save_draft(session: Session, claim: ExpenseClaim, *, today: dt.date) -> None:
    """ "Enregistrer": the entries are kept as they are, to come back to later."""
    check_editable(claim, today)
    claim.updated_at = clock.now()
    session.flush()


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
    Run after an assignment is added or removed."""
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
