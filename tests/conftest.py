"""Test set-up: one application per run, on SQLite (default) or on the PostgreSQL
database of ``TEST_DATABASE_URL``; the schema comes from the migrations (so every run
checks that they apply), and every test starts from empty tables with the roles and
activities in place."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, text

from config import TestingConfig

ROOT = Path(__file__).resolve().parent.parent
TMP = Path(tempfile.mkdtemp(prefix="imagin-tests-"))
atexit.register(shutil.rmtree, TMP, ignore_errors=True)
DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{TMP / 'test.db'}"
IS_POSTGRES = DATABASE_URL.startswith("postgresql")


def _reset_postgres_schema(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app():
    if IS_POSTGRES:
        _reset_postgres_schema(DATABASE_URL)
    from app import create_app

    overrides = {key: value for key, value in vars(TestingConfig).items() if key.isupper()} | {
        "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
        "UPLOAD_FOLDER": str(TMP / "uploads"),
        "SERVER_NAME": None,
    }
    application = create_app(overrides)
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield application


@pytest.fixture(scope="session")
def _tables(app):
    from app.extensions import db
    from models import metadata

    with app.app_context():
        existing = set(db.inspect(db.engine).get_table_names())
    return [table for table in reversed(metadata.sorted_tables) if table.name in existing]


@pytest.fixture(autouse=True)
def clean_db(app, _tables):
    """Empty tables, the portal's roles and activities, a fresh rate limiter."""
    from app.extensions import db
    from app.services.people.users import ensure_roles
    from app.services.portal import activities

    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            if IS_POSTGRES:
                names = ", ".join(f'"{table.name}"' for table in _tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in _tables:
                    connection.execute(table.delete())
        ensure_roles(app.appbuilder.sm)
        activities.sync_activities(db.session)
        db.session.commit()  # services never commit: the fixture is the unit's boundary
        app.appbuilder.sm.limiter.reset()
    yield
    with app.app_context():
        db.session.remove()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def session(app_ctx):
    from app.extensions import db

    return db.session


@pytest.fixture
def demo(app):
    """The demo académie, as ``flask imagin seed-demo`` loads it."""
    from app.extensions import db
    from app.seeds.demo import seed_demo

    with app.app_context():
        seed_demo(db.session, app.appbuilder.sm)
        db.session.commit()  # services never commit: the fixture is the unit's boundary
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"|'
    r'<meta name="csrf-token" content="([^"]+)"'
)


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return next(group for group in match.groups() if group)


def login(client, username: str, password: str = "imagin-demo"):
    page = client.get("/login/")
    response = client.post(
        "/login/",
        data={"username": username, "password": password, "csrf_token": csrf_token(page.text)},
    )
    return response


def logout(client):
    """The header's "Quitter" form: a POST to /logout/ with the page's CSRF token."""
    page = client.get("/")
    return client.post("/logout/", data={"csrf_token": csrf_token(page.text)})


@pytest.fixture
def log_in(client):
    def _log_in(username: str):
        response = login(client, username)
        assert response.status_code == 302, f"login of {username} failed"
        return client

    return _log_in


@contextmanager
def count_queries(engine):
    """Count the SQL statements run inside the block: ``with count_queries(e) as n:``."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def page_queries(app, client, url: str):
    """(SQL statements, response) of a GET of ``url``, after a warm-up request (the first
    request of a client may load more)."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    client.get(url)
    with count_queries(engine) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements), response


@pytest.fixture
def frozen_clock(monkeypatch):
    """The rules' clock, moved by the test: ``frozen_clock.advance(minutes=31)``."""
    import datetime as dt

    from app.services.common import clock

    class Frozen:
        now = clock.now()

        def advance(self, **delta):
            self.now += dt.timedelta(**delta)

    state = Frozen()
    monkeypatch.setattr(clock, "now", lambda: state.now)
    return state


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on 127.0.0.1; the app sends its mails to it.
    ``smtp_server.messages`` holds what arrived (email.message.Message objects)."""
    import socket
    import time
    from email import message_from_bytes
    from email.policy import default

    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
            self.messages.append(message_from_bytes(envelope.original_content, policy=default))
            return "250 Message accepted"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)

    def wait_for(count=1, timeout=10):
        from app.services.common import mail

        mail.wait_for_outgoing(timeout)
        deadline = time.monotonic() + timeout
        while len(handler.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(handler.messages) >= count, "the mail did not arrive"
        return handler.messages

    handler.wait_for = wait_for
    yield handler
    app.config.update(saved)
    controller.stop()
