"""The agent's "Informations personnelles" form: each field's rule, its French message
next to the field (tied by aria-describedby), nothing typed lost, nothing saved."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from models import Agent
from tests.conftest import csrf_token

URL = "/informations-personnelles/"
MARC = "EXT35000123"


def errors_of(html: str) -> dict[str, list[str]]:
    """The messages shown under each field, by field name."""
    found = {}
    for name, block in re.findall(r'<div id="([a-z_0-9]+)-help">(.*?)</div>', html, re.S):
        messages = re.findall(r'<p class="text-danger">([^<]*)</p>', block)
        if messages:
            found[name] = messages
    return found


# What the page holds for Marc (the demo's external contributor): a browser posts it all.
MARC_FORM = {
    "address_line1": "4 ALLEE DES CHENES",
    "address_line2": "",
    "postcode": "14123",
    "town": "CORMELLES LE ROYAL",
    "phone": "0231000002",
    "email_professional": "",
    "email_personal": "marc.legall@example.org",
    "car_fiscal_power": "",
}


def post(client, **fields):
    page = client.get(URL)
    return client.post(URL, data={"csrf_token": csrf_token(page.text), **MARC_FORM, **fields})


def marc(app):
    with app.app_context():
        agent = db.session.scalar(select(Agent).where(Agent.external_id == MARC))
        return {
            "postcode": agent.postcode,
            "phone": agent.phone,
            "car_fiscal_power": agent.car_fiscal_power,
            "email_professional": agent.email_professional,
        }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "1", "Saisissez un code postal de 5 chiffres."),
        ("postcode", "14000;", "Saisissez un code postal de 5 chiffres."),
        ("postcode", "2A004", "Saisissez un code postal de 5 chiffres."),
        ("postcode", "L-1234", "Saisissez un code postal de 5 chiffres."),
        ("phone", "appelez-moi", "Ce numéro de téléphone n'est pas valide."),
        ("phone", "12345", "Ce numéro de téléphone n'est pas valide."),
        ("email_professional", "marc@", "Cette adresse électronique n'est pas valide."),
        ("car_fiscal_power", "0", "Saisissez un nombre compris entre 1 et 99."),
        ("car_fiscal_power", "100", "Saisissez un nombre compris entre 1 et 99."),
    ],
)
def test_a_wrong_value_is_refused_next_to_its_field(app, log_in, demo, field, value, message):
    client = log_in("EXT35000123")
    before = marc(app)
    response = post(client, town="CAEN", **{field: value})
    assert response.status_code == 200
    assert errors_of(response.text) == {field: [message]}
    assert f'aria-describedby="{field}-help"' in response.text
    assert f'value="{value}"' in response.text  # nothing typed is lost
    assert 'value="CAEN"' in response.text
    assert "Certains champs ne sont pas valides" in response.text
    assert marc(app) == before  # nothing saved


def test_a_fiscal_power_that_is_not_a_number_is_refused(app, log_in, demo):
    client = log_in("EXT35000123")
    response = post(client, car_fiscal_power="douze")
    assert response.status_code == 200
    messages = errors_of(response.text)["car_fiscal_power"]
    assert "Saisissez un nombre compris entre 1 et 99." in messages


@pytest.mark.parametrize(
    ("field", "value", "saved"),
    [
        ("postcode", " 14000 ", "14000"),
        ("postcode", "20000", "20000"),
        ("phone", "+33 (0)2 31 00 00 03", "+33 (0)2 31 00 00 03"),
        ("car_fiscal_power", "1", 1),
        ("car_fiscal_power", "99", 99),
        ("car_fiscal_power", "", None),
        ("email_professional", " Marc.Le-Gall@Ac-Rennes.FR ", "marc.le-gall@ac-rennes.fr"),
    ],
)
def test_a_right_value_is_saved_as_the_portal_keeps_it(app, log_in, demo, field, value, saved):
    response = post(log_in("EXT35000123"), **{field: value})
    assert response.status_code == 302
    assert marc(app)[field] == saved


def test_the_english_interface_gives_the_same_rules_in_english(app, log_in, demo):
    client = log_in("EXT35000123")
    client.get("/lang/en")
    response = post(client, postcode="1", car_fiscal_power="100")
    assert errors_of(response.text) == {
        "postcode": ["Enter a postcode of 5 digits."],
        "car_fiscal_power": ["Enter a number between 1 and 99."],
    }


def test_personal_information_keeps_an_e_mail_address(app, log_in, demo):
    """The portal writes to the agent (password reset, convocation): both addresses cannot
    be emptied; either one is enough."""
    client = log_in("EXT35000123")
    response = post(client, email_personal="", email_professional="")
    assert response.status_code == 200
    assert errors_of(response.text) == {
        "email_personal": [
            "Saisissez au moins une adresse électronique : le portail vous écrit à cette adresse."
        ]
    }
    assert marc(app)["email_professional"] is None
    response = post(client, email_personal="", email_professional="marc.le-gall@ac-caen.fr")
    assert response.status_code == 302
    assert marc(app)["email_professional"] == "marc.le-gall@ac-caen.fr"


@pytest.mark.parametrize("field", ["address_line1", "postcode", "town"])
def test_the_address_cannot_be_emptied(app, log_in, demo, field):
    client = log_in("EXT35000123")
    before = marc(app)
    response = post(client, **{field: "  "})
    assert response.status_code == 200
    assert errors_of(response.text) == {field: ["Ce champ est obligatoire."]}
    assert marc(app) == before  # nothing saved


def test_the_form_leaves_its_checks_to_the_portal(log_in, demo):
    """Required fields carry ``required`` (announced to screen readers), but the browser
    must not stop the form with its own English bubble: the French messages come back next
    to the fields."""
    page = log_in("EXT35000123").get(URL).text
    form = re.search(r"<form [^>]*imagin-form-columns[^>]*>", page).group(0)
    assert "novalidate" in form
    assert re.search(r'<input [^>]*id="town"[^>]*required', page)
