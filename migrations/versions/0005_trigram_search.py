"""trigram indexes behind keyword search (PostgreSQL)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 19:10:00

The managers' lists filter with ``column ILIKE '%word%'``; on PostgreSQL a GIN index
with ``gin_trgm_ops`` answers that without reading the whole table. SQLite has no such
index (and its lists are the embedded default's, small): nothing is done there. The
indexes are not in the models (they are PostgreSQL-only); their names end in ``_trgm``,
which ``models.base.include_object`` keeps out of autogenerate's comparison.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# (index name, table, indexed expression)
TRIGRAM_INDEXES = (
    ("ix_agent_last_name_trgm", "agent", "last_name"),
    ("ix_agent_first_name_trgm", "agent", "first_name"),
    ("ix_agent_numen_trgm", "agent", "numen"),
    ("ix_agent_external_id_trgm", "agent", "external_id"),
    ("ix_agent_town_trgm", "agent", "town"),
    ("ix_expense_claim_number_trgm", "expense_claim", "number"),
    ("ix_mission_number_trgm", "mission", "(CAST(number AS VARCHAR))"),
    ("ix_establishment_name_trgm", "establishment", "name"),
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in TRIGRAM_INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({expression} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _expression in TRIGRAM_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
