"""Missions et affectations: the académie's missions, and for each one its convoked
contributors and the candidates to convoke (competence, free on the dates, nearest and
least loaded first). Thin: the rules are in ``app.services.missions.convocation``."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from app import transaction
from app.bounds import parse_id
from app.extensions import db
from app.jobs import mails as mail_jobs
from app.services import DomainError
from app.services.claims import lifecycle
from app.services.common import clock, listing
from app.services.mails import messages as mails
from app.services.missions import conflicts, unavailabilities
from app.services.missions import convocation as svc
from app.services.missions import needs as mission_needs
from models import Mission
from models.enums import AssignmentQuality

from .agent_missions import convocation_pdf
from .base import manager_screen, render_list_page
from .missions import academy_mission_or_404, mission_cells, mission_list_page

MISSION_COLUMNS = (
    listing.Column("mission", _l("Mission no."), listing.NUMBER),
    listing.Column("exam", _l("Exam")),
    listing.Column("type", _l("Mission type")),
    listing.Column("paper", _l("Paper")),
    listing.Column("day", _l("Mission date"), listing.DATE),
    listing.Column("centre", _l("Exam centre")),
    listing.Column("convoked", _l("Convoked"), sortable=False),
)
CANDIDATE_COLUMNS = (
    listing.Column("name", _l("Contributor")),
    listing.Column("identifier", _l("Identifier")),
    listing.Column("town", _l("Town")),
    listing.Column("proximity", _l("Distance")),
    listing.Column("load", _l("Missions this session"), listing.NUMBER),
    listing.Column("select", _l("Selection"), sortable=False, searchable=False),
)


class ConvocationView(BaseView):
    """Missions and their convocations."""

    route_base = "/missions-affectations"
    default_view = "index"
    list_id = "missions"

    @expose("/")
    @has_access
    @manager_screen
    def index(self, academy_id):
        statement = svc.academy_missions(academy_id).options(selectinload(Mission.assignments))

        def to_row(mission):
            active = sum(1 for a in mission.assignments if a.cancelled_at is None)
            return listing.Row(
                mission_cells(mission) | {"convoked": active},
                url=url_for("ConvocationView.mission", mission_id=mission.id),
            )

        page = mission_list_page(statement, MISSION_COLUMNS, to_row)
        return render_list_page(
            self,
            "imagin/convocation/list.html",
            page,
            self.list_id,
            list_title=_("Missions of the academy"),
            title=_("Missions and assignments"),
        )

    @expose("/<int:mission_id>")
    @has_access
    @manager_screen
    def mission(self, academy_id, mission_id):
        mission = academy_mission_or_404(academy_id, mission_id)
        today = clock.today()
        convoked = [
            {
                "assignment": a,
                "statuses": lifecycle.shown_statuses(a.claim, today) if a.claim else None,
            }
            for a in sorted(
                mission.assignments, key=lambda a: (a.cancelled_at is not None, a.agent.last_name)
            )
        ]
        # Thousands of candidates: the database filters, sorts and cuts the page; the
        # check boxes are drawn for the shown page only.
        params = listing.parse_args(request.args, CANDIDATE_COLUMNS, prefix="c")
        query = svc.candidate_query(db.session, mission)
        page = svc.candidate_page(
            db.session, mission, CANDIDATE_COLUMNS, query=query, per_page=50, prefix="c", **params
        )
        for row in page.rows:
            candidate = row.cells["candidate"]
            agent = candidate.agent
            row.cells = {
                "name": f"{agent.last_name} {agent.first_name}",
                "identifier": agent.identifier,
                "town": agent.town or "",
                "proximity": candidate.proximity_label,
                "load": candidate.load,
                "select": Markup(
                    '<input type="checkbox" name="agent_id" value="{}" form="convoke-form"'
                    ' aria-label="{}">'
                ).format(agent.id, _("Select %(name)s", name=agent.full_name)),
            }
        return render_list_page(
            self,
            "imagin/convocation/mission.html",
            page,
            "candidates",
            list_title=_("Candidates"),
            title=_("Missions and assignments"),
            mission=mission,
            convoked=convoked,
            qualities=list(AssignmentQuality),
            unavailable=unavailabilities.unavailable_candidates(db.session, mission, query),
            max_unavailable=unavailabilities.MAX_UNAVAILABLE_SHOWN,
            max_reason=svc.MAX_OVERRIDE_REASON,
            needs=mission_needs.needs_page(db.session, mission),
        )

    @expose("/<int:mission_id>/besoins", methods=["GET", "POST"])
    @has_access
    @manager_screen
    def needs(self, academy_id, mission_id):
        """« Besoins en intervenants »: the mission's needs, read and replaced."""
        mission = academy_mission_or_404(academy_id, mission_id)
        if request.method == "GET":
            return self._needs_form(mission, mission_needs.needs_page(db.session, mission))
        rows = [
            {
                name: request.form.get(f"{name}-{index}", "")[:20]
                for name in ("quality", "places", "load_per_agent")
            }
            for index in range(mission_needs.MAX_ROWS)
            if f"quality-{index}" in request.form or f"places-{index}" in request.form
        ]
        try:
            mission_needs.replace_needs(db.session, mission, rows)
        except mission_needs.NeedErrors as error:
            transaction.refused(error)
            page = mission_needs.needs_page(db.session, mission, rows=rows)
            return self._needs_form(mission, page, error.errors, status=422)
        except DomainError as error:
            flash(str(transaction.refused(error)), "danger")
            return redirect(url_for("ConvocationView.needs", mission_id=mission_id))
        flash(_("The needs of the mission are saved."), "success")
        return redirect(url_for("ConvocationView.needs", mission_id=mission.id))

    def _needs_form(self, mission, page, errors=None, status=200):
        return (
            self.render_template(
                "imagin/convocation/needs.html",
                title=_("Missions and assignments"),
                mission=mission,
                needs=page,
                errors=errors or {},
                qualities=list(AssignmentQuality),
                conflicts=conflicts.mission_conflicts(db.session, mission),
            ),
            status,
        )

    @expose("/<int:mission_id>/convoquer", methods=["POST"])
    @has_access
    @manager_screen
    def convoke(self, academy_id, mission_id):
        mission = academy_mission_or_404(academy_id, mission_id)
        ids = []
        for value in request.form.getlist("agent_id"):
            agent_id = parse_id(value)
            if agent_id is not None:
                ids.append(agent_id)
        quality = AssignmentQuality.__members__.get(request.form.get("quality", ""))
        try:
            created = svc.convoke(
                db.session,
                mission,
                ids,
                quality=quality,
                jury=request.form.get("jury"),
                by_user_id=current_user.id,
                override_reason=request.form.get("override_reason"),
            )
        except DomainError as error:
            flash(str(transaction.refused(error)), "danger")
        else:
            job = mail_jobs.start_delivery(db.session, academy_id, started_by_id=current_user.id)
            queued = mails.queue_convocations(db.session, created, job_id=job.id)
            flash(_("%(count)s contributor(s) convoked.", count=len(created)), "success")
            if queued.recipients:
                flash(
                    _(
                        "Their convocations are being mailed (job no. %(number)s on "
                        "« Jobs in progress »).",
                        number=job.id,
                    ),
                    "info",
                )
            if queued.notice():
                flash(queued.notice(), "warning")
        return redirect(url_for("ConvocationView.mission", mission_id=mission_id))

    @expose("/<int:mission_id>/retirer/<int:assignment_id>", methods=["POST"])
    @has_access
    @manager_screen
    def withdraw(self, academy_id, mission_id, assignment_id):
        mission = academy_mission_or_404(academy_id, mission_id)
        assignment = next((a for a in mission.assignments if a.id == assignment_id), None)
        if assignment is None:
            abort(404)
        try:
            svc.unconvoke(db.session, assignment, by_user_id=current_user.id)
        except DomainError as error:
            flash(str(transaction.refused(error)), "danger")
        else:
            flash(
                _(
                    "The convocation of %(name)s is withdrawn: the claim is cancelled.",
                    name=assignment.agent.full_name,
                ),
                "success",
            )
        return redirect(url_for("ConvocationView.mission", mission_id=mission_id))

    @expose("/<int:mission_id>/dupliquer", methods=["POST"])
    @has_access
    @manager_screen
    def duplicate(self, academy_id, mission_id):
        mission = academy_mission_or_404(academy_id, mission_id)
        try:
            copy = svc.duplicate(db.session, mission, by_user_id=current_user.id)
        except DomainError as error:
            flash(str(transaction.refused(error)), "danger")
            return redirect(url_for("ConvocationView.mission", mission_id=mission_id))
        flash(
            _("Mission no. %(number)s is created as a copy.", number=copy.number),
            "success",
        )
        return redirect(url_for("ConvocationView.mission", mission_id=copy.id))

    @expose("/<int:mission_id>/convocation/<int:assignment_id>.pdf")
    @has_access
    @manager_screen
    def convocation(self, academy_id, mission_id, assignment_id):
        mission = academy_mission_or_404(academy_id, mission_id)
        assignment = next((a for a in mission.assignments if a.id == assignment_id), None)
        if assignment is None:
            abort(404)
        return convocation_pdf(assignment)
