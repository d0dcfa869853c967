"""IMAG'IN: the web portal of the examinations divisions (application factory)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from flask import Flask

from app.errors import ConfigurationError

BASE_DIR = Path(__file__).resolve().parent.parent


def check_production_settings(app: Flask) -> None:
    """Refuse to start in production with development settings."""
    from app.edge import public_url_problem
    from config import DEVELOPMENT_SECRET_KEY, SECRET_KEY_MIN_BYTES

    if app.debug or app.testing:
        return
    key = app.config.get("SECRET_KEY") or ""
    if not key or key == DEVELOPMENT_SECRET_KEY:
        raise ConfigurationError(
            "SECRET_KEY is the built-in development key: set the SECRET_KEY environment "
            "variable (or FLASK_DEBUG=1 for development)."
        )
    if len(key.encode() if isinstance(key, str) else key) < SECRET_KEY_MIN_BYTES:
        raise ConfigurationError(
            f"SECRET_KEY is too short: at least {SECRET_KEY_MIN_BYTES} bytes, e.g. "
            'python -c "import secrets; print(secrets.token_urlsafe(48))".'
        )
    url = app.config.get("PUBLIC_URL") or ""
    if not url:
        raise ConfigurationError(
            "PUBLIC_URL is not set: give the address users reach the portal at, e.g. "
            "PUBLIC_URL=https://imagin.ac-rennes.fr (links in mails are built from it)."
        )
    problem = public_url_problem(url)
    if problem:
        raise ConfigurationError(f"PUBLIC_URL {url!r} is not valid: {problem}.")


# Exit status of a start refused for a bad setting: gunicorn's "App failed to load",
# so that its master stops instead of starting workers again and again.
SETTINGS_EXIT_STATUS = 4


def load_config():
    """The ``config`` module; a bad environment variable ends the process with the
    French-and-English message of ``app.settings`` on stderr (no traceback)."""
    from app.settings import InvalidSettings

    try:
        import config
    except InvalidSettings as exc:
        sys.stderr.write(f"{exc}\n")
        raise SystemExit(SETTINGS_EXIT_STATUS) from None
    return config


def create_app(overrides: dict | None = None) -> Flask:
    config = load_config()

    app = Flask(
        __name__,
        instance_path=str(config.INSTANCE_DIR),
        instance_relative_config=False,
        static_folder="static",
        template_folder="templates",
    )
    from app import babel_context
    from app.bounds import BoundedIntConverter

    babel_context.install()

    # Every ``<int:…>`` route takes a bounded id (before any view is registered).
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.from_object(config)
    from app.catalogue import fab_roles

    # What each role may ever do comes from the activity catalogue (application code,
    # so not read by config.py).
    app.config["FAB_ROLES"] = fab_roles()
    if overrides:
        app.config.update(overrides)
    app.debug = bool(app.config.get("DEBUG"))
    from app import edge

    edge.resolve_settings(app)
    check_production_settings(app)
    from app import crypto

    crypto.init_app(app)  # DATA_ENCRYPTION_KEYS; refuses to start without it in production
    if app.debug:
        # Development over plain http on 127.0.0.1.
        app.config["SESSION_COOKIE_SECURE"] = False

    os.makedirs(app.instance_path, exist_ok=True)
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # FAB warns at start-up that Time columns (slot start times) have no search filter.
    logging.getLogger("flask_appbuilder.models.filters").setLevel(logging.ERROR)

    from app.extensions import csrf, db, migrate

    db.init_app(app)
    from models.base import include_object

    migrate.init_app(
        app,
        db,
        directory=str(BASE_DIR / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    csrf.init_app(app)

    from flask_appbuilder import AppBuilder

    import models  # noqa: F401 - registers every table

    with app.app_context():
        appbuilder = AppBuilder(update_perms=False)
        appbuilder.init_app(app, db.session)
        from views import register_views

        register_views(appbuilder)

    from app import cli, transaction, web
    from app.jobs import imports, kinds, queue  # noqa: F401 - kinds, imports register jobs
    from app.jobs import mails as mail_jobs
    from app.services.common import mail

    queue.init_app(app)
    mail.init_app(app)
    mail_jobs.init_app(app)

    web.init_app(app)
    from views.api import init_api

    init_api(app)
    cli.init_app(app)
    # After web's hooks: the request's commit runs before them (see app/transaction.py).
    transaction.init_app(app)
    # Last: the host check must run before every other request hook.
    edge.init_app(app)
    return app
