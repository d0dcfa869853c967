"""academy: the other académies read as peers through their REST API (base URL,
encrypted token of the API client they gave us, enabled)

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-28 00:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("academy") as batch:
        batch.add_column(sa.Column("api_url", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("api_token", sa.String(length=255), nullable=True))
        batch.add_column(
            sa.Column("peer_enabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("academy") as batch:
        batch.drop_column("peer_enabled")
        batch.drop_column("api_token")
        batch.drop_column("api_url")
