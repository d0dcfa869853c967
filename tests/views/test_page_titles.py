"""Each page says what it is: a distinct <title> and one <h1> (issue 18, RGAA 8.6 / 9.1)."""

import re
from html import unescape

from tests.views.test_claims import accept, claim_id


def title(html: str) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip())


def h1s(html: str) -> list[str]:
    return [
        unescape(re.sub(r"<[^>]+>", "", h).strip())
        for h in re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    ]


def test_home_and_not_found_have_their_own_title(log_in, demo):
    client = log_in("enseignant")
    assert title(client.get("/").text) == "Accueil – IMAG'IN"
    missing = client.get("/page-qui-n-existe-pas")
    assert missing.status_code == 404
    assert title(missing.text) == "Erreur 404 – IMAG'IN"


def test_competence_pages_are_named_after_their_activity(log_in, demo):
    client = log_in("enseignant")
    assert title(client.get("/competences/consultation/").text) == (
        "Consultation compétences – IMAG'IN"
    )
    assert title(client.get("/competences/saisie/").text) == "Saisie compétences – IMAG'IN"


def test_each_claim_tab_has_its_own_title(app, log_in, demo):
    client = log_in("enseignant")
    accept(client)
    claim = claim_id(app, "LECLERC", 86373)
    suivi = client.get(f"/etats-de-frais/{claim}/suivi")
    assert title(suivi.text) == "Suivi – Saisie état de frais mission – IMAG'IN"
    # A claim already validated opens all its tabs: each one is named in the title.
    done = claim_id(app, "LECLERC", 77508)
    titles = set()
    for tab, label in (("suivi", "Suivi"), ("recapitulatif", "Récapitulatif")):
        page = client.get(f"/etats-de-frais/{done}/{tab}")
        assert page.status_code == 200
        titles.add(title(page.text))
        assert title(page.text) == f"{label} – Saisie état de frais mission – IMAG'IN"
    assert len(titles) == 2
    # The tabs are a plain navigation: a <nav> with a list of links, the current one marked.
    assert 'role="tablist"' not in suivi.text
    assert re.search(
        r'<nav aria-label="[^"]+">\s*<ul class="nav nav-tabs imagin-tabs">', suivi.text
    )
    assert re.search(r'<a href="[^"]*/suivi" aria-current="page">Suivi</a>', suivi.text)


def test_password_pages_have_a_first_level_heading(client, log_in, demo):
    assert h1s(client.get("/compte/mot-de-passe-oublie").text) == ["Mot de passe oublié"]
    log_in("enseignant")
    assert h1s(client.get("/compte/mot-de-passe").text) == ["Changement de mot de passe"]


def test_the_console_lists_its_messages_without_breaking_the_list(client, demo):
    page = client.get("/page-qui-n-existe-pas")
    messages = re.search(r'<ul class="imagin-console-messages">(.*?)</ul>', page.text, re.S).group(
        1
    )
    items = re.findall(r"<li[^>]*>", messages)
    assert items and all("role=" not in item for item in items)
    assert 'role="alert"' in messages


def test_the_help_of_an_activity_is_named_after_it(log_in, demo):
    client = log_in("enseignant")
    assert title(client.get("/aide").text) == "Aide – IMAG'IN"
    assert title(client.get("/aide?activite=claims_entry").text) == (
        "Aide – Saisie état de frais mission – IMAG'IN"
    )
