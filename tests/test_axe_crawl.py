"""The accessibility crawl (tools/axe_crawl.py): one page checked per URL pattern, and
the links it must never follow (logout, language, downloads, FAB actions)."""

import pytest

from tools.axe_crawl import SKIPPED, pattern_of


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("http://x/etats-de-frais/12/suivi", "http://x/etats-de-frais/13/suivi"),
        ("http://x/missions/4", "http://x/missions/1234"),
        ("http://x/agentmodelview/list/?_oc_=name&page=2", "http://x/agentmodelview/list/"),
    ],
)
def test_pages_with_other_ids_sorts_or_pages_are_one_pattern(first, second):
    assert pattern_of(first) == pattern_of(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("http://x/aide?activite=rates", "http://x/aide?activite=referential"),
        ("http://x/etats-de-frais/12/suivi", "http://x/etats-de-frais/12/recapitulatif"),
        ("http://x/competences/saisie/?onglet=competences", "http://x/competences/saisie/"),
    ],
)
def test_another_help_topic_tab_or_screen_is_another_pattern(first, second):
    assert pattern_of(first) != pattern_of(second)


@pytest.mark.parametrize(
    ("path", "skipped"),
    [
        ("/logout/", True),
        ("/lang/en", True),
        ("/missions/15/convocation.pdf", True),
        ("/etats-de-frais/3/recapitulatif.pdf", True),
        ("/agentmodelview/delete/4", True),
        ("/static/imagin/imagin.css", True),
        ("/etats-de-frais/3/suivi", False),
        ("/aide", False),
        ("/mise-en-paiement/", False),
    ],
)
def test_what_the_crawl_never_follows(path, skipped):
    assert bool(SKIPPED.search(path + "?")) is skipped
