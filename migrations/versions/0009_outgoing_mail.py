"""outgoing mails: the outbox the workers send from

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 18:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outgoing_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("academy_id", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=254), nullable=True),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=250), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("attachment_kind", sa.String(length=40), nullable=True),
        sa.Column("attachment_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "PENDING",
                "SENT",
                "NO_ADDRESS",
                name="mailstate",
                native_enum=False,
                create_constraint=True,
                length=18,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("taken_until", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["academy_id"],
            ["academy.id"],
            name=op.f("fk_outgoing_mail_academy_id_academy"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_outgoing_mail_agent_id_agent"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_outgoing_mail_job_id_job"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_mail")),
        sa.UniqueConstraint("key", name=op.f("uq_outgoing_mail_key")),
    )
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outgoing_mail_academy_id"), ["academy_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outgoing_mail_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outgoing_mail_state"), ["state"], unique=False)


def downgrade():
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outgoing_mail_state"))
        batch_op.drop_index(batch_op.f("ix_outgoing_mail_job_id"))
        batch_op.drop_index(batch_op.f("ix_outgoing_mail_academy_id"))
    op.drop_table("outgoing_mail")
