"""gunicorn settings for IMAG'IN: ``gunicorn -c gunicorn.conf.py "app:create_app()"``.

Bind address and workers can still be given on the command line (``-b``, ``-w``) or in
``GUNICORN_CMD_ARGS``. The client's real address comes from the application's ProxyFix
(``PROXY_COUNT``), not from gunicorn's ``forwarded_allow_ips``.
"""

import os

import gunicorn.http.wsgi

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
accesslog = "-"


# No "Server:" banner. gunicorn has no setting for it: its response writes the header
# from ``Response.default_headers``, so that list is filtered here, in the master,
# before the workers are forked.
_default_headers = gunicorn.http.wsgi.Response.default_headers


def _headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


gunicorn.http.wsgi.Response.default_headers = _headers_without_server
