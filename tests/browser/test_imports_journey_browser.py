"""Issue 15, « Done when » (first point), in a real browser: a manager, starting from an
empty académie, imports the exam referential (CYCLADES), the staff (EPP / SIRHEN), the
STS-WEB files of two establishments and a SANTORIN file — each time seeing the dry run,
applying it and following its job to « Appliqué » — and then sees the teachers'
teachings and SYS competences; the teacher sees the claim SANTORIN filled, its copies
read-only."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.journey_seed import (
    EXAMPLES,
    add_teaching_rule,
    convoke_teacher,
    seed_empty_academy,
)
from tests.conftest import IS_POSTGRES, JobWorker

pytestmark = [
    pytest.mark.browser,
    # A minute of browser: it runs in the SQLite pass. The importers' PostgreSQL writes
    # (COPY, arrays) are tested on both databases by tests/services/test_import_*.py.
    pytest.mark.skipif(IS_POSTGRES, reason="the journey runs in the SQLite pass only"),
]

SHOTS = os.environ.get("IMAGIN_SCREENSHOTS")
TEACHER = "35E0000001MPC"  # Claire LECLERC, in personnels.csv and the first STS file
# The staff file's establishments: the staff import refuses a UAI the académie does not
# have, and only the CYCLADES CENTRE lines create establishments (there is no
# establishments' import), so the journey's CYCLADES file is the example with these
# centres added (UAI, name, category, postcode, town of the demo académie).
CENTRES = (
    ("0350024L", "LGT EMILE ZOLA", "LGT", "35044", "RENNES CEDEX"),
    ("0560026Z", "LGT JOSEPH LOTH", "LGT", "56306", "PONTIVY CEDEX"),
    ("0220056S", "LP ROSA PARKS", "LP", "22110", "ROSTRENEN"),
    ("0221595P", "CLG JULES FERRY", "CLG", "22390", "BOURBRIAC"),
    ("0350042F", "LGT JOLIOT-CURIE", "LGT", "35703", "RENNES CEDEX 7"),
    ("0560051B", "LPO JEAN MACE", "LPO", "56325", "LANESTER CEDEX"),
    ("0351907H", "CLG ROSA PARKS", "CLG", "35064", "RENNES CEDEX"),
)


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def cyclades_file(folder: Path) -> Path:
    text = (EXAMPLES / "cyclades-examens.csv").read_text(encoding="utf-8")
    lines = [
        f"CENTRE;;;;;{name};;;;;{uai};{category};;{postcode};{town};;"
        for uai, name, category, postcode, town in CENTRES
    ]
    path = folder / "cyclades-examens.csv"
    path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def figures(page) -> dict[str, str]:
    """The dry run's figures as the manager reads them: column header → number."""
    table = page.get_by_role("table", name=re.compile("Ce que le fichier changerait"))
    expect(table).to_be_visible()
    headers = table.locator("thead th").all_inner_texts()
    values = table.locator("tbody td").all_inner_texts()
    return dict(zip(headers, values, strict=True))


def import_file(page, kind: str, path: Path, expected: dict[str, str], shown: str) -> None:
    """« Imports »: choose the kind, send the file, read the dry run (its figures and a
    line it lists), « Appliquer », follow the job to « Terminé », see « Appliqué »."""
    page.locator("#imagin-menu").get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", name="Nouvel import")).to_be_visible()
    page.get_by_label(re.compile(re.escape(kind))).check()
    if "STS-WEB" in kind:  # the file's name, as the ministry spells it
        expect(page.locator("#kind-teachings-help")).to_contain_text("STS_EMP_<UAI>_<ANNEE>.xml")
    page.get_by_label(re.compile("Fichier à importer")).set_input_files(str(path))
    page.get_by_role("button", name="Simuler").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+$"))
    expect(page.locator("#import-state")).to_have_text("Simulation affichée")
    expect(page.get_by_role("heading", name=kind)).to_be_visible()
    assert figures(page) == expected
    expect(page.locator("table.imagin-import-group").first).to_contain_text(shown)
    shot(page, f"journey-dry-run-{path.stem}")
    page.get_by_role("button", name="Appliquer").click()
    expect(page).to_have_url(re.compile(r"/traitements/\d+$"))
    expect(page.locator("#job-state")).to_have_text("Terminé", timeout=30000)
    new = expected["Nouveaux"]
    if new != "0":
        expect(page.locator("#job-message")).to_contain_text(f"{new} nouveau(x)")
    page.get_by_role("link", name="Imports").first.click()
    latest = page.get_by_role("table", name="Imports précédents").locator("tbody tr").first
    expect(latest).to_contain_text(path.name)
    expect(latest).to_contain_text("Appliqué")


def counts(lines, new, changed="0", unchanged="0", missing="0", refused="0") -> dict[str, str]:
    return {
        "Lignes": lines,
        "Nouveaux": new,
        "Modifiés": changed,
        "Inchangés": unchanged,
        "Absents du fichier": missing,
        "Lignes refusées": refused,
    }


def test_a_manager_loads_an_empty_academy_from_the_ministrys_files(app, page, tmp_path):
    from app.extensions import db

    with app.app_context():
        seed_empty_academy(db.session, app.appbuilder.sm)
        db.session.commit()
        db.session.remove()

    with JobWorker(app):
        sign_in(page, "gestionnaire")
        import_file(
            page,
            "Référentiel des examens (CYCLADES)",
            cyclades_file(tmp_path),
            counts("20", "20"),
            "BTS",
        )
        import_file(
            page,
            "Personnels (EPP / SIRHEN / AGAPE / RenoiRH)",
            EXAMPLES / "personnels.csv",
            counts("12", "11"),
            TEACHER,
        )
        # The table de correspondance (screen « Table de correspondance », tested in
        # tests/views): MATHEMATIQUES qualifies for BTS 31406 E5. Before the STS files, so
        # that the SYS job their apply starts generates the competences.
        with app.app_context():
            add_teaching_rule(db.session, ("BTS", "31406", "E5"), "061300")
            db.session.commit()
            db.session.remove()
        import_file(
            page,
            "Enseignements (STS-WEB)",
            EXAMPLES / "STS_EMP_0350024L_2026.xml",
            counts("5", "5"),
            "LECLERC",
        )
        import_file(
            page,
            "Enseignements (STS-WEB)",
            EXAMPLES / "STS_EMP_0560026Z_2026.xml",
            counts("3", "3"),
            "DANIEL",
        )
        shot(page, "journey-history")
        page.locator("#imagin-menu").get_by_role("link", name="Traitements en cours").click()
        sys_jobs = page.locator("table.imagin-list tbody tr", has_text="SYS")
        expect(sys_jobs).to_have_count(2)
        for row in range(2):
            expect(sys_jobs.nth(row)).to_contain_text("Terminé", timeout=30000)

        # The written test 218280 (missions' screens, tested elsewhere) and the
        # teacher's convocation, which creates her claim: through the services.
        with app.app_context():
            convoke_teacher(db.session, TEACHER, 218280, ("BTS", "31406", "E5"))
            db.session.commit()
            db.session.remove()
        import_file(
            page,
            "Corrections (SANTORIN)",
            EXAMPLES / "santorin-corrections.csv",
            counts("1", "1"),
            TEACHER,
        )

        # The manager sees the teachers' teachings and their SYS competences.
        page.goto(f"{page.base_url}/competences/gestion/")
        page.locator("table.imagin-list tbody tr", has_text="DANIEL").locator("a").first.click()
        row = page.locator("table.imagin-list tbody tr", has_text="SITUATIONS DE CONTROLE")
        expect(row).to_contain_text("SYS (C)")
        page.get_by_role("link", name="Liste des enseignements").click()
        expect(page.locator("table.imagin-list tbody tr")).to_have_count(3)
        expect(page.locator("table.imagin-list")).to_contain_text("LGT JOSEPH LOTH")
        expect(page.locator("table.imagin-list")).to_contain_text("TRAVAUX DIRIGES")
        shot(page, "journey-teachings")

    # The teacher (her account created on the people's screens: see convoke_teacher)
    # sees her teachings, her SYS competence and the claim SANTORIN filled.
    page.context.clear_cookies()
    sign_in(page, TEACHER)
    page.goto(f"{page.base_url}/competences/consultation/?onglet=enseignements")
    teachings = page.locator("table.imagin-list tbody tr")
    expect(teachings).to_have_count(3)
    expect(teachings.first).to_contain_text("LGT EMILE ZOLA")
    page.get_by_role("link", name="Liste des compétences").click()
    row = page.locator("table.imagin-list tbody tr", has_text="SITUATIONS DE CONTROLE")
    expect(row).to_contain_text("SYS (C)")

    page.locator("#imagin-menu").get_by_role("link", name="Saisie état de frais mission").click()
    conditions = page.get_by_label(
        "J'ai lu et j'accepte les conditions relatives à l'utilisation du service."
    )
    conditions.check()
    page.get_by_role("button", name="Valider").click()
    claim = page.locator("table.imagin-list tbody tr", has_text="218280")
    claim.locator("a").first.click()
    expect(page.locator(".imagin-claim-header")).to_contain_text("Mission N° 218280")
    expect(page.get_by_text("Vous n'avez rien à saisir")).to_be_visible()
    page.locator(".imagin-tabs").get_by_role("link", name="Frais rémunération").click()
    expect(page.locator(".imagin-tabs li.active")).to_have_text("Frais rémunération")
    shot(page, "journey-claim")
    expect(page.get_by_text("Etat de frais rempli automatiquement par SANTORIN.")).to_be_visible()
    expect(page.locator("main")).to_contain_text(re.compile(r"Nombre de copies :\s*112"))
    expect(page.locator("input[name=copies]")).to_have_count(0)
