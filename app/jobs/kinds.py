"""The jobs the portal runs. Each is a work function registered with ``job_kind``:
it writes through the session it is given (the job's unit of work) and returns what
the job leaves (summary, file)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.jobs.runner import Progress, Result, job_kind
from app.services.common import formats
from app.services.payments import export as payment_export
from models import Job

PAYMENT_EXPORT = "payment_export"


@job_kind(PAYMENT_EXPORT, _l("Export of the accepted expense claims"))
def export_payments(session: Session, job: Job, progress: Progress) -> Result:
    """Mise en paiement: the accepted claims go into a new batch, whose CSV file is
    the job's result; its summary gives the control total of each nature."""
    progress.report(0, payment_export.exportable_count(session, job.academy_id))
    batch = payment_export.export_payments(
        session, job.academy_id, by_user_id=job.started_by_id, progress=progress.report
    )
    totals = " ; ".join(
        _(
            "%(nature)s: %(rows)s line(s), %(total)s",
            nature=line["label"],
            rows=line["rows"],
            total=formats.euros(line["total"]),
        )
        for line in payment_export.control_totals(batch)
    )
    return Result(
        count=batch.claim_count,
        message=_(
            "Export no. %(number)s: %(count)s expense claim(s) sent for payment.",
            number=batch.number,
            count=batch.claim_count,
        )
        + " "
        + _("Control totals — %(totals)s.", totals=totals),
        file_name=batch.file_name,
        data=payment_export.batch_file(session, batch).encode("utf-8"),
    )
