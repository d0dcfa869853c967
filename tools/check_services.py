"""Say loudly whether the test suite's PostgreSQL and Redis are reachable.

Exit 0 when both answer. Otherwise print a banner and exit 1, unless SKIP_SERVICES=1
is set outside CI (an explicit, visible choice): then exit 3 so that the Makefile
runs the SQLite pass only, without the tests marked ``services``, and says so.
In CI (CI=true) an unreachable service always fails the run.
"""

from __future__ import annotations

import os
import sys


def postgres(url: str) -> str | None:
    try:
        import psycopg

        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        psycopg.connect(dsn, connect_timeout=3).close()
    except Exception as error:  # noqa: BLE001 - any failure means unreachable
        return str(error).strip().splitlines()[0]
    return None


def redis(url: str) -> str | None:
    try:
        import redis as redis_client

        redis_client.Redis.from_url(url, socket_connect_timeout=3).ping()
    except Exception as error:  # noqa: BLE001
        return str(error).strip().splitlines()[0]
    return None


def main() -> int:
    pg_url = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    problems = []
    if (error := postgres(pg_url)) is not None:
        problems.append(f"PostgreSQL ({pg_url}) is unreachable: {error}")
    if (error := redis(redis_url)) is not None:
        problems.append(f"Redis ({redis_url}) is unreachable: {error}")
    if not problems:
        return 0
    banner = "!" * 78
    print(banner, file=sys.stderr)
    for problem in problems:
        print(f"!! {problem}", file=sys.stderr)
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    if os.environ.get("SKIP_SERVICES") == "1" and not in_ci:
        print(
            "!! SKIP_SERVICES=1: the suite runs on SQLite only. It has NOT run on", file=sys.stderr
        )
        print("!! PostgreSQL nor against Redis. Do not submit on this basis.", file=sys.stderr)
        print(banner, file=sys.stderr)
        return 3
    print(
        "!! The suite must pass on PostgreSQL and with Redis: start them (see .ci/run)",
        file=sys.stderr,
    )
    print(
        "!! or, outside CI only, run `SKIP_SERVICES=1 make test` to run SQLite alone.",
        file=sys.stderr,
    )
    print(banner, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
