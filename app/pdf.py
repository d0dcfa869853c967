"""PDF documents (the claim recap, the convocation duplicata) rendered by xhtml2pdf
from a Jinja template.

The renderer may read the application's own static assets and nothing else: remote
fetching is off and local reads are confined to the static folder
(``ResourceAccessPolicy``), so no text typed by a user can make the server fetch a URL
or read a file. User text reaches the template through Jinja's autoescaping.

The two steps are apart: ``render_html`` (the template, in French whatever the reader's
language: the documents are the administration's, their pages say ``lang="fr"``) is
cheap and gives what ``app.services.documents.store`` fingerprints; ``html_to_pdf``
(xhtml2pdf) is the slow one, run once per content and stored.

xhtml2pdf (and reportlab under it, about 27 MiB) is imported on the first PDF, not with
the application: a web worker that serves stored PDFs or a job worker that exports a
payment file never loads it.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app, render_template
from flask_babel import force_locale

if TYPE_CHECKING:
    from xhtml2pdf.config.resources import ResourceAccessPolicy


class PdfError(RuntimeError):
    pass


def policy() -> ResourceAccessPolicy:
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    return ResourceAccessPolicy.server(
        Path(current_app.static_folder), allow_remote=False, allow_private_networks=False
    )


DOCUMENT_LOCALE = "fr"


def document_locale():
    """The documents' language, for what is translated before the template."""
    return force_locale(DOCUMENT_LOCALE)


def render_html(template: str, **context) -> str:
    """The document's HTML (in French)."""
    with document_locale():
        return render_template(template, **context)


def html_to_pdf(html: str, name: str = "document") -> bytes:
    """The PDF of ``html`` (``name`` only names it in an error)."""
    from xhtml2pdf import pisa

    output = BytesIO()
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8", resource_policy=policy())
    if result.err:
        raise PdfError(f"{name}: {result.err} error(s) while rendering")
    return output.getvalue()


def render_pdf(template: str, **context) -> bytes:
    return html_to_pdf(render_html(template, **context), template)
