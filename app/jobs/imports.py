"""The imports' jobs: the dry run of a large file, and « Appliquer ».

Both work on the file kept on the ``ImportRun`` the job was started for (found by the
job's id). A file or lines refused (``FileRefused``, ``LinesRefused``) leave nothing
written: the job's unit is rolled back here, the run is marked refused with the French
message in a unit of its own, and the refusal goes on to the runner, which fails the
job with the same message. Any other error marks the run failed the same way.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.extensions import db
from app.jobs.runner import TRANSIENT_ERRORS, Progress, Result, job_kind
from app.services import DomainError
from app.services.interfaces.imports import runs
from app.services.interfaces.imports.base import FileRefused
from app.services.jobs import records
from app.transaction import unit_of_work
from models import Job

log = logging.getLogger(__name__)


def _run_or_fail(session: Session, job: Job):
    run = runs.of_job(session, job.id)
    if run is None:
        raise DomainError(_("The import of this job no longer exists."))
    return run


def _record_end(work, session: Session, job: Job, progress: Progress) -> Result:
    run = _run_or_fail(session, job)
    run_id = run.id
    try:
        return work(session, run, progress)
    except FileRefused as error:
        session.rollback()
        with Session(db.engine) as own, unit_of_work(own):
            runs.refused(own, run_id, error)
        raise
    except TRANSIENT_ERRORS:
        raise  # tried again later; the run stays as it is
    except records.TakenBack:
        raise
    except Exception:
        session.rollback()
        with Session(db.engine) as own, unit_of_work(own):
            runs.failed(own, run_id, str(records.UNEXPECTED))
        raise


def _apply(session: Session, run, progress: Progress) -> Result:
    plan = runs.apply_run(session, run, progress=progress.report)
    return Result(count=plan.lines, message=runs.summary(plan))


def _plan(session: Session, run, progress: Progress) -> Result:
    progress.report(0, 1)
    plan = runs.plan_in_job(session, run)
    progress.report(1, 1)
    return Result(
        count=plan.lines,
        message=_("Dry run done: the import's page shows what the file would change."),
    )


@job_kind(runs.IMPORT, runs.IMPORT_TITLE)
def apply_import(session: Session, job: Job, progress: Progress) -> Result:
    return _record_end(_apply, session, job, progress)


@job_kind(runs.IMPORT_PLAN, runs.IMPORT_PLAN_TITLE)
def plan_import(session: Session, job: Job, progress: Progress) -> Result:
    return _record_end(_plan, session, job, progress)
