"""Automatic assignment (issue 17): the needs of each mission, the conflicts of
interest a manager records, and the proposals (runs) with their lines and gaps."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TimestampMixin, enum_type, utcnow
from .enums import AssignmentQuality, AssignmentRunState, GapReason
from .missions import Assignment, Mission
from .people import Agent
from .referential import Establishment, ExamSession

MAX_PLACES = 999
MAX_LOAD = 9_999


class MissionNeed(Model):
    """How many agents of one quality a mission needs (« 12 correcteurs »), each present
    on every slot of the mission, and the load one of them takes towards their session
    cap (copies or candidates; empty: the mission type's maximum, or the mission's
    half-days)."""

    __tablename__ = "mission_need"
    __table_args__ = (
        UniqueConstraint("mission_id", "quality"),
        CheckConstraint(f"places BETWEEN 1 AND {MAX_PLACES}", name="places_range"),
        CheckConstraint(
            f"load_per_agent IS NULL OR load_per_agent BETWEEN 1 AND {MAX_LOAD}",
            name="load_range",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(
        ForeignKey("mission.id", ondelete="CASCADE"), nullable=False, index=True
    )
    quality: Mapped[AssignmentQuality] = mapped_column(enum_type(AssignmentQuality), nullable=False)
    places: Mapped[int] = mapped_column(Integer, nullable=False)
    load_per_agent: Mapped[int | None] = mapped_column(Integer)

    mission: Mapped[Mission] = relationship()

    def __str__(self) -> str:
        return f"{self.places} × {self.quality.label}"


class AssignmentConflict(TimestampMixin, Model):
    """A conflict of interest a manager records: the agent is never proposed (nor
    offered as a candidate) for the centre's missions, or for one mission."""

    __tablename__ = "assignment_conflict"
    __table_args__ = (
        CheckConstraint(
            "(establishment_id IS NULL) <> (mission_id IS NULL)", name="centre_or_mission"
        ),
        Index("ix_assignment_conflict_academy_agent", "academy_id", "agent_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    academy_id: Mapped[int] = mapped_column(ForeignKey("academy.id"), nullable=False)
    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agent.id", ondelete="CASCADE"), nullable=False
    )
    establishment_id: Mapped[int | None] = mapped_column(
        ForeignKey("establishment.id", ondelete="CASCADE"), index=True
    )
    mission_id: Mapped[int | None] = mapped_column(
        ForeignKey("mission.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(300), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    agent: Mapped[Agent] = relationship()
    establishment: Mapped[Establishment | None] = relationship()
    mission: Mapped[Mission | None] = relationship()
    created_by = relationship("User", foreign_keys=[created_by_id])

    def __str__(self) -> str:
        return f"{self.agent} – {self.establishment or self.mission}"


class AssignmentRun(TimestampMixin, Model):
    """One automatic assignment: the session (and missions) it covers, the weights, the
    proposal's figures, and where it is (proposed, convoked…)."""

    __tablename__ = "assignment_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    academy_id: Mapped[int] = mapped_column(ForeignKey("academy.id"), nullable=False, index=True)
    exam_session_id: Mapped[int] = mapped_column(
        ForeignKey("exam_session.id"), nullable=False, index=True
    )
    # The missions chosen (ids), or none: every mission of the session with needs.
    mission_ids: Mapped[list[int] | None] = mapped_column(JSON)
    weight_travel: Mapped[float] = mapped_column(Float, nullable=False)
    weight_spread: Mapped[float] = mapped_column(Float, nullable=False)
    weight_wish: Mapped[float] = mapped_column(Float, nullable=False)
    state: Mapped[AssignmentRunState] = mapped_column(
        enum_type(AssignmentRunState), nullable=False, default=AssignmentRunState.PROPOSING
    )
    proposal_job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    convocation_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("job.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    # The solver's figures (objective, bound, parts, seconds, agents used, km…).
    cost: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    figures: Mapped[dict | None] = mapped_column(JSON)
    proposed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    convoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    exam_session: Mapped[ExamSession] = relationship()
    lines: Mapped[list[AssignmentProposal]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True
    )
    gaps: Mapped[list[AssignmentGap]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True
    )

    def __str__(self) -> str:
        return f"{self.id}"


class AssignmentProposal(Model):
    """A line of a proposal: an agent proposed for a place of a mission, and why (the
    distance, the rank among the free competent candidates, the missions held before,
    a wish); once convoked, the assignment made (or the refusal's reason)."""

    __tablename__ = "assignment_proposal"
    __table_args__ = (
        UniqueConstraint("run_id", "mission_id", "agent_id"),
        Index("ix_assignment_proposal_run_mission", "run_id", "mission_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("assignment_run.id", ondelete="CASCADE"), nullable=False
    )
    mission_id: Mapped[int] = mapped_column(
        ForeignKey("mission.id", ondelete="CASCADE"), nullable=False
    )
    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agent.id", ondelete="CASCADE"), nullable=False, index=True
    )
    quality: Mapped[AssignmentQuality] = mapped_column(enum_type(AssignmentQuality), nullable=False)
    km: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    rank: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    candidates: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    missions_before: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    wished: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    # Put there by the manager (a swap), not by the solver.
    manual: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment.id", ondelete="SET NULL")
    )
    refusal: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    run: Mapped[AssignmentRun] = relationship(back_populates="lines")
    mission: Mapped[Mission] = relationship()
    agent: Mapped[Agent] = relationship()
    assignment: Mapped[Assignment | None] = relationship()


class AssignmentGap(Model):
    """Places of a mission the proposal leaves empty, and why."""

    __tablename__ = "assignment_gap"
    __table_args__ = (UniqueConstraint("run_id", "mission_id", "quality", "reason"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("assignment_run.id", ondelete="CASCADE"), nullable=False, index=True
    )
    mission_id: Mapped[int] = mapped_column(
        ForeignKey("mission.id", ondelete="CASCADE"), nullable=False
    )
    quality: Mapped[AssignmentQuality] = mapped_column(enum_type(AssignmentQuality), nullable=False)
    places: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[GapReason] = mapped_column(enum_type(GapReason), nullable=False)

    run: Mapped[AssignmentRun] = relationship(back_populates="gaps")
    mission: Mapped[Mission] = relationship()
