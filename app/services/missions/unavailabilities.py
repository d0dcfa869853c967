"""« Saisie des indisponibilités »: an agent declares, changes and deletes the periods
they are not available for an exam session, until the session's closing date set by
the manager (``ExamSession.unavailability_closes_on``); after it they are read-only.
Managers read them per session (``academy_page``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload
from werkzeug.datastructures import MultiDict
from wtforms import Form

from app.services import DomainError, NotFound
from app.services.common import listing
from app.services.common.fields import DateField, Required, TextField, first_errors
from app.services.missions import availability, convocation
from models import Agent, ExamSession, Mission, Unavailability
from models.enums import DayPart

MAX_COMMENT = 200


class UnavailabilityForm(Form):
    starts_on = DateField(_l("Unavailable from"), [Required()])
    ends_on = DateField(_l("Unavailable until"), [Required()])
    part = TextField(_l("Period"), [Required()])
    comment = TextField(_l("Comment"), max_length=MAX_COMMENT)


class FieldErrors(DomainError):
    """The form refused: field name → French message (shown next to the fields)."""

    def __init__(self, errors: dict[str, object]):
        super().__init__(_l("Some fields are not valid: see the messages next to them."))
        self.errors = errors


def may_declare(exam_session: ExamSession, today: dt.date) -> bool:
    """Declarations are open until the closing date, included (none set: not open)."""
    closes_on = exam_session.unavailability_closes_on
    return closes_on is not None and today <= closes_on


def closed_reason(exam_session: ExamSession, today: dt.date):
    """Why the agent may no longer change their declarations (None when they may)."""
    if may_declare(exam_session, today):
        return None
    if exam_session.unavailability_closes_on is None:
        return _l("Declarations are not open for this session.")
    return _l(
        "Declarations for this session closed on %(day)s: your unavailabilities can no "
        "longer be changed. Contact your management office if needed.",
        day=exam_session.unavailability_closes_on.strftime("%d/%m/%Y"),
    )


@dataclass
class SessionBlock:
    """A session on the agent's page: its declarations and what the agent may do."""

    exam_session: ExamSession
    may_edit: bool
    closed_reason: object
    unavailabilities: list[Unavailability] = field(default_factory=list)


def agent_sessions(session: Session, agent: Agent, today: dt.date) -> list[SessionBlock]:
    """The sessions open to declarations (a closing date set, not ended), and those
    where the agent declared something, with the agent's unavailabilities."""
    declared = select(Unavailability.session_id).where(Unavailability.agent_id == agent.id)
    sessions = session.scalars(
        select(ExamSession)
        .where(
            or_(
                ExamSession.id.in_(declared),
                ExamSession.unavailability_closes_on.is_not(None)
                & or_(ExamSession.ends_on.is_(None), ExamSession.ends_on >= today),
            )
        )
        .order_by(
            func.coalesce(ExamSession.starts_on, ExamSession.unavailability_closes_on),
            ExamSession.id,
        )
    ).all()
    rows = session.scalars(
        select(Unavailability)
        .where(Unavailability.agent_id == agent.id)
        .order_by(Unavailability.starts_on, Unavailability.id)
    ).all()
    blocks = {
        s.id: SessionBlock(s, may_declare(s, today), closed_reason(s, today)) for s in sessions
    }
    for row in rows:
        blocks[row.session_id].unavailabilities.append(row)
    return list(blocks.values())


def session_for_agent(session: Session, session_id: int, today: dt.date) -> ExamSession:
    """A session the agent may declare for now, else a refusal (unknown: NotFound)."""
    exam_session = session.get(ExamSession, session_id)
    if exam_session is None or exam_session.unavailability_closes_on is None:
        raise NotFound(_l("This session does not exist."))
    reason = closed_reason(exam_session, today)
    if reason is not None:
        raise DomainError(reason)
    return exam_session


def own(session: Session, agent: Agent, unavailability_id: int) -> Unavailability:
    """The agent's own unavailability (another's, or none: NotFound)."""
    found = session.scalar(
        select(Unavailability).where(
            Unavailability.id == unavailability_id, Unavailability.agent_id == agent.id
        )
    )
    if found is None:
        raise NotFound(_l("This unavailability does not exist."))
    return found


def form_values(unavailability: Unavailability | None) -> dict[str, str]:
    """The form's values for an existing declaration (empty for a new one)."""
    if unavailability is None:
        return {"part": DayPart.DAY.name}
    return {
        "starts_on": unavailability.starts_on.isoformat(),
        "ends_on": unavailability.ends_on.isoformat(),
        "part": unavailability.part.name,
        "comment": unavailability.comment or "",
    }


def _check(exam_session: ExamSession, values) -> dict:
    """The typed values, or ``FieldErrors``: dates readable, inside the session, the
    end not before the start; a comment of at most 200 characters."""
    form = UnavailabilityForm(formdata=MultiDict(values))
    form.validate()
    errors = first_errors(form)
    if "part" not in errors and form.part.data not in DayPart.__members__:
        errors["part"] = _l("Not a valid choice.")
    starts_on, ends_on = form.starts_on.data, form.ends_on.data
    first, last = exam_session.starts_on, exam_session.ends_on
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if name in errors or day is None:
            continue
        if (first and day < first) or (last and day > last):
            errors[name] = _l(
                "The date must be within the session (%(first)s – %(last)s).",
                first=first.strftime("%d/%m/%Y") if first else "…",
                last=last.strftime("%d/%m/%Y") if last else "…",
            )
    both = "starts_on" not in errors and "ends_on" not in errors and starts_on and ends_on
    if both and ends_on < starts_on:
        errors["ends_on"] = _l("The end date cannot be before the start date.")
    if errors:
        raise FieldErrors(errors)
    return {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "part": DayPart[form.part.data],
        "comment": form.comment.data or None,
    }


def declare(
    session: Session, agent: Agent, exam_session: ExamSession, values, *, today: dt.date
) -> Unavailability:
    """A new unavailability of ``agent`` for ``exam_session`` (open to declarations)."""
    reason = closed_reason(exam_session, today)
    if reason is not None:
        raise DomainError(reason)
    checked = _check(exam_session, values)
    unavailability = Unavailability(agent=agent, session=exam_session, **checked)
    session.add(unavailability)
    session.flush()
    return unavailability


def change(
    session: Session, unavailability: Unavailability, values, *, today: dt.date
) -> Unavailability:
    reason = closed_reason(unavailability.session, today)
    if reason is not None:
        raise DomainError(reason)
    for name, value in _check(unavailability.session, values).items():
        setattr(unavailability, name, value)
    session.flush()
    return unavailability


def delete(session: Session, unavailability: Unavailability, *, today: dt.date) -> None:
    reason = closed_reason(unavailability.session, today)
    if reason is not None:
        raise DomainError(reason)
    session.delete(unavailability)
    session.flush()


# --- Managers: the académie's unavailabilities per session ----------------------------


@dataclass
class UnavailableCandidate:
    """A candidate but for declared unavailabilities covering a date of the mission."""

    agent: Agent
    unavailabilities: list


MAX_UNAVAILABLE_SHOWN = 100


def unavailable_candidates(
    session: Session, mission: Mission, query: convocation.CandidateQuery | None = None
) -> list[UnavailableCandidate]:
    """The agents who would be candidates but for a declared unavailability, by name,
    with the unavailabilities concerned (the first ``MAX_UNAVAILABLE_SHOWN``): one
    statement."""
    query = query or convocation.candidate_query(session, mission)
    listed = aliased(Unavailability)
    statement = (
        query.unavailable.add_columns(listed)
        .join(listed, (listed.agent_id == Agent.id) & availability.mission_clause(mission, listed))
        .order_by(Agent.last_name, Agent.first_name, Agent.id, listed.starts_on)
        .limit(MAX_UNAVAILABLE_SHOWN * 3)
    )
    found: dict[int, UnavailableCandidate] = {}
    for agent, unavailability in session.execute(statement):
        if agent.id not in found:
            if len(found) == MAX_UNAVAILABLE_SHOWN:
                break
            found[agent.id] = UnavailableCandidate(agent, [])
        found[agent.id].unavailabilities.append(unavailability)
    return list(found.values())


def declaring_sessions(session: Session, academy_id: int) -> list[ExamSession]:
    """The sessions open to declarations or holding the académie's declarations."""
    declared = (
        select(Unavailability.session_id)
        .join(Unavailability.agent)
        .where(Agent.academy_id == academy_id)
    )
    return list(
        session.scalars(
            select(ExamSession)
            .where(
                or_(
                    ExamSession.id.in_(declared),
                    ExamSession.unavailability_closes_on.is_not(None),
                )
            )
            .order_by(ExamSession.year.desc(), ExamSession.starts_on.desc(), ExamSession.id)
        )
    )


def academy_page(
    session: Session, academy_id: int, session_id: int, columns, **params
) -> listing.ListPage:
    """One page of the académie's unavailabilities for a session (keyword filter, sort
    and pages by the database): each row's ``unavailability`` cell, its agent loaded."""
    statement = (
        select(Unavailability)
        .join(Unavailability.agent)
        .where(Agent.academy_id == academy_id, Unavailability.session_id == session_id)
    )
    expressions = {
        "name": Agent.last_name,
        "identifier": func.coalesce(Agent.numen, Agent.external_id),
        "starts_on": Unavailability.starts_on,
        "ends_on": Unavailability.ends_on,
        "part": Unavailability.part,
        "comment": Unavailability.comment,
    }

    def search(pattern: str):
        return or_(
            listing.contains(Agent.last_name, pattern),
            listing.contains(Agent.first_name, pattern),
            listing.contains(Agent.numen, pattern),
            listing.contains(Agent.external_id, pattern),
            listing.contains(Unavailability.comment, pattern),
        )

    return listing.query_page(
        session,
        statement,
        columns,
        expressions,
        lambda unavailability: listing.Row({"unavailability": unavailability}),
        default_order=(
            Agent.last_name,
            Agent.first_name,
            Unavailability.starts_on,
            Unavailability.id,
        ),
        search=search,
        load=lambda keys: (
            select(Unavailability)
            .where(Unavailability.id.in_(keys))
            .options(selectinload(Unavailability.agent))
        ),
        **params,
    )
