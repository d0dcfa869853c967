"""Background jobs (traitements): one row per job put on the queue, with who started
it, its state, its progress and its result file (stored in the database, so that any
web host can serve it)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import enum_type, utcnow
from .enums import JobState


class Job(Model):
    """A job of an académie: its kind names the function the worker runs."""

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    academy_id: Mapped[int] = mapped_column(ForeignKey("academy.id"), nullable=False, index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(60), nullable=False)
    # The msgid of the job's label (translated when shown).
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    state: Mapped[JobState] = mapped_column(
        enum_type(JobState), nullable=False, default=JobState.QUEUED, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The last sign of life of the worker running it (``JOB_LEASE_SECONDS``).
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    total: Mapped[int | None] = mapped_column(Integer)
    # In French: the error of a failed job, the summary of a done one.
    message: Mapped[str | None] = mapped_column(Text)
    result_name: Mapped[str | None] = mapped_column(String(200))
    result_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # What the job works on, when it is a file (a return file of the finance office).
    input_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)

    started_by = relationship("User", foreign_keys=[started_by_id])

    def __str__(self) -> str:
        return f"{self.kind} #{self.id}"
