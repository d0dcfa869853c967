"""unavailability: the periods an agent declares unavailable for an exam session; the
session's closing date of declarations; the reason of a convocation made anyway

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-28 00:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "unavailability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column(
            "part",
            sa.Enum(
                "DAY",
                "MORNING",
                "AFTERNOON",
                name="daypart",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("comment", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_unavailability_period_ordered")),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_unavailability_agent_id_agent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["exam_session.id"],
            name=op.f("fk_unavailability_session_id_exam_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unavailability")),
    )
    op.create_index(
        "ix_unavailability_agent_days",
        "unavailability",
        ["agent_id", "starts_on", "ends_on"],
    )
    op.create_index(op.f("ix_unavailability_session_id"), "unavailability", ["session_id"])
    with op.batch_alter_table("exam_session") as batch:
        batch.add_column(sa.Column("unavailability_closes_on", sa.Date(), nullable=True))
    with op.batch_alter_table("assignment") as batch:
        batch.add_column(sa.Column("unavailability_override", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("assignment") as batch:
        batch.drop_column("unavailability_override")
    with op.batch_alter_table("exam_session") as batch:
        batch.drop_column("unavailability_closes_on")
    op.drop_index(op.f("ix_unavailability_session_id"), table_name="unavailability")
    op.drop_index("ix_unavailability_agent_days", table_name="unavailability")
    op.drop_table("unavailability")
