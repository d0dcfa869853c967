"""The schema comes from the migrations, and the migrations match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate
from sqlalchemy import text

from app.extensions import db
from models import metadata
from models.base import include_object


def test_the_database_is_at_the_latest_revision(app_ctx):
    migrate: Migrate = app_ctx.extensions["migrate"].migrate
    head = ScriptDirectory.from_config(migrate.get_config()).get_current_head()
    with db.engine.connect() as connection:
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert current == head


def test_the_migrations_create_exactly_the_models_schema(app_ctx):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_as_batch": True, "include_object": include_object},
        )
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_keyword_search_has_trigram_indexes_on_postgresql_only(app_ctx):
    """Migration 0005: on PostgreSQL, ``ILIKE '%word%'`` on the searched columns is served
    by GIN trigram indexes; SQLite (the embedded default) has none."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            names = set(
                connection.execute(
                    text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%\\_trgm'")
                ).scalars()
            )
            assert {
                "ix_agent_last_name_trgm",
                "ix_agent_numen_trgm",
                "ix_expense_claim_number_trgm",
                "ix_mission_number_trgm",
                "ix_establishment_name_trgm",
            } <= names
            # The queries the lists send can use them (the planner is told to avoid a
            # sequential scan, which it prefers on a nearly empty table).
            connection.execute(text("SET enable_seqscan = off"))
            for sql, index in (
                (
                    "SELECT id FROM agent WHERE last_name ILIKE '%gall%' ESCAPE '\\'",
                    "ix_agent_last_name_trgm",
                ),
                (
                    "SELECT id FROM mission WHERE CAST(number AS VARCHAR) ILIKE '%7750%' ESCAPE '\\'",
                    "ix_mission_number_trgm",
                ),
            ):
                plan = "\n".join(connection.execute(text(f"EXPLAIN {sql}")).scalars())
                assert index in plan, plan
        else:
            names = {
                row[0]
                for row in connection.execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'index'")
                )
            }
            assert not {name for name in names if name.endswith("_trgm")}


def test_the_lists_sort_order_has_an_index_on_postgresql_only(app_ctx):
    """Migration 0012: on PostgreSQL the missions of an académie are read in the lists'
    order (``first_day DESC NULLS LAST``, newest first) from an index, so a page stops
    once full instead of sorting every claim; SQLite has none."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            names = set(
                connection.execute(
                    text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%\\_pg'")
                ).scalars()
            )
            assert "ix_mission_academy_first_day_pg" in names
            connection.execute(text("SET enable_seqscan = off"))
            connection.execute(text("SET enable_sort = off"))
            plan = "\n".join(
                connection.execute(
                    text(
                        "EXPLAIN SELECT id FROM mission WHERE academy_id = 1 "
                        "ORDER BY first_day DESC NULLS LAST, id DESC LIMIT 20"
                    )
                ).scalars()
            )
            assert "ix_mission_academy_first_day_pg" in plan, plan
        else:
            names = {
                row[0]
                for row in connection.execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'index'")
                )
            }
            assert not {name for name in names if name.endswith("_pg")}
