"""What the runs of the automatic assignment share (``runs``, ``review``, ``swaps``):
the job kinds, the scoped loaders of a run and of its lines, the weights, the figures
and their French wording.

A *run* is one automatic assignment of a session (or of some of its missions): its
proposal job writes its *lines* (an agent on a place, and why) and its *gaps* (places
left empty, and why); the manager removes or swaps lines while it is PROPOSED, then
convokes it in one job (CONVOKING → CONVOKED)."""

from __future__ import annotations

from collections import Counter

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services import DomainError, NotFound
from app.services.common import formats, scope
from app.services.missions.assignment.problem import Weights
from app.services.missions.convocation import MAX_ID
from models import Assignment, Mission
from models.assignment import AssignmentGap, AssignmentProposal, AssignmentRun
from models.enums import AssignmentRunState

PROPOSAL_KIND = "assignment_proposal"
PROPOSAL_TITLE = _l("Automatic assignment: proposal")
CONVOCATION_KIND = "assignment_convocation"
CONVOCATION_TITLE = _l("Automatic assignment: convocations")
CONVOKE_KEY = "assignment-convoke:"

MAX_WEIGHT = 1000
RUN_NOT_FOUND = _l("This automatic assignment does not exist or is not in your academy.")
LINE_NOT_FOUND = _l("This line of the proposal does not exist.")
NOT_PROPOSED = _l("This proposal can no longer be changed: it is not waiting for a review.")

S = AssignmentRunState


class EntryErrors(DomainError):
    """The form refused: field name → French message (shown next to the fields)."""

    def __init__(self, errors: dict[str, object]):
        super().__init__(_l("Some fields are not valid: see the messages next to them."))
        self.errors = errors


def weights_of(run: AssignmentRun) -> Weights:
    return Weights(travel=run.weight_travel, spread=run.weight_spread, wish=run.weight_wish)


def load_run(session: Session, academy_id: int, run_id, *, lock: bool = False) -> AssignmentRun:
    """The académie's run ``run_id``, else NotFound (an unknown id, another académie's
    and an id out of bounds get the same answer)."""
    if not isinstance(run_id, int) or not 0 < run_id <= MAX_ID:
        raise NotFound(RUN_NOT_FOUND)
    statement = select(AssignmentRun).where(
        AssignmentRun.id == run_id, scope.academy_criterion(AssignmentRun, academy_id)
    )
    if lock:
        statement = statement.with_for_update()
    run = session.scalar(statement)
    if run is None:
        raise NotFound(RUN_NOT_FOUND)
    return run


def load_line(session: Session, run: AssignmentRun, line_id) -> AssignmentProposal:
    """The line ``line_id`` of ``run``, else NotFound."""
    if not isinstance(line_id, int) or not 0 < line_id <= MAX_ID:
        raise NotFound(LINE_NOT_FOUND)
    line = session.scalar(
        select(AssignmentProposal).where(
            AssignmentProposal.id == line_id, AssignmentProposal.run_id == run.id
        )
    )
    if line is None:
        raise NotFound(LINE_NOT_FOUND)
    return line


def require_proposed(run: AssignmentRun) -> None:
    if run.state is not S.PROPOSED:
        raise DomainError(NOT_PROPOSED)


# --- Figures ---------------------------------------------------------------------------------


def held_in_session(session: Session, exam_session_id: int, agent_ids) -> Counter:
    """Missions each of ``agent_ids`` is convoked to (not withdrawn) in the session."""
    agent_ids = sorted(set(agent_ids))
    held: Counter = Counter()
    for start in range(0, len(agent_ids), 5000):
        rows = session.execute(
            select(Assignment.agent_id, func.count(Assignment.id))
            .join(Assignment.mission)
            .where(
                Mission.session_id == exam_session_id,
                Assignment.cancelled_at.is_(None),
                Assignment.agent_id.in_(agent_ids[start : start + 5000]),
            )
            .group_by(Assignment.agent_id)
        )
        held.update(dict(rows.all()))
    return held


def refresh_figures(session: Session, run: AssignmentRun) -> dict:
    """The run's figures from its lines and gaps as they are now (the solver's own —
    cost, bound, parts, seconds — kept)."""
    session.flush()
    lines = session.execute(
        select(AssignmentProposal.agent_id, AssignmentProposal.km).where(
            AssignmentProposal.run_id == run.id
        )
    ).all()
    unfilled = session.scalar(
        select(func.coalesce(func.sum(AssignmentGap.places), 0)).where(
            AssignmentGap.run_id == run.id
        )
    )
    proposed = Counter(agent_id for agent_id, _km in lines)
    held = held_in_session(session, run.exam_session_id, proposed)
    totals = [held[agent_id] + count for agent_id, count in proposed.items()]
    spread = {"1": 0, "2": 0, "3+": 0}
    for total in totals:
        spread["1" if total <= 1 else "2" if total == 2 else "3+"] += 1
    kms = [km for _agent, km in lines]
    figures = dict(run.figures or {})
    figures.pop("error", None)
    figures.update(
        agents_used=len(proposed),
        places_proposed=len(lines),
        places_unfilled=int(unfilled or 0),
        km_total=round(sum(kms), 1),
        km_mean=round(sum(kms) / len(kms), 1) if kms else 0.0,
        km_max=round(max(kms), 1) if kms else 0.0,
        missions_per_agent=spread,
        load_max=max(totals, default=0),
    )
    run.figures = figures
    return figures


def kilometres(value: float | None) -> str:
    """ "12 km" (rounded to the kilometre)."""
    return str(_l("%(km)s km", km=formats.amount(round(value or 0))))


def formatted_figures(figures: dict | None) -> dict[str, str]:
    """The figures as the review shows them (French strings)."""
    if not figures:
        return {}
    spread = figures.get("missions_per_agent") or {}
    shown = {
        "agents_used": formats.amount(figures.get("agents_used", 0)),
        "places_proposed": formats.amount(figures.get("places_proposed", 0)),
        "places_unfilled": formats.amount(figures.get("places_unfilled", 0)),
        "km_total": kilometres(figures.get("km_total")),
        "km_mean": str(_l("%(km)s km", km=formats.amount(round(figures.get("km_mean") or 0, 1)))),
        "km_max": kilometres(figures.get("km_max")),
        "missions_per_agent": str(
            _l(
                "1 mission: %(one)s; 2 missions: %(two)s; 3 or more: %(more)s",
                one=formats.amount(spread.get("1", 0)),
                two=formats.amount(spread.get("2", 0)),
                more=formats.amount(spread.get("3+", 0)),
            )
        ),
        "load_max": formats.amount(figures.get("load_max", 0)),
    }
    if figures.get("seconds") is not None:
        shown["seconds"] = str(
            _l("%(seconds)s s", seconds=formats.amount(round(figures["seconds"], 1)))
        )
    if figures.get("parts") is not None:
        shown["parts"] = formats.amount(figures["parts"])
    cost, bound = figures.get("cost"), figures.get("bound")
    if cost is not None and bound is not None:
        gap = 0.0 if cost <= 0 else max(0.0, (cost - bound) / cost * 100)
        shown["gap"] = str(_l("%(percent)s %%", percent=formats.amount(round(gap, 2))))
    return shown


# --- Wording of a line -----------------------------------------------------------------------


def ordinal_mission(count: int) -> str:
    """ "1re mission", "2e mission": the place's rank among the agent's missions."""
    if count <= 1:
        return str(_l("1st mission"))
    return str(_l("mission no. %(count)s", count=count))


def why(line: AssignmentProposal) -> str:
    """« 3e plus proche des 41 candidats libres ; 1 mission avant ; vœu exprimé »."""
    parts = []
    if line.manual:
        parts.append(str(_l("chosen by the manager")))
    if line.rank <= 1:
        parts.append(str(_l("the nearest of the %(count)s free candidates", count=line.candidates)))
    else:
        parts.append(
            str(
                _l(
                    "nearest no. %(rank)s of the %(count)s free candidates",
                    rank=line.rank,
                    count=line.candidates,
                )
            )
        )
    if line.missions_before:
        parts.append(
            ngettext(
                "%(num)s mission before",
                "%(num)s missions before",
                line.missions_before,
            )
        )
    else:
        parts.append(str(_l("no mission before")))
    if line.wished:
        parts.append(str(_l("wish expressed")))
    return " ; ".join(parts)
