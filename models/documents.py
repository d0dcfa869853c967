"""PDF documents rendered once and stored: the recap of an expense claim, the
convocation of an assignment. In the database, so that every web host and every worker
reads the same file (``app.services.documents.store``)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import enum_type
from .enums import DocumentKind


class StoredDocument(Model):
    """The stored PDF of one document (``kind``, ``owner_id``: the claim's or the
    assignment's id). ``fingerprint`` is the SHA-256 of the HTML it was rendered from:
    the same HTML is served from here, never rendered again. ``requested_at`` is set
    while a render is wanted (the document changed) and not done yet."""

    __tablename__ = "stored_document"
    __table_args__ = (UniqueConstraint("kind", "owner_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind), nullable=False)
    owner_id: Mapped[int] = mapped_column(Integer, nullable=False)
    academy_id: Mapped[int] = mapped_column(ForeignKey("academy.id"), nullable=False, index=True)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    rendered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    requested_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)

    def __str__(self) -> str:
        return f"{self.kind.name} #{self.owner_id}"
