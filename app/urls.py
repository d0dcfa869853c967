"""Links that leave the portal (mails): always from ``PUBLIC_URL``, never from the
``Host`` header of the request that triggered them (no reset-link poisoning)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """The absolute address of ``endpoint`` under ``PUBLIC_URL``; works in a request,
    a CLI command or a background job alike (an application context is enough)."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
