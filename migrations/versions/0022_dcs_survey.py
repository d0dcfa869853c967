"""Enquête DCS: the « enseignant DCS » flag, the survey's dates per académie, the
teachers' answers and chosen papers

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-28 00:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agent") as batch:
        batch.add_column(
            sa.Column("dcs_teacher", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("academy_settings") as batch:
        batch.add_column(sa.Column("dcs_survey_opens_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("dcs_survey_closes_on", sa.Date(), nullable=True))
    op.create_table(
        "dcs_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column(
            "situation",
            sa.Enum(
                "ACTIVE",
                "PART_TIME",
                "RETIRED",
                "OTHER",
                name="dcssituation",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=True,
        ),
        sa.Column("situation_detail", sa.String(length=200), nullable=True),
        sa.Column("establishments", sa.Text(), nullable=True),
        sa.Column("vae_available", sa.Boolean(), nullable=True),
        sa.Column("vae_comment", sa.String(length=300), nullable=True),
        sa.Column("oral_places", sa.String(length=200), nullable=True),
        sa.Column("validated_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], name="fk_dcs_answer_agent_id_agent", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_dcs_answer"),
        sa.UniqueConstraint("agent_id", name="uq_dcs_answer_agent_id"),
    )
    op.create_table(
        "dcs_choice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column(
            "part",
            sa.Enum(
                "TEACHING",
                "WRITTEN",
                "ORAL",
                name="dcspart",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("endorsement_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["dcs_answer.id"],
            name="fk_dcs_choice_answer_id_dcs_answer",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["paper_id"], ["paper.id"], name="fk_dcs_choice_paper_id_paper"),
        sa.ForeignKeyConstraint(
            ["endorsement_id"],
            ["competence_endorsement.id"],
            name="fk_dcs_choice_endorsement_id_competence_endorsement",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_dcs_choice"),
        sa.UniqueConstraint("answer_id", "part", "paper_id", name="uq_dcs_choice_answer_id_part_paper_id"),
    )
    op.create_index("ix_dcs_choice_answer_id", "dcs_choice", ["answer_id"])


def downgrade():
    op.drop_index("ix_dcs_choice_answer_id", table_name="dcs_choice")
    op.drop_table("dcs_choice")
    op.drop_table("dcs_answer")
    with op.batch_alter_table("academy_settings") as batch:
        batch.drop_column("dcs_survey_closes_on")
        batch.drop_column("dcs_survey_opens_on")
    with op.batch_alter_table("agent") as batch:
        batch.drop_column("dcs_teacher")
