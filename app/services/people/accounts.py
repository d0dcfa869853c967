"""Accounts and sessions: password rules (OWASP ASVS L2), temporary passwords,
lockouts, session checks and password reset.

* Passwords: 12 to 128 characters, no composition rule, refused when found in the
  shipped list of common breached passwords or when zxcvbn's estimate says it is
  predictable (score below 4: fewer than 10^10 guesses, the breached list and the
  user's own names counted as dictionaries); hashed by FAB's method (scrypt).
* A password set by someone else (an administrator, a manager's temporary password)
  must be changed at the next login.
* Temporary password (external contributors): random, shown once, expires after
  ``TEMPORARY_PASSWORD_DAYS``; it must be changed at the first login.
* Lockout: after ``LOCKOUT_FAILURES`` failures in a row on an account (whichever of its
  username or e-mail address is typed, in any letter case), logins on it are refused
  for ``LOCKOUT_MINUTES``; an identifier no account has is counted on its own, so a
  lockout reveals nothing.
* Sessions: ended after ``SESSION_IDLE_MINUTES`` without a request and after
  ``SESSION_MAX_HOURS`` in all; every account has a nonce copied into its sessions,
  renewed at logout and at each password change or reset, which ends them all.
* Reset: a single-use link valid ``PASSWORD_RESET_MINUTES``; only its SHA-256 is kept.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import matching as zxcvbn_matching
from zxcvbn import zxcvbn

from app.services import DomainError
from app.services.common import clock
from app.services.common.integrity import Refused
from models import Academy, Agent, User
from models.accounts import AccountSecurity, LoginThrottle, PasswordResetToken

PASSWORD_MIN = 12
PASSWORD_MAX = 128
# zxcvbn's score: 4 is "very unguessable" (10^10 guesses or more). At 3, patterns such
# as "Imagin-2026!!" (a word, a year, symbols) still pass.
PASSWORD_MIN_SCORE = 4
PORTAL_NAME = "imagin"
BREACHED_LIST = Path(__file__).resolve().parents[2] / "data" / "common-passwords.txt.gz"
# Temporary passwords: no look-alike characters (0/O, 1/l/I).
TEMPORARY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
NO_EMAIL_DOMAIN = "sans-adresse.invalid"


@dataclass(frozen=True)
class Policy:
    idle: dt.timedelta
    max_age: dt.timedelta
    temporary_valid: dt.timedelta
    reset_valid: dt.timedelta
    lockout_failures: int
    lockout: dt.timedelta
    hash_method: str = "scrypt"

    @classmethod
    def from_config(cls, config) -> Policy:
        return cls(
            idle=dt.timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            max_age=dt.timedelta(hours=config["SESSION_MAX_HOURS"]),
            temporary_valid=dt.timedelta(days=config["TEMPORARY_PASSWORD_DAYS"]),
            reset_valid=dt.timedelta(minutes=config["PASSWORD_RESET_MINUTES"]),
            lockout_failures=config["LOCKOUT_FAILURES"],
            lockout=dt.timedelta(minutes=config["LOCKOUT_MINUTES"]),
            hash_method=config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
        )


# --- Account state ------------------------------------------------------------------------


def security_of(session: Session, user: User) -> AccountSecurity:
    """The security row of ``user`` (created on first use)."""
    security = session.get(AccountSecurity, user.id)
    if security is None:
        security = AccountSecurity(user_id=user.id, session_nonce=secrets.token_hex(16))
        session.add(security)
        session.flush()
    return security


def end_all_sessions(security: AccountSecurity) -> None:
    security.session_nonce = secrets.token_hex(16)


def contact_email(session: Session, user: User) -> str | None:
    """Where to write to the user: their agent's personal, then professional e-mail,
    else the account's own address unless it is a placeholder."""
    agent = session.scalar(select(Agent).where(Agent.user_id == user.id))
    for address in (
        agent.email_personal if agent else None,
        agent.email_professional if agent else None,
        user.email,
    ):
        if address and not address.endswith("@" + NO_EMAIL_DOMAIN):
            return address
    return None


def placeholder_email(username: str) -> str:
    """FAB requires a unique e-mail per account: this one says "none known"."""
    return f"{username.lower()}@{NO_EMAIL_DOMAIN}"


# --- Passwords ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _breached() -> frozenset[str]:
    with gzip.open(BREACHED_LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


_zxcvbn_lock = threading.Lock()


@lru_cache(maxsize=1)
def _strength_dictionaries() -> None:
    """The breached list becomes one of zxcvbn's dictionaries (once per process), so
    that "motdepasse2024" counts as a known password plus a year."""
    with gzip.open(BREACHED_LIST, "rt", encoding="utf-8") as lines:
        words = [line.strip().lower() for line in lines if line.strip()]
    zxcvbn_matching.add_frequency_lists({"imagin_breached": words})


# What makes a password predictable, from zxcvbn's match sequence (the first that
# applies wins): our own French sentences, never zxcvbn's English feedback.
_WEAKNESSES = (
    (
        lambda m: m.get("dictionary_name") == "user_inputs",
        _l("it contains your name, your identifier, the name of the portal or academy."),
    ),
    (
        lambda m: m["pattern"] == "repeat",
        _l("it repeats characters or words (such as “aaa” or “abcabc”)."),
    ),
    (
        lambda m: m["pattern"] == "dictionary",
        _l("it is built on a common word or password."),
    ),
    (
        lambda m: m["pattern"] == "sequence",
        _l("it contains a sequence such as “abcd” or “6789”."),
    ),
    (
        lambda m: m["pattern"] == "spatial",
        _l("it contains a row of neighbouring keys such as “azerty”."),
    ),
    (
        lambda m: m["pattern"] in ("date", "regex"),
        _l("it contains a date or a year."),
    ),
)


def _weakness(password: str, user_inputs: list[str]):
    """None when zxcvbn finds the password strong enough, else why it is not."""
    _strength_dictionaries()
    # zxcvbn keeps the user inputs in a module-level dictionary: one estimate at a time.
    with _zxcvbn_lock:
        result = zxcvbn(password, user_inputs=user_inputs, max_length=PASSWORD_MAX)
    if result["score"] >= PASSWORD_MIN_SCORE:
        return None
    for applies, reason in _WEAKNESSES:
        if any(applies(match) for match in result["sequence"]):
            return reason
    return _l("it is short for what it contains.")


def _input_words(values: Iterable[str | None]) -> list[str]:
    """The user inputs given to zxcvbn: each value, and its words (an e-mail address
    and its local part, a compound name and each part)."""
    words: list[str] = []
    for value in values:
        value = (value or "").strip().lower()
        if not value:
            continue
        words.append(value)
        local = value.split("@", 1)[0]
        for part in [local, *local.replace(".", " ").replace("-", " ").split()]:
            if len(part) >= 3:
                words.append(part)
    return list(dict.fromkeys(words))


def password_inputs(
    session: Session, user: User | None = None, *, values: Iterable[str | None] = ()
) -> list[str]:
    """What a password must not be built on: the account's identifier, names and
    e-mail (or the ``values`` of an account being created), the portal's name and the
    académies' names."""
    found: list[str | None] = list(values)
    if user is not None:
        found += [user.username, user.first_name, user.last_name, user.email]
        agent = session.scalar(select(Agent).where(Agent.user_id == user.id))
        if agent is not None:
            found += [agent.last_name, agent.first_name, agent.email_personal]
            found += [agent.email_professional, agent.external_id, agent.numen]
    found.append(PORTAL_NAME)
    for name, code in session.execute(select(Academy.name, Academy.code)):
        found += [name, code]
    return [*dict.fromkeys(v for v in found if v), *_input_words(found)]


def password_problems(
    password: str, *, username: str = "", user_inputs: Iterable[str] = ()
) -> list:
    """What is wrong with a new password (empty when it is acceptable).

    ``user_inputs``: what the password must not be built on (see ``password_inputs``).
    """
    password = password or ""
    problems = []
    if len(password) < PASSWORD_MIN:
        problems.append(_l("The password must have at least 12 characters."))
    elif len(password) > PASSWORD_MAX:
        problems.append(_l("The password must have at most 128 characters."))
    lowered = password.lower()
    if lowered in _breached() or (username and lowered == username.lower()):
        problems.append(
            _l("This password is among the most common or leaked ones: choose another.")
        )
    elif PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        reason = _weakness(password, _input_words([username, *user_inputs, PORTAL_NAME]))
        if reason is not None:
            problems.append(
                _l(
                    "This password is too easy to guess: %(reason)s Choose a sentence of "
                    "several words that only you would think of.",
                    reason=reason,
                )
            )
    return problems


def _set_password(security: AccountSecurity, user: User, password: str, policy: Policy) -> None:
    user.password = generate_password_hash(password, method=policy.hash_method)
    security.password_changed_at = clock.now()
    security.must_change_password = False
    security.temporary_password_expires_at = None
    end_all_sessions(security)


def change_password(
    session: Session,
    user: User,
    current: str,
    new: str,
    confirmation: str,
    policy: Policy,
) -> AccountSecurity:
    """Change the password of ``user``: the current one is required, the new one must
    follow the rules. Every session of the user ends (the caller opens a fresh one)."""
    if not user.password or not check_password_hash(user.password, current or ""):
        raise Refused(_l("The current password is not correct."), fields=("current",))
    _check_new(session, user, new, confirmation)
    if check_password_hash(user.password, new):
        raise Refused(_l("The new password must differ from the current one."), fields=("new",))
    security = security_of(session, user)
    _set_password(security, user, new, policy)
    session.flush()
    return security


def _check_new(session: Session, user: User, new: str, confirmation: str) -> None:
    """Refuse a new password that breaks the rules or differs from its confirmation;
    the refusal names the field it belongs to (``Refused.fields``)."""
    problems = password_problems(
        new, username=user.username, user_inputs=password_inputs(session, user)
    )
    if problems:
        raise Refused(problems[0], fields=("new",))
    if new != confirmation:
        raise Refused(_l("The two new passwords are not the same."), fields=("confirmation",))


def must_change_at_next_login(session: Session, user: User, policy: Policy) -> AccountSecurity:
    """The password of ``user`` was chosen by someone else (an administrator): like a
    temporary password, it must be changed at the next login and expires."""
    security = security_of(session, user)
    security.must_change_password = True
    security.temporary_password_expires_at = clock.now() + policy.temporary_valid
    return security


def set_password_by_other(
    session: Session, user: User, password: str, policy: Policy
) -> AccountSecurity:
    """An administrator sets the password of ``user``: the same rules as everyone's;
    every session of the user ends and the user chooses their own at the next login.
    """
    problems = password_problems(
        password, username=user.username, user_inputs=password_inputs(session, user)
    )
    if problems:
        raise DomainError(problems[0])
    security = security_of(session, user)
    _set_password(security, user, password, policy)
    return must_change_at_next_login(session, user, policy)


def issue_temporary_password(session: Session, user: User, policy: Policy) -> str:
    """A new random temporary password for ``user`` (returned once, never stored in
    clear); it expires and must be changed at the next login."""
    password = "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(14))
    security = security_of(session, user)
    user.password = generate_password_hash(password, method=policy.hash_method)
    security.must_change_password = True
    security.temporary_password_expires_at = clock.now() + policy.temporary_valid
    end_all_sessions(security)
    session.flush()
    return password


def temporary_password_expired(security: AccountSecurity) -> bool:
    return bool(
        security.must_change_password
        and security.temporary_password_expires_at is not None
        and clock.now() > security.temporary_password_expires_at
    )


# --- Lockout ---------------------------------------------------------------------------------


def login_account(session: Session, identifier: str) -> User | None:
    """The account a login identifier names, resolved as FAB's login does: the username
    (case-insensitive), else the e-mail address (here case-insensitive too, so that no
    spelling of an alias escapes the count). Both queries always run (same work for a
    known and an unknown identifier)."""
    typed = (identifier or "").strip().lower()
    if not typed:
        return None
    by_username = session.scalar(select(User).where(func.lower(User.username) == typed).limit(1))
    by_email = session.scalar(
        select(User).where(func.lower(User.email) == typed).order_by(User.id).limit(1)
    )
    return by_username or by_email


def lockout_key(session: Session, identifier: str) -> str:
    """What the lockout counts on: the account (whatever alias was typed), or the
    normalised identifier when no account has it, so that a lockout reveals nothing."""
    user = login_account(session, identifier)
    if user is not None:
        return f"account:{user.id}"
    return "identifier:" + (identifier or "").strip().lower()[:117]


def _throttle(session: Session, key: str) -> LoginThrottle:
    throttle = session.get(LoginThrottle, key)
    if throttle is None:
        throttle = LoginThrottle(identifier=key, failures_in_a_row=0)
        session.add(throttle)
    return throttle


def is_locked(session: Session, identifier: str) -> bool:
    throttle = session.get(LoginThrottle, lockout_key(session, identifier))
    return bool(throttle and throttle.locked_until and clock.now() < throttle.locked_until)


def record_failure(session: Session, identifier: str, policy: Policy) -> bool:
    """Count a failed login on the account ``identifier`` names (or on the identifier
    itself when it names none); True when it is now locked."""
    throttle = _throttle(session, lockout_key(session, identifier))
    now = clock.now()
    if throttle.locked_until and now >= throttle.locked_until:
        throttle.failures_in_a_row = 0
        throttle.locked_until = None
    throttle.failures_in_a_row += 1
    throttle.last_failure_at = now
    if throttle.failures_in_a_row >= policy.lockout_failures:
        throttle.locked_until = now + policy.lockout
    session.flush()
    return throttle.locked_until is not None


def record_success(session: Session, identifier: str) -> None:
    throttle = session.get(LoginThrottle, lockout_key(session, identifier))
    if throttle is not None:
        session.delete(throttle)
        session.flush()


# --- Sessions ----------------------------------------------------------------------------------

SESSION_KEYS = ("imagin_sid", "imagin_nonce", "imagin_login_at", "imagin_seen_at")


def session_claims(security: AccountSecurity) -> dict:
    """What a new session carries: a fresh id, the account's nonce, its start time."""
    now = clock.now().isoformat()
    return {
        "imagin_sid": secrets.token_urlsafe(24),
        "imagin_nonce": security.session_nonce,
        "imagin_login_at": now,
        "imagin_seen_at": now,
    }


def session_problem(claims: dict, security: AccountSecurity, policy: Policy) -> str | None:
    """Why a session must end: "revoked", "idle", "expired", or None if it is valid."""
    if claims.get("imagin_nonce") != security.session_nonce:
        return "revoked"
    try:
        login_at = dt.datetime.fromisoformat(claims["imagin_login_at"])
        seen_at = dt.datetime.fromisoformat(claims["imagin_seen_at"])
    except (KeyError, TypeError, ValueError):
        return "revoked"
    now = clock.now()
    if now - login_at > policy.max_age:
        return "expired"
    if now - seen_at > policy.idle:
        return "idle"
    return None


# The last activity a session records is rewritten at most once a minute (or a tenth
# of the idle delay when that is shorter): the session cookie is then not signed and
# sent again on every response (an idle end comes at most that step early, never
# late). "Rester connecté" always renews it: the user asked for the whole delay.
SEEN_AT_STEP = dt.timedelta(minutes=1)


def seen_again(claims: dict, policy: Policy, *, renew: bool = False) -> str | None:
    """The new "last seen" of a session in use, or None when the one it holds is
    recent enough to be kept as it is (never when ``renew`` is asked)."""
    now = clock.now()
    try:
        seen_at = dt.datetime.fromisoformat(claims["imagin_seen_at"])
    except (KeyError, TypeError, ValueError):
        return now.isoformat()
    step = min(SEEN_AT_STEP, policy.idle / 10)
    if not renew and dt.timedelta(0) <= now - seen_at < step:
        return None
    return now.isoformat()


# --- Password reset ----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user(session: Session, identifier: str) -> User | None:
    """The account of an identifier typed on "Mot de passe oublié ?": the one with this
    exact identifier (logins are case-sensitive), else the only one whose identifier
    differs by letter case; never a guess between two accounts."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    exact = session.scalar(select(User).where(User.username == identifier))
    if exact is not None:
        return exact
    found = session.scalars(
        select(User).where(func.lower(User.username) == identifier.lower()).limit(2)
    ).all()
    return found[0] if len(found) == 1 else None


def request_reset(
    session: Session, identifier: str, policy: Policy
) -> tuple[User, str, str] | None:
    """(user, e-mail, token) when a reset link can be mailed, else None. The caller
    answers the same in every case."""
    token = secrets.token_urlsafe(32)
    digest = _token_hash(token)
    user = find_user(session, identifier)
    if user is None or not user.active:
        return None
    address = contact_email(session, user)
    if address is None:
        return None
    session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=digest,
            created_at=clock.now(),
            expires_at=clock.now() + policy.reset_valid,
        )
    )
    session.flush()
    return user, address, token


def issue_reset(session: Session, user: User, policy: Policy) -> tuple[User, str, str] | None:
    """A reset link for ``user`` (a manager's action): (user, e-mail, token), or None
    when no e-mail is known."""
    address = contact_email(session, user)
    if address is None:
        return None
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=_token_hash(token),
            created_at=clock.now(),
            expires_at=clock.now() + policy.reset_valid,
        )
    )
    return user, address, token


def _valid_token(session: Session, token: str) -> PasswordResetToken:
    row = session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token or ""))
    )
    if row is None or row.used_at is not None or clock.now() > row.expires_at:
        raise DomainError(
            _l("This link is not valid any more: ask for a new one from the login page.")
        )
    return row


def check_reset_token(session: Session, token: str) -> None:
    _valid_token(session, token)


def reset_password(
    session: Session, token: str, new: str, confirmation: str, policy: Policy
) -> User:
    """Set a new password through a reset link (single use); every session ends."""
    row = _valid_token(session, token)
    user = session.get(User, row.user_id)
    _check_new(session, user, new, confirmation)
    security = security_of(session, user)
    _set_password(security, user, new, policy)
    row.used_at = clock.now()
    # Any other link still pending for the account dies with this one.
    for other in session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    ):
        other.used_at = row.used_at
    session.flush()
    return user
