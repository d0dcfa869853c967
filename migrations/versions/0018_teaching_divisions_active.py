"""teaching: the divisions taught and whether the last STS-WEB file still has it

Revision ID: 0018
Revises: 0015
Create Date: 2026-11-27 20:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("teaching") as batch:
        batch.add_column(sa.Column("divisions", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade():
    with op.batch_alter_table("teaching") as batch:
        batch.drop_column("active")
        batch.drop_column("divisions")
