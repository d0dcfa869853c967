"""Encryption of personal data at rest (INSEE numbers, IBAN, BIC), with the
``cryptography`` package's Fernet (AES-128-CBC + HMAC-SHA256, a timestamped token).

Keys come from ``DATA_ENCRYPTION_KEYS``: comma-separated Fernet keys (generate one
with ``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``).
The first key encrypts; every key decrypts (``MultiFernet``): that is the rotation.
Put a new key first, keep the old ones after it, run ``flask imagin rotate-keys``
(every value re-encrypted with the first key), then drop the old keys.

Outside debug and testing the application refuses to start without a key; in debug
and testing a fixed development key is used (``DEVELOPMENT_KEY``, public: never in
production).
"""

from __future__ import annotations

import base64
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from app.errors import ConfigurationError

log = logging.getLogger("imagin")

# Public, for development and tests only: the app refuses to start with no key
# outside debug/testing, so this one can never protect real data.
DEVELOPMENT_KEY = base64.urlsafe_b64encode(b"imagin-development-data-key-0000").decode()

_keys: MultiFernet | None = None


class EncryptionKeyError(ValueError):
    """A key of DATA_ENCRYPTION_KEYS is not a Fernet key, or none is configured."""


def parse_keys(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [item.strip() for item in items if item and item.strip()]


def configure(keys: list[str]) -> None:
    """Use ``keys`` from now on: the first encrypts, all decrypt."""
    global _keys
    if not keys:
        raise EncryptionKeyError("DATA_ENCRYPTION_KEYS holds no key.")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError) as error:
            raise EncryptionKeyError(
                f"Key number {position} of DATA_ENCRYPTION_KEYS is not a Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from error
    _keys = MultiFernet(fernets)


def init_app(app) -> None:
    """Configure the keys of ``app`` (``DATA_ENCRYPTION_KEYS``), or the development key
    in debug/testing; refuse to start without a key otherwise."""

    keys = parse_keys(app.config.get("DATA_ENCRYPTION_KEYS"))
    if not keys:
        if not (app.debug or app.testing):
            raise ConfigurationError(
                "DATA_ENCRYPTION_KEYS is not set: personal data (INSEE numbers, IBAN, BIC) "
                "cannot be encrypted. Set it to one or more Fernet keys, comma-separated "
                "(or FLASK_DEBUG=1 for development)."
            )
        if app.debug:
            log.warning(
                "DATA_ENCRYPTION_KEYS is not set: the built-in development key encrypts "
                "personal data (development only)."
            )
        keys = [DEVELOPMENT_KEY]
    try:
        configure(keys)
    except EncryptionKeyError as error:
        raise ConfigurationError(str(error)) from error


def _fernet() -> MultiFernet:
    if _keys is None:  # outside an application (a script): the development key
        configure([DEVELOPMENT_KEY])
    return _keys


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The clear value of ``token``; ``InvalidToken`` when no configured key opens it."""
    return _fernet().decrypt(token.encode("ascii")).decode("utf-8")


def rotate(token: str) -> str:
    """``token`` re-encrypted with the first key (any configured key may open it)."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


def is_token(value: str) -> bool:
    """Whether ``value`` is a token one of the configured keys opens."""
    try:
        decrypt(value)
    except (InvalidToken, ValueError, UnicodeError):
        return False
    return True
