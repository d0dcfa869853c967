"""Start a second portal instance serving the académie of Nantes, as a peer of the demo
(Rennes) or of the tests: its own database (migrated, then ``seed_peer_academy``: two
missions of the demo teacher's numen and the API client of the token), its API on
127.0.0.1:PORT. Development and tests only (the development encryption key).

Usage: python tools/peer_instance.py [--port 8081] [--database sqlite:///…] [--token …]
Prints ``READY <port>`` once it serves; stops on Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_app(database_url: str, token: str, numen: str):
    from app import create_app
    from config import TestingConfig

    folder = Path(tempfile.mkdtemp(prefix="imagin-peer-"))
    overrides = {key: value for key, value in vars(TestingConfig).items() if key.isupper()} | {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "IMAGIN_ACADEMY_CODE": "NANTES",
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "JOB_QUEUE_FILE": str(folder / "jobs.db"),
        "MAIL_OUTBOX": str(folder / "mails"),
        "SERVER_NAME": None,
    }
    application = create_app(overrides)
    with application.app_context():
        from flask_migrate import upgrade

        from app.extensions import db
        from app.seeds.demo_peers import seed_peer_academy
        from app.transaction import unit_of_work

        upgrade()
        with unit_of_work(db.session) as session:
            seed_peer_academy(session, token=token, numen=numen)
        db.session.remove()
    return application


def main() -> None:
    from app.seeds.demo_peers import DEMO_PEER_PORT, DEMO_PEER_TOKEN, DEMO_TEACHER_NUMEN

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEMO_PEER_PORT)
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'instance' / 'peer-nantes.db'}")
    parser.add_argument("--token", default=DEMO_PEER_TOKEN)
    parser.add_argument("--numen", default=DEMO_TEACHER_NUMEN)
    args = parser.parse_args()
    os.environ.setdefault("FLASK_DEBUG", "1")
    if args.database.startswith("sqlite:///"):
        Path(args.database.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    application = build_app(args.database, args.token, args.numen)
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", args.port, application, threaded=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"READY {server.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
