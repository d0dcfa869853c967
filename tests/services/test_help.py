"""The help and the user guide: every topic written in French and in English with the
same sections, drawn from the seeds; the chapters of each service's guide."""

import re
from pathlib import Path

import pytest

from app.catalogue import activities_for
from app.services.portal import help as help_pages
from models.enums import Service

HELP = Path(__file__).resolve().parents[2] / "app" / "templates" / "imagin" / "help"


def section_ids(language: str, topic: str) -> list[str]:
    return re.findall(r'<h3 id="([^"]+)"', (HELP / language / f"{topic}.html").read_text())


@pytest.mark.parametrize("topic", help_pages.TOPICS)
def test_every_topic_exists_in_french_and_english_with_the_same_sections(topic):
    french, english = section_ids("fr", topic), section_ids("en", topic)
    assert french, f"{topic}: no section"
    assert french == english


def test_no_file_without_its_topic_and_section_ids_unique_across_the_guide():
    for language in help_pages.LANGUAGES:
        assert {path.stem for path in (HELP / language).glob("*.html")} == set(help_pages.TOPICS)
    every = [anchor for topic in help_pages.TOPICS for anchor in section_ids("fr", topic)]
    assert len(every) == len(set(every))


def test_every_agent_activity_and_the_managers_main_screens_are_detailed():
    agents = {
        a.code for s in (Service.TEACHER, Service.EXTERNAL, Service.HEAD) for a in activities_for(s)
    }
    assert agents <= help_pages.DETAILED
    assert {
        "claims_processing",
        "missions",
        "automatic_assignment",
        "service_done",
        "payment_export",
        "dashboard",
        "agent_competences",
    } <= help_pages.DETAILED
    # The manager's reference data and settings too (issue 18).
    assert {
        "referential",
        "mission_types",
        "rates",
        "academy_settings",
        "portal_messages",
        "activity_openings",
        "agents",
        "users",
    } <= help_pages.DETAILED


def _flat(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text).replace("’", "'").split())


@pytest.mark.parametrize(
    ("topic", "seed", "sentence"),
    [
        (
            "claims_entry",
            "001_4b45630da0f95491.txt",
            "L'utilisation de l'activité est subordonnée à l'acceptation des conditions "
            "d'utilisation du service de liquidation des frais de mission.",
        ),
        (
            "claims_entry",
            "001_4b45630da0f95491.txt",
            "Un état de frais validé n'est plus accessible qu'en consultation.",
        ),
        (
            "competences_view",
            "001_4b45630da0f95491.txt",
            "La compétence a été générée automatiquement à partir d'une table de "
            "correspondance associant épreuves d'examens et enseignements.",
        ),
        (
            "login_external",
            "002_00fbbaace4741700.txt",
            "Vous trouvez votre identifiant en en-tête de votre convocation",
        ),
        (
            "screen",
            "001_4b45630da0f95491.txt",
            "Dans IMAG'IN les fonctionnalités sont nommées « activités ».",
        ),
    ],
)
def test_the_french_text_is_the_seeds_own(topic, seed, sentence):
    """Sentences of the seeds (``seed``: the user guide quoted), word for word."""
    written = _flat((HELP / "fr" / f"{topic}.html").read_text())
    assert sentence in written


def test_the_guide_of_each_service_has_its_activities_in_menu_order(app_ctx):
    for service in (Service.TEACHER, Service.EXTERNAL, Service.HEAD, Service.MANAGER):
        (guide,) = help_pages.guides([service])
        codes = [c.activity_code for c in guide.chapters if c.activity_code]
        assert codes == [a.code for a in activities_for(service)]
        intro = [c.topic for c in guide.chapters if not c.activity_code]
        assert intro[0] == "screen"
    (external,) = help_pages.guides([Service.EXTERNAL])
    assert "login_external" in [c.topic for c in external.chapters]
    claims = next(c for c in external.chapters if c.activity_code == "claims_entry")
    assert len(claims.status_legend) == 11


def test_the_help_of_an_activity_is_only_that_of_the_users_services(app_ctx):
    assert help_pages.activity_help("claims_entry", [Service.TEACHER]).topic == "claims_entry"
    assert help_pages.activity_help("claims_processing", [Service.TEACHER]) is None
    assert help_pages.activity_help("nothing", [Service.TEACHER]) is None
    rates = help_pages.activity_help("rates", [Service.MANAGER])
    assert rates.topic == "rates" and str(rates.summary)
    assert help_pages.activity_help("rates", [Service.TEACHER]) is None
