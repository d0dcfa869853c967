"""The staff import (EPP / SIRHEN / AGAPE / RenoiRH) on the demo académie: the dry run,
applying, idempotence, deactivation and reactivation, every refused line with its line
and column, skipping the refused lines, encodings, and what « inactif » means elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.services.interfaces.imports import base
from app.services.interfaces.imports.base import IMPORTERS, FileRefused, LinesRefused, Source
from app.services.interfaces.imports.staff_file import COLUMNS, OPTIONAL
from app.services.missions import convocation
from models import (
    Academy,
    Agent,
    AgentEstablishment,
    Assignment,
    Discipline,
    Establishment,
    ExpenseClaim,
)
from models.enums import AgentKind, Civility, EstablishmentLinkType, SlotDuration
from tests.services.test_convocation import mission

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "personnels.csv"
HEADER = (*COLUMNS, *OPTIONAL)
STAFF = IMPORTERS["staff"]


def line(**values) -> dict:
    """A good line of a new teacher; ``values`` override its columns."""
    row = {
        "numen": "35E2012345XYZ",
        "civilite": "Mme",
        "nom": "RIOU",
        "prenom": "Maëlle",
        "nom_naissance": "",
        "courriel_academique": "maelle.riou@ac-rennes.fr",
        "commune": "RENNES",
        "code_postal": "35000",
        "grade": "PROFESSEUR CERTIFIE",
        "code_discipline": "L1300",
        "libelle_discipline": "MATHEMATIQUES",
        "type_agent": "enseignant",
        "uai": "0350024L",
        "type_etablissement": "PRINCIPAL",
    }
    row.update(values)
    return row


def csv_source(rows, *, encoding="utf-8", name="personnels.csv") -> Source:
    text = "\r\n".join(
        [";".join(HEADER), *(";".join(row.get(column, "") for column in HEADER) for row in rows)]
    )
    return Source(name, (text + "\r\n").encode(encoding))


def example() -> Source:
    return Source("personnels.csv", EXAMPLE.read_bytes())


def example_without(*numens: str) -> Source:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    kept = [lines[0], *(text for text in lines[1:] if text.split(";")[0] not in numens)]
    return Source("personnels.csv", ("\n".join(kept) + "\n").encode())


def agent(session, numen) -> Agent:
    return session.scalar(select(Agent).where(Agent.numen == numen))


def uais(session, numen) -> dict[str, EstablishmentLinkType]:
    return dict(
        session.execute(
            select(Establishment.uai, AgentEstablishment.link_type)
            .join(AgentEstablishment.establishment)
            .join(AgentEstablishment.agent)
            .where(Agent.numen == numen)
        ).all()
    )


def counts(session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count(Agent.id))),
        session.scalar(select(func.count(AgentEstablishment.id))),
        session.scalar(select(func.count(Discipline.id))),
    )


def claims_of(session, agent_id) -> int:
    return session.scalar(
        select(func.count(ExpenseClaim.id))
        .join(ExpenseClaim.assignment)
        .where(Assignment.agent_id == agent_id)
    )


@pytest.fixture
def rennes(demo, session) -> int:
    return session.scalar(select(Academy.id).where(Academy.code == "RENNES"))


# --- Dry run, apply, idempotence -----------------------------------------------------------


def test_the_dry_run_shows_what_would_change_and_writes_nothing(session, rennes):
    before = counts(session)
    plan = STAFF.plan(session, rennes, example())
    assert plan.counts() == {
        "lines": 12,
        "new": 3,
        "changed": 8,  # the demo agents get a grade and an academic e-mail
        "unchanged": 0,
        # The demo agents the example file does not list: the DCS teachers, the EPS
        # teacher and the inspector, and the agents of the head's service fait.
        "missing": 8,
        "refused": 0,
    }
    assert [p.key for p in plan.new.first] == ["35E1512345ABC", "35E1867890DEF", "35A0954321GHI"]
    assert plan.new.first[0].label == "QUEMENER Gwenaëlle"
    assert plan.new.first[0].detail == "0221595P (PRINCIPAL), 0220056S (SECONDAIRE)"
    leclerc = next(p for p in plan.changed.first if p.key == "35E0000001MPC")
    assert "grade : — → PROFESSEUR AGREGE" in leclerc.detail
    assert any("L1400" in str(note) for note in plan.notes)  # a new post discipline
    session.flush()
    assert counts(session) == before
    assert session.scalar(select(Discipline).where(Discipline.code == "L1400")) is None


def test_apply_writes_the_agents_their_establishments_and_disciplines(session, rennes):
    leclerc = agent(session, "35E0000001MPC")
    iban, insee, phone = leclerc.iban, leclerc.insee_number, leclerc.phone
    progress = []
    plan = STAFF.apply(
        session, rennes, example(), skip_refused=False, progress=lambda d, t: progress.append(d)
    )
    assert (plan.new.count, plan.changed.count) == (3, 8)
    assert progress[-1] == 19  # 11 in the file, 8 demo agents not in it
    session.flush()

    quemener = agent(session, "35E1512345ABC")
    assert (quemener.civility, quemener.kind, quemener.active) == (
        Civility.MRS,
        AgentKind.TEACHER,
        True,
    )
    assert (quemener.town, quemener.postcode) == ("LOUDEAC", "22600")
    assert quemener.email_professional == "gwenaelle.quemener@ac-rennes.fr"
    assert quemener.post_discipline.code == "L1300"
    assert uais(session, "35E1512345ABC") == {
        "0221595P": EstablishmentLinkType.PRINCIPAL,
        "0220056S": EstablishmentLinkType.SECONDARY,
    }
    tanguy = agent(session, "35E1867890DEF")
    assert (tanguy.post_discipline.code, tanguy.post_discipline.name) == ("L1400", "TECHNOLOGIE")
    nicolas = agent(session, "35A0954321GHI")
    assert nicolas.kind is AgentKind.ADMINISTRATIVE
    assert nicolas.post_discipline is None and uais(session, "35A0954321GHI") == {}

    # What the file does not carry stays: bank details, INSEE number, telephone.
    leclerc = agent(session, "35E0000001MPC")
    assert leclerc.grade == "PROFESSEUR AGREGE"
    assert (leclerc.iban, leclerc.insee_number, leclerc.phone) == (iban, insee, phone)
    # External contributors (no numen) are never touched.
    external = session.scalar(select(Agent).where(Agent.external_id == "EXT35000123"))
    assert external.active is True


def test_the_same_file_twice_changes_nothing(session, rennes):
    STAFF.apply(session, rennes, example(), skip_refused=False, progress=None)
    session.flush()
    before = counts(session)
    again = STAFF.apply(session, rennes, example(), skip_refused=False, progress=None)
    assert again.counts() == {
        "lines": 12,
        "new": 0,
        "changed": 0,
        "unchanged": 11,
        "missing": 0,
        "refused": 0,
    }
    assert counts(session) == before


def test_a_change_says_which_fields_and_establishments(session, rennes):
    STAFF.apply(session, rennes, example(), skip_refused=False, progress=None)
    rows = [line(numen="35E0000003ENS", nom="BERTHELOT", prenom="Julie")]
    rows[0].update(
        courriel_academique="julie.berthelot@ac-rennes.fr",
        code_discipline="L0422",
        libelle_discipline="ANGLAIS",
        grade="PROFESSEUR AGREGE",
        uai="0351907H",
    )
    rows.append({**rows[0], "uai": "0350024L", "type_etablissement": "SECONDAIRE"})
    plan = STAFF.apply(session, rennes, csv_source(rows), skip_refused=False, progress=None)
    [change] = plan.changed.first
    assert change.key == "35E0000003ENS"
    assert "grade : PROFESSEUR CERTIFIE → PROFESSEUR AGREGE" in change.detail
    assert "0350024L : PRINCIPAL → SECONDAIRE" in change.detail
    assert "0351907H (PRINCIPAL)" in change.detail
    session.flush()
    assert uais(session, "35E0000003ENS") == {
        "0351907H": EstablishmentLinkType.PRINCIPAL,
        "0350024L": EstablishmentLinkType.SECONDARY,
    }


def test_an_establishment_no_longer_in_the_file_is_removed(session, rennes):
    STAFF.apply(session, rennes, example(), skip_refused=False, progress=None)
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "35E1512345ABC;Mme;QUEMENER;Gwenaëlle;;gwenaelle.quemener@ac-rennes.fr;LOUDEAC;22600;"
        "PROFESSEUR CERTIFIE;L1300;MATHEMATIQUES;enseignant;0220056S;SECONDAIRE\n",
        "",
    )
    plan = STAFF.apply(
        session, rennes, Source("p.csv", text.encode()), skip_refused=False, progress=None
    )
    [change] = plan.changed.first
    assert change.detail == "établissements retirés : 0220056S"
    session.flush()
    assert uais(session, "35E1512345ABC") == {"0221595P": EstablishmentLinkType.PRINCIPAL}


def test_moving_an_agent_to_another_establishment_keeps_their_claims(session, rennes):
    leclerc = agent(session, "35E0000001MPC")
    claims = claims_of(session, leclerc.id)
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "enseignant;0350024L;PRINCIPAL", "enseignant;0351907H;PRINCIPAL", 1
    )
    plan = STAFF.apply(
        session, rennes, Source("p.csv", text.encode()), skip_refused=False, progress=None
    )
    change = next(p for p in plan.changed.first if p.key == "35E0000001MPC")
    assert "établissements retirés : 0350024L" in change.detail
    session.flush()
    assert uais(session, "35E0000001MPC") == {"0351907H": EstablishmentLinkType.PRINCIPAL}
    assert claims_of(session, leclerc.id) == claims > 0


# --- Deactivation and reactivation ---------------------------------------------------------


def test_an_agent_no_longer_in_the_file_is_deactivated_never_deleted(session, rennes):
    STAFF.apply(session, rennes, example(), skip_refused=False, progress=None)
    links = uais(session, "35E0000008ENS")
    plan = STAFF.apply(
        session, rennes, example_without("35E0000008ENS"), skip_refused=False, progress=None
    )
    assert (plan.missing.count, plan.missing.first[0].key) == (1, "35E0000008ENS")
    assert plan.missing.first[0].label == "GOURVES Erwan"
    session.flush()
    gourves = agent(session, "35E0000008ENS")
    assert gourves is not None and gourves.active is False
    assert uais(session, "35E0000008ENS") == links  # their establishments are kept
    # Deactivated once: a second run does not count them again.
    again = STAFF.plan(session, rennes, example_without("35E0000008ENS"))
    assert (again.missing.count, again.unchanged.count) == (0, 10)

    back = STAFF.apply(session, rennes, example(), skip_refused=False, progress=None)
    [change] = back.changed.first
    assert (change.key, change.detail) == ("35E0000008ENS", "réactivé")
    session.flush()
    assert agent(session, "35E0000008ENS").active is True


def test_a_deactivated_agent_keeps_their_claims_and_is_no_longer_a_candidate(session, rennes):
    leclerc = agent(session, "35E0000001MPC")
    claims = claims_of(session, leclerc.id)
    assert claims > 0
    surveillance = mission(
        session, 900777, [(30, "09:00", SlotDuration.DAY)], paper_code=None, type_code="SURV"
    )
    found = {c.agent.numen for c in convocation.candidates(session, surveillance)}
    assert {"35E0000001MPC", "35E0000005ENS"} <= found

    STAFF.apply(
        session,
        rennes,
        example_without("35E0000001MPC", "35E0000005ENS"),
        skip_refused=False,
        progress=None,
    )
    session.flush()
    found = {c.agent.numen for c in convocation.candidates(session, surveillance)}
    assert "35E0000001MPC" not in found and "35E0000005ENS" not in found
    assert "35E0000003ENS" in found
    assert claims_of(session, leclerc.id) == claims
    assert agent(session, "35E0000001MPC").user_id is not None  # the account stays


# --- Refused lines -------------------------------------------------------------------------

REFUSALS = [
    ({"numen": ""}, "numen", "numen est absent"),
    ({"numen": "35E201234XYZ"}, "numen", "13 caractères"),
    ({"numen": "3XE2012345XYZ"}, "numen", "13 caractères"),
    ({"nom": ""}, "nom", "nom est absent"),
    ({"prenom": ""}, "prenom", "prénom est absent"),
    ({"civilite": "Dr"}, "civilite", "Civilité inconnue"),
    ({"courriel_academique": "maelle.riou@ac-rennes"}, "courriel_academique", "adresse"),
    ({"code_postal": "3500"}, "code_postal", "5 chiffres"),
    ({"uai": "0359999Z"}, "uai", "Aucun établissement"),
    ({"uai": "0650012K"}, "uai", "autre académie"),
    ({"type_etablissement": "TITULAIRE"}, "type_etablissement", "Type d'établissement inconnu"),
    ({"type_agent": "astronaute"}, "type_agent", "Type d'agent inconnu"),
    ({"libelle_discipline": ""}, "libelle_discipline", "libellé"),
    ({"code_discipline": ""}, "code_discipline", "son code"),
    ({"grade": "X" * 61}, "grade", "60 caractères au plus"),
]


@pytest.mark.parametrize(("values", "column", "reason"), REFUSALS)
def test_a_bad_line_is_refused_with_its_line_and_column(session, rennes, values, column, reason):
    rows = [line(numen="35E2099999AAA", nom="AUTRE"), line(**values)]
    before = counts(session)
    plan = STAFF.plan(session, rennes, csv_source(rows))
    [refusal] = plan.refusals
    assert (refusal.line, refusal.column) == (3, column)
    assert reason in str(refusal.reason)
    with pytest.raises(LinesRefused) as refused:
        STAFF.apply(session, rennes, csv_source(rows), skip_refused=False, progress=None)
    assert "1 ligne(s) refusée(s)" in str(refused.value.message)
    session.flush()
    assert counts(session) == before  # nothing written, not even the good line


def test_lines_of_one_numen_must_agree(session, rennes):
    rows = [
        line(),
        line(uai="0351907H", type_etablissement="SECONDAIRE"),
        line(uai="0560026Z", type_etablissement="SECONDAIRE", grade="PROFESSEUR AGREGE"),
        line(uai="0351907H", type_etablissement="SECONDAIRE"),
        line(uai="0220056S", type_etablissement="PRINCIPAL"),
        line(numen="35E2099999AAA", libelle_discipline="MATHS"),
    ]
    plan = STAFF.plan(session, rennes, csv_source(rows))
    found = [(r.line, r.column) for r in plan.refusals]
    assert found == [
        (4, "grade"),  # another grade than line 2
        (5, "uai"),  # numen × UAI twice
        (6, "type_etablissement"),  # a second PRINCIPAL
        (7, "libelle_discipline"),  # another label for L1300
    ]
    assert "ligne 2" in str(plan.refusals[0].reason)
    assert "ligne 3" in str(plan.refusals[1].reason)
    # The agent with a refused line is left as they are; the other is refused too.
    assert plan.new.count == 0


def test_a_numen_of_another_academy_is_refused(session, rennes):
    toulouse = session.scalar(select(Academy).where(Academy.code == "TOULOUSE"))
    session.add(
        Agent(
            academy=toulouse,
            numen="16E2012345XYZ",
            kind=AgentKind.TEACHER,
            last_name="BASTIDE",
            first_name="Paul",
        )
    )
    session.flush()
    plan = STAFF.plan(session, rennes, csv_source([line(numen="16E2012345XYZ")]))
    [refusal] = plan.refusals
    assert (refusal.line, refusal.column, refusal.value) == (2, "numen", "16E2012345XYZ")
    assert "autre académie" in str(refusal.reason)


def test_skip_refused_applies_the_good_lines_only(session, rennes):
    rows = [
        line(),
        line(numen="35E2099999AAA", nom="AUTRE", code_postal="ABCDE"),
        # An agent of the académie with a bad line: left as they are, not deactivated.
        line(numen="35E0000008ENS", nom="GOURVES", prenom="Erwan", civilite="Monsieur"),
    ]
    before_gourves = uais(session, "35E0000008ENS")
    plan = STAFF.apply(session, rennes, csv_source(rows), skip_refused=True, progress=None)
    assert plan.refused_count == 2
    assert plan.new.count == 1
    session.flush()
    assert agent(session, "35E2012345XYZ") is not None
    assert agent(session, "35E2099999AAA") is None
    gourves = agent(session, "35E0000008ENS")
    assert gourves.active is True and gourves.grade is None
    assert uais(session, "35E0000008ENS") == before_gourves
    # The other demo agents are not in the file: deactivated.
    assert agent(session, "35E0000003ENS").active is False


def test_an_agent_without_establishment_is_allowed(session, rennes):
    plan = STAFF.apply(
        session,
        rennes,
        csv_source(
            [line(uai="", type_etablissement="", code_discipline="", libelle_discipline="")]
        ),
        skip_refused=False,
        progress=None,
    )
    assert plan.new.count == 1
    session.flush()
    assert uais(session, "35E2012345XYZ") == {}


def test_a_new_label_renames_the_discipline(session, rennes):
    plan = STAFF.apply(
        session,
        rennes,
        csv_source([line(libelle_discipline="MATHEMATIQUES GENERALES")]),
        skip_refused=False,
        progress=None,
    )
    assert "Discipline(s) de poste renommée(s) : L1300." in [str(note) for note in plan.notes]
    session.flush()
    renamed = session.scalar(select(Discipline).where(Discipline.code == "L1300"))
    assert renamed.name == "MATHEMATIQUES GENERALES"


# --- Reading the file -----------------------------------------------------------------------


def test_a_windows_1252_file_keeps_its_accents(session, rennes):
    rows = [line(nom="LE BRIS", prenom="Gaëlle", commune="PLOËRMEL", code_postal="56800")]
    plan = STAFF.apply(
        session, rennes, csv_source(rows, encoding="cp1252"), skip_refused=False, progress=None
    )
    assert plan.new.first[0].label == "LE BRIS Gaëlle"
    session.flush()
    created = agent(session, "35E2012345XYZ")
    assert (created.first_name, created.town) == ("Gaëlle", "PLOËRMEL")


def test_a_file_without_a_column_or_with_commas_is_refused_whole(session, rennes):
    text = "numen,nom,prenom\n35E2012345XYZ,RIOU,Maëlle\n"
    with pytest.raises(FileRefused) as refused:
        STAFF.plan(session, rennes, Source("p.csv", text.encode()))
    assert "« ; »" in str(refused.value.message)
    text = "numen;nom;prenom\n35E2012345XYZ;RIOU;Maëlle\n"
    with pytest.raises(FileRefused) as refused:
        STAFF.plan(session, rennes, Source("p.csv", text.encode()))
    assert "« courriel_academique »" in str(refused.value.message)


def test_the_example_file_matches_the_documented_columns():
    header = EXAMPLE.read_text(encoding="utf-8").splitlines()[0].split(";")
    # « enseignant_dcs » is left out: the flags stay as they are.
    assert set(header) == set(HEADER) - {"enseignant_dcs"}
    assert base.SEPARATOR == ";"


def test_the_dcs_teacher_flag_is_set_by_its_column_and_kept_when_absent(session, rennes):
    """« enseignant_dcs »: oui / non set the flag; an empty cell or no column keeps it."""
    flagged = line(numen="35E0000003ENS", nom="BERTHELOT", prenom="Julie", enseignant_dcs="oui")
    STAFF.apply(session, rennes, csv_source([flagged]), skip_refused=False, progress=None)
    session.flush()
    assert agent(session, "35E0000003ENS").dcs_teacher is True
    plan = STAFF.apply(
        session,
        rennes,
        csv_source([{**flagged, "enseignant_dcs": ""}]),
        skip_refused=False,
        progress=None,
    )
    session.flush()
    assert plan.counts()["changed"] == 0
    assert agent(session, "35E0000003ENS").dcs_teacher is True
    without = "\r\n".join([";".join(COLUMNS), ";".join(flagged[column] for column in COLUMNS)])
    STAFF.apply(
        session,
        rennes,
        Source("p.csv", (without + "\r\n").encode()),
        skip_refused=False,
        progress=None,
    )
    session.flush()
    assert agent(session, "35E0000003ENS").dcs_teacher is True
    plan = STAFF.apply(
        session,
        rennes,
        csv_source([{**flagged, "enseignant_dcs": "non"}]),
        skip_refused=False,
        progress=None,
    )
    assert "enseignant_dcs : True → False" in plan.changed.first[0].detail
    session.flush()
    assert agent(session, "35E0000003ENS").dcs_teacher is False
    new = line(enseignant_dcs="")
    STAFF.apply(session, rennes, csv_source([new]), skip_refused=False, progress=None)
    session.flush()
    assert agent(session, "35E2012345XYZ").dcs_teacher is False
    with pytest.raises(LinesRefused):
        STAFF.apply(
            session,
            rennes,
            csv_source([{**new, "enseignant_dcs": "peut-être"}]),
            skip_refused=False,
            progress=None,
        )
