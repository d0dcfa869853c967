"""assignment: when the service done was recorded (the head of the exam centre or a manager)

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-28 00:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assignment") as batch:
        batch.add_column(sa.Column("service_done_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("assignment") as batch:
        batch.drop_column("service_done_at")
