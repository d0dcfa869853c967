"""interfaces: the machine clients of the REST API (token stored hashed, scopes, expiry)

Revision ID: 0020
Revises: 0015
Create Date: 2026-11-27 21:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("academy_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scopes", sa.String(length=400), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["academy_id"], ["academy.id"], name=op.f("fk_api_client_academy_id_academy")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["ab_user.id"],
            name=op.f("fk_api_client_created_by_id_ab_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_client")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_client_prefix")),
    )
    op.create_index(op.f("ix_api_client_academy_id"), "api_client", ["academy_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_api_client_academy_id"), table_name="api_client")
    op.drop_table("api_client")
