"""Traitements en cours: the académie's background jobs, a job's page with its
progress bar (polled as JSON by jobs.js) and its result file. Thin: the rules are in
``app.services.jobs``."""

from __future__ import annotations

from flask import Response, abort, jsonify, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast

from app.extensions import db
from app.services import NotFound
from app.services.common import formats, listing
from app.services.jobs import records
from models import Job
from models.enums import JobState

from .base import manager_screen, render_list_page

EXPRESSIONS = {
    "number": cast(Job.id, String),
    "created": Job.created_at,
    "finished": Job.finished_at,
}


def job_title(job: Job) -> str:
    return _(job.title)


def _job_or_404(academy_id: int, job_id: int) -> Job:
    try:
        return records.academy_job(db.session, academy_id, job_id)
    except NotFound:
        abort(404)


class JobView(BaseView):
    """The manager's "Traitements en cours"."""

    route_base = "/traitements"
    default_view = "index"
    list_id = "jobs"

    @expose("/")
    @has_access
    @manager_screen
    def index(self, academy_id):
        columns = [
            listing.Column("number", _l("Job no."), listing.NUMBER),
            listing.Column("title", _l("Job"), sortable=False),
            listing.Column("state", _l("State"), sortable=False),
            listing.Column("progress", _l("Progress"), sortable=False),
            listing.Column("created", _l("Started on"), listing.DATE),
            listing.Column("finished", _l("Finished on"), listing.DATE),
        ]
        params = listing.parse_args(
            request.args, columns, default_sort="created", default_direction="desc"
        )

        def to_row(job: Job):
            percent = records.percent_of(job)
            return listing.Row(
                {
                    "number": job.id,
                    "title": job_title(job),
                    "state": job.state.label,
                    "progress": "" if percent is None else f"{percent} %",
                    "created": formats.moment(job.created_at),
                    "finished": formats.moment(job.finished_at),
                },
                url=url_for("JobView.show", job_id=job.id),
                css="table-danger" if job.state is JobState.FAILED else "",
            )

        page = listing.query_page(
            db.session,
            records.academy_jobs(academy_id),
            columns,
            EXPRESSIONS,
            to_row,
            default_order=(Job.created_at.desc(), Job.id.desc()),
            **params,
        )
        return render_list_page(
            self,
            "imagin/jobs/list.html",
            page,
            self.list_id,
            list_title=_("Jobs of the academy"),
            title=_("Jobs in progress"),
        )

    @expose("/<int:job_id>")
    @has_access
    @manager_screen
    def show(self, academy_id, job_id):
        job = _job_or_404(academy_id, job_id)
        return self.render_template(
            "imagin/jobs/job.html",
            title=_("Job no. %(number)s", number=job.id),
            job=job,
            job_title=job_title(job),
            status=records.status(job),
        )

    @expose("/<int:job_id>/etat.json")
    @has_access
    @manager_screen
    def state(self, academy_id, job_id):
        job = _job_or_404(academy_id, job_id)
        response = jsonify(records.status(job))
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/<int:job_id>/resultat")
    @has_access
    @manager_screen
    def download(self, academy_id, job_id):
        try:
            result = records.result_file(db.session, academy_id, job_id)
        except NotFound:
            abort(404)
        response = Response(result.data, mimetype=result.mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{result.name}"'
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
