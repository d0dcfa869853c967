"""People: agents (intervenants) and their establishments and teachings, managers."""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import EncryptedString, TimestampMixin, enum_type
from .enums import AgentKind, AgentStatus, Civility, EstablishmentLinkType
from .referential import Academy, Discipline, Establishment, Mef, Subject


class Agent(TimestampMixin, Model):
    """An intervenant: a teacher, head, inspector or external professional.

    National-education staff are identified by their numen; external contributors by
    the identifier printed on their convocation (``external_id``).
    """

    __tablename__ = "agent"
    __table_args__ = (
        CheckConstraint("numen IS NOT NULL OR external_id IS NOT NULL", name="has_identifier"),
        CheckConstraint(
            "car_fiscal_power IS NULL OR car_fiscal_power BETWEEN 1 AND 99", name="fiscal_power"
        ),
        Index("ix_agent_names", "last_name", "first_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), unique=True
    )
    academy_id: Mapped[int] = mapped_column(ForeignKey("academy.id"), nullable=False, index=True)
    kind: Mapped[AgentKind] = mapped_column(enum_type(AgentKind), nullable=False)
    numen: Mapped[str | None] = mapped_column(String(13), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(20), unique=True)
    civility: Mapped[Civility | None] = mapped_column(enum_type(Civility))
    last_name: Mapped[str] = mapped_column(String(80), nullable=False)
    first_name: Mapped[str] = mapped_column(String(80), nullable=False)
    birth_name: Mapped[str | None] = mapped_column(String(80))
    post_discipline_id: Mapped[int | None] = mapped_column(ForeignKey("discipline.id"))
    grade: Mapped[str | None] = mapped_column(String(60))
    # An agent the staff import no longer lists: not offered for new convocations, but
    # their claims, missions and account stay.
    active: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )

    # « Enseignant DCS » (set by a manager or by the staff import): the Enquête DCS
    # concerns them.
    dcs_teacher: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )

    # Financial file: INSEE number (NIR with key) and bank details, encrypted at rest
    # (app.crypto): never searched, shown masked (app.services.people.personal_data).
    insee_number: Mapped[str | None] = mapped_column(EncryptedString())
    iban: Mapped[str | None] = mapped_column(EncryptedString())
    bic: Mapped[str | None] = mapped_column(EncryptedString())
    financial_file_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    # Personal address: its town is the departure of the agent's trips.
    address_line1: Mapped[str | None] = mapped_column(String(120))
    address_line2: Mapped[str | None] = mapped_column(String(120))
    postcode: Mapped[str | None] = mapped_column(String(10))
    town: Mapped[str | None] = mapped_column(String(80))
    # Fiscal horsepower of the car used for missions: picks the kilometre allowance.
    car_fiscal_power: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str | None] = mapped_column(String(20))
    email_professional: Mapped[str | None] = mapped_column(String(254))
    email_personal: Mapped[str | None] = mapped_column(String(254))

    user = relationship("User", foreign_keys=[user_id])
    academy: Mapped[Academy] = relationship()
    post_discipline: Mapped[Discipline | None] = relationship()
    establishments: Mapped[list[AgentEstablishment]] = relationship(
        back_populates="agent", cascade="all, delete-orphan"
    )
    teachings: Mapped[list[Teaching]] = relationship(
        back_populates="agent", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"

    @property
    def identifier(self) -> str:
        return self.numen or self.external_id or ""

    @property
    def status(self) -> AgentStatus:
        """« Inactif » once the staff import no longer lists the agent."""
        return AgentStatus.ACTIVE if self.active else AgentStatus.INACTIVE

    def __str__(self) -> str:
        return f"{self.full_name} ({self.identifier})"


class AgentEstablishment(Model):
    """An agent's attachment to an establishment, with the post discipline there."""

    __tablename__ = "agent_establishment"
    __table_args__ = (UniqueConstraint("agent_id", "establishment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agent.id", ondelete="CASCADE"), nullable=False, index=True
    )
    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("establishment.id"), nullable=False, index=True
    )
    link_type: Mapped[EstablishmentLinkType] = mapped_column(
        enum_type(EstablishmentLinkType), nullable=False
    )
    discipline_id: Mapped[int | None] = mapped_column(ForeignKey("discipline.id"))

    agent: Mapped[Agent] = relationship(back_populates="establishments")
    establishment: Mapped[Establishment] = relationship()
    discipline: Mapped[Discipline | None] = relationship()

    def __str__(self) -> str:
        return f"{self.agent} – {self.establishment}"


class Teaching(Model):
    """An enseignement, imported at the start of the school year (EPP, STS-WEB)."""

    __tablename__ = "teaching"
    __table_args__ = (
        UniqueConstraint(
            "agent_id", "establishment_id", "mef_id", "subject_id", "modality", "school_year"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agent.id", ondelete="CASCADE"), nullable=False, index=True
    )
    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("establishment.id"), nullable=False, index=True
    )
    mef_id: Mapped[int] = mapped_column(ForeignKey("mef.id"), nullable=False)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), nullable=False, index=True)
    modality: Mapped[str] = mapped_column(String(40), nullable=False, default="COURS GENERAL")
    school_year: Mapped[int] = mapped_column(Integer, nullable=False)
    # The divisions (classes) taught, as STS-WEB gives them: "1STMG1, 1STMG2".
    divisions: Mapped[str | None] = mapped_column(Text)
    # A teaching the establishment's last STS-WEB file no longer has: kept (history),
    # not shown and not used to generate competences.
    active: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )

    agent: Mapped[Agent] = relationship(back_populates="teachings")
    establishment: Mapped[Establishment] = relationship()
    mef: Mapped[Mef] = relationship()
    subject: Mapped[Subject] = relationship()

    def __str__(self) -> str:
        return f"{self.subject} – {self.mef}"


class Manager(TimestampMixin, Model):
    """A manager of the examinations division; ``code`` signs their competence
    endorsements."""

    __tablename__ = "manager"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    academy_id: Mapped[int] = mapped_column(ForeignKey("academy.id"), nullable=False)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    office: Mapped[str | None] = mapped_column(String(80))

    user = relationship("User", foreign_keys=[user_id])
    academy: Mapped[Academy] = relationship()

    def __str__(self) -> str:
        return self.code
