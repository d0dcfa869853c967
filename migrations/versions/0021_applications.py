"""access portal: the applications it opens, each mission type's application, the
record of each access; the quality « Responsable de délibération »

Revision ID: 0021
Revises: 0018
Create Date: 2026-11-28 00:15:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0018"
branch_labels = None
depends_on = None

QUALITIES = (
    "CORRECTOR",
    "EXAMINER",
    "JURY_MEMBER",
    "PRESIDENT",
    "VICE_PRESIDENT",
    "INVIGILATOR",
    "TEACHING_MEMBER",
    "PROFESSIONAL_MEMBER",
    "ASSISTANT",
)


def _qualities(values):
    return "quality IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _rewrite_quality_check(values):
    """SQLite rebuilds the table to change a CHECK constraint: the claim summary's
    triggers (0015) name ``assignment``, which the rebuild's renaming would check."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA legacy_alter_table = ON")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_assignment_assignmentquality"), type_="check")
        batch_op.create_check_constraint("assignmentquality", _qualities(values))
    if sqlite:
        op.execute("PRAGMA legacy_alter_table = OFF")


def upgrade():
    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("url_template", sa.String(length=400), nullable=False),
        sa.Column("available", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("maintenance_message", sa.Text(), nullable=True),
        sa.Column("unavailable_from", sa.Date(), nullable=True),
        sa.Column("unavailable_until", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "unavailable_until IS NULL OR unavailable_from IS NULL"
            " OR unavailable_until >= unavailable_from",
            name=op.f("ck_application_unavailable_period"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
        sa.UniqueConstraint("code", name=op.f("uq_application_code")),
    )
    op.create_table(
        "application_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("activity", sa.String(length=40), nullable=False),
        sa.Column("accessed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_application_access_agent_id_agent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_access_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_application_access_assignment_id_assignment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["ab_user.id"],
            name=op.f("fk_application_access_user_id_ab_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_access")),
    )
    op.create_index(
        "ix_application_access_agent_at",
        "application_access",
        ["agent_id", "accessed_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_application_access_application_id"),
        "application_access",
        ["application_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_application_access_assignment_id"),
        "application_access",
        ["assignment_id"],
        unique=False,
    )
    with op.batch_alter_table("mission_type", schema=None) as batch_op:
        batch_op.add_column(sa.Column("application_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("deliberation", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_mission_type_application_id_application"),
            "application",
            ["application_id"],
            ["id"],
            ondelete="SET NULL",
        )
    _rewrite_quality_check((*QUALITIES, "DELIBERATION_LEAD"))


def downgrade():
    _rewrite_quality_check(QUALITIES)
    with op.batch_alter_table("mission_type", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_mission_type_application_id_application"), type_="foreignkey"
        )
        batch_op.drop_column("deliberation")
        batch_op.drop_column("application_id")
    op.drop_index(op.f("ix_application_access_assignment_id"), table_name="application_access")
    op.drop_index(op.f("ix_application_access_application_id"), table_name="application_access")
    op.drop_index("ix_application_access_agent_at", table_name="application_access")
    op.drop_table("application_access")
    op.drop_table("application")
