"""The workers load only what they use: xhtml2pdf and reportlab (about 27 MiB) come with
the first PDF rendered, not with the application (issue 14 §4: a worker exporting a
payment file stays under 300 MB)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.nodb  # run once, in the SQLite pass

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
from app import create_app
application = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
import app.jobs.kinds  # every job's work, the payment export's included
print(sorted({name.split(".")[0] for name in sys.modules} & {"xhtml2pdf", "reportlab"}))
from app import pdf
with application.test_request_context():
    pdf.html_to_pdf("<p>IMAG'IN</p>")
print(sorted({name.split(".")[0] for name in sys.modules} & {"xhtml2pdf", "reportlab"}))
"""


def test_the_pdf_renderer_is_loaded_with_the_first_pdf_only(tmp_path):
    env = os.environ | {"IMAGIN_INSTANCE_DIR": str(tmp_path), "FLASK_DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(  # noqa: S603 (our own interpreter and probe)
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    before, after = done.stdout.strip().splitlines()[-2:]
    assert before == "[]"
    assert after == "['reportlab', 'xhtml2pdf']"
