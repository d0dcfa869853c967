"""indexes in the order the managers' lists sort (PostgreSQL)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 18:00:00

The claims list and the lists of missions sort on ``mission.first_day DESC NULLS LAST``
then the newest key, inside one académie. A plain index on ``first_day`` cannot serve
that order (it keeps NULLs last going up, so first going down): PostgreSQL joined and
sorted every claim of the académie for each page (153 ms for 20 keys on 200,000
claims). With the index below it walks the missions in the page's order and stops once
the page is full (0.3 ms for the first page).

PostgreSQL only, like the trigram indexes of 0005: SQLite's ``CREATE INDEX`` has no
``NULLS LAST`` and its lists are the embedded default's, small. The names end in
``_pg``, which ``models.base.include_object`` keeps out of autogenerate's comparison.
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# (index name, table, indexed columns)
SORT_INDEXES = (
    ("ix_mission_academy_first_day_pg", "mission", "academy_id, first_day DESC NULLS LAST, id DESC"),
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, columns in SORT_INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} ({columns})")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _columns in SORT_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
