"""The review of a run: its state, progress and figures, and a page of its missions,
each with its needs, the proposed agents (distance, load, why) and the places left
empty (why), as the screen « Affectation automatique » shows them."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.services.common import formats, listing, scope
from app.services.jobs import records
from app.services.missions import needs as mission_needs
from app.services.missions.assignment.run_base import (
    formatted_figures,
    kilometres,
    load_run,
    ordinal_mission,
    why,
)
from models import Agent, Assignment, Establishment, Job, Mission, Paper
from models.assignment import AssignmentGap, AssignmentProposal, AssignmentRun, MissionNeed
from models.enums import AssignmentRunState, JobState

S = AssignmentRunState
MAX_PER_PAGE = 100
MAX_SEARCH = 100


class MissionSummary(NamedTuple):
    id: int
    number: int
    type_name: str
    paper: str
    centre: str
    first_day: str  # "20/05/2031"
    unit_label: str


class NeedReview(NamedTuple):
    quality_label: str
    places: int
    convoked: int
    proposed: int


class GapReview(NamedTuple):
    quality_label: str
    places: int
    reason_label: str


@dataclass
class LineReview:
    id: int
    agent_id: int
    agent_name: str
    identifier: str
    town: str
    quality_label: str
    km: str  # "12 km"
    load_after: str  # "2e mission"
    why: str
    manual: bool
    may_remove: bool
    may_swap: bool
    convoked: bool
    refusal: str | None


@dataclass
class MissionReview:
    info: MissionSummary
    needs: list[NeedReview] = field(default_factory=list)
    lines: list[LineReview] = field(default_factory=list)
    gaps: list[GapReview] = field(default_factory=list)


@dataclass(frozen=True)
class RunProgress:
    job_id: int
    done: int
    total: int | None
    percent: int | None
    text: str


@dataclass
class Review:
    run: AssignmentRun
    state_label: str
    figures: dict[str, str]
    progress: RunProgress | None
    missions: list[MissionReview]
    page: int
    page_count: int
    mission_count: int
    may_convoke: bool
    may_refill: bool
    messages: list[str]
    job_id: int | None  # the job to follow (proposal or convocation)


def _number(value, default: int) -> int:
    """A page number or size from the request: a positive integer, else ``default``."""
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or len(text) > 9:
        return default
    return max(1, int(text))


def _run_missions(run: AssignmentRun, only_gaps: bool, search: str):
    gaps = select(AssignmentGap.mission_id).where(AssignmentGap.run_id == run.id)
    lines = select(AssignmentProposal.mission_id).where(AssignmentProposal.run_id == run.id)
    statement = (
        select(Mission.id)
        .outerjoin(Mission.paper)
        .outerjoin(Mission.centre)
        .where(scope.academy_criterion(Mission, run.academy_id))
    )
    if only_gaps:
        statement = statement.where(Mission.id.in_(gaps))
    else:
        statement = statement.where(or_(Mission.id.in_(gaps), Mission.id.in_(lines)))
    for word in (search or "")[:MAX_SEARCH].split()[:5]:
        pattern = listing.like_pattern(word)
        named = (
            select(AssignmentProposal.mission_id)
            .join(Agent, Agent.id == AssignmentProposal.agent_id)
            .where(
                AssignmentProposal.run_id == run.id,
                or_(
                    listing.contains(Agent.last_name, pattern),
                    listing.contains(Agent.first_name, pattern),
                    listing.contains(Agent.numen, pattern),
                    listing.contains(Agent.external_id, pattern),
                ),
            )
        )
        statement = statement.where(
            or_(
                cast(Mission.number, String).ilike(pattern, escape="\\"),
                listing.contains(Paper.code, pattern),
                listing.contains(Paper.name, pattern),
                listing.contains(Establishment.name, pattern),
                listing.contains(Establishment.town, pattern),
                Mission.id.in_(named),
            )
        )
    return statement


def _progress(session: Session, run: AssignmentRun) -> tuple[Job | None, RunProgress | None]:
    job_id = {S.PROPOSING: run.proposal_job_id, S.CONVOKING: run.convocation_job_id}.get(run.state)
    if job_id is None:
        return None, None
    job = session.get(Job, job_id)
    if job is None:
        return None, None
    return job, RunProgress(
        job_id=job.id,
        done=job.progress or 0,
        total=job.total,
        percent=records.percent_of(job),
        text=records.progress_text(job),
    )


def _messages(session: Session, run: AssignmentRun, job: Job | None) -> list[str]:
    messages = []
    if job is not None and job.state is JobState.FAILED:
        messages.append(job.message or str(records.UNEXPECTED))
    elif run.state is S.PROPOSING:
        messages.append(str(_l("The proposal is being computed: this page follows it.")))
    elif run.state is S.CONVOKING:
        messages.append(str(_l("The convocations are being made: this page follows them.")))
    elif run.state is S.FAILED:
        error = (run.figures or {}).get("error")
        messages.append(error or str(records.UNEXPECTED))
    elif run.state is S.DISCARDED:
        messages.append(str(_l("This proposal was replaced by a newer one.")))
    elif run.state is S.CONVOKED and run.convocation_job_id is not None:
        done = session.get(Job, run.convocation_job_id)
        if done is not None and done.message:
            messages.append(done.message)
    return messages


def review(
    session: Session,
    academy_id: int,
    run_id,
    *,
    page: int = 1,
    per_page: int = 25,
    only_gaps: bool = False,
    search: str = "",
) -> Review:
    """The run ``run_id`` of the académie as the review screen shows it (NotFound for
    another académie's or an unknown one)."""
    run = load_run(session, academy_id, run_id)
    job, progress = _progress(session, run)
    failed = job is not None and job.state is JobState.FAILED
    state_label = str(S.FAILED.label if failed and run.state is S.PROPOSING else run.state.label)
    per_page = min(_number(per_page, 25), MAX_PER_PAGE)
    statement = _run_missions(run, only_gaps, search)
    count = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    page_count = max(1, math.ceil(count / per_page))
    page = min(_number(page, 1), page_count)
    ids = list(
        session.scalars(
            statement.order_by(Mission.first_day, Mission.number)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    has_lines = bool(
        session.scalar(
            select(func.count(AssignmentProposal.id)).where(AssignmentProposal.run_id == run.id)
        )
    )
    return Review(
        run=run,
        state_label=state_label,
        figures=formatted_figures(run.figures) if run.state is not S.FAILED else {},
        progress=None if failed else progress,
        missions=_mission_reviews(session, run, ids),
        page=page,
        page_count=page_count,
        mission_count=count,
        may_convoke=run.state is S.PROPOSED and has_lines,
        may_refill=run.state is S.CONVOKED,
        messages=_messages(session, run, job),
        job_id=job.id if job is not None else None,
    )


def _mission_reviews(session: Session, run: AssignmentRun, ids: list[int]) -> list[MissionReview]:
    if not ids:
        return []
    missions = {
        mission.id: mission
        for mission in session.scalars(
            select(Mission)
            .where(Mission.id.in_(ids))
            .options(joinedload(Mission.paper), joinedload(Mission.centre))
        ).unique()
    }
    lines = defaultdict(list)
    for line in session.scalars(
        select(AssignmentProposal)
        .where(AssignmentProposal.run_id == run.id, AssignmentProposal.mission_id.in_(ids))
        .options(joinedload(AssignmentProposal.agent))
        .order_by(AssignmentProposal.quality, AssignmentProposal.km, AssignmentProposal.id)
    ):
        lines[line.mission_id].append(line)
    gaps = defaultdict(list)
    for gap in session.scalars(
        select(AssignmentGap)
        .where(AssignmentGap.run_id == run.id, AssignmentGap.mission_id.in_(ids))
        .order_by(AssignmentGap.quality, AssignmentGap.reason)
    ):
        gaps[gap.mission_id].append(gap)
    need_rows = defaultdict(list)
    for need in session.scalars(
        select(MissionNeed).where(MissionNeed.mission_id.in_(ids)).order_by(MissionNeed.quality)
    ):
        need_rows[need.mission_id].append(need)
    convoked = Counter(
        (mission_id, quality)
        for mission_id, quality in session.execute(
            select(Assignment.mission_id, Assignment.quality).where(
                Assignment.mission_id.in_(ids), Assignment.cancelled_at.is_(None)
            )
        )
    )
    proposed = run.state is S.PROPOSED
    reviews = []
    for mission_id in ids:
        mission = missions[mission_id]
        unit = mission_needs.unit_of(mission.mission_type)
        info = MissionSummary(
            id=mission.id,
            number=mission.number,
            type_name=mission.mission_type.name,
            paper=f"{mission.paper.code} – {mission.paper.name}" if mission.paper else "",
            centre=str(mission.centre) if mission.centre else "",
            first_day=formats.day(mission.first_day),
            unit_label=str(unit.label),
        )
        mine = lines[mission_id]
        per_quality = Counter(line.quality for line in mine)
        reviews.append(
            MissionReview(
                info=info,
                needs=[
                    NeedReview(
                        str(need.quality.label),
                        need.places,
                        convoked[(mission_id, need.quality)],
                        per_quality[need.quality],
                    )
                    for need in need_rows[mission_id]
                ],
                lines=[_line_review(line, proposed) for line in mine],
                gaps=[
                    GapReview(str(gap.quality.label), gap.places, str(gap.reason.label))
                    for gap in gaps[mission_id]
                ],
            )
        )
    return reviews


def _line_review(line: AssignmentProposal, proposed: bool) -> LineReview:
    agent = line.agent
    return LineReview(
        id=line.id,
        agent_id=line.agent_id,
        agent_name=agent.full_name,
        identifier=agent.numen or agent.external_id or "",
        town=agent.town or "",
        quality_label=str(line.quality.label),
        km=kilometres(line.km),
        load_after=ordinal_mission(line.missions_before + 1),
        why=why(line),
        manual=line.manual,
        may_remove=proposed,
        may_swap=proposed,
        convoked=line.assignment_id is not None,
        refusal=line.refusal,
    )
