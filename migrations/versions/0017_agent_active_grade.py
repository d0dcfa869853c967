"""people: an agent's grade, and whether the staff import still lists them (active)

Revision ID: 0017
Revises: 0015
Create Date: 2026-11-27 21:00:00

The staff import (EPP / SIRHEN / AGAPE / RenoiRH) carries the agent's grade and
deactivates the agents it no longer lists (never deletes them): an inactive agent is
not offered for new convocations; their claims, missions and account stay.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agent") as batch:
        batch.add_column(sa.Column("grade", sa.String(length=60), nullable=True))
        batch.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade():
    with op.batch_alter_table("agent") as batch:
        batch.drop_column("active")
        batch.drop_column("grade")
