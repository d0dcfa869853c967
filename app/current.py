"""What a request asks about its signed-in user, read once per request: the services
(roles), the contributor file, the manager file, the activities' openings. The shell
(menu, name in the header), the opening check and the views ask several times; the
database is asked once. Kept for the request only (``flask.g``, tied to the request
object), so a change is seen by the next request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user

from app.extensions import db
from app.services.people import users
from app.services.portal import activities, audience


def _memo(name: str, compute: Callable[[], Any]) -> Any:
    if not has_request_context():
        return compute()
    owner = request._get_current_object()
    store = g.get("imagin_request_cache")
    if store is None or store[0] is not owner:
        store = (owner, {})
        g.imagin_request_cache = store
    values = store[1]
    if name not in values:
        values[name] = compute()
    return values[name]


def services():
    """The signed-in user's services, in catalogue order."""
    return _memo("services", lambda: users.services_of(current_user))


def agent():
    """The signed-in user's contributor file, or None."""
    return _memo("agent", lambda: users.agent_of(db.session, current_user))


def manager():
    """The signed-in user's manager file, or None."""
    return _memo("manager", lambda: users.manager_of(db.session, current_user))


def open_states() -> dict:
    """The openings of the activities for the user's services."""
    return _memo("open_states", lambda: activities.open_states(db.session, services()))


def concerned() -> frozenset:
    """The audiences (activities kept for the people they concern) the user belongs to."""
    return _memo(
        "concerned",
        lambda: audience.concerned(db.session, agent(), activities.audiences_for(services())),
    )
