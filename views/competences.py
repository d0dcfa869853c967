"""Competence screens: the teacher's consultation and entry, the head's screen over the
staff of their establishments, the manager's over the académie. Thin: every scope and
rule is in app.services.competences.rules."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import transaction
from app.bounds import parse_id
from app.extensions import db
from app.services import DomainError, NotFound
from app.services.common import listing
from app.services.competences import rules as svc
from app.services.people.users import agent_of, manager_of
from models import Agent, Discipline
from models.enums import EndorsementVerdict

from .base import own_agent, render_list_page

TABS = (
    ("competences", _l("List of competences")),
    ("etablissements", _l("List of establishments")),
    ("enseignements", _l("List of teachings")),
)
COMPETENCE_COLUMNS = (
    listing.Column("exam", _l("Exam")),
    listing.Column("specialty", _l("Specialty")),
    listing.Column("paper", _l("Paper option")),
    listing.Column("authors", _l("Authors")),
)
ACTIONS = listing.Column("actions", _l("Actions"), sortable=False)
ESTABLISHMENT_COLUMNS = (
    listing.Column("uai", _l("Establishment code")),
    listing.Column("name", _l("Establishment label")),
    listing.Column("link_type", _l("Establishment type")),
    listing.Column("discipline_code", _l("Discipline code")),
    listing.Column("discipline", _l("Discipline label")),
)
TEACHING_COLUMNS = (
    listing.Column("establishment", _l("Establishment label")),
    listing.Column("mef", _l("Elementary training module")),
    listing.Column("mef_type", _l("Type of MEF")),
    listing.Column("subject", _l("Subject taught")),
    listing.Column("modality", _l("Course modality")),
)
VERDICTS = {"confirmer": EndorsementVerdict.CONFIRMED, "invalider": EndorsementVerdict.INVALIDATED}


def _action_buttons(competence, actor, url_for_verdict) -> Markup:
    """ "+" (confirm) unless the actor's last word is C; "×" (invalidate) unless it is I."""
    word = svc.word_of(competence, actor.code)
    buttons = []
    for slug, verdict, symbol, label in (
        ("confirmer", EndorsementVerdict.CONFIRMED, "+", _("Confirm this competence")),
        ("invalider", EndorsementVerdict.INVALIDATED, "×", _("Invalidate this competence")),
    ):
        if word is verdict:
            continue
        buttons.append(
            Markup(
                '<form method="post" action="{url}" class="imagin-inline">'
                '<input type="hidden" name="csrf_token" value="{token}">'
                '<button type="submit" class="btn btn-default btn-xs imagin-{slug}" '
                'title="{label}" aria-label="{label}">{symbol}</button></form>'
            ).format(
                url=url_for_verdict(competence.id, slug),
                token=_csrf_token(),
                slug=slug,
                label=label,
                symbol=symbol,
            )
        )
    return Markup(" ").join(buttons)


def _csrf_token() -> str:
    from flask_wtf.csrf import generate_csrf

    return generate_csrf()


def agent_tab_page(view, agent, *, actor=None, url_for_verdict=None, add_url=None, back_url=None):
    """The three tabs of an agent (competences, establishments, teachings)."""
    tab = request.args.get("onglet", "competences")
    if tab not in dict(TABS):
        tab = "competences"
    if tab == "competences":
        editable = actor is not None
        columns = COMPETENCE_COLUMNS + ((ACTIONS,) if editable else ())
        rows = []
        for competence in svc.competences_of(db.session, agent):
            paper = competence.paper
            cells = {
                "exam": paper.specialty.exam.name,
                "specialty": str(paper.specialty),
                "paper": str(paper),
                "authors": svc.trail_text(competence),
            }
            if editable:
                cells["actions"] = _action_buttons(competence, actor, url_for_verdict)
            rows.append(listing.Row(cells, css="struck" if svc.is_invalidated(competence) else ""))
        title = _("List of competences")
        default_sort = None
    elif tab == "etablissements":
        columns = ESTABLISHMENT_COLUMNS
        rows = [
            listing.Row(
                {
                    "uai": link.establishment.uai,
                    "name": f"{link.establishment.name} {link.establishment.town}",
                    "link_type": link.link_type.label,
                    "discipline_code": link.discipline.code if link.discipline else "",
                    "discipline": link.discipline.name if link.discipline else "",
                }
            )
            for link in svc.establishments_of(db.session, agent)
        ]
        title = _("List of establishments")
        default_sort = "uai"
    else:
        columns = TEACHING_COLUMNS
        rows = [
            listing.Row(
                {
                    "establishment": f"{t.establishment.name} {t.establishment.town}",
                    "mef": t.mef.name,
                    "mef_type": t.mef.mef_type,
                    "subject": t.subject.name,
                    "modality": t.modality,
                }
            )
            for t in svc.teachings_of(db.session, agent)
        ]
        title = _("List of teachings")
        default_sort = "mef"
    args = listing.parse_args(request.args, columns, default_sort=default_sort)
    page = listing.build_page(columns, rows, **args)
    return render_list_page(
        view,
        "imagin/competences/agent.html",
        page,
        f"list-{tab}",
        list_title=title,
        tabs=TABS,
        tab=tab,
        agent=agent,
        add_url=add_url if tab == "competences" else None,
        back_url=back_url,
        show_agent=back_url is not None,
    )


def add_page(view, agent, actor, allowed, *, options_url, done_url):
    """The "Ajouter compétence" form: exam, then specialty, then paper option."""
    source = request.form if request.method == "POST" else request.args
    exam_id = parse_id(source.get("exam"))
    specialty_id = parse_id(source.get("specialty"))
    paper_id = parse_id(source.get("paper"))
    if request.method == "POST" and "create" in request.form:
        try:
            svc.add_competence(db.session, agent, paper_id or -1, actor, allowed=allowed)
        except DomainError as error:
            flash(str(transaction.refused(error)), "danger")
        else:
            flash(_("The competence has been created."), "success")
            return redirect(done_url)
    specialties = svc.specialties(db.session, exam_id, allowed) if exam_id else []
    if specialty_id not in {s.id for s in specialties}:
        specialty_id = None
    papers = svc.papers(db.session, specialty_id, allowed) if specialty_id else []
    return view.render_template(
        "imagin/competences/add.html",
        title=_("Add competence"),
        agent=agent,
        exams=svc.exams(db.session, allowed),
        specialties=specialties,
        papers=papers,
        exam_id=exam_id,
        specialty_id=specialty_id,
        paper_id=paper_id,
        options_url=options_url,
        back_url=done_url,
        show_agent=view.__class__ is not CompetenceEntryView,
    )


def options(allowed):
    """Specialties of an exam, or papers of a specialty, for the cascading lists."""
    if "exam" in request.args:
        items = svc.specialties(db.session, parse_id(request.args["exam"]) or -1, allowed)
    elif "specialty" in request.args:
        items = svc.papers(db.session, parse_id(request.args["specialty"]) or -1, allowed)
    else:
        items = []
    return jsonify([{"id": item.id, "label": str(item)} for item in items])


def _endorse(agent, actor, competence_id, slug):
    verdict = VERDICTS.get(slug)
    if verdict is None:
        abort(404)
    try:
        svc.endorse(db.session, agent, competence_id, actor, verdict)
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(str(transaction.refused(error)), "warning")
    else:
        if verdict is EndorsementVerdict.CONFIRMED:
            flash(_("The competence is confirmed (%(code)s).", code=actor.code), "success")
        else:
            flash(_("The competence is invalidated (%(code)s).", code=actor.code), "success")


class CompetenceConsultationView(BaseView):
    """Consultation compétences: the teacher's three tabs, read-only."""

    route_base = "/competences/consultation"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        agent = own_agent()
        if agent is None:
            return redirect(url_for("HomeView.index"))
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
        _endorse(agent, actor, competence_id, verdict)
        return redirect(url_for("CompetenceEntryView.index"))


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
        _endorse(agent, actor, competence_id, verdict)
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
        head = agent_of(db.session, current_user)
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
        manager = manager_of(db.session, current_user)
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
