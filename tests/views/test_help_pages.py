"""Aide and Guide as a user reads them (issue 18): the help of the current activity at
the user guide's level of detail, the guide of the user's service with its contents,
in French and in English."""

import re

import pytest

from tests.conftest import login
from tests.views.helpers import text


def anchors(html: str) -> tuple[list[str], set[str]]:
    toc = re.search(r'<nav class="imagin-card imagin-toc".*?</nav>', html, re.S).group(0)
    links = re.findall(r'href="#([^"]+)"', toc)
    return links, set(re.findall(r'id="([^"]+)"', html))


@pytest.mark.parametrize(
    ("username", "chapters", "sentence"),
    [
        (
            "enseignant",
            [
                "L'écran",
                "Identification",
                "Accueil",
                "Consultation missions",
                "Saisie compétences",
                "Saisie état de frais mission",
            ],
            "DENIS est différent de Denis",
        ),
        (
            "EXT35000123",
            [
                "L'écran",
                "Identification",
                "Accueil",
                "Consultation missions",
                "Saisie état de frais mission",
                "Informations personnelles",
            ],
            "Vous trouvez votre identifiant en en-tête de votre convocation",
        ),
        (
            "chef",
            ["L'écran", "Compétences des personnels de l'établissement"],
            "Seuls les personnels de vos établissements vous sont présentés.",
        ),
        (
            "gestionnaire",
            [
                "L'écran",
                "Traitement des états de frais",
                "Service fait",
                "Mise en paiement",
                "Tableau de bord",
                "Barèmes",
            ],
            "« Exporter pour paiement » place chaque état de frais accepté",
        ),
    ],
)
def test_the_guide_of_each_service_has_a_contents_leading_to_its_chapters(
    log_in, demo, username, chapters, sentence
):
    page = log_in(username).get("/guide")
    assert page.status_code == 200
    links, ids = anchors(page.text)
    assert links and set(links) <= ids  # every entry of the contents leads to its chapter
    toc = text(re.search(r'<nav class="imagin-card imagin-toc".*?</nav>', page.text, re.S).group(0))
    for title in chapters:
        assert title in toc, title
    assert sentence in text(page.text)


def test_the_help_of_the_claims_gives_each_column_button_rule_and_status(log_in, demo):
    client = log_in("enseignant")
    page = text(client.get("/aide?activite=claims_entry").text)
    for expected in (
        "Statut frais de rémunération",  # a column
        "Je souhaite compléter l'état de frais",  # a button
        "Etape Précédente",
        "jusqu'à 20 documents pour le dossier paie",  # a rule
        "tous les déplacements de la journée doivent être saisis sur la première mission",
        "Un onglet grisé n'est pas encore accessible",
        "Signification des statuts",
        "La mission est à venir, l'état de frais n'est pas encore accessible en saisie.",
    ):
        assert expected in page, expected


def test_the_help_link_of_the_header_follows_the_current_activity(log_in, demo):
    client = log_in("gestionnaire")
    page = client.get("/traitement-etats-de-frais/").text
    link = re.search(r'<a href="([^"]*/aide[^"]*)">Aide</a>', page).group(1)
    assert link.endswith("activite=claims_processing")
    help_page = text(client.get(link.replace("&amp;", "&")).text)
    assert "Renvoyer à l'intervenant" in help_page
    assert "Transmis à la liquidation" in help_page  # the legend of the statuses


def test_another_services_help_is_not_shown_and_the_index_lists_ones_own(log_in, demo):
    client = log_in("EXT35000123")
    page = client.get("/aide?activite=claims_processing").text
    assert "Renvoyer à l'intervenant" not in text(page)
    index = text(
        re.search(
            r'<nav class="imagin-card" aria-labelledby="help-index-title">.*?</nav>', page, re.S
        ).group(0)
    )
    assert "Saisie état de frais mission" in index and "Informations personnelles" in index
    assert "Traitement des états de frais" not in index
    # A hostile or overlong activity code is just "no activity".
    assert client.get("/aide", query_string={"activite": "<script>" * 100}).status_code == 200


def test_help_and_guide_in_english(log_in, demo):
    client = log_in("EXT35000123")
    client.get("/lang/en")
    guide = text(client.get("/guide").text)
    assert "Contents of the guide of the service" in guide
    assert "Your identifier is printed at the top of your convocation" in guide
    assert "Vous trouvez votre identifiant" not in guide
    help_page = text(client.get("/aide?activite=claims_entry").text)
    assert "Depending on the mission, 4 tabs are shown" in help_page
    assert "The mission is yet to come; the expense claim cannot be entered yet." in help_page


def test_help_and_guide_need_a_session(client, demo):
    for url in ("/guide", "/aide", "/aide?activite=claims_entry"):
        assert client.get(url).status_code == 302


@pytest.mark.parametrize(
    ("activity", "french", "english"),
    [
        (
            "referential",
            "Seuls les établissements marqués « Centre d'examen » sont proposés",
            "Only establishments marked “Exam centre” are offered",
        ),
        (
            "mission_types",
            "un état de frais qui dépasse le plafond est refusé à l'enregistrement",
            "a claim above the cap is refused when saved",
        ),
        (
            "rates",
            "un état de frais utilise le barème valide le premier jour de sa mission",
            "a claim uses the table valid on the first day of its mission",
        ),
        (
            "academy_settings",
            "sont imprimés sur les convocations et les récapitulatifs PDF",
            "are printed on the convocations and the PDF recaps",
        ),
        (
            "portal_messages",
            "« Aperçu » montre le rendu sans rien enregistrer",
            "“Preview” shows the result without saving anything",
        ),
        (
            "activity_openings",
            "Une activité fermée reste dans le menu, grisée",
            "A closed activity stays in the menu, greyed",
        ),
        (
            "agents",
            "Le NIR, l'IBAN et le BIC sont masqués sur le détail",
            "The INSEE number, IBAN and BIC are masked on the detail",
        ),
    ],
)
def test_the_help_of_the_managers_reference_and_settings_screens(
    log_in, demo, activity, french, english
):
    """Aide on each of the manager's remaining screens: what the screen shows, its
    columns and its rules, in French and in English."""
    client = log_in("gestionnaire")
    page = client.get(f"/aide?activite={activity}")
    assert page.status_code == 200
    assert french in text(page.text)
    client.get("/lang/en")
    assert english in text(client.get(f"/aide?activite={activity}").text)


def test_the_help_of_the_administrators_users_screen(app, log_in, demo):
    """Aide on "Utilisateurs et rôles", for the administrator only (not the manager)."""
    client = log_in("admin")
    page = client.get("/aide?activite=users")
    assert "Un compte désactivé ne peut plus se connecter" in text(page.text)
    client.get("/lang/en")
    assert "A deactivated account can no longer log in" in text(
        client.get("/aide?activite=users").text
    )
    manager = app.test_client()
    assert login(manager, "gestionnaire").status_code == 302
    assert "Un compte désactivé" not in text(manager.get("/aide?activite=users").text)
