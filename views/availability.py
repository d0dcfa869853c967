"""Agents' availability: « Saisie des indisponibilités » (teachers and external
contributors declare the periods they are not available for a session, until its
closing date) and « Indisponibilités des intervenants » (the managers read them per
session). Thin: the rules are in ``app.services.missions.unavailabilities``."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import transaction
from app.bounds import parse_id
from app.extensions import db
from app.services import DomainError, NotFound
from app.services.common import clock, listing
from app.services.missions import unavailabilities as svc
from models.enums import DayPart

from .base import agent_screen, manager_screen, render_list_page

FIELDS = ("starts_on", "ends_on", "part", "comment")


class UnavailabilityEntryView(BaseView):
    """Saisie des indisponibilités: the agent's declarations per session."""

    route_base = "/indisponibilites"
    default_view = "index"

    @expose("/")
    @has_access
    @agent_screen
    def index(self, agent):
        return self.render_template(
            "imagin/availability/agent.html",
            title=_("Unavailability entry"),
            blocks=svc.agent_sessions(db.session, agent, clock.today()),
        )

    def _form(self, agent, exam_session, unavailability=None):
        """The add / change form: saved and back to the list, or shown again with the
        French messages next to the fields and what was typed."""
        values = svc.form_values(unavailability)
        errors = {}
        if request.method == "POST":
            values = {name: request.form.get(name, "") for name in FIELDS}
            try:
                if unavailability is None:
                    svc.declare(db.session, agent, exam_session, values, today=clock.today())
                else:
                    svc.change(db.session, unavailability, values, today=clock.today())
            except svc.FieldErrors as error:
                transaction.refused(error)
                errors = error.errors
                flash(str(error.message), "danger")
            except DomainError as error:
                flash(str(transaction.refused(error)), "danger")
                return redirect(url_for("UnavailabilityEntryView.index"))
            else:
                flash(_("Your unavailability has been saved."), "success")
                return redirect(url_for("UnavailabilityEntryView.index"))
        return self.render_template(
            "imagin/availability/form.html",
            title=_("Add an unavailability")
            if unavailability is None
            else _("Change an unavailability"),
            exam_session=exam_session,
            values=values,
            errors=errors,
            parts=list(DayPart),
            max_comment=svc.MAX_COMMENT,
        )

    @expose("/session/<int:session_id>/ajouter", methods=["GET", "POST"])
    @has_access
    @agent_screen
    def add(self, agent, session_id):
        try:
            exam_session = svc.session_for_agent(db.session, session_id, clock.today())
        except NotFound:
            abort(404)
        except DomainError as error:
            flash(str(transaction.refused(error)), "warning")
            return redirect(url_for("UnavailabilityEntryView.index"))
        return self._form(agent, exam_session)

    def _own(self, agent, unavailability_id):
        try:
            return svc.own(db.session, agent, unavailability_id)
        except NotFound:
            abort(404)

    @expose("/<int:unavailability_id>/modifier", methods=["GET", "POST"])
    @has_access
    @agent_screen
    def edit(self, agent, unavailability_id):
        unavailability = self._own(agent, unavailability_id)
        reason = svc.closed_reason(unavailability.session, clock.today())
        if reason is not None:
            flash(str(reason), "warning")
            return redirect(url_for("UnavailabilityEntryView.index"))
        return self._form(agent, unavailability.session, unavailability)

    @expose("/<int:unavailability_id>/supprimer", methods=["GET", "POST"])
    @has_access
    @agent_screen
    def delete(self, agent, unavailability_id):
        unavailability = self._own(agent, unavailability_id)
        if request.method == "POST":
            try:
                svc.delete(db.session, unavailability, today=clock.today())
            except DomainError as error:
                flash(str(transaction.refused(error)), "danger")
            else:
                flash(_("Your unavailability has been deleted."), "success")
            return redirect(url_for("UnavailabilityEntryView.index"))
        reason = svc.closed_reason(unavailability.session, clock.today())
        if reason is not None:
            flash(str(reason), "warning")
            return redirect(url_for("UnavailabilityEntryView.index"))
        return self.render_template(
            "imagin/availability/delete.html",
            title=_("Delete an unavailability"),
            unavailability=unavailability,
        )


STAFF_COLUMNS = (
    listing.Column("name", _l("Contributor")),
    listing.Column("identifier", _l("Identifier")),
    listing.Column("starts_on", _l("Unavailable from"), listing.DATE),
    listing.Column("ends_on", _l("Unavailable until"), listing.DATE),
    listing.Column("part", _l("Period")),
    listing.Column("comment", _l("Comment")),
)


class UnavailabilityStaffView(BaseView):
    """Indisponibilités des intervenants: the académie's declarations for a session."""

    route_base = "/indisponibilites-intervenants"
    default_view = "index"

    @expose("/")
    @has_access
    @manager_screen
    def index(self, academy_id):
        sessions = svc.declaring_sessions(db.session, academy_id)
        chosen = parse_id(request.args.get("session"))
        current = next((s for s in sessions if s.id == chosen), sessions[0] if sessions else None)
        title = _("Contributors' unavailabilities")
        if current is None:
            return self.render_template(
                "imagin/availability/staff.html", title=title, sessions=sessions, current=None
            )
        params = listing.parse_args(request.args, STAFF_COLUMNS)
        page = svc.academy_page(
            db.session, academy_id, current.id, STAFF_COLUMNS, per_page=50, **params
        )
        for row in page.rows:
            item = row.cells["unavailability"]
            agent = item.agent
            row.cells = {
                "name": f"{agent.last_name} {agent.first_name}",
                "identifier": agent.identifier,
                "starts_on": item.starts_on,
                "ends_on": item.ends_on,
                "part": item.part.label,
                "comment": item.comment or "",
            }
        return render_list_page(
            self,
            "imagin/availability/staff.html",
            page,
            "unavailabilities",
            list_title=_("Declared unavailabilities"),
            title=title,
            sessions=sessions,
            current=current,
        )
