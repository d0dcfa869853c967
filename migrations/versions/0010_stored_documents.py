"""stored documents: the recap and convocation PDFs, rendered once and kept

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 17:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "CLAIM_RECAP",
                "CONVOCATION",
                name="documentkind",
                native_enum=False,
                create_constraint=True,
                length=19,
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("academy_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("rendered_at", sa.DateTime(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["academy_id"], ["academy.id"], name=op.f("fk_stored_document_academy_id_academy")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_document")),
        sa.UniqueConstraint("kind", "owner_id", name=op.f("uq_stored_document_kind_owner_id")),
    )
    with op.batch_alter_table("stored_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stored_document_academy_id"), ["academy_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stored_document_requested_at"), ["requested_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("stored_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_document_requested_at"))
        batch_op.drop_index(batch_op.f("ix_stored_document_academy_id"))
    op.drop_table("stored_document")
