"""assignment: the needs of each mission, the conflicts of interest, the automatic
assignment's runs (lines and gaps), the communes with their coordinates, the load caps
per session and the own-students rule of the mission types

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-28 03:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "commune",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("insee_code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("postcode", sa.String(length=5), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commune")),
        sa.UniqueConstraint(
            "postcode", "key", "insee_code", name=op.f("uq_commune_postcode_key_insee_code")
        ),
    )
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.create_index("ix_commune_postcode_key", ["postcode", "key"], unique=False)

    op.create_table(
        "assignment_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("academy_id", sa.Integer(), nullable=False),
        sa.Column("exam_session_id", sa.Integer(), nullable=False),
        sa.Column("mission_ids", sa.JSON(), nullable=True),
        sa.Column("weight_travel", sa.Float(), nullable=False),
        sa.Column("weight_spread", sa.Float(), nullable=False),
        sa.Column("weight_wish", sa.Float(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "PROPOSING",
                "PROPOSED",
                "CONVOKING",
                "CONVOKED",
                "FAILED",
                "DISCARDED",
                name="assignmentrunstate",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("proposal_job_id", sa.Integer(), nullable=True),
        sa.Column("convocation_job_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("cost", sa.Float(), nullable=True),
        sa.Column("bound", sa.Float(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=True),
        sa.Column("proposed_at", sa.DateTime(), nullable=True),
        sa.Column("convoked_at", sa.DateTime(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["academy_id"], ["academy.id"], name=op.f("fk_assignment_run_academy_id_academy")
        ),
        sa.ForeignKeyConstraint(
            ["convocation_job_id"],
            ["job.id"],
            name=op.f("fk_assignment_run_convocation_job_id_job"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["ab_user.id"],
            name=op.f("fk_assignment_run_created_by_id_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["exam_session_id"],
            ["exam_session.id"],
            name=op.f("fk_assignment_run_exam_session_id_exam_session"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_job_id"],
            ["job.id"],
            name=op.f("fk_assignment_run_proposal_job_id_job"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_run")),
    )
    with op.batch_alter_table("assignment_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_run_academy_id"), ["academy_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assignment_run_exam_session_id"), ["exam_session_id"], unique=False
        )

    op.create_table(
        "assignment_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("academy_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("establishment_id", sa.Integer(), nullable=True),
        sa.Column("mission_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(establishment_id IS NULL) <> (mission_id IS NULL)",
            name=op.f("ck_assignment_conflict_centre_or_mission"),
        ),
        sa.ForeignKeyConstraint(
            ["academy_id"], ["academy.id"], name=op.f("fk_assignment_conflict_academy_id_academy")
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_assignment_conflict_agent_id_agent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["ab_user.id"],
            name=op.f("fk_assignment_conflict_created_by_id_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["establishment_id"],
            ["establishment.id"],
            name=op.f("fk_assignment_conflict_establishment_id_establishment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["mission.id"],
            name=op.f("fk_assignment_conflict_mission_id_mission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_conflict")),
    )
    with op.batch_alter_table("assignment_conflict", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignment_conflict_academy_agent", ["academy_id", "agent_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assignment_conflict_establishment_id"),
            ["establishment_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_assignment_conflict_mission_id"), ["mission_id"], unique=False
        )

    op.create_table(
        "assignment_gap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column(
            "quality",
            sa.Enum(
                "CORRECTOR",
                "EXAMINER",
                "JURY_MEMBER",
                "PRESIDENT",
                "VICE_PRESIDENT",
                "INVIGILATOR",
                "TEACHING_MEMBER",
                "PROFESSIONAL_MEMBER",
                "ASSISTANT",
                "DELIBERATION_LEAD",
                name="assignmentquality",
                native_enum=False,
                create_constraint=True,
                length=27,
            ),
            nullable=False,
        ),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "NO_COMPETENT",
                "NONE_FREE",
                "TAKEN_ELSEWHERE",
                "REMOVED",
                name="gapreason",
                native_enum=False,
                create_constraint=True,
                length=23,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["mission.id"],
            name=op.f("fk_assignment_gap_mission_id_mission"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["assignment_run.id"],
            name=op.f("fk_assignment_gap_run_id_assignment_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_gap")),
        sa.UniqueConstraint(
            "run_id",
            "mission_id",
            "quality",
            "reason",
            name=op.f("uq_assignment_gap_run_id_mission_id_quality_reason"),
        ),
    )
    with op.batch_alter_table("assignment_gap", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_gap_run_id"), ["run_id"], unique=False)

    op.create_table(
        "mission_need",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column(
            "quality",
            sa.Enum(
                "CORRECTOR",
                "EXAMINER",
                "JURY_MEMBER",
                "PRESIDENT",
                "VICE_PRESIDENT",
                "INVIGILATOR",
                "TEACHING_MEMBER",
                "PROFESSIONAL_MEMBER",
                "ASSISTANT",
                "DELIBERATION_LEAD",
                name="assignmentquality",
                native_enum=False,
                create_constraint=True,
                length=27,
            ),
            nullable=False,
        ),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("load_per_agent", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "load_per_agent IS NULL OR load_per_agent BETWEEN 1 AND 9999",
            name=op.f("ck_mission_need_load_range"),
        ),
        sa.CheckConstraint("places BETWEEN 1 AND 999", name=op.f("ck_mission_need_places_range")),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["mission.id"],
            name=op.f("fk_mission_need_mission_id_mission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission_need")),
        sa.UniqueConstraint(
            "mission_id", "quality", name=op.f("uq_mission_need_mission_id_quality")
        ),
    )
    with op.batch_alter_table("mission_need", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mission_need_mission_id"), ["mission_id"], unique=False
        )

    op.create_table(
        "assignment_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column(
            "quality",
            sa.Enum(
                "CORRECTOR",
                "EXAMINER",
                "JURY_MEMBER",
                "PRESIDENT",
                "VICE_PRESIDENT",
                "INVIGILATOR",
                "TEACHING_MEMBER",
                "PROFESSIONAL_MEMBER",
                "ASSISTANT",
                "DELIBERATION_LEAD",
                name="assignmentquality",
                native_enum=False,
                create_constraint=True,
                length=27,
            ),
            nullable=False,
        ),
        sa.Column("km", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("missions_before", sa.Integer(), nullable=False),
        sa.Column("wished", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("manual", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("refusal", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_assignment_proposal_agent_id_agent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_assignment_proposal_assignment_id_assignment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["mission.id"],
            name=op.f("fk_assignment_proposal_mission_id_mission"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["assignment_run.id"],
            name=op.f("fk_assignment_proposal_run_id_assignment_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_proposal")),
        sa.UniqueConstraint(
            "run_id",
            "mission_id",
            "agent_id",
            name=op.f("uq_assignment_proposal_run_id_mission_id_agent_id"),
        ),
    )
    with op.batch_alter_table("assignment_proposal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_proposal_agent_id"), ["agent_id"], unique=False
        )
        batch_op.create_index(
            "ix_assignment_proposal_run_mission", ["run_id", "mission_id"], unique=False
        )

    with op.batch_alter_table("academy_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_max_copies", sa.Integer(), server_default="600", nullable=False)
        )
        batch_op.add_column(
            sa.Column("session_max_candidates", sa.Integer(), server_default="240", nullable=False)
        )
        batch_op.add_column(
            sa.Column("session_max_half_days", sa.Integer(), server_default="20", nullable=False)
        )

    with op.batch_alter_table("mission_type", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "own_students_conflict", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    # Orals (candidates' fees) examine their own students otherwise.
    mission_type = sa.table(
        "mission_type", sa.column("fee_family", sa.String), sa.column("own_students_conflict")
    )
    op.execute(
        mission_type.update()
        .where(mission_type.c.fee_family == "CANDIDATES")
        .values(own_students_conflict=sa.true())
    )


def downgrade():
    with op.batch_alter_table("mission_type", schema=None) as batch_op:
        batch_op.drop_column("own_students_conflict")

    with op.batch_alter_table("academy_settings", schema=None) as batch_op:
        batch_op.drop_column("session_max_half_days")
        batch_op.drop_column("session_max_candidates")
        batch_op.drop_column("session_max_copies")

    with op.batch_alter_table("assignment_proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_proposal_run_mission")
        batch_op.drop_index(batch_op.f("ix_assignment_proposal_agent_id"))

    op.drop_table("assignment_proposal")
    with op.batch_alter_table("mission_need", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mission_need_mission_id"))

    op.drop_table("mission_need")
    with op.batch_alter_table("assignment_gap", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_gap_run_id"))

    op.drop_table("assignment_gap")
    with op.batch_alter_table("assignment_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_conflict_mission_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_conflict_establishment_id"))
        batch_op.drop_index("ix_assignment_conflict_academy_agent")

    op.drop_table("assignment_conflict")
    with op.batch_alter_table("assignment_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_run_exam_session_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_run_academy_id"))

    op.drop_table("assignment_run")
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.drop_index("ix_commune_postcode_key")

    op.drop_table("commune")
