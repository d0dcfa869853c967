"""Consultation missions: the agent's assignments, their detail and the duplicata of
the convocation (PDF). Thin: the scope is in app.services.missions.consultation."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.extensions import db
from app.services import NotFound
from app.services.claims import page as claim_page
from app.services.common import listing
from app.services.missions import consultation as svc
from app.services.missions import documents as mission_documents

from .base import agent_screen, own_agent, pdf_response, render_list_page

COLUMNS = (
    listing.Column("exam", _l("Exam")),
    listing.Column("type", _l("Mission type")),
    listing.Column("number", _l("Mission number"), listing.NUMBER),
    listing.Column("day", _l("Mission date"), listing.DATE),
    listing.Column("centre", _l("Exam centre")),
    listing.Column("quality", _l("Quality")),
    listing.Column("actions", _l("Actions"), sortable=False),
)


class MissionConsultationView(BaseView):
    """Consultation missions."""

    route_base = "/missions"
    default_view = "index"

    @expose("/")
    @has_access
    @agent_screen
    def index(self, agent):
        rows = []
        for assignment in svc.agent_assignments(db.session, agent.id):
            mission = assignment.mission
            centre = mission.centre
            pdf_url = url_for("MissionConsultationView.convocation", assignment_id=assignment.id)
            rows.append(
                listing.Row(
                    {
                        "exam": mission.session.exam.name,
                        "type": mission.mission_type.name,
                        "number": mission.number,
                        "day": mission.first_day,
                        "centre": f"{centre.name} {centre.town}" if centre else "",
                        "quality": assignment.quality.label if assignment.quality else "",
                        "actions": Markup(
                            '<a class="btn btn-default btn-xs" href="{url}" title="{label}">PDF</a>'
                        ).format(url=pdf_url, label=_("Download the duplicate of the convocation")),
                    },
                    url=url_for("MissionConsultationView.show", assignment_id=assignment.id),
                )
            )
        args = listing.parse_args(
            request.args, COLUMNS, default_sort="day", default_direction="desc"
        )
        page = listing.build_page(COLUMNS, rows, **args)
        return render_list_page(
            self,
            "imagin/missions/list.html",
            page,
            "missions",
            list_title=_("List of missions"),
            title=_("Mission consultation"),
            other_academies=claim_page.other_academies(db.session, agent.academy_id),
        )

    def _assignment(self, assignment_id):
        agent = own_agent()
        if agent is None:
            abort(404)
        try:
            return svc.agent_assignment(db.session, agent.id, assignment_id)
        except NotFound:
            abort(404)

    @expose("/<int:assignment_id>")
    @has_access
    def show(self, assignment_id: int):
        assignment = self._assignment(assignment_id)
        return self.render_template(
            "imagin/missions/detail.html",
            title=_("Mission details"),
            assignment=assignment,
            mission=assignment.mission,
        )

    @expose("/<int:assignment_id>/convocation.pdf")
    @has_access
    def convocation(self, assignment_id: int):
        return convocation_pdf(self._assignment(assignment_id))


def convocation_pdf(assignment):
    """The convocation (duplicata) of one assignment, as a PDF attachment (the stored
    file: ``app.services.missions.documents``)."""
    content = mission_documents.convocation_pdf(db.session, assignment)
    return pdf_response(content, mission_documents.file_name(assignment))
