"""The suite restores its starting states from snapshots (tests/conftest.py): they must
be exactly what the real set-up writes, row by row, sequences included."""

import datetime as dt

import sqlalchemy as sa
from werkzeug.security import check_password_hash

from app.extensions import db
from app.seeds.demo import DEMO_PASSWORD, seed_demo
from app.services.people.users import ensure_roles
from app.services.portal import activities
from models import metadata

# Timestamps are "now" when a row is written: a restored one is shifted to look as recent.
CLOSE_ENOUGH = dt.timedelta(seconds=30)


def state(session):
    """Every row of every table (decrypted, as the application reads them), and the
    position of every PostgreSQL sequence."""
    tables = {}
    for table in metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        statement = table.select().order_by(*order)
        if table.name == "claim_summary":
            # The triggers' groups left empty by claims that passed through them are
            # not a difference: what the dashboard reads is the groups with claims.
            statement = statement.where(table.c.total != 0)
        tables[table.name] = [dict(row) for row in session.execute(statement).mappings()]
    sequences = {}
    if db.engine.dialect.name == "postgresql":
        sequences = dict(
            session.execute(
                sa.text(
                    "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
                )
            ).all()
        )
    return tables, sequences


def set_up_for_real(app, demo: bool):
    """What the suite did before its snapshots: empty tables, roles, activities, demo."""
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(
                "SELECT setval(oid, 1, false) FROM pg_class"
                " WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace"
            )
    ensure_roles(app.appbuilder.sm)
    activities.sync_activities(db.session)
    db.session.commit()
    if demo:
        seed_demo(db.session, app.appbuilder.sm)
        db.session.commit()  # services never commit: the set-up is the unit's boundary
    db.session.remove()


def assert_same(restored, real):
    restored_tables, restored_sequences = restored
    real_tables, real_sequences = real
    assert restored_sequences == real_sequences
    assert restored_tables.keys() == real_tables.keys()
    for name, rows in real_tables.items():
        assert len(restored_tables[name]) == len(rows), name
        for got, expected in zip(restored_tables[name], rows, strict=True):
            assert got.keys() == expected.keys()
            for column, value in expected.items():
                mine = got[column]
                if isinstance(value, dt.datetime):
                    assert abs(mine - value) < CLOSE_ENOUGH, (name, column)
                elif name == "ab_user" and column == "password":
                    # A new salt at every hashing: both open with the demo password.
                    assert check_password_hash(mine, DEMO_PASSWORD), expected["username"]
                    assert check_password_hash(value, DEMO_PASSWORD), expected["username"]
                else:
                    assert mine == value, (name, column, expected)


def test_the_empty_state_is_what_the_roles_and_activities_write(app_ctx, session):
    restored = state(session)
    assert restored[0]["ab_role"] and restored[0]["activity"]
    set_up_for_real(app_ctx, demo=False)
    assert_same(restored, state(db.session))


def test_the_restored_demo_is_what_seed_demo_writes(app_ctx, session, demo):
    restored = state(session)
    assert restored[0]["mission"] and restored[0]["expense_claim"]
    set_up_for_real(app_ctx, demo=True)
    assert_same(restored, state(db.session))
