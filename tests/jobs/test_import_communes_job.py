"""The communes import as a job (« Appliquer ») and as ``flask imagin import communes``:
applied once, recorded, the second time unchanged; refused lines end the command with 1
and write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from app.extensions import db
from app.jobs import runner
from app.services.interfaces.imports import runs
from app.services.interfaces.imports.base import Source
from app.transaction import unit_of_work
from models import Academy, Commune, ImportRun, Job
from models.enums import ImportState, JobState

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "laposte-codes-postaux.csv"


def communes(app) -> int:
    with app.app_context():
        value = db.session.scalar(select(func.count()).select_from(Commune))
        db.session.remove()
        return value


@pytest.fixture
def without_communes(app, demo):
    """The demo without its communes (the demo seed loads the example file)."""
    with app.app_context(), unit_of_work(db.session):
        db.session.execute(delete(Commune))
    return app


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def test_the_job_applies_the_file_with_its_progress_and_records_it(app, without_communes):
    with app.app_context():
        with unit_of_work(db.session):
            rennes = db.session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
            source = Source(EXAMPLE.name, EXAMPLE.read_bytes())
            run = runs.dry_run(db.session, rennes, "communes", source, by_user_id=None)
            job = runs.start_applying(db.session, run, skip_refused=False, by_user_id=None)
            run_id, job_id = run.id, job.id
        db.session.remove()
    runner.run(app, job_id, last_attempt=True)
    with app.app_context():
        job = db.session.get(Job, job_id)
        run = db.session.get(ImportRun, run_id)
        assert job.state is JobState.DONE, job.message
        assert (job.progress, job.total) == (36, 36)  # the lines read, at its end
        assert run.state is ImportState.APPLIED and run.counts["new"] == 34
        assert job.message == (
            "36 ligne(s) lue(s) : 34 nouveau(x), 0 modifié(s), 0 inchangé(s),"
            " 0 absent(s) du fichier."
        )
        db.session.remove()
    assert communes(app) == 34


def test_the_command_dry_runs_then_applies_once(app, without_communes, cli):
    result = cli.invoke(args=["imagin", "import", "communes", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "36 ligne(s) lue(s) : 34 nouveau(x), 0 modifié(s), 0 inchangé(s)" in result.output
    assert "35400 35288 : ST MALO (48.649300, -2.025700)" in result.output
    assert "Communes absentes du fichier : conservées" in result.output
    assert communes(app) == 0
    applied = cli.invoke(args=["imagin", "import", "communes", str(EXAMPLE), "--apply"])
    assert applied.exit_code == 0, applied.output
    again = cli.invoke(args=["imagin", "import", "communes", str(EXAMPLE), "--apply"])
    assert "0 nouveau(x), 0 modifié(s), 34 inchangé(s)" in again.output
    assert communes(app) == 34
    with app.app_context():
        states = db.session.scalars(select(ImportRun.state).where(ImportRun.kind == "communes"))
        assert list(states) == [ImportState.APPLIED, ImportState.APPLIED]
        db.session.remove()


def test_the_command_ends_with_1_on_a_refused_line(app, without_communes, cli, tmp_path):
    wrong = tmp_path / "laposte.csv"
    header = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    wrong.write_text(
        header + "\n35238;RENNES;35000;RENNES;;48.11, -1.68\n35047;BRUZ;3517;BRUZ;;\n",
        encoding="cp1252",
    )
    result = cli.invoke(args=["imagin", "import", "communes", str(wrong), "--apply"])
    assert result.exit_code == 1
    assert "Ligne 3, colonne code_postal, valeur « 3517 »" in result.output
    assert communes(app) == 0
