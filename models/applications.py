"""The applications the access portal opens (SANTORIN, CYCLADES and their modules,
DELOS…) and the record of each access through the portal."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import utcnow


class Application(Model):
    """An application of the ministry that the portal sends agents to. The
    administrator sets its address (a template with placeholders, https only) and
    whether it is available (with a maintenance message and dates)."""

    __tablename__ = "application"
    __table_args__ = (
        CheckConstraint(
            "unavailable_until IS NULL OR unavailable_from IS NULL"
            " OR unavailable_until >= unavailable_from",
            name="unavailable_period",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    # "https://santorin.ac-{academie}.fr/correcteur?mission={numero}"
    url_template: Mapped[str] = mapped_column(String(400), nullable=False)
    available: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )
    maintenance_message: Mapped[str | None] = mapped_column(Text)
    # Unavailable on these days (inclusive; either bound may be open).
    unavailable_from: Mapped[dt.date | None] = mapped_column(Date)
    unavailable_until: Mapped[dt.date | None] = mapped_column(Date)

    def __str__(self) -> str:
        return self.name


class ApplicationAccess(Model):
    """One access to an application through the portal: who, when, for which mission
    (an assignment) or which activity."""

    __tablename__ = "application_access"
    __table_args__ = (Index("ix_application_access_agent_at", "agent_id", "accessed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agent.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment.id", ondelete="SET NULL"), index=True
    )
    # The activity the agent came from (``app.catalogue``): "missions_portal"…
    activity: Mapped[str] = mapped_column(String(40), nullable=False)
    accessed_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    agent = relationship("Agent")
    application: Mapped[Application] = relationship()
    assignment = relationship("Assignment")

    def __str__(self) -> str:
        return f"{self.application} – {self.accessed_at:%d/%m/%Y %H:%M}"
