"""personal data encrypted at rest: INSEE number, IBAN and BIC

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 11:10:00

The three columns of the agent's financial file hold Fernet tokens (``app.crypto``,
the ``EncryptedString`` type of ``models.base``): they are widened to 255 characters
(a token of a 34-character IBAN is 140) and every value already stored in clear is
encrypted with the first key of ``DATA_ENCRYPTION_KEYS`` (the development key in
debug/testing). A value that one of the keys already opens is left as it is, so a
re-run changes nothing. The downgrade decrypts them and narrows the columns back.
"""

import sqlalchemy as sa
from alembic import op

from app import crypto

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (column, length in clear)
COLUMNS = (("insee_number", 15), ("iban", 34), ("bic", 11))

agent = sa.table(
    "agent",
    sa.column("id", sa.Integer),
    *(sa.column(name, sa.String) for name, _length in COLUMNS),
)


def _rewrite(change) -> None:
    """Apply ``change`` to every non-empty value of the three columns."""
    bind = op.get_bind()
    names = [name for name, _length in COLUMNS]
    rows = bind.execute(
        sa.select(agent.c.id, *(agent.c[name] for name in names)).where(
            sa.or_(*(agent.c[name].is_not(None) for name in names))
        )
    ).all()
    for row in rows:
        values = {}
        for name in names:
            value = getattr(row, name)
            if value is not None:
                new = change(value)
                if new != value:
                    values[name] = new
        if values:
            bind.execute(agent.update().where(agent.c.id == row.id).values(**values))


def _encrypt(value: str) -> str:
    return value if crypto.is_token(value) else crypto.encrypt(value)


def _decrypt(value: str) -> str:
    return crypto.decrypt(value) if crypto.is_token(value) else value


def upgrade():
    with op.batch_alter_table("agent", schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.alter_column(
                name,
                existing_type=sa.String(length=length),
                type_=sa.String(length=255),
                existing_nullable=True,
            )
    _rewrite(_encrypt)


def downgrade():
    _rewrite(_decrypt)
    with op.batch_alter_table("agent", schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.alter_column(
                name,
                existing_type=sa.String(length=255),
                type_=sa.String(length=length),
                existing_nullable=True,
            )
