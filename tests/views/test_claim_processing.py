"""The examinations division's screens on claims, as a manager sees them: the list and
its filters, the claim page and its actions, service fait, the payment export; and
that agents cannot reach any of it."""

import csv
import io
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from models import Academy, Agent, Assignment, ExpenseClaim, Manager, Mission
from models.enums import ClaimStatus
from tests.conftest import csrf_token, login
from tests.views.helpers import console, text
from tests.views.test_claims import accept as accept_conditions
from tests.views.test_claims import claim_id, list_rows

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LIST = "/traitement-etats-de-frais/"


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def post(client, url, data=None, **kwargs):
    token = csrf_token(client.get(LIST).text)
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def statuses(app, claim):
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        return row.fee_status, row.travel_status


def mission_id(app, number):
    with app.app_context():
        return db.session.scalar(select(Mission.id).where(Mission.number == number))


def signed_in(app, username):
    client = app.test_client()
    login(client, username)
    return client


def test_agents_cannot_reach_the_managers_screens(app, demo):
    claim = claim_id(app, "LECLERC", 77508)
    for username in ("enseignant", "EXT35000123"):
        client = signed_in(app, username)
        accept_conditions(client)
        for url in (LIST, f"{LIST}{claim}", "/service-fait/", "/mise-en-paiement/"):
            assert client.get(url).status_code in (302, 403), (username, url)
        token = csrf_token(client.get("/etats-de-frais/").text)
        response = client.post(f"{LIST}{claim}/accepter", data={"csrf_token": token})
        assert response.status_code in (302, 403)
    assert statuses(app, claim) == (ClaimStatus.VALIDATED, ClaimStatus.VALIDATED)


def test_the_list_shows_every_claim_of_the_academy_with_its_statuses(manager):
    page = manager.get(LIST)
    assert page.status_code == 200
    rows = list_rows(page.text)
    validated = next(r for r in rows if "2026-000001" in r)
    assert validated[0] == "LECLERC Claire"
    assert validated[7:9] == ["Validé", "Validé"]
    exported = list_rows(page_of(manager, fee="SENT_FOR_PAYMENT"))
    assert [(r[0], r[1], r[7]) for r in exported] == [
        ("LECLERC Claire", "2026-000004", "Transmis à la liquidation")
    ]


def page_of(client, **filters):
    return client.get(LIST, query_string=filters).text


def test_filters_narrow_the_list(manager):
    rows = list_rows(manager.get(LIST, query_string={"fee": "VALIDATED"}).text)
    assert rows and all(r[7] == "Validé" for r in rows)
    rows = list_rows(manager.get(LIST, query_string={"q": "le gall"}).text)
    assert rows and all(r[0] == "LE GALL Marc" for r in rows)
    waiting = list_rows(manager.get(LIST, query_string={"waiting": "1"}).text)
    assert waiting and all(
        "Validé" in (r[7], r[8]) or "A traiter par le gestionnaire" in (r[7], r[8]) for r in waiting
    )
    assert not any("Transmis à la liquidation" in r for r in waiting)


def test_accept_waits_for_the_service_done_then_export_then_never_twice(app, manager, job_worker):
    claim = claim_id(app, "LECLERC", 77508)
    post(manager, f"{LIST}{claim}/accepter")
    page = manager.get(f"{LIST}{claim}")
    assert any("Enregistrez le service fait" in m for m in console(page.text))
    assert statuses(app, claim) == (ClaimStatus.VALIDATED, ClaimStatus.VALIDATED)

    mission = mission_id(app, 77508)
    response = post(manager, f"/service-fait/{mission}/enregistrer", data={"all": "1"})
    page = manager.get(response.headers["Location"])
    assert any("Service fait enregistré pour 2 intervenant(s)" in m for m in console(page.text))

    post(manager, f"{LIST}{claim}/accepter")
    page = manager.get(f"{LIST}{claim}")
    assert any("validé par le gestionnaire" in m for m in console(page.text))
    assert "Validé par gestionnaire" in text(page.text)

    export = manager.get("/mise-en-paiement/")
    # With the two claims the demo had already accepted.
    assert "3 états de frais validés par le gestionnaire attendent l'export" in text(export.text)
    response = post(manager, "/mise-en-paiement/exporter")
    job = int(re.fullmatch(r".*/traitements/(\d+)", response.headers["Location"]).group(1))
    assert job_worker.wait_for(job)["state"].name == "DONE"
    page = manager.get(response.headers["Location"])
    assert "Lot n° 2 : 3 état(s) de frais transmis à la liquidation." in text(page.text)
    assert statuses(app, claim) == (ClaimStatus.SENT_FOR_PAYMENT, ClaimStatus.SENT_FOR_PAYMENT)

    page = manager.get("/mise-en-paiement/")
    link = re.search(r'href="(/mise-en-paiement/lots/\d+\.csv)">imagin-paiement-000002', page.text)
    download = manager.get(link.group(1))
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.text), delimiter=";"))
    assert rows[0][:3] == ["numero_lot", "numero_dossier", "nature"]
    assert [(r[1], r[2]) for r in rows[1:]] == [
        ("2026-000001", "REMUNERATION"),
        ("2026-000001", "DEPLACEMENT"),
        ("2026-000002", "REMUNERATION"),
        ("2026-000002", "DEPLACEMENT"),
        ("2026-000003", "DEPLACEMENT"),
    ]
    header = rows[0]
    assert rows[1][header.index("montant")] == "70.00"  # 14 copies at 5.00 EUR
    assert rows[1][header.index("imputation_budgetaire")] == "0141-02-T2-CORRECTION"
    assert rows[2][header.index("imputation_budgetaire")] == "0141-02-T3-DEPLACEMENTS"
    # What the finance office pays with: the INSEE number, IBAN and BIC.
    assert rows[1][4:10] == [
        "35E0000001MPC",
        "LECLERC",
        "Claire",
        "278073512345623",
        "FR1420041010050500013M02606",
        "PSSTFRPPREN",
    ]
    done = header.index("date_service_fait")
    assert rows[1][done] == rows[2][done] != ""  # the service fait date

    again = post(manager, "/mise-en-paiement/exporter")
    page = manager.get(again.headers["Location"])
    assert any("Aucun état de frais validé par le gestionnaire" in m for m in console(page.text))
    assert "imagin-paiement-000003" not in page.text
    # The claim is frozen now: no action refers to it any more.
    assert "Renvoyer à l'intervenant" not in manager.get(f"{LIST}{claim}").text


def test_send_back_reaches_the_agent_in_suivi_and_the_console(app, manager):
    claim = claim_id(app, "LECLERC", 77508)
    response = post(manager, f"{LIST}{claim}/renvoyer", data={"message": ""})
    page = manager.get(response.headers["Location"])
    assert any("Rédigez le message" in m for m in console(page.text))
    post(manager, f"{LIST}{claim}/renvoyer", data={"message": "Il manque le nombre de copies."})
    assert statuses(app, claim) == (ClaimStatus.NOT_VALIDATED, ClaimStatus.NOT_VALIDATED)

    teacher = signed_in(app, "enseignant")
    accept_conditions(teacher)
    suivi = teacher.get(f"/etats-de-frais/{claim}/suivi")
    assert "Il manque le nombre de copies." in text(suivi.text)
    assert any(
        "Message du gestionnaire : Il manque le nombre de copies." in m for m in console(suivi.text)
    )


def test_the_manager_processes_a_fee_to_be_processed(app, manager):
    claim = claim_id(app, "LECLERC", 77286)
    assert statuses(app, claim)[0] is ClaimStatus.TO_BE_PROCESSED
    response = post(manager, f"{LIST}{claim}/remuneration", data={"amount": "abc"})
    page = manager.get(response.headers["Location"])
    assert any("Saisissez un montant" in m for m in console(page.text))
    post(manager, f"{LIST}{claim}/remuneration", data={"amount": "45,60", "comment": "3 h"})
    page = manager.get(f"{LIST}{claim}")
    assert statuses(app, claim)[0] is ClaimStatus.PROCESSED_BY_MANAGER
    assert "45,60" in text(page.text)
    assert "Traité par le gestionnaire" in text(page.text)


def test_cancel_and_restore(app, manager):
    claim = claim_id(app, "LE GALL", 86373)
    post(manager, f"{LIST}{claim}/annuler", data={"comment": "Convocation en double"})
    assert statuses(app, claim) == (ClaimStatus.CANCELLED, ClaimStatus.CANCELLED)
    page = manager.get(f"{LIST}{claim}")
    assert "Convocation en double" in text(page.text)
    post(manager, f"{LIST}{claim}/restaurer")
    assert statuses(app, claim) == (ClaimStatus.NOT_VALIDATED, ClaimStatus.NOT_VALIDATED)


def test_bulk_accept_says_why_each_refused_claim_is_refused(app, manager):
    teacher_claim = claim_id(app, "LECLERC", 77508)
    open_claim = claim_id(app, "LE GALL", 86373)
    response = post(
        manager,
        f"{LIST}selection/accepter",
        data={"claim_id": [str(teacher_claim), str(open_claim)], "next": LIST},
    )
    assert response.headers["Location"].endswith(LIST)
    messages = console(manager.get(LIST).text)
    assert any("2026-000001 : Enregistrez le service fait" in m for m in messages)
    assert any("LE GALL" in m and "Non validé" in m for m in messages)
    assert statuses(app, teacher_claim) == (ClaimStatus.VALIDATED, ClaimStatus.VALIDATED)


def test_a_document_deposited_by_the_manager_is_flagged(app, manager):
    claim = claim_id(app, "LECLERC", 86373)
    post(
        manager,
        f"{LIST}{claim}/documents",
        data={"dossier": "PAY", "piece": "RIB", "file": (io.BytesIO(PNG), "rib.png")},
        content_type="multipart/form-data",
    )
    page = manager.get(f"{LIST}{claim}")
    assert any("Le document « rib.png » est envoyé" in m for m in console(page.text))
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page.text, re.S) if "rib.png" in r)
    assert "le gestionnaire" in text(row)


def test_another_academys_claim_is_not_found(app, manager):
    claim = claim_id(app, "LECLERC", 77508)
    assert manager.get(f"{LIST}{claim}").status_code == 200
    with app.app_context():
        nantes = db.session.scalar(select(Academy).where(Academy.code != "RENNES"))
        for row in db.session.scalars(select(Manager)):
            row.academy_id = nantes.id
        db.session.commit()
    assert manager.get(f"{LIST}{claim}").status_code == 404
    assert post(manager, f"{LIST}{claim}/accepter").status_code == 404
    assert manager.get(f"{LIST}999999").status_code == 404
    assert "LECLERC" not in text(manager.get(LIST).text)


def test_service_done_lists_ended_missions_with_their_counts(app, manager):
    page = manager.get("/service-fait/")
    rows = list_rows(page.text)
    row = next(r for r in rows if r[0] == "86373")
    assert row[-1] == "0 / 2"
    mission = mission_id(app, 86373)
    with app.app_context():
        one = db.session.scalar(
            select(Assignment.id)
            .join(Agent)
            .where(Assignment.mission_id == mission, Agent.last_name == "LE GALL")
        )
    post(manager, f"/service-fait/{mission}/enregistrer", data={"assignment_id": str(one)})
    rows = list_rows(manager.get("/service-fait/").text)
    assert next(r for r in rows if r[0] == "86373")[-1] == "1 / 2"
    # Not yet over: refused with the date.
    future = mission_id(app, 77824)
    response = post(manager, f"/service-fait/{future}/enregistrer", data={"all": "1"})
    page = manager.get(response.headers["Location"])
    assert any("n'est pas terminée" in m for m in console(page.text))


def test_stored_times_are_shown_in_french_time(app):
    import datetime as dt

    from app.services.common.formats import moment as local_time

    with app.test_request_context("/"):
        assert local_time(dt.datetime(2026, 11, 23, 17, 11)) == "23/11/2026 18:11"  # UTC+1
        assert local_time(dt.datetime(2026, 7, 1, 10, 0)) == "01/07/2026 12:00"  # UTC+2
        assert local_time(None) == ""


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "https://evil.example/"])
def test_the_return_address_never_leaves_the_site(manager, target):
    response = post(manager, f"{LIST}selection/accepter", data={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(LIST)


def test_the_agent_page_leads_to_their_assignments_and_claims(app, manager):
    with app.app_context():
        agent = db.session.scalar(select(Agent).where(Agent.last_name == "LE GALL"))
        agent_id = agent.id
    show = manager.get(f"/agentmodelview/show/{agent_id}")
    assert show.status_code == 200
    assert "Compétences de l'intervenant" in text(show.text)
    assert "86373" in text(show.text)  # his assignments, listed under the detail
    page = manager.get(LIST, query_string={"agent": agent_id})
    rows = list_rows(page.text)
    assert len(rows) == 5 and all(r[0] == "LE GALL Marc" for r in rows)
    assert "Intervenant : LE GALL Marc" in text(page.text)


def test_the_manager_enters_the_fee_detail_on_the_agents_behalf(app, manager):
    claim = claim_id(app, "LECLERC", 86373)
    page = manager.get(f"{LIST}{claim}")
    assert "Saisir le détail de la rémunération" in page.text
    assert "Nombre de copies" in page.text

    wrong = post(manager, f"{LIST}{claim}/remuneration-detail", {"copies": "quatorze"})
    assert wrong.status_code == 422
    assert "La saisie comporte des erreurs" in " ".join(console(wrong.text))
    assert "Saisissez un nombre entier." in wrong.text
    assert 'value="quatorze"' in wrong.text  # nothing typed is lost
    assert re.search(r"<details open>\s*<summary[^>]*>Saisir le détail", wrong.text)
    assert statuses(app, claim)[0] is ClaimStatus.NOT_VALIDATED

    done = post(
        manager, f"{LIST}{claim}/remuneration-detail", {"copies": "14"}, follow_redirects=True
    )
    assert "La rémunération est saisie : 70,00 €." in console(done.text)
    assert "Traité par le gestionnaire" in text(done.text)
    assert statuses(app, claim)[0] is ClaimStatus.PROCESSED_BY_MANAGER


def test_no_fee_detail_form_where_the_manager_prices_the_fee(app, manager):
    claim = claim_id(app, "LECLERC", 77286)  # travaux administratifs
    page = manager.get(f"{LIST}{claim}")
    assert "Saisir le détail de la rémunération" not in page.text
    refused = post(
        manager, f"{LIST}{claim}/remuneration-detail", {"copies": "3"}, follow_redirects=True
    )
    assert any("pas de détail de rémunération" in m for m in console(refused.text))
