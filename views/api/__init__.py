"""The REST API v1 (flask-smorest): machine clients with a bearer token, one académie
each, scopes, a rate limit per client, ``application/problem+json`` errors, and the
OpenAPI specification at ``/api/v1/_openapi`` (generated from the very schemas that
validate the requests and shape the answers)."""

from __future__ import annotations

import http

from flask import Flask, current_app, jsonify
from flask_login import current_user
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from app.extensions import csrf
from app.problems import MIMETYPE, ApiError

from . import resources, schemas
from .auth import current_client, rate_limit, rate_limit_key

SPEC_URL = "/api/v1/_openapi"
DOC_VIEW = "ApiDocView"


class ImaginApi(Api):
    """flask-smorest, without its own error handlers (``app.web`` answers every error
    of an ``/api/`` URL as a problem) and with the problems' content type."""

    ERROR_SCHEMA = schemas.Problem

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {
            "description": "Erreur (application/problem+json, détail en français).",
            "schema": self.ERROR_SCHEMA,
        }
        prepare_response(response, self.spec, MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def _may_read_spec() -> bool:
    """A valid token, or an administrator's session (the documentation page)."""
    if current_client() is not None:
        return True
    if not current_user.is_authenticated:
        return False
    return current_app.appbuilder.sm.has_access("can_index", DOC_VIEW)


def openapi():
    if not _may_read_spec():
        raise ApiError(401)
    response = jsonify(current_app.extensions["imagin_api"].spec.to_dict())
    response.headers["Cache-Control"] = "no-store"
    return response


DESCRIPTION = (
    "L'API REST d'IMAG'IN pour les systèmes d'information de l'académie. Chaque client "
    "(créé par un administrateur, écran « Clients API ») s'authentifie par l'en-tête "
    "`Authorization: Bearer <jeton>`, ne voit que les données de son académie et ne peut "
    "que ce que ses permissions autorisent. Les erreurs sont en `application/problem+json` "
    "avec un `detail` en français ; les listes sont paginées (`page`, `page_size` ≤ 100)."
)


def init_api(app: Flask) -> None:
    api = ImaginApi(
        spec_kwargs={
            "title": "IMAG'IN",
            "version": "1",
            "openapi_version": "3.0.3",
            "info": {"description": DESCRIPTION},
        }
    )
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "Jeton du client (imagin_…)."},
    )
    limiter = app.appbuilder.sm.limiter
    shared = limiter.shared_limit(rate_limit, scope="api", key_func=rate_limit_key)
    for blueprint in resources.BLUEPRINTS:
        # Token only: a session cookie never authenticates a call, so no CSRF to check.
        csrf.exempt(blueprint)
        shared(blueprint)
        api.register_blueprint(blueprint)
    app.add_url_rule(SPEC_URL, "api_openapi", openapi, methods=["GET"])
    app.extensions["imagin_api"] = api
