"""Writing STS-WEB « emploi du temps » files (``STS_EMP_<UAI>_<YEAR>.xml``, root
``STS_EDT``) in the shape the ministry's export has: for the tests and the benchmark
(``tools/bench_teachings.py``). ``app.services.interfaces.imports.sts`` reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr


@dataclass
class Person:
    """An INDIVIDU: ``id`` is the file's own identifier (STS), not a numen."""

    id: str
    last_name: str
    first_name: str
    civility: str = "2"  # CIVILITE: 1 M., 2 Mme, 3 Mlle
    birth_name: str = ""
    birth_date: str = "1980-01-01"
    function: str = "ENS"
    discipline: tuple[str, str] = ("L1300", "MATHEMATIQUES")


@dataclass
class Service:
    subject: str
    teachers: list[str]  # INDIVIDU ids
    modality: str = "CG"


@dataclass
class Structure:
    """A DIVISION, or a GROUPE when ``divisions`` (those it draws from) is given."""

    code: str
    mefs: list[str]
    services: list[Service] = field(default_factory=list)
    divisions: list[str] | None = None


@dataclass
class StsExport:
    uai: str
    year: int
    subjects: dict[str, str]
    mefs: dict[str, str]
    people: list[Person]
    structures: list[Structure]
    academy: tuple[str, str] = ("14", "RENNES")
    name: tuple[str, str] = ("LYCEE GENERAL ET TECHNOLOGIQUE", "EMILE ZOLA")

    @property
    def file_name(self) -> str:
        return f"STS_EMP_{self.uai}_{self.year}.xml"

    def xml(self) -> bytes:
        return "".join(self._lines()).encode("iso-8859-1", "xmlcharrefreplace")

    def _lines(self):
        a = quoteattr
        yield '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        yield "<STS_EDT>\n  <PARAMETRES>\n"
        yield f"    <UAJ CODE={a(self.uai)}>\n"
        yield f"      <ACADEMIE>\n        <CODE>{self.academy[0]}</CODE>\n"
        yield f"        <LIBELLE>{self.academy[1]}</LIBELLE>\n      </ACADEMIE>\n"
        yield f"      <DENOM_PRINC>{_t(self.name[0])}</DENOM_PRINC>\n"
        yield f"      <DENOM_COMPL>{_t(self.name[1])}</DENOM_COMPL>\n    </UAJ>\n"
        yield f'    <ANNEE_SCOLAIRE ANNEE="{self.year}">\n'
        yield f"      <DATE_DEBUT>{self.year}-09-01</DATE_DEBUT>\n"
        yield f"      <DATE_FIN>{self.year + 1}-08-31</DATE_FIN>\n    </ANNEE_SCOLAIRE>\n"
        yield f"    <HORODATAGE>15/09/{self.year} 10:12:45</HORODATAGE>\n  </PARAMETRES>\n"
        yield "  <NOMENCLATURES>\n    <MATIERES>\n"
        for code, label in self.subjects.items():
            yield f"      <MATIERE CODE={a(code)}>\n"
            yield f"        <CODE_GESTION>{_t(label[:6].replace(' ', ''))}</CODE_GESTION>\n"
            yield f"        <LIBELLE_COURT>{_t(label[:20])}</LIBELLE_COURT>\n"
            yield f"        <LIBELLE_LONG>{_t(label)}</LIBELLE_LONG>\n"
            yield f"        <LIBELLE_EDITION>{_t(label.capitalize())}</LIBELLE_EDITION>\n"
            yield "      </MATIERE>\n"
        yield "    </MATIERES>\n    <MEFS>\n"
        for code, label in self.mefs.items():
            yield f"      <MEF CODE={a(code)}>\n"
            yield f"        <FORMATION>{_t(label[:15])}</FORMATION>\n"
            yield f"        <LIBELLE_LONG>{_t(label)}</LIBELLE_LONG>\n"
            yield f"        <LIBELLE_EDITION>{_t(label.capitalize())}</LIBELLE_EDITION>\n"
            yield "      </MEF>\n"
        yield "    </MEFS>\n  </NOMENCLATURES>\n  <DONNEES>\n    <INDIVIDUS>\n"
        for person in self.people:
            yield f'      <INDIVIDU ID={a(person.id)} TYPE="epp">\n'
            yield f"        <SEXE>{'1' if person.civility == '1' else '2'}</SEXE>\n"
            yield f"        <CIVILITE>{person.civility}</CIVILITE>\n"
            yield f"        <NOM_USAGE>{_t(person.last_name)}</NOM_USAGE>\n"
            birth = person.birth_name or person.last_name
            yield f"        <NOM_PATRONYMIQUE>{_t(birth)}</NOM_PATRONYMIQUE>\n"
            yield f"        <PRENOM>{_t(person.first_name)}</PRENOM>\n"
            yield f"        <DATE_NAISSANCE>{person.birth_date}</DATE_NAISSANCE>\n"
            yield "        <GRADE>CERT. CL N</GRADE>\n"
            yield f"        <FONCTION>{person.function}</FONCTION>\n"
            code, label = person.discipline
            yield f"        <DISCIPLINES>\n          <DISCIPLINE CODE={a(code)}>\n"
            yield f"            <LIBELLE_COURT>{_t(label)}</LIBELLE_COURT>\n"
            yield "            <NB_HEURES>18</NB_HEURES>\n"
            yield "          </DISCIPLINE>\n        </DISCIPLINES>\n"
            yield "      </INDIVIDU>\n"
        yield "    </INDIVIDUS>\n    <STRUCTURE>\n"
        divisions = [s for s in self.structures if s.divisions is None]
        groups = [s for s in self.structures if s.divisions is not None]
        for tag, structures in (("DIVISION", divisions), ("GROUPE", groups)):
            yield f"      <{tag}S>\n"
            for structure in structures:
                yield from _structure(tag, structure)
            yield f"      </{tag}S>\n"
        yield "    </STRUCTURE>\n  </DONNEES>\n</STS_EDT>\n"


def _t(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _structure(tag: str, structure: Structure):
    a = quoteattr
    yield f"        <{tag} CODE={a(structure.code)}>\n"
    yield f"          <LIBELLE_LONG>{_t(structure.code)}</LIBELLE_LONG>\n"
    yield "          <EFFECTIF_PREVU>30</EFFECTIF_PREVU>\n"
    if structure.divisions is not None:
        yield "          <DIVISIONS_APPARTENANCE>\n"
        for division in structure.divisions:
            yield f"            <DIVISION_APPARTENANCE CODE={a(division)}/>\n"
        yield "          </DIVISIONS_APPARTENANCE>\n"
    yield "          <MEFS_APPARTENANCE>\n"
    for mef in structure.mefs:
        yield f"            <MEF_APPARTENANCE CODE={a(mef)}/>\n"
    yield "          </MEFS_APPARTENANCE>\n          <SERVICES>\n"
    for service in structure.services:
        yield (
            f"            <SERVICE CODE_MATIERE={a(service.subject)}"
            f" CODE_MOD_COURS={a(service.modality)}>\n"
        )
        yield "              <ENSEIGNANTS>\n"
        for teacher in service.teachers:
            yield f'                <ENSEIGNANT ID={a(teacher)} TYPE="epp"/>\n'
        yield "              </ENSEIGNANTS>\n            </SERVICE>\n"
    yield "          </SERVICES>\n"
    yield f"        </{tag}>\n"


def demo_export(year: int) -> StsExport:
    """The STS-WEB file of the demo académie's LGT EMILE ZOLA (0350024L): its teachers
    (Claire LECLERC, Julie BERTHELOT, Pierre CADIOU) and its head, who teaches nothing."""
    return StsExport(
        uai="0350024L",
        year=year,
        subjects={
            "061300": "MATHEMATIQUES",
            "030201": "ANGLAIS LV1",
            "040100": "HISTOIRE-GEOGRAPHIE",
            "001600": "FRANCAIS",
        },
        mefs={
            "20212010110": "TERMINALE ECONOMIQUE ET SOCIALE",
            "20111010110": "1ERE GENERALE",
            "32031210210": "2BTS2 BANQUE",
        },
        people=[
            Person("3101", "LECLERC", "Claire", "2", birth_name="LE GOFF"),
            Person("3102", "BERTHELOT", "Julie", "2", discipline=("L0422", "ANGLAIS")),
            Person("3103", "CADIOU", "Pierre", "1", discipline=("L1000", "HISTOIRE GEOGRAPHIE")),
            Person(
                "3104",
                "MORVAN",
                "Yves",
                "1",
                function="DIR",
                discipline=("D0010", "PERSONNEL DE DIRECTION"),
            ),
        ],
        structures=[
            Structure(
                "TES1",
                ["20212010110"],
                [Service("061300", ["3101"]), Service("040100", ["3103"])],
            ),
            Structure(
                "TES2",
                ["20212010110"],
                [Service("061300", ["3101"]), Service("040100", ["3103"])],
            ),
            Structure("1G1", ["20111010110"], [Service("061300", ["3101"])]),
            Structure("1G2", ["20111010110"], []),
            Structure("BTS2BQ", ["32031210210"], [Service("061300", ["3101"])]),
            Structure(
                "1G_ANG1",
                ["20111010110"],
                [Service("030201", ["3102"])],
                divisions=["1G1", "1G2"],
            ),
        ],
    )
