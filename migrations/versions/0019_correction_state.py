"""corrections: what SANTORIN last sent for an assignment (copies, correction state)

Revision ID: 0019
Revises: 0015
Create Date: 2026-11-27 21:00:00

One row per assignment, written by the corrections import (SANTORIN): the copies
corrected, the correction state the access portal shows (« A corriger dans SANTORIN »,
« A numériser dans SANTORIN », « Service fait SANTORIN »), the session and the wave.
A new table only: the claim summary's triggers (0015) are not touched.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "correction_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "TO_CORRECT",
                "TO_DIGITISE",
                "DONE",
                name="correctionstatus",
                native_enum=False,
                create_constraint=True,
                length=19,
            ),
            nullable=False,
        ),
        sa.Column("session_label", sa.String(length=40), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("copies >= 0", name=op.f("ck_correction_state_copies_positive")),
        sa.CheckConstraint(
            "wave IS NULL OR wave >= 1", name=op.f("ck_correction_state_wave_positive")
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_correction_state_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction_state")),
        sa.UniqueConstraint("assignment_id", name=op.f("uq_correction_state_assignment_id")),
    )


def downgrade():
    op.drop_table("correction_state")
