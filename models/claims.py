"""Expense claims (états de frais): the fee part and the travel part of an assignment,
their entries, supporting documents, status history, numbering and payment batches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TimestampMixin, enum_type, utcnow
from .enums import ClaimPart, ClaimStatus, DocumentDossier, DocumentPiece, TransportMode
from .missions import Assignment

MONEY = Numeric(12, 2)


class PaymentBatch(Model):
    """A numbered export of accepted claims to the finance system."""

    __tablename__ = "payment_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    academy_id: Mapped[int] = mapped_column(ForeignKey("academy.id"), nullable=False, index=True)
    file_name: Mapped[str | None] = mapped_column(String(120))
    claim_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # Control totals per nature (rows and amounts), as the file has them.
    fee_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    fee_total: Mapped[Decimal] = mapped_column(
        MONEY, nullable=False, default=Decimal(0), server_default="0"
    )
    travel_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    travel_total: Mapped[Decimal] = mapped_column(
        MONEY, nullable=False, default=Decimal(0), server_default="0"
    )
    # The CSV file exactly as it was produced, so that it can be downloaded again.
    # Deferred: a list of batches never reads the files.
    content: Mapped[str | None] = mapped_column(Text, deferred=True)

    def __str__(self) -> str:
        return str(self.number)


class ExpenseClaim(TimestampMixin, Model):
    """One état de frais per assignment, with a fee part and a travel part.

    ``fee_status`` / ``travel_status`` store the workflow state of each part; the
    date-derived labels (Mission non effectuée / en cours) are computed, never stored.
    """

    __tablename__ = "expense_claim"
    __table_args__ = (
        Index("ix_expense_claim_statuses", "fee_status", "travel_status"),
        Index("ix_expense_claim_travel_status", "travel_status"),
        CheckConstraint("fee_amount IS NULL OR fee_amount >= 0", name="fee_amount_positive"),
        CheckConstraint(
            "travel_amount IS NULL OR travel_amount >= 0", name="travel_amount_positive"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id"), unique=True, nullable=False
    )
    # Numéro de dossier: given at the first validation, unique, never reused.
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    fee_status: Mapped[ClaimStatus] = mapped_column(
        enum_type(ClaimStatus, "fee_status"), nullable=False
    )
    travel_status: Mapped[ClaimStatus] = mapped_column(
        enum_type(ClaimStatus, "travel_status"), nullable=False
    )
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    not_done_declared_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    validated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    manager_message: Mapped[str | None] = mapped_column(Text)
    fee_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    travel_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    payment_batch_id: Mapped[int | None] = mapped_column(ForeignKey("payment_batch.id"), index=True)
    # The finance office's answer (return file), per part: paid on a date, or rejected
    # with its reason (the part then comes back to the manager, "Traité par le
    # gestionnaire", until it is accepted and exported again).
    # The travel amount's breakdown, stored when the travel is accepted (the payment
    # file writes it without computing the trips again).
    travel_transport: Mapped[Decimal | None] = mapped_column(MONEY)
    travel_misc: Mapped[Decimal | None] = mapped_column(MONEY)
    travel_meals: Mapped[Decimal | None] = mapped_column(MONEY)
    travel_nights: Mapped[Decimal | None] = mapped_column(MONEY)
    fee_paid_on: Mapped[dt.date | None] = mapped_column(Date)
    travel_paid_on: Mapped[dt.date | None] = mapped_column(Date)
    fee_payment_rejection: Mapped[str | None] = mapped_column(String(255))
    travel_payment_rejection: Mapped[str | None] = mapped_column(String(255))
    # Optimistic locking: two managers (or a manager and the agent) editing at once.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    assignment: Mapped[Assignment] = relationship(back_populates="claim")
    payment_batch: Mapped[PaymentBatch | None] = relationship()
    fee_entries: Mapped[list[FeeEntry]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="FeeEntry.id"
    )
    travel_legs: Mapped[list[TravelLeg]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="TravelLeg.position"
    )
    documents: Mapped[list[SupportingDocument]] = relationship(
        back_populates="claim", cascade="all, delete-orphan"
    )
    history: Mapped[list[ClaimStatusHistory]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="ClaimStatusHistory.id"
    )

    def __str__(self) -> str:
        return self.number or f"#{self.id}"


class FeeEntry(Model):
    """What the agent entered for the fee part; which fields are used depends on the
    mission type's family (copies, candidates, half-day times, duration)."""

    __tablename__ = "fee_entry"
    __table_args__ = (
        CheckConstraint(
            "coalesce(copies, 0) >= 0 AND coalesce(candidates, 0) >= 0"
            " AND coalesce(candidates_morning, 0) >= 0"
            " AND coalesce(candidates_afternoon, 0) >= 0"
            " AND coalesce(hours, 0) >= 0",
            name="counts_positive",
        ),
        CheckConstraint("minutes IS NULL OR minutes BETWEEN 0 AND 59", name="minutes_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("expense_claim.id", ondelete="CASCADE"), nullable=False, index=True
    )
    day: Mapped[dt.date | None] = mapped_column(Date)
    copies: Mapped[int | None] = mapped_column(Integer)
    candidates: Mapped[int | None] = mapped_column(Integer)
    candidates_morning: Mapped[int | None] = mapped_column(Integer)
    candidates_afternoon: Mapped[int | None] = mapped_column(Integer)
    morning_start: Mapped[dt.time | None] = mapped_column(Time)
    morning_end: Mapped[dt.time | None] = mapped_column(Time)
    afternoon_start: Mapped[dt.time | None] = mapped_column(Time)
    afternoon_end: Mapped[dt.time | None] = mapped_column(Time)
    hours: Mapped[int | None] = mapped_column(Integer)
    minutes: Mapped[int | None] = mapped_column(Integer)
    # Filled from the correction system (read-only for the agent), with the
    # regrouping comment when several missions were merged.
    from_correction_system: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    entered_by_manager: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    claim: Mapped[ExpenseClaim] = relationship(back_populates="fee_entries")


class TravelLeg(Model):
    """A ligne de déplacement of the travel part."""

    __tablename__ = "travel_leg"
    __table_args__ = (
        UniqueConstraint("claim_id", "position"),
        CheckConstraint(
            "coalesce(km_one_way, 0) >= 0 AND coalesce(trips, 0) >= 0"
            " AND coalesce(misc_amount, 0) >= 0 AND lunches_refund >= 0"
            " AND lunches_administrative >= 0 AND lunches_free >= 0"
            " AND dinners_refund >= 0 AND dinners_free >= 0"
            " AND nights_refund >= 0 AND nights_free >= 0",
            name="counts_positive",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("expense_claim.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    departure_town: Mapped[str] = mapped_column(String(80), nullable=False)
    departure_postcode: Mapped[str | None] = mapped_column(String(10))
    departure_date: Mapped[dt.date | None] = mapped_column(Date)
    departure_time: Mapped[dt.time | None] = mapped_column(Time)
    arrival_town: Mapped[str] = mapped_column(String(80), nullable=False)
    arrival_postcode: Mapped[str | None] = mapped_column(String(10))
    return_date: Mapped[dt.date | None] = mapped_column(Date)
    return_time: Mapped[dt.time | None] = mapped_column(Time)
    transport_mode: Mapped[TransportMode | None] = mapped_column(enum_type(TransportMode))
    km_one_way: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    trips: Mapped[int | None] = mapped_column(Integer)
    misc_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    misc_comment: Mapped[str | None] = mapped_column(String(255))
    lunches_refund: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    lunches_administrative: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    lunches_free: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    dinners_refund: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    dinners_free: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    nights_refund: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    nights_free: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # SNCF 2nd-class fare set by the manager, when it replaces kilometre allowances.
    sncf_fare: Mapped[Decimal | None] = mapped_column(MONEY)
    completed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    claim: Mapped[ExpenseClaim] = relationship(back_populates="travel_legs")


class SupportingDocument(Model):
    """A pièce justificative, stored outside the static folder under a generated name."""

    __tablename__ = "supporting_document"
    __table_args__ = (
        Index("ix_supporting_document_dossier", "claim_id", "dossier"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("expense_claim.id", ondelete="CASCADE"), nullable=False
    )
    dossier: Mapped[DocumentDossier] = mapped_column(enum_type(DocumentDossier), nullable=False)
    piece: Mapped[DocumentPiece] = mapped_column(
        enum_type(DocumentPiece), nullable=False, server_default=DocumentPiece.OTHER.name
    )
    display_name: Mapped[str] = mapped_column(String(60), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    content_type: Mapped[str] = mapped_column(String(40), nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    by_manager: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    claim: Mapped[ExpenseClaim] = relationship(back_populates="documents")


class ClaimStatusHistory(Model):
    """One transition of a claim part: who, when, from, to, comment."""

    __tablename__ = "claim_status_history"
    __table_args__ = (Index("ix_claim_status_history_claim", "claim_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("expense_claim.id", ondelete="CASCADE"), nullable=False
    )
    part: Mapped[ClaimPart] = mapped_column(enum_type(ClaimPart), nullable=False)
    from_status: Mapped[ClaimStatus | None] = mapped_column(enum_type(ClaimStatus, "from_status"))
    to_status: Mapped[ClaimStatus] = mapped_column(
        enum_type(ClaimStatus, "to_status"), nullable=False
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    comment: Mapped[str | None] = mapped_column(Text)

    claim: Mapped[ExpenseClaim] = relationship(back_populates="history")


class NumberCounter(Model):
    """A locked counter row per scope (e.g. dossier numbers of a year): the claim
    service takes it ``FOR UPDATE`` so concurrent validations get distinct numbers."""

    __tablename__ = "number_counter"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ClaimSummary(Model):
    """The dashboard's figures kept up to date: per académie, session and pair of
    statuses, how many claims and what they add up to.

    Written only by the database's triggers on ``expense_claim`` (and on the
    ``assignment`` / ``mission`` a claim hangs from), in the transaction that changes a
    claim, whatever wrote it (the workflow, a set-based export, a seed): migration 0015
    holds them. A group whose claims all left it stays with ``total`` 0."""

    __tablename__ = "claim_summary"

    academy_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fee_status: Mapped[ClaimStatus] = mapped_column(
        enum_type(ClaimStatus, "summary_fee_status"), primary_key=True
    )
    travel_status: Mapped[ClaimStatus] = mapped_column(
        enum_type(ClaimStatus, "summary_travel_status"), primary_key=True
    )
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Parts rejected by the finance office, back with the manager to accept again.
    rejected: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    not_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Validated (or beyond) with a part whose amount is not known.
    missing: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    fee_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=0)
    travel_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=0)
