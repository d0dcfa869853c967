"""The request edge: the public address, the trusted host names and the trusted proxies.

* ``PUBLIC_URL`` is where users reach the portal; links in mails are built from it
  (``app.urls.public_url``), never from a request's ``Host`` header.
* ``TRUSTED_HOSTS`` is Flask's own check of the ``Host`` header (werkzeug's
  ``host_is_trusted``); a request for another host is answered with a plain 400 before
  anything else runs (no session, rate limit or page is touched).
* ``PROXY_COUNT`` trusted reverse proxies: werkzeug's ``ProxyFix`` then takes the
  client's address, scheme, host and port from their ``X-Forwarded-*`` headers, so the
  login rate limit and the logs see the real client and not the load balancer.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask_babel import gettext as _
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger("imagin")

DEVELOPMENT_HOSTS = ("localhost", "127.0.0.1")


def public_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the portal's public address (None when it can)."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "it must start with https:// (or http://) followed by the host name"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "it must hold only the scheme, the host (and port) and an optional path"
    return None


def resolve_settings(app: Flask) -> None:
    """Fill the defaults that depend on the mode (debug/testing or production) and
    normalise the values. ``app.check_production_settings`` refuses what is missing."""
    config = app.config
    relaxed = app.debug or app.testing
    url = (config.get("PUBLIC_URL") or "").strip()
    if not url and relaxed:
        url = config.get("DEVELOPMENT_PUBLIC_URL") or "http://127.0.0.1:8080"
    config["PUBLIC_URL"] = url.rstrip("/")
    hosts = config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):
        hosts = [host.strip() for host in hosts.split(",")]
    hosts = [host for host in (hosts or []) if host]
    if not hosts:
        public_host = urlsplit(config["PUBLIC_URL"]).hostname
        hosts = [public_host] if public_host else []
        if relaxed:
            hosts = list(dict.fromkeys([*DEVELOPMENT_HOSTS, *hosts]))
    # An empty list would let any host in (Flask's meaning of "no check").
    config["TRUSTED_HOSTS"] = hosts or list(DEVELOPMENT_HOSTS)
    config["PROXY_COUNT"] = max(0, int(config.get("PROXY_COUNT") or 0))


def refuse_unknown_host():
    """Flask has already checked the ``Host`` header against ``TRUSTED_HOSTS``: its
    refusal would surface later as an error while building the page's links. Answer it
    first, with a plain page (no link can be built for an unknown host)."""
    if isinstance(request.routing_exception, SecurityError):
        log.warning(
            "request refused: unknown host %r path=%s ip=%s",
            request.environ.get("HTTP_HOST", "")[:100],
            request.path[:200],
            request.remote_addr,
        )
        return Response(
            _("Unknown site address: the request was refused."),
            status=400,
            mimetype="text/plain",
        )
    return None


def init_app(app: Flask) -> None:
    """Install the host check (first of all request hooks) and ProxyFix."""
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unknown_host)
    count = app.config["PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count
        )
