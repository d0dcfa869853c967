"""Test set-up: one application per run, on SQLite (default) or on the PostgreSQL
database of ``TEST_DATABASE_URL``; the schema comes from the migrations (so every run
checks that they apply), and every test starts from empty tables with the roles and
activities in place (or with the demo académie, for a test that asks for ``demo``).
Both states are built for real once per run, then restored from a snapshot."""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event, text

from config import TestingConfig

ROOT = Path(__file__).resolve().parent.parent
# In memory (/dev/shm) when the machine has it: the SQLite database, the job queue and the
# uploads of a run need not reach the disk, and each commit waited for its fsync.
SHM = Path("/dev/shm")  # noqa: S108 - mkdtemp makes a private folder there
TMP = Path(
    tempfile.mkdtemp(
        prefix="imagin-tests-", dir=SHM if SHM.is_dir() and os.access(SHM, os.W_OK) else None
    )
)
atexit.register(shutil.rmtree, TMP, ignore_errors=True)
# Under pytest-xdist each worker (gw0, gw1…) has its own database: the SQLite file of
# its own temporary folder, or ``<database>_gw0``… next to TEST_DATABASE_URL's.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{TMP / 'test.db'}"
IS_POSTGRES = DATABASE_URL.startswith("postgresql")


def _worker_database(url: str, worker: str) -> str:
    """The worker's own database next to ``url``'s, created if missing."""
    base = sa.make_url(url)
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _reset_postgres_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app():
    global DATABASE_URL
    if IS_POSTGRES:
        if WORKER:
            DATABASE_URL = _worker_database(DATABASE_URL, WORKER)
        _reset_postgres_schema(DATABASE_URL)
    from app import create_app

    overrides = {key: value for key, value in vars(TestingConfig).items() if key.isupper()} | {
        "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
        "UPLOAD_FOLDER": str(TMP / "uploads"),
        "JOB_QUEUE_FILE": str(TMP / "jobs.db"),
        "MAIL_OUTBOX": str(TMP / "mails"),
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
    tables = [table for table in reversed(metadata.sorted_tables) if table.name in existing]
    # Emptied last: the triggers take the claims off it as they are deleted.
    return sorted(tables, key=lambda table: table.name in DERIVED)


# Kept by the database's triggers (migration 0015): never snapshotted, the restored
# claims write it again.
DERIVED = {"claim_summary"}


class Snapshot:
    """Every row of every table, read back at the driver's level (ciphertexts, password
    hashes and enum names as stored), with the PostgreSQL sequences' positions.

    ``restore`` empties the tables and writes the rows back in one bulk insert per table
    (on PostgreSQL, the whole restore is one script sent in one round trip): the database
    is then as it was when the snapshot was taken, except that the timestamps move
    forward by the time elapsed since (a restored row looks as freshly written as the
    original one did)."""

    def __init__(self, connection, tables):
        self.taken_at = dt.datetime.now()
        self.today = dt.date.today()
        self.rows = {}
        for table in reversed(tables):  # parents first
            if table.name in DERIVED:
                continue
            clause = sa.table(table.name, *_raw_columns(table))
            rows = connection.execute(sa.select(clause)).mappings().all()
            if rows:
                self.rows[table.name] = (clause, [dict(row) for row in rows])
        self.sequences = []
        if IS_POSTGRES:
            self.sequences = connection.execute(
                text(
                    "SELECT schemaname || '.' || sequencename, last_value"
                    " FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL"
                )
            ).all()
        self.stamps = {
            name: [c.name for c in clause.columns if isinstance(c.type, sa.DateTime)]
            for name, (clause, _rows) in self.rows.items()
        }

    def restore(self, connection, tables):
        shift = dt.datetime.now() - self.taken_at
        if IS_POSTGRES:
            # ~1,100 tests restore the demo: one statement per table, each waiting for
            # the server, made the restore the PostgreSQL pass's largest fixed cost.
            connection.connection.cursor().execute(self._postgres_script(tables, shift))
            return
        _empty(connection, tables)
        for name, (clause, rows) in self.rows.items():
            stamps = self.stamps[name]
            if stamps:
                rows = [
                    row | {c: row[c] + shift for c in stamps if row[c] is not None} for row in rows
                ]
            connection.execute(clause.insert(), rows)
        if self.sequences:
            calls = ", ".join(
                f"setval('{name}', {int(value)}, true)" for name, value in self.sequences
            )
            connection.execute(text(f"SELECT {calls}"))

    def _postgres_script(self, tables, shift) -> str:
        """``_empty``'s statements, then per table one INSERT of its rows read from a JSON
        literal by ``json_populate_recordset`` (each value converted by its column's own
        input function, as a bound parameter is), then the sequences' positions."""
        # A test database need not wait for its WAL to reach the disk.
        statements = ["SET LOCAL synchronous_commit = off"]
        statements += [f'DELETE FROM "{table.name}"' for table in tables]
        statements.append(RESET_SEQUENCES)
        for name, (clause, rows) in self.rows.items():
            stamps = self.stamps[name]
            if stamps:
                rows = [
                    row | {c: row[c] + shift for c in stamps if row[c] is not None} for row in rows
                ]
            columns = ", ".join(f'"{c.name}"' for c in clause.columns)
            data = json.dumps(rows, default=_json_value).replace("'", "''")
            statements.append(
                f'INSERT INTO "{name}" ({columns}) SELECT {columns}'
                f" FROM json_populate_recordset(NULL::\"{name}\", '{data}')"
            )
        if self.sequences:
            calls = ", ".join(
                f"setval('{name}', {int(value)}, true)" for name, value in self.sequences
            )
            statements.append(f"SELECT {calls}")
        return ";\n".join(statements)


def _json_value(value):
    """A driver value JSON has no type for, as PostgreSQL's input functions read it."""
    if isinstance(value, dt.date | dt.time):  # datetime included
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return "\\x" + bytes(value).hex()
    return str(value)  # Decimal, UUID…


RESET_SEQUENCES = (
    "SELECT setval(oid, 1, false) FROM pg_class"
    " WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace"
)


def _raw_columns(table):
    """The table's columns without their Python-side conversions (an encrypted column is
    read and written as its ciphertext), except the timestamps, which ``Snapshot`` shifts."""
    return [
        sa.column(c.name, c.type if isinstance(c.type, sa.DateTime) else sa.types.NullType())
        for c in table.columns
    ]


def _empty(connection, tables) -> None:
    if IS_POSTGRES:
        connection.exec_driver_sql("; ".join(f'DELETE FROM "{table.name}"' for table in tables))
        connection.exec_driver_sql(RESET_SEQUENCES)
    else:
        for table in tables:
            connection.execute(table.delete())


@pytest.fixture(scope="session")
def _snapshots(app, _tables):
    """The two states a test starts from, each built once: ``base`` (roles and
    activities, as ``clean_db`` gives) and ``demo`` (``seed_demo`` on top of it, built the
    first time a test asks for the demo, and again if the date changed since, the demo's
    missions being relative to the day)."""
    from app.extensions import db
    from app.services.people.users import ensure_roles
    from app.services.portal import activities

    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            _empty(connection, _tables)
        ensure_roles(app.appbuilder.sm)
        activities.sync_activities(db.session)
        db.session.commit()
        db.session.remove()
        with db.engine.begin() as connection:
            base = Snapshot(connection, _tables)
    return {"base": base}


def _demo_snapshot(app, _tables, snapshots) -> Snapshot:
    from app.extensions import db
    from app.seeds.demo import seed_demo

    demo = snapshots.get("demo")
    if demo is not None and demo.today == dt.date.today():
        return demo
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            snapshots["base"].restore(connection, _tables)
        seed_demo(db.session, app.appbuilder.sm)
        db.session.commit()  # services never commit: the fixture is the unit's boundary
        db.session.remove()
        with db.engine.begin() as connection:
            snapshots["demo"] = Snapshot(connection, _tables)
    return snapshots["demo"]


def pytest_collection_modifyitems(items):
    """A test marked ``nodb`` reads no database (the solver on plain values, the
    catalogues, the import graph): the PostgreSQL pass would only run it again."""
    if not IS_POSTGRES:
        return
    skip = pytest.mark.skip(reason="no database: run in the SQLite pass")
    for item in items:
        if item.get_closest_marker("nodb"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def clean_db(request, app, _tables, _snapshots):
    """Empty tables, the portal's roles and activities, a fresh rate limiter; the demo
    académie too when the test asks for ``demo`` (restored from its snapshot). A test
    marked ``nodb`` gets nothing restored."""
    from app.extensions import db

    if request.node.get_closest_marker("nodb"):
        yield
        return
    wanted = (
        _demo_snapshot(app, _tables, _snapshots)
        if "demo" in request.fixturenames
        else _snapshots["base"]
    )
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            wanted.restore(connection, _tables)
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
def demo(clean_db):
    """The demo académie, as ``flask imagin seed-demo`` loads it (restored by ``clean_db``
    from a snapshot of one real seeding: see ``Snapshot``)."""


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


def pending_mails(app) -> int:
    """The outbox's mails not sent yet (as committed)."""
    from app.extensions import db
    from models import OutgoingMail
    from models.enums import MailState

    with app.app_context(), db.engine.connect() as connection:
        return connection.scalar(
            sa.select(sa.func.count())
            .select_from(OutgoingMail.__table__)
            .where(OutgoingMail.state == MailState.PENDING)
        )


def wait_for_outbox(app, timeout: float = 15) -> None:
    """Wait until a worker has sent every mail of the outbox."""
    import time

    deadline = time.monotonic() + timeout
    while pending_mails(app):
        assert time.monotonic() < deadline, "mails still pending in the outbox"
        time.sleep(0.05)


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on 127.0.0.1; the app sends its mails to it, through
    the outbox and a real worker (Huey's consumer, in threads of the test process).
    ``smtp_server.messages`` holds what arrived (email.message.Message objects);
    ``smtp_server.settle()`` waits until the worker has sent every pending mail."""
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

    def wait_for(count=1, timeout=15):
        deadline = time.monotonic() + timeout
        while len(handler.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(handler.messages) >= count, "the mail did not arrive"
        return handler.messages

    handler.wait_for = wait_for
    handler.settle = lambda timeout=15: wait_for_outbox(app, timeout)
    with JobWorker(app):
        yield handler
    app.config.update(saved)
    controller.stop()


class JobWorker:
    """A real Huey consumer (``app.jobs.worker``) running the application's queue in
    threads of the test process, as ``flask imagin worker`` runs it in its own."""

    def __init__(self, app, workers: int = 2, *, flush: bool = True):
        from app.jobs.queue import job_queue
        from app.jobs.worker import consumer

        self.app = app
        self.queue = job_queue(app)
        if flush:
            self.queue.huey.flush()  # nothing left over by another test
        self.consumer = consumer(app, workers=workers, quiet_signals=True, max_delay=0.2)

    def __enter__(self):
        self.consumer.start()
        return self

    def __exit__(self, *exc_info):
        self.consumer.stop(graceful=True)
        self.queue.huey.flush()

    def wait_for(self, job_id: int, timeout: float = 30) -> dict:
        """The job's row (as committed) once it is done or failed."""
        import time

        from app.extensions import db
        from models import Job
        from models.enums import JobState

        deadline = time.monotonic() + timeout
        while True:
            with self.app.app_context(), db.engine.connect() as connection:
                row = connection.execute(sa.select(Job.__table__).where(Job.id == job_id)).one()
            if row.state in (JobState.DONE, JobState.FAILED):
                return row._asdict()
            assert time.monotonic() < deadline, f"job {job_id} still {row.state}"
            time.sleep(0.1)


@pytest.fixture
def job_worker(app):
    """A worker running the jobs of the application's queue (the SQLite file of the
    tests by default) while the test runs."""
    with JobWorker(app) as worker:
        yield worker
