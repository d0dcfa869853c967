"""What SANTORIN (the correction system) last sent for an assignment: copies corrected
and the correction state the access portal shows ("Etat correction")."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import enum_type, utcnow
from .enums import CorrectionStatus
from .missions import Assignment


class CorrectionState(Model):
    """One per assignment: the copies and the state of its last SANTORIN line, with the
    session and wave SANTORIN gave (missions of one session and wave are grouped on one
    claim). Written by the corrections import (``app.services.interfaces.imports
    .corrections``) and read by ``correction_state``."""

    __tablename__ = "correction_state"
    __table_args__ = (
        CheckConstraint("copies >= 0", name="copies_positive"),
        CheckConstraint("wave IS NULL OR wave >= 1", name="wave_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    copies: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[CorrectionStatus] = mapped_column(enum_type(CorrectionStatus), nullable=False)
    session_label: Mapped[str] = mapped_column(String(40), nullable=False)
    wave: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    assignment: Mapped[Assignment] = relationship()
