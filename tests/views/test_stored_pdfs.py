"""Documents rendered once and stored (issue 14 §3), as users meet them: the recap PDF
of a claim is rendered by a job when the agent validates it, and again only when what
it shows changes (a send-back and a new validation, a manager's amount, any other
change); the convocation PDF is rendered when the manager convokes; every download
serves the stored file, without rendering it again. Real jobs, run by a real worker,
on the SQLite queue and on Redis."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app import pdf
from app.extensions import db
from app.jobs.queue import job_queue
from app.services.claims import recap
from app.services.documents import store
from app.services.missions import documents as mission_documents
from models import Agent, Assignment, ExpenseClaim, Job, StoredDocument, User
from models.enums import DocumentKind, JobState
from tests.conftest import JobWorker, csrf_token, login
from tests.jobs.test_jobs import backend  # noqa: F401 - the queue fixture (SQLite, Redis)
from tests.views.helpers import console
from tests.views.test_claims import accept, assignment_id, claim_id
from tests.views.test_convocation import HOME, mission_id

RECAP = DocumentKind.CLAIM_RECAP
CONVOCATION = DocumentKind.CONVOCATION
MANAGER_CLAIMS = "/traitement-etats-de-frais/"


@pytest.fixture
def renders(monkeypatch):
    """Every PDF rendered (xhtml2pdf), by the web or by a worker, while the test runs."""
    done = []
    real = pdf.html_to_pdf

    def counted(html, name="document"):
        done.append(name)
        return real(html, name)

    monkeypatch.setattr(pdf, "html_to_pdf", counted)
    return done


def signed_in(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    if username == "enseignant":
        accept(client)
    return client


def post(client, page, url, data=None):
    token = csrf_token(client.get(page).text)
    response = client.post(url, data={"csrf_token": token, **(data or {})})
    assert response.status_code == 302, url
    return response


def stored(app, kind, owner_id):
    """The stored document as committed (another connection's view), or None."""
    with app.app_context(), db.engine.connect() as connection:
        row = connection.execute(
            select(StoredDocument.__table__).where(
                StoredDocument.kind == kind, StoredDocument.owner_id == owner_id
            )
        ).one_or_none()
    return None if row is None else row._asdict()


def document_jobs(app) -> list[dict]:
    with app.app_context(), db.engine.connect() as connection:
        rows = connection.execute(
            select(Job.__table__).where(Job.kind == store.JOB_KIND).order_by(Job.id)
        ).all()
    return [row._asdict() for row in rows]


def run_jobs(app, jobs: list[dict]) -> list[dict]:
    """Start a worker, wait for these jobs, stop it; their rows once finished. The
    queue holds these jobs only: tasks other tests left there name job ids the
    database gives again (it is emptied between tests)."""
    queue = job_queue(app)
    queue.huey.flush()
    for job in jobs:
        queue.enqueue(job["id"])
    with JobWorker(app, flush=False) as worker:
        return [worker.wait_for(job["id"]) for job in jobs]


def pdf_text(data: bytes) -> str:
    content = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(content.split())


def download_recap(client, claim):
    response = client.get(f"/etats-de-frais/{claim}/recapitulatif.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.data.startswith(b"%PDF")
    return response.data


def revalidate(teacher, claim):
    """The agent takes her validated claim back ("Dévalider") and validates it again."""
    page = f"/etats-de-frais/{claim}/suivi"
    post(teacher, page, f"/etats-de-frais/{claim}/devalider")
    post(teacher, page, f"/etats-de-frais/{claim}/valider")


@pytest.fixture
def validated(app, demo):
    """Claire LECLERC's validated claim of mission 77508 (correction de copies)."""
    return claim_id(app, "LECLERC", 77508)


@pytest.mark.usefixtures("backend")
def test_the_recap_is_rendered_by_a_job_at_validation_and_served_as_stored(app, validated, renders):
    teacher = signed_in(app, "enseignant")
    revalidate(teacher, validated)
    # One job for the académie (the two changes were asked while it waited), not run yet.
    jobs = document_jobs(app)
    assert [job["state"] for job in jobs] == [JobState.QUEUED]
    asked = stored(app, RECAP, validated)
    assert asked["requested_at"] is not None and asked["content"] is None

    (job,) = run_jobs(app, jobs)
    assert job["state"] is JobState.DONE
    assert job["message"] == "1 document(s) PDF préparé(s), 0 inchangé(s)."
    with app.app_context():
        teacher_id = db.session.scalar(select(User.id).where(User.username == "enseignant"))
    assert job["started_by_id"] == teacher_id  # "Lancé par" on Traitements en cours
    assert renders == ["imagin/pdf/claim_recap.html"]
    kept = stored(app, RECAP, validated)
    assert kept["content"].startswith(b"%PDF") and kept["requested_at"] is None
    assert kept["size_bytes"] == len(kept["content"])

    # The agent downloads it twice: the stored file, never rendered again.
    assert download_recap(teacher, validated) == kept["content"]
    assert download_recap(teacher, validated) == kept["content"]
    assert renders == ["imagin/pdf/claim_recap.html"]
    assert stored(app, RECAP, validated)["rendered_at"] == kept["rendered_at"]
    with app.app_context():
        number = db.session.get(ExpenseClaim, validated).number
    assert number in pdf_text(kept["content"])


def test_the_recap_is_rendered_again_after_a_send_back_and_a_new_validation(
    app, validated, renders
):
    teacher = signed_in(app, "enseignant")
    first = download_recap(teacher, validated)  # nothing stored yet: rendered now, stored
    assert len(renders) == 1
    before = stored(app, RECAP, validated)
    assert before["content"] == first

    manager = signed_in(app, "gestionnaire")
    post(
        manager,
        MANAGER_CLAIMS,
        f"{MANAGER_CLAIMS}{validated}/renvoyer",
        {"message": "Le nombre de copies est faux."},
    )
    page = f"/etats-de-frais/{validated}/remuneration"
    post(teacher, page, page, {"copies": "37"})
    post(teacher, page, f"/etats-de-frais/{validated}/valider")
    jobs = document_jobs(app)
    assert len(jobs) == 1  # asked at the send-back, still waiting at the validation
    (job,) = run_jobs(app, jobs)
    assert job["state"] is JobState.DONE
    assert len(renders) == 2
    after = stored(app, RECAP, validated)
    assert after["fingerprint"] != before["fingerprint"]
    assert after["rendered_at"] > before["rendered_at"]
    assert "Nombre de copies : 37" in pdf_text(after["content"])
    assert "Nombre de copies : 14" in pdf_text(before["content"])
    assert download_recap(teacher, validated) == after["content"]
    assert len(renders) == 2


def test_a_managers_amount_renders_the_recap_again_and_an_unchanged_one_does_not(
    app, validated, renders
):
    teacher = signed_in(app, "enseignant")
    download_recap(teacher, validated)
    assert len(renders) == 1
    manager = signed_in(app, "gestionnaire")
    page = f"{MANAGER_CLAIMS}{validated}"
    post(manager, page, f"{page}/remuneration", {"amount": "123,45", "comment": "Barème"})
    (job,) = run_jobs(app, document_jobs(app))
    assert job["message"] == "1 document(s) PDF préparé(s), 0 inchangé(s)."
    assert "123,45" in pdf_text(download_recap(teacher, validated))
    assert len(renders) == 2
    rendered_at = stored(app, RECAP, validated)["rendered_at"]

    # The same amount again: the job finds the recap unchanged and renders nothing.
    post(manager, page, f"{page}/remuneration", {"amount": "123,45", "comment": "Barème"})
    jobs = document_jobs(app)
    assert len(jobs) == 2
    assert run_jobs(app, jobs[1:])[0]["message"] == ("0 document(s) PDF préparé(s), 1 inchangé(s).")
    assert len(renders) == 2
    assert stored(app, RECAP, validated)["rendered_at"] == rendered_at


def test_the_manager_downloads_the_same_stored_recap(app, validated, renders):
    teacher = signed_in(app, "enseignant")
    agents = download_recap(teacher, validated)
    manager = signed_in(app, "gestionnaire")
    page = manager.get(f"{MANAGER_CLAIMS}{validated}")
    link = f"{MANAGER_CLAIMS}{validated}/recapitulatif.pdf"
    assert f'href="{link}"' in page.text and "Récapitulatif PDF" in page.text
    response = manager.get(link)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert response.data == agents
    assert len(renders) == 1


def test_the_manager_is_told_in_french_when_a_claim_has_no_recap_yet(app, demo, renders):
    claim = claim_id(app, "LECLERC", 52525)
    manager = signed_in(app, "gestionnaire")
    response = manager.get(f"{MANAGER_CLAIMS}{claim}/recapitulatif.pdf", follow_redirects=True)
    assert response.status_code == 200
    assert "Le récapitulatif PDF est disponible une fois l'état de frais validé." in console(
        response.text
    )
    assert f"{MANAGER_CLAIMS}{claim}/recapitulatif.pdf" not in response.text
    assert renders == []


def test_a_recap_never_rendered_is_rendered_at_the_first_download_then_stored(app, demo, renders):
    claim = claim_id(app, "LECLERC", 77742)  # validated by the demo, never rendered
    assert stored(app, RECAP, claim) is None
    teacher = signed_in(app, "enseignant")
    first = download_recap(teacher, claim)
    assert len(renders) == 1
    kept = stored(app, RECAP, claim)
    assert kept["content"] == first and kept["rendered_at"] is not None
    assert download_recap(teacher, claim) == first
    assert len(renders) == 1
    assert stored(app, RECAP, claim)["rendered_at"] == kept["rendered_at"]


def test_a_change_made_anywhere_else_is_in_the_next_download(app, validated, renders):
    """The agent's address changes after the validation (personal data, an import):
    the stored recap no longer says what the recap says, so the download renders it
    again instead of serving an outdated file."""
    teacher = signed_in(app, "enseignant")
    assert "12 rue des Essais" not in pdf_text(download_recap(teacher, validated))
    with app.app_context():
        claim = db.session.get(ExpenseClaim, validated)
        claim.assignment.agent.address_line1 = "12 rue des Essais"
        db.session.commit()
    assert "12 rue des Essais" in pdf_text(download_recap(teacher, validated))
    assert len(renders) == 2
    download_recap(teacher, validated)
    assert len(renders) == 2


def test_the_pdf_summary_of_a_claim_never_validated_is_refused_in_french(app, demo, renders):
    claim = claim_id(app, "LECLERC", 52525)
    teacher = signed_in(app, "enseignant")
    response = teacher.get(f"/etats-de-frais/{claim}/recapitulatif.pdf", follow_redirects=True)
    assert "Le récapitulatif PDF est disponible une fois l'état de frais validé." in console(
        response.text
    )
    assert renders == [] and stored(app, RECAP, claim) is None


@pytest.mark.usefixtures("backend")
def test_the_convocations_are_rendered_by_one_job_when_the_manager_convokes(app, demo, renders):
    manager = signed_in(app, "gestionnaire")
    mission = mission_id(app, 77286)  # travaux administratifs, no paper: any free agent
    page = manager.get(f"{HOME}{mission}").text
    candidates = re.findall(r'name="agent_id" value="(\d+)"', page)[:2]
    assert len(candidates) == 2
    token = csrf_token(page)
    response = manager.post(
        f"{HOME}{mission}/convoquer",
        data={"csrf_token": token, "agent_id": candidates, "quality": "INVIGILATOR"},
    )
    assert response.status_code == 302
    with app.app_context():
        assignments = list(
            db.session.scalars(
                select(Assignment.id).where(
                    Assignment.mission_id == mission,
                    Assignment.agent_id.in_([int(c) for c in candidates]),
                )
            )
        )
    assert len(assignments) == 2
    jobs = document_jobs(app)
    assert len(jobs) == 1
    (job,) = run_jobs(app, jobs)
    assert job["message"] == "2 document(s) PDF préparé(s), 0 inchangé(s)."
    assert renders == ["imagin/pdf/convocation.html"] * 2

    for assignment in assignments:
        kept = stored(app, CONVOCATION, assignment)
        assert kept["content"].startswith(b"%PDF")
        response = manager.get(f"{HOME}{mission}/convocation/{assignment}.pdf")
        assert response.status_code == 200 and response.data == kept["content"]
        assert "Convocation (duplicata)" in pdf_text(response.data)
        # What the mail of the convocation attaches: the same stored bytes.
        with app.app_context():
            row = db.session.get(Assignment, assignment)
            assert mission_documents.convocation_pdf(db.session, row) == kept["content"]
    assert len(renders) == 2


def test_the_agent_downloads_the_stored_convocation(app, demo, renders):
    assignment = assignment_id(app, "LECLERC", 52525)
    teacher = signed_in(app, "enseignant")
    first = teacher.get(f"/missions/{assignment}/convocation.pdf")
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    assert stored(app, CONVOCATION, assignment)["content"] == first.data
    manager = signed_in(app, "gestionnaire")
    with app.app_context():
        mission = db.session.get(Assignment, assignment).mission_id
    again = manager.get(f"{HOME}{mission}/convocation/{assignment}.pdf")
    assert again.data == first.data
    assert teacher.get(f"/missions/{assignment}/convocation.pdf").data == first.data
    assert len(renders) == 1


def test_a_document_stored_by_another_worker_meanwhile_is_no_error(app, demo, monkeypatch):
    """Two hosts render the same document at the same moment: the second one's store
    finds the first one's row; its user gets the PDF all the same, one row is kept."""
    claim = claim_id(app, "LECLERC", 77742)
    real = pdf.html_to_pdf

    def another_worker_first(html, name="document"):
        content = real(html, name)
        with db.engine.begin() as connection:
            connection.execute(
                StoredDocument.__table__.insert().values(
                    kind=RECAP.name,
                    owner_id=claim,
                    academy_id=academy,
                    fingerprint=store.fingerprint(html),
                    content=content,
                    size_bytes=len(content),
                )
            )
        return content

    monkeypatch.setattr(pdf, "html_to_pdf", another_worker_first)
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        academy = row.assignment.mission.academy_id
        content = recap.recap_pdf(db.session, row)
        db.session.commit()
        assert content.startswith(b"%PDF")
        count = select(func.count()).where(
            StoredDocument.kind == RECAP, StoredDocument.owner_id == claim
        )
        assert db.session.scalar(count) == 1


def test_each_job_renders_only_the_documents_of_its_academy(app, demo, renders):
    """A document asked in one académie is rendered by that académie's job: the job
    of another académie (another manager's "Traitements en cours") finds nothing."""
    from app.services.documents import rendering
    from app.transaction import unit_of_work
    from models import Academy

    claim = claim_id(app, "LECLERC", 77508)
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        own = row.assignment.mission.academy_id
        other = db.session.scalar(select(Academy.id).where(Academy.id != own).limit(1))
        assert other is not None
        with unit_of_work(db.session):
            store.recap_changed(db.session, row)
        assert rendering.requested_ids(db.session, other) == []
        (document,) = rendering.requested_ids(db.session, own)
        with unit_of_work(db.session):
            assert rendering.render_one(db.session, document) is True
        # Done: asked no more, a second worker finds nothing to do.
        with unit_of_work(db.session):
            assert rendering.render_one(db.session, document) is False
    assert len(renders) == 1
    assert stored(app, RECAP, claim)["requested_at"] is None


def test_the_download_works_for_an_agent_reading_in_english(app, validated, renders):
    """The document is the administration's, in French, whoever downloads it: an agent
    who reads the portal in English gets the same stored file."""
    teacher = signed_in(app, "enseignant")
    french = download_recap(teacher, validated)
    with teacher.session_transaction() as browser_session:
        browser_session["locale"] = "en"
    assert "Summary" in teacher.get(f"/etats-de-frais/{validated}/recapitulatif").text
    assert download_recap(teacher, validated) == french
    assert len(renders) == 1
    with app.app_context():
        agent = db.session.scalar(select(Agent).where(Agent.last_name == "LECLERC"))
        assert agent.last_name in pdf_text(french).upper()


def test_a_changed_address_renders_the_agents_recaps_again(app, validated, renders):
    """The contact details change (``update_contact``: the agent's "Informations
    personnelles", where the service opens it): her recaps print her address, so a
    job renders each of them again; saved unchanged, nothing is asked."""
    from app.services.people import directory
    from app.transaction import unit_of_work

    teacher = signed_in(app, "enseignant")
    download_recap(teacher, validated)
    assert len(renders) == 1
    with app.app_context(), unit_of_work(db.session):
        agent = db.session.get(ExpenseClaim, validated).assignment.agent
        recaps = db.session.scalar(
            select(func.count())
            .select_from(ExpenseClaim)
            .join(Assignment)
            .where(Assignment.agent_id == agent.id, ExpenseClaim.number.is_not(None))
        )
        directory.update_contact(db.session, agent, {"address_line1": "5 rue des Essais"})
    (job,) = run_jobs(app, document_jobs(app))
    # Every recap of hers: the one stored before and the ones never rendered yet.
    assert recaps >= 2
    assert job["message"] == f"{recaps} document(s) PDF préparé(s), 0 inchangé(s)."
    assert len(renders) == 1 + recaps
    assert "5 rue des Essais" in pdf_text(download_recap(teacher, validated))
    assert len(renders) == 1 + recaps
    with app.app_context(), unit_of_work(db.session):
        agent = db.session.get(ExpenseClaim, validated).assignment.agent
        directory.update_contact(db.session, agent, {"address_line1": "5 rue des Essais"})
    assert len(document_jobs(app)) == 1


def ask_for_every_recap_of_leclerc(app) -> int:
    """Her address changes: each of her recaps is asked for; how many."""
    from app.services.people import directory
    from app.transaction import unit_of_work

    with app.app_context(), unit_of_work(db.session):
        agent = db.session.scalar(select(Agent).where(Agent.last_name == "LECLERC"))
        directory.update_contact(db.session, agent, {"address_line1": "7 rue des Reprises"})
    with app.app_context(), db.engine.connect() as connection:
        return connection.scalar(
            select(func.count()).where(StoredDocument.requested_at.is_not(None))
        )


def test_a_job_stopped_by_a_transient_error_keeps_what_it_rendered(app, demo, monkeypatch):
    """The database goes away at the third document: the two rendered are kept, the
    job is tried again and renders only the others."""
    from sqlalchemy.exc import OperationalError

    asked = ask_for_every_recap_of_leclerc(app)
    assert asked >= 3
    real, calls = pdf.html_to_pdf, []

    def flaky(html, name="document"):
        calls.append(name)
        if len(calls) == 3:
            raise OperationalError("SELECT 1", {}, ConnectionError("server closed"))
        return real(html, name)

    monkeypatch.setattr(pdf, "html_to_pdf", flaky)
    (job,) = run_jobs(app, document_jobs(app))
    assert job["state"] is JobState.DONE and job["attempts"] == 2
    assert job["message"] == f"{asked - 2} document(s) PDF préparé(s), 0 inchangé(s)."
    assert len(calls) == asked + 1  # each once, and the third one twice
    with app.app_context(), db.engine.connect() as connection:
        rows = connection.execute(
            select(StoredDocument.requested_at, StoredDocument.size_bytes)
        ).all()
    assert len(rows) == asked and all(r.requested_at is None and r.size_bytes for r in rows)


def test_a_document_that_cannot_be_rendered_does_not_stop_the_others(app, demo, monkeypatch):
    asked = ask_for_every_recap_of_leclerc(app)
    real, calls = pdf.html_to_pdf, []

    def broken_once(html, name="document"):
        calls.append(name)
        if len(calls) == 1:
            raise pdf.PdfError("1 error(s) while rendering")
        return real(html, name)

    monkeypatch.setattr(pdf, "html_to_pdf", broken_once)
    (job,) = run_jobs(app, document_jobs(app))
    assert job["state"] is JobState.DONE
    assert job["message"] == (
        f"{asked - 1} document(s) PDF préparé(s), 0 inchangé(s). 1 document(s) non "
        "préparé(s) (l'administrateur peut consulter le journal)."
    )
    with app.app_context(), db.engine.connect() as connection:
        still_asked = connection.scalar(
            select(func.count()).where(StoredDocument.requested_at.is_not(None))
        )
    assert still_asked == 1  # the next job, or its download, renders it
