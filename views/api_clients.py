"""Administration: the machine clients of the REST API (« Clients API »): list,
create (the token is shown once), revoke; and the API's interactive documentation
(Swagger UI served from the ``swagger-ui-bundle`` package, no CDN). Thin: the rules
are in ``app.services.interfaces.clients``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import abort, flash, redirect, request, send_from_directory, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_login import current_user

from app import transaction
from app.extensions import db
from app.services import DomainError, NotFound
from app.services.common import clock
from app.services.interfaces import clients

# The files of Swagger UI the documentation page loads.
SWAGGER_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js")
ASSET_CHOICES = ", ".join(f'"{name}"' for name in SWAGGER_ASSETS)
DEFAULT_DAYS = 365


def _client_or_404(client_id: int):
    try:
        return clients.client(db.session, client_id)
    except NotFound:
        abort(404)


class ApiClientView(BaseView):
    route_base = "/administration/clients-api"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self.render_template(
            "imagin/api/clients.html",
            title=_("API clients"),
            clients=clients.clients(db.session),
            now=clock.now(),
            state_label=clients.state_label,
            may_revoke=clients.may_revoke,
            scopes=clients.SCOPES,
        )

    def _form(self, values: dict, errors: dict, status: int = 200):
        return (
            self.render_template(
                "imagin/api/client_form.html",
                title=_("New API client"),
                academies=clients.academies(db.session),
                scopes=clients.SCOPES,
                values=values,
                errors=errors,
            ),
            status,
        )

    @expose("/nouveau", methods=["GET", "POST"])
    @has_access
    def create(self):
        academies = clients.academies(db.session)
        if request.method == "GET":
            default = clock.today() + dt.timedelta(days=DEFAULT_DAYS)
            return self._form(
                {
                    "name": "",
                    "academy": academies[0].id if len(academies) == 1 else None,
                    "scopes": [],
                    "expires_on": default.isoformat(),
                },
                {},
            )
        form = request.form
        values = {
            "name": form.get("name", "")[:200],
            "academy": form.get("academy", "")[:12],
            "scopes": form.getlist("scopes")[:20],
            "expires_on": form.get("expires_on", "")[:20],
        }
        try:
            expires_on = dt.date.fromisoformat(values["expires_on"])
        except ValueError:
            expires_on = None
        academy_id = int(values["academy"]) if values["academy"].isdigit() else None
        try:
            created = clients.create(
                db.session,
                academy_id=academy_id if academy_id and academy_id < 2**31 else None,
                name=values["name"],
                scopes=values["scopes"],
                expires_on=expires_on,
                by_user_id=current_user.id,
            )
        except clients.FieldError as error:
            message = transaction.refused(error)
            return self._form(values, {error.field: message}, 422)
        page = self.render_template(
            "imagin/api/client_created.html",
            title=_("New API client"),
            client=created.client,
            token=created.token,
            scopes=clients.SCOPES,
        )
        return page, 201, {"Cache-Control": "no-store"}

    @expose("/<int:client_id>/revoquer", methods=["POST"])
    @has_access
    def revoke(self, client_id):
        client = _client_or_404(client_id)
        try:
            clients.revoke(db.session, client)
        except DomainError as error:
            flash(str(transaction.refused(error)), "warning")
        else:
            flash(
                _("The client « %(name)s » is revoked: its token is refused.", name=client.name),
                "success",
            )
        return redirect(url_for("ApiClientView.index"))


class ApiDocView(BaseView):
    """The API's interactive documentation, for administrators."""

    route_base = "/administration/api"
    default_view = "index"

    @expose("/documentation")
    @has_access
    def index(self):
        return self.render_template(
            "imagin/api/documentation.html",
            title=_("API documentation"),
            spec_url=url_for("api_openapi"),
        )

    @expose(f"/documentation/<any({ASSET_CHOICES}):asset>")
    @has_access
    def asset(self, asset):
        from swagger_ui_bundle import swagger_ui_path

        return send_from_directory(Path(swagger_ui_path), asset, max_age=3600)
