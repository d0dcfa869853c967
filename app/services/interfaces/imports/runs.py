"""The record of each import (``ImportRun``): a file's dry run, its application as a
job, the history of an académie's imports.

A manager uploads a file: ``dry_run`` records it with its plan (figures, first lines of
each group, refused lines, notes, as JSON) and keeps its bytes; a file larger than
``PLAN_IN_JOB_BYTES`` is planned by a job instead (``start_planning``). « Appliquer »
(``start_applying``) puts a job on the queue that plans the kept file again and applies
it (the screen is not trusted); the job records the result (``applied``, ``refused``,
``failed``). Nothing here commits.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from app.services import DomainError
from app.services.common import scope
from app.services.jobs import dispatch
from models import ImportRun, Job
from models.base import utcnow
from models.enums import ImportState

from .base import IMPORTERS, FileRefused, LinesRefused, Plan, Source, check_size, csv_rows

# Above this size the dry run is a job too (a large staff or teachings file takes
# seconds to compare): the page follows it and shows the plan when it is done.
PLAN_IN_JOB_BYTES = 2 * 1024 * 1024
GROUPS = ("new", "changed", "unchanged", "missing")

IMPORT = "import"
IMPORT_TITLE = _l("Import of a file")
IMPORT_PLAN = "import_plan"
IMPORT_PLAN_TITLE = _l("Dry run of an import")

SKIP_NOT_CHOSEN = _l(
    "The file has refused lines: tick « Import without the refused lines » to import the"
    " others, or correct the file and import it again."
)
UNKNOWN_KIND = _l("Choose the kind of file to import.")
NO_FILE = _l("Choose the file to import.")
NOT_APPLICABLE = _l("This import cannot be applied (state: %(state)s).")
WRONG_EXTENSION = _l("The file « %(name)s » is not a %(extensions)s file.")


def group_titles() -> dict:
    """The dry run's groups, as the screen names them."""
    return {
        "new": _l("New"),
        "changed": _l("Changed"),
        "unchanged": _l("Unchanged"),
        "missing": _l("No longer present"),
    }


def importer(kind: str):
    found = IMPORTERS.get(kind)
    if found is None:
        raise DomainError(UNKNOWN_KIND)
    return found


def kinds() -> list:
    """The importers the screen offers, in a stable order."""
    order = ("exams", "staff", "teachings", "corrections", "communes")
    return sorted(
        IMPORTERS.values(), key=lambda i: (order.index(i.kind) if i.kind in order else 9, i.kind)
    )


def plan_record(plan: Plan) -> dict:
    """The dry run as stored on the run (JSON): texts as shown now (French)."""
    return {
        "groups": {
            name: {
                "count": getattr(plan, name).count,
                "first": [
                    [preview.key, str(preview.label), str(preview.detail)]
                    for preview in getattr(plan, name).first
                ],
            }
            for name in GROUPS
        },
        "refusals": [
            [refusal.line, refusal.column, refusal.value, str(refusal.reason)]
            for refusal in plan.refusals
        ],
        "refused": plan.refused_count,
        "lines": plan.lines,
        "notes": [str(note) for note in plan.notes],
    }


def record(
    session: Session, academy_id: int, kind: str, source: Source, by_user_id: int | None
) -> ImportRun:
    run = ImportRun(
        academy_id=academy_id,
        kind=kind,
        file_name=source.name[:200],
        sha256=source.sha256,
        size=len(source.data),
        started_by_id=by_user_id,
        created_at=utcnow(),
        state=ImportState.PLANNED,
    )
    session.add(run)
    return run


def check_file(kind: str, source: Source) -> None:
    """The kind is known, a file was given, of the right extension and size."""
    found = importer(kind)
    if not source.name or not source.data:
        raise FileRefused(NO_FILE)
    if not source.name.lower().endswith(found.extensions):
        raise FileRefused(
            _l(
                WRONG_EXTENSION._args[0],
                name=source.name,
                extensions=", ".join(found.extensions),
            )
        )
    check_size(source)


def dry_run(
    session: Session, academy_id: int, kind: str, source: Source, *, by_user_id: int | None
) -> ImportRun:
    """Plan the file now and record it (state « dry run shown »), its bytes kept for
    « Appliquer ». A file that cannot be read raises ``FileRefused`` (see
    ``record_refusal``)."""
    check_file(kind, source)
    plan = importer(kind).plan(session, academy_id, source)
    run = record(session, academy_id, kind, source, by_user_id)
    _set_plan(run, plan)
    run.data = source.data
    session.flush()
    return run


def _set_plan(run: ImportRun, plan: Plan) -> None:
    run.counts = plan.counts()
    run.plan = plan_record(plan)
    run.state = ImportState.PLANNED


def start_planning(
    session: Session, academy_id: int, kind: str, source: Source, *, by_user_id: int | None
) -> ImportRun:
    """A large file: recorded (« dry run in progress ») and planned by a job. A CSV
    file is read up to its first line now: a wrong encoding, separator or column is
    refused at once."""
    check_file(kind, source)
    found = importer(kind)
    if found.columns:
        next(csv_rows(source, found.columns, found.optional), None)
    run = record(session, academy_id, kind, source, by_user_id)
    run.state = ImportState.PLANNING
    run.data = source.data
    session.flush()
    run.job_id = _start_job(session, academy_id, IMPORT_PLAN, IMPORT_PLAN_TITLE, by_user_id).id
    return run


def needs_job(source: Source) -> bool:
    return len(source.data) > PLAN_IN_JOB_BYTES


def record_refusal(
    session: Session,
    academy_id: int,
    kind: str,
    source: Source,
    message: str,
    *,
    by_user_id: int | None,
) -> ImportRun:
    """A file refused at its dry run is recorded too (who, when, which file, why),
    without its bytes."""
    run = record(session, academy_id, kind, source, by_user_id)
    run.state = ImportState.REFUSED
    run.message = message
    session.flush()
    return run


def _start_job(session: Session, academy_id: int, kind: str, title, by_user_id) -> Job:
    return dispatch.start(
        session,
        academy_id=academy_id,
        kind=kind,
        title=title._args[0],
        started_by_id=by_user_id,
    )


def may_apply(run: ImportRun) -> bool:
    """Whether « Appliquer » is offered: the dry run is shown and nothing applied it."""
    return run.state is ImportState.PLANNED


def is_applied(run: ImportRun) -> bool:
    return run.state is ImportState.APPLIED


def is_planning(run: ImportRun) -> bool:
    """Whether the dry run is still a job (the page follows it)."""
    return run.state is ImportState.PLANNING


def start_applying(
    session: Session, run: ImportRun, *, skip_refused: bool, by_user_id: int | None
) -> Job:
    """« Appliquer »: the job that applies the kept file (once: a run being applied or
    applied cannot be applied again)."""
    locked = session.scalar(select(ImportRun).where(ImportRun.id == run.id).with_for_update())
    if not may_apply(locked):
        raise DomainError(_l(NOT_APPLICABLE._args[0], state=locked.state.label))
    refusals = bool((locked.counts or {}).get("refused"))
    if refusals and not skip_refused:
        raise DomainError(SKIP_NOT_CHOSEN)
    locked.state = ImportState.APPLYING
    locked.skip_refused = refusals
    job = _start_job(session, locked.academy_id, IMPORT, IMPORT_TITLE, by_user_id)
    locked.job_id = job.id
    session.flush()
    return job


# --- What the jobs (and the command) do -------------------------------------------------------


def of_job(session: Session, job_id: int) -> ImportRun | None:
    return session.scalar(
        select(ImportRun).where(ImportRun.job_id == job_id).options(undefer(ImportRun.data))
    )


def source_of(run: ImportRun) -> Source:
    return Source(run.file_name, run.data or b"")


def plan_in_job(session: Session, run: ImportRun) -> Plan:
    """The job of a large file's dry run."""
    plan = importer(run.kind).plan(session, run.academy_id, source_of(run))
    _set_plan(run, plan)
    return plan


def apply_run(session: Session, run: ImportRun, progress=None) -> Plan:
    """Plan the kept file again and apply it; the run records the result."""
    done = importer(run.kind).apply(
        session,
        run.academy_id,
        source_of(run),
        skip_refused=run.skip_refused,
        progress=progress,
        started_by_id=run.started_by_id,
    )
    applied(run, done)
    return done


def applied(run: ImportRun, plan: Plan) -> None:
    run.state = ImportState.APPLIED
    run.applied_at = utcnow()
    run.counts = plan.counts()
    run.plan = plan_record(plan)
    run.data = None
    run.message = summary(plan)


def refused(session: Session, run_id: int, error: FileRefused) -> None:
    """The job's file was refused (after the job's writes were rolled back)."""
    run = session.get(ImportRun, run_id)
    run.state = ImportState.REFUSED
    run.message = str(error.message)
    if isinstance(error, LinesRefused):
        run.counts = error.plan.counts()
        run.plan = plan_record(error.plan)
    run.data = None


def failed(session: Session, run_id: int, message: str) -> None:
    run = session.get(ImportRun, run_id)
    run.state = ImportState.FAILED
    run.message = message


def summary(plan: Plan) -> str:
    counts = plan.counts()
    text = _(
        "%(lines)s line(s) read: %(new)s new, %(changed)s changed, %(unchanged)s unchanged,"
        " %(missing)s no longer present.",
        **counts,
    )
    if counts["refused"]:
        text += " " + _("%(refused)s refused line(s) left out.", refused=counts["refused"])
    return text


# --- Reading ----------------------------------------------------------------------------------


def academy_runs(academy_id: int, limit: int = 50):
    """The académie's imports, newest first."""
    return (
        select(ImportRun)
        .where(scope.academy_criterion(ImportRun, academy_id))
        .order_by(ImportRun.created_at.desc(), ImportRun.id.desc())
        .limit(limit)
    )


def history(session: Session, academy_id: int, limit: int = 50) -> list[ImportRun]:
    return list(session.scalars(academy_runs(academy_id, limit)))


def academy_run(session: Session, academy_id: int, run_id: int) -> ImportRun:
    """The run if it is the académie's, else ``NotFound``."""
    return scope.in_academy(session, ImportRun, academy_id, run_id)
