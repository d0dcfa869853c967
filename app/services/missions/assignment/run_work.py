"""The work of the automatic assignment's jobs (``app.jobs.assignment``): the proposal
of a run (build, solve, store its lines, gaps and figures) and its convocation (the
convocation service, group by group, each in a SAVEPOINT); what a run says when its
job stops."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services import DomainError
from app.services.common import clock
from app.services.missions import convocation
from app.services.missions.assignment import checker, solver, source
from app.services.missions.assignment.run_base import refresh_figures, weights_of
from models import Assignment, Job
from models.assignment import AssignmentGap, AssignmentProposal, AssignmentRun
from models.enums import AssignmentQuality, AssignmentRunState

S = AssignmentRunState

# --- The jobs' work --------------------------------------------------------------------------

Report = Callable[[int, int], None] | None


def _every(report: Report, seconds: float = 0.5) -> Report:
    """``report`` at most every ``seconds`` (and at the end): a session splits into
    hundreds of parts, each report is a transaction."""
    if report is None:
        return None
    last = [0.0]

    def throttled(done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - last[0] >= seconds:
            last[0] = now
            report(done, total)

    return throttled


def propose_work(session: Session, job: Job, report: Report = None) -> str:
    """The proposal job: the session's problem, solved; its lines, gaps and figures
    stored; the run PROPOSED. Returns the job's summary."""
    run = session.scalar(select(AssignmentRun).where(AssignmentRun.proposal_job_id == job.id))
    if run is None:
        raise DomainError(_l("The proposal of this job no longer exists."))
    if run.state is not S.PROPOSING:
        return _("This proposal was replaced by a newer one: nothing was done.")
    started = time.monotonic()
    if report is not None:
        report(0, None)  # reading the session's problem
    built = source.build(
        session,
        run.academy_id,
        run.exam_session_id,
        mission_ids=run.mission_ids,
        weights=weights_of(run),
    )
    proposal = solver.solve(built.instance, progress=_every(report))
    if checker.violations(built.instance, proposal.placements):  # pragma: no cover - guard
        raise DomainError(_l("The proposal breaks a rule of assignment: nothing was kept."))
    for choice in proposal.choices:
        placement = choice.placement
        session.add(
            AssignmentProposal(
                run_id=run.id,
                mission_id=placement.mission_id,
                agent_id=placement.agent_id,
                quality=AssignmentQuality[placement.quality],
                km=round(choice.km, 3),
                rank=choice.rank,
                candidates=choice.candidates,
                missions_before=choice.missions_before,
                wished=choice.wished,
            )
        )
    for unfilled in proposal.unfilled:
        mission_id, quality = unfilled.key
        session.add(
            AssignmentGap(
                run_id=run.id,
                mission_id=mission_id,
                quality=AssignmentQuality[quality],
                places=unfilled.places,
                reason=built.gap_reason(unfilled.key, unfilled.reason),
            )
        )
    run.cost, run.bound = proposal.cost, proposal.bound
    run.figures = {
        "seconds": round(time.monotonic() - started, 2),
        "parts": proposal.parts,
        "cost": round(proposal.cost, 2),
        "bound": round(proposal.bound, 2),
    }
    figures = refresh_figures(session, run)
    # A newer run started meanwhile discarded this one: it stays discarded.
    state = session.scalar(
        select(AssignmentRun.state).where(AssignmentRun.id == run.id).with_for_update()
    )
    if state is S.PROPOSING:
        run.state = S.PROPOSED
        run.proposed_at = clock.now()
    return _(
        "%(places)s place(s) proposed to %(agents)s contributor(s); %(unfilled)s place(s) "
        "left empty.",
        places=figures["places_proposed"],
        agents=figures["agents_used"],
        unfilled=figures["places_unfilled"],
    )


def proposal_failed(session: Session, job_id: int, message: str) -> None:
    """The proposal job stopped: its run says so (FAILED, with the reason)."""
    run = session.scalar(select(AssignmentRun).where(AssignmentRun.proposal_job_id == job_id))
    if run is not None and run.state is S.PROPOSING:
        run.state = S.FAILED
        run.figures = {"error": message}
        session.flush()


def convocation_failed(session: Session, job_id: int) -> None:
    """The convocation job stopped (nothing of it was kept): the proposal may be
    convoked again."""
    run = session.scalar(select(AssignmentRun).where(AssignmentRun.convocation_job_id == job_id))
    if run is not None and run.state is S.CONVOKING:
        run.state = S.PROPOSED
        session.flush()


@dataclass
class Convoked:
    """What the convocation job did: the assignments made (to mail), the lines."""

    created: list[Assignment] = field(default_factory=list)
    lines: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # (mission number, why)
    message: str = ""


def convoke_work(session: Session, job: Job, report: Report = None) -> Convoked:
    """The convocation job: per mission and quality, in a SAVEPOINT, the convocation
    service convokes the lines' agents (assignments, claims, PDFs); a refused group
    keeps its reason on each of its lines, the others go on. The run is CONVOKED."""
    done = Convoked()
    run = session.scalar(
        select(AssignmentRun).where(AssignmentRun.convocation_job_id == job.id).with_for_update()
    )
    if run is None:
        raise DomainError(_l("The proposal of this job no longer exists."))
    if run.state is not S.CONVOKING:
        done.message = _("This proposal is not waiting to be convoked: nothing was done.")
        return done
    by_user_id = job.started_by_id or run.created_by_id
    lines = session.scalars(
        select(AssignmentProposal)
        .where(AssignmentProposal.run_id == run.id)
        .order_by(AssignmentProposal.mission_id, AssignmentProposal.id)
    ).all()
    done.lines = len(lines)
    groups: dict[int, dict[AssignmentQuality, list[AssignmentProposal]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for line in lines:
        groups[line.mission_id][line.quality].append(line)
    if report is not None:
        report(0, len(groups))
    for number, (mission_id, by_quality) in enumerate(groups.items(), start=1):
        mission = convocation.academy_mission(session, run.academy_id, mission_id)
        for quality, group in by_quality.items():
            try:
                with session.begin_nested():
                    created = convocation.convoke(
                        session,
                        mission,
                        [line.agent_id for line in group],
                        quality=quality,
                        jury=None,
                        by_user_id=by_user_id,
                    )
            except DomainError as error:
                reason = str(error.message)
                for line in group:
                    line.refusal = reason[:500]
                done.refused.append((mission.number, reason))
                session.expire(mission)
                continue
            made = {assignment.agent_id: assignment for assignment in created}
            for line in group:
                line.assignment_id = made[line.agent_id].id
                line.refusal = None
            done.created.extend(created)
        if report is not None:
            report(number, len(groups))
    run.state = S.CONVOKED
    run.convoked_at = clock.now()
    session.flush()
    parts = [
        _(
            "%(done)s contributor(s) convoked out of %(total)s",
            done=len(done.created),
            total=done.lines,
        )
    ]
    if done.refused:
        numbers = sorted({number for number, _reason in done.refused})
        details = [
            _("no. %(number)s: %(reason)s", number=number, reason=reason)
            for number, reason in done.refused
        ]
        parts.append(
            _(
                "%(count)s mission(s) refused (%(details)s)",
                count=len(numbers),
                details="; ".join(details),
            )
        )
    done.message = " ; ".join(parts)
    return done
