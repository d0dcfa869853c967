"""Affectation automatique (issue 17 §5): the manager chooses a session (and optionally
missions), the proposal runs as a job, then the manager reviews it (totals, missions
left unfilled and why, per mission the agents proposed and why), removes or swaps
agents, convokes the whole proposal in one job, and later refills the freed places.

Thin: every rule is in ``app.services.missions.assignment.runs``; this module parses the
request, calls it and renders what it returns."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import transaction
from app.bounds import MAX_PAGE, parse_id, parse_int
from app.extensions import db
from app.services import DomainError, NotFound
from app.services.missions.assignment import runs
from app.services.missions.assignment.problem import Weights

from .base import manager_screen

# The weights' form fields, their defaults and French help (one line each).
WEIGHTS = (
    ("travel", Weights.travel, _l("Weight of a kilometre")),
    ("spread", Weights.spread, _l("Cost of one more mission for the same contributor")),
    ("wish", Weights.wish, _l("Gain of an expressed wish")),
)
MAX_SEARCH = 100
PER_PAGE = 25
# The form's fields and the longest text kept of each (the service says what is wrong).
FIELDS = {"exam_session_id": 20, "mission_numbers": 20_000} | {
    name: 20 for name, _default, _help in WEIGHTS
}


def _review_args() -> dict:
    return {
        "page": parse_int(request.args.get("page"), 1, minimum=1, maximum=MAX_PAGE),
        "only_gaps": request.args.get("non_pourvues") == "1",
        "search": (request.args.get("q") or "").strip()[:MAX_SEARCH],
    }


class AssignmentView(BaseView):
    """The manager's « Affectation automatique »."""

    route_base = "/affectation-automatique"
    default_view = "index"

    def _index_page(self, academy_id, *, typed=None, errors=None, status=200):
        typed = typed or {}
        page = self.render_template(
            "imagin/assignment/index.html",
            title=_("Automatic assignment"),
            sessions=runs.sessions(db.session, academy_id),
            recent=runs.runs(db.session, academy_id),
            weights=WEIGHTS,
            typed=typed,
            errors=errors or {},
        )
        return page, status

    @expose("/")
    @has_access
    @manager_screen
    def index(self, academy_id):
        return self._index_page(academy_id)

    @expose("/lancer", methods=["POST"])
    @has_access
    @manager_screen
    def start(self, academy_id):
        # As typed (the service checks them; they are shown back with the errors).
        typed = {name: (request.form.get(name) or "")[:limit] for name, limit in FIELDS.items()}
        try:
            run = runs.start(
                db.session,
                academy_id,
                exam_session_id=typed["exam_session_id"],
                mission_numbers=typed["mission_numbers"],
                weights={name: typed[name] for name, _default, _help in WEIGHTS},
                by_user_id=current_user.id,
            )
        except DomainError as error:
            message = transaction.refused(error)
            errors = dict(getattr(error, "errors", None) or {})
            if not errors:
                flash(str(message), "danger")
            return self._index_page(academy_id, typed=typed, errors=errors, status=422)
        return redirect(url_for("AssignmentView.run", assignment_run_id=run.id))

    def _run_page(self, academy_id, run_id, *, swapping=None, swap_error=None, status=200):
        args = _review_args()
        try:
            review = runs.review(db.session, academy_id, run_id, per_page=PER_PAGE, **args)
        except NotFound:
            abort(404)
        options = []
        if swapping is not None:
            try:
                options = runs.swap_options(db.session, academy_id, run_id, swapping)
            except NotFound:
                abort(404)
            except DomainError as error:
                swap_error = swap_error or transaction.refused(error)
        page = self.render_template(
            "imagin/assignment/run.html",
            title=_("Automatic assignment"),
            review=review,
            session_label=runs.session_label(review.run.exam_session),
            args=args,
            swapping=swapping,
            swap_options=options,
            swap_error=swap_error,
        )
        return page, status

    @expose("/<int:assignment_run_id>")
    @has_access
    @manager_screen
    def run(self, academy_id, assignment_run_id):
        swapping = parse_id(request.args.get("remplacer"))
        return self._run_page(academy_id, assignment_run_id, swapping=swapping)

    def _back(self, run_id):
        return redirect(url_for("AssignmentView.run", assignment_run_id=run_id, **_kept_args()))

    @expose("/<int:assignment_run_id>/retirer/<int:line_id>", methods=["POST"])
    @has_access
    @manager_screen
    def remove(self, academy_id, assignment_run_id, line_id):
        try:
            runs.remove(
                db.session, academy_id, assignment_run_id, line_id, by_user_id=current_user.id
            )
        except NotFound:
            abort(404)
        except DomainError as error:
            flash(str(transaction.refused(error)), "danger")
        else:
            flash(_("The contributor is removed from the proposal: the place is free."), "success")
        return self._back(assignment_run_id)

    @expose("/<int:assignment_run_id>/remplacer/<int:line_id>", methods=["POST"])
    @has_access
    @manager_screen
    def swap(self, academy_id, assignment_run_id, line_id):
        agent_id = parse_id(request.form.get("agent_id"))
        if agent_id is None:
            transaction.mark_failed()
            return self._run_page(
                academy_id,
                assignment_run_id,
                swapping=line_id,
                swap_error=_l("Choose the contributor who takes the place."),
                status=422,
            )
        try:
            runs.swap(
                db.session,
                academy_id,
                assignment_run_id,
                line_id,
                agent_id,
                by_user_id=current_user.id,
            )
        except NotFound:
            abort(404)
        except DomainError as error:
            message = transaction.refused(error)
            return self._run_page(
                academy_id, assignment_run_id, swapping=line_id, swap_error=message, status=422
            )
        flash(_("The place is given to the chosen contributor."), "success")
        return self._back(assignment_run_id)

    @expose("/<int:assignment_run_id>/convoquer", methods=["GET", "POST"])
    @has_access
    @manager_screen
    def convoke(self, academy_id, assignment_run_id):
        if request.method == "GET":
            try:
                review = runs.review(db.session, academy_id, assignment_run_id, per_page=1)
            except NotFound:
                abort(404)
            if not review.may_convoke:
                flash(_("This proposal cannot be convoked now."), "warning")
                return self._back(assignment_run_id)
            return self.render_template(
                "imagin/assignment/convoke.html",
                title=_("Automatic assignment"),
                review=review,
            )
        try:
            runs.convoke(db.session, academy_id, assignment_run_id, by_user_id=current_user.id)
        except NotFound:
            abort(404)
        except DomainError as error:
            flash(str(transaction.refused(error)), "danger")
        return redirect(url_for("AssignmentView.run", assignment_run_id=assignment_run_id))

    @expose("/<int:assignment_run_id>/completer", methods=["POST"])
    @has_access
    @manager_screen
    def refill(self, academy_id, assignment_run_id):
        try:
            run = runs.refill(db.session, academy_id, assignment_run_id, by_user_id=current_user.id)
        except NotFound:
            abort(404)
        except DomainError as error:
            flash(str(transaction.refused(error)), "danger")
            return self._back(assignment_run_id)
        return redirect(url_for("AssignmentView.run", assignment_run_id=run.id))


def _kept_args() -> dict:
    """The review's page, search and filter, kept after an action (from the form)."""
    kept = {}
    page = parse_int(request.form.get("page"), 1, minimum=1, maximum=MAX_PAGE)
    if page > 1:
        kept["page"] = page
    search = (request.form.get("q") or "").strip()[:MAX_SEARCH]
    if search:
        kept["q"] = search
    if request.form.get("non_pourvues") == "1":
        kept["non_pourvues"] = "1"
    return kept
