"""What every API blueprint shares: the documented scope of an endpoint, a page's
links, the refusals of the services as problems."""

from __future__ import annotations

from flask import request, url_for
from flask_smorest import Blueprint

from app import transaction
from app.problems import problem
from app.services import DomainError, NotFound

from .auth import requires

SECURITY = [{"bearerAuth": []}]


def api_blueprint(name: str, import_name: str, url_prefix: str, description: str) -> Blueprint:
    blueprint = Blueprint(name, import_name, url_prefix=url_prefix, description=description)
    blueprint.register_error_handler(NotFound, _not_found)
    blueprint.register_error_handler(DomainError, _refused)
    return blueprint


def _not_found(error: NotFound):
    transaction.refused(error)
    return problem(404)


def _refused(error: DomainError):
    """A rule of the services refused the write: 422 with its French message; nothing
    the request wrote is kept."""
    message = transaction.refused(error)
    field = getattr(error, "field", None)
    errors = [{"field": field, "message": message}] if field else None
    lines = getattr(error, "errors", None)  # a refused return: its wrong lines
    if lines:
        errors = [
            # A record named by its field; a line of a return file: line 1 is its header,
            # so the request's first line is line 2.
            {
                "field": getattr(line, "field", None) or f"lignes.{max(0, line.line - 2)}",
                "message": str(line),
            }
            for line in lines
        ]
    return problem(422, message, errors=errors)


def scoped(blueprint: Blueprint, scope: str):
    """The endpoint needs a token with ``scope`` (said in its documentation)."""

    def decorate(view):
        view = requires(scope)(view)
        return blueprint.doc(security=SECURITY, description=f"Permission requise : `{scope}`.")(
            view
        )

    return decorate


def page_body(found, item_dump=None) -> dict:
    """A page as the API returns it, with the links to the next and previous pages."""
    args = request.args.to_dict()
    view_args = request.view_args or {}

    def link(number: int) -> str:
        return url_for(
            request.endpoint, **view_args, **(args | {"page": number, "page_size": found.page_size})
        )

    return {
        "items": found.items,
        "total": found.total,
        "page": found.page,
        "page_size": found.page_size,
        "links": {
            "self": link(found.page),
            "next": link(found.page + 1) if found.has_next else None,
            "prev": link(found.page - 1) if found.page > 1 else None,
        },
    }
