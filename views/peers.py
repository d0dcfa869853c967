"""Administration: the other académies read as peers (« Académies extérieures »): for
each, the base URL of its REST API, the token of the API client it gave us (kept
encrypted, never shown again) and whether the portal calls it. Thin: the rules are in
``app.services.interfaces.peers``."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _

from app import transaction
from app.extensions import db
from app.services import NotFound
from app.services.interfaces import peers


def _own_id() -> int | None:
    return peers.served_academy_id(db.session, current_app.config["IMAGIN_ACADEMY_CODE"])


class PeerAcademyView(BaseView):
    route_base = "/administration/academies-exterieures"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self.render_template(
            "imagin/api/peers.html",
            title=_("Other academies"),
            academies=peers.peers(db.session, _own_id()),
            state_label=peers.state_label,
            has_token=peers.has_token,
        )

    def _form(self, academy, values: dict, errors: dict, status: int = 200):
        return (
            self.render_template(
                "imagin/api/peer_form.html",
                title=_("Academy of %(name)s", name=academy.name),
                peer_academy=academy,
                has_token=peers.has_token(academy),
                values=values,
                errors=errors,
            ),
            status,
        )

    @expose("/<int:academy_id>", methods=["GET", "POST"])
    @has_access
    def edit(self, academy_id: int):
        try:
            academy = peers.peer(db.session, _own_id(), academy_id)
        except NotFound:
            abort(404)
        if request.method == "GET":
            values = {"api_url": academy.api_url or "", "enabled": academy.peer_enabled}
            return self._form(academy, values, {})
        form = request.form
        values = {
            "api_url": form.get("api_url", "")[:400],
            "enabled": form.get("enabled") == "1",
            "clear_token": form.get("clear_token") == "1",
        }
        try:
            peers.configure(
                db.session,
                academy,
                api_url=values["api_url"],
                token=form.get("token", "")[:200],
                enabled=values["enabled"],
                clear_token=values["clear_token"],
                allow_local_http=current_app.debug or current_app.testing,
            )
        except peers.FieldError as error:
            message = transaction.refused(error)
            return self._form(academy, values, {error.field: message}, 422)
        flash(_("The academy of %(name)s is saved.", name=academy.name), "success")
        return redirect(url_for("PeerAcademyView.index"))
