"""Every setting of IMAG'IN: the environment as typed and checked by ``app.settings``
(pydantic-settings), plus the fixed settings of Flask and Flask-AppBuilder.

This module reads settings only; it imports no other application code. The README has
the table of environment variables. Nothing here may hold a secret
that is valid in production: the built-in SECRET_KEY is refused outside debug/testing
(see ``app.check_production_settings``).
"""

from __future__ import annotations

from pathlib import Path

from flask_appbuilder.security.manager import AUTH_DB

# The built-in development key (the app refuses it in production).
from app.settings import DEVELOPMENT_SECRET_KEY as DEVELOPMENT_SECRET_KEY
from app.settings import load_settings

# The environment, typed and checked: a bad value raises app.settings.InvalidSettings
# (create_app turns it into a clean message and a non-zero exit).
_env = load_settings()

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = _env.IMAGIN_INSTANCE_DIR or BASE_DIR / "instance"

# --- Flask -----------------------------------------------------------------------
DEBUG = _env.FLASK_DEBUG
TESTING = False
SECRET_KEY = _env.SECRET_KEY
MAX_CONTENT_LENGTH = _env.MAX_CONTENT_LENGTH
# At least this many bytes for a signing key outside debug/testing.
SECRET_KEY_MIN_BYTES = 32

# --- The request edge (see app/edge.py) -----------------------------------------------------
# Where users reach the portal: every link in a mail starts with it, never with the
# Host header of a request. Required outside debug/testing; in debug it defaults to
# the development server's address.
PUBLIC_URL = _env.PUBLIC_URL
DEVELOPMENT_PUBLIC_URL = f"http://127.0.0.1:{_env.PORT}"
# Host names a request may carry (Flask's own check; any other gets a 400). Unset: the
# host of PUBLIC_URL in production, localhost and 127.0.0.1 in debug/testing.
TRUSTED_HOSTS = _env.TRUSTED_HOSTS
# Reverse proxies (TLS load balancer…) in front of the application whose
# X-Forwarded-For/-Proto/-Host/-Port headers are believed (werkzeug's ProxyFix).
# 0: none, the headers are ignored and the client is the TCP peer.
PROXY_COUNT = _env.PROXY_COUNT

# --- Database ----------------------------------------------------------------------
# Unset: a SQLite file in the instance folder (postgres:// is read as postgresql://).
SQLALCHEMY_DATABASE_URI = _env.DATABASE_URL or f"sqlite:///{INSTANCE_DIR / 'imagin.db'}"
SQLALCHEMY_TRACK_MODIFICATIONS = False
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

# --- Personal data at rest (app/crypto.py) ------------------------------------------
# Comma-separated Fernet keys: the first encrypts INSEE numbers, IBAN and BIC, all
# decrypt (rotation: a new key first, then ``flask imagin rotate-keys``). Required
# outside debug/testing; a public development key is used otherwise.
DATA_ENCRYPTION_KEYS = _env.DATA_ENCRYPTION_KEYS

# --- Files ---------------------------------------------------------------------------
UPLOAD_FOLDER = _env.UPLOAD_FOLDER or str(INSTANCE_DIR / "uploads")

# --- Mail (the embedded default writes mails to the log) ----------------------------
MAIL_SERVER = _env.MAIL_SERVER
MAIL_PORT = _env.MAIL_PORT
MAIL_USE_TLS = _env.MAIL_USE_TLS
MAIL_USERNAME = _env.MAIL_USERNAME
MAIL_PASSWORD = _env.MAIL_PASSWORD
MAIL_DEFAULT_SENDER = _env.MAIL_DEFAULT_SENDER
# Without MAIL_SERVER, mails are written here as .eml files (the log gets one line).
MAIL_OUTBOX = _env.MAIL_OUTBOX or str(INSTANCE_DIR / "mails")
# A worker holds a mail this long while sending it: a killed worker's mail is sent by
# another once it runs out.
MAIL_SEND_LEASE_SECONDS = _env.MAIL_SEND_LEASE_SECONDS

# --- Accounts and sessions -------------------------------------------------------------
SESSION_IDLE_MINUTES = _env.SESSION_IDLE_MINUTES
SESSION_WARNING_MINUTES = _env.SESSION_WARNING_MINUTES
SESSION_MAX_HOURS = _env.SESSION_MAX_HOURS
TEMPORARY_PASSWORD_DAYS = _env.TEMPORARY_PASSWORD_DAYS
PASSWORD_RESET_MINUTES = _env.PASSWORD_RESET_MINUTES
LOCKOUT_FAILURES = _env.LOCKOUT_FAILURES
LOCKOUT_MINUTES = _env.LOCKOUT_MINUTES

# --- Rate limiting (Flask-Limiter, shared by all workers through Redis in production)
RATELIMIT_STORAGE_URI = _env.RATELIMIT_STORAGE_URI
RATELIMIT_ENABLED = _env.RATELIMIT_ENABLED
RATELIMIT_HEADERS_ENABLED = True
AUTH_RATE_LIMITED = True
AUTH_RATE_LIMIT = _env.AUTH_RATE_LIMIT
# "Mot de passe oublié ?" requests allowed per IP address.
FORGOT_RATE_LIMIT = _env.FORGOT_RATE_LIMIT
# Calls of the REST API per machine client (per address without a valid token).
API_RATE_LIMIT = _env.API_RATE_LIMIT
# The forgotten-password answer never comes sooner than this (seconds), whether the
# identifier is known or not: no account enumeration by timing.
FORGOT_MIN_SECONDS = _env.FORGOT_MIN_SECONDS

# --- Background jobs (app/jobs/, Huey) ------------------------------------------------
# redis://… : the queue is in Redis, shared by the web hosts and the workers of any
# host. Unset: a SQLite file in the instance folder (instance/jobs.db), for one host.
JOB_QUEUE_URL = _env.JOB_QUEUE_URL
JOB_QUEUE_NAME = "imagin"
# The SQLite queue's file (unset: instance/jobs.db).
JOB_QUEUE_FILE = None
# A job stopped by a transient error (database, mail server) is tried again this many
# times, this many seconds apart.
JOB_RETRIES = _env.JOB_RETRIES
JOB_RETRY_DELAY = _env.JOB_RETRY_DELAY
JOB_LEASE_SECONDS = _env.JOB_LEASE_SECONDS
RETENTION_DAYS = _env.RETENTION_DAYS

# --- Session cookie --------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Secure unless explicitly running without TLS in development (see create_app).
SESSION_COOKIE_SECURE = (
    not DEBUG if _env.SESSION_COOKIE_SECURE is None else _env.SESSION_COOKIE_SECURE
)
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
# The login page promises it (seed 001 §2.1): "DENIS est différent de Denis".
AUTH_USERNAME_CI = False
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
IMAGIN_ACADEMY_CODE = _env.IMAGIN_ACADEMY_CODE
# Largest page a list may show, whatever the URL asks for.
IMAGIN_MAX_PAGE_SIZE = _env.IMAGIN_MAX_PAGE_SIZE
IMAGIN_LIST_PAGE_SIZE = _env.IMAGIN_LIST_PAGE_SIZE
# Other académies' portals (app.services.interfaces.peers): each call waits this long
# at most; an answer is kept this many seconds (an in-process cache; 0: none).
PEER_TIMEOUT_SECONDS = _env.PEER_TIMEOUT_SECONDS
PEER_CACHE_SECONDS = _env.PEER_CACHE_SECONDS
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
    # A job retried after a transient error waits one second, not thirty.
    JOB_RETRY_DELAY = 1
