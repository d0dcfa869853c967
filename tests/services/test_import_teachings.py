"""The teachings import (STS-WEB « emploi du temps » files): reading the file, the dry
run, the apply, idempotence, deactivation and reactivation, the refused lines, the
refused files (XML bombs included) and the job that generates the SYS competences."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.jobs import runner
from app.seeds import sts_files
from app.services.competences import regeneration
from app.services.competences import rules as competences
from app.services.interfaces.imports import teachings as importer
from app.services.interfaces.imports.base import IMPORTERS, FileRefused, LinesRefused, Source
from models import (
    Academy,
    Agent,
    AgentEstablishment,
    Competence,
    Establishment,
    Job,
    Mef,
    Subject,
    Teaching,
)
from models.enums import AgentKind, Civility, EstablishmentLinkType, JobState

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "STS_EMP_0350024L_2026.xml"


@pytest.fixture
def rennes(session, demo):
    return session.scalar(select(Academy).where(Academy.code == "RENNES")).id


@pytest.fixture
def year():
    return competences.school_year()


def source(export: sts_files.StsExport) -> Source:
    return Source(export.file_name, export.xml())


def line_of(data: bytes, fragment: str) -> int:
    """The line number (from 1) of the first line of the file holding ``fragment``."""
    for number, line in enumerate(data.decode("iso-8859-1").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def counts(session) -> dict[str, int]:
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (Teaching, Subject, Mef, Job)
    }


def zola_teachings(session, year):
    return session.scalars(
        select(Teaching)
        .join(Establishment, Establishment.id == Teaching.establishment_id)
        .where(Establishment.uai == "0350024L", Teaching.school_year == year)
    ).all()


def agent(session, last_name) -> Agent:
    return session.scalar(select(Agent).where(Agent.last_name == last_name))


def test_the_importer_is_registered_for_xml_files():
    assert IMPORTERS["teachings"].extensions == (".xml",)
    assert IMPORTERS["teachings"].plan is importer.plan


def test_the_shipped_example_is_read_and_its_teachers_are_the_demo_ones(session, rennes):
    data = EXAMPLE.read_bytes()
    parsed = importer.sts.read(Source(EXAMPLE.name, data))
    assert (parsed.uai, parsed.year) == ("0350024L", 2026)
    assert parsed.subjects["061300"] == "MATHEMATIQUES"
    assert parsed.mefs["20212010110"] == "TERMINALE ECONOMIQUE ET SOCIALE"
    claire = parsed.individuals["3101"]
    assert (claire.last_name, claire.first_name, claire.civility) == ("LECLERC", "Claire", "Mme")
    assert claire.line == line_of(data, '<INDIVIDU ID="3101"')
    group = next(s for s in parsed.structures if s.code == "1G_ANG1")
    assert group.is_group and group.divisions == ["1G1", "1G2"]
    assert group.services[0].subject == "030201"

    plan = importer.plan(session, rennes, Source(EXAMPLE.name, data))
    assert plan.refusals == []
    assert plan.new.count + plan.changed.count == 5
    shown = {preview.key for preview in plan.new.first + plan.changed.first}
    assert shown == {"35E0000001MPC", "35E0000003ENS", "35E0000004ENS"}  # LECLERC, …


def test_the_dry_run_writes_nothing(session, rennes, year):
    before = counts(session)
    plan = importer.plan(session, rennes, source(sts_files.demo_export(year)))
    session.flush()
    assert counts(session) == before
    # The demo has these five lines already, without their divisions.
    assert (plan.new.count, plan.changed.count, plan.unchanged.count) == (0, 5, 0)
    assert plan.missing.count == 0
    assert plan.counts()["lines"] == 5
    details = {p.label: p.detail for p in plan.changed.first}
    cadiou = "CADIOU Pierre – HISTOIRE-GEOGRAPHIE – TERMINALE ECONOMIQUE ET SOCIALE – COURS GENERAL"
    assert details[cadiou].endswith("— → TES1, TES2")


def test_apply_writes_the_lines_and_starts_the_competence_job(session, rennes, year):
    export = sts_files.demo_export(year)
    export.people.append(sts_files.Person("3200", "Guéguen", "anne-marie", "2"))
    newcomer = add_agent(session, rennes, "GUEGUEN", "Anne-Marie")
    export.structures[2].services.append(sts_files.Service("061300", ["3200"], modality="TD"))
    plan = importer.apply(session, rennes, source(export))
    assert (plan.new.count, plan.changed.count) == (1, 5)

    rows = {
        (t.agent.last_name, t.subject.code, t.mef.code, t.modality): (t.divisions, t.active)
        for t in zola_teachings(session, year)
    }
    assert rows[("LECLERC", "061300", "20212010110", "COURS GENERAL")] == ("TES1, TES2", True)
    assert rows[("BERTHELOT", "030201", "20111010110", "COURS GENERAL")] == ("1G1, 1G2", True)
    assert rows[("GUEGUEN", "061300", "20111010110", "TRAVAUX DIRIGES")] == ("1G1", True)
    job = session.scalar(select(Job).where(Job.kind == regeneration.KIND))
    assert job.state is JobState.QUEUED
    wanted = json.loads(job.input_data)
    assert wanted["year"] == year
    assert newcomer.id in wanted["agent_ids"]
    assert agent(session, "LECLERC").id in wanted["agent_ids"]
    assert agent(session, "MORVAN").id not in wanted["agent_ids"]  # teaches nothing


def test_importing_the_same_file_twice_changes_nothing(session, rennes, year):
    export = sts_files.demo_export(year)
    importer.apply(session, rennes, source(export))
    session.commit()
    jobs = session.scalar(select(func.count()).select_from(Job))
    before = counts(session)
    again = importer.apply(session, rennes, source(export))
    assert (again.new.count, again.changed.count, again.missing.count) == (0, 0, 0)
    assert again.unchanged.count == 5
    assert counts(session) == before
    assert session.scalar(select(func.count()).select_from(Job)) == jobs  # no job: no change


def test_a_line_no_longer_in_the_file_is_deactivated_then_reactivated(session, rennes, year):
    full = sts_files.demo_export(year)
    importer.apply(session, rennes, source(full))
    claire = agent(session, "LECLERC")
    assert len(competences.teachings_of(session, claire)) == 3

    cadiou = agent(session, "CADIOU")
    shorter = sts_files.demo_export(year)
    shorter.structures = [s for s in shorter.structures if s.code != "BTS2BQ"]
    for structure in shorter.structures:  # CADIOU no longer teaches here
        structure.services = [s for s in structure.services if s.teachers != ["3103"]]
    plan = importer.apply(session, rennes, source(shorter))
    assert (plan.missing.count, plan.unchanged.count) == (2, 3)
    gone = [t for t in zola_teachings(session, year) if not t.active]
    assert {(t.agent_id, t.mef.code) for t in gone} == {
        (claire.id, "32031210210"),
        (cadiou.id, "20212010110"),
    }  # kept, inactive
    assert {t.mef.code for t in competences.teachings_of(session, claire)} == {
        "20212010110",
        "20111010110",
    }
    assert competences.teachings_of(session, cadiou) == []
    # No competence is generated from an inactive teaching.
    session.execute(Competence.__table__.delete().where(Competence.agent_id == cadiou.id))
    assert competences.generate(session, year=year, agent_ids=[cadiou.id]).created == 0

    back = importer.apply(session, rennes, source(full))
    assert (back.changed.count, back.unchanged.count, back.missing.count) == (2, 3, 0)
    assert (
        "reactivated" in back.changed.first[0].detail or "réactivé" in back.changed.first[0].detail
    )
    assert all(t.active for t in zola_teachings(session, year))
    assert len(competences.teachings_of(session, claire)) == 3


def add_agent(session, academy_id, last_name, first_name, uai="0350024L", **values) -> Agent:
    establishment = session.scalar(select(Establishment).where(Establishment.uai == uai))
    new = Agent(
        academy_id=academy_id,
        kind=AgentKind.TEACHER,
        numen=values.pop("numen", f"35E{abs(hash(last_name + first_name)) % 10**7:07d}XYZ"),
        last_name=last_name,
        first_name=first_name,
        **values,
    )
    new.establishments = [
        AgentEstablishment(
            establishment_id=establishment.id, link_type=EstablishmentLinkType.PRINCIPAL
        )
    ]
    session.add(new)
    session.flush()
    return new


def test_an_unknown_teacher_is_a_refused_line_and_nothing_is_written(session, rennes, year):
    export = sts_files.demo_export(year)
    export.people.append(sts_files.Person("3300", "INCONNU", "Paul", "1"))
    # DANIEL Sophie exists, but in another establishment: not this file's teacher.
    export.people.append(sts_files.Person("3301", "DANIEL", "Sophie", "2"))
    export.structures[0].services.append(sts_files.Service("001600", ["3300", "3301"]))
    data = export.xml()
    plan = importer.plan(session, rennes, Source(export.file_name, data))
    refused = {r.value: r for r in plan.refusals}
    assert set(refused) == {"INCONNU Paul (ID 3300)", "DANIEL Sophie (ID 3301)"}
    unknown = refused["INCONNU Paul (ID 3300)"]
    assert (unknown.line, unknown.column) == (line_of(data, '<INDIVIDU ID="3300"'), "INDIVIDU")
    assert "nom et ce prénom" in str(unknown) or "name and first name" in str(unknown)

    before = counts(session)
    with pytest.raises(LinesRefused) as refusal:
        importer.apply(session, rennes, Source(export.file_name, data))
    assert refusal.value.plan.refused_count == 2
    assert counts(session) == before
    # The manager may choose to import the file without them.
    skipped = importer.apply(session, rennes, Source(export.file_name, data), skip_refused=True)
    assert skipped.changed.count == 5 and skipped.refused_count == 2
    assert counts(session)["Teaching"] == before["Teaching"]


def test_two_agents_of_the_same_name_are_told_apart_or_refused(session, rennes, year):
    add_agent(
        session,
        rennes,
        "Leclerc",
        "CLAIRE",
        numen="35E0000099ENS",
        birth_name="KERBRAT",
        civility=Civility.MRS,
    )
    export = sts_files.demo_export(year)
    plan = importer.plan(session, rennes, source(export))
    [ambiguous] = plan.refusals
    assert ambiguous.value == "LECLERC Claire (ID 3101)"
    assert "35E0000099ENS" in str(ambiguous.reason) and "35E0000001MPC" in str(ambiguous.reason)
    # Her birth name in the file tells them apart.
    export.people[0].birth_name = "KERBRAT"
    plan = importer.plan(session, rennes, source(export))
    assert plan.refusals == []
    assert "35E0000099ENS" in {p.key for p in plan.new.first}


def test_an_unknown_subject_or_mef_is_a_refused_line(session, rennes, year):
    export = sts_files.demo_export(year)
    export.structures[0].services.append(sts_files.Service("999999", ["3101"]))
    export.structures.append(
        sts_files.Structure("XX1", ["99999999999"], [sts_files.Service("061300", ["3101"])])
    )
    data = export.xml()
    plan = importer.plan(session, rennes, Source(export.file_name, data))
    by_column = {r.column: r for r in plan.refusals}
    subject = by_column["CODE_MATIERE"]
    assert (subject.line, subject.value) == (line_of(data, 'CODE_MATIERE="999999"'), "999999")
    mef = by_column["MEF_APPARTENANCE"]
    assert (mef.line, mef.value) == (line_of(data, 'CODE="99999999999"'), "99999999999")
    assert plan.refused_count == 2


def test_subjects_and_mefs_of_the_nomenclature_are_added_and_renamed(session, rennes, year):
    export = sts_files.demo_export(year)
    export.subjects["062600"] = "PHYSIQUE-CHIMIE"
    export.subjects["061300"] = "MATHEMATIQUES (TRONC COMMUN)"
    export.mefs["21131015110"] = "1ERE STMG"
    export.structures.append(
        sts_files.Structure("1STMG1", ["21131015110"], [sts_files.Service("062600", ["3101"])])
    )
    plan = importer.plan(session, rennes, source(export))
    assert plan.new.count == 1
    assert session.scalar(select(Subject).where(Subject.code == "062600")) is None
    importer.apply(session, rennes, source(export))
    assert session.scalar(select(Subject.name).where(Subject.code == "062600")) == "PHYSIQUE-CHIMIE"
    assert session.scalar(select(Subject.name).where(Subject.code == "061300")) == (
        "MATHEMATIQUES (TRONC COMMUN)"
    )
    assert session.scalar(select(Mef.name).where(Mef.code == "21131015110")) == "1ERE STMG"
    [new] = [t for t in zola_teachings(session, year) if t.subject.code == "062600"]
    assert (new.mef.code, new.divisions, new.agent.last_name) == (
        "21131015110",
        "1STMG1",
        "LECLERC",
    )


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE STS_EDT [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<STS_EDT><PARAMETRES><UAJ CODE="0350024L"/><ANNEE_SCOLAIRE ANNEE="2026"/></PARAMETRES>
<NOMENCLATURES><MATIERES><MATIERE CODE="061300"><LIBELLE_LONG>&g;</LIBELLE_LONG></MATIERE>
</MATIERES></NOMENCLATURES></STS_EDT>
"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE STS_EDT [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<STS_EDT><PARAMETRES><UAJ CODE="0350024L"/><ANNEE_SCOLAIRE ANNEE="2026"/></PARAMETRES>
<NOMENCLATURES><MATIERES><MATIERE CODE="061300"><LIBELLE_LONG>&secret;</LIBELLE_LONG>
</MATIERE></MATIERES></NOMENCLATURES></STS_EDT>
"""


@pytest.mark.parametrize("data", [BOMB, EXTERNAL], ids=["billion-laughs", "external-entity"])
def test_an_xml_bomb_or_an_external_entity_is_refused_unread(session, rennes, data):
    before = counts(session)
    started = time.monotonic()
    with pytest.raises(FileRefused) as refusal:
        importer.plan(session, rennes, Source("STS_EMP_0350024L_2026.xml", data))
    assert time.monotonic() - started < 2  # never expanded (20**6 × 64 bytes if it were)
    message = str(refusal.value.message)
    assert "DOCTYPE" in message and "STS_EMP_0350024L_2026.xml" in message
    assert "root:" not in message
    with pytest.raises(FileRefused):
        importer.apply(session, rennes, Source("STS_EMP_0350024L_2026.xml", data))
    assert counts(session) == before


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
        b"NOM;PRENOM;MATIERE\nLECLERC;Claire;061300\n",
        b"<STS_EDT><PARAMETRES><UAJ CODE='0350024L'></PARAMETRES>",
    ],
    ids=["binary", "csv", "truncated"],
)
def test_a_file_that_is_not_xml_is_refused(session, rennes, data):
    with pytest.raises(FileRefused) as refusal:
        importer.plan(session, rennes, Source("STS_EMP_0350024L_2026.xml", data))
    message = str(refusal.value.message)
    assert "XML" in message and "STS_EMP_0350024L_2026.xml" in message


def test_another_xml_file_is_refused_by_its_root(session, rennes):
    data = b'<?xml version="1.0"?>\n<BEE_ELEVES VERSION="3.0"><PARAMETRES/></BEE_ELEVES>'
    with pytest.raises(FileRefused) as refusal:
        importer.plan(session, rennes, Source("ElevesSansAdresses.xml", data))
    assert "BEE_ELEVES" in str(refusal.value.message)
    assert "STS_EDT" in str(refusal.value.message)


def test_an_establishment_outside_the_academie_or_a_wrong_name_is_refused(session, rennes, year):
    toulouse = sts_files.demo_export(year)
    toulouse.uai = "0650012K"  # LG MICHELET, académie de Toulouse
    with pytest.raises(FileRefused) as refusal:
        importer.plan(session, rennes, source(toulouse))
    assert "0650012K" in str(refusal.value.message)
    unknown = sts_files.demo_export(year)
    unknown.uai = "0359999Z"
    with pytest.raises(FileRefused):
        importer.plan(session, rennes, source(unknown))
    renamed = sts_files.demo_export(year)
    with pytest.raises(FileRefused) as refusal:
        importer.plan(session, rennes, Source(f"STS_EMP_0560026Z_{year}.xml", renamed.xml()))
    assert "0350024L" in str(refusal.value.message)
    # A file renamed without the ministry's pattern is read by its content.
    plan = importer.plan(session, rennes, Source("emploi-du-temps.xml", renamed.xml()))
    assert plan.changed.count == 5


def test_the_competence_job_generates_the_sys_competences(app, session, rennes, year):
    newcomer = add_agent(session, rennes, "GUEGUEN", "Anne")
    export = sts_files.demo_export(year)
    export.people.append(sts_files.Person("3200", "GUEGUEN", "Anne", "2"))
    export.structures[0].services.append(sts_files.Service("061300", ["3200"]))
    importer.apply(session, rennes, source(export))
    job_id = session.scalar(select(Job.id).where(Job.kind == regeneration.KIND))
    session.commit()
    assert session.scalar(select(func.count()).where(Competence.agent_id == newcomer.id)) == 0

    runner.run(app, job_id, last_attempt=True)

    session.expire_all()
    job = session.get(Job, job_id)
    assert job.state is JobState.DONE, job.message
    generated = {
        c.paper.code: competences.trail_text(c)
        for c in competences.competences_of(session, newcomer)
    }
    assert generated == {"MATS": "SYS (C)", "U3": "SYS (C)"}  # the demo's rules of maths
    assert "2" in job.message  # « … 2 created … »


def test_the_lists_of_teachings_show_the_active_ones_only(app, log_in, demo):
    from app.extensions import db
    from tests.conftest import login
    from tests.views.helpers import text
    from tests.views.test_competences import rows

    with app.app_context():
        academy = db.session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        export = sts_files.demo_export(competences.school_year())
        export.structures = [s for s in export.structures if s.code != "BTS2BQ"]
        importer.apply(db.session, academy, source(export))
        db.session.commit()
    teacher = log_in("enseignant")
    page = teacher.get("/competences/consultation/?onglet=enseignements")
    shown = {cells[1] for cells, _struck in rows(page.text)}
    assert shown == {"TERMINALE ECONOMIQUE ET SOCIALE", "1ERE GENERALE"}  # not 2BTS2 BANQUE
    manager = app.test_client()
    assert login(manager, "gestionnaire").status_code == 302
    listing = text(manager.get("/teachingmodelview/list/?psize_TeachingModelView=50").text)
    assert "TES1, TES2" in listing and "1G1, 1G2" in listing
    assert "2BTS2 BANQUE" not in listing
