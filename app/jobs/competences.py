"""The job that generates the SYS competences of the agents a teachings import touched
(``app.services.competences.regeneration``)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.jobs.runner import Progress, Result, job_kind
from app.services.competences import regeneration
from models import Job


@job_kind(regeneration.KIND, regeneration.TITLE)
def generate_competences(session: Session, job: Job, progress: Progress) -> Result:
    outcome = regeneration.run(session, job, progress.report)
    return Result(
        count=outcome.agents,
        message=_(
            "Competences of %(agents)s contributor(s) generated from their teachings:"
            " %(created)s created, %(endorsed)s confirmed by SYS.",
            agents=outcome.agents,
            created=outcome.created,
            endorsed=outcome.endorsed,
        ),
    )
