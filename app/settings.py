"""The environment variables of IMAG'IN, typed and checked (pydantic-settings).

``config.py`` turns them into Flask's configuration; this module only says what each
variable may hold. A value that does not fit stops the start with one message per bad
variable, in French and in English, naming the variable and what it expects: never a
silent fallback to the default. An unset or empty variable takes the default.

Each type alias below carries its expectation (:class:`Expect`), so that the message is
written once per kind of value, next to its constraint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, get_args

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BeforeValidator,
    Field,
    TypeAdapter,
    ValidationError,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Marker of the built-in development key: the app refuses it in production.
DEVELOPMENT_SECRET_KEY = "imagin-development-key-not-for-production"  # noqa: S105 - public


@dataclass(frozen=True)
class Expect:
    """What a variable must hold, in French and in English (for the error message).
    ``show_value`` is False for values that may hold a password."""

    fr: str
    en: str
    show_value: bool = True


class InvalidSettings(Exception):
    """One or more environment variables hold a value of the wrong kind."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _oui_non(value: object) -> object:
    """French answers are accepted besides pydantic's 1/0, true/false, yes/no, on/off."""
    if isinstance(value, str):
        word = value.strip().lower()
        return {"oui": "true", "non": "false"}.get(word, word)
    return value


_HTTP_URL = TypeAdapter(AnyHttpUrl)
# A host name or an IP address, optionally with a port (no scheme, path or user).
_HOST_NAME = re.compile(r"\.?[\w-]+(\.[\w-]+)*(:\d+)?|\[[0-9A-Fa-f:.]+\](:\d+)?")


def _host_names(value: object) -> object:
    """Comma-separated host names as Flask's TRUSTED_HOSTS takes them (``.example.fr``
    accepts the subdomains); an address (``https://…``) is refused."""
    if not isinstance(value, str):
        return value
    items = [item.strip() for item in value.split(",") if item.strip()]
    for item in items:
        if not _HOST_NAME.fullmatch(item):
            raise ValueError(f"{item!r} is not a host name")
    return items or None


def _http_address(value: str) -> str:
    """Checked by pydantic's URL type; the text itself is kept as written ("": unset)."""
    if value.strip():
        _HTTP_URL.validate_python(value.strip())
    return value.strip()


def _database_url(value: str) -> str:
    from sqlalchemy.engine import make_url

    url = value.strip()
    if not url:
        return url  # unset: config.py puts the SQLite file in the instance folder
    # Heroku-style URLs use the old scheme name that SQLAlchemy 2 refuses.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    try:
        make_url(url).get_dialect()
    except Exception as exc:  # ArgumentError, NoSuchModuleError: any refusal means "bad URL"
        raise ValueError(str(exc)) from None
    return url


def _limiter_storage(value: str) -> str:
    from limits.storage import SCHEMES

    uri = value.strip()
    if uri.partition("://")[0] not in SCHEMES or "://" not in uri:
        raise ValueError("unknown storage scheme")
    return uri


def _job_queue(value: str) -> str:
    url = value.strip()
    if url and url.partition("://")[0] not in ("redis", "rediss", "unix"):
        raise ValueError("not a Redis URL")
    return url


def _rate_limit(value: str) -> str:
    from limits import parse_many

    parse_many(value)  # ValueError on anything Flask-Limiter would not understand
    return value.strip()


def _at_least(minimum: int):
    return Annotated[
        int,
        Field(ge=minimum),
        Expect(
            f"un nombre entier supérieur ou égal à {minimum}",
            f"an integer greater than or equal to {minimum}",
        ),
    ]


Count = _at_least(0)
Positive = _at_least(1)
Flag = Annotated[
    bool,
    BeforeValidator(_oui_non),
    Expect(
        "oui ou non (1, true, yes, on, oui ou 0, false, no, off, non)",
        "yes or no (1, true, yes, on, oui or 0, false, no, off, non)",
    ),
]
Port = Annotated[
    int,
    Field(ge=1, le=65535),
    Expect("un numéro de port entre 1 et 65535", "a port number between 1 and 65535"),
]
Seconds = Annotated[
    float,
    Field(ge=0, allow_inf_nan=False),
    Expect(
        "un nombre de secondes positif ou nul (par exemple 0.5)",
        "a number of seconds, zero or more (e.g. 0.5)",
    ),
]
HostList = Annotated[
    list[str] | None,
    NoDecode,
    BeforeValidator(_host_names),
    Expect(
        "une liste de noms d'hôte séparés par des virgules", "a comma-separated list of host names"
    ),
]
HttpAddress = Annotated[
    str,
    AfterValidator(_http_address),
    Expect(
        "une adresse http:// ou https:// suivie du nom d'hôte (par exemple https://imagin.ac-rennes.fr)",
        "an http:// or https:// address followed by the host name (e.g. https://imagin.ac-rennes.fr)",
    ),
]
DatabaseUrl = Annotated[
    str,
    AfterValidator(_database_url),
    Expect(
        "une adresse de base de données SQLAlchemy (par exemple postgresql://utilisateur:mot-de-passe@hôte/base)",
        "an SQLAlchemy database URL (e.g. postgresql://user:password@host/db)",
        show_value=False,
    ),
]
LimiterStorage = Annotated[
    str,
    AfterValidator(_limiter_storage),
    Expect(
        "une adresse de stockage de Flask-Limiter (memory://, redis://hôte:6379/0…)",
        "a Flask-Limiter storage URI (memory://, redis://host:6379/0…)",
        show_value=False,
    ),
]
JobQueueUrl = Annotated[
    str,
    AfterValidator(_job_queue),
    Expect(
        "une adresse Redis (redis://hôte:6379/0, rediss://…) ou rien (file SQLite intégrée)",
        "a Redis URL (redis://host:6379/0, rediss://…) or nothing (embedded SQLite queue)",
        show_value=False,
    ),
]
RateLimit = Annotated[
    str,
    AfterValidator(_rate_limit),
    Expect(
        "une limite de débit comme « 10 per minute »",
        "a rate limit such as '10 per minute'",
    ),
]


class Settings(BaseSettings):
    """Every environment variable the portal reads, with its type and default (the
    README's configuration table lists the same names)."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore")

    # Flask and the request edge
    FLASK_DEBUG: Flag = False
    SECRET_KEY: str = DEVELOPMENT_SECRET_KEY
    MAX_CONTENT_LENGTH: Positive = 6 * 1024 * 1024
    PUBLIC_URL: HttpAddress = ""
    PORT: Port = 8080
    TRUSTED_HOSTS: HostList = None
    PROXY_COUNT: Count = 0
    # Storage
    IMAGIN_INSTANCE_DIR: Path | None = None
    DATABASE_URL: DatabaseUrl = ""
    DATA_ENCRYPTION_KEYS: str = ""
    UPLOAD_FOLDER: str | None = None
    # Mail
    MAIL_SERVER: str = ""
    MAIL_PORT: Port = 25
    MAIL_USE_TLS: Flag = False
    MAIL_USERNAME: str = ""
    MAIL_PASSWORD: str = ""
    MAIL_DEFAULT_SENDER: str = "imagin@localhost"
    MAIL_OUTBOX: str | None = None
    MAIL_SEND_LEASE_SECONDS: Positive = 120
    # Accounts and sessions
    SESSION_IDLE_MINUTES: Positive = 30
    SESSION_WARNING_MINUTES: Count = 5
    SESSION_MAX_HOURS: Positive = 12
    TEMPORARY_PASSWORD_DAYS: Positive = 30
    PASSWORD_RESET_MINUTES: Positive = 60
    LOCKOUT_FAILURES: Positive = 10
    LOCKOUT_MINUTES: Positive = 15
    SESSION_COOKIE_SECURE: Flag | None = None
    # Rate limiting
    RATELIMIT_STORAGE_URI: LimiterStorage = "memory://"
    RATELIMIT_ENABLED: Flag = True
    AUTH_RATE_LIMIT: RateLimit = "10 per minute"
    FORGOT_RATE_LIMIT: RateLimit = "5 per minute"
    API_RATE_LIMIT: RateLimit = "600 per minute"
    FORGOT_MIN_SECONDS: Seconds = 0.5
    # Background jobs
    JOB_QUEUE_URL: JobQueueUrl = ""
    JOB_RETRIES: Count = 3
    JOB_RETRY_DELAY: Count = 30
    JOB_LEASE_SECONDS: Positive = 120
    RETENTION_DAYS: Positive = 180
    # Portal
    IMAGIN_ACADEMY_CODE: str = "RENNES"
    IMAGIN_MAX_PAGE_SIZE: Positive = 100
    IMAGIN_LIST_PAGE_SIZE: Positive = 20
    # Other académies read through their API (app.services.interfaces.peers)
    PEER_TIMEOUT_SECONDS: Seconds = 3.0
    PEER_CACHE_SECONDS: Count = 120


def _expect_in(annotation: object) -> Expect | None:
    """The :class:`Expect` of a type, looked for inside ``Annotated`` and ``… | None``."""
    for item in get_args(annotation):
        found = item if isinstance(item, Expect) else _expect_in(item)
        if found:
            return found
    return None


def _expectation(name: str) -> Expect:
    field = Settings.model_fields.get(name)
    if field:
        for item in field.metadata:
            if isinstance(item, Expect):
                return item
        found = _expect_in(field.annotation)
        if found:
            return found
    return Expect("une valeur valide", "a valid value")


def _problem(error: dict) -> str:
    name = str(error["loc"][0]) if error.get("loc") else "?"
    expect = _expectation(name)
    got_fr = got_en = ""
    if expect.show_value:
        shown = repr(str(error.get("input", "")))
        if len(shown) > 80:
            shown = shown[:77] + "…'"
        got_fr, got_en = f" (valeur lue : {shown})", f" (got {shown})"
    return (
        f"Réglage invalide : {name} doit être {expect.fr}{got_fr}. / "
        f"Invalid setting: {name} must be {expect.en}{got_en}."
    )


def load_settings() -> Settings:
    """Read and check the environment; :class:`InvalidSettings` names every bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = list(dict.fromkeys(_problem(error) for error in exc.errors()))
        raise InvalidSettings(problems) from None
