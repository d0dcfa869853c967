"""The job that writes every answer of the Enquête DCS as a CSV file
(``app.services.dcs.answers``)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.jobs.runner import Progress, Result, job_kind
from app.services.common import clock
from app.services.dcs import answers
from models import Job


@job_kind(answers.JOB_KIND, answers.JOB_TITLE)
def export_dcs_answers(session: Session, job: Job, progress: Progress) -> Result:
    total = answers.count(session, job.academy_id)
    data = answers.csv_file(session, job.academy_id, progress.report)
    return Result(
        count=total,
        message=_("Answers of %(count)s DCS teacher(s) exported.", count=total),
        file_name=f"enquete-dcs-{clock.today():%Y%m%d}.csv",
        data=data,
    )
