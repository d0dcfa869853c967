"""a payable export: budget imputations per mission type, control totals per batch, the
finance office's answer per claim part

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 17:40:00

``mission_type`` gets ``fee_imputation`` and ``travel_imputation`` (the budget line of
each part in the payment file); ``payment_batch`` its control totals per nature (rows
and amounts; the existing batches get theirs from their claims' exported parts);
``expense_claim`` the breakdown of its travel amount (stored at acceptance; empty for
the claims accepted before) and the return file's answer per part (paid on a date, or the reason of
a rejection); ``job`` the file a job works on (a large return file is imported by a
job).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=12, scale=2)


def upgrade():
    with op.batch_alter_table("mission_type", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "fee_imputation",
                sa.String(length=40),
                server_default="0141-02-T2-EXAMENS",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "travel_imputation",
                sa.String(length=40),
                server_default="0141-02-T3-DEPLACEMENTS",
                nullable=False,
            )
        )
    with op.batch_alter_table("payment_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fee_rows", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("fee_total", MONEY, server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("travel_rows", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("travel_total", MONEY, server_default="0", nullable=False))
    with op.batch_alter_table("expense_claim", schema=None) as batch_op:
        for name in ("travel_transport", "travel_misc", "travel_meals", "travel_nights"):
            batch_op.add_column(sa.Column(name, MONEY, nullable=True))
        batch_op.add_column(sa.Column("fee_paid_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("travel_paid_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("fee_payment_rejection", sa.String(length=255), nullable=True)
        )
        batch_op.add_column(
            sa.Column("travel_payment_rejection", sa.String(length=255), nullable=True)
        )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("input_data", sa.LargeBinary(), nullable=True))
    # The control totals of the batches made before: their claims' parts sent for payment.
    for part in ("fee", "travel"):
        sent = (
            f"FROM expense_claim WHERE expense_claim.payment_batch_id = payment_batch.id"
            f" AND expense_claim.{part}_status = 'SENT_FOR_PAYMENT'"
        )
        op.execute(
            f"UPDATE payment_batch SET {part}_rows = (SELECT COUNT(*) {sent}),"
            f" {part}_total = (SELECT COALESCE(SUM(expense_claim.{part}_amount), 0) {sent})"
        )


def downgrade():
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("input_data")
    with op.batch_alter_table("expense_claim", schema=None) as batch_op:
        batch_op.drop_column("travel_payment_rejection")
        batch_op.drop_column("fee_payment_rejection")
        batch_op.drop_column("travel_paid_on")
        batch_op.drop_column("fee_paid_on")
        for name in ("travel_nights", "travel_meals", "travel_misc", "travel_transport"):
            batch_op.drop_column(name)
    with op.batch_alter_table("payment_batch", schema=None) as batch_op:
        batch_op.drop_column("travel_total")
        batch_op.drop_column("travel_rows")
        batch_op.drop_column("fee_total")
        batch_op.drop_column("fee_rows")
    with op.batch_alter_table("mission_type", schema=None) as batch_op:
        batch_op.drop_column("travel_imputation")
        batch_op.drop_column("fee_imputation")
