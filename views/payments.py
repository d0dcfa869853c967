"""The examinations division's screens on the payment chain: "Service fait" (the missions
whose service is to record, and recording it) and "Mise en paiement" (the export of the
accepted claims into a payment batch, the batches' CSV files). Thin: the rules are in
``app.services.payments``."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app import transaction
from app.bounds import MAX_PAGE, parse_id, parse_int
from app.extensions import db
from app.jobs import kinds
from app.jobs import queue as jobs
from app.services import DomainError, NotFound
from app.services.common import clock, listing
from app.services.missions import convocation
from app.services.payments import export as payment_export
from app.services.payments import returns as payment_returns
from app.services.payments import service_done
from models import Assignment, Mission

from .base import manager_screen, render_list_page, run_action
from .missions import academy_mission_or_404, mission_cells, mission_list_page

SERVICE_DONE_COLUMNS = (
    listing.Column("mission", _l("Mission no."), listing.NUMBER),
    listing.Column("exam", _l("Exam")),
    listing.Column("type", _l("Mission type")),
    listing.Column("day", _l("Mission date"), listing.DATE),
    listing.Column("centre", _l("Exam centre")),
    listing.Column("done", _l("Service done"), sortable=False),
)


def service_done_page(statement, endpoint: str) -> listing.ListPage:
    """A page of the missions of ``statement`` with how far their service done is
    recorded; a row opens ``endpoint`` (the managers' or the head's mission page)."""

    def to_row(mission):
        return listing.Row(
            mission_cells(mission) | {"done": service_done.progress(mission)},
            url=url_for(endpoint, mission_id=mission.id),
        )

    return mission_list_page(statement, list(SERVICE_DONE_COLUMNS), to_row)


class ServiceDoneView(BaseView):
    """Service fait: per assignment, or for a whole mission."""

    route_base = "/service-fait"
    default_view = "index"
    list_id = "service-done"

    @expose("/")
    @has_access
    @manager_screen
    def index(self, academy_id):
        statement = (
            convocation.academy_missions(academy_id)
            .where(Mission.last_day <= clock.today(), Mission.assignments.any())
            .options(selectinload(Mission.assignments).joinedload(Assignment.claim))
        )
        return render_list_page(
            self,
            "imagin/service_done/list.html",
            service_done_page(statement, "ServiceDoneView.mission"),
            self.list_id,
            list_title=_("Ended missions"),
            title=_("Service done"),
        )

    @expose("/<int:mission_id>")
    @has_access
    @manager_screen
    def mission(self, academy_id, mission_id):
        mission = academy_mission_or_404(academy_id, mission_id)
        return self.render_template(
            "imagin/service_done/mission.html",
            title=_("Service done"),
            done=service_done.mission_done(mission, clock.today(), undo=True),
            record_url=url_for("ServiceDoneView.record", mission_id=mission.id),
            back_url=url_for("ServiceDoneView.index"),
            claim_endpoint="ClaimProcessingView.claim",
        )

    @expose("/<int:mission_id>/enregistrer", methods=["POST"])
    @has_access
    @manager_screen
    def record(self, academy_id, mission_id):
        mission = academy_mission_or_404(academy_id, mission_id)
        if request.form.get("all") == "1":
            chosen = list(mission.assignments)
        else:
            ids = {value for value in map(parse_id, request.form.getlist("assignment_id")) if value}
            chosen = [a for a in mission.assignments if a.id in ids]
            if not chosen:
                flash(_("Select at least one contributor."), "warning")
                return redirect(url_for("ServiceDoneView.mission", mission_id=mission_id))
        try:
            count = service_done.record_service_done(
                db.session, chosen, by_user_id=current_user.id, today=clock.today()
            )
        except DomainError as error:
            flash(str(transaction.refused(error)), "danger")
        else:
            flash(_("Service done recorded for %(count)s contributor(s).", count=count), "success")
        return redirect(url_for("ServiceDoneView.mission", mission_id=mission_id))

    @expose("/<int:mission_id>/annuler/<int:assignment_id>", methods=["POST"])
    @has_access
    @manager_screen
    def undo(self, academy_id, mission_id, assignment_id):
        mission = academy_mission_or_404(academy_id, mission_id)
        assignment = next((a for a in mission.assignments if a.id == assignment_id), None)
        if assignment is None:
            abort(404)
        run_action(
            lambda: service_done.undo_service_done(db.session, assignment),
            _("The service done is withdrawn."),
        )
        return redirect(url_for("ServiceDoneView.mission", mission_id=mission_id))


class PaymentExportView(BaseView):
    """Mise en paiement: export the accepted claims to the finance system."""

    route_base = "/mise-en-paiement"
    default_view = "index"

    @expose("/")
    @has_access
    @manager_screen
    def index(self, academy_id):
        return self._page(academy_id)

    def _page(self, academy_id, *, return_errors=None, return_message=None, status=200):
        listed = payment_export.batch_page(
            db.session,
            academy_id,
            parse_int(request.args.get("page"), 1, minimum=1, maximum=MAX_PAGE),
        )
        return self.render_template(
            "imagin/payment/index.html",
            title=_("Payment export"),
            ready=payment_export.exportable_count(db.session, academy_id),
            batches=[(batch, payment_export.control_totals(batch)) for batch in listed.batches],
            batch_page=listed,
            columns=payment_export.CSV_COLUMNS,
            return_columns=payment_returns.COLUMNS,
            return_errors=return_errors or [],
            return_message=return_message,
            listed=payment_returns.MAX_LISTED,
        ), status

    @expose("/retour", methods=["POST"])
    @has_access
    @manager_screen
    def import_return(self, academy_id):
        upload = request.files.get("return_file")
        data = upload.read(payment_returns.MAX_BYTES + 1) if upload and upload.filename else b""
        if not data:
            message = _("Choose the return file of the finance office (CSV).")
            return self._page(academy_id, return_message=message, status=422)
        if payment_returns.needs_job(data):
            job = kinds.start_return_import(
                db.session, academy_id, data, by_user_id=current_user.id
            )
            flash(_("The return file is queued: this page follows its import."), "success")
            return redirect(url_for("JobView.show", job_id=job.id))
        try:
            result = payment_returns.import_return(
                db.session, academy_id, data, by_user_id=current_user.id
            )
        except payment_returns.ReturnFileRefused as error:
            transaction.refused(error)
            return self._page(
                academy_id,
                return_errors=[str(line) for line in error.errors],
                return_message=str(error.message),
                status=422,
            )
        except DomainError as error:
            return self._page(
                academy_id, return_message=str(transaction.refused(error)), status=422
            )
        flash(str(result.message), "success")
        return redirect(url_for("PaymentExportView.index"))

    @expose("/exporter", methods=["POST"])
    @has_access
    @manager_screen
    def export(self, academy_id):
        if not payment_export.exportable_count(db.session, academy_id):
            flash(_("There is no accepted expense claim to export."), "warning")
            return redirect(url_for("PaymentExportView.index"))
        job = jobs.start(
            db.session, academy_id, kinds.PAYMENT_EXPORT, started_by_id=current_user.id
        )
        flash(_("The export is queued: this page follows it."), "success")
        return redirect(url_for("JobView.show", job_id=job.id))

    @expose("/lots/<int:batch_id>.csv")
    @has_access
    @manager_screen
    def download(self, academy_id, batch_id):
        try:
            batch = payment_export.academy_batch(db.session, academy_id, batch_id)
        except NotFound:
            abort(404)
        response = Response(payment_export.batch_file(db.session, batch), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{batch.file_name}"'
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
