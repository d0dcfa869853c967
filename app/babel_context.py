"""Flask-Babel's per-request state, reached without Flask's proxies.

Every translated string, lazy label and date formatted asks Flask-Babel for its state
of the request (``flask_babel._get_current_context``: the locale and the catalogues
read once per request). That function goes through the ``flask.g`` proxy three times
(about 2.7 µs); a list page asks it some 400 times, a millisecond of every page
(issue 19). ``install`` replaces it by the same lookup made directly on the current
application context: the same namespace (``g._flask_babel``), ``None`` outside an
application context, so ``refresh`` and ``force_locale`` behave as before
(``tests/test_babel_context.py``)."""

from __future__ import annotations

from types import SimpleNamespace

import flask_babel
from flask.globals import _cv_app


def _current_context() -> SimpleNamespace | None:
    app_context = _cv_app.get(None)
    if app_context is None:
        return None
    state = app_context.g.__dict__.get("_flask_babel")
    if state is None:
        state = app_context.g._flask_babel = SimpleNamespace()
    return state


def install() -> bool:
    """Use the direct lookup if Flask-Babel still has the function it replaces."""
    if not callable(getattr(flask_babel, "_get_current_context", None)):
        return False
    flask_babel._get_current_context = _current_context
    return True
