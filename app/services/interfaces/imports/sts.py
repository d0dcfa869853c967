"""Reading an STS-WEB « emploi du temps » export: ``STS_EMP_<UAI>_<ANNEE>.xml``, root
``STS_EDT``, the file school software (GEPI, SACoche, Pronote…) imports.

Its shape, as those programs read it::

    STS_EDT
      PARAMETRES
        UAJ CODE="0350024L"                      the establishment
        ANNEE_SCOLAIRE ANNEE="2026"              the school year (named after its September)
      NOMENCLATURES
        MATIERES/MATIERE CODE="061300"           CODE_GESTION, LIBELLE_COURT, LIBELLE_LONG…
        MEFS/MEF CODE="20212010110"              FORMATION, LIBELLE_LONG, LIBELLE_EDITION
      DONNEES
        INDIVIDUS/INDIVIDU ID="3127" TYPE="epp"  SEXE, CIVILITE, NOM_USAGE, NOM_PATRONYMIQUE,
                                                 PRENOM, DATE_NAISSANCE, GRADE, FONCTION…
        STRUCTURE
          DIVISIONS/DIVISION CODE="TES1"         MEFS_APPARTENANCE/MEF_APPARTENANCE CODE,
                                                 SERVICES/SERVICE CODE_MATIERE CODE_MOD_COURS
                                                   ENSEIGNANTS/ENSEIGNANT ID TYPE
          GROUPES/GROUPE CODE="G_LV1"            the same, and DIVISIONS_APPARTENANCE/
                                                 DIVISION_APPARTENANCE CODE

The file is read as a stream (``lxml.etree.iterparse``): each element is dropped once
read, so a 30 MB file keeps memory bounded. Entities are never resolved, no DTD is
loaded, nothing is fetched from the network, and a file declaring a DOCTYPE (where an
"XML bomb" or an external entity would hide) is refused before anything is read.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from lxml import etree

from .base import FileRefused, Source, check_size

ROOT = "STS_EDT"
# STS_EMP_0350024L_2026.xml (the name the ministry's application gives it).
FILE_NAME = re.compile(r"STS_EMP_([0-9]{7}[A-Za-z])_([0-9]{4})", re.IGNORECASE)
UAI = re.compile(r"[0-9]{7}[A-Z]")
# The elements read (each once complete); the others are only parsed.
READ = ("UAJ", "ANNEE_SCOLAIRE", "MATIERE", "MEF", "INDIVIDU", "DIVISION", "GROUPE")

# CODE_MOD_COURS → the label the « Liste des enseignements » shows (the national
# nomenclature of course modalities); an unknown code is kept as it is.
MODALITIES = {
    "CG": "COURS GENERAL",
    "EC": "ENSEIGNEMENT COMPLEMENTAIRE",
    "AT": "ATELIER",
    "TD": "TRAVAUX DIRIGES",
    "AP": "ATELIER DE PRATIQUE",
    "TP": "TRAVAUX PRATIQUES",
    "AI": "AIDE INDIVIDUALISEE - SOUTIEN",
    "PL": "PLURIDISCIPLINAIRE",
    "MO": "MODULE MONO-DISCIPLINAIRE",
}


@dataclass(frozen=True)
class Individual:
    """An INDIVIDU of the file (a teacher, a head…)."""

    id: str
    line: int
    last_name: str  # NOM_USAGE
    birth_name: str  # NOM_PATRONYMIQUE
    first_name: str  # PRENOM
    civility: str  # CIVILITE (1 M., 2 Mme, 3 Mlle), else SEXE (1 man, 2 woman)
    birth_date: str  # DATE_NAISSANCE, as written

    @property
    def label(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()


@dataclass(frozen=True)
class Service:
    """A SERVICE of a division or group: a subject, a modality, its teachers
    (ENSEIGNANT ID and line)."""

    line: int
    subject: str
    modality: str
    teachers: tuple[tuple[str, int], ...]


@dataclass
class Structure:
    """A DIVISION or a GROUPE, with its MEFs (code, line), the divisions it draws from
    (a group) and its services."""

    code: str
    line: int
    is_group: bool
    mefs: list[tuple[str, int]] = field(default_factory=list)
    divisions: list[str] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)


@dataclass
class StsFile:
    uai: str = ""
    year: int = 0
    subjects: dict[str, str] = field(default_factory=dict)  # code → label
    mefs: dict[str, str] = field(default_factory=dict)  # code → label
    individuals: dict[str, Individual] = field(default_factory=dict)
    structures: list[Structure] = field(default_factory=list)


def modality_label(code: str) -> str:
    return MODALITIES.get(code.upper(), code.upper())[:40]


def read(source: Source) -> StsFile:
    """The file's content, or ``FileRefused`` (French) for a file that is not an
    STS-WEB export: not XML, another root, a DOCTYPE, no establishment or year."""
    check_size(source)
    parsed = StsFile()
    try:
        # The root first: its start tag is all libxml2 reads of a bomb or another file.
        for _event, root in _events(source, events=("start",)):
            _check_root(source, root)
            break
        else:
            raise FileRefused(_not_sts(source))
        for _event, element in _events(source, events=("end",), tag=READ):
            _read_element(parsed, element)
    except etree.XMLSyntaxError as error:
        line = getattr(error, "lineno", None) or getattr(error, "position", (0,))[0]
        raise FileRefused(
            _l(
                "The file « %(name)s » is not a readable XML file (line %(line)s). An STS-WEB"
                " export « STS_EMP_<UAI>_<YEAR>.xml » is expected.",
                name=source.name,
                line=line or 1,
            )
        ) from None
    _check_parameters(source, parsed)
    return parsed


def _events(source: Source, **options):
    """``iterparse`` without entities, DTD or network; ``tag``: only these elements
    come back to Python, the rest is parsed by libxml2 alone."""
    return etree.iterparse(
        io.BytesIO(source.data),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        **options,
    )


def _check_root(source: Source, root) -> None:
    info = root.getroottree().docinfo
    if info.internalDTD is not None or info.system_url or info.public_id or info.doctype:
        raise FileRefused(
            _l(
                "The file « %(name)s » declares a DTD or entities (<!DOCTYPE>): an STS-WEB"
                " export has none, it is refused without being read.",
                name=source.name,
            )
        )
    if root.tag != ROOT:
        raise FileRefused(
            _l(
                "The file « %(name)s » is an XML file whose root is « %(root)s », not"
                " « STS_EDT »: it is not an STS-WEB « emploi du temps » export.",
                name=source.name,
                root=str(root.tag)[:40],
            )
        )


def _not_sts(source: Source):
    return _l(
        "The file « %(name)s » is not an STS-WEB « emploi du temps » export (root « STS_EDT »).",
        name=source.name,
    )


def _check_parameters(source: Source, parsed: StsFile) -> None:
    if not UAI.fullmatch(parsed.uai):
        raise FileRefused(
            _l(
                "The file « %(name)s » gives no establishment (PARAMETRES/UAJ, attribute"
                " CODE): it is not a complete STS-WEB export.",
                name=source.name,
            )
        )
    if not parsed.year:
        raise FileRefused(
            _l(
                "The file « %(name)s » gives no school year (PARAMETRES/ANNEE_SCOLAIRE,"
                " attribute ANNEE): it is not a complete STS-WEB export.",
                name=source.name,
            )
        )
    named = FILE_NAME.search(source.name)
    if named and (named.group(1).upper() != parsed.uai or int(named.group(2)) != parsed.year):
        raise FileRefused(
            _l(
                "The file « %(name)s » holds the establishment %(uai)s and the year"
                " %(year)s, which its name contradicts: check that it is the right file.",
                name=source.name,
                uai=parsed.uai,
                year=parsed.year,
            )
        )


def _text(element, tag: str) -> str:
    return (element.findtext(tag) or "").strip()


def _read_element(parsed: StsFile, element) -> None:
    """Keep what an element says once it is complete, then drop it (and the siblings
    read before it) from the tree."""
    parent = element.getparent()
    if parent is None:
        return
    tag, holder = element.tag, parent.tag
    if holder == "PARAMETRES":
        if tag == "UAJ":
            parsed.uai = (element.get("CODE") or "").strip().upper()
        elif tag == "ANNEE_SCOLAIRE":
            year = (element.get("ANNEE") or "").strip()
            parsed.year = int(year) if re.fullmatch(r"[0-9]{4}", year) else 0
    elif tag == "MATIERE" and holder == "MATIERES":
        code = (element.get("CODE") or element.get("CODE_MATIERE") or "").strip()
        label = _text(element, "LIBELLE_LONG") or _text(element, "LIBELLE_COURT")
        if code:
            parsed.subjects[code] = label or _text(element, "LIBELLE_EDITION") or code
    elif tag == "MEF" and holder == "MEFS":
        code = (element.get("CODE") or element.get("CODE_MEF") or "").strip()
        label = _text(element, "LIBELLE_LONG") or _text(element, "FORMATION")
        if code:
            parsed.mefs[code] = label or _text(element, "LIBELLE_EDITION") or code
    elif tag == "INDIVIDU" and holder == "INDIVIDUS":
        ident = (element.get("ID") or "").strip()
        if ident:
            parsed.individuals[ident] = Individual(
                id=ident,
                line=element.sourceline or 0,
                last_name=_text(element, "NOM_USAGE") or _text(element, "NOM_PATRONYMIQUE"),
                birth_name=_text(element, "NOM_PATRONYMIQUE"),
                first_name=_text(element, "PRENOM"),
                civility=_civility(element),
                birth_date=_text(element, "DATE_NAISSANCE"),
            )
    elif (tag, holder) in (("DIVISION", "DIVISIONS"), ("GROUPE", "GROUPES")):
        parsed.structures.append(_structure(element, is_group=tag == "GROUPE"))
    else:
        return
    element.clear(keep_tail=False)
    while element.getprevious() is not None:
        del parent[0]


def _civility(element) -> str:
    civility = _text(element, "CIVILITE")
    if civility in ("1", "2", "3"):
        return "M." if civility == "1" else "Mme"
    sex = _text(element, "SEXE")
    return {"1": "M.", "2": "Mme"}.get(sex, "")


def _structure(element, *, is_group: bool) -> Structure:
    """A DIVISION or GROUPE, read by walking its children (no XPath: thousands of
    services per file)."""
    structure = Structure(
        code=(element.get("CODE") or "").strip(),
        line=element.sourceline or 0,
        is_group=is_group,
    )
    for part in element:
        if part.tag == "MEFS_APPARTENANCE":
            for mef in part:
                code = (mef.get("CODE") or mef.findtext("CODE_MEF") or "").strip()
                if code:
                    structure.mefs.append((code, mef.sourceline or 0))
        elif part.tag == "DIVISIONS_APPARTENANCE":
            for division in part:
                code = (division.get("CODE") or "").strip()
                if code:
                    structure.divisions.append(code)
        elif part.tag == "SERVICES":
            structure.services.extend(_service(service) for service in part)
    return structure


def _service(service) -> Service:
    teachers = []
    for group in service:
        if group.tag == "ENSEIGNANTS":
            teachers.extend(
                ((teacher.get("ID") or "").strip(), teacher.sourceline or 0) for teacher in group
            )
    return Service(
        line=service.sourceline or 0,
        subject=(service.get("CODE_MATIERE") or "").strip(),
        modality=(service.get("CODE_MOD_COURS") or "CG").strip() or "CG",
        teachers=tuple(teachers),
    )
