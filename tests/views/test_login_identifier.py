"""Login as the convocation says (issue 18): an external contributor logs in with the
identifier printed on his convocation, letter case counts ("DENIS est différent de
Denis"), and "Mot de passe oublié ?" carries the identifier already typed."""

import io
import re
from html import unescape as html_unescape

from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.services.people import accounts
from models import User
from tests.conftest import csrf_token, login, logout
from tests.views.helpers import console, text
from tests.views.test_claims import assignment_id


def test_the_identifier_printed_on_the_convocation_opens_the_session(app, client, demo):
    assert login(client, "EXT35000123").status_code == 302
    pdf = client.get(f"/missions/{assignment_id(app, 'LE GALL', 86373)}/convocation.pdf")
    assert pdf.status_code == 200
    printed = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    identifier = re.search(r"Identifiant\s*(\S+)", printed).group(1)
    assert identifier == "EXT35000123"
    logout(client)

    home = client.get(login(client, identifier).headers["Location"])
    assert "LE GALL" in text(home.text)
    assert "Saisie état de frais mission" in text(home.text)


def test_letter_case_counts_as_the_login_page_says(client, demo):
    page = client.get("/login/")
    assert "Les majuscules et les minuscules sont prises en compte" in text(page.text)
    for typed in ("ext35000123", "Ext35000123", "ENSEIGNANT"):
        refused = login(client, typed)
        assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
        assert "Identifiant ou mot de passe incorrect." in console(client.get("/login/").text)
    assert login(client, "EXT35000123").headers["Location"] == "/"


def _identifier_value(html: str) -> str:
    field = re.search(r'<input[^>]*name="identifier"[^>]*>', html).group(0)
    return html_unescape(re.search(r'value="([^"]*)"', field).group(1))


def _forgot_link(html: str) -> str:
    return re.search(r'id="imagin-forgot"[^>]*href="([^"]*)"', html, re.S).group(1)


def test_the_forgotten_password_link_carries_the_identifier_typed(client, demo):
    # No identifier typed: the plain link.
    assert _forgot_link(client.get("/login/").text) == "/compte/mot-de-passe-oublie"
    # A login refused before any check (no password) shows the page again, the
    # identifier kept, and the link carries it.
    page = client.get("/login/")
    refused = client.post(
        "/login/",
        data={"username": "EXT35000123", "password": "", "csrf_token": csrf_token(page.text)},
        follow_redirects=True,
    )
    assert _forgot_link(refused.text) == "/compte/mot-de-passe-oublie?identifiant=EXT35000123"
    form = client.get(_forgot_link(refused.text))
    assert _identifier_value(form.text) == "EXT35000123"


def test_the_identifier_in_the_address_is_escaped_and_bounded(client, demo):
    hostile = '"><script>alert(1)</script>' + "x" * 500
    page = client.get("/compte/mot-de-passe-oublie", query_string={"identifiant": hostile})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert _identifier_value(page.text) == hostile[:128]


def test_forgotten_password_finds_the_exact_identifier_never_a_guess(session, demo):
    external = session.scalar(select(User).where(User.username == "EXT35000123"))
    assert accounts.find_user(session, "EXT35000123") is external
    # A different letter case finds the only account it can mean...
    assert accounts.find_user(session, "ext35000123") is external
    # ...but with two accounts differing by case, only the exact one.
    twin = User(
        username="ext35000123",
        first_name="Homonyme",
        last_name="Minuscule",
        email="twin@example.org",
        active=True,
    )
    session.add(twin)
    session.flush()
    assert accounts.find_user(session, "ext35000123") is twin
    assert accounts.find_user(session, "EXT35000123") is external
    assert accounts.find_user(session, "Ext35000123") is None
    db.session.rollback()
