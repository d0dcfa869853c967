"""The teacher's competence screens: "Consultation des compétences" and "Saisie des
compétences".
"""

from __future__ import annotations

from flask import abort, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access

from app.extensions import db
from app.services.competences import rules as svc

from ..base import agent_screen, own_agent
from .pages import add_page, agent_tab_page, endorse, options


class CompetenceConsultationView(BaseView):
    """Consultation compétences: the teacher's three tabs, read-only."""

    route_base = "/competences/consultation"
    default_view = "index"

    @expose("/")
    @has_access
    @agent_screen
    def index(self, agent):
        return agent_tab_page(self, agent)


class CompetenceEntryView(BaseView):
    """Saisie compétences: the same tabs, "+" / "×" on each line and "Ajouter
    compétence" (the teacher speaks with their numen)."""

    route_base = "/competences/saisie"
    default_view = "index"

    def _context(self):
        agent = own_agent()
        if agent is None:
            return None, None
        return agent, svc.actor_for_agent(agent)

    @expose("/")
    @has_access
    def index(self):
        agent, actor = self._context()
        if agent is None:
            return redirect(url_for("HomeView.index"))
        return agent_tab_page(
            self,
            agent,
            actor=actor,
            url_for_verdict=lambda cid, slug: url_for(
                "CompetenceEntryView.endorse", competence_id=cid, verdict=slug
            ),
            add_url=url_for("CompetenceEntryView.add"),
        )

    @expose("/ajouter", methods=["GET", "POST"])
    @has_access
    def add(self):
        agent, actor = self._context()
        if agent is None:
            return redirect(url_for("HomeView.index"))
        return add_page(
            self,
            agent,
            actor,
            svc.offered_exam_ids(db.session, agent),
            options_url=url_for("CompetenceEntryView.options"),
            done_url=url_for("CompetenceEntryView.index"),
            show_agent=False,
        )

    @expose("/options")
    @has_access
    def options(self):
        agent, _actor = self._context()
        if agent is None:
            abort(404)
        return options(svc.offered_exam_ids(db.session, agent))

    @expose("/<int:competence_id>/<verdict>", methods=["POST"])
    @has_access
    def endorse(self, competence_id: int, verdict: str):
        agent, actor = self._context()
        if agent is None:
            abort(404)
        endorse(agent, actor, competence_id, verdict)
        return redirect(url_for("CompetenceEntryView.index"))
