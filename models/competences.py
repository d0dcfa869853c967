"""Competences: an agent is competent for a paper; endorsements say who said so."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import enum_type, utcnow
from .enums import EndorsementAuthor, EndorsementVerdict
from .people import Agent
from .referential import Paper


class Competence(Model):
    __tablename__ = "competence"
    __table_args__ = (UniqueConstraint("agent_id", "paper_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agent.id", ondelete="CASCADE"), nullable=False, index=True
    )
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id"), nullable=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    agent: Mapped[Agent] = relationship()
    paper: Mapped[Paper] = relationship()
    endorsements: Mapped[list[CompetenceEndorsement]] = relationship(
        back_populates="competence",
        cascade="all, delete-orphan",
        order_by="CompetenceEndorsement.id",
    )

    def __str__(self) -> str:
        return f"{self.agent} – {self.paper}"


class CompetenceEndorsement(Model):
    """One word on a competence: ``author_code`` (SYS, a UAI code, a numen or a
    manager's code) confirmed (C) or invalidated (I) it."""

    __tablename__ = "competence_endorsement"
    __table_args__ = (Index("ix_competence_endorsement_trail", "competence_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("competence.id", ondelete="CASCADE"), nullable=False
    )
    author_kind: Mapped[EndorsementAuthor] = mapped_column(
        enum_type(EndorsementAuthor), nullable=False
    )
    author_code: Mapped[str] = mapped_column(String(20), nullable=False)
    verdict: Mapped[EndorsementVerdict] = mapped_column(
        enum_type(EndorsementVerdict), nullable=False
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    competence: Mapped[Competence] = relationship(back_populates="endorsements")

    def __str__(self) -> str:
        return f"{self.author_code} ({self.verdict.value})"
