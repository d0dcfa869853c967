"""Statuses explained on the agent's list of claims, and the greyed tabs of a claim."""

import re

from tests.views.helpers import text
from tests.views.test_claims import accept, claim_id


def test_the_list_of_claims_explains_every_status(log_in, demo):
    client = log_in("enseignant")
    accept(client)
    page = client.get("/etats-de-frais/").text
    legend = re.search(r'<details class="imagin-status-legend".*?</details>', page, re.S).group(0)
    assert "Signification des statuts" in text(legend)
    rows = re.findall(
        r'<tr data-status="(\w+)"><th scope="row">([^<]+)</th><td>([^<]+)</td>', legend
    )
    assert len(rows) == 11
    assert rows[5][:2] == ("VALIDATED", "Validé")
    assert text(rows[7][2]).startswith(
        "La mission donne lieu à remboursement de frais de déplacement"
    )


def test_a_greyed_tab_says_why(app, log_in, demo):
    client = log_in("enseignant")
    accept(client)
    page = client.get(f"/etats-de-frais/{claim_id(app, 'LECLERC', 86373)}/suivi").text
    tab = re.search(
        r'<li class="disabled imagin-tab-greyed"><a ([^>]*)>Frais rémunération</a>'
        r"<span ([^>]*)>([^<]*)</span>",
        page,
    )
    assert tab, "the fee tab is shown greyed"
    assert 'aria-disabled="true"' in tab.group(1)
    assert 'aria-describedby="tab-why-remuneration"' in tab.group(1)
    assert "href" not in tab.group(1)
    assert 'id="tab-why-remuneration"' in tab.group(2)
    assert text(tab.group(3)) == "Choisissez d'abord « Je souhaite compléter l'état de frais »."
