"""The communes import (La Poste's « base officielle des codes postaux »): the dry run
writes nothing, applying loads one commune per (postcode, name, INSEE code) with its
GPS point, the same file twice changes nothing, both headers La Poste publishes are
read (UTF-8 or Windows-1252), and every wrong line is refused with its line, column,
value and reason; communes no longer in the file are kept."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.services.interfaces.imports import communes
from app.services.interfaces.imports.base import IMPORTERS, FileRefused, LinesRefused, Source
from models import Academy, Commune

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "laposte-codes-postaux.csv"
CLASSIC = (
    "#Code_commune_INSEE;Nom_de_la_commune;Code_postal;Libellé_d_acheminement;Ligne_5;"
    "coordonnees_gps\n"
)
RECENT = (
    "code_commune_insee;nom_de_la_commune;code_postal;libelle_d_acheminement;ligne_5;_geopoint\n"
)


@pytest.fixture
def academy_id(session):
    code = current_app.config["IMAGIN_ACADEMY_CODE"]
    found = session.scalar(select(Academy.id).where(Academy.code == code))
    if found is None:
        academy = Academy(code=code, name="Académie")
        session.add(academy)
        session.flush()
        found = academy.id
    return found


def source(lines: str, header: str = CLASSIC, encoding="utf-8", name="laposte.csv") -> Source:
    return Source(name, (header + lines).encode(encoding))


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(Commune))


def stored(session, postcode: str) -> list[tuple]:
    return session.execute(
        select(Commune.insee_code, Commune.name, Commune.key, Commune.latitude, Commune.longitude)
        .where(Commune.postcode == postcode)
        .order_by(Commune.key)
    ).all()


def refusals(plan) -> list[tuple]:
    return [(r.line, r.column, r.value, str(r.reason)) for r in plan.refusals]


def test_the_importer_is_registered_with_its_columns(app_ctx):
    importer = IMPORTERS["communes"]
    assert str(importer.title) == "Communes et codes postaux (La Poste)"
    assert importer.columns == ("code_commune_insee", "nom_de_la_commune", "code_postal")
    assert {"coordonnees_gps", "_geopoint", "ligne_5"} <= set(importer.optional)


def test_the_dry_run_writes_nothing_and_lieux_dits_are_their_commune(session, academy_id):
    plan = communes.plan(session, academy_id, Source(EXAMPLE.name, EXAMPLE.read_bytes()))
    assert count(session) == 0
    # 36 lines: Rennes under 3 postcodes, Saint-Malo and 2 of its lieux-dits.
    assert plan.lines == 36 and not plan.has_refusals
    assert plan.new.count == 34 and plan.changed.count == plan.unchanged.count == 0
    first = plan.new.first[0]
    assert (first.key, str(first.label), first.detail) == (
        "35000 35238",
        "RENNES",
        "48.111339, -1.680020",
    )
    assert str(plan.notes[0]).startswith("Communes absentes du fichier : conservées")


def test_apply_loads_the_communes_then_the_same_file_changes_nothing(session, academy_id):
    data = Source(EXAMPLE.name, EXAMPLE.read_bytes())
    plan = communes.apply(session, academy_id, data)
    session.commit()
    assert plan.new.count == count(session) == 34
    assert stored(session, "35400") == [
        ("35288", "ST MALO", "ST MALO", Decimal("48.649300"), Decimal("-2.025700"))
    ]
    # A commune without coordinates is kept without.
    assert stored(session, "29990") == [("29083", "ILE DE SEIN", "ILE DE SEIN", None, None)]
    again = communes.apply(session, academy_id, data)
    session.commit()
    assert count(session) == 34
    assert (again.new.count, again.changed.count, again.unchanged.count) == (0, 0, 34)


def test_the_recent_header_and_windows_1252_are_read(session, academy_id):
    lines = "29019;BREST;29200;BREST;;48.3904,-4.4861\n22278;SAINT-BRIEUC;22000;ST BRIEUC;;\n"
    lower = communes.apply(session, academy_id, source(lines, RECENT))
    assert lower.new.count == 2 and not lower.has_refusals
    accented = "97209;FORT-DE-FRANCE;97200;FORT DE FRANCE;;14.6161, -61.0588\n"
    header = "#Code_commune_INSEE;Nom_de_la_commune;Code_postal;Libellé_d_acheminement;Ligne_5;coordonnées_gps\n"
    latin = communes.apply(session, academy_id, source(accented, header, encoding="cp1252"))
    assert latin.new.count == 1
    session.flush()
    assert stored(session, "29200")[0][3:] == (Decimal("48.390400"), Decimal("-4.486100"))
    assert stored(session, "22000") == [("22278", "SAINT-BRIEUC", "SAINT BRIEUC", None, None)]
    assert stored(session, "97200")[0][2] == "FORT DE FRANCE"


def test_a_lieu_dit_with_a_point_gives_it_to_its_commune(session, academy_id):
    lines = "35288;ST MALO;35400;ST MALO;;\n35288;ST MALO;35400;ST MALO;PARAME;48.6493, -2.0257\n"
    plan = communes.apply(session, academy_id, source(lines))
    assert (plan.lines, plan.new.count) == (2, 1)
    session.flush()
    assert stored(session, "35400")[0][3] == Decimal("48.649300")


def test_changed_coordinates_are_shown_then_written(session, academy_id):
    communes.apply(session, academy_id, source("35238;RENNES;35000;RENNES;;48.1, -1.6\n"))
    session.commit()
    moved = source("35238;Rennes;35000;RENNES;;48.1113387, -1.6800198\n")
    plan = communes.plan(session, academy_id, moved)
    assert plan.changed.count == 1
    detail = plan.changed.first[0].detail
    assert "libellé : RENNES → Rennes" in detail
    assert "latitude : 48.100000 → 48.111339" in detail
    communes.apply(session, academy_id, moved)
    session.commit()
    assert stored(session, "35000") == [
        ("35238", "Rennes", "RENNES", Decimal("48.111339"), Decimal("-1.680020"))
    ]


def test_communes_no_longer_in_the_file_are_kept_within_its_departements(session, academy_id):
    communes.apply(
        session,
        academy_id,
        source(
            "35238;RENNES;35000;RENNES;;48.11, -1.68\n35047;BRUZ;35170;BRUZ;;48.02, -1.75\n"
            "29019;BREST;29200;BREST;;48.39, -4.49\n"
        ),
    )
    session.commit()
    plan = communes.apply(session, academy_id, source("35238;RENNES;35000;RENNES;;48.11, -1.68\n"))
    session.commit()
    assert count(session) == 3
    assert [(p.key, str(p.label)) for p in plan.missing.first] == [("35170 35047", "BRUZ")]


def test_each_wrong_line_is_refused_with_its_line_column_value_and_reason(session, academy_id):
    lines = (
        "3523;RENNES;35000;RENNES;;48.11, -1.68\n"  # 2
        "35238;RENNES;3500;RENNES;;48.11, -1.68\n"  # 3
        "35238;;35000;RENNES;;\n"  # 4
        "35238;RENNES;35000;RENNES;;91, -1.68\n"  # 5
        "35238;RENNES;35000;RENNES;;48.11, 181\n"  # 6
        "35238;RENNES;35000;RENNES;;48.11\n"  # 7
        "35238;RENNES;35000;RENNES;;nord, ouest\n"  # 8
        "2A004;AJACCIO;20000;AJACCIO;;41.9267, 8.7369\n"  # 9: valid
    )
    plan = communes.plan(session, academy_id, source(lines))
    point = "coordonnees_gps"
    assert refusals(plan) == [
        (2, "code_commune_insee", "3523", communes.BAD_INSEE),
        (3, "code_postal", "3500", "code postal invalide (5 chiffres attendus)"),
        (4, "nom_de_la_commune", "", "valeur manquante"),
        (5, point, "91, -1.68", "latitude invalide (un nombre entre -90 et 90 attendu)"),
        (
            6,
            point,
            "48.11, 181",
            "longitude invalide (un nombre entre -180 et 180 attendu)",
        ),
        (7, point, "48.11", communes.BAD_POINT),
        (8, point, "nord, ouest", communes.BAD_POINT),
    ]
    assert str(refusals(plan)[0][3]).startswith("code commune INSEE invalide")
    assert plan.new.count == 1
    with pytest.raises(LinesRefused):
        communes.apply(session, academy_id, source(lines))
    assert count(session) == 0
    skipped = communes.apply(session, academy_id, source(lines), skip_refused=True)
    session.flush()
    assert skipped.refused_count == 7 and count(session) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"Code_commune_INSEE,Nom_de_la_commune,Code_postal\n",
            "ne sont pas séparées par « ; »",
        ),
        (b"#Code_commune_INSEE;Nom_de_la_commune\n35238;RENNES\n", "code_postal"),
        ("a;b\n".encode("utf-16"), "ni en UTF-8 ni en Windows-1252"),
        (b"\x00\x01\x02garbage", "n'est pas un fichier texte"),
    ],
)
def test_a_file_that_cannot_be_read_gets_a_french_message(session, academy_id, data, message):
    with pytest.raises(FileRefused) as refused:
        communes.plan(session, academy_id, Source("laposte.csv", data))
    assert message in str(refused.value.message)


def test_the_apply_reports_its_progress_in_chunks(session, academy_id):
    lines = "".join(f"{35000 + n};COMMUNE {n};{35000 + n};X;;48.0, -1.5\n" for n in range(2500))
    reports = []
    communes.apply(session, academy_id, source(lines), progress=lambda d, t: reports.append((d, t)))
    assert reports == [(0, 2500), (2000, 2500), (2500, 2500)]
    session.flush()
    assert count(session) == 2500
