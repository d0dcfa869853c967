"""The environment variables: typed, checked, and a bad value stops the start.

The checks run on ``app.settings.load_settings`` with a patched environment (the
session's application is not touched); what ``config.py`` and the entry points do with
the environment runs in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.settings import InvalidSettings, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
NAMES = list(Settings.model_fields)


@pytest.fixture
def env(monkeypatch):
    """No setting from the outer environment; ``env(NAME="value")`` sets some."""
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)

    def set_(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_


def refusal(**values: str) -> str:
    """The message of the start refused for these values."""
    with pytest.MonkeyPatch.context() as patch:
        for name in NAMES:
            patch.delenv(name, raising=False)
        for name, value in values.items():
            patch.setenv(name, value)
        with pytest.raises(InvalidSettings) as refused:
            load_settings()
    return str(refused.value)


def assert_bilingual(message: str, name: str, fr: str, en: str, shown: str | None) -> None:
    french, english = message.split(" / ")
    assert french.startswith(f"Réglage invalide : {name} doit être {fr}")
    assert english.startswith(f"Invalid setting: {name} must be {en}")
    if shown is not None:
        assert f"(valeur lue : {shown!r})" in french
        assert f"(got {shown!r})" in english


# --- Unset: today's defaults, exactly --------------------------------------------------


def test_unset_variables_keep_the_defaults(env):
    settings = load_settings()

    assert settings.FLASK_DEBUG is False
    assert settings.MAX_CONTENT_LENGTH == 6 * 1024 * 1024
    assert settings.PROXY_COUNT == 0
    assert settings.PORT == 8080
    assert settings.MAIL_PORT == 25
    assert settings.MAIL_USE_TLS is False
    assert settings.RATELIMIT_ENABLED is True
    assert settings.SESSION_COOKIE_SECURE is None  # config.py: not DEBUG
    assert settings.FORGOT_MIN_SECONDS == 0.5
    assert settings.TRUSTED_HOSTS is None
    assert settings.PUBLIC_URL == ""
    assert settings.DATABASE_URL == ""
    assert settings.RATELIMIT_STORAGE_URI == "memory://"
    assert settings.AUTH_RATE_LIMIT == "10 per minute"
    assert settings.FORGOT_RATE_LIMIT == "5 per minute"
    assert (settings.SESSION_IDLE_MINUTES, settings.SESSION_WARNING_MINUTES) == (30, 5)
    assert (settings.LOCKOUT_FAILURES, settings.LOCKOUT_MINUTES) == (10, 15)
    assert settings.IMAGIN_MAX_PAGE_SIZE == 100


def test_an_empty_variable_counts_as_unset(env):
    env(MAX_CONTENT_LENGTH="", SESSION_COOKIE_SECURE="", RATELIMIT_ENABLED="", PUBLIC_URL="")

    settings = load_settings()

    assert settings.MAX_CONTENT_LENGTH == 6 * 1024 * 1024
    assert settings.SESSION_COOKIE_SECURE is None
    assert settings.RATELIMIT_ENABLED is True
    assert settings.PUBLIC_URL == ""


# --- yes/no ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("oui", True), (" YES ", True), ("on", True), ("true", True)]
    + [("0", False), ("non", False), ("No", False), ("off", False), ("false", False)],
)
def test_a_yes_no_variable_reads_french_and_english_words(env, value, expected):
    env(SESSION_COOKIE_SECURE=value, MAIL_USE_TLS=value)

    settings = load_settings()

    assert settings.SESSION_COOKIE_SECURE is expected
    assert settings.MAIL_USE_TLS is expected


@pytest.mark.parametrize("name", ["SESSION_COOKIE_SECURE", "FLASK_DEBUG", "RATELIMIT_ENABLED"])
def test_a_yes_no_variable_refuses_anything_else(name):
    message = refusal(**{name: "maybe"})

    assert_bilingual(message, name, "oui ou non", "yes or no", "maybe")


# --- Integers ---------------------------------------------------------------------------


def test_an_integer_variable_is_read(env):
    env(MAX_CONTENT_LENGTH="1048576", SESSION_MAX_HOURS=" 8 ")

    settings = load_settings()

    assert settings.MAX_CONTENT_LENGTH == 1048576
    assert settings.SESSION_MAX_HOURS == 8


@pytest.mark.parametrize("value", ["abc", "1.5", "6M"])
def test_an_integer_variable_refuses_what_is_not_an_integer(value):
    message = refusal(MAX_CONTENT_LENGTH=value)

    assert_bilingual(message, "MAX_CONTENT_LENGTH", "un nombre entier", "an integer", value)


def test_a_bounded_integer_is_read_within_its_bounds(env):
    env(PROXY_COUNT="2", MAIL_PORT="587", SESSION_WARNING_MINUTES="0")

    settings = load_settings()

    assert (settings.PROXY_COUNT, settings.MAIL_PORT, settings.SESSION_WARNING_MINUTES) == (
        2,
        587,
        0,
    )


def test_a_bounded_integer_refuses_a_value_out_of_bounds():
    assert_bilingual(
        refusal(PROXY_COUNT="-1"),
        "PROXY_COUNT",
        "un nombre entier supérieur ou égal à 0",
        "an integer greater than or equal to 0",
        "-1",
    )
    assert_bilingual(
        refusal(SESSION_IDLE_MINUTES="0"),
        "SESSION_IDLE_MINUTES",
        "un nombre entier supérieur ou égal à 1",
        "an integer greater than or equal to 1",
        "0",
    )
    assert_bilingual(
        refusal(MAIL_PORT="70000"),
        "MAIL_PORT",
        "un numéro de port entre 1 et 65535",
        "a port number between 1 and 65535",
        "70000",
    )


# --- Numbers ---------------------------------------------------------------------------


def test_a_number_variable_is_read(env):
    env(FORGOT_MIN_SECONDS="1.25")

    assert load_settings().FORGOT_MIN_SECONDS == 1.25


@pytest.mark.parametrize("value", ["soon", "-0.5", "nan", "inf"])
def test_a_number_variable_refuses_a_bad_value(value):
    message = refusal(FORGOT_MIN_SECONDS=value)

    assert_bilingual(
        message,
        "FORGOT_MIN_SECONDS",
        "un nombre de secondes positif ou nul",
        "a number of seconds, zero or more",
        value,
    )


# --- Lists ---------------------------------------------------------------------------


def test_a_list_variable_is_split_on_commas(env):
    env(TRUSTED_HOSTS=" imagin.ac-rennes.fr, .ac-rennes.fr,,127.0.0.1:8080 ")

    assert load_settings().TRUSTED_HOSTS == [
        "imagin.ac-rennes.fr",
        ".ac-rennes.fr",
        "127.0.0.1:8080",
    ]


def test_a_list_of_host_names_refuses_an_address():
    message = refusal(TRUSTED_HOSTS="imagin.ac-rennes.fr,https://imagin.ac-rennes.fr")

    assert_bilingual(
        message,
        "TRUSTED_HOSTS",
        "une liste de noms d'hôte séparés par des virgules",
        "a comma-separated list of host names",
        "imagin.ac-rennes.fr,https://imagin.ac-rennes.fr",
    )


# --- URLs and other structured text --------------------------------------------------------


def test_url_variables_are_read(env):
    env(
        PUBLIC_URL="https://imagin.ac-rennes.fr/portail",
        DATABASE_URL="postgres://imagin:secret@db/imagin",
        RATELIMIT_STORAGE_URI="redis://redis:6379/0",
        AUTH_RATE_LIMIT="100/hour;10/minute",
    )

    settings = load_settings()

    assert settings.PUBLIC_URL == "https://imagin.ac-rennes.fr/portail"  # kept as written
    # The old scheme name that SQLAlchemy 2 refuses is renamed.
    assert settings.DATABASE_URL == "postgresql://imagin:secret@db/imagin"
    assert settings.RATELIMIT_STORAGE_URI == "redis://redis:6379/0"
    assert settings.AUTH_RATE_LIMIT == "100/hour;10/minute"


@pytest.mark.parametrize("value", ["imagin.ac-rennes.fr", "ftp://imagin.ac-rennes.fr", "https://"])
def test_the_public_url_must_be_an_http_address(value):
    message = refusal(PUBLIC_URL=value)

    assert_bilingual(
        message, "PUBLIC_URL", "une adresse http:// ou https://", "an http:// or https://", value
    )


@pytest.mark.parametrize(
    ("name", "value", "fr", "en"),
    [
        ("DATABASE_URL", "postgresql//imagin:s3cret@db", "une adresse de base", "an SQLAlchemy"),
        ("DATABASE_URL", "oracl://imagin:s3cret@db/x", "une adresse de base", "an SQLAlchemy"),
        ("RATELIMIT_STORAGE_URI", "redis:/imagin:s3cret@r", "une adresse de stockage", "a Flask"),
    ],
)
def test_a_bad_address_that_may_hold_a_password_is_not_echoed(name, value, fr, en):
    message = refusal(**{name: value})

    assert_bilingual(message, name, fr, en, None)
    assert "s3cret" not in message


def test_a_rate_limit_must_be_in_flask_limiter_notation():
    message = refusal(FORGOT_RATE_LIMIT="five a minute")

    assert_bilingual(
        message,
        "FORGOT_RATE_LIMIT",
        "une limite de débit comme « 10 per minute »",
        "a rate limit such as '10 per minute'",
        "five a minute",
    )


def test_every_bad_variable_is_named_once_on_its_own_line():
    message = refusal(MAX_CONTENT_LENGTH="abc", PROXY_COUNT="-1", SESSION_COOKIE_SECURE="maybe")

    lines = message.splitlines()
    assert len(lines) == 3
    assert [re.match(r"Réglage invalide : (\w+)", line)[1] for line in lines] == [
        "MAX_CONTENT_LENGTH",
        "PROXY_COUNT",
        "SESSION_COOKIE_SECURE",
    ]


# --- config.py and the entry points (in a subprocess) --------------------------------------


def run(command: list[str], timeout: int = 60, **values: str) -> subprocess.CompletedProcess:
    environ = {key: value for key, value in os.environ.items() if key not in NAMES}
    environ.update(values)
    return subprocess.run(  # noqa: S603
        command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=timeout
    )


def config_values(**values: str) -> dict:
    script = (
        "import json, sys, config\n"
        "names = [n for n in vars(config) if n.isupper()]\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('app', 'views', 'models'))\n"
        "print(json.dumps({'config': {n: getattr(config, n) for n in names}, 'app': loaded},"
        " default=str))\n"
    )
    result = run([sys.executable, "-c", script], **values)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_config_keeps_the_defaults_flask_and_fab_read():
    loaded = config_values()
    config = loaded["config"]

    assert config["DEBUG"] is False
    assert config["SECRET_KEY"] == "imagin-development-key-not-for-production"
    assert config["MAX_CONTENT_LENGTH"] == 6291456
    assert config["PUBLIC_URL"] == ""
    assert config["DEVELOPMENT_PUBLIC_URL"] == "http://127.0.0.1:8080"
    assert config["TRUSTED_HOSTS"] is None
    assert config["PROXY_COUNT"] == 0
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{ROOT / 'instance' / 'imagin.db'}"
    assert config["UPLOAD_FOLDER"] == str(ROOT / "instance" / "uploads")
    assert config["MAIL_OUTBOX"] == str(ROOT / "instance" / "mails")
    assert config["MAIL_DEFAULT_SENDER"] == "imagin@localhost"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["RATELIMIT_ENABLED"] is True
    assert config["FORGOT_MIN_SECONDS"] == 0.5
    assert config["IMAGIN_ACADEMY_CODE"] == "RENNES"
    assert config["FAB_SECURITY_MANAGER_CLASS"] == "app.security.ImaginSecurityManager"
    # config.py reads settings only: no other application code is imported (the package
    # ``app`` itself loads only its start-up errors, app.errors).
    assert loaded["app"] == ["app", "app.errors", "app.settings"]
    assert "FAB_ROLES" not in config


def test_config_derives_its_defaults_from_the_settings(tmp_path):
    config = config_values(
        FLASK_DEBUG="oui", PORT="5001", IMAGIN_INSTANCE_DIR=str(tmp_path), TRUSTED_HOSTS="a.fr"
    )["config"]

    assert config["DEBUG"] is True
    assert config["SESSION_COOKIE_SECURE"] is False  # debug: plain http on 127.0.0.1
    assert config["DEVELOPMENT_PUBLIC_URL"] == "http://127.0.0.1:5001"
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'imagin.db'}"
    assert config["UPLOAD_FOLDER"] == str(tmp_path / "uploads")
    assert config["TRUSTED_HOSTS"] == ["a.fr"]


def test_the_roles_permissions_come_from_the_catalogue(app):
    from app.catalogue import fab_roles

    assert app.config["FAB_ROLES"] == fab_roles()
    assert app.config["FAB_ROLES"]  # every service's role has its views


BAD = {"MAX_CONTENT_LENGTH": "abc", "SESSION_COOKIE_SECURE": "maybe"}


def assert_refused_cleanly(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert (
        "Réglage invalide : MAX_CONTENT_LENGTH doit être un nombre entier supérieur ou égal à 1 "
        "(valeur lue : 'abc'). / Invalid setting: MAX_CONTENT_LENGTH must be an integer greater "
        "than or equal to 1 (got 'abc')."
    ) in result.stderr
    assert "Réglage invalide : SESSION_COOKIE_SECURE doit être oui ou non" in result.stderr


def test_python_run_py_stops_on_a_bad_setting():
    assert_refused_cleanly(run([sys.executable, "run.py"], **BAD))


def test_flask_stops_on_a_bad_setting():
    flask = [sys.executable, "-m", "flask", "--app", "run", "imagin", "--help"]

    assert_refused_cleanly(run(flask, **BAD))


def test_gunicorn_stops_on_a_bad_setting():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    command += ["-b", f"127.0.0.1:{port}", "-w", "1", "app:create_app()"]

    result = run(command, timeout=90, **BAD)

    assert_refused_cleanly(result)
    assert "App failed to load" in result.stderr


# --- The README's table ------------------------------------------------------------------


def test_the_readme_table_lists_every_variable():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    listed = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            listed |= set(re.findall(r"`([A-Z_]+)`", line.split(" | ")[0]))

    assert listed == set(NAMES)
