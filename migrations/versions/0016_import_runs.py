"""imports: the record of each import of a file; where an exam centre is

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 21:00:00

``import_run``: who imported which file (name, SHA-256, size) when, its dry run (figures,
first lines, refused lines), its state and result, and the file's bytes until it is
applied. ``establishment``: latitude and longitude (WGS 84), when the exams' export
(CYCLADES) gives them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("academy_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "PLANNING",
                "PLANNED",
                "APPLYING",
                "APPLIED",
                "REFUSED",
                "FAILED",
                name="importstate",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("plan", sa.JSON(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("skip_refused", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["academy_id"], ["academy.id"], name=op.f("fk_import_run_academy_id_academy")
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["ab_user.id"],
            name=op.f("fk_import_run_started_by_id_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_import_run_job_id_job"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_run")),
    )
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.create_index(
            "ix_import_run_academy_created", ["academy_id", "created_at"], unique=False
        )
    with op.batch_alter_table("establishment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Numeric(9, 6), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Numeric(9, 6), nullable=True))


def downgrade():
    with op.batch_alter_table("establishment", schema=None) as batch_op:
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.drop_index("ix_import_run_academy_created")
    op.drop_table("import_run")
