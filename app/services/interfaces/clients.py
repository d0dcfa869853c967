"""The machine clients of the REST API: an administrator creates one for an académie
with scopes and an expiry, gets its token once, and may revoke it.

The token is ``imagin_<prefix>_<secret>``: 32 random bytes from ``secrets``, of which
only the SHA-256 is stored (a random 256-bit secret needs no slow hash); the public
prefix finds the row, and the hashes are compared in constant time. A revoked or
expired client is refused exactly like an unknown token."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services import DomainError, NotFound
from app.services.common import clock, formats
from models import Academy, ApiClient

TOKEN_PREFIX = "imagin"  # noqa: S105 - the public start of every token, not a secret
TOKEN_RE = re.compile(r"imagin_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
MAX_NAME = 100
# The longest validity an administrator may give (a client is renewed, not eternal).
MAX_DAYS = 3 * 366
# ``last_used_at`` is written at most once per this delay (a read stays a read).
USED_EVERY = dt.timedelta(minutes=1)

# Every scope, in the order the creation form shows them.
SCOPES: dict[str, object] = {
    "referentiel:lire": _l("Read the reference data (exams, papers, sessions, centres)"),
    "missions:lire": _l("Read the missions and the convocations"),
    "missions:ecrire": _l("Convoke contributors to missions"),
    "etats:lire": _l("Read the expense claims"),
    "corrections:ecrire": _l("Send the corrections (SANTORIN)"),
    "paiements:lire": _l("Read the payment exports"),
    "paiements:ecrire": _l("Send the return file of the finance office"),
}
READ_SCOPES = tuple(scope for scope in SCOPES if scope.endswith(":lire"))


@dataclass(frozen=True)
class Created:
    """A new client and its token, which is never shown again."""

    client: ApiClient
    token: str


class FieldError(DomainError):
    """A wrong value of the creation form: ``field`` names it."""

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field = field


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(
    session: Session,
    *,
    academy_id: int | None,
    name: str,
    scopes: list[str],
    expires_on: dt.date | None,
    by_user_id: int | None,
) -> Created:
    """A new client; ``DomainError`` with the field in ``field`` when a value is wrong."""
    name = (name or "").strip()
    if not name:
        raise FieldError("name", _l("Give the client a name."))
    if len(name) > MAX_NAME:
        raise FieldError("name", _l("%(max)s characters at most.", max=MAX_NAME))
    if academy_id is None or session.get(Academy, academy_id) is None:
        raise FieldError("academy", _l("Choose the academy of the client."))
    chosen = list(dict.fromkeys(scopes))
    if not chosen:
        raise FieldError("scopes", _l("Choose at least one permission."))
    unknown = [scope for scope in chosen if scope not in SCOPES]
    if unknown:
        raise FieldError("scopes", _l("Unknown permission: %(scope)s.", scope=unknown[0][:40]))
    today = clock.today()
    if expires_on is None:
        raise FieldError("expires_on", _l("Give the expiry date."))
    if expires_on <= today:
        raise FieldError("expires_on", _l("The expiry date must be after today."))
    if expires_on > today + dt.timedelta(days=MAX_DAYS):
        raise FieldError("expires_on", _l("The expiry date is at most three years from today."))
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        academy_id=academy_id,
        name=name,
        scopes=" ".join(scope for scope in SCOPES if scope in chosen),
        prefix=prefix,
        token_hash=_hash(secret),
        created_at=clock.now(),
        created_by_id=by_user_id,
        # Valid through the expiry day (midnight after it, UTC).
        expires_at=dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time()),
    )
    session.add(client)
    session.flush()
    return Created(client, f"{TOKEN_PREFIX}_{prefix}_{secret}")


def revoke(session: Session, client: ApiClient) -> None:
    if client.revoked_at is not None:
        raise DomainError(_l("This client is already revoked."))
    client.revoked_at = clock.now()
    session.flush()


def is_active(client: ApiClient, now: dt.datetime | None = None) -> bool:
    now = now or clock.now()
    return client.revoked_at is None and client.expires_at > now


def may_revoke(client: ApiClient) -> bool:
    """Whether « Révoquer » is offered: a client not revoked yet (an expired one too)."""
    return client.revoked_at is None


def state_label(client: ApiClient, now: dt.datetime | None = None):
    """What the list says of a client: revoked (when), expired or active."""
    if client.revoked_at is not None:
        return _l("Revoked on %(date)s", date=formats.moment(client.revoked_at))
    return _l("Active") if is_active(client, now) else _l("Expired")


def authenticate(session: Session, token: str | None) -> ApiClient | None:
    """The active client of ``token``, or None (unknown, malformed, revoked, expired:
    the same answer). The secret's hash is compared in constant time."""
    match = TOKEN_RE.fullmatch(token or "")
    if match is None:
        return None
    prefix, secret = match.groups()
    client = session.scalar(select(ApiClient).where(ApiClient.prefix == prefix))
    expected = client.token_hash if client is not None else "0" * 64
    if not hmac.compare_digest(expected, _hash(secret)) or client is None:
        return None
    now = clock.now()
    if not is_active(client, now):
        return None
    if client.last_used_at is None or now - client.last_used_at >= USED_EVERY:
        client.last_used_at = now
    return client


def has_scope(client: ApiClient, scope: str) -> bool:
    return scope in client.scope_set


def clients(session: Session) -> list[ApiClient]:
    """Every client, the active ones first, newest first."""
    return list(
        session.scalars(
            select(ApiClient).order_by(
                ApiClient.revoked_at.is_not(None), ApiClient.created_at.desc(), ApiClient.id.desc()
            )
        )
    )


def client(session: Session, client_id: int) -> ApiClient:
    found = session.get(ApiClient, client_id)
    if found is None:
        raise NotFound(_l("This client does not exist."))
    return found


def academies(session: Session) -> list[Academy]:
    return list(session.scalars(select(Academy).order_by(Academy.name)))
