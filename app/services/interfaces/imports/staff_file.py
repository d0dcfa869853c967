"""Reading the staff file (EPP / SIRHEN / AGAPE / RenoiRH): one line per agent and
establishment, checked line by line and across the lines of one numen.

What comes out is one ``Person`` per numen (their fields as the ``agent`` table holds
them, and their establishments), the disciplines the file names, and the numens that
have a refused line: such an agent is left as the database has them (neither changed
nor deactivated) when the file is applied without its refused lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Agent, Establishment
from models.enums import AgentKind, Civility, EstablishmentLinkType

from .base import Plan, Source, among, chunks, csv_rows

COLUMNS = (
    "numen",
    "civilite",
    "nom",
    "prenom",
    "courriel_academique",
    "commune",
    "code_postal",
    "grade",
    "code_discipline",
    "libelle_discipline",
    "type_agent",
    "uai",
    "type_etablissement",
)
OPTIONAL = ("nom_naissance", "enseignant_dcs")

# 2 digits (the académie that registered the agent), a letter (the information system:
# E public secondary, P private, G primary, A administration…), 2 digits (the year of
# entry) and 8 characters: 5 digits and 3 letters. E.g. 35E0412345ABC.
NUMEN = re.compile(r"[0-9]{2}[A-Z][0-9]{7}[A-Z]{3}", re.ASCII)
# The WHATWG "valid e-mail address" (what a browser's e-mail field accepts), with a dot
# in the domain: fast enough for 20,000 lines, strict enough to catch a typing slip.
EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+",
    re.ASCII,
)
POSTCODE = re.compile(r"[0-9]{5}", re.ASCII)
UAI = re.compile(r"[0-9]{7}[A-Z]", re.ASCII)

CIVILITIES = {"M.": Civility.MR, "M": Civility.MR, "MME": Civility.MRS}
KINDS = {
    "enseignant": AgentKind.TEACHER,
    "chef": AgentKind.HEAD,
    "inspecteur": AgentKind.INSPECTOR,
    "administratif": AgentKind.ADMINISTRATIVE,
}
LINK_TYPES = {member.value: member for member in EstablishmentLinkType}

# The person's columns: every line of one numen must give the same values. Column of
# the file -> attribute of ``Agent``.
PERSON = {
    "civilite": "civility",
    "nom": "last_name",
    "prenom": "first_name",
    "nom_naissance": "birth_name",
    "courriel_academique": "email_professional",
    "commune": "town",
    "code_postal": "postcode",
    "grade": "grade",
    "type_agent": "kind",
    "enseignant_dcs": "dcs_teacher",
}
# « Enseignant DCS »: an absent column or an empty cell leaves the flag as it is
# (``None`` in ``Person.values``).
FLAGS = {"oui": True, "o": True, "1": True, "non": False, "n": False, "0": False}
KEPT_WHEN_EMPTY = frozenset({"dcs_teacher"})
LENGTHS = {
    "nom": 80,
    "prenom": 80,
    "nom_naissance": 80,
    "courriel_academique": 254,
    "commune": 80,
    "grade": 60,
    "code_discipline": 10,
    "libelle_discipline": 120,
}


@dataclass
class Link:
    """A line's establishment: its type and the post discipline there (a code)."""

    line: int
    uai: str
    link_type: EstablishmentLinkType
    discipline: str | None


@dataclass
class Person:
    numen: str
    line: int  # the first line of the numen
    values: dict  # Agent attribute -> value (civility and kind as enum members)
    raw: dict  # file column -> value as read, to compare the lines of one numen
    links: dict[int, Link] = field(default_factory=dict)  # establishment id -> link
    disciplines: list[str] = field(default_factory=list)  # codes, in the file's order

    @property
    def name(self) -> str:
        return f"{self.values['last_name'].upper()} {self.values['first_name']}"

    @property
    def post_discipline(self) -> str | None:
        """The discipline of the principal establishment, else the first one given."""
        for link in self.links.values():
            if link.link_type is EstablishmentLinkType.PRINCIPAL and link.discipline:
                return link.discipline
        return self.disciplines[0] if self.disciplines else None


@dataclass
class StaffFile:
    persons: dict[str, Person] = field(default_factory=dict)
    disciplines: dict[str, str] = field(default_factory=dict)  # code -> label
    held: set[str] = field(default_factory=set)  # numens with a refused line
    establishments: dict[int, str] = field(default_factory=dict)  # id -> UAI


class _Refused(Exception):
    def __init__(self, column: str, value: str, reason):
        self.column, self.value, self.reason = column, value, reason


def _establishments(session: Session) -> dict[str, tuple[int, int]]:
    """Every establishment: UAI -> (id, académie)."""
    return {
        uai: (id_, academy_id)
        for uai, id_, academy_id in session.execute(
            select(Establishment.uai, Establishment.id, Establishment.academy_id)
        )
    }


def _check_lengths(row: dict) -> None:
    for column, limit in LENGTHS.items():
        value = row.get(column, "")
        if len(value) > limit:
            raise _Refused(column, value, _l("%(max)s characters at most.", max=limit))


def _person(row: dict) -> dict:
    """The person's fields of a line, checked (``_Refused`` on the first fault)."""
    if not row["nom"]:
        raise _Refused("nom", "", _l("The last name is missing."))
    if not row["prenom"]:
        raise _Refused("prenom", "", _l("The first name is missing."))
    _check_lengths(row)
    civility = None
    if row["civilite"]:
        civility = CIVILITIES.get(row["civilite"].upper())
        if civility is None:
            raise _Refused(
                "civilite", row["civilite"], _l("Unknown civility: « M. » or « Mme » expected.")
            )
    email = row["courriel_academique"].lower()
    if email and not EMAIL.fullmatch(email):
        raise _Refused("courriel_academique", email, _l("This e-mail address is not valid."))
    if row["code_postal"] and not POSTCODE.fullmatch(row["code_postal"]):
        raise _Refused("code_postal", row["code_postal"], _l("The postcode must have 5 digits."))
    kind = KINDS.get(row["type_agent"].lower())
    if kind is None:
        raise _Refused(
            "type_agent",
            row["type_agent"],
            _l("Unknown agent type: enseignant, chef, inspecteur or administratif expected."),
        )
    dcs = row.get("enseignant_dcs", "").lower()
    if dcs and dcs not in FLAGS:
        raise _Refused("enseignant_dcs", row["enseignant_dcs"], _l("« oui » or « non » expected."))
    return {
        "dcs_teacher": FLAGS.get(dcs),
        "civility": civility,
        "last_name": row["nom"],
        "first_name": row["prenom"],
        "birth_name": row.get("nom_naissance") or None,
        "email_professional": email or None,
        "town": row["commune"].upper() or None,
        "postcode": row["code_postal"] or None,
        "grade": row["grade"] or None,
        "kind": kind,
    }


def _discipline(row: dict, staff: StaffFile, first_line: dict[str, int]) -> str | None:
    code, label = row["code_discipline"].upper(), row["libelle_discipline"]
    if code and not label:
        raise _Refused(
            "libelle_discipline", "", _l("A discipline code needs its label (libelle_discipline).")
        )
    if label and not code:
        raise _Refused(
            "code_discipline", "", _l("A discipline label needs its code (code_discipline).")
        )
    if not code:
        return None
    known = staff.disciplines.get(code)
    if known is not None and known != label:
        raise _Refused(
            "libelle_discipline",
            label,
            _l(
                "The discipline %(code)s has another label on line %(line)s (« %(label)s »).",
                code=code,
                line=first_line[code],
                label=known,
            ),
        )
    return code


def _link(row: dict, academy_id: int, establishments: dict) -> tuple[int, str, object] | None:
    uai = row["uai"].upper()
    if not uai:
        return None
    found = establishments.get(uai)
    if found is None:
        raise _Refused("uai", uai, _l("No establishment has this UAI in the academy."))
    if found[1] != academy_id:
        raise _Refused("uai", uai, _l("This establishment belongs to another academy."))
    link_type = LINK_TYPES.get(row["type_etablissement"].upper())
    if link_type is None:
        raise _Refused(
            "type_etablissement",
            row["type_etablissement"],
            _l("Unknown establishment type: PRINCIPAL, SECONDAIRE or DIRECTION expected."),
        )
    return found[0], uai, link_type


def read(session: Session, academy_id: int, source: Source, plan: Plan) -> StaffFile:
    """The file's persons, every refused line in ``plan`` (one reason per line: the
    first fault found)."""
    staff = StaffFile()
    establishments = _establishments(session)
    discipline_lines: dict[str, int] = {}
    for number, row in csv_rows(source, COLUMNS, OPTIONAL):
        plan.lines += 1
        numen = row["numen"].upper()
        try:
            if not numen:
                raise _Refused("numen", "", _l("The numen is missing."))
            if not NUMEN.fullmatch(numen):
                raise _Refused(
                    "numen",
                    numen,
                    _l(
                        "A numen has 13 characters: 2 digits, a letter, 7 digits and"
                        " 3 letters (e.g. 35E0412345ABC)."
                    ),
                )
            values = _person(row)
            discipline = _discipline(row, staff, discipline_lines)
            link = _link(row, academy_id, establishments)
            person = staff.persons.get(numen)
            raw = {column: row.get(column, "") for column in PERSON}
            if person is not None:
                _same_person(person, raw)
            if person is not None and link is not None:
                _new_link(person, link)
        except _Refused as refused:
            plan.refuse(number, refused.column, refused.value, refused.reason)
            if NUMEN.fullmatch(numen):
                staff.held.add(numen)
            continue
        if person is None:
            person = staff.persons[numen] = Person(numen, number, values, raw)
        if discipline:
            staff.disciplines.setdefault(discipline, row["libelle_discipline"])
            discipline_lines.setdefault(discipline, number)
            person.disciplines.append(discipline)
        if link is not None:
            establishment_id, uai, link_type = link
            person.links[establishment_id] = Link(number, uai, link_type, discipline)
            staff.establishments[establishment_id] = uai
    _elsewhere(session, academy_id, staff, plan)
    return staff


def _same_person(person: Person, raw: dict) -> None:
    for column, value in raw.items():
        if person.raw[column] != value:
            raise _Refused(
                column,
                value,
                _l(
                    "Duplicated numen with another value: line %(line)s gives « %(value)s ».",
                    line=person.line,
                    value=person.raw[column],
                ),
            )


def _new_link(person: Person, link: tuple) -> None:
    establishment_id, uai, link_type = link
    twin = person.links.get(establishment_id)
    if twin is not None:
        raise _Refused(
            "uai",
            uai,
            _l(
                "Duplicated key: this numen and this UAI are already on line %(line)s.",
                line=twin.line,
            ),
        )
    if link_type is EstablishmentLinkType.PRINCIPAL:
        for other in person.links.values():
            if other.link_type is EstablishmentLinkType.PRINCIPAL:
                raise _Refused(
                    "type_etablissement",
                    link_type.value,
                    _l(
                        "This agent already has a PRINCIPAL establishment on line %(line)s.",
                        line=other.line,
                    ),
                )


def _elsewhere(session: Session, academy_id: int, staff: StaffFile, plan: Plan) -> None:
    """Refuse the persons whose numen an agent of another académie holds (a numen is
    unique nationally): every line of theirs."""
    numens = list(staff.persons)
    taken: set[str] = set()
    for chunk in chunks(numens):
        taken.update(
            session.scalars(
                select(Agent.numen).where(
                    among(session, Agent.numen, chunk), Agent.academy_id != academy_id
                )
            )
        )
    for numen in sorted(taken, key=lambda n: staff.persons[n].line):
        person = staff.persons.pop(numen)
        for line in sorted({person.line, *(link.line for link in person.links.values())}):
            plan.refuse(
                line,
                "numen",
                numen,
                _l("This numen is already held by an agent of another academy."),
            )
