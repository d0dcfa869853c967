"""Conflicts of interest: who may never be convoked to a mission, whoever convokes
(a manager by hand, or the automatic assignment).

* a conflict a manager records: an agent × an exam centre (every mission held there)
  or an agent × one mission, with a reason (``AssignmentConflict``);
* their own students: for a mission type with ``own_students_conflict`` (orals and
  practicals), an agent attached to the centre (``AgentEstablishment``) or teaching
  there (an active ``Teaching``) is never convoked to it.

Managers record, list and remove the conflicts of their académie on « Conflits
d'intérêts » (``record``, ``academy_page``, ``remove``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, cast, false, func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.types import String
from werkzeug.datastructures import MultiDict
from wtforms import Form

from app.services import DomainError
from app.services.common import listing, scope
from app.services.common.fields import IntegerField, Required, TextField, first_errors
from app.services.missions.rules import MAX_MISSION_NUMBER
from models import (
    Agent,
    AgentEstablishment,
    AssignmentConflict,
    Establishment,
    Mission,
    MissionType,
    Teaching,
    User,
)

MAX_REASON = 300


def _own_students(centre_id, agent_id):
    """SQL: the agent works at the centre (attached to it or teaching there)."""
    attached = select(AgentEstablishment.id).where(
        AgentEstablishment.agent_id == agent_id,
        AgentEstablishment.establishment_id == centre_id,
    )
    teaching = select(Teaching.id).where(
        Teaching.agent_id == agent_id,
        Teaching.establishment_id == centre_id,
        Teaching.active.is_(True),
    )
    return or_(attached.exists(), teaching.exists())


def excluded_clause(mission: Mission, agent_id=Agent.id):
    """SQL condition on ``agent_id``: a conflict of interest keeps the agent off
    ``mission`` (a recorded conflict with it or its centre, or their own students)."""
    recorded = select(AssignmentConflict.id).where(
        AssignmentConflict.agent_id == agent_id,
        or_(
            AssignmentConflict.mission_id == mission.id,
            AssignmentConflict.establishment_id == mission.centre_id
            if mission.centre_id is not None
            else false(),
        ),
    )
    conditions = [recorded.exists()]
    if mission.centre_id is not None and mission.mission_type.own_students_conflict:
        conditions.append(_own_students(mission.centre_id, agent_id))
    return or_(*conditions)


def excluded_pairs(session: Session, mission_ids: list[int]) -> set[tuple[int, int]]:
    """(agent id, mission id) of every conflict of interest over ``mission_ids``, in
    three statements whatever their number: the solver's hard rule for a session."""
    if not mission_ids:
        return set()
    pairs: set[tuple[int, int]] = set()
    pairs.update(
        session.execute(
            select(AssignmentConflict.agent_id, AssignmentConflict.mission_id).where(
                AssignmentConflict.mission_id.in_(mission_ids)
            )
        ).all()
    )
    pairs.update(
        session.execute(
            select(AssignmentConflict.agent_id, Mission.id).join(
                Mission,
                and_(
                    Mission.centre_id == AssignmentConflict.establishment_id,
                    Mission.id.in_(mission_ids),
                ),
            )
        ).all()
    )
    own = (
        select(Mission.id, Mission.centre_id)
        .join(Mission.mission_type)
        .where(
            Mission.id.in_(mission_ids),
            Mission.centre_id.is_not(None),
            MissionType.own_students_conflict.is_(True),
        )
    )
    by_centre: dict[int, list[int]] = {}
    for mission_id, centre_id in session.execute(own):
        by_centre.setdefault(centre_id, []).append(mission_id)
    if by_centre:
        centres = list(by_centre)
        workers = session.execute(
            select(AgentEstablishment.agent_id, AgentEstablishment.establishment_id)
            .where(AgentEstablishment.establishment_id.in_(centres))
            .union(
                select(Teaching.agent_id, Teaching.establishment_id).where(
                    Teaching.establishment_id.in_(centres), Teaching.active.is_(True)
                )
            )
        ).all()
        for agent_id, centre_id in workers:
            for mission_id in by_centre[centre_id]:
                pairs.add((agent_id, mission_id))
    return pairs


# --- The conflicts a manager records ------------------------------------------------------


class ConflictForm(Form):
    agent = TextField(_l("Contributor (numen or identifier)"), [Required()], max_length=20)
    centre = TextField(_l("Exam centre (UAI)"), max_length=8, normalise=str.upper)
    mission = IntegerField(_l("Mission no."), minimum=1, maximum=MAX_MISSION_NUMBER)
    reason = TextField(_l("Reason"), [Required()], max_length=MAX_REASON)


class ConflictErrors(DomainError):
    """The form refused: field name → French message (shown next to the fields)."""

    def __init__(self, errors: dict[str, object]):
        super().__init__(_l("Some fields are not valid: see the messages next to them."))
        self.errors = errors


def record(
    session: Session, academy_id: int, values, *, by_user_id: int | None
) -> AssignmentConflict:
    """Record a conflict of interest from what the manager typed (``agent``: a numen or
    an external identifier; exactly one of ``centre``, a UAI, and ``mission``, a mission
    number; ``reason``), all resolved in the académie; ``ConflictErrors`` otherwise."""
    form = ConflictForm(formdata=MultiDict(values))
    form.validate()
    errors = first_errors(form)
    agent = establishment = mission = None
    if "agent" not in errors:
        typed = {form.agent.data, form.agent.data.upper()}
        agent = session.scalar(
            select(Agent).where(
                Agent.academy_id == academy_id,
                or_(Agent.numen.in_(typed), Agent.external_id.in_(typed)),
            )
        )
        if agent is None:
            errors["agent"] = _l("No contributor of your academy has this numen or identifier.")
    centre, number = form.centre.data, form.mission.data
    if "centre" not in errors and "mission" not in errors:
        if bool(centre) == (number is not None):
            errors["centre"] = _l("Give either an exam centre or a mission number, not both.")
        elif centre:
            establishment = session.scalar(
                select(Establishment).where(
                    Establishment.academy_id == academy_id, Establishment.uai == centre
                )
            )
            if establishment is None:
                errors["centre"] = _l("No establishment of your academy has this UAI code.")
        else:
            mission = session.scalar(
                select(Mission).where(Mission.academy_id == academy_id, Mission.number == number)
            )
            if mission is None:
                errors["mission"] = _l("No mission of your academy has this number.")
    if not errors and _already(session, agent, establishment, mission):
        errors["agent"] = _l("This conflict of interest is already recorded.")
    if errors:
        raise ConflictErrors(errors)
    conflict = AssignmentConflict(
        academy_id=academy_id,
        agent=agent,
        establishment=establishment,
        mission=mission,
        reason=form.reason.data,
        created_by_id=by_user_id,
    )
    session.add(conflict)
    session.flush()
    return conflict


def _already(session: Session, agent, establishment, mission) -> bool:
    statement = select(AssignmentConflict.id).where(AssignmentConflict.agent_id == agent.id)
    if establishment is not None:
        statement = statement.where(AssignmentConflict.establishment_id == establishment.id)
    else:
        statement = statement.where(AssignmentConflict.mission_id == mission.id)
    return session.scalar(statement.limit(1)) is not None


def academy_conflict(session: Session, academy_id: int, conflict_id: int) -> AssignmentConflict:
    """The conflict ``conflict_id`` of the académie, else ``NotFound``."""
    return scope.in_academy(session, AssignmentConflict, academy_id, conflict_id)


def remove(session: Session, conflict: AssignmentConflict) -> None:
    """Forget a recorded conflict: the agent may be convoked there again."""
    session.delete(conflict)
    session.flush()


def mission_conflicts(session: Session, mission: Mission) -> list[AssignmentConflict]:
    """The recorded conflicts that keep agents off ``mission`` (with it or its centre)."""
    concerns = AssignmentConflict.mission_id == mission.id
    if mission.centre_id is not None:
        concerns = or_(concerns, AssignmentConflict.establishment_id == mission.centre_id)
    return list(
        session.scalars(
            select(AssignmentConflict)
            .join(AssignmentConflict.agent)
            .where(AssignmentConflict.academy_id == mission.academy_id, concerns)
            .options(selectinload(AssignmentConflict.agent))
            .order_by(Agent.last_name, Agent.first_name, AssignmentConflict.id)
        )
    )


def academy_page(session: Session, academy_id: int, columns, **params) -> listing.ListPage:
    """One page of the académie's recorded conflicts (keyword filter over the agent,
    the centre, the mission and the reason; sort and pages by the database): each row's
    ``conflict`` cell, with its agent, centre, mission and author loaded."""
    author = User.__table__.alias("author")
    statement = (
        select(AssignmentConflict)
        .join(AssignmentConflict.agent)
        .outerjoin(Establishment, Establishment.id == AssignmentConflict.establishment_id)
        .outerjoin(Mission, Mission.id == AssignmentConflict.mission_id)
        .outerjoin(author, author.c.id == AssignmentConflict.created_by_id)
        .where(AssignmentConflict.academy_id == academy_id)
    )
    expressions = {
        "agent": (Agent.last_name, Agent.first_name),
        "identifier": func.coalesce(Agent.numen, Agent.external_id),
        "target": (Establishment.name, cast(Mission.number, String)),
        "reason": AssignmentConflict.reason,
        "author": author.c.last_name,
        "created": AssignmentConflict.created_at,
    }

    def search(pattern: str):
        return or_(
            listing.contains(Agent.last_name, pattern),
            listing.contains(Agent.first_name, pattern),
            listing.contains(Agent.numen, pattern),
            listing.contains(Agent.external_id, pattern),
            listing.contains(Establishment.name, pattern),
            listing.contains(Establishment.uai, pattern),
            listing.contains(cast(Mission.number, String), pattern),
            listing.contains(AssignmentConflict.reason, pattern),
        )

    return listing.query_page(
        session,
        statement,
        columns,
        expressions,
        lambda conflict: listing.Row({"conflict": conflict}),
        default_order=(AssignmentConflict.created_at.desc(), AssignmentConflict.id.desc()),
        search=search,
        load=lambda keys: (
            select(AssignmentConflict)
            .where(AssignmentConflict.id.in_(keys))
            .options(
                selectinload(AssignmentConflict.agent),
                selectinload(AssignmentConflict.establishment),
                selectinload(AssignmentConflict.mission),
                selectinload(AssignmentConflict.created_by),
            )
        ),
        **params,
    )


def target_label(conflict: AssignmentConflict) -> str:
    """What the conflict keeps the agent off: « Centre LGT EMILE ZOLA (0350024L) » or
    « Mission n° 86373 »."""
    if conflict.establishment is not None:
        return str(
            _l(
                "Exam centre %(name)s (%(uai)s)",
                name=conflict.establishment.name,
                uai=conflict.establishment.uai,
            )
        )
    return str(_l("Mission no. %(number)s", number=conflict.mission.number))
