"""The schema comes from the migrations, and the migrations match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate
from sqlalchemy import text

from app.extensions import db
from models import metadata


def test_the_database_is_at_the_latest_revision(app_ctx):
    migrate: Migrate = app_ctx.extensions["migrate"].migrate
    head = ScriptDirectory.from_config(migrate.get_config()).get_current_head()
    with db.engine.connect() as connection:
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert current == head


def test_the_migrations_create_exactly_the_models_schema(app_ctx):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, metadata)
    assert differences == []
