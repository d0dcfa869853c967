"""Consultation missions: the agent's assignments, their detail and the duplicata of
the convocation (PDF). Thin: the scope is in app.services.missions.consultation."""

from __future__ import annotations

from flask import abort, current_app, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.extensions import db
from app.services import NotFound
from app.services.common import listing
from app.services.interfaces import peers
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

# A mission of the agent in another académie (its detail stays on that portal).
PEER_COLUMNS = (
    listing.Column("exam", _l("Exam")),
    listing.Column("specialty", _l("Specialty")),
    listing.Column("paper", _l("Paper-option")),
    listing.Column("type", _l("Mission type")),
    listing.Column("number", _l("Mission number"), listing.NUMBER),
    listing.Column("day", _l("Mission start"), listing.DATE),
    listing.Column("centre", _l("Exam centre")),
    listing.Column("quality", _l("Quality")),
    listing.Column("correction", _l("Correction state")),
)
MAX_CODE = 20


def academy_tabs(agent):
    """The tabs of the other académies where the agent has missions (``?academie=CODE``
    chooses one), read from their portals: for this page and the access portal's."""
    selected = request.args.get("academie", "")[:MAX_CODE] or None
    return peers.academy_tabs(
        db.session,
        agent.academy,
        agent.numen,
        selected,
        timeout=current_app.config["PEER_TIMEOUT_SECONDS"],
        cache_seconds=current_app.config["PEER_CACHE_SECONDS"],
    )


def peer_rows(result) -> list[listing.Row]:
    return [
        listing.Row(
            {
                "exam": mission.exam,
                "specialty": mission.specialty,
                "paper": mission.paper,
                "type": mission.mission_type,
                "number": mission.number,
                "day": mission.first_day,
                "centre": mission.centre,
                "quality": mission.quality,
                "correction": mission.correction_state,
            }
        )
        for mission in result.missions
    ]


def peer_list_page(view, tabs, template, list_id, title, **context):
    """The selected other académie's tab: its missions as its portal gives them (for
    Consultation missions and the access portal)."""
    result = tabs.selected
    args = listing.parse_args(
        request.args, PEER_COLUMNS, default_sort="day", default_direction="desc"
    )
    page = listing.build_page(PEER_COLUMNS, peer_rows(result), **args)
    return render_list_page(
        view,
        template,
        page,
        list_id,
        list_title=_("List of missions of the academy of %(name)s", name=result.name),
        title=title,
        academy_tabs=tabs,
        peer=result,
        **context,
    )


class MissionConsultationView(BaseView):
    """Consultation missions."""

    route_base = "/missions"
    default_view = "index"

    @expose("/")
    @has_access
    @agent_screen
    def index(self, agent):
        tabs = academy_tabs(agent)
        if tabs.selected is not None:
            return self._peer_list(tabs)
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
            academy_tabs=tabs,
        )

    def _peer_list(self, tabs):
        return peer_list_page(
            self, tabs, "imagin/missions/list.html", "missions", _("Mission consultation")
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
