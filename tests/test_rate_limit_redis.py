"""With Redis as the limiter's storage, every worker shares the login rate limit."""

import os

import pytest

from tests.conftest import csrf_token

pytestmark = pytest.mark.services

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def forget_limits(client) -> None:
    """Remove the rate limiter's counters only: the job queue tests share this Redis
    database (tests/jobs), possibly at the same time on another xdist worker."""
    for key in client.scan_iter("LIMITS*"):
        client.delete(key)


@pytest.fixture
def two_workers(app):
    """Two application instances (as two gunicorn workers would be) on one Redis."""
    import redis

    from app import create_app

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    client.ping()  # an unreachable Redis fails the test: it is never skipped
    forget_limits(client)
    overrides = {
        key: app.config[key]
        for key in (
            "TESTING",
            "SECRET_KEY",
            "SQLALCHEMY_DATABASE_URI",
            "UPLOAD_FOLDER",
            "SESSION_COOKIE_SECURE",
            "FAB_PASSWORD_HASH_METHOD",
        )
    }
    overrides["RATELIMIT_STORAGE_URI"] = REDIS_URL
    workers = [create_app(overrides), create_app(overrides)]
    yield workers
    forget_limits(client)


def post_login(worker):
    client = worker.test_client()
    token = csrf_token(client.get("/login/").text)
    return client.post("/login/", data={"username": "x", "password": "y", "csrf_token": token})


def test_failed_logins_spread_over_two_workers_hit_one_shared_limit(two_workers):
    first, second = two_workers
    statuses = [post_login(first if i % 2 else second).status_code for i in range(12)]
    assert statuses[:10] == [302] * 10
    assert statuses[10:] == [429, 429]
