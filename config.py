"""Every setting of IMAG'IN, read from the environment with safe defaults.

The README has the table of environment variables. Nothing here may hold a secret
that is valid in production: the built-in SECRET_KEY is refused outside debug/testing
(see ``app.check_production_settings``).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask_appbuilder.security.manager import AUTH_DB

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("IMAGIN_INSTANCE_DIR", BASE_DIR / "instance"))

# Marker of the built-in development key: the app refuses it in production.
DEVELOPMENT_SECRET_KEY = "imagin-development-key-not-for-production"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def _int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def _float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def _list(name: str) -> list[str] | None:
    """A comma-separated list (None when the variable is not set or empty)."""
    items = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    return items or None


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'imagin.db'}"
    # Heroku-style URLs use the old scheme name that SQLAlchemy 2 refuses.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return url


# --- Flask -----------------------------------------------------------------------
DEBUG = _bool("FLASK_DEBUG", False)
TESTING = False
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 6 * 1024 * 1024)
# At least this many bytes for a signing key outside debug/testing.
SECRET_KEY_MIN_BYTES = 32

# --- The request edge (see app/edge.py) -----------------------------------------------------
# Where users reach the portal: every link in a mail starts with it, never with the
# Host header of a request. Required outside debug/testing; in debug it defaults to
# the development server's address.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").strip()
DEVELOPMENT_PUBLIC_URL = f"http://127.0.0.1:{_int('PORT', 8080)}"
# Host names a request may carry (Flask's own check; any other gets a 400). Unset: the
# host of PUBLIC_URL in production, localhost and 127.0.0.1 in debug/testing.
TRUSTED_HOSTS = _list("TRUSTED_HOSTS")
# Reverse proxies (TLS load balancer…) in front of the application whose
# X-Forwarded-For/-Proto/-Host/-Port headers are believed (werkzeug's ProxyFix).
# 0: none, the headers are ignored and the client is the TCP peer.
PROXY_COUNT = _int("PROXY_COUNT", 0)

# --- Database ----------------------------------------------------------------------
SQLALCHEMY_DATABASE_URI = _database_url()
SQLALCHEMY_TRACK_MODIFICATIONS = False
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

# --- Personal data at rest (app/crypto.py) ------------------------------------------
# Comma-separated Fernet keys: the first encrypts INSEE numbers, IBAN and BIC, all
# decrypt (rotation: a new key first, then ``flask imagin rotate-keys``). Required
# outside debug/testing; a public development key is used otherwise.
DATA_ENCRYPTION_KEYS = os.environ.get("DATA_ENCRYPTION_KEYS", "")

# --- Files ---------------------------------------------------------------------------
UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))

# --- Mail (the embedded default writes mails to the log) ----------------------------
MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
MAIL_PORT = _int("MAIL_PORT", 25)
MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "imagin@localhost")
# Without MAIL_SERVER, mails are written here as .eml files (the log gets one line).
MAIL_OUTBOX = os.environ.get("MAIL_OUTBOX", str(INSTANCE_DIR / "mails"))

# --- Accounts and sessions -------------------------------------------------------------
SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
SESSION_WARNING_MINUTES = _int("SESSION_WARNING_MINUTES", 5)
SESSION_MAX_HOURS = _int("SESSION_MAX_HOURS", 12)
TEMPORARY_PASSWORD_DAYS = _int("TEMPORARY_PASSWORD_DAYS", 30)
PASSWORD_RESET_MINUTES = _int("PASSWORD_RESET_MINUTES", 60)
LOCKOUT_FAILURES = _int("LOCKOUT_FAILURES", 10)
LOCKOUT_MINUTES = _int("LOCKOUT_MINUTES", 15)

# --- Rate limiting (Flask-Limiter, shared by all workers through Redis in production)
RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
RATELIMIT_HEADERS_ENABLED = True
AUTH_RATE_LIMITED = True
AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per minute")
# "Mot de passe oublié ?" requests allowed per IP address.
FORGOT_RATE_LIMIT = os.environ.get("FORGOT_RATE_LIMIT", "5 per minute")
# The forgotten-password answer never comes sooner than this (seconds), whether the
# identifier is known or not: no account enumeration by timing.
FORGOT_MIN_SECONDS = _float("FORGOT_MIN_SECONDS", 0.5)

# --- Session cookie --------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Secure unless explicitly running without TLS in development (see create_app).
SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_NAME = "imagin_session"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"

# --- CSRF (Flask-WTF CSRFProtect, enabled globally in create_app) ---------------------
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = 8 * 3600

# --- Internationalisation (Flask-Babel through FAB's BabelManager) --------------------
BABEL_DEFAULT_LOCALE = "fr"
BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
LANGUAGES = {
    "fr": {"flag": "fr", "name": "Français"},
    "en": {"flag": "gb", "name": "English"},
}

# --- Flask-AppBuilder ------------------------------------------------------------------
APP_NAME = "IMAG'IN"
APP_ICON = ""
AUTH_TYPE = AUTH_DB
AUTH_ROLE_ADMIN = "Admin"
AUTH_ROLE_PUBLIC = "Public"
AUTH_USER_REGISTRATION = False
FAB_PASSWORD_HASH_METHOD = "scrypt"
FAB_BASE_TEMPLATE = "imagin/layout.html"
FAB_INDEX_VIEW = "views.home.HomeView"
FAB_SECURITY_MANAGER_CLASS = "app.security.ImaginSecurityManager"
# The schema belongs to Flask-Migrate: FAB must neither create tables nor write
# permission rows at start-up. Roles are created by ``flask imagin init``.
FAB_CREATE_DB = False
FAB_UPDATE_PERMS = False
FAB_ADD_SECURITY_API = False
# FAB's JSON menu (/api/v1/menu/) serves its own React menu: the portal has its own.
FAB_ADD_MENU_API = False
FAB_API_SWAGGER_UI = False
FAB_ADD_SECURITY_PERMISSION_VIEW = False
FAB_ADD_SECURITY_VIEW_MENU_VIEW = False
FAB_ADD_SECURITY_PERMISSION_VIEWS_VIEW = False

# Roles and what each may ever do (view permissions), derived from the catalogue of
# activities so that the menu and the permissions cannot drift apart. Whether an
# activity is open *now* is data (ActivityOpening), edited from the admin screen.
ROLE_TEACHER = "Enseignant"
ROLE_HEAD = "Chef d'établissement"
ROLE_MANAGER = "Gestionnaire"
ROLE_EXTERNAL = "Intervenant extérieur"
ROLE_ADMIN = AUTH_ROLE_ADMIN
# FAB_ROLES (the permissions of each role) is derived from the activity catalogue,
# which is application code: create_app sets it (see app.catalogue.fab_roles).

# --- Portal ----------------------------------------------------------------------------
# The académie this instance serves (its code in the Academy table).
IMAGIN_ACADEMY_CODE = os.environ.get("IMAGIN_ACADEMY_CODE", "RENNES")
# Largest page a list may show, whatever the URL asks for.
IMAGIN_MAX_PAGE_SIZE = _int("IMAGIN_MAX_PAGE_SIZE", 100)
IMAGIN_LIST_PAGE_SIZE = _int("IMAGIN_LIST_PAGE_SIZE", 20)
# Content-Security-Policy: scripts only from this origin or with the per-request nonce.
IMAGIN_CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


class TestingConfig:
    """Overrides applied by the test suite (tests/conftest.py)."""

    TESTING = True
    SECRET_KEY = "imagin-tests"
    SESSION_COOKIE_SECURE = False
    # Tests hash many passwords: a cheaper method keeps the suite fast.
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    RATELIMIT_STORAGE_URI = "memory://"
    # The timing floor is tested with a fake clock; real sleeps would slow the suite.
    FORGOT_MIN_SECONDS = 0
