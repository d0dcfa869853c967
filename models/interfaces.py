"""Interfaces with other information systems: the machine clients of the REST API."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import utcnow


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
