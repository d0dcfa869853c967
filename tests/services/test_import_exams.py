"""The exams' referential (CYCLADES) import: the dry run writes nothing, applying loads
exams, specialties, papers, sessions and exam centres, the same file twice changes
nothing, and every wrong line is refused with its line, column, value and reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.services.interfaces.imports import exams
from app.services.interfaces.imports.base import IMPORTERS, LinesRefused, Source
from models import Academy, Establishment, Exam, ExamSession, Paper, Specialty
from models.enums import EstablishmentCategory

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "cyclades-examens.csv"
HEADER = (
    "nature;code_examen;code_specialite;code_epreuve;session;libelle;libelle_court;annee;"
    "date_debut;date_fin;uai;categorie;adresse;code_postal;commune;latitude;longitude\n"
)
TABLES = (Exam, Specialty, Paper, ExamSession, Establishment)


@pytest.fixture
def academy_id(session, demo):
    code = current_app.config["IMAGIN_ACADEMY_CODE"]
    return session.scalar(select(Academy.id).where(Academy.code == code))


def source(lines: str, name="cyclades.csv") -> Source:
    return Source(name, (HEADER + lines).encode())


def figures(session) -> dict:
    return {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in TABLES}


def refusals(plan) -> list[tuple]:
    return [(r.line, r.column, r.value, str(r.reason)) for r in plan.refusals]


def test_the_importer_is_registered_with_its_columns(app_ctx):
    importer = IMPORTERS["exams"]
    assert str(importer.title) == "Référentiel des examens (CYCLADES)"
    assert importer.columns[0] == "nature" and "latitude" in importer.optional


def test_the_dry_run_writes_nothing_and_shows_what_would_change(session, academy_id):
    before = figures(session)
    plan = exams.plan(session, academy_id, Source(EXAMPLE.name, EXAMPLE.read_bytes()))
    session.rollback()
    assert figures(session) == before
    assert plan.lines == 13 and not plan.has_refusals
    # The demo has the BTS and its specialty 31406 (under a shorter name).
    assert plan.new.count == 11 and plan.changed.count == 1 and plan.unchanged.count == 1
    change = plan.changed.first[0]
    assert change.key == "BTS / 31406"
    assert "COMPTA&GEST. DES ORGANISATIONS → COMPTABILITE ET GESTION" in change.detail
    assert change.detail.startswith("libellé : ")
    new_keys = {p.key for p in plan.new.first}
    assert {"BACPRO", "BTS / 31406 / E4-A", "BACPRO / 23306 / 1-003-1", "0350029S"} <= new_keys
    # Kept, but listed: the demo's other exams, the BTS's other sessions, its centres.
    assert plan.missing.count > 0
    missing = {p.key for p in plan.missing.first}
    assert "DNB" in missing and "0350024L" in missing
    assert "gardés" in str(plan.notes[0]) or "conservés" in str(plan.notes[0])


def test_apply_loads_everything_then_the_same_file_changes_nothing(session, academy_id):
    data = Source(EXAMPLE.name, EXAMPLE.read_bytes())
    before = figures(session)
    plan = exams.apply(session, academy_id, data)
    session.commit()
    after = figures(session)
    assert after["Exam"] == before["Exam"] + 1
    assert after["Specialty"] == before["Specialty"] + 2
    assert after["Paper"] == before["Paper"] + 4
    assert after["ExamSession"] == before["ExamSession"] + 2
    assert after["Establishment"] == before["Establishment"] + 2
    assert plan.new.count == 11
    paper = session.scalar(
        select(Paper).join(Specialty).where(Paper.code == "1-003-1", Specialty.code == "23306")
    )
    assert paper.specialty.exam.code == "BACPRO"
    june = session.scalar(
        select(ExamSession).join(Exam).where(Exam.code == "BACPRO", ExamSession.name == "juin 2027")
    )
    assert (june.year, june.starts_on, june.ends_on) == (
        2027,
        dt.date(2027, 6, 15),
        dt.date(2027, 7, 5),
    )
    centre = session.scalar(select(Establishment).where(Establishment.uai == "0350029S"))
    assert centre.academy_id == academy_id and centre.is_exam_centre
    assert centre.category is EstablishmentCategory.LPO
    assert (centre.latitude, centre.longitude) == (Decimal("48.087700"), Decimal("-1.683300"))
    renamed = session.scalar(select(Specialty).where(Specialty.code == "31406"))
    assert renamed.name == "COMPTABILITE ET GESTION DES ORGANISATIONS"

    again = exams.apply(session, academy_id, data)
    session.commit()
    assert figures(session) == after
    assert (again.new.count, again.changed.count, again.unchanged.count) == (0, 0, 13)


def test_records_no_longer_in_the_file_are_kept(session, academy_id):
    before = figures(session)
    plan = exams.apply(session, academy_id, source("EXAMEN;NEW;;;;NOUVEL EXAMEN;;;;;;;;;;;\n"))
    session.commit()
    assert plan.missing.count == before["Exam"]
    assert figures(session)["Exam"] == before["Exam"] + 1
    # A file of exams alone leaves the specialties, papers and centres out of the count.
    assert all(" / " not in p.key and len(p.key) < 8 for p in plan.missing.first)


def test_each_wrong_line_is_refused_with_its_line_column_value_and_reason(session, academy_id):
    other = Academy(code="OTHER", name="Autre académie")
    session.add(other)
    session.flush()
    session.add(
        Establishment(
            uai="0290001U",
            name="LYCEE AILLEURS",
            category=EstablishmentCategory.LGT,
            academy_id=other.id,
            postcode="29000",
            town="QUIMPER",
        )
    )
    session.flush()
    lines = (
        "EXAMEN;;;;;SANS CODE;;;;;;;;;;;\n"  # 2
        "EXAMEN;X1;;;;PREMIER;;;;;;;;;;;\n"  # 3
        "EXAMEN;X1;;;;DOUBLON;;;;;;;;;;;\n"  # 4
        "SPECIALITE;INCONNU;S1;;;SPECIALITE;;;;;;;;;;;\n"  # 5
        "EPREUVE;X1;S9;E1;;EPREUVE;;;;;;;;;;;\n"  # 6
        "SESSION;X1;;;juin 2027;;;2027;31/02/2027;;;;;;;;\n"  # 7
        "SESSION;X1;;;mai 2027;;;27;01/05/2027;01/04/2027;;;;;;;\n"  # 8
        "CENTRE;;;;;LYCEE;;;;;035002L;LGT;;35000;RENNES;;\n"  # 9
        "CENTRE;;;;;LYCEE;;;;;0350029S;LGT;;35000;RENNES;91;2\n"  # 10
        "CENTRE;;;;;LYCEE;;;;;0350030T;LGT;;35000;RENNES;48,1;-200\n"  # 11
        "CENTRE;;;;;LYCEE;;;;;0351234B;LGT;;35000;RENNES;48,1;\n"  # 12
        "CENTRE;;;;;LYCEE AILLEURS;;;;;0290001U;LGT;;29000;QUIMPER;;\n"  # 13
        "CENTRE;;;;;LYCEE;;;;;0350029S;XYZ;;3500;RENNES;;\n"  # 14
        "AUTRE;X1;;;;?;;;;;;;;;;;\n"  # 15
    )
    plan = exams.plan(session, academy_id, source(lines))
    found = refusals(plan)
    assert (2, "code_examen", "", "valeur manquante") in found
    assert (4, "code_examen", "X1", "clé en double : déjà à la ligne 3") in found
    assert (
        5,
        "code_examen",
        "INCONNU",
        "examen inconnu (ni dans le fichier, ni dans le référentiel)",
    ) in found
    assert (
        6,
        "code_specialite",
        "S9",
        "spécialité inconnue pour cet examen (ni dans le fichier, ni dans le référentiel)",
    ) in found
    assert (7, "date_debut", "31/02/2027", "date invalide (JJ/MM/AAAA attendu)") in found
    assert (8, "annee", "27", "année invalide (4 chiffres attendus)") in found
    assert (8, "date_fin", "01/04/2027", "la date de fin précède la date de début") in found
    assert (
        9,
        "uai",
        "035002L",
        "code UAI invalide (7 chiffres et une lettre clé, par exemple 0350024L)",
    ) in found
    assert (
        10,
        "latitude",
        "91",
        "latitude invalide (un nombre entre -90 et 90 attendu)",
    ) in found
    assert (
        11,
        "longitude",
        "-200",
        "longitude invalide (un nombre entre -180 et 180 attendu)",
    ) in found
    assert (
        12,
        "longitude",
        "",
        "latitude et longitude vont ensemble : donnez les deux ou aucune",
    ) in found
    assert (
        13,
        "uai",
        "0290001U",
        "cet établissement appartient à une autre académie",
    ) in found
    assert any(r[:3] == (14, "categorie", "XYZ") for r in found)
    assert (14, "code_postal", "3500", "code postal invalide (5 chiffres attendus)") in found
    assert any(r[:3] == (15, "nature", "AUTRE") for r in found)
    assert plan.refused_count == len(found) == 15
    # Only the first X1 line is good: the rest are refused.
    assert plan.new.count == 1 and plan.new.first[0].key == "X1"
    assert "Ligne 4, colonne code_examen, valeur « X1 »" in str(plan.refusals[1])


def test_a_file_with_refused_lines_applies_nothing_unless_told_to_skip_them(session, academy_id):
    lines = (
        "EXAMEN;X1;;;;PREMIER;;;;;;;;;;;\n"
        "SPECIALITE;X1;S1;;;SPECIALITE UN;;;;;;;;;;;\n"
        "EPREUVE;X1;S1;E1;;EPREUVE UN;;;;;;;;;;;\n"
        "EPREUVE;X1;S2;E1;;EPREUVE ORPHELINE;;;;;;;;;;;\n"
    )
    before = figures(session)
    with pytest.raises(LinesRefused) as caught:
        exams.apply(session, academy_id, source(lines))
    session.rollback()
    assert figures(session) == before
    assert caught.value.plan.refused_count == 1
    assert str(caught.value.message).startswith("Le fichier contient 1 ligne(s) refusée(s)")

    plan = exams.apply(session, academy_id, source(lines), skip_refused=True)
    session.commit()
    assert plan.new.count == 3 and plan.refused_count == 1
    after = figures(session)
    assert (after["Exam"], after["Specialty"], after["Paper"]) == (
        before["Exam"] + 1,
        before["Specialty"] + 1,
        before["Paper"] + 1,
    )


def test_a_child_line_may_come_before_its_parent_and_the_file_may_be_windows_1252(
    session, academy_id
):
    lines = (
        "EPREUVE;X2;S1;E4-A;;ÉPREUVE ÉCRITE;;;;;;;;;;;\n"
        "SPECIALITE;X2;S1;;;SÉRIE;;;;;;;;;;;\n"
        "EXAMEN;X2;;;;EXAMEN À ACCENTS;X2;;;;;;;;;;\n"
    )
    data = Source("cyclades.csv", (HEADER + lines).encode("cp1252"))
    plan = exams.apply(session, academy_id, data, skip_refused=False)
    session.commit()
    assert plan.new.count == 3 and not plan.has_refusals
    paper = session.scalar(
        select(Paper).where(Paper.code == "E4-A", Paper.name == "ÉPREUVE ÉCRITE")
    )
    assert paper.specialty.exam.name == "EXAMEN À ACCENTS"
