"""The staff's competence screens: the head of establishment's over the staff of their
establishments, the manager's over the académie; each opens an agent's competence pages
and confirms or invalidates a competence.
"""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import current, transaction
from app.extensions import db
from app.services import NotFound
from app.services.common import listing
from app.services.competences import rules as svc
from app.services.people import directory
from models import Agent, Discipline

from ..base import render_list_page
from .pages import add_page, agent_tab_page, endorse, options


class _StaffCompetenceView(BaseView):
    """A head's or a manager's competence screens over other agents."""

    default_view = "index"
    list_id = "agents"

    def _resolve(self, agent_id: int):
        """(agent, actor, allowed exam ids or None); NotFound outside the scope."""
        raise NotImplementedError

    def _endpoint(self, name: str) -> str:
        return f"{type(self).__name__}.{name}"

    def _scoped(self, agent_id: int):
        try:
            return self._resolve(agent_id)
        except NotFound:
            abort(404)

    @expose("/<int:agent_id>/")
    @has_access
    def agent(self, agent_id: int):
        agent, actor, _allowed = self._scoped(agent_id)
        return agent_tab_page(
            self,
            agent,
            actor=actor,
            url_for_verdict=lambda cid, slug: url_for(
                self._endpoint("endorse"), agent_id=agent_id, competence_id=cid, verdict=slug
            ),
            add_url=url_for(self._endpoint("add"), agent_id=agent_id),
            back_url=url_for(self._endpoint("index")),
        )

    @expose("/<int:agent_id>/ajouter", methods=["GET", "POST"])
    @has_access
    def add(self, agent_id: int):
        agent, actor, allowed = self._scoped(agent_id)
        return add_page(
            self,
            agent,
            actor,
            allowed,
            options_url=url_for(self._endpoint("options"), agent_id=agent_id),
            done_url=url_for(self._endpoint("agent"), agent_id=agent_id),
        )

    @expose("/<int:agent_id>/options")
    @has_access
    def options(self, agent_id: int):
        _agent, _actor, allowed = self._scoped(agent_id)
        return options(allowed)

    @expose("/<int:agent_id>/<int:competence_id>/<verdict>", methods=["POST"])
    @has_access
    def endorse(self, agent_id: int, competence_id: int, verdict: str):
        agent, actor, _allowed = self._scoped(agent_id)
        endorse(agent, actor, competence_id, verdict)
        return redirect(url_for(self._endpoint("agent"), agent_id=agent_id))


AGENT_COLUMNS = (
    listing.Column("last_name", _l("Last name")),
    listing.Column("first_name", _l("First name")),
    listing.Column("identifier", _l("Identifier")),
    listing.Column("establishment", _l("Establishment")),
    listing.Column("discipline", _l("Post discipline")),
)


class HeadCompetenceView(_StaffCompetenceView):
    """The head sees the staff of the establishments they head; speaks with the UAI."""

    route_base = "/competences/etablissement"

    def _head(self):
        head = current.agent()
        if head is None:
            raise NotFound(_l("No contributor file is linked to your account."))
        return head

    def _resolve(self, agent_id: int):
        agent, actor = svc.agent_for_head(db.session, self._head(), agent_id)
        return agent, actor, svc.offered_exam_ids(db.session, agent)

    @expose("/")
    @has_access
    def index(self):
        try:
            head = self._head()
        except NotFound as error:
            flash(str(transaction.refused(error)), "warning")
            return redirect(url_for("HomeView.index"))
        rows = [
            listing.Row(
                {
                    "last_name": link.agent.last_name,
                    "first_name": link.agent.first_name,
                    "identifier": link.agent.identifier,
                    "establishment": f"{link.establishment.name} ({link.establishment.uai})",
                    "discipline": link.discipline.name if link.discipline else "",
                },
                url=url_for("HeadCompetenceView.agent", agent_id=link.agent_id),
            )
            for link in svc.agents_of_head(db.session, head)
        ]
        args = listing.parse_args(request.args, AGENT_COLUMNS, default_sort="last_name")
        page = listing.build_page(AGENT_COLUMNS, rows, **args)
        return render_list_page(
            self,
            "imagin/competences/staff.html",
            page,
            self.list_id,
            list_title=_("Staff of your establishments"),
            establishments=svc.headed_establishments(db.session, head),
        )


class ManagerCompetenceView(_StaffCompetenceView):
    """A manager acts on any agent of the académie, with their manager code."""

    route_base = "/competences/gestion"

    def _manager(self):
        manager = current.manager()
        if manager is None:
            raise NotFound(_l("No manager file is linked to your account."))
        return manager

    def _resolve(self, agent_id: int):
        manager = self._manager()
        agent = svc.agent_for_manager(db.session, manager, agent_id)
        return agent, svc.actor_for_manager(manager), None

    @expose("/")
    @has_access
    def index(self):
        try:
            manager = self._manager()
        except NotFound as error:
            flash(str(transaction.refused(error)), "warning")
            return redirect(url_for("HomeView.index"))
        columns = (
            AGENT_COLUMNS[0],
            AGENT_COLUMNS[1],
            AGENT_COLUMNS[2],
            listing.Column("town", _l("Town")),
            AGENT_COLUMNS[4],
        )
        statement = (
            select(Agent)
            .outerjoin(Agent.post_discipline)
            .options(joinedload(Agent.post_discipline))
            .where(Agent.academy_id == manager.academy_id)
        )
        expressions = {
            "last_name": Agent.last_name,
            "first_name": Agent.first_name,
            "identifier": Agent.numen,
            "external_id": Agent.external_id,
            "town": Agent.town,
            "discipline": Discipline.name,
        }
        args = listing.parse_args(request.args, columns, default_sort="last_name")
        page = listing.query_page(
            db.session,
            statement,
            columns,
            expressions,
            lambda agent: listing.Row(
                {
                    "last_name": agent.last_name,
                    "first_name": agent.first_name,
                    "identifier": agent.identifier,
                    "town": agent.town,
                    "discipline": agent.post_discipline.name if agent.post_discipline else "",
                },
                url=url_for("ManagerCompetenceView.agent", agent_id=agent.id),
            ),
            default_order=(Agent.last_name, Agent.first_name, Agent.id),
            search=partial(directory.agent_keyword_condition, db.session),
            **args,
        )
        return render_list_page(
            self,
            "imagin/competences/staff.html",
            page,
            self.list_id,
            list_title=_("Contributors of the academy"),
            establishments=None,
        )
