"""Interfaces with the ministry's information systems: the record of each import of a
file (who, when, which file, its dry run, what it changed)."""

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
