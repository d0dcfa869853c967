"""The managers' dashboard on the demo académie: the figures, the charts (SVG drawn on
the server, with the same figures as text), the session filter; agents cannot see it."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from models import Exam, ExamSession
from tests.views.helpers import text

URL = "/tableau-de-bord/"


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def figures(html):
    """{label: number} of the figure cards."""
    cards = re.findall(r'class="imagin-figure"[^>]*>\s*<strong>(.*?)</strong>(.*?)</', html, re.S)
    return {text(label).strip(): text(value).strip() for value, label in cards}


def test_the_figures_of_the_academy(manager):
    page = manager.get(URL)
    assert page.status_code == 200
    shown = figures(page.text)
    assert shown["états de frais en attente du gestionnaire"] == "5"
    assert shown["états de frais validés à exporter"] == "2"
    assert shown["états de frais"] == "28"  # 5 of them at the head's centre (issue 16)


def test_the_charts_are_svg_with_their_figures_as_text(manager):
    page = manager.get(URL)
    fee = re.search(r'id="chart-fee".*?</figure>', page.text, re.S).group(0)
    # Its bars are links: a group of links, not an image (an image hides what it holds).
    assert "<svg" in fee and 'role="group"' in fee and 'role="img"' not in fee
    description = text(re.search(r"<desc[^>]*>(.*?)</desc>", fee, re.S).group(1))
    assert "Validé 2" in description
    assert "Validé par gestionnaire 1" in description
    assert "Transmis à la liquidation 1" in description
    # Each bar opens the claims of that status.
    assert "/traitement-etats-de-frais/?fee=ACCEPTED" in fee.replace("&amp;", "&")
    exams = re.search(r'id="chart-exams".*?</figure>', page.text, re.S).group(0)
    described = " ".join(text(re.search(r"<desc[^>]*>(.*?)</desc>", exams, re.S).group(1)).split())
    # 14 copies at 5.00 EUR and a 50 km round trip at 0.32 EUR, twice: the 77508 of
    # the teacher and of Julie BERTHELOT.
    assert "BACCALAUREAT GENERAL Rémunération 140,00 €, Déplacement 32,00 €" in described
    # The two travel parts of the BTS (77286 has no amount yet): 2 x 16.00 EUR.
    assert "BREVET DE TECHNICIEN SUPERIEUR Rémunération 0,00 €, Déplacement 32,00 €" in described
    assert "<script" not in page.text.split('id="chart-fee"')[1].split("</figure>")[0]


def test_the_session_filter_narrows_the_figures(app, manager):
    with app.app_context():
        dnb = db.session.scalar(select(ExamSession.id).join(Exam).where(Exam.code == "DNB"))
    page = manager.get(URL, query_string={"session": dnb})
    assert figures(page.text)["états de frais"] == "1"
    assert f'value="{dnb}" selected' in page.text
    # An unknown session shows the whole académie instead of failing.
    assert figures(manager.get(URL, query_string={"session": "x"}).text)["états de frais"] == "28"


def test_agents_cannot_see_the_dashboard(log_in, demo):
    assert log_in("enseignant").get(URL).status_code in (302, 403)
