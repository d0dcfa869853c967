"""Missions, their dates (slots) and the agents assigned (convoked) to them."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .base import TimestampMixin, enum_type, utcnow
from .enums import AssignmentQuality, DayPart, SlotDuration
from .people import Agent
from .referential import Academy, Establishment, ExamSession, MissionType, Paper, Specialty


class Mission(TimestampMixin, Model):
    """A mission: a charge linked to the running or the correction of an exam."""

    __tablename__ = "mission"
    __table_args__ = (
        UniqueConstraint("academy_id", "number"),
        Index("ix_mission_first_day", "first_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    academy_id: Mapped[int] = mapped_column(ForeignKey("academy.id"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    mission_type_id: Mapped[int] = mapped_column(
        ForeignKey("mission_type.id"), nullable=False, index=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("exam_session.id"), nullable=False, index=True
    )
    specialty_id: Mapped[int | None] = mapped_column(ForeignKey("specialty.id"), index=True)
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("paper.id"), index=True)
    # No centre for a correction at home.
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("establishment.id"), index=True)
    observations: Mapped[str | None] = mapped_column(Text)
    # First and last day of the slots, kept by a flush hook for sorting and filtering.
    first_day: Mapped[dt.date | None] = mapped_column(Date)
    last_day: Mapped[dt.date | None] = mapped_column(Date)

    academy: Mapped[Academy] = relationship()
    # Shown with the mission ("52525 – ORAUX PROFESSIONNELS"): loaded with it.
    mission_type: Mapped[MissionType] = relationship(lazy="joined")
    session: Mapped[ExamSession] = relationship()
    specialty: Mapped[Specialty | None] = relationship()
    paper: Mapped[Paper | None] = relationship()
    centre: Mapped[Establishment | None] = relationship()
    slots: Mapped[list[MissionSlot]] = relationship(
        back_populates="mission",
        cascade="all, delete-orphan",
        order_by="(MissionSlot.day, MissionSlot.start_time)",
    )
    assignments: Mapped[list[Assignment]] = relationship(back_populates="mission")

    def __str__(self) -> str:
        return f"{self.number} – {self.mission_type}"


class MissionSlot(Model):
    """A date of a mission: a day, a start time and a duration."""

    __tablename__ = "mission_slot"
    __table_args__ = (UniqueConstraint("mission_id", "day", "start_time"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(
        ForeignKey("mission.id", ondelete="CASCADE"), nullable=False, index=True
    )
    day: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    start_time: Mapped[dt.time] = mapped_column(Time, nullable=False)
    duration: Mapped[SlotDuration] = mapped_column(enum_type(SlotDuration), nullable=False)

    mission: Mapped[Mission] = relationship(back_populates="slots")

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.start_time:%H:%M}"


class Assignment(TimestampMixin, Model):
    """An affectation: an agent convoked to a mission, with a quality and a jury."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("mission_id", "agent_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id"), nullable=False, index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id"), nullable=False, index=True)
    quality: Mapped[AssignmentQuality | None] = mapped_column(enum_type(AssignmentQuality))
    jury: Mapped[str | None] = mapped_column(String(40))
    convoked_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    convoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    service_done_on: Mapped[dt.date | None] = mapped_column(Date)
    service_done_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    # When the service done was recorded (naive UTC), by a manager or the centre's head.
    service_done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Convoked although a declared unavailability covers a date of the mission: the
    # manager's reason (mandatory then).
    unavailability_override: Mapped[str | None] = mapped_column(Text)

    mission: Mapped[Mission] = relationship(back_populates="assignments")
    agent: Mapped[Agent] = relationship()
    service_done_by = relationship("User", foreign_keys=[service_done_by_id])
    claim: Mapped[ExpenseClaim | None] = relationship(  # noqa: F821
        back_populates="assignment", uselist=False
    )

    def __str__(self) -> str:
        return f"{self.agent} – {self.mission}"


class Unavailability(TimestampMixin, Model):
    """An agent's declared unavailability for an exam session: every day from
    ``starts_on`` to ``ends_on``, the whole day, the morning or the afternoon."""

    __tablename__ = "unavailability"
    __table_args__ = (
        Index("ix_unavailability_agent_days", "agent_id", "starts_on", "ends_on"),
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agent.id", ondelete="CASCADE"), nullable=False
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("exam_session.id", ondelete="CASCADE"), nullable=False, index=True
    )
    starts_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    part: Mapped[DayPart] = mapped_column(enum_type(DayPart), nullable=False)
    comment: Mapped[str | None] = mapped_column(String(200))

    agent: Mapped[Agent] = relationship()
    session: Mapped[ExamSession] = relationship()

    def __str__(self) -> str:
        return f"{self.starts_on:%d/%m/%Y} – {self.ends_on:%d/%m/%Y} {self.part.label}"


@event.listens_for(Session, "before_flush")
def _refresh_mission_days(session: Session, flush_context, instances) -> None:
    """Keep ``Mission.first_day`` / ``last_day`` equal to the span of its slots."""
    touched: set[Mission] = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, MissionSlot) and obj.mission is not None:
            touched.add(obj.mission)
        elif isinstance(obj, Mission):
            touched.add(obj)
    for mission in touched:
        if mission in session.deleted:
            continue
        days = [slot.day for slot in mission.slots if slot not in session.deleted]
        mission.first_day = min(days) if days else None
        mission.last_day = max(days) if days else None
