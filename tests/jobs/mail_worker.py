"""A job worker in a process of its own, for the test that kills one with SIGKILL:
``python -m tests.jobs.mail_worker '<json settings>'`` builds the application as the
tests do (``TestingConfig`` and the given settings: database, queue, mail server) and
runs it as ``flask imagin worker`` does (Huey's consumer and the sweeper) until it is
killed."""

from __future__ import annotations

import json
import sys

from config import TestingConfig


def main() -> None:
    settings = json.loads(sys.argv[1])
    from app import create_app
    from app.jobs.worker import serve

    overrides = {k: v for k, v in vars(TestingConfig).items() if k.isupper()} | settings
    app = create_app(overrides)
    print("worker ready", flush=True)
    serve(app, workers=1, max_delay=0.1)


if __name__ == "__main__":
    main()
