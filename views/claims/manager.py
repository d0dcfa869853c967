"""The examinations division's screens on claims: "Traitement des états de frais"
(list with filters, detail with the manager's actions, bulk accept), "Service fait"
and "Mise en paiement". Thin: the rules are in ``app.services.claim_processing``."""

from __future__ import annotations

import datetime as dt
from functools import partial

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import String, cast, select

from app import transaction
from app.bounds import parse_id
from app.extensions import db
from app.services import DomainError, NotFound
from app.services.claims import academy as academy_claims
from app.services.claims import documents, lifecycle, processing
from app.services.claims import entry as claim_entry
from app.services.claims import page as claim_page
from app.services.claims import recap as claim_recap
from app.services.common import clock, formats, listing
from app.services.mails import messages as mails
from app.services.people import directory as people
from models import (
    Agent,
    Establishment,
    Exam,
    ExamSession,
    ExpenseClaim,
    Mission,
    MissionType,
)
from models.enums import ClaimPart, ClaimStatus, DocumentDossier, DocumentPiece, FeeEntryFamily

from ..base import back_to, manager_screen, pdf_response, render_list_page, run_action

# Statuses a manager filters on (the date-derived ones are not stored).
FILTER_STATUSES = [
    status
    for status in ClaimStatus
    if status not in (ClaimStatus.NOT_STARTED, ClaimStatus.IN_PROGRESS)
]


def _date(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _status(value):
    return ClaimStatus.__members__.get(value or "")


CLAIM_COLUMNS = (
    ("agent", _l("Contributor"), "text"),
    ("number", _l("File no."), "text"),
    ("exam", _l("Exam"), "text"),
    ("type", _l("Mission type"), "text"),
    ("mission", _l("Mission no."), "number"),
    ("day", _l("Mission start"), "date"),
    ("centre", _l("Exam centre"), "text"),
    ("fee", _l("Fee status"), "text"),
    ("travel", _l("Travel status"), "text"),
)


class ClaimProcessingView(BaseView):
    """Traitement des états de frais."""

    route_base = "/traitement-etats-de-frais"
    default_view = "index"
    list_id = "claims-processing"

    @expose("/")
    @has_access
    @manager_screen
    def index(self, academy_id):
        args = request.args
        filters = academy_claims.ClaimFilters(
            session_id=parse_id(args.get("session")),
            exam_id=parse_id(args.get("exam")),
            mission_type_id=parse_id(args.get("type")),
            centre_id=parse_id(args.get("centre")),
            agent_id=parse_id(args.get("agent")),
            fee_status=_status(args.get("fee")),
            travel_status=_status(args.get("travel")),
            date_from=_date(args.get("from")),
            date_to=_date(args.get("to")),
            waiting_for_manager=args.get("waiting") == "1",
        )
        columns = [listing.Column(key, label, kind) for key, label, kind in CLAIM_COLUMNS]
        columns.append(listing.Column("select", _l("Selection"), sortable=False))
        expressions = {
            "number": ExpenseClaim.number,
            # The name as shown (last, first), then the person: the index of the names
            # gives the order, a page reads a few agents' claims.
            "agent": (Agent.last_name, Agent.first_name, Agent.id),
            "first_name": Agent.first_name,
            "identifier": Agent.numen,
            "external_id": Agent.external_id,
            "exam": Exam.name,
            "type": MissionType.name,
            "mission": cast(Mission.number, String),
            "day": Mission.first_day,
            "centre": Establishment.name,
            "fee": ExpenseClaim.fee_status,
            "travel": ExpenseClaim.travel_status,
        }
        statement = academy_claims.filtered(
            academy_claims.academy_claims_statement(academy_id), filters
        )
        today = clock.today()

        def to_row(claim):
            mission = claim.assignment.mission
            agent = claim.assignment.agent
            fee, travel = lifecycle.shown_statuses(claim, today)
            box = Markup(
                '<input type="checkbox" name="claim_id" value="{}" form="bulk-form" '
                'aria-label="{}">'
            ).format(claim.id, _("Select the claim of %(name)s", name=agent.full_name))
            return listing.Row(
                {
                    "number": claim.number or "",
                    "agent": f"{agent.last_name} {agent.first_name}",
                    "exam": mission.session.exam.name,
                    "type": mission.mission_type.name,
                    "mission": mission.number,
                    "day": mission.first_day,
                    "centre": mission.centre.name if mission.centre else "",
                    "fee": claim_page.status_text(claim, ClaimPart.FEE, fee),
                    "travel": claim_page.status_text(claim, ClaimPart.TRAVEL, travel),
                    "select": box,
                },
                url=url_for("ClaimProcessingView.claim", claim_id=claim.id),
                css="struck" if lifecycle.cancelled(claim) else "",
            )

        params = listing.parse_args(args, columns, default_sort="day", default_direction="desc")
        page = listing.query_page(
            db.session,
            statement,
            columns,
            expressions,
            to_row,
            default_order=(Mission.first_day.desc(), ExpenseClaim.id.desc()),
            search=partial(academy_claims.keyword_condition, db.session),
            # Without keywords, counted from the summary the database keeps (exact).
            count=partial(academy_claims.summary_count, db.session, academy_id, filters),
            **params,
        )
        choices = {
            "sessions": db.session.scalars(
                select(ExamSession)
                .join(ExamSession.exam)
                .order_by(ExamSession.year.desc(), Exam.name)
            ).all(),
            "exams": db.session.scalars(select(Exam).order_by(Exam.name)).all(),
            "types": db.session.scalars(select(MissionType).order_by(MissionType.name)).all(),
            "centres": academy_claims.academy_centres(db.session, academy_id),
            "statuses": FILTER_STATUSES,
        }
        return render_list_page(
            self,
            "imagin/processing/list.html",
            page,
            self.list_id,
            list_title=_("Expense claims of the academy"),
            title=_("Expense claim processing"),
            filters=args,
            choices=choices,
            agent=people.academy_agent(db.session, academy_id, filters.agent_id),
        )

    @expose("/selection/accepter", methods=["POST"])
    @has_access
    @manager_screen
    def bulk_accept(self, academy_id):
        ids = [value for value in map(parse_id, request.form.getlist("claim_id")) if value]
        back = back_to("ClaimProcessingView.index")
        if not ids:
            flash(_("Select at least one expense claim."), "warning")
            return redirect(back)
        result = processing.bulk_accept(db.session, academy_id, ids, by_user_id=current_user.id)
        if result.accepted:
            flash(_("%(count)s expense claim(s) accepted.", count=len(result.accepted)), "success")
        if result.summary is not None:
            flash(str(result.summary), "danger")
        return redirect(back)

    # --- One claim ------------------------------------------------------------------

    def _claim(self, academy_id, claim_id):
        try:
            return academy_claims.academy_claim(db.session, academy_id, claim_id)
        except NotFound:
            abort(404)

    @expose("/<int:claim_id>")
    @has_access
    @manager_screen
    def claim(self, academy_id, claim_id):
        return self._claim_page(self._claim(academy_id, claim_id))

    def _claim_page(self, claim, *, fee_values=None, fee_errors=None, status=200):
        page = claim_page.manager_page(db.session, claim, clock.today())
        recap = claim_page.recap(claim)
        return self.render_template(
            "imagin/processing/claim.html",
            title=_("Expense claim processing"),
            claim=claim,
            mission=claim.assignment.mission,
            agent=claim.assignment.agent,
            assignment=claim.assignment,
            page=page,
            actions=page.actions,
            offered=page.offered,
            fee_status=page.fee_status,
            travel_status=page.travel_status,
            fee_lines=recap["fee_lines"],
            dossiers=recap["dossiers"],
            history=claim_page.history_rows(db.session, claim, claim.assignment.agent.full_name),
            # The fee's detail, entered on the agent's behalf.
            family=lifecycle.family_of(claim),
            F=FeeEntryFamily,
            values=fee_values if fee_values is not None else claim_page.fee_form_values(claim),
            errors=fee_errors or {},
            detail_open=fee_errors is not None,
            dates=claim_entry.mission_dates(claim),
            rows=claim_entry.half_day_rows(claim),
            fee_warnings=page.fee_warnings,
        ), status

    def _act(self, academy_id, claim_id, action, message):
        claim = self._claim(academy_id, claim_id)
        run_action(lambda: action(claim), message)
        return redirect(url_for("ClaimProcessingView.claim", claim_id=claim_id))

    @expose("/<int:claim_id>/accepter", methods=["POST"])
    @has_access
    @manager_screen
    def accept(self, academy_id, claim_id):
        return self._act(
            academy_id,
            claim_id,
            lambda c: processing.accept(db.session, c, by_user_id=current_user.id),
            _("The expense claim is accepted."),
        )

    @expose("/<int:claim_id>/annuler", methods=["POST"])
    @has_access
    @manager_screen
    def cancel(self, academy_id, claim_id):
        comment = request.form.get("comment", "")[: processing.MAX_MESSAGE]
        return self._act(
            academy_id,
            claim_id,
            lambda c: processing.cancel(db.session, c, by_user_id=current_user.id, comment=comment),
            _("The expense claim is cancelled."),
        )

    @expose("/<int:claim_id>/restaurer", methods=["POST"])
    @has_access
    @manager_screen
    def restore(self, academy_id, claim_id):
        return self._act(
            academy_id,
            claim_id,
            lambda c: processing.restore(db.session, c, by_user_id=current_user.id),
            _("The expense claim is restored."),
        )

    @expose("/<int:claim_id>/remuneration-detail", methods=["POST"])
    @has_access
    @manager_screen
    def enter_fee(self, academy_id, claim_id):
        claim = self._claim(academy_id, claim_id)
        try:
            amount = processing.enter_fee(
                db.session,
                claim,
                request.form,
                by_user_id=current_user.id,
                comment=request.form.get("comment", ""),
            )
        except claim_entry.EntryErrors as error:
            flash(str(transaction.refused(error)), "danger")
            claim = self._claim(academy_id, claim_id)
            return self._claim_page(
                claim, fee_values=request.form, fee_errors=error.errors, status=422
            )
        except DomainError as error:
            flash(str(transaction.refused(error)), "danger")
        else:
            flash(_("The fee is entered: %(amount)s.", amount=formats.euros(amount)), "success")
        return redirect(url_for("ClaimProcessingView.claim", claim_id=claim_id))

    @expose("/<int:claim_id>/renvoyer", methods=["POST"])
    @has_access
    @manager_screen
    def send_back(self, academy_id, claim_id):
        message = request.form.get("message", "")

        def action(claim):
            processing.send_back(db.session, claim, message, by_user_id=current_user.id)
            notice = mails.queue_send_back(db.session, claim).notice()
            if notice:
                flash(notice, "warning")

        return self._act(
            academy_id,
            claim_id,
            action,
            _("The expense claim is sent back to the contributor with your message."),
        )

    @expose("/<int:claim_id>/remuneration", methods=["POST"])
    @has_access
    @manager_screen
    def process_fee(self, academy_id, claim_id):
        def action(claim):
            processing.process_fee_from(db.session, claim, request.form, by_user_id=current_user.id)

        return self._act(academy_id, claim_id, action, _("The fee is processed."))

    @expose("/<int:claim_id>/tarif/<int:leg_id>", methods=["POST"])
    @has_access
    @manager_screen
    def set_fare(self, academy_id, claim_id, leg_id):
        def action(claim):
            try:
                processing.set_fare_from(
                    db.session, claim, leg_id, request.form, by_user_id=current_user.id
                )
            except NotFound:
                abort(404)

        return self._act(academy_id, claim_id, action, _("The SNCF fare is saved."))

    @expose("/<int:claim_id>/documents", methods=["POST"])
    @has_access
    @manager_screen
    def deposit(self, academy_id, claim_id):
        file = request.files.get("file")
        dossier = DocumentDossier.__members__.get(request.form.get("dossier", ""))
        piece = DocumentPiece.__members__.get(request.form.get("piece", ""))
        claim = self._claim(academy_id, claim_id)
        if file is None or not file.filename or dossier is None or piece is None:
            flash(_("Select a file to send."), "danger")
            return redirect(url_for("ClaimProcessingView.claim", claim_id=claim_id))
        upload = documents.Upload(dossier, piece, file.filename, file.stream)
        run_action(
            lambda: processing.deposit(
                db.session,
                claim,
                upload,
                storage=current_app.config["UPLOAD_FOLDER"],
                by_user_id=current_user.id,
            ),
            _("The document « %(name)s » is sent.", name=file.filename),
        )
        return redirect(url_for("ClaimProcessingView.claim", claim_id=claim_id))

    @expose("/<int:claim_id>/recapitulatif.pdf")
    @has_access
    @manager_screen
    def recap_pdf(self, academy_id, claim_id):
        """The claim's recap PDF, the same stored file the agent downloads."""
        claim = self._claim(academy_id, claim_id)
        try:
            content = claim_recap.recap_pdf(db.session, claim)
        except DomainError as error:
            flash(str(transaction.refused(error)), "warning")
            return redirect(url_for("ClaimProcessingView.claim", claim_id=claim_id))
        return pdf_response(content, claim_recap.file_name(claim))

    @expose("/<int:claim_id>/documents/<int:document_id>")
    @has_access
    @manager_screen
    def document(self, academy_id, claim_id, document_id):
        claim = self._claim(academy_id, claim_id)
        try:
            document = documents.get_document(claim, document_id)
            path = documents.stored_file(document, current_app.config["UPLOAD_FOLDER"])
        except NotFound:
            abort(404)
        response = send_file(
            path,
            mimetype=document.content_type,
            as_attachment=True,
            download_name=document.display_name,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
