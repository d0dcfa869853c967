"""Saisie état de frais mission and Consultation missions, as the agent sees them:
conditions, list and statuses, tabs, errors in French next to the fields, documents,
validation, the PDF, and nobody else's claim by any URL."""

import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.services.portal import messages
from models import (
    Agent,
    Assignment,
    ClaimStatusHistory,
    ConditionsAcceptance,
    ExpenseClaim,
    Mission,
    SupportingDocument,
    User,
)
from models.enums import ClaimStatus, MessageKind, Service
from tests.conftest import csrf_token, logout
from tests.views.helpers import console, text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def claim_id(app, last_name, number):
    with app.app_context():
        return db.session.scalar(
            select(ExpenseClaim.id)
            .join(Assignment)
            .join(Mission)
            .join(Agent)
            .where(Agent.last_name == last_name, Mission.number == number)
        )


def assignment_id(app, last_name, number):
    with app.app_context():
        return db.session.scalar(
            select(Assignment.id)
            .join(Mission)
            .join(Agent)
            .where(Agent.last_name == last_name, Mission.number == number)
        )


def accept(client):
    page = client.get("/etats-de-frais/")
    match = re.search(r'name="version" value="(\d+)"', page.text)
    if match is None:
        return
    client.post(
        "/etats-de-frais/conditions",
        data={"csrf_token": csrf_token(page.text), "accept": "y", "version": match.group(1)},
    )


def post(client, url, data=None, **kwargs):
    token = csrf_token(client.get("/etats-de-frais/").text)
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


@pytest.fixture
def teacher(log_in, demo):
    client = log_in("enseignant")
    accept(client)
    return client


def list_rows(html):
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return [
        [text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


# --- Conditions of use ---------------------------------------------------------------


def test_the_conditions_come_first_and_their_acceptance_is_recorded(app, log_in, demo):
    client = log_in("enseignant")
    page = client.get("/etats-de-frais/")
    assert "J'ai lu et j'accepte les conditions relatives à l'utilisation du service" in page.text
    assert "LES FRAIS D'AUTOROUTE NE SONT PAS REMBOURSES" in page.text
    claim = claim_id(app, "LECLERC", 86373)
    assert client.get(f"/etats-de-frais/{claim}/suivi").status_code == 302
    # Without the box ticked: refused, nothing recorded.
    refused = client.post(
        "/etats-de-frais/conditions",
        data={"csrf_token": csrf_token(page.text), "version": "1"},
        follow_redirects=True,
    )
    assert "Cochez la case" in " ".join(console(refused.text))
    accept(client)
    listing = client.get("/etats-de-frais/")
    assert "Liste des missions" in listing.text
    with app.app_context():
        row = db.session.scalar(select(ConditionsAcceptance))
        user = db.session.scalar(select(User).where(User.username == "enseignant"))
        assert (row.user_id, row.service, row.version) == (user.id, Service.TEACHER, 1)
        assert "AUTOROUTE" in row.text and row.accepted_at is not None
        # A new version of the text asks again.
        messages.save_message(
            db.session,
            Service.TEACHER,
            MessageKind.CONDITIONS,
            "Nouvelles conditions.",
            by_user_id=None,
        )
        db.session.commit()  # the request's commit
    again = client.get("/etats-de-frais/")
    assert "Nouvelles conditions." in again.text
    assert 'name="accept"' in again.text


def test_a_post_before_accepting_the_conditions_is_refused(app, log_in, demo):
    client = log_in("enseignant")
    claim = claim_id(app, "LECLERC", 86373)
    assert post(client, f"/etats-de-frais/{claim}/completer").status_code == 403


# --- List ------------------------------------------------------------------------------


def test_the_list_shows_the_seed_columns_and_the_date_derived_statuses(teacher):
    page = teacher.get("/etats-de-frais/")
    for header in (
        "Examen",
        "Type de mission",
        "N° de mission",
        "Début de mission",
        "Centre d'examen",
        "Statut frais de rémunération",
        "Statut frais de déplacement",
    ):
        assert header in page.text
    rows = {row[2]: row for row in list_rows(page.text)}
    assert rows["86373"][5:] == ["Non validé", "Non validé"]
    assert rows["77824"][5] == "Mission non effectuée"  # in the future
    assert rows["99685"][5] == "Mission en cours"  # yesterday to tomorrow
    assert rows["52531"][6] == "Invalidable"  # second mission of that day
    assert rows["77508"][5] == "Validé"
    assert rows["77842"][5] == "Annulé"
    assert rows["69163"][5] == "Traité par le gestionnaire"
    assert rows["77286"][5] == "A traiter par le gestionnaire"


def test_a_cancelled_claim_is_not_accessible(app, teacher):
    claim = claim_id(app, "LECLERC", 77842)
    page = teacher.get(f"/etats-de-frais/{claim}/suivi", follow_redirects=True)
    assert "annulé par le gestionnaire" in " ".join(console(page.text))


def test_a_future_mission_shows_no_entry(app, teacher):
    claim = claim_id(app, "LECLERC", 77824)
    page = teacher.get(f"/etats-de-frais/{claim}/suivi")
    assert "La mission est à venir" in page.text
    assert "Je souhaite compléter" not in page.text
    refused = post(teacher, f"/etats-de-frais/{claim}/completer", follow_redirects=True)
    assert "pas encore commencé" in " ".join(console(refused.text))


def test_the_header_shows_the_mission_as_in_the_seed(app, teacher):
    page = teacher.get(f"/etats-de-frais/{claim_id(app, 'LECLERC', 52525)}/suivi")
    seen = text(page.text)
    assert "Mission N° 52525" in seen
    assert "BREVET DE TECHNICIEN SUPERIEUR" in seen
    assert "ORAUX PROFESSIONNELS" in seen
    assert "LGT JOSEPH LOTH PONTIVY CEDEX" in seen
    assert "E4-A, GESTION RELATION CLIENT" in seen
    assert re.search(r"Le (lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d\d/", seen)
    assert "Durée : 1 demi-journée(s)" in seen
    assert "Je n'ai pas effectué cette mission" in seen
    assert "Je souhaite compléter l'état de frais" in seen


def test_a_mission_without_fee_entry_says_the_manager_handles_it(app, teacher):
    page = teacher.get(f"/etats-de-frais/{claim_id(app, 'LECLERC', 77286)}/suivi")
    assert (
        "Vous n'avez pas à saisir de frais de rémunération, il doit être traité par le "
        "gestionnaire." in text(page.text)
    )


# --- The wizard ----------------------------------------------------------------------------


def start(client, claim):
    return post(client, f"/etats-de-frais/{claim}/completer")


def test_not_done_needs_a_confirmation_and_the_manager_sees_it(app, teacher):
    claim = claim_id(app, "LECLERC", 86373)
    unconfirmed = post(teacher, f"/etats-de-frais/{claim}/non-effectuee", follow_redirects=True)
    assert "Confirmez" in " ".join(console(unconfirmed.text))
    page = post(
        teacher,
        f"/etats-de-frais/{claim}/non-effectuee",
        {"confirm": "y"},
        follow_redirects=True,
    )
    assert "gestionnaire est informé" in " ".join(console(page.text))
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        assert row.not_done_declared_at is not None
        assert (row.fee_status, row.travel_status) == (ClaimStatus.NO_FEE, ClaimStatus.NO_FEE)


def test_the_tabs_of_a_copies_claim_and_the_order_of_steps(app, teacher):
    claim = claim_id(app, "LECLERC", 86373)
    # Before "Je souhaite compléter…", the other tabs are not reachable.
    early = teacher.get(f"/etats-de-frais/{claim}/remuneration", follow_redirects=True)
    assert "Je souhaite compléter" in " ".join(console(early.text))
    # A travel POST before the fee tab is complete is refused.
    assert start(teacher, claim).headers["Location"].endswith("/remuneration")
    legs = teacher.get(f"/etats-de-frais/{claim}/deplacement")
    leg_id = re.search(r"/deplacement/ligne/(\d+)", legs.text).group(1)
    refused = post(
        teacher,
        f"/etats-de-frais/{claim}/deplacement/ligne/{leg_id}",
        {"transport_mode": "CAR"},
        follow_redirects=True,
    )
    assert "Complétez d'abord l'onglet" in " ".join(console(refused.text))
    page = teacher.get(f"/etats-de-frais/{claim}/remuneration")
    for label in ("Suivi", "Frais rémunération", "Frais déplacement", "Récapitulatif"):
        assert f">{label}</a>" in page.text
    assert "Etape Précédente" in page.text and "Etape Suivante" in page.text


def test_a_wrong_entry_keeps_what_was_typed_with_french_messages(app, teacher):
    claim = claim_id(app, "LECLERC", 86373)
    start(teacher, claim)
    page = post(teacher, f"/etats-de-frais/{claim}/remuneration", {"copies": "douze"})
    assert page.status_code == 422
    assert 'value="douze"' in page.text
    assert "Saisissez un nombre entier." in page.text
    post(teacher, f"/etats-de-frais/{claim}/remuneration", {"copies": "14"})
    legs = teacher.get(f"/etats-de-frais/{claim}/deplacement")
    leg_id = re.search(r"/deplacement/ligne/(\d+)", legs.text).group(1)
    form = {
        "departure_postcode": "35134",
        "departure_date": "",
        "departure_time": "08:00",
        "arrival_town": "Rennes",
        "arrival_postcode": "35042",
        "return_date": "",
        "return_time": "20:00",
        "transport_mode": "CAR",
        "km_one_way": "35",
        "trips": "2",
        "misc_amount": "20",
        "misc_comment": "",
    }
    page = post(teacher, f"/etats-de-frais/{claim}/deplacement/ligne/{leg_id}", form)
    assert page.status_code == 422
    seen = text(page.text)
    assert "Ce champ est obligatoire." in seen
    assert "péage" in seen or "Précisez" in seen  # the comment of the frais divers
    assert 'value="35"' in page.text and 'value="Rennes"' in page.text
    # The departure town of the first line is the agent's home town, not editable.
    assert re.search(r'id="f-departure_town" value="THOURIE" readonly', page.text)


def test_the_full_journey_gives_a_number_and_a_pdf(app, log_in, demo):
    client = log_in("EXT35000123")
    accept(client)
    claim = claim_id(app, "LE GALL", 86373)
    start(client, claim)
    post(client, f"/etats-de-frais/{claim}/remuneration", {"copies": "14"})
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        leg = row.travel_legs[0]
        leg_id, day = leg.id, leg.departure_date.isoformat()
        assert leg.departure_town == "CORMELLES LE ROYAL" and leg.arrival_town == "RENNES"
    saved = post(
        client,
        f"/etats-de-frais/{claim}/deplacement/ligne/{leg_id}",
        {
            "departure_postcode": "14123",
            "departure_date": day,
            "departure_time": "07:00",
            "arrival_town": "RENNES",
            "arrival_postcode": "35042",
            "return_date": day,
            "return_time": "19:00",
            "transport_mode": "CAR",
            "km_one_way": "35",
            "trips": "2",
            "misc_amount": "20,00",
            "misc_comment": "Parking",
            "lunches_refund": "1",
        },
        follow_redirects=True,
    )
    assert "Vous avez effectué 2 trajet(s)." in console(saved.text)
    refused = post(client, f"/etats-de-frais/{claim}/valider", follow_redirects=True)
    assert "Justificatifs divers" in " ".join(console(refused.text))
    sent = post(
        client,
        f"/etats-de-frais/{claim}/documents",
        {
            "dossier": "TRAVEL",
            "piece": "MISC_RECEIPT",
            "file": (io.BytesIO(PNG), "reçu parking.png"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Le document « recu_parking.png » est envoyé." in console(sent.text)
    done = post(client, f"/etats-de-frais/{claim}/valider", follow_redirects=True)
    number = re.search(r"dossier n° (\d{4}-\d{6})", " ".join(console(done.text))).group(1)
    assert "Validé" in text(done.text)
    suivi = client.get(f"/etats-de-frais/{claim}/suivi")
    # 14 copies at 5.00 € (baccalauréat) and 70 km at 0.32 € + 20 € + a 20 € lunch.
    assert "70,00\xa0€" in suivi.text
    assert "62,40\xa0€" in suivi.text
    pdf = client.get(f"/etats-de-frais/{claim}/recapitulatif.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert number in pdf.headers["Content-Disposition"]
    # Validated: read-only; unvalidate brings it back, with the same number.
    frozen = post(
        client,
        f"/etats-de-frais/{claim}/remuneration",
        {"copies": "99"},
        follow_redirects=True,
    )
    assert "ne peut plus être modifié" in " ".join(console(frozen.text))
    post(client, f"/etats-de-frais/{claim}/devalider")
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        assert row.fee_status is ClaimStatus.NOT_VALIDATED and row.number == number
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ClaimStatusHistory)
                .where(ClaimStatusHistory.claim_id == claim)
            )
            >= 6
        )


# --- Documents -----------------------------------------------------------------------------


def started_claim(app, client):
    claim = claim_id(app, "LECLERC", 86373)
    start(client, claim)
    return claim


def send(client, claim, content, name, piece="RIB", dossier="PAY"):
    return post(
        client,
        f"/etats-de-frais/{claim}/documents",
        {"dossier": dossier, "piece": piece, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_a_file_of_5_mb_and_one_byte_is_refused_in_french(app, teacher):
    claim = started_claim(app, teacher)
    page = send(teacher, claim, PNG + b"\x00" * (5 * 1024 * 1024 + 1 - len(PNG)), "rib.png")
    assert "Le fichier « rib.png » est trop volumineux : 5 Mo au plus par document." in console(
        page.text
    )
    exact = send(teacher, claim, PNG + b"\x00" * (5 * 1024 * 1024 - len(PNG)), "rib.png")
    assert "Le document « rib.png » est envoyé." in console(exact.text)


def test_a_far_too_big_request_gets_the_french_message(app, teacher):
    claim = started_claim(app, teacher)
    page = send(teacher, claim, b"\x00" * (8 * 1024 * 1024), "enorme.pdf")
    assert page.status_code == 413
    assert "5 Mo au plus par document" in " ".join(console(page.text))


def test_a_renamed_program_or_web_page_is_refused(app, teacher):
    claim = started_claim(app, teacher)
    for content, name in (
        (b"MZ\x90\x00" + b"\x00" * 200, "rib.pdf"),
        (b"<html></html>", "rib.pdf"),
    ):
        page = send(teacher, claim, content, name)
        assert "n'est pas un document PDF" in " ".join(console(page.text))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SupportingDocument)) == 0


def test_a_document_is_downloaded_as_an_attachment_with_nosniff(app, teacher):
    claim = started_claim(app, teacher)
    send(teacher, claim, PNG, "rib.png")
    with app.app_context():
        document = db.session.scalar(select(SupportingDocument))
    response = teacher.get(f"/etats-de-frais/{claim}/documents/{document.id}")
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = teacher.get(f"/etats-de-frais/{claim}/recapitulatif")
    assert "rib.png" in page.text and "vous" in text(page.text)
    deleted = post(
        teacher, f"/etats-de-frais/{claim}/documents/{document.id}/supprimer", follow_redirects=True
    )
    assert "Le document est supprimé." in console(deleted.text)


# --- Row-level security ------------------------------------------------------------------------


def test_another_agents_claim_is_a_404_on_every_route(app, log_in, demo):
    client = log_in("EXT35000123")
    accept(client)
    # The teacher's claim, with a leg and a document.
    with app.app_context():
        from app.services.claims import documents, workflow
        from app.services.common import clock

        mine = db.session.get(ExpenseClaim, claim_id(app, "LECLERC", 86373))
        workflow.start(db.session, mine, today=clock.today())
        document = documents.add_document(
            db.session,
            mine,
            documents.Upload(
                documents.DocumentDossier.PAY,
                documents.DocumentPiece.RIB,
                "rib.png",
                io.BytesIO(PNG),
            ),
            storage=app.config["UPLOAD_FOLDER"],
            by_user_id=None,
        )
        db.session.commit()  # the request's commit
        other, leg, doc = mine.id, mine.travel_legs[0].id, document.id
    gets = [
        f"/etats-de-frais/{other}/",
        f"/etats-de-frais/{other}/suivi",
        f"/etats-de-frais/{other}/recapitulatif",
        f"/etats-de-frais/{other}/deplacement/ligne/{leg}",
        f"/etats-de-frais/{other}/documents/{doc}",
        f"/etats-de-frais/{other}/recapitulatif.pdf",
        f"/missions/{assignment_id(app, 'LECLERC', 86373)}",
        f"/missions/{assignment_id(app, 'LECLERC', 86373)}/convocation.pdf",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = [
        f"/etats-de-frais/{other}/completer",
        f"/etats-de-frais/{other}/non-effectuee",
        f"/etats-de-frais/{other}/remuneration",
        f"/etats-de-frais/{other}/deplacement/ligne",
        f"/etats-de-frais/{other}/deplacement/ligne/{leg}",
        f"/etats-de-frais/{other}/deplacement/ligne/{leg}/supprimer",
        f"/etats-de-frais/{other}/enregistrer",
        f"/etats-de-frais/{other}/valider",
        f"/etats-de-frais/{other}/devalider",
        f"/etats-de-frais/{other}/documents",
        f"/etats-de-frais/{other}/documents/{doc}/supprimer",
    ]
    for url in posts:
        assert post(client, url, {"confirm": "y"}).status_code == 404, url
    with app.app_context():
        assert db.session.get(ExpenseClaim, other).not_done_declared_at is None
        assert db.session.scalar(select(func.count()).select_from(SupportingDocument)) == 1


def test_managers_and_heads_have_no_claim_entry(log_in, demo):
    for username in ("gestionnaire", "chef"):
        client = log_in(username)
        assert client.get("/etats-de-frais/").status_code in (302, 403)
        logout(client)


# --- Consultation missions -----------------------------------------------------------------------


def test_mission_consultation_lists_and_details_the_agents_missions(app, log_in, demo):
    client = log_in("enseignant")
    page = client.get("/missions/")
    for header in (
        "Examen",
        "Type de mission",
        "Numéro de mission",
        "Date de mission",
        "Centre d'examen",
        "Qualité",
    ):
        assert header in page.text
    numbers = {row[2] for row in list_rows(page.text)}
    assert {"52525", "86373", "77508"} <= numbers
    assert "176629" not in numbers  # the external contributor's mission
    detail = client.get(f"/missions/{assignment_id(app, 'LECLERC', 52525)}")
    seen = text(detail.text)
    for expected in (
        "BREVET DE TECHNICIEN SUPERIEUR",
        "LGT JOSEPH LOTH PONTIVY CEDEX",
        "52525",
        "ORAUX PROFESSIONNELS",
        "INTERROGATEUR",
        "0315",
        "Accueil des examinateurs",
    ):
        assert expected in seen
    pdf = client.get(f"/missions/{assignment_id(app, 'LECLERC', 52525)}/convocation.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].startswith("attachment")
