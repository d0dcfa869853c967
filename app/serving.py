"""The development server without a ``Server:`` banner (software and version are
nobody's business). Production runs gunicorn with ``gunicorn.conf.py``, which does
the same for gunicorn."""

from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, minus the ``Server`` header that ``http.server`` adds."""

    def send_response(self, code: int, message: str | None = None) -> None:
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())
