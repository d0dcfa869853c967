"""« Conflits d'intérêts »: the conflicts of interest the académie's managers record
(an agent × an exam centre, or an agent × a mission, with a reason), listed with a
keyword filter, added and removed. Thin: the rules are in
``app.services.missions.conflicts``."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from app import transaction
from app.extensions import db
from app.services import NotFound
from app.services.common import listing
from app.services.missions import conflicts as svc

from .base import manager_screen, render_list_page

COLUMNS = (
    listing.Column("agent", _l("Contributor")),
    listing.Column("identifier", _l("Identifier")),
    listing.Column("target", _l("Exam centre or mission")),
    listing.Column("reason", _l("Reason")),
    listing.Column("author", _l("Entered by")),
    listing.Column("created", _l("Recorded on"), listing.DATE),
    listing.Column("actions", _l("Actions"), sortable=False, searchable=False),
)
FIELDS = ("agent", "centre", "mission", "reason")


class AssignmentConflictView(BaseView):
    """The académie's conflicts of interest."""

    route_base = "/conflits-interets"
    default_view = "index"

    @expose("/")
    @has_access
    @manager_screen
    def index(self, academy_id):
        params = listing.parse_args(request.args, COLUMNS)
        page = svc.academy_page(db.session, academy_id, COLUMNS, per_page=50, **params)
        for row in page.rows:
            conflict = row.cells["conflict"]
            row.cells = {
                "agent": conflict.agent.full_name,
                "identifier": conflict.agent.identifier,
                "target": svc.target_label(conflict),
                "reason": conflict.reason,
                "author": conflict.created_by.get_full_name() if conflict.created_by else "",
                "created": conflict.created_at.date(),
                "actions": Markup('<a href="{}" aria-label="{}">{}</a>').format(
                    url_for("AssignmentConflictView.delete", conflict_id=conflict.id),
                    _("Delete the conflict of interest of %(name)s", name=conflict.agent.full_name),
                    _("Delete"),
                ),
            }
        return render_list_page(
            self,
            "imagin/conflicts/list.html",
            page,
            "conflicts",
            list_title=_("Recorded conflicts of interest"),
            title=_("Conflicts of interest"),
        )

    def _form(self, values: dict, errors: dict, status: int = 200):
        return (
            self.render_template(
                "imagin/conflicts/form.html",
                title=_("Conflicts of interest"),
                values=values,
                errors=errors,
                max_reason=svc.MAX_REASON,
            ),
            status,
        )

    @expose("/ajouter", methods=["GET", "POST"])
    @has_access
    @manager_screen
    def add(self, academy_id):
        if request.method == "GET":
            values = {name: request.args.get(name, "")[:20] for name in ("centre", "mission")}
            return self._form(values, {})
        values = {name: request.form.get(name, "")[: svc.MAX_REASON + 100] for name in FIELDS}
        try:
            conflict = svc.record(db.session, academy_id, values, by_user_id=current_user.id)
        except svc.ConflictErrors as error:
            transaction.refused(error)
            return self._form(values, error.errors, 422)
        flash(
            _(
                "The conflict of interest of %(name)s is recorded: they will not be offered"
                " for %(target)s.",
                name=conflict.agent.full_name,
                target=svc.target_label(conflict),
            ),
            "success",
        )
        return redirect(url_for("AssignmentConflictView.index"))

    @expose("/<int:conflict_id>/supprimer", methods=["GET", "POST"])
    @has_access
    @manager_screen
    def delete(self, academy_id, conflict_id):
        try:
            conflict = svc.academy_conflict(db.session, academy_id, conflict_id)
        except NotFound:
            abort(404)
        if request.method == "POST":
            name = conflict.agent.full_name
            svc.remove(db.session, conflict)
            flash(_("The conflict of interest of %(name)s is removed.", name=name), "success")
            return redirect(url_for("AssignmentConflictView.index"))
        return self.render_template(
            "imagin/conflicts/delete.html",
            title=_("Conflicts of interest"),
            conflict=conflict,
            target=svc.target_label(conflict),
        )
