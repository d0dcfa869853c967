"""Flask-Babel's request state read without Flask's proxies (``app.babel_context``):
the same namespace as Flask-Babel's own lookup, nothing outside an application
context, and the locale switches (``force_locale``, ``refresh``) work as before."""

from types import SimpleNamespace

import flask_babel
import pytest
from flask import g
from flask_babel import force_locale, format_date, gettext, lazy_gettext

from app import babel_context

pytestmark = pytest.mark.nodb


def test_it_is_installed_and_keeps_flask_babel_s_namespace(app):
    assert flask_babel._get_current_context is babel_context._current_context
    assert babel_context._current_context() is None  # no application context
    with app.test_request_context("/"):
        state = flask_babel._get_current_context()
        assert isinstance(state, SimpleNamespace)
        assert g._flask_babel is state
        assert flask_babel._get_current_context() is state


def test_translations_follow_the_locale_of_the_request(app):
    import datetime as dt

    label = lazy_gettext("Yes")
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        french = gettext("Yes")
        assert str(label) == french == "Oui"
        with force_locale("en"):
            assert gettext("Yes") == str(label) == "Yes"
            assert "June" in format_date(dt.date(2027, 6, 25), "long")
        assert gettext("Yes") == "Oui"
        assert "juin" in format_date(dt.date(2027, 6, 25), "long")
    with app.test_request_context("/"), force_locale("en"):
        assert gettext("Yes") == "Yes"
