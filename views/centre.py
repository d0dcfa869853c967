"""The head of the exam centre's « Constat de service fait »: the missions held in their
establishments, their convoked contributors, and recording the service done for some of
them or the whole mission. Thin: the scope and the rules are in
``app.services.payments.centre``."""

from __future__ import annotations

import functools

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _

from app import current, transaction
from app.bounds import parse_id
from app.extensions import db
from app.services import DomainError, NotFound
from app.services.common import clock
from app.services.payments import centre

from .base import render_list_page
from .payments import service_done_page


def head_screen(view_function):
    """The view gets the signed-in head's contributor file, or the user goes home with a
    console message (no contributor file)."""

    @functools.wraps(view_function)
    def wrapper(self, *args, **kwargs):
        head = current.agent()
        if head is None:
            flash(_("No contributor file is linked to your account."), "warning")
            return redirect(url_for("HomeView.index"))
        return view_function(self, head, *args, **kwargs)

    return wrapper


def _mission_or_404(head, mission_id: int):
    try:
        return centre.centre_mission(db.session, head, mission_id)
    except NotFound:
        abort(404)


class CentreServiceDoneView(BaseView):
    """Constat de service fait, by the head of the exam centre."""

    route_base = "/constat-service-fait"
    default_view = "index"
    list_id = "centre-service-done"

    @expose("/")
    @has_access
    @head_screen
    def index(self, head):
        statement = centre.centre_missions(head, clock.today())
        page = service_done_page(statement, "CentreServiceDoneView.mission")
        return render_list_page(
            self,
            "imagin/service_done/centre.html",
            page,
            self.list_id,
            list_title=_("Missions held in your establishments"),
            title=_("Service done statement"),
        )

    @expose("/<int:mission_id>")
    @has_access
    @head_screen
    def mission(self, head, mission_id):
        mission = _mission_or_404(head, mission_id)
        return self.render_template(
            "imagin/service_done/mission.html",
            title=_("Service done statement"),
            done=centre.mission_done(mission, clock.today()),
            record_url=url_for("CentreServiceDoneView.record", mission_id=mission.id),
            back_url=url_for("CentreServiceDoneView.index"),
            claim_endpoint=None,
        )

    @expose("/<int:mission_id>/enregistrer", methods=["POST"])
    @has_access
    @head_screen
    def record(self, head, mission_id):
        mission = _mission_or_404(head, mission_id)
        back = url_for("CentreServiceDoneView.mission", mission_id=mission_id)
        chosen = None
        if request.form.get("all") != "1":
            chosen = set(map(parse_id, request.form.getlist("assignment_id")))
            chosen.discard(None)
            if not chosen:
                flash(_("Select at least one contributor."), "warning")
                return redirect(back)
        try:
            count = centre.record(db.session, head, mission, chosen, today=clock.today())
        except DomainError as error:
            flash(str(transaction.refused(error)), "danger")
        else:
            flash(_("Service done recorded for %(count)s contributor(s).", count=count), "success")
        return redirect(back)
