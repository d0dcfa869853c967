"""The Enquête DCS: a DCS teacher's answers, step by step, and the papers they chose."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TimestampMixin, enum_type
from .competences import CompetenceEndorsement
from .enums import DcsPart, DcsSituation
from .people import Agent
from .referential import Paper


class DcsAnswer(TimestampMixin, Model):
    """One teacher's answers to the Enquête DCS (one per agent)."""

    __tablename__ = "dcs_answer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agent.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    # The last step saved (1 to 6): where the teacher comes back to.
    step: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    situation: Mapped[DcsSituation | None] = mapped_column(enum_type(DcsSituation))
    situation_detail: Mapped[str | None] = mapped_column(String(200))
    # Step 2: the UAI codes of the establishments where the teacher works, one per line.
    establishments: Mapped[str | None] = mapped_column(Text)
    vae_available: Mapped[bool | None] = mapped_column(Boolean)
    vae_comment: Mapped[str | None] = mapped_column(String(300))
    oral_places: Mapped[str | None] = mapped_column(String(200))
    # « Valider mes réponses »: when the teacher said they had finished.
    validated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    agent: Mapped[Agent] = relationship()
    choices: Mapped[list[DcsChoice]] = relationship(
        back_populates="answer", cascade="all, delete-orphan", order_by="DcsChoice.id"
    )

    def __str__(self) -> str:
        return str(self.agent)


class DcsChoice(Model):
    """A paper chosen at step 3 (teaching unit), 5 (written) or 6 (oral). The
    endorsement is the competence word the survey wrote for it (steps 5 and 6), the
    only one unchoosing the paper removes."""

    __tablename__ = "dcs_choice"
    __table_args__ = (UniqueConstraint("answer_id", "part", "paper_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("dcs_answer.id", ondelete="CASCADE"), nullable=False, index=True
    )
    part: Mapped[DcsPart] = mapped_column(enum_type(DcsPart), nullable=False)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id"), nullable=False)
    endorsement_id: Mapped[int | None] = mapped_column(
        ForeignKey("competence_endorsement.id", ondelete="SET NULL")
    )

    answer: Mapped[DcsAnswer] = relationship(back_populates="choices")
    paper: Mapped[Paper] = relationship()
    endorsement: Mapped[CompetenceEndorsement | None] = relationship()
