"""What the database refuses, said in French: a record still used elsewhere cannot be
deleted (checked before the database, which on SQLite does not enforce foreign keys),
and a constraint the database still reports (unique, check, not null, a number too
large) becomes a message on the field(s) it concerns, never the database's own text.

Works from the models' metadata, so every CRUD screen and every import gets it without
a list of constraints to keep up to date."""

from __future__ import annotations

import logging
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from app.services import DomainError

log = logging.getLogger(__name__)

# What a record is used by, as the manager names it (tables without a name here are
# "other records").
USED_BY = {
    "agent": _l("contributors"),
    "agent_establishment": _l("contributors' establishments"),
    "assignment": _l("assignments"),
    "competence": _l("competences"),
    "establishment": _l("establishments"),
    "exam_session": _l("sessions"),
    "expense_claim": _l("expense claims"),
    "manager": _l("managers"),
    "mission": _l("missions"),
    "paper": _l("papers"),
    "paper_teaching_rule": _l("correspondence table lines"),
    "payment_batch": _l("payment batches"),
    "specialty": _l("specialties"),
    "teaching": _l("teachings"),
}
OTHER_RECORDS = _l("other records")

ALREADY_EXISTS = _l("This value already exists.")
NOT_ALLOWED = _l("This value is not allowed.")
REQUIRED = _l("This field is required.")
TOO_LARGE = _l("A value is too large or not valid: check the numbers and lengths.")
NOT_SAVED = _l("The record could not be saved: it conflicts with other data.")
NO_LONGER_EXISTS = _l("This choice no longer exists.")


class Refused(DomainError):
    """A write the data's rules refuse. ``fields`` names the form fields concerned (the
    message goes next to them); empty, it goes to the console."""

    def __init__(self, message, fields: tuple[str, ...] = ()):
        super().__init__(message)
        self.fields = fields


# --- Before a delete ------------------------------------------------------------------


def _cascaded_tables(model) -> set[str]:
    """Tables the ORM deletes with a record of ``model`` (relationship cascade)."""
    return {
        rel.target.name
        for rel in inspect(model).relationships
        if rel.cascade.delete and rel.target is not None
    }


def still_used_by(session: Session, item) -> list[tuple[str, int]]:
    """(what, how many) records keep a foreign key on ``item`` and would stop its
    deletion (keys without ON DELETE CASCADE / SET NULL, rows the ORM does not delete)."""
    mapper = inspect(type(item))
    cascaded = _cascaded_tables(type(item))
    uses: dict[str, int] = {}
    for table in mapper.local_table.metadata.sorted_tables:
        if table.name in cascaded:
            continue
        for constraint in table.foreign_key_constraints:
            if constraint.referred_table is not mapper.local_table:
                continue
            if (constraint.ondelete or "").upper() in {"CASCADE", "SET NULL"}:
                continue
            conditions = []
            for element in constraint.elements:
                value = getattr(item, mapper.get_property_by_column(element.column).key)
                conditions.append(element.parent == value)
            count = session.scalar(select(func.count()).select_from(table).where(*conditions))
            if count:
                uses[table.name] = uses.get(table.name, 0) + count
    return list(uses.items())


def check_deletable(session: Session, item) -> None:
    """Refuse (in French, naming what uses it) the deletion of a record still used."""
    uses = still_used_by(session, item)
    if uses:
        raise Refused(still_used_message(uses))


def still_used_message(uses: list[tuple[str, int]]):
    described = ", ".join(
        f"{USED_BY.get(name, OTHER_RECORDS)} ({count})"
        if count
        else str(USED_BY.get(name, OTHER_RECORDS))
        for name, count in uses
    )
    return _l("Cannot delete: this record is still used by %(uses)s.", uses=described)


# --- After the database said no -------------------------------------------------------


def _database_error(error: BaseException) -> BaseException:
    """The SQLAlchemy error behind ``error`` (FAB wraps some in DatabaseException)."""
    seen = error
    while seen is not None and not isinstance(seen, DBAPIError):
        seen = seen.__cause__ or seen.__context__
    return seen or error


def _fields_of_columns(model, table_name: str, column_names: list[str]) -> tuple[str, ...]:
    """Form fields for columns of ``model``'s table: a foreign key column is shown as
    its relationship (``academy_id`` → ``academy``)."""
    mapper = inspect(model)
    if mapper.local_table.name != table_name:
        return ()
    fields = []
    for name in column_names:
        column = mapper.local_table.columns.get(name)
        if column is None:
            continue
        field = (
            next(
                (rel.key for rel in mapper.relationships if column in rel.local_columns),
                None,
            )
            or mapper.get_property_by_column(column).key
        )
        fields.append(field)
    return tuple(fields)


def _constraint(model, name: str | None):
    if not name:
        return None
    table = inspect(model).local_table
    for constraint in list(table.constraints) + list(table.indexes):
        if constraint.name == name:
            return constraint
    return None


def _check_columns(model, name: str | None) -> list[str]:
    """Columns a CHECK constraint speaks of (the column names found in its text)."""
    constraint = _constraint(model, name)
    if constraint is None or not hasattr(constraint, "sqltext"):
        return []
    sql = str(constraint.sqltext)
    return [c.name for c in constraint.table.columns if re.search(rf"\b{c.name}\b", sql)]


def _unique_message_fields(model, table_name, columns):
    fields = _fields_of_columns(model, table_name, columns)
    # Put "already exists" on the value typed (the number, the code), not on the
    # drop-downs of the parents it is unique within, when there is such a value.
    mapper = inspect(model)
    relationship_keys = {rel.key for rel in mapper.relationships}
    typed = tuple(field for field in fields if field not in relationship_keys)
    return typed or fields


def refusal(error: BaseException, model, *, deleting: bool = False) -> Refused:
    """A French ``Refused`` for what the database (or its driver) refused while writing
    a ``model`` record. The database's text is logged, never shown."""
    cause = _database_error(error)
    orig = getattr(cause, "orig", None)
    log.warning(
        "Write of %s refused by the database: %s",
        model.__name__,
        type(orig or cause).__name__,
    )
    diag = getattr(orig, "diag", None)
    if isinstance(error, OverflowError) or isinstance(cause, DataError):
        return Refused(TOO_LARGE)
    if deleting:
        # A foreign key (PostgreSQL names the table using the record) or a NOT NULL
        # column the ORM would have emptied: either way, still used.
        return Refused(still_used_message([(getattr(diag, "table_name", None) or "", 0)]))
    if not isinstance(cause, IntegrityError):
        return Refused(NOT_SAVED)
    sqlstate = getattr(orig, "sqlstate", None)
    text = str(orig or cause)
    table_name = inspect(model).local_table.name
    if sqlstate == "23505" or text.startswith("UNIQUE constraint failed"):
        constraint = _constraint(model, getattr(diag, "constraint_name", None))
        if constraint is not None:
            columns = [c.name for c in constraint.columns]
        else:
            columns = [
                name.split(".", 1)[-1]
                for name in text.partition(":")[2].split(",")
                if name.strip().startswith(f"{table_name}.")
            ]
            columns = [c.strip() for c in columns]
        return Refused(ALREADY_EXISTS, _unique_message_fields(model, table_name, columns))
    if sqlstate == "23514" or text.startswith("CHECK constraint failed"):
        name = getattr(diag, "constraint_name", None) or text.partition(":")[2].strip()
        return Refused(
            NOT_ALLOWED, _fields_of_columns(model, table_name, _check_columns(model, name))
        )
    if sqlstate == "23502" or text.startswith("NOT NULL constraint failed"):
        column = getattr(diag, "column_name", None) or text.partition(":")[2].strip().split(".")[-1]
        return Refused(REQUIRED, _fields_of_columns(model, table_name, [column]))
    if sqlstate == "23503" or text.startswith("FOREIGN KEY constraint failed"):
        return Refused(NO_LONGER_EXISTS)
    return Refused(NOT_SAVED)
