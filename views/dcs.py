"""The Enquête DCS: the teacher's six steps (« Etape Précédente », « Etape Suivante »,
« Valider mes réponses ») and the managers' screen (who answered, one teacher's
answers, the CSV export as a job). Thin: ``app.services.dcs``."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_login import current_user

from app import transaction
from app.bounds import parse_id
from app.extensions import db
from app.jobs import queue as jobs
from app.services import DomainError, NotFound
from app.services.dcs import answers as manager_side
from app.services.dcs import survey
from models.enums import DcsPart, DcsSituation

from .base import agent_screen, manager_screen

ACTIONS = ("previous", "next", "validate")


def _parsed(step: int) -> dict:
    """The step's fields as typed (the service checks them)."""
    form = request.form
    if step == 1:
        name = form.get("situation", "")
        return {
            "situation": DcsSituation[name] if name in DcsSituation.__members__ else None,
            "situation_detail": form.get("situation_detail", ""),
        }
    if step == 2:
        return {"establishments": form.get("establishments", "")}
    if step == 4:
        return {
            "vae_available": {"yes": True, "no": False}.get(form.get("vae_available", "")),
            "vae_comment": form.get("vae_comment", ""),
        }
    ids = [parse_id(value) or -1 for value in form.getlist("papers")]
    data: dict = {"papers": ids}
    if step == 6:
        data["oral_places"] = form.get("oral_places", "")
    return data


def _values(page: survey.StepPage, agent, typed: dict | None) -> dict:
    """What the fields show: the answers saved, or what the teacher just typed."""
    answer = page.answer
    if typed is not None:
        values = dict(typed)
        if "papers" in values:
            values["papers"] = set(values["papers"])
        return values
    establishments = answer.establishments
    if answer.id is None or (establishments is None and page.step == 2):
        establishments = survey.initial_establishments(agent)
    return {
        "situation": answer.situation,
        "situation_detail": answer.situation_detail or "",
        "establishments": establishments or "",
        "vae_available": answer.vae_available,
        "vae_comment": answer.vae_comment or "",
        "papers": page.chosen,
        "oral_places": answer.oral_places or "",
    }


class DcsSurveyView(BaseView):
    """Enquête DCS: one page per step."""

    route_base = "/enquete-dcs"
    default_view = "index"

    @expose("/")
    @has_access
    @agent_screen
    def index(self, agent):
        answer = survey.answer_of(db.session, agent)
        return redirect(url_for("DcsSurveyView.step", step=answer.step or 1))

    @expose("/etape/<int:step>", methods=["GET", "POST"])
    @has_access
    @agent_screen
    def step(self, agent, step: int):
        if not 1 <= step <= survey.LAST:
            abort(404)
        errors: dict = {}
        typed = None
        status = 200
        if request.method == "POST":
            action = request.form.get("action")
            if action not in ACTIONS:
                abort(400)
            typed = _parsed(step)
            try:
                if action == "validate" and step == survey.LAST:
                    survey.validate(db.session, agent, typed)
                    flash(
                        _(
                            "Your answers are confirmed. You may still change them while"
                            " the survey is open."
                        ),
                        "success",
                    )
                    return redirect(url_for("DcsSurveyView.step", step=step))
                survey.save_step(db.session, agent, step, typed, complete=action != "previous")
                target = step - 1 if action == "previous" else step + 1
                target = min(max(target, 1), survey.LAST)
                flash(_("Step %(number)s saved.", number=step), "success")
                return redirect(url_for("DcsSurveyView.step", step=target))
            except survey.InvalidAnswers as error:
                transaction.refused(error)
                errors = error.errors
                flash(str(error.message), "danger")
                status = 422
            except DomainError as error:
                flash(str(transaction.refused(error)), "danger")
                status = 422
        page = survey.step_page(db.session, agent, step)
        return (
            self.render_template(
                "imagin/dcs/step.html",
                title=_("DCS survey"),
                page=page,
                values=_values(page, agent, typed),
                errors=errors,
                situations=list(DcsSituation),
            ),
            status,
        )


class DcsAnswersView(BaseView):
    """Réponses à l'enquête DCS: the académie's DCS teachers and their answers."""

    route_base = "/enquete-dcs/reponses"
    default_view = "index"

    @expose("/")
    @has_access
    @manager_screen
    def index(self, academy_id):
        opens, closes = survey.window(db.session, academy_id)
        return self.render_template(
            "imagin/dcs/answers.html",
            title=_("DCS survey answers"),
            rows=manager_side.rows(db.session, academy_id),
            opens=opens,
            closes=closes,
            is_open=survey.is_open(db.session, academy_id),
        )

    @expose("/<int:agent_id>")
    @has_access
    @manager_screen
    def show(self, academy_id, agent_id: int):
        try:
            row = manager_side.answer_for(db.session, academy_id, agent_id)
        except NotFound:
            abort(404)
        return self.render_template(
            "imagin/dcs/answer.html",
            title=_("DCS survey answers"),
            row=row,
            steps=dict(survey.STEPS),
            parts=DcsPart,
            papers_text=manager_side.papers_text,
            yes_no=manager_side.yes_no,
            uai_codes=survey.uai_codes,
        )

    @expose("/exporter", methods=["POST"])
    @has_access
    @manager_screen
    def export(self, academy_id):
        job = jobs.start(
            db.session, academy_id, manager_side.JOB_KIND, started_by_id=current_user.id
        )
        flash(_("The export is queued: this page follows it."), "success")
        return redirect(url_for("JobView.show", job_id=job.id))
