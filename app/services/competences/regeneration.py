"""Generating the SYS competences again after a teachings import, as a job.

The import (``app.services.interfaces.imports.teachings``) says which agents it touched
and for which school year; the job (``app.jobs.competences``) runs ``rules.generate`` on
them, a slice at a time so that its progress bar moves.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.services import DomainError
from app.services.competences import rules
from app.services.jobs import dispatch
from models import Job

KIND = "competence_generation"
TITLE = _l("Generation of the competences (SYS) from the teachings")
SLICE = 500  # agents per call of ``generate`` (one progress step)


@dataclass(frozen=True)
class Request:
    year: int
    agent_ids: list[int]


def start(
    session: Session,
    academy_id: int,
    agent_ids,
    year: int,
    *,
    started_by_id: int | None = None,
) -> Job:
    """Queue the generation for ``agent_ids`` (once the caller's unit is committed)."""
    job = dispatch.start(
        session,
        academy_id=academy_id,
        kind=KIND,
        title=TITLE._args[0],
        started_by_id=started_by_id,
    )
    job.input_data = json.dumps({"year": year, "agent_ids": sorted(set(agent_ids))}).encode()
    session.flush()
    return job


def request_of(job: Job) -> Request:
    try:
        data = json.loads((job.input_data or b"{}").decode())
        return Request(int(data["year"]), [int(agent_id) for agent_id in data["agent_ids"]])
    except (ValueError, KeyError, TypeError):
        raise DomainError(_l("This job does not say which contributors to work on.")) from None


@dataclass
class Outcome:
    agents: int = 0
    created: int = 0
    endorsed: int = 0


def run(session: Session, job: Job, report: Callable[[int, int], None] | None = None) -> Outcome:
    """Generate the competences of the job's agents (their active teachings of the
    job's year), in slices; the caller (the job) commits."""
    wanted = request_of(job)
    outcome = Outcome(agents=len(wanted.agent_ids))
    total = len(wanted.agent_ids)
    if report is not None:
        report(0, total)
    for start_at in range(0, total, SLICE):
        part = wanted.agent_ids[start_at : start_at + SLICE]
        result = rules.generate(session, year=wanted.year, agent_ids=part)
        outcome.created += result.created
        outcome.endorsed += result.endorsed
        if report is not None:
            report(min(start_at + SLICE, total), total)
    return outcome
