"""The competence pages every side shows: an agent's tabs (competences with the author
trail and the endorsement buttons, establishments, teachings), the add page and its
options, an endorsement.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app import transaction
from app.bounds import parse_id
from app.extensions import db
from app.services import DomainError, NotFound
from app.services.common import listing
from app.services.competences import rules as svc
from models.enums import EndorsementVerdict

from ..base import render_list_page

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


def add_page(view, agent, actor, allowed, *, options_url, done_url, show_agent=True):
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
        show_agent=show_agent,
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


def endorse(agent, actor, competence_id, slug):
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
