"""What happens outside the database once the transaction ends: a file written for a
record is removed if the record is rolled back; a file of a deleted record is removed
only once the deletion is committed. Services never commit (``app/transaction.py``):
they say here what follows from either outcome of the unit they run in."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_ON_COMMIT = "imagin_on_commit"
_ON_ROLLBACK = "imagin_on_rollback"
_COMMITTED = "imagin_committed"


def on_commit(session: Session, action: Callable[[], object]) -> None:
    """Run ``action`` once the session's current transaction is committed."""
    session.info.setdefault(_ON_COMMIT, []).append(action)


def on_rollback(session: Session, action: Callable[[], object]) -> None:
    """Run ``action`` if the session's current transaction is rolled back."""
    session.info.setdefault(_ON_ROLLBACK, []).append(action)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if not session.in_nested_transaction():  # a SAVEPOINT released is not the end
        session.info[_COMMITTED] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    committed = session.info.pop(_COMMITTED, False)
    on_commit_actions = session.info.pop(_ON_COMMIT, [])
    on_rollback_actions = session.info.pop(_ON_ROLLBACK, [])
    for action in on_commit_actions if committed else on_rollback_actions:
        action()
