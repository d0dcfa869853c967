"""The extension singletons, initialised by ``create_app``.

Flask-AppBuilder keeps per-application state (its views, menu and security manager),
so each application gets its own ``AppBuilder``: ``current_app.appbuilder``.
"""

from __future__ import annotations

from flask import current_app
from flask_appbuilder.utils.legacy import get_sqla_class
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

SQLA = get_sqla_class()

db = SQLA()
migrate = Migrate()
csrf = CSRFProtect()


def appbuilder():
    """The current application's AppBuilder."""
    return current_app.appbuilder


def security_manager():
    return current_app.appbuilder.sm
