"""The académie's claims, as the examinations division finds them: the list's query and
filters, the keyword search, an agent's claims, one claim of the académie (a claim
outside the manager's académie is ``NotFound``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select, union
from sqlalchemy.orm import Session, contains_eager

from app.services import NotFound
from app.services.claims import bareme, workflow
from app.services.common import listing
from models import (
    Agent,
    Assignment,
    ClaimSummary,
    Establishment,
    Exam,
    ExamSession,
    ExpenseClaim,
    Mission,
    MissionType,
)
from models.enums import ClaimStatus

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


def summary_count(session: Session, academy_id: int, filters: ClaimFilters) -> int | None:
    """How many claims of the académie the list shows with ``filters``, read from the
    summary the database keeps (``ClaimSummary``, a few hundred rows) when they filter
    on what it groups by (session, exam, statuses, waiting for the manager) or on
    nothing; else ``None`` (the list counts its rows). Exact, where counting the rows
    would stop at ``listing.COUNT_CAP``: its growth with the claims is that of the
    summary's groups."""
    narrower = (
        filters.mission_type_id,
        filters.centre_id,
        filters.agent_id,
        filters.date_from,
        filters.date_to,
    )
    if any(narrower):
        return None
    figure = ClaimSummary.total
    if filters.waiting_for_manager:
        # ``waiting_for_manager`` by group: a part in a waiting status makes the whole
        # group's claims wait; else only its parts rejected by the finance office.
        waiting = or_(
            ClaimSummary.fee_status.in_(WAITING_STATUSES),
            ClaimSummary.travel_status.in_(WAITING_STATUSES),
        )
        figure = case((waiting, ClaimSummary.total), else_=ClaimSummary.rejected)
    statement = select(func.coalesce(func.sum(figure), 0)).where(
        ClaimSummary.academy_id == academy_id
    )
    if filters.session_id:
        statement = statement.where(ClaimSummary.session_id == filters.session_id)
    if filters.exam_id:
        statement = statement.where(
            ClaimSummary.session_id.in_(
                select(ExamSession.id).where(ExamSession.exam_id == filters.exam_id)
            )
        )
    if filters.fee_status:
        statement = statement.where(ClaimSummary.fee_status == filters.fee_status)
    if filters.travel_status:
        statement = statement.where(ClaimSummary.travel_status == filters.travel_status)
    return int(session.scalar(statement))


def keyword_condition(session: Session, pattern: str):
    """Claims whose dossier number, agent (names, numen, identifier), mission number,
    exam, mission type or centre matches ``pattern`` (an ``ILIKE`` pattern).

    Each table is asked through its own index (trigram indexes on PostgreSQL), and what
    matches is read first, as keys: the agents, the missions, then their claims. A
    list of keys whose size the database knows is reached by the foreign-key indexes,
    where a subquery's guessed size (50,349 rows for DUFOUR's 7,294 claims) made it
    hash-join every claim of the académie, three times a page. A word found nearly
    everywhere ("BAC") stays a subquery: reading its keys would cost more."""
    limit = listing.listed_keys(session)
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
    agent_ids = list(session.scalars(agents.limit(limit + 1)))
    mission_ids = list(session.scalars(select(missions.subquery().c[0]).limit(limit + 1)))
    if len(agent_ids) > limit or len(mission_ids) > limit:
        agent_match, mission_match = (
            Assignment.agent_id.in_(agents),
            Assignment.mission_id.in_(missions),
        )
    else:
        agent_match = listing.among(session, Assignment.agent_id, agent_ids)
        mission_match = listing.among(session, Assignment.mission_id, mission_ids)
    matching = union(
        select(ExpenseClaim.id).where(listing.contains(ExpenseClaim.number, pattern)),
        select(ExpenseClaim.id).join(ExpenseClaim.assignment).where(agent_match),
        select(ExpenseClaim.id).join(ExpenseClaim.assignment).where(mission_match),
    )
    found = list(session.scalars(select(matching.subquery().c[0]).limit(limit + 1)))
    if len(found) <= limit:
        return listing.among(session, ExpenseClaim.id, found)
    return ExpenseClaim.id.in_(matching)


KEYWORD_AGENT_COLUMNS = (Agent.last_name, Agent.first_name, Agent.numen, Agent.external_id)


WAITING_STATUSES = (ClaimStatus.VALIDATED, ClaimStatus.TO_BE_PROCESSED)


def waiting_for_manager():
    """Claims on which the manager has something to do: a part validated by the agent
    or to be processed by the manager, or rejected by the finance office (back with
    the manager to accept again)."""
    return or_(
        ExpenseClaim.fee_status.in_(WAITING_STATUSES),
        ExpenseClaim.travel_status.in_(WAITING_STATUSES),
        rejected_by_payment(),
    )


def rejected_by_payment():
    """A part the finance office rejected, not accepted again yet."""
    back = ClaimStatus.PROCESSED_BY_MANAGER
    return or_(
        (ExpenseClaim.fee_status == back) & ExpenseClaim.fee_payment_rejection.is_not(None),
        (ExpenseClaim.travel_status == back) & ExpenseClaim.travel_payment_rejection.is_not(None),
    )


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
        fee_total=bareme.money(Decimal(figures[1])),
        travel_total=bareme.money(Decimal(figures[2])),
        sent_total=bareme.money(Decimal(figures[3])),
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
        .options(*workflow.CLAIM_PAGE_LOADS)
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
