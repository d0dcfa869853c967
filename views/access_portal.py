"""The access portal (issue 16): « Portail d'accès aux missions » and the activities that
lead to one application (« Gestion des épreuves EPS », « Portail délibération de jury
Cyclades », « Gestion des sujets », « Statistiques nationales de notation »).

Every way out goes through a portal route of this module (``…/acces``): the service
checks the mission is the agent's and the application available, records the access,
and gives the address; an unavailable application is a console error. Thin: the rules
are in app.services.portal.applications and .mission_access.

An activity's menu entry opens a page with one button rather than redirecting at once:
visiting the menu (or a crawler, a prefetch) records no access, the page says which
application it leads to, and an unavailable one is said on the page, in the console,
without leaving the portal."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import transaction
from app.catalogue import BY_CODE
from app.extensions import db
from app.services import DomainError, NotFound
from app.services.common import listing
from app.services.portal import applications, mission_access

from .agent_missions import academy_tabs, peer_list_page
from .base import agent_screen, render_list_page

COLUMNS = (
    listing.Column("exam", _l("Exam")),
    listing.Column("specialty", _l("Specialty")),
    listing.Column("paper", _l("Paper-option")),
    listing.Column("type", _l("Mission type")),
    listing.Column("number", _l("Mission no."), listing.NUMBER),
    listing.Column("day", _l("Mission start"), listing.DATE),
    listing.Column("state", _l("Correction state")),
)


def _refused(error: DomainError, endpoint: str):
    flash(str(transaction.refused(error)), "danger")
    return redirect(url_for(endpoint))


class MissionAccessView(BaseView):
    """« Portail d'accès aux missions »."""

    route_base = "/portail/missions"
    default_view = "index"

    @expose("/")
    @has_access
    @agent_screen
    def index(self, agent):
        tabs = academy_tabs(agent)  # the agent's missions in other académies (issue 16 §4)
        if tabs.selected is not None:
            return self._peer_list(tabs)
        rows = [
            listing.Row(
                {
                    "exam": mission.exam,
                    "specialty": mission.specialty,
                    "paper": mission.paper,
                    "type": mission.mission_type,
                    "number": mission.number,
                    "day": mission.first_day,
                    "state": mission.correction_state,
                },
                url=url_for("MissionAccessView.open", assignment_id=mission.assignment_id)
                if mission.may_open
                else None,
            )
            for mission in mission_access.portal_missions(db.session, agent.id)
        ]
        args = listing.parse_args(
            request.args, COLUMNS, default_sort="day", default_direction="desc"
        )
        page = listing.build_page(COLUMNS, rows, **args)
        return render_list_page(
            self,
            "imagin/access/missions.html",
            page,
            "portal-missions",
            list_title=_("List of missions"),
            title=_("Mission access portal"),
            shown_days=mission_access.SHOWN_DAYS,
            academy_tabs=tabs,
        )

    def _peer_list(self, tabs):
        """Another académie's tab (a mission there opens from that académie's portal)."""
        return peer_list_page(
            self,
            tabs,
            "imagin/access/missions.html",
            "portal-missions",
            _("Mission access portal"),
            shown_days=mission_access.SHOWN_DAYS,
        )

    @expose("/<int:assignment_id>/acces")
    @has_access
    @agent_screen
    def open(self, agent, assignment_id: int):
        try:
            address = applications.enter_mission(
                db.session, agent, assignment_id, user_id=current_user.id
            )
        except NotFound:
            abort(404)
        except DomainError as error:
            return _refused(error, "MissionAccessView.index")
        return redirect(address)


class ApplicationEntryView(BaseView):
    """An activity whose page leads to one application (``activity_code``)."""

    activity_code = ""
    default_view = "index"

    @expose("/")
    @has_access
    @agent_screen
    def index(self, agent):
        entry = applications.activity_entry(db.session, self.activity_code)
        if entry.refusal is not None:
            flash(str(entry.refusal), "danger")
        definition = BY_CODE[self.activity_code]
        return self.render_template(
            "imagin/access/entry.html",
            title=definition.label,
            activity=definition,
            entry=entry,
            open_url=url_for(f"{type(self).__name__}.open"),
        )

    @expose("/acces")
    @has_access
    @agent_screen
    def open(self, agent):
        try:
            address = applications.enter_activity(
                db.session, agent, self.activity_code, user_id=current_user.id
            )
        except DomainError as error:
            return _refused(error, f"{type(self).__name__}.index")
        return redirect(address)


class EpsAccessView(ApplicationEntryView):
    """« Gestion des épreuves EPS » → CYCLADES's EPS module."""

    route_base = "/portail/epreuves-eps"
    activity_code = "eps_management"


class JuryPortalAccessView(ApplicationEntryView):
    """« Portail délibération de jury Cyclades » → CYCLADES's jury portal."""

    route_base = "/portail/deliberation-jury"
    activity_code = "jury_portal"


class SubjectsAccessView(ApplicationEntryView):
    """« Gestion des sujets » → DELOS's BNS module."""

    route_base = "/portail/sujets"
    activity_code = "subjects"


class StatisticsAccessView(ApplicationEntryView):
    """« Statistiques nationales de notation » → SANTORIN's statistics."""

    route_base = "/portail/statistiques-notation"
    activity_code = "national_statistics"
