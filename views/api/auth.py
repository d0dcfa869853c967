"""Who calls the API: the machine client of the ``Authorization: Bearer`` token (a
browser's session cookie opens nothing here), what it may do (its scopes) and how
often (Flask-Limiter, per client)."""

from __future__ import annotations

import functools

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from app.extensions import db
from app.problems import ApiError
from app.services.interfaces import clients
from models import ApiClient

_NONE = object()


def current_client() -> ApiClient | None:
    """The active client of the request's bearer token (read once per request)."""
    found = g.get("imagin_api_client", _NONE)
    if found is _NONE:
        header = request.headers.get("Authorization", "")
        scheme, _space, token = header.partition(" ")
        found = None
        if scheme.lower() == "bearer" and token.strip():
            found = clients.authenticate(db.session, token.strip())
        g.imagin_api_client = found
    return found


def rate_limit_key() -> str:
    """Flask-Limiter's key: the client (its public prefix), or the address of a caller
    without a valid token (so guessing tokens is rate-limited too)."""
    client = current_client()
    if client is not None:
        return f"api-client:{client.prefix}"
    return f"api-anonymous:{get_remote_address()}"


def rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def requires(scope: str):
    """The view runs for a client holding ``scope``; 401 without a valid token, 403
    without the scope. The view gets the client's académie id first."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            client = current_client()
            if client is None:
                raise ApiError(401)
            if not clients.has_scope(client, scope):
                raise ApiError(403)
            return view(*args, academy_id=client.academy_id, **kwargs)

        wrapper._imagin_scope = scope
        return wrapper

    return decorate
