"""Helpers shared by the model modules."""

from __future__ import annotations

import datetime as dt
import enum

from flask_appbuilder import Model
from sqlalchemy import DateTime, Enum, MetaData, String, func
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from app import crypto

# Deterministic constraint names: Alembic can then alter them on every database.
Model.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata: MetaData = Model.metadata


def enum_type(enum_class: type[enum.Enum], name: str | None = None) -> Enum:
    """A portable enum column type: VARCHAR + CHECK constraint (no native PG enum).

    Stored values are the members' names; a new member is a one-line migration that
    rewrites the CHECK constraint, on PostgreSQL as on SQLite. ``name`` names that
    constraint: give one when a table has two columns of the same enum.
    """
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.name) for member in enum_class) + 8,
        validate_strings=True,
        name=name or enum_class.__name__.lower(),
    )


class EncryptedString(TypeDecorator):
    """A text column stored encrypted (Fernet token, ``app.crypto``): the attribute is
    the clear ``str`` for the code, the database only ever holds the token. Such a
    column cannot be searched nor sorted in SQL: keep it out of keyword search.

    A Fernet token of a 34-character IBAN is 140 characters: 255 leaves room."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return crypto.encrypt(str(value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return crypto.decrypt(value)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """What Alembic's autogenerate compares: everything but the PostgreSQL-only indexes
    the models do not declare: the trigram indexes of migration 0005 and the sort
    indexes (``DESC NULLS LAST``) of migration 0012."""
    return not (type_ == "index" and name and name.endswith(("_trgm", "_pg")))


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime, nullable=False, default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, nullable=False, default=utcnow, onupdate=utcnow, server_default=func.now()
    )
