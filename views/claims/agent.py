"""Saisie état de frais mission: the conditions of use, the list of the agent's
claims, and the claim's tabs (Suivi, Frais rémunération, Frais déplacement,
Récapitulatif) with the documents and the PDF recap.

Thin: every rule (who sees what, which status allows what, amounts, documents) is in
``app.services``; a domain error becomes a message in the console.
"""

from __future__ import annotations

import functools

from flask import abort, current_app, flash, make_response, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import current, transaction
from app.bounds import parse_int
from app.extensions import db
from app.services import DomainError, NotFound
from app.services.claims import documents, lifecycle, recap, workflow
from app.services.claims import entry as claim_entry
from app.services.claims import legend as claim_legend
from app.services.claims import page as claim_page
from app.services.claims import summary as claim_summary
from app.services.common import clock, listing
from app.services.mails import messages as mails
from app.services.portal import messages
from models.enums import (
    DocumentDossier,
    DocumentPiece,
    FeeEntryFamily,
    Service,
    TransportMode,
)

from ..base import agent_screen, pdf_response, render_list_page

LIST_COLUMNS = (
    listing.Column("exam", _l("Exam")),
    listing.Column("type", _l("Mission type")),
    listing.Column("number", _l("Mission no."), listing.NUMBER),
    listing.Column("start", _l("Mission start"), listing.DATE),
    listing.Column("centre", _l("Exam centre")),
    listing.Column("fee_status", _l("Fee status")),
    listing.Column("travel_status", _l("Travel status")),
)
CLAIM_SERVICES = (Service.TEACHER, Service.EXTERNAL)


def _service() -> Service:
    for service in current.services():
        if service in CLAIM_SERVICES:
            return service
    return Service.TEACHER


def claim_screen(view_function):
    """Resolve the signed-in agent (and their claim, for ``claim_id`` routes), after
    the conditions of use; another agent's claim is a 404, like a missing one."""

    @agent_screen
    @functools.wraps(view_function)
    def wrapper(self, agent, *args, **kwargs):
        if messages.pending_conditions(db.session, current_user.id, _service()) is not None:
            if request.method == "POST":
                abort(403)
            return redirect(url_for("ClaimEntryView.index"))
        if "claim_id" in kwargs:
            try:
                kwargs["claim"] = workflow.agent_claim(db.session, agent.id, kwargs.pop("claim_id"))
            except NotFound:
                abort(404)
        return view_function(self, agent, *args, **kwargs)

    return wrapper


def _tab_url(claim, tab: str) -> str:
    return url_for("ClaimEntryView.tab", claim_id=claim.id, tab=tab)


def _leg_values(leg) -> dict[str, str]:
    if leg is None:
        return {}

    def text(value):
        if value is None:
            return ""
        if hasattr(value, "isoformat"):  # what <input type="date"> and "time" expect
            return value.isoformat() if hasattr(value, "year") else value.isoformat("minutes")
        return str(value)

    values = {
        name: text(getattr(leg, name))
        for name in (
            "departure_town",
            "departure_postcode",
            "departure_date",
            "departure_time",
            "arrival_town",
            "arrival_postcode",
            "return_date",
            "return_time",
            "trips",
            "misc_comment",
            *claim_entry.LEG_COUNTS,
        )
    }
    values["transport_mode"] = leg.transport_mode.name if leg.transport_mode else ""
    values["km_one_way"] = claim_summary.decimal_text(leg.km_one_way) if leg.km_one_way else ""
    values["misc_amount"] = str(leg.misc_amount).replace(".", ",") if leg.misc_amount else ""
    for name in claim_entry.LEG_COUNTS:
        if values[name] == "0":
            values[name] = ""
    return values


class ClaimEntryView(BaseView):
    """Saisie état de frais mission."""

    route_base = "/etats-de-frais"
    default_view = "index"

    # --- Conditions and list -----------------------------------------------------------

    @expose("/")
    @has_access
    @agent_screen
    def index(self, agent):
        pending = messages.pending_conditions(db.session, current_user.id, _service())
        if pending is not None:
            return self.render_template(
                "imagin/claims/conditions.html",
                title=_("Mission expense claim entry"),
                message=pending,
                body=messages.render(pending.body),
            )
        today = clock.today()
        rows = []
        for claim in workflow.agent_claims(db.session, agent.id, today):
            mission = claim.assignment.mission
            fee, travel = lifecycle.shown_statuses(claim, today)
            centre = mission.centre
            rows.append(
                listing.Row(
                    {
                        "exam": mission.session.exam.name,
                        "type": mission.mission_type.name,
                        "number": mission.number,
                        "start": mission.first_day,
                        "centre": f"{centre.name} {centre.town} ({centre.uai})" if centre else "",
                        "fee_status": fee.label,
                        "travel_status": travel.label,
                    },
                    url=None if lifecycle.cancelled(claim) else _tab_url(claim, "suivi"),
                    css="cancelled" if lifecycle.cancelled(claim) else "",
                )
            )
        args = listing.parse_args(
            request.args, LIST_COLUMNS, default_sort="start", default_direction="desc"
        )
        page = listing.build_page(LIST_COLUMNS, rows, **args)
        return render_list_page(
            self,
            "imagin/claims/list.html",
            page,
            "claims",
            list_title=_("List of the missions of the %(academy)s", academy=agent.academy.name),
            title=_("Mission expense claim entry"),
            other_academies=claim_page.other_academies(db.session, agent.academy_id),
            legend=claim_legend.status_legend(),
        )

    @expose("/conditions", methods=["POST"])
    @has_access
    def conditions(self):
        if current.agent() is None:
            abort(404)
        if request.form.get("accept") != "y":
            flash(_("Tick the box to accept the conditions of use."), "danger")
            return redirect(url_for("ClaimEntryView.index"))
        try:
            version = parse_int(request.form.get("version"), 0, minimum=0)
            messages.accept_conditions(db.session, current_user.id, _service(), version)
        except (ValueError, DomainError) as error:
            flash(str(transaction.refused(error, _("Please try again."))), "warning")
        else:
            flash(_("You accepted the conditions of use."), "success")
        return redirect(url_for("ClaimEntryView.index"))

    # --- The claim's tabs ----------------------------------------------------------------

    @expose("/<int:claim_id>/")
    @has_access
    @claim_screen
    def show(self, agent, claim):
        return redirect(_tab_url(claim, "suivi"))

    @expose("/<int:claim_id>/<tab>")
    @has_access
    @claim_screen
    def tab(self, agent, claim, tab):
        today = clock.today()
        if tab not in claim_page.TAB_KEYS:
            abort(404)
        tabs = claim_page.tabs(claim, today)
        if not tabs["suivi"]:  # cancelled by the manager
            flash(str(tabs["suivi"].reason), "warning")
            return redirect(url_for("ClaimEntryView.index"))
        if not tabs[tab]:
            flash(str(tabs[tab].reason), "warning")
            return redirect(_tab_url(claim, "suivi"))
        if tab == "suivi" and claim.manager_message and lifecycle.editable(claim, today):
            flash(
                _("Message from the manager: %(message)s", message=claim.manager_message), "warning"
            )
        values = claim_page.fee_form_values(claim) if tab == "remuneration" else {}
        return self._render(claim, tab, today, values=values)

    def _render(self, claim, tab, today, *, values=None, errors=None, status=200, **extra):
        # The amounts computed so far show on every tab, before validation too.
        page = claim_page.agent_page(db.session, claim, today, with_amounts=True)
        tabs = [key for key, _label in page.tab_list]
        index = tabs.index(tab)
        context = {
            "title": _("Mission expense claim entry"),
            "claim": claim,
            "mission": claim.assignment.mission,
            "agent": claim.assignment.agent,
            "page": page,
            "tab": tab,
            "tabs": page.tab_list,
            "previous_tab": tabs[index - 1] if index > 0 else None,
            "next_tab": tabs[index + 1] if index + 1 < len(tabs) else None,
            "fee_status": page.fee_status,
            "travel_status": page.travel_status,
            "actions": page.actions,
            "offered": page.offered,
            "family": lifecycle.family_of(claim),
            "F": FeeEntryFamily,
            "values": values or {},
            "errors": errors or {},
            "tab_url": lambda key: _tab_url(claim, key),
            "fee_warnings": page.fee_warnings,
            "missing_rates": page.missing_rates,
        }
        if tab == "suivi":
            context["history"] = claim_page.history_rows(db.session, claim)
        if tab == "remuneration":
            context["dates"] = claim_entry.mission_dates(claim)
            context["rows"] = max(
                claim_entry.half_day_rows(claim), 1 + max(_indexes(values or {}), default=-1)
            )
            context["automatic"] = [e for e in claim.fee_entries if e.from_correction_system]
        if tab == "recapitulatif":
            context.update(claim_page.recap(claim))
            # Just validated: the pop-up with the dossier number and the PDF recap.
            context["validated"] = request.args.get("valide") == "1" and claim.number
        context.update(extra)
        response = make_response(self.render_template("imagin/claims/claim.html", **context))
        response.status_code = status
        return response

    @expose("/<int:claim_id>/completer", methods=["POST"])
    @has_access
    @claim_screen
    def start(self, agent, claim):
        today = clock.today()
        try:
            workflow.start(db.session, claim, today=today)
        except DomainError as error:
            flash(str(transaction.refused(error)), "warning")
            return redirect(_tab_url(claim, "suivi"))
        tabs = claim_page.open_tabs(claim, today)
        return redirect(_tab_url(claim, tabs[1] if len(tabs) > 1 else "suivi"))

    @expose("/<int:claim_id>/non-effectuee", methods=["POST"])
    @has_access
    @claim_screen
    def not_done(self, agent, claim):
        if request.form.get("confirm") != "y":
            flash(_("Confirm that you did not carry out this mission."), "warning")
            return redirect(_tab_url(claim, "suivi"))
        try:
            workflow.declare_not_done(
                db.session, claim, by_user_id=current_user.id, today=clock.today()
            )
        except DomainError as error:
            flash(str(transaction.refused(error)), "warning")
        else:
            flash(_("The manager is told that you did not carry out this mission."), "success")
        return redirect(_tab_url(claim, "suivi"))

    @expose("/<int:claim_id>/remuneration", methods=["POST"])
    @has_access
    @claim_screen
    def save_fee(self, agent, claim):
        today = clock.today()
        try:
            claim_entry.save_fee(db.session, claim, request.form, today=today)
        except claim_entry.EntryErrors as error:
            flash(str(transaction.refused(error)), "danger")
            if request.form.get("go") in claim_page.TAB_KEYS:
                flash(_("Your entry is not saved: correct it before leaving this tab."), "danger")
            return self._render(
                claim, "remuneration", today, values=request.form, errors=error.errors, status=422
            )
        except DomainError as error:
            flash(str(transaction.refused(error)), "warning")
            return redirect(_tab_url(claim, "suivi"))
        for warning in claim_entry.fee_warnings(claim):
            flash(str(warning), "warning")
        go = request.form.get("go")
        if go in claim_page.TAB_KEYS:  # another tab clicked: what was typed is kept
            flash(_("Your entry is saved."), "success")
        return redirect(_tab_url(claim, claim_page.destination(claim, today, "remuneration", go)))

    # --- Travel lines ----------------------------------------------------------------------

    @expose("/<int:claim_id>/deplacement/ligne", methods=["GET", "POST"])
    @expose("/<int:claim_id>/deplacement/ligne/<int:leg_id>", methods=["GET", "POST"])
    @has_access
    @claim_screen
    def leg(self, agent, claim, leg_id=None):
        today = clock.today()
        try:
            leg = claim_entry.get_leg(claim, leg_id) if leg_id is not None else None
        except NotFound:
            abort(404)
        values, errors, status = _leg_values(leg), {}, 200
        if request.method == "POST":
            try:
                saved = claim_entry.save_leg(db.session, claim, leg_id, request.form, today=today)
            except claim_entry.EntryErrors as error:
                flash(str(transaction.refused(error)), "danger")
                values, errors, status = request.form, error.errors, 422
            except DomainError as error:
                flash(str(transaction.refused(error)), "warning")
                return redirect(_tab_url(claim, "deplacement"))
            else:
                if saved.transport_mode is TransportMode.CAR:
                    flash(_("You made %(count)s trip(s).", count=saved.trips), "info")
                flash(_("The trip is saved."), "success")
                return redirect(_tab_url(claim, "deplacement"))
        elif not (decision := workflow.can_enter_travel(claim, today)):
            flash(str(decision.reason), "warning")
            return redirect(_tab_url(claim, "deplacement"))
        response = make_response(
            self.render_template(
                "imagin/claims/leg.html",
                title=_("Trip detail"),
                claim=claim,
                leg=leg,
                locked_town=claim_entry.locked_departure_town(claim, leg),
                agent=agent,
                values=values,
                errors=errors,
                modes=list(TransportMode),
                back_url=_tab_url(claim, "deplacement"),
            )
        )
        response.status_code = status
        return response

    @expose("/<int:claim_id>/deplacement/ligne/<int:leg_id>/supprimer", methods=["GET", "POST"])
    @has_access
    @claim_screen
    def delete_leg(self, agent, claim, leg_id):
        """The red cross: a confirmation first (a dialog; this page without JavaScript)."""
        today = clock.today()
        try:
            leg = claim_entry.get_leg(claim, leg_id)
        except NotFound:
            abort(404)
        if request.method == "GET" or request.form.get("confirm") != "y":
            if not (decision := workflow.can_enter_travel(claim, today)):
                flash(str(decision.reason), "warning")
                return redirect(_tab_url(claim, "deplacement"))
            return self.render_template(
                "imagin/claims/leg_delete.html",
                title=_("Delete this trip"),
                claim=claim,
                leg=leg,
                prefilled=leg.position == workflow.FIRST_LEG_POSITION,
                back_url=_tab_url(claim, "deplacement"),
            )
        try:
            claim_entry.delete_leg(db.session, claim, leg_id, today=today)
        except DomainError as error:
            flash(str(transaction.refused(error)), "warning")
        else:
            flash(_("The trip is deleted."), "success")
        return redirect(_tab_url(claim, "deplacement"))

    @expose("/<int:claim_id>/deplacement/ligne-pre-remplie", methods=["POST"])
    @has_access
    @claim_screen
    def restore_leg(self, agent, claim):
        """ "Rétablir la ligne pré-remplie" after its deletion."""
        try:
            claim_entry.restore_first_leg(db.session, claim, today=clock.today())
        except DomainError as error:
            flash(str(transaction.refused(error)), "warning")
        else:
            flash(_("The prefilled line is restored: complete it."), "success")
        return redirect(_tab_url(claim, "deplacement"))

    # --- Save, validate, unvalidate -------------------------------------------------------------

    @expose("/<int:claim_id>/enregistrer", methods=["POST"])
    @has_access
    @claim_screen
    def save(self, agent, claim):
        try:
            workflow.save_draft(db.session, claim, today=clock.today())
        except DomainError as error:
            flash(str(transaction.refused(error)), "warning")
        else:
            flash(_("Your expense claim is saved: you can come back to it at any time."), "success")
        return redirect(_tab_url(claim, "recapitulatif"))

    @expose("/<int:claim_id>/valider", methods=["POST"])
    @has_access
    @claim_screen
    def validate(self, agent, claim):
        try:
            number = workflow.validate(
                db.session,
                claim,
                by_user_id=current_user.id,
                today=clock.today(),
                zero_confirmed=request.form.get("confirm_zero") == "y",
            )
        except workflow.MissingDocuments as error:
            flash(str(transaction.refused(error)), "danger")
            return redirect(_tab_url(claim, "recapitulatif") + "#documents")
        except DomainError as error:
            flash(str(transaction.refused(error)), "danger")
            return redirect(_tab_url(claim, "recapitulatif"))
        mails.queue_receipt(db.session, claim)
        flash(
            _(
                "Your expense claim is validated: file no. %(number)s. Keep its PDF summary.",
                number=number,
            ),
            "success",
        )
        return redirect(_tab_url(claim, "recapitulatif") + "?valide=1")

    @expose("/<int:claim_id>/devalider", methods=["POST"])
    @has_access
    @claim_screen
    def unvalidate(self, agent, claim):
        try:
            workflow.unvalidate(db.session, claim, by_user_id=current_user.id)
        except DomainError as error:
            flash(str(transaction.refused(error)), "warning")
        else:
            flash(_("Your expense claim is unvalidated: you can change it again."), "success")
        return redirect(_tab_url(claim, "suivi"))

    # --- Documents and PDF ----------------------------------------------------------------------

    @expose("/<int:claim_id>/documents", methods=["POST"])
    @has_access
    @claim_screen
    def upload(self, agent, claim):
        dossier = DocumentDossier.__members__.get(request.form.get("dossier", ""))
        piece = DocumentPiece.__members__.get(request.form.get("piece", ""))
        files = [f for f in request.files.getlist("file") if f and f.filename]
        if dossier is None or piece is None:
            flash(_("Choose which document this file is."), "danger")
        elif not files:
            flash(_("Select a file to send."), "danger")
        for file in files if dossier is not None and piece is not None else []:
            try:
                document = claim_page.agent_upload(
                    db.session,
                    claim,
                    documents.Upload(dossier, piece, file.filename, file.stream),
                    today=clock.today(),
                    storage=current_app.config["UPLOAD_FOLDER"],
                    by_user_id=current_user.id,
                )
            except DomainError as error:
                flash(str(transaction.refused(error)), "danger")
            else:
                flash(
                    _("The document « %(name)s » is sent.", name=document.display_name), "success"
                )
        return redirect(_tab_url(claim, "recapitulatif") + "#documents")

    @expose("/<int:claim_id>/documents/<int:document_id>/supprimer", methods=["POST"])
    @has_access
    @claim_screen
    def delete_document(self, agent, claim, document_id):
        try:
            documents.delete_document(
                db.session, claim, document_id, storage=current_app.config["UPLOAD_FOLDER"]
            )
        except NotFound:
            abort(404)
        except DomainError as error:
            flash(str(transaction.refused(error)), "warning")
        else:
            flash(_("The document is deleted."), "success")
        return redirect(_tab_url(claim, "recapitulatif") + "#documents")

    @expose("/<int:claim_id>/documents/<int:document_id>")
    @has_access
    @claim_screen
    def document(self, agent, claim, document_id):
        try:
            document = documents.get_document(claim, document_id)
            path = documents.stored_file(document, current_app.config["UPLOAD_FOLDER"])
        except NotFound:
            abort(404)
        return send_file(
            path,
            mimetype=document.content_type,
            as_attachment=True,
            download_name=document.display_name,
            max_age=0,
        )

    @expose("/<int:claim_id>/recapitulatif.pdf")
    @has_access
    @claim_screen
    def recap_pdf(self, agent, claim):
        try:
            content = recap.recap_pdf(db.session, claim)
        except DomainError as error:
            flash(str(transaction.refused(error)), "warning")
            return redirect(_tab_url(claim, "recapitulatif"))
        return pdf_response(content, recap.file_name(claim))


def _indexes(values) -> list[int]:
    found = []
    for key in values:
        name, _sep, index = key.partition("-")
        if name == "day" and index.isdigit():
            found.append(int(index))
    return found
