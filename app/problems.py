"""The REST API's answers to errors: ``application/problem+json`` (RFC 9457) with a
French ``detail``, never an HTML page. ``app.web`` and ``app.transaction`` ask
``is_api_request`` first and answer an API request here."""

from __future__ import annotations

import json
from http import HTTPStatus

from flask import Response, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

API_PREFIX = "/api/"
MIMETYPE = "application/problem+json"

DETAILS = {
    400: _l("The request is not valid."),
    401: _l("A valid API token is required (header « Authorization: Bearer <token> »)."),
    403: _l("The token of this client does not give access to this resource."),
    404: _l("This resource does not exist, or the client may not see it."),
    405: _l("This method is not allowed on this resource."),
    409: _l("This record was just changed by someone else: try again."),
    413: _l("The request is too large."),
    415: _l("The content type of the request is not supported."),
    422: _l("The data sent is not valid."),
    429: _l("Too many requests: wait a moment before trying again."),
    500: _l("An unexpected error occurred. The team has been told; please try again later."),
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def _text(value) -> str:
    with force_locale("fr"):
        return str(value)


def problem(
    status: int,
    detail=None,
    *,
    errors: list[dict] | None = None,
    headers: dict | None = None,
) -> Response:
    """A problem response: ``detail`` (a lazy string, shown in French) defaults to the
    status's own message; ``errors`` lists ``{field, message}``."""
    if detail is None:
        detail = DETAILS.get(status, DETAILS[400] if status < 500 else DETAILS[500])
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body = {"type": "about:blank", "title": title, "status": status, "detail": _text(detail)}
    if errors is not None:
        body["errors"] = [
            {"field": str(item["field"]), "message": _text(item["message"])} for item in errors
        ]
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MIMETYPE)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="imagin"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class ApiError(Exception):
    """An API refusal raised by a view: answered with ``problem``."""

    def __init__(self, status: int, detail=None, *, errors: list[dict] | None = None):
        super().__init__(str(detail or status))
        self.status = status
        self.detail = detail
        self.errors = errors


# marshmallow's and webargs's own messages (English), as the API says them in French.
FIELD_MESSAGES = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field may not be empty."),
    "Unknown field.": _l("Unknown field."),
    "Not a valid integer.": _l("A whole number is expected."),
    "Not a valid string.": _l("A text is expected."),
    "Not a valid date.": _l("A date is expected (YYYY-MM-DD)."),
    "Not a valid boolean.": _l("true or false is expected."),
    "Not a valid list.": _l("A list is expected."),
    "Not a valid number.": _l("A number is expected."),
    "Invalid input type.": _l("This value is not of the expected type."),
    "Invalid input.": _l("This value is not valid."),
    "Invalid value.": _l("This value is not valid."),
    "Shorter than minimum length 1.": _l("This field may not be empty."),
}
INVALID = _l("This value is not valid.")


def _message(value) -> object:
    """marshmallow's message in French; the API's own schemas give theirs in French."""
    if not isinstance(value, str):
        return INVALID
    return FIELD_MESSAGES.get(value, value)


def field_errors(messages, prefix: str = "") -> list[dict]:
    """webargs's ``{location: {field: [messages]}}`` (nested for lists and objects) as a
    flat list of ``{field, message}``, ``field`` a dotted path (``lignes.3.nature``)."""
    found: list[dict] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "body"
            found.extend(field_errors(value, name))
    elif isinstance(messages, list | tuple):
        for value in messages:
            if isinstance(value, dict | list | tuple):
                found.extend(field_errors(value, prefix))
            else:
                found.append({"field": prefix or "body", "message": _message(value)})
    else:
        found.append({"field": prefix or "body", "message": _message(messages)})
    return found


LOCATIONS = ("query", "json", "path", "headers", "form", "files", "view_args")


def from_http_error(error) -> Response:
    """An HTTPException met on an API request (a webargs validation error carries its
    messages in ``data``)."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = None
    if "messages" in data:
        messages = data["messages"]
        if isinstance(messages, dict) and set(messages) <= set(LOCATIONS):
            errors = [e for location in messages.values() for e in field_errors(location)]
        else:
            errors = field_errors(messages)
    headers = {}
    if code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    if code == 429:
        headers["Retry-After"] = "60"
    return problem(code, errors=errors, headers=headers)
