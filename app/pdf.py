"""PDF documents (the claim recap, the convocation duplicata) rendered by xhtml2pdf
from a Jinja template.

The renderer may read the application's own static assets and nothing else: remote
fetching is off and local reads are confined to the static folder
(``ResourceAccessPolicy``), so no text typed by a user can make the server fetch a URL
or read a file. User text reaches the template through Jinja's autoescaping.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from flask import current_app, render_template
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy


class PdfError(RuntimeError):
    pass


def policy() -> ResourceAccessPolicy:
    return ResourceAccessPolicy.server(
        Path(current_app.static_folder), allow_remote=False, allow_private_networks=False
    )


def render_pdf(template: str, **context) -> bytes:
    html = render_template(template, **context)
    output = BytesIO()
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8", resource_policy=policy())
    if result.err:
        raise PdfError(f"{template}: {result.err} error(s) while rendering")
    return output.getvalue()
