"""The runs of the automatic assignment (issue 17): start a proposal for a session (or
some of its missions) as a job, list and review the runs, remove or swap a line, then
convoke the whole proposal in one job; refill the places a withdrawal freed.

Everything is scoped to the manager's académie (another académie's run or line:
``NotFound``); nothing here commits (the request or the job does). The jobs' work
is in ``run_work`` (called by ``app.jobs.assignment``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.services import DomainError
from app.services.common import formats, scope
from app.services.jobs import dispatch, records
from app.services.missions.assignment.problem import Weights
from app.services.missions.assignment.review import Review, review  # noqa: F401 - API
from app.services.missions.assignment.run_base import (
    CONVOCATION_KIND,
    CONVOCATION_TITLE,
    CONVOKE_KEY,
    MAX_WEIGHT,
    PROPOSAL_KIND,
    PROPOSAL_TITLE,
    EntryErrors,
    load_line,
    load_run,
    refresh_figures,
    require_proposed,
    weights_of,
)
from app.services.missions.assignment.swaps import Option, swap, swap_options  # noqa: F401
from app.services.missions.convocation import MAX_ID
from app.services.missions.rules import MAX_MISSION_NUMBER
from models import Exam, ExamSession, Job, Mission
from models.assignment import AssignmentGap, AssignmentProposal, AssignmentRun, MissionNeed
from models.enums import AssignmentRunState, GapReason

S = AssignmentRunState
MAX_NUMBERS_TEXT = 20_000  # characters of the "missions" field
WEIGHT_FIELDS = ("travel", "spread", "wish")


@dataclass(frozen=True)
class SessionChoice:
    id: int
    label: str  # "BTS 2027 juin"
    missions: int
    with_needs: int


def session_label(exam_session: ExamSession) -> str:
    exam = exam_session.exam
    name = (exam.short_name or exam.name) if exam is not None else ""
    year = "" if str(exam_session.year) in exam_session.name else f" {exam_session.year}"
    return f"{name}{year} {exam_session.name}".strip()


def sessions(session: Session, academy_id: int) -> list[SessionChoice]:
    """The exam sessions holding missions of the académie, newest first, with how many
    of their missions have needs."""
    in_academy = scope.academy_criterion(Mission, academy_id)
    counts = dict(
        session.execute(
            select(Mission.session_id, func.count(Mission.id))
            .where(in_academy)
            .group_by(Mission.session_id)
        ).all()
    )
    if not counts:
        return []
    with_needs = dict(
        session.execute(
            select(Mission.session_id, func.count(func.distinct(Mission.id)))
            .join(MissionNeed, MissionNeed.mission_id == Mission.id)
            .where(in_academy)
            .group_by(Mission.session_id)
        ).all()
    )
    found = session.scalars(
        select(ExamSession)
        .join(ExamSession.exam)
        .where(ExamSession.id.in_(list(counts)))
        .options(joinedload(ExamSession.exam))
        .order_by(ExamSession.year.desc(), Exam.name, ExamSession.id.desc())
    )
    return [
        SessionChoice(s.id, session_label(s), counts[s.id], with_needs.get(s.id, 0)) for s in found
    ]


# --- Start -----------------------------------------------------------------------------------


def _bounded(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value or "").strip()
        if not text.isdigit() or len(text) > 10:
            return None
        number = int(text)
    return number if 0 < number <= MAX_ID else None


def _weights(value, errors: dict) -> Weights:
    """The weights typed (a mapping of field → text) or given; each from 0 to 1000."""
    default = Weights()
    if isinstance(value, Weights):
        raw = {name: getattr(value, name) for name in WEIGHT_FIELDS}
    else:
        raw = dict(value or {})
    parsed = {}
    for name in WEIGHT_FIELDS:
        given = raw.get(name)
        if given is None or (isinstance(given, str) and not given.strip()):
            parsed[name] = getattr(default, name)
            continue
        try:
            number = float(str(given).strip().replace(",", ".")[:20])
        except ValueError:
            number = None
        if number is None or number != number or not 0 <= number <= MAX_WEIGHT:
            errors[name] = _l("Enter a number from 0 to %(max)s.", max=MAX_WEIGHT)
            continue
        parsed[name] = number
    return Weights(**parsed) if len(parsed) == len(WEIGHT_FIELDS) else default


def _mission_ids(
    session: Session, academy_id: int, exam_session_id: int, text: str, errors: dict
) -> list[int] | None:
    """The ids of the missions typed by number (None: the whole session)."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_NUMBERS_TEXT:
        errors["mission_numbers"] = _l("Too many missions: leave the field empty for all.")
        return None
    numbers, wrong = [], []
    for token in re.split(r"[\s,;]+", text):
        if token.isdigit() and len(token) <= 9 and 0 < int(token) <= MAX_MISSION_NUMBER:
            numbers.append(int(token))
        elif token:
            wrong.append(token[:20])
    if wrong:
        errors["mission_numbers"] = _l(
            "Not mission numbers: %(values)s.", values=", ".join(wrong[:10])
        )
        return None
    numbers = sorted(set(numbers))
    found = dict(
        session.execute(
            select(Mission.number, Mission.id).where(
                scope.academy_criterion(Mission, academy_id),
                Mission.session_id == exam_session_id,
                Mission.number.in_(numbers),
            )
        ).all()
    )
    unknown = [str(number) for number in numbers if number not in found]
    if unknown:
        errors["mission_numbers"] = _l(
            "No mission of this session has these numbers: %(numbers)s.",
            numbers=", ".join(unknown[:20]),
        )
        return None
    with_needs = set(
        session.scalars(
            select(MissionNeed.mission_id).where(MissionNeed.mission_id.in_(found.values()))
        )
    )
    idle = [str(number) for number, mission_id in found.items() if mission_id not in with_needs]
    if idle:
        errors["mission_numbers"] = _l(
            "These missions have no needs in contributors: %(numbers)s.",
            numbers=", ".join(sorted(idle, key=int)[:20]),
        )
        return None
    return sorted(found.values())


def start(
    session: Session,
    academy_id: int,
    *,
    exam_session_id,
    mission_numbers: str = "",
    weights: Weights | Mapping | None = None,
    by_user_id: int | None,
) -> AssignmentRun:
    """A new run (PROPOSING) and its proposal job; the académie's other runs of the
    session still proposing or proposed are discarded. ``EntryErrors`` names the
    wrong fields ("exam_session_id", "mission_numbers", "travel", "spread", "wish")."""
    errors: dict[str, object] = {}
    chosen = _bounded(exam_session_id)
    if chosen is not None and not session.scalar(
        select(func.count(Mission.id)).where(
            scope.academy_criterion(Mission, academy_id), Mission.session_id == chosen
        )
    ):
        chosen = None
    if chosen is None:
        errors["exam_session_id"] = _l("Choose a session holding missions of your academy.")
    mission_ids = None
    if chosen is not None:
        mission_ids = _mission_ids(session, academy_id, chosen, mission_numbers, errors)
    parsed = _weights(weights, errors)
    if errors:
        raise EntryErrors(errors)
    return _create(session, academy_id, chosen, mission_ids, parsed, by_user_id)


def _create(session, academy_id, exam_session_id, mission_ids, weights, by_user_id):
    for other in session.scalars(
        select(AssignmentRun)
        .where(
            scope.academy_criterion(AssignmentRun, academy_id),
            AssignmentRun.exam_session_id == exam_session_id,
            AssignmentRun.state.in_([S.PROPOSING, S.PROPOSED]),
        )
        .with_for_update()
    ):
        other.state = S.DISCARDED
    run = AssignmentRun(
        academy_id=academy_id,
        exam_session_id=exam_session_id,
        mission_ids=mission_ids,
        weight_travel=weights.travel,
        weight_spread=weights.spread,
        weight_wish=weights.wish,
        state=S.PROPOSING,
        created_by_id=by_user_id,
    )
    session.add(run)
    session.flush()
    job = dispatch.start(
        session,
        academy_id=academy_id,
        kind=PROPOSAL_KIND,
        title=PROPOSAL_TITLE._args[0],
        started_by_id=by_user_id,
    )
    run.proposal_job_id = job.id
    session.flush()
    return run


def refill(session: Session, academy_id: int, run_id, *, by_user_id: int | None) -> AssignmentRun:
    """After withdrawals: a new run on the same session, missions and weights; the
    convocations made stay (the builder counts them against the needs), so only the
    freed places are proposed."""
    run = load_run(session, academy_id, run_id)
    if run.state is not S.CONVOKED:
        raise DomainError(_l("Only a convoked proposal can be refilled."))
    return _create(
        session, academy_id, run.exam_session_id, run.mission_ids, weights_of(run), by_user_id
    )


# --- The list of runs ------------------------------------------------------------------------


@dataclass(frozen=True)
class RunRow:
    id: int
    session_label: str
    state: AssignmentRunState
    state_label: str
    created_at: dt.datetime
    created_at_label: str
    created_by: str
    places_proposed: int | None
    places_unfilled: int | None
    may_open: bool


def user_name(user) -> str:
    if user is None:
        return ""
    return f"{user.first_name or ''} {user.last_name or ''}".strip() or user.username


def runs(session: Session, academy_id: int, limit: int = 20) -> list[RunRow]:
    """The académie's latest runs, newest first."""
    found = session.scalars(
        select(AssignmentRun)
        .where(scope.academy_criterion(AssignmentRun, academy_id))
        .options(joinedload(AssignmentRun.exam_session).joinedload(ExamSession.exam))
        .order_by(AssignmentRun.id.desc())
        .limit(max(1, min(limit, 200)))
    ).all()
    user_ids = {run.created_by_id for run in found if run.created_by_id}
    users = {
        user.id: user
        for user in (session.scalars(select(User).where(User.id.in_(user_ids))) if user_ids else [])
    }
    rows = []
    for run in found:
        figures = run.figures or {}
        rows.append(
            RunRow(
                id=run.id,
                session_label=session_label(run.exam_session),
                state=run.state,
                state_label=str(run.state.label),
                created_at=run.created_at,
                created_at_label=formats.moment(run.created_at),
                created_by=user_name(users.get(run.created_by_id)),
                places_proposed=figures.get("places_proposed"),
                places_unfilled=figures.get("places_unfilled"),
                may_open=run.state is not S.DISCARDED,
            )
        )
    return rows


# --- Changes to a proposal -------------------------------------------------------------------


def remove(session: Session, academy_id: int, run_id, line_id, *, by_user_id: int | None) -> None:
    """Take a line off the proposal (only while PROPOSED): its place becomes a gap
    « retiré par le gestionnaire »."""
    run = load_run(session, academy_id, run_id, lock=True)
    require_proposed(run)
    line = load_line(session, run, line_id)
    gap = session.scalar(
        select(AssignmentGap).where(
            AssignmentGap.run_id == run.id,
            AssignmentGap.mission_id == line.mission_id,
            AssignmentGap.quality == line.quality,
            AssignmentGap.reason == GapReason.REMOVED,
        )
    )
    if gap is None:
        session.add(
            AssignmentGap(
                run_id=run.id,
                mission_id=line.mission_id,
                quality=line.quality,
                places=1,
                reason=GapReason.REMOVED,
            )
        )
    else:
        gap.places += 1
    session.delete(line)
    refresh_figures(session, run)


def convoke(session: Session, academy_id: int, run_id, *, by_user_id: int | None) -> Job:
    """Convoke the whole proposal in one job (only a PROPOSED run with lines)."""
    run = load_run(session, academy_id, run_id, lock=True)
    if run.state in (S.CONVOKING, S.CONVOKED):
        raise DomainError(_l("This proposal is already convoked."))
    require_proposed(run)
    if not session.scalar(
        select(func.count(AssignmentProposal.id)).where(AssignmentProposal.run_id == run.id)
    ):
        raise DomainError(_l("The proposal holds no contributor to convoke."))
    key = f"{CONVOKE_KEY}{run.id}"
    attempt = 1
    while records.by_key(session, key) is not None:  # a failed convocation, tried again
        attempt += 1
        key = f"{CONVOKE_KEY}{run.id}:{attempt}"
    job = dispatch.start(
        session,
        academy_id=academy_id,
        kind=CONVOCATION_KIND,
        title=CONVOCATION_TITLE._args[0],
        started_by_id=by_user_id,
        key=key,
    )
    run.state = S.CONVOKING
    run.convocation_job_id = job.id
    session.flush()
    return job
