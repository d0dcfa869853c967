"""Portal configuration: activities and their openings per service, the managers'
messages per service and the acceptance of the conditions of use."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import enum_type, utcnow
from .enums import MessageKind, Service


class Activity(Model):
    """An activity (a menu entry); its definition lives in ``app.catalogue``."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    # The French label when the row was written, for readers of the database.
    name: Mapped[str] = mapped_column(String(120), nullable=False)

    openings: Mapped[list[ActivityOpening]] = relationship(
        back_populates="activity", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name


class ActivityOpening(Model):
    """Whether an activity is open for a service now."""

    __tablename__ = "activity_opening"
    __table_args__ = (UniqueConstraint("activity_id", "service"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), nullable=False
    )
    service: Mapped[Service] = mapped_column(enum_type(Service), nullable=False)
    is_open: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    activity: Mapped[Activity] = relationship(back_populates="openings")
    changed_by = relationship("User", foreign_keys=[changed_by_id])


class PortalMessage(Model):
    """The welcome message or the conditions of use of a service (Markdown, shown
    sanitised). ``version`` grows at each change: a new version of the conditions
    asks the agents to accept them again."""

    __tablename__ = "portal_message"
    __table_args__ = (UniqueConstraint("service", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[Service] = mapped_column(enum_type(Service), nullable=False)
    kind: Mapped[MessageKind] = mapped_column(enum_type(MessageKind), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    updated_by = relationship("User", foreign_keys=[updated_by_id])


class ConditionsAcceptance(Model):
    """A user accepted version ``version`` of their service's conditions of use."""

    __tablename__ = "conditions_acceptance"
    __table_args__ = (UniqueConstraint("user_id", "service", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    service: Mapped[Service] = mapped_column(enum_type(Service), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    accepted_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
