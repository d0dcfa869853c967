"""caps of a claim per mission type; a barème belongs to an académie

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 11:20:00

``mission_type`` gets ``max_copies`` (300), ``max_candidates`` (120) and ``max_hours``
(60): the most one claim of the type may count. ``rate_table`` gets ``academy_id``:
there is no application (hence no ``IMAGIN_ACADEMY_CODE``) in a migration, so the
existing barèmes go to the académie that holds the most missions, or the first
académie when there is no mission yet.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("mission_type", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("max_copies", sa.Integer(), server_default="300", nullable=False)
        )
        batch_op.add_column(
            sa.Column("max_candidates", sa.Integer(), server_default="120", nullable=False)
        )
        batch_op.add_column(
            sa.Column("max_hours", sa.Integer(), server_default="60", nullable=False)
        )

    with op.batch_alter_table("rate_table", schema=None) as batch_op:
        batch_op.add_column(sa.Column("academy_id", sa.Integer(), nullable=True))

    op.execute(
        "UPDATE rate_table SET academy_id = COALESCE("
        "(SELECT mission.academy_id FROM mission GROUP BY mission.academy_id"
        " ORDER BY COUNT(*) DESC, mission.academy_id LIMIT 1),"
        " (SELECT MIN(id) FROM academy))"
    )

    with op.batch_alter_table("rate_table", schema=None) as batch_op:
        batch_op.alter_column("academy_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_rate_table_academy_id"), ["academy_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_rate_table_academy_id_academy"), "academy", ["academy_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("rate_table", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_rate_table_academy_id_academy"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_rate_table_academy_id"))
        batch_op.drop_column("academy_id")

    with op.batch_alter_table("mission_type", schema=None) as batch_op:
        batch_op.drop_column("max_hours")
        batch_op.drop_column("max_candidates")
        batch_op.drop_column("max_copies")
