"""Account security beside FAB's ab_user: temporary passwords, the per-user session
nonce, lockouts and password-reset tokens."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import utcnow


class AccountSecurity(Model):
    """Security state of one user account (1-1 with ab_user)."""

    __tablename__ = "account_security"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True
    )
    # A temporary password must be changed at the first login, before it expires.
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    temporary_password_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Changing it ends every session of the user (logout, password change or reset).
    session_nonce: Mapped[str] = mapped_column(String(64), nullable=False)

    user = relationship("User", foreign_keys=[user_id])


class LoginThrottle(Model):
    """Failed logins in a row per identifier, whether an account exists or not (so
    that a lockout reveals nothing)."""

    __tablename__ = "login_throttle"

    identifier: Mapped[str] = mapped_column(String(128), primary_key=True)
    failures_in_a_row: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_failure_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class PasswordResetToken(Model):
    """A single-use password reset link; only the SHA-256 of the token is stored."""

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
