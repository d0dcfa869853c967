"""The import's job and command: the job plans the kept file again (the screen is not
trusted) and a refusal found then marks the import refused with its French message,
writing nothing else; ``flask imagin import`` prints the dry run, applies in one
transaction with --apply, records the import, and ends with 1 on a refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import runner
from app.services.interfaces.imports import runs
from app.services.interfaces.imports.base import Source
from app.transaction import unit_of_work
from models import Academy, Establishment, Exam, ImportRun, Job
from models.enums import EstablishmentCategory, ImportState, JobState

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "cyclades-examens.csv"


def rennes(session) -> int:
    return session.scalar(select(Academy.id).where(Academy.code == "RENNES"))


def exams(session) -> int:
    return session.scalar(select(func.count()).select_from(Exam))


def planned_then_started(app, *, skip=False) -> tuple[int, int]:
    with app.app_context():
        with unit_of_work(db.session):
            run = runs.dry_run(
                db.session,
                rennes(db.session),
                "exams",
                Source(EXAMPLE.name, EXAMPLE.read_bytes()),
                by_user_id=None,
            )
            job = runs.start_applying(db.session, run, skip_refused=skip, by_user_id=None)
            ids = run.id, job.id
        db.session.remove()
    return ids


def test_the_job_applies_the_kept_file_and_records_the_result(app, demo):
    with app.app_context():
        before = exams(db.session)
        db.session.remove()
    run_id, job_id = planned_then_started(app)
    runner.run(app, job_id, last_attempt=True)  # what a worker does with it
    with app.app_context():
        job = db.session.get(Job, job_id)
        run = db.session.get(ImportRun, run_id)
        assert job.state is JobState.DONE
        assert run.state is ImportState.APPLIED and run.applied_at is not None
        assert run.counts == {
            "lines": 13,
            "new": 11,
            "changed": 1,
            "unchanged": 1,
            "missing": 23,  # with the DCG and DSCG of the demo (demo_dcs)
            "refused": 0,
        }
        assert run.data is None and run.message == job.message
        assert exams(db.session) == before + 1


def test_a_refusal_found_by_the_job_marks_the_import_refused_and_writes_nothing(app, demo):
    run_id, job_id = planned_then_started(app)
    # Between the dry run and the job, another académie took one of the file's centres.
    with app.app_context(), unit_of_work(db.session):
        other = Academy(code="AUTRE", name="Autre académie")
        db.session.add(other)
        db.session.flush()
        db.session.add(
            Establishment(
                uai="0350030T",
                name="AILLEURS",
                category=EstablishmentCategory.LGT,
                academy_id=other.id,
                postcode="29000",
                town="QUIMPER",
            )
        )
    with app.app_context():
        before = exams(db.session)
        db.session.remove()
    runner.run(app, job_id, last_attempt=True)
    with app.app_context():
        job = db.session.get(Job, job_id)
        run = db.session.get(ImportRun, run_id)
        assert job.state is JobState.FAILED
        assert job.message.startswith("Le fichier contient 1 ligne(s) refusée(s)")
        assert run.state is ImportState.REFUSED and run.message == job.message
        assert run.plan["refusals"][0][:3] == [14, "uai", "0350030T"]
        assert exams(db.session) == before  # nothing of the file was written
        assert (
            db.session.scalar(select(Establishment).where(Establishment.uai == "0350029S")) is None
        )


def test_an_unexpected_error_marks_the_import_failed(app, demo, monkeypatch):
    run_id, job_id = planned_then_started(app)

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    import dataclasses

    broken_importer = dataclasses.replace(runs.IMPORTERS["exams"], apply=broken)
    monkeypatch.setitem(runs.IMPORTERS, "exams", broken_importer)
    runner.run(app, job_id, last_attempt=True)
    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        assert run.state is ImportState.FAILED
        assert "erreur inattendue" in run.message
        assert db.session.get(Job, job_id).state is JobState.FAILED


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def test_the_command_prints_the_dry_run_and_writes_nothing(app, demo, cli):
    with app.app_context():
        before = exams(db.session)
        db.session.remove()
    result = cli.invoke(args=["imagin", "import", "exams", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "13 ligne(s) lue(s) : 11 nouveau(x), 1 modifié(s), 1 inchangé(s)" in result.output
    assert "BTS / 31406 / E4-A" in result.output
    assert "Simulation : rien n'a été écrit" in result.output
    with app.app_context():
        assert exams(db.session) == before
        assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_the_command_applies_records_and_is_idempotent(app, demo, cli):
    result = cli.invoke(args=["imagin", "import", "exams", str(EXAMPLE), "--apply"])
    assert result.exit_code == 0, result.output
    assert "Import appliqué" in result.output
    again = cli.invoke(args=["imagin", "import", "exams", str(EXAMPLE), "--apply"])
    assert again.exit_code == 0
    assert "0 nouveau(x), 0 modifié(s), 13 inchangé(s)" in again.output
    with app.app_context():
        recorded = db.session.scalars(select(ImportRun).order_by(ImportRun.id)).all()
        assert [r.state for r in recorded] == [ImportState.APPLIED, ImportState.APPLIED]
        assert recorded[0].sha256 == recorded[1].sha256 and recorded[0].started_by_id is None


def test_the_command_ends_with_1_on_refused_lines_and_writes_nothing(app, demo, cli, tmp_path):
    header = EXAMPLE.read_text().splitlines()[0]
    wrong = tmp_path / "faux.csv"
    wrong.write_text(header + "\nEXAMEN;X1;;;;UN;;;;;;;;;;;\nSESSION;X1;;;juin;;;20x7;;;;;;;;;\n")
    with app.app_context():
        before = exams(db.session)
        db.session.remove()
    result = cli.invoke(args=["imagin", "import", "exams", str(wrong), "--apply"])
    assert result.exit_code == 1
    assert "Ligne 3, colonne annee, valeur « 20x7 »" in result.output
    with app.app_context():
        assert exams(db.session) == before
        run = db.session.scalar(select(ImportRun))
        assert run.state is ImportState.REFUSED and run.counts["refused"] == 1
    skipped = cli.invoke(
        args=["imagin", "import", "exams", str(wrong), "--apply", "--skip-refused"]
    )
    assert skipped.exit_code == 0, skipped.output
    with app.app_context():
        assert exams(db.session) == before + 1


def test_the_command_refuses_an_unreadable_file(app, demo, cli, tmp_path):
    wrong = tmp_path / "export.csv"
    wrong.write_bytes("a,b\n".encode("utf-16"))
    result = cli.invoke(args=["imagin", "import", "exams", str(wrong)])
    assert result.exit_code == 1
    assert "ni en UTF-8 ni en Windows-1252" in result.output
