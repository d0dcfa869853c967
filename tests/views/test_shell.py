"""The screen shell: login, header, menu of each role, console, logout."""

import pytest

from tests.conftest import csrf_token, login, logout
from tests.views.helpers import console, current_entry, menu_entries, text

MENUS = {
    "enseignant": [
        ("Consultation missions", True),
        ("Consultation compétences", True),
        ("Saisie compétences", True),
        ("Saisie état de frais mission", True),
        ("Informations personnelles", False),
        ("Saisie des indisponibilités", True),
        ("Portail d'accès aux missions", True),
    ],
    # The activities kept for the people they concern (issue 16).
    "enseignant-eps": [
        ("Consultation missions", True),
        ("Consultation compétences", True),
        ("Saisie compétences", True),
        ("Saisie état de frais mission", True),
        ("Informations personnelles", False),
        ("Saisie des indisponibilités", True),
        ("Portail d'accès aux missions", True),
        ("Gestion des épreuves EPS", True),
    ],
    "enseignant-dcs": [
        ("Consultation missions", True),
        ("Consultation compétences", True),
        ("Saisie compétences", True),
        ("Saisie état de frais mission", True),
        ("Informations personnelles", False),
        ("Enquête DCS", True),
        ("Saisie des indisponibilités", True),
        ("Portail d'accès aux missions", True),
    ],
    "inspecteur": [
        ("Consultation missions", True),
        ("Consultation compétences", True),
        ("Saisie compétences", True),
        ("Saisie état de frais mission", True),
        ("Informations personnelles", False),
        ("Saisie des indisponibilités", True),
        ("Portail d'accès aux missions", True),
        ("Gestion des sujets", True),
        ("Statistiques nationales de notation", True),
    ],
    "EXT35000123": [
        ("Consultation missions", True),
        ("Saisie état de frais mission", True),
        ("Informations personnelles", True),
        ("Saisie des indisponibilités", True),
        ("Portail d'accès aux missions", True),
        ("Portail délibération de jury Cyclades", True),
    ],
    "chef": [
        ("Compétences des personnels de l'établissement", True),
        ("Constat de service fait", True),
    ],
    "gestionnaire": [
        ("Référentiel", True),
        ("Types de mission", True),
        ("Imports", True),
        ("Intervenants", True),
        ("Compétences des intervenants", True),
        ("Réponses à l'enquête DCS", True),
        ("Missions et affectations", True),
        ("Affectation automatique", True),
        ("Indisponibilités des intervenants", True),
        ("Traitement des états de frais", True),
        ("Service fait", True),
        ("Mise en paiement", True),
        ("Traitements en cours", True),
        ("Tableau de bord", True),
        ("Messages d'accueil et conditions", True),
        ("Barèmes", True),
        ("Paramètres de l'académie", True),
        ("Ouverture des activités", True),
    ],
    "admin": [
        ("Ouverture des activités", True),
        ("Utilisateurs et rôles", True),
        ("Applications", True),
        ("Clients API", True),
    ],
}


def test_the_login_page_is_french(client, demo):
    page = client.get("/login/")
    assert page.status_code == 200
    assert '<html lang="fr"' in page.text
    body = text(page.text)
    for label in ("Identification", "Identifiant", "Mot de passe", "Valider", "ACADÉMIE DE RENNES"):
        assert label in body


def test_the_home_page_sends_the_anonymous_to_the_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login/" in response.headers["Location"]


def test_a_wrong_password_is_refused_with_a_french_message(client, demo):
    response = login(client, "enseignant", "not-the-password")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Identifiant ou mot de passe incorrect." in console(page.text)


@pytest.mark.parametrize("username", sorted(MENUS))
def test_each_demo_account_logs_in_and_sees_its_own_menu(client, demo, username):
    response = login(client, username)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert menu_entries(home.text) == MENUS[username]


def test_the_header_shows_the_academy_the_name_and_the_tools(log_in, demo):
    client = log_in("enseignant")
    body = text(client.get("/").text)
    for label in (
        "ACADÉMIE DE RENNES",
        "Claire LECLERC",
        "Accessibilité",
        "Guide",
        "Plan du site",
        "Aide",
        "Quitter",
    ):
        assert label in body


def test_the_home_page_shows_the_services_welcome_message(log_in, demo):
    page = log_in("EXT35000123").get("/")
    assert "Votre identifiant figure en en-tête de votre convocation." in text(page.text)


def test_the_current_activity_is_highlighted(log_in, demo):
    client = log_in("gestionnaire")
    page = client.get("/messages/")
    assert page.status_code == 200
    assert current_entry(page.text) == "Messages d'accueil et conditions"


def test_quit_logs_out(log_in, demo):
    client = log_in("enseignant")
    assert client.get("/").status_code == 200
    logout(client)
    assert client.get("/").status_code == 302


def test_site_map_guide_and_help_pages(log_in, demo):
    client = log_in("enseignant")
    sitemap = text(client.get("/plan-du-site").text)
    assert "Saisie état de frais mission" in sitemap
    assert "Informations personnelles (fermée pour votre service)" in sitemap
    assert "Gestion des épreuves EPS" not in sitemap  # kept for the teachers of EPS
    guide = text(client.get("/guide").text)
    assert "Sommaire du guide du service Enseignant" in guide
    help_page = text(client.get("/aide?activite=claims_entry").text)
    assert "Saisie état de frais mission" in help_page
    # The help of another service's activity is not shown.
    other = text(client.get("/aide?activite=payment_export").text)
    assert "Mise en paiement" not in other


def test_english_is_available(log_in, demo):
    client = log_in("enseignant")
    client.get("/lang/en")
    page = client.get("/")
    assert ("Mission expense claim entry", True) in menu_entries(page.text)
    client.get("/lang/fr")
    assert ("Saisie état de frais mission", True) in menu_entries(client.get("/").text)


def test_the_csrf_token_is_in_every_page(log_in, demo):
    client = log_in("enseignant")
    assert csrf_token(client.get("/").text)
