"""« Imports »: the manager uploads a file of the ministry (CYCLADES, EPP / SIRHEN,
STS-WEB, SANTORIN), sees its dry run, and applies it as a job; the history of the
académie's imports. Thin: the rules are in ``app.services.interfaces.imports``."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import Session

from app import transaction, web
from app.extensions import db
from app.services import DomainError, NotFound
from app.services.interfaces.imports import runs
from app.services.interfaces.imports.base import MAX_BYTES, FileRefused, Source
from app.transaction import unit_of_work

from .base import manager_screen

# The form's other fields and the multipart envelope around the file.
ENVELOPE = 64 * 1024
TOO_LARGE = _l(
    "The file sent is too large: an import takes a file of %(limit)s MB at most.",
    limit=MAX_BYTES // (1024 * 1024),
)
web.LARGE_UPLOADS["ImportView.upload"] = (MAX_BYTES + ENVELOPE, TOO_LARGE)


def _run_or_404(academy_id: int, run_id: int):
    try:
        return runs.academy_run(db.session, academy_id, run_id)
    except NotFound:
        abort(404)


class ImportView(BaseView):
    """The manager's « Imports »."""

    route_base = "/imports"
    default_view = "index"

    @expose("/")
    @has_access
    @manager_screen
    def index(self, academy_id):
        return self._page(academy_id)

    def _page(self, academy_id, *, kind=None, message=None, status=200):
        return self.render_template(
            "imagin/imports/index.html",
            title=_("Imports"),
            importers=runs.kinds(),
            titles={importer.kind: importer.title for importer in runs.kinds()},
            groups=runs.group_titles(),
            chosen=kind,
            message=message,
            runs=runs.history(db.session, academy_id),
            limit=MAX_BYTES // (1024 * 1024),
        ), status

    @expose("/simuler", methods=["POST"])
    @has_access
    @manager_screen
    def upload(self, academy_id):
        kind = request.form.get("kind", "")
        upload = request.files.get("file")
        data = upload.read(MAX_BYTES + 1) if upload and upload.filename else b""
        source = Source((upload.filename or "") if upload else "", data)
        try:
            if source.data and runs.needs_job(source):
                run = runs.start_planning(
                    db.session, academy_id, kind, source, by_user_id=current_user.id
                )
                flash(_("The file is large: its dry run is a job, this page follows it."), "info")
            else:
                run = runs.dry_run(db.session, academy_id, kind, source, by_user_id=current_user.id)
        except FileRefused as error:
            message = str(transaction.refused(error))
            if source.data and kind in runs.IMPORTERS:
                # Recorded in a unit of its own: the request's is rolled back.
                with Session(db.engine) as own, unit_of_work(own):
                    runs.record_refusal(
                        own, academy_id, kind, source, message, by_user_id=current_user.id
                    )
            return self._page(academy_id, kind=kind, message=message, status=422)
        except DomainError as error:
            message = str(transaction.refused(error))
            return self._page(academy_id, kind=kind, message=message, status=422)
        return redirect(url_for("ImportView.show", run_id=run.id))

    @expose("/<int:run_id>")
    @has_access
    @manager_screen
    def show(self, academy_id, run_id):
        run = _run_or_404(academy_id, run_id)
        importer = runs.IMPORTERS.get(run.kind)
        return self.render_template(
            "imagin/imports/run.html",
            title=_("Import no. %(number)s", number=run.id),
            run=run,
            kind_title=importer.title if importer else run.kind,
            plan=run.plan or {},
            groups=runs.group_titles(),
            applied=runs.is_applied(run),
            applicable=runs.may_apply(run),
            planning=runs.is_planning(run),
        )

    @expose("/<int:run_id>/appliquer", methods=["POST"])
    @has_access
    @manager_screen
    def apply(self, academy_id, run_id):
        run = _run_or_404(academy_id, run_id)
        try:
            job = runs.start_applying(
                db.session,
                run,
                skip_refused=request.form.get("skip_refused") == "1",
                by_user_id=current_user.id,
            )
        except DomainError as error:
            flash(str(transaction.refused(error)), "danger")
            return redirect(url_for("ImportView.show", run_id=run_id))
        flash(_("The import is queued: this page follows it."), "success")
        return redirect(url_for("JobView.show", job_id=job.id))
