"""One transaction per request or job: the unit of work.

Services never commit nor roll back: they write through the session they are given
(``session.flush()`` when they need an id or a lock now). The boundary decides:

- a request (``init_app``): committed after the view when the response is a success
  (status below 400) and the view did not mark the unit failed; rolled back otherwise,
  and when an exception escaped. A view that catches a ``DomainError`` passes it to
  ``refused``, which rolls back, marks the unit failed and gives the message to show:
  nothing the request wrote is kept, and the page says why as before. If the commit itself
  is refused by the database, the user gets a page saying so (409), never a 500 nor the
  database's text.
- a job, a CLI command, a seed (``unit_of_work``): committed when the block ends,
  rolled back on any exception (``DomainError`` included), which is raised again.

Flask-AppBuilder's own CRUD (``SQLAInterface.add`` / ``edit`` / ``delete``) commits
inside FAB: the portal's CRUD screens go through ``views.base.EagerInterface``, which
flushes in the request's unit instead; FAB's security screens (users, roles) still
commit themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db

log = logging.getLogger(__name__)

NOT_SAVED = _l("The record could not be saved: it conflicts with other data.")
CHANGED_MEANWHILE = _l(
    "This record was just changed by someone else: reload the page and try again."
)


def refused(error: Exception, default=None):
    """A refusal ends the request's unit: what it wrote is rolled back now (the page
    shown next reads the database as it was, and a session a failed flush left
    unusable works again), and anything written after it is not committed. Returns
    the refusal's message (``default`` for an error without one, e.g. a ``ValueError``
    from parsing), for the view to show (console, next to a field…)."""
    mark_failed()
    db.session.rollback()
    return getattr(error, "message", default)


def mark_failed() -> None:
    """Roll back the current request's unit at its end, whatever the response."""
    if has_request_context():
        g.imagin_unit_failed = True


def _take_failed() -> bool:
    """Whether the request was refused; the mark is cleared (a test may run several
    requests inside one application context, hence one ``g``)."""
    return bool(g.pop("imagin_unit_failed", False))


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """Work outside a request (a CLI command, a seed, a job): committed when the block
    ends, rolled back on any exception, which is raised again."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _commit_or_refuse(response):
    """``after_request``: commit a success, roll back anything else."""
    if _take_failed() or response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except (SQLAlchemyError, OverflowError) as error:
        db.session.rollback()
        log.warning("Commit refused by the database: %s", type(error).__name__)
        from app.web import render_error  # the shell's error page (app.web needs the app)

        message = CHANGED_MEANWHILE if isinstance(error, StaleDataError) else NOT_SAVED
        from app import problems

        if problems.is_api_request():
            return problems.problem(409, message)
        page, status = render_error(409, str(message))
        return current_app.make_response((page, status))
    return response


def _roll_back_on_exception(error: BaseException | None) -> None:
    """``teardown_request``: an exception escaped every handler; nothing is kept."""
    g.pop("imagin_unit_failed", None)
    if error is not None:
        db.session.rollback()


def init_app(app: Flask) -> None:
    # Registered after the other hooks: Flask runs ``after_request`` functions in
    # reverse order, so the commit comes first and a refused commit's page still gets
    # the security headers.
    app.after_request(_commit_or_refuse)
    app.teardown_request(_roll_back_on_exception)
