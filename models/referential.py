"""Referential data: académies, establishments, exams and papers, teachings' codes,
mission types and the barème (rate tables)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .applications import Application
from .base import EncryptedString, TimestampMixin, enum_type, metadata
from .enums import EstablishmentCategory, FeeEntryFamily, LodgingZone, RateKind

# The default load caps of one agent in an exam session (automatic assignment).
DEFAULT_SESSION_MAX_COPIES = 600
DEFAULT_SESSION_MAX_CANDIDATES = 240
DEFAULT_SESSION_MAX_HALF_DAYS = 20


class Academy(Model):
    """An académie. This instance serves one (``IMAGIN_ACADEMY_CODE``); the others
    appear as links to their own portal."""

    __tablename__ = "academy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    portal_url: Mapped[str | None] = mapped_column(String(255))
    # Another académie read as a peer (app.services.interfaces.peers): the base URL of
    # its REST API, the token of the API client it gave us (encrypted) and whether the
    # portal calls it.
    api_url: Mapped[str | None] = mapped_column(String(255))
    api_token: Mapped[str | None] = mapped_column(EncryptedString())
    peer_enabled: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )

    settings: Mapped[AcademySettings | None] = relationship(back_populates="academy", uselist=False)

    def __str__(self) -> str:
        return self.name


class AcademySettings(TimestampMixin, Model):
    """Settings of the académie served by this instance."""

    __tablename__ = "academy_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    academy_id: Mapped[int] = mapped_column(
        ForeignKey("academy.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    management_office_name: Mapped[str] = mapped_column(String(120), nullable=False)
    management_office_address: Mapped[str] = mapped_column(Text, nullable=False)
    dematerialised_documents: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    documents_info_url: Mapped[str | None] = mapped_column(String(255))
    # The Enquête DCS is open from the first day to the last, both included.
    dcs_survey_opens_on: Mapped[dt.date | None] = mapped_column(Date)
    dcs_survey_closes_on: Mapped[dt.date | None] = mapped_column(Date)
    # Automatic assignment: the most load one agent may hold in an exam session, per
    # unit (copies, candidates, half-days), convocations already made included.
    session_max_copies: Mapped[int] = mapped_column(
        Integer,
        nullable=False,
        default=DEFAULT_SESSION_MAX_COPIES,
        server_default=str(DEFAULT_SESSION_MAX_COPIES),
    )
    session_max_candidates: Mapped[int] = mapped_column(
        Integer,
        nullable=False,
        default=DEFAULT_SESSION_MAX_CANDIDATES,
        server_default=str(DEFAULT_SESSION_MAX_CANDIDATES),
    )
    session_max_half_days: Mapped[int] = mapped_column(
        Integer,
        nullable=False,
        default=DEFAULT_SESSION_MAX_HALF_DAYS,
        server_default=str(DEFAULT_SESSION_MAX_HALF_DAYS),
    )

    academy: Mapped[Academy] = relationship(back_populates="settings")

    def __str__(self) -> str:
        return self.management_office_name


class Establishment(Model):
    """An établissement (also an exam centre), identified by its UAI code."""

    __tablename__ = "establishment"
    __table_args__ = (
        CheckConstraint("length(uai) = 8", name="uai_length"),
        Index("ix_establishment_academy_name", "academy_id", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uai: Mapped[str] = mapped_column(String(8), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    category: Mapped[EstablishmentCategory] = mapped_column(
        enum_type(EstablishmentCategory), nullable=False
    )
    academy_id: Mapped[int] = mapped_column(ForeignKey("academy.id"), nullable=False)
    address: Mapped[str | None] = mapped_column(String(255))
    postcode: Mapped[str] = mapped_column(String(5), nullable=False)
    town: Mapped[str] = mapped_column(String(80), nullable=False)
    lodging_zone: Mapped[LodgingZone] = mapped_column(
        enum_type(LodgingZone), nullable=False, default=LodgingZone.STANDARD
    )
    is_exam_centre: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Where it is (WGS 84 degrees), when the exams' export gives it.
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))

    academy: Mapped[Academy] = relationship()

    def __str__(self) -> str:
        return f"{self.name} {self.town} ({self.uai})"


exam_category = Table(
    "exam_establishment_category",
    metadata,
    Column("exam_id", ForeignKey("exam.id", ondelete="CASCADE"), primary_key=True),
    Column("category", enum_type(EstablishmentCategory), primary_key=True),
)


class Exam(Model):
    """An examen or concours (e.g. BREVET DE TECHNICIEN SUPERIEUR)."""

    __tablename__ = "exam"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    short_name: Mapped[str | None] = mapped_column(String(20))

    specialties: Mapped[list[Specialty]] = relationship(back_populates="exam")
    categories: Mapped[list[ExamCategory]] = relationship(
        back_populates="exam", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name


class ExamCategory(Model):
    """Which establishment categories prepare an exam (narrows the exams offered
    when an agent declares a competence)."""

    __table__ = exam_category

    exam: Mapped[Exam] = relationship(back_populates="categories")

    def __str__(self) -> str:
        return f"{self.exam} – {self.category.label}"


class Specialty(Model):
    """A spécialité or série of an exam (e.g. 31406 - COMPTA&GEST. DES ORGANISATIONS)."""

    __tablename__ = "specialty"
    __table_args__ = (UniqueConstraint("exam_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)

    exam: Mapped[Exam] = relationship(back_populates="specialties")
    papers: Mapped[list[Paper]] = relationship(back_populates="specialty")

    def __str__(self) -> str:
        return f"{self.code} - {self.name}"


class Paper(Model):
    """An épreuve-option (e.g. E4-A, GESTION RELATION CLIENT)."""

    __tablename__ = "paper"
    __table_args__ = (
        UniqueConstraint("specialty_id", "code"),
        CheckConstraint("copy_rate_group BETWEEN 1 AND 5", name="copy_rate_group"),
        CheckConstraint("hour_rate_group BETWEEN 1 AND 4", name="hour_rate_group"),
        CheckConstraint(
            "minutes_per_candidate IS NULL OR minutes_per_candidate BETWEEN 1 AND 600",
            name="minutes_per_candidate",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    specialty_id: Mapped[int] = mapped_column(
        ForeignKey("specialty.id"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    # Groups of the arrêté of 13 April 2012: which per-copy / per-hour rate applies.
    copy_rate_group: Mapped[int | None] = mapped_column(Integer)
    hour_rate_group: Mapped[int | None] = mapped_column(Integer)
    # Length of the oral per candidate: a claim's number of candidates becomes hours.
    minutes_per_candidate: Mapped[int | None] = mapped_column(Integer)

    specialty: Mapped[Specialty] = relationship(back_populates="papers")

    def __str__(self) -> str:
        return f"{self.code}, {self.name}"


class ExamSession(Model):
    """A session of an exam (e.g. BTS, "juin 2014")."""

    __tablename__ = "exam_session"
    __table_args__ = (UniqueConstraint("exam_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(40), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    # Last day on which contributors declare or change their unavailabilities for the
    # session (None: declarations are not open).
    unavailability_closes_on: Mapped[dt.date | None] = mapped_column(Date)

    # Always shown with its exam ("BTS – juin 2014"): load it in the same query.
    exam: Mapped[Exam] = relationship(lazy="joined")

    def __str__(self) -> str:
        return f"{self.exam} – {self.name}"


class Subject(Model):
    """A matière enseignée (STS-WEB code)."""

    __tablename__ = "subject"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)

    def __str__(self) -> str:
        return self.name


class Mef(Model):
    """A module élémentaire de formation (e.g. TERMINALE ECONOMIQUE ET SOCIALE)."""

    __tablename__ = "mef"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(11), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    mef_type: Mapped[str] = mapped_column(String(40), nullable=False, default="MEF NATIONAL")

    def __str__(self) -> str:
        return self.name


class Discipline(Model):
    """A discipline de poste (e.g. L1300 MATHEMATIQUES)."""

    __tablename__ = "discipline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PaperTeachingRule(Model):
    """A line of the table de correspondance: teaching ``subject`` (optionally in
    ``mef``) qualifies for ``paper``."""

    __tablename__ = "paper_teaching_rule"
    __table_args__ = (UniqueConstraint("paper_id", "subject_id", "mef_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id"), nullable=False, index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), nullable=False, index=True)
    mef_id: Mapped[int | None] = mapped_column(ForeignKey("mef.id"))

    paper: Mapped[Paper] = relationship()
    subject: Mapped[Subject] = relationship()
    mef: Mapped[Mef | None] = relationship()

    def __str__(self) -> str:
        return f"{self.subject} → {self.paper}"


# Caps of one claim, per mission type (see MissionType): a heavy correction lot is
# 100-150 copies, 300 leaves room for two lots; an oral examiner hears 12-16
# candidates a day, 120 covers a week and more; 60 hours is far beyond a recruitment
# jury's or a dissertation reader's usual 10-30.
DEFAULT_MAX_COPIES = 300
DEFAULT_MAX_CANDIDATES = 120
DEFAULT_FEE_IMPUTATION = "0141-02-T2-EXAMENS"
DEFAULT_TRAVEL_IMPUTATION = "0141-02-T3-DEPLACEMENTS"
DEFAULT_MAX_HOURS = 60


class MissionType(Model):
    """A type of mission: decides the fee entry of the claim and whether travel is
    reimbursed (DESIGN.md §4)."""

    __tablename__ = "mission_type"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    fee_family: Mapped[FeeEntryFamily] = mapped_column(enum_type(FeeEntryFamily), nullable=False)
    # For the NONE family: True when the manager enters the fee ("A traiter par le
    # gestionnaire"), False when there is no fee at all ("Pas de frais").
    has_fee: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    reimburses_travel: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # The most one claim of this type may count (copies, candidates, hours): above it,
    # the entry is refused with a French message naming the cap. Editable per type.
    max_copies: Mapped[int] = mapped_column(
        Integer, nullable=False, default=DEFAULT_MAX_COPIES, server_default=str(DEFAULT_MAX_COPIES)
    )
    max_candidates: Mapped[int] = mapped_column(
        Integer,
        nullable=False,
        default=DEFAULT_MAX_CANDIDATES,
        server_default=str(DEFAULT_MAX_CANDIDATES),
    )
    max_hours: Mapped[int] = mapped_column(
        Integer, nullable=False, default=DEFAULT_MAX_HOURS, server_default=str(DEFAULT_MAX_HOURS)
    )
    # The budget imputation of each part in the payment file (programme, action,
    # activity...): what the finance office charges the payment to. Editable per type.
    fee_imputation: Mapped[str] = mapped_column(
        String(40),
        nullable=False,
        default=DEFAULT_FEE_IMPUTATION,
        server_default=DEFAULT_FEE_IMPUTATION,
    )
    travel_imputation: Mapped[str] = mapped_column(
        String(40),
        nullable=False,
        default=DEFAULT_TRAVEL_IMPUTATION,
        server_default=DEFAULT_TRAVEL_IMPUTATION,
    )
    # The application its missions open from the access portal (SANTORIN, CYCLADES…),
    # or none.
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="SET NULL")
    )
    # A jury deliberation: its presidents reach CYCLADES's jury portal.
    deliberation: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )

    # Orals and practicals: never convoke an agent in an establishment where they work
    # (their own students) — a hard rule of convocation and automatic assignment.
    own_students_conflict: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )

    application: Mapped[Application | None] = relationship()

    def __str__(self) -> str:
        return self.name


class RateTable(TimestampMixin, Model):
    """A barème: fee rates and travel allowances valid over a period."""

    __tablename__ = "rate_table"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="valid_period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The académie whose managers keep this barème; its claims use it.
    academy_id: Mapped[int] = mapped_column(ForeignKey("academy.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    valid_from: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(255))

    academy: Mapped[Academy] = relationship()
    lines: Mapped[list[RateLine]] = relationship(
        back_populates="table", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name


class RateLine(Model):
    """One rate of a barème. ``key`` says which case it covers: a copy / hour group
    ("1".."5"), a meal ("standard", "administratif"), a lodging zone, or a kilometre
    band ("5CV:0-2000")."""

    __tablename__ = "rate_line"
    __table_args__ = (
        UniqueConstraint("rate_table_id", "kind", "key"),
        CheckConstraint("amount >= 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rate_table_id: Mapped[int] = mapped_column(
        ForeignKey("rate_table.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[RateKind] = mapped_column(enum_type(RateKind), nullable=False)
    key: Mapped[str] = mapped_column(String(40), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 4), nullable=False)

    table: Mapped[RateTable] = relationship(back_populates="lines")

    def __str__(self) -> str:
        return f"{self.kind.label} {self.key}: {self.amount}"


class Commune(Model):
    """A commune and its postcode, with the coordinates of its centre (WGS 84), from La
    Poste's « base officielle des codes postaux » (the communes import): where an
    agent's home is, for the travel of automatic assignment. National, not per
    académie. ``key`` is the name as ``convocation.commune`` reads a town ("RENNES")."""

    __tablename__ = "commune"
    __table_args__ = (
        UniqueConstraint("postcode", "key", "insee_code"),
        Index("ix_commune_postcode_key", "postcode", "key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    insee_code: Mapped[str] = mapped_column(String(5), nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    postcode: Mapped[str] = mapped_column(String(5), nullable=False)
    key: Mapped[str] = mapped_column(String(80), nullable=False)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))

    def __str__(self) -> str:
        return f"{self.postcode} {self.name}"
