"""A stand-in for another académie's API in the tests: a real HTTP server on a free
port of 127.0.0.1, whose answer (status, body, delay) each test sets."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MISSION = {
    "number": 320001,
    "exam": "BREVET DE TECHNICIEN SUPÉRIEUR",
    "session": "juin 2026",
    "specialty": "SERVICES INFORMATIQUES AUX ORGANISATIONS",
    "paper": None,
    "mission_type": "VALIDATION DES THEMES",
    "first_day": "2026-11-26",
    "last_day": "2026-11-26",
    "centre": {"uai": "0440288Z", "name": "LPO LIVET", "town": "NANTES"},
    "quality": {"code": "JURY_MEMBER", "label": "MEMBRE DU JURY"},
    "correction_state": {"code": "TO_CORRECT", "label": "A corriger dans SANTORIN"},
}


def page(items, next_link=None) -> dict:
    return {
        "items": items,
        "total": len(items),
        "page": 1,
        "page_size": 100,
        "links": {"self": "/", "next": next_link, "prev": None},
    }


class PeerStub:
    def __init__(self):
        self.status = 200
        self.body: object = page([MISSION])
        self.delay = 0.0
        self.requests: list[tuple[str, str]] = []  # (path, Authorization)
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                stub.requests.append((self.path, self.headers.get("Authorization", "")))
                if stub.delay:
                    time.sleep(stub.delay)
                body = stub.body if isinstance(stub.body, bytes) else json.dumps(stub.body)
                data = body if isinstance(body, bytes) else body.encode()
                try:
                    self.send_response(stub.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the portal gave up waiting
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/api/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
