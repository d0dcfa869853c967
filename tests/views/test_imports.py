"""« Imports »: who may open it, a file's dry run, « Appliquer » run as a job by a real
worker, the history; files refused with a French message, never a 500."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.transaction import unit_of_work
from models import Academy, Exam, ImportRun, Paper
from models.enums import ImportState, JobState
from tests.conftest import csrf_token, login
from tests.views.helpers import console, text

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "cyclades-examens.csv"
PAGE = "/imports/"
USERS = ("enseignant", "chef", "EXT35000123", "gestionnaire", "admin")
REFUSED = "Vous n'avez pas accès à cette page."
HEADER = EXAMPLE.read_text().splitlines()[0]


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def upload(client, data: bytes, name="cyclades.csv", kind="exams"):
    token = csrf_token(client.get(PAGE).text)
    return client.post(
        f"{PAGE}simuler",
        data={"csrf_token": token, "kind": kind, "file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def run_id_of(response) -> int:
    assert response.status_code == 302, response.status_code
    return int(re.fullmatch(r".*/imports/(\d+)", response.headers["Location"]).group(1))


def count(app, model) -> int:
    with app.app_context():
        value = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
        return value


def make_run(app) -> int:
    from app.services.interfaces.imports import runs
    from app.services.interfaces.imports.base import Source

    with app.app_context():
        rennes = db.session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        with unit_of_work(db.session):
            run = runs.dry_run(
                db.session, rennes, "exams", Source("f.csv", EXAMPLE.read_bytes()), by_user_id=None
            )
        run_id = run.id
        db.session.remove()
    return run_id


@pytest.mark.parametrize("username", (None, *USERS))
def test_only_the_managers_open_the_imports(app, demo, username):
    run_id = make_run(app)
    client = app.test_client()
    if username:
        assert login(client, username).status_code == 302
    token = csrf_token(client.get("/login/" if username is None else "/").text)
    answers = [
        client.get(PAGE),
        client.get(f"{PAGE}{run_id}"),
        client.post(f"{PAGE}simuler", data={"csrf_token": token, "kind": "exams"}),
        client.post(f"{PAGE}{run_id}/appliquer", data={"csrf_token": token}),
    ]
    for response in answers:
        assert response.status_code < 500
        if username is None:
            assert response.status_code == 302 and "/login/" in response.headers["Location"]
        elif username != "gestionnaire":
            assert response.status_code == 403 and REFUSED in console(response.text)
    if username == "gestionnaire":
        assert answers[0].status_code == 200 and answers[1].status_code == 200
        assert answers[2].status_code == 422  # no file: the form says so
        assert answers[3].status_code == 302


def test_the_screen_lists_the_kinds_with_their_columns(manager):
    page = manager.get(PAGE)
    shown = text(page.text)
    assert "Référentiel des examens (CYCLADES)" in shown
    assert "nature;code_examen;code_specialite" in shown
    assert "Aucun import pour l'instant." in shown
    assert 'name="kind"' in page.text and 'type="file"' in page.text


def test_upload_dry_run_apply_as_a_job_then_the_history(app, manager, job_worker):
    exams_before = count(app, Exam)
    run_id = run_id_of(upload(manager, EXAMPLE.read_bytes()))
    assert count(app, Exam) == exams_before  # a dry run writes nothing
    page = manager.get(f"{PAGE}{run_id}")
    shown = text(page.text)
    assert "Simulation affichée" in shown
    assert "Ce que le fichier changerait" in shown
    assert "BTS / 31406 / E4-A" in shown and "Nouveaux" in shown
    assert "COMPTA&amp;GEST. DES ORGANISATIONS → COMPTABILITE" in page.text
    assert "Absents du fichier" in shown and "conservés" in shown
    assert "Importer sans les lignes refusées" not in shown  # no refusal
    assert re.search(r"<caption>Nouveaux : les 11 première\(s\) ligne\(s\)", page.text)

    token = csrf_token(page.text)
    response = manager.post(f"{PAGE}{run_id}/appliquer", data={"csrf_token": token})
    assert response.status_code == 302
    job_id = int(re.fullmatch(r".*/traitements/(\d+)", response.headers["Location"]).group(1))
    row = job_worker.wait_for(job_id)
    assert row["state"] is JobState.DONE, row["message"]
    # (23 absent: with the DCG and DSCG of the demo, app/seeds/demo_dcs.py)
    assert row["message"] == (
        "13 ligne(s) lue(s) : 11 nouveau(x), 1 modifié(s), 1 inchangé(s), 23 absent(s) du fichier."
    )
    assert count(app, Exam) == exams_before + 1
    job_page = text(manager.get(f"/traitements/{job_id}").text)
    assert "Import d'un fichier" in job_page and "Terminé" in job_page

    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        assert run.state is ImportState.APPLIED and run.data is None
        assert run.counts["new"] == 11
        db.session.remove()
    history = text(manager.get(PAGE).text)
    assert "cyclades.csv" in history and "Appliqué" in history
    assert "Gestionnaire" in history or "gestionnaire" in history.lower()
    # Applied once: a second « Appliquer » is refused.
    again = manager.post(f"{PAGE}{run_id}/appliquer", data={"csrf_token": token})
    assert again.status_code == 302
    assert "Cet import ne peut pas être appliqué (état : Appliqué)." in console(
        manager.get(f"{PAGE}{run_id}").text
    )


def test_refused_lines_need_the_choice_to_skip_them(app, manager, job_worker):
    data = (
        HEADER + "\nEXAMEN;X1;;;;PREMIER;;;;;;;;;;;\nEPREUVE;X1;S9;E1;;ORPHELINE;;;;;;;;;;;\n"
    ).encode()
    run_id = run_id_of(upload(manager, data))
    page = manager.get(f"{PAGE}{run_id}")
    shown = text(page.text)
    assert "Importer sans les lignes refusées" in shown
    refusals = re.search(r'<table[^>]*id="refusals".*?</table>', page.text, re.S).group(0)
    assert '<th scope="col">Ligne</th>' in refusals and "S9" in refusals
    assert "spécialité inconnue pour cet examen" in refusals

    token = csrf_token(page.text)
    refused = manager.post(f"{PAGE}{run_id}/appliquer", data={"csrf_token": token})
    assert refused.status_code == 302
    assert "cochez « Importer sans les lignes refusées »" in " ".join(
        console(manager.get(f"{PAGE}{run_id}").text)
    )
    assert count(app, Exam) == count(app, Exam)  # nothing started
    response = manager.post(
        f"{PAGE}{run_id}/appliquer", data={"csrf_token": token, "skip_refused": "1"}
    )
    job_id = int(re.fullmatch(r".*/traitements/(\d+)", response.headers["Location"]).group(1))
    row = job_worker.wait_for(job_id)
    assert row["state"] is JobState.DONE
    assert "1 ligne(s) refusée(s) écartée(s)." in row["message"]
    with app.app_context():
        assert db.session.scalar(select(Exam).where(Exam.code == "X1")) is not None
        assert db.session.scalar(select(Paper).where(Paper.code == "E1")) is None
        db.session.remove()


def test_a_file_that_cannot_be_read_is_refused_next_to_the_field_and_recorded(app, manager):
    response = upload(manager, "code,libelle\n".encode("utf-16"), name="export.csv")
    assert response.status_code == 422
    assert "n'est ni en UTF-8 ni en Windows-1252" in text(response.text)
    assert 'aria-invalid="true"' in response.text
    with app.app_context():
        run = db.session.scalar(select(ImportRun))
        assert run.state is ImportState.REFUSED and run.file_name == "export.csv"
        db.session.remove()
    assert "Refusé" in text(manager.get(PAGE).text)


def test_a_wrong_extension_or_no_file_is_refused(manager):
    response = upload(manager, b"<xml/>", name="export.xml")
    assert response.status_code == 422
    assert "n'est pas un fichier .csv" in text(response.text)
    token = csrf_token(manager.get(PAGE).text)
    response = manager.post(f"{PAGE}simuler", data={"csrf_token": token, "kind": "exams"})
    assert response.status_code == 422
    assert "Choisissez le fichier à importer." in text(response.text)


def test_fifty_megabytes_of_garbage_get_a_french_message(manager):
    garbage = bytes(range(256)) * (50 * 1024 * 1024 // 256)
    response = upload(manager, garbage, name="enorme.csv")
    assert response.status_code == 413
    assert (
        "Le fichier envoyé est trop volumineux : un import accepte un fichier de 40 Mo au plus."
        in console(response.text)
    )


def test_a_file_between_the_global_limit_and_the_import_limit_is_read(app, manager):
    # Over MAX_CONTENT_LENGTH (6 MB), under the import's limit: read, then refused for
    # what it is (not CSV), and more than 2 MB: its dry run would be a job.
    assert app.config["MAX_CONTENT_LENGTH"] < 7 * 1024 * 1024
    response = upload(manager, b"\x00" * (7 * 1024 * 1024), name="gros.csv")
    assert response.status_code == 422
    assert "n'est pas un fichier texte" in text(response.text)


def test_a_large_file_is_dry_run_by_a_job(app, manager, job_worker):
    centres = "".join(f"CENTRE;;;;;LYCEE {n};;;;;0350029S;LGT;;35000;RENNES;;\n" for n in range(1))
    padding = "EXAMEN;BTS;;;;BREVET DE TECHNICIEN SUPERIEUR;BTS;;;;;;;;;;\n"
    lines = centres + padding * (2 * 1024 * 1024 // len(padding) + 10)
    run_id = run_id_of(upload(manager, (HEADER + "\n" + lines).encode()))
    page = text(manager.get(f"{PAGE}{run_id}").text)
    assert "Simulation en cours" in page
    with app.app_context():
        job_id = db.session.get(ImportRun, run_id).job_id
        db.session.remove()
    row = job_worker.wait_for(job_id)
    assert row["state"] is JobState.DONE
    page = text(manager.get(f"{PAGE}{run_id}").text)
    assert "Simulation affichée" in page
    assert "clé en double : déjà à la ligne 3" in page


def test_another_academys_import_is_not_found(app, manager):
    run_id = make_run(app)
    with app.app_context():
        other = Academy(code="AUTRE", name="Autre")
        db.session.add(other)
        db.session.flush()
        db.session.get(ImportRun, run_id).academy_id = other.id
        db.session.commit()
        db.session.remove()
    assert manager.get(f"{PAGE}{run_id}").status_code == 404
    token = csrf_token(manager.get(PAGE).text)
    assert manager.post(f"{PAGE}{run_id}/appliquer", data={"csrf_token": token}).status_code == 404


def test_each_kind_says_its_file_as_text(manager):
    """The STS-WEB file's name pattern reads « STS_EMP_<UAI>_<ANNEE>.xml » (a lazy
    translation is escaped like any text, not taken as markup)."""
    page = manager.get(PAGE)
    assert "STS_EMP_&lt;UAI&gt;_&lt;ANNEE&gt;.xml" in page.text
    assert "STS_EMP_<UAI>" not in page.text


def test_a_lazy_message_with_a_value_in_it_is_escaped(app):
    from flask import render_template_string
    from flask_babel import lazy_gettext

    with app.test_request_context():
        message = lazy_gettext("The file « %(name)s » is empty.", name="<b>x</b>.csv")
        assert render_template_string("{{ m }}", m=message) == (
            "Le fichier « &lt;b&gt;x&lt;/b&gt;.csv » est vide."
        )


def test_the_screen_offers_the_communes_of_la_poste(app, manager):
    page = manager.get(PAGE)
    shown = text(page.text)
    assert "Communes et codes postaux (La Poste)" in shown
    assert "La « base officielle des codes postaux » de La Poste (data.gouv.fr)" in shown
    assert "code_commune_insee;nom_de_la_commune;code_postal" in shown
    assert 'value="communes"' in page.text
    laposte = EXAMPLE.with_name("laposte-codes-postaux.csv").read_bytes()
    run_id = run_id_of(upload(manager, laposte, name="laposte.csv", kind="communes"))
    shown = text(manager.get(f"{PAGE}{run_id}").text)
    # The demo has loaded this very file: everything is unchanged.
    assert "Simulation affichée" in shown and "Communes absentes du fichier : conservées" in shown
    with app.app_context():
        assert db.session.get(ImportRun, run_id).counts["unchanged"] == 34
        db.session.remove()
