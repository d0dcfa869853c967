"""Interfaces with the ministry's information systems: the record of each import of a
file (who, when, which file, its dry run, what it changed) and the machine clients of
the REST API."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import enum_type, utcnow
from .enums import ImportState


class ImportRun(Model):
    """One file a manager (or the command) imported: its dry run, then its application.

    The file's bytes are kept until it is applied, so that « Appliquer » works on the
    very file whose dry run was shown (the job plans it again: the screen is not
    trusted); they are cleared once applied or refused."""

    __tablename__ = "import_run"
    __table_args__ = (Index("ix_import_run_academy_created", "academy_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    academy_id: Mapped[int] = mapped_column(ForeignKey("academy.id"), nullable=False)
    # The importer (``app.services.interfaces.imports.base.IMPORTERS``): "exams"…
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    file_name: Mapped[str] = mapped_column(String(200), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    applied_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    state: Mapped[ImportState] = mapped_column(
        enum_type(ImportState), nullable=False, default=ImportState.PLANNED
    )
    # The figures (``Plan.counts()``: lines, new, changed, unchanged, missing, refused)
    # of the dry run, then of the application.
    counts: Mapped[dict | None] = mapped_column(JSON)
    # The dry run as shown: each group's first lines, the refused lines, the notes.
    plan: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    # In French: why the file was refused or the import failed, or its summary.
    message: Mapped[str | None] = mapped_column(Text)
    skip_refused: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default="0"
    )
    # The job that makes its dry run (a large file) or applies it.
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    started_by = relationship("User", foreign_keys=[started_by_id])

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"


class ApiClient(Model):
    """A machine client of an académie (SANTORIN, the finance office's software…): its
    token is shown once at creation; only its SHA-256 is kept, with a short public
    prefix that finds the row (``app.services.interfaces.clients``)."""

    __tablename__ = "api_client"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    academy_id: Mapped[int] = mapped_column(ForeignKey("academy.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    # The scopes granted, separated by spaces (``missions:lire paiements:lire``).
    scopes: Mapped[str] = mapped_column(String(400), nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False, unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    academy = relationship("Academy")
    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def expires_on(self) -> dt.date:
        """The last day the token is valid (it expires at the midnight after it)."""
        return (self.expires_at - dt.timedelta(days=1)).date()

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def __str__(self) -> str:
        return self.name
