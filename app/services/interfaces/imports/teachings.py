"""The teachings import: one STS-WEB « emploi du temps » file per establishment and
school year (``sts.read``).

What it loads
-------------
A teaching line is an agent × the file's establishment × a MEF × a subject × a course
modality × the file's school year (the table's unique key), with the divisions it is
taught in (``"1STMG1, 1STMG2"``). A SERVICE of a DIVISION gives the division's MEFs and
the division itself; a SERVICE of a GROUPE gives the group's MEFs (else its divisions')
and the divisions it draws from.

Who is who
----------
The file names a teacher by an STS identifier of its own (INDIVIDU ID), their names,
civility and birth date, but not their numen. A teacher is the agent attached to the
file's establishment whose name (usage or birth name) and first name are the file's,
letters compared without accents, case or punctuation; several such agents are told
apart by birth name and civility. No agent, or several left: the INDIVIDU is a refused
line saying so (IMAG'IN does not hold birth dates, so the file's cannot help).

Subjects and MEFs are national tables: the file's nomenclatures (MATIERES, MEFS) add the
codes IMAG'IN lacks and correct their labels. A code used by a SERVICE that neither the
file's nomenclature nor IMAG'IN knows is a refused line.

The comparison is scoped to the file's establishment and year: new lines, changed ones
(divisions, or a line back in the file: reactivated), unchanged ones, and the lines of
the database the file no longer has, deactivated (never deleted). After an apply, the
SYS competences of the agents touched are generated again by a job.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.services.competences import regeneration
from models import Agent, AgentEstablishment, Establishment, Mef, Subject, Teaching

from . import sts
from .base import FileRefused, Importer, LinesRefused, Plan, Preview, Progress, Source, register

KIND = "teachings"
CHUNK = 5000  # rows per bulk statement
NAME_LENGTH = 120  # Subject.name, Mef.name

# (agent id, MEF code, subject code, modality label)
Key = tuple[int, str, str, str]


@dataclass
class _Existing:
    id: int
    divisions: str
    active: bool


@dataclass
class _Work:
    """What the comparison found: the plan shown, and what an apply writes."""

    plan: Plan
    establishment: Establishment
    year: int
    file: sts.StsFile
    new: dict[Key, str] = field(default_factory=dict)  # key → divisions
    changed: dict[int, str] = field(default_factory=dict)  # teaching id → divisions
    missing: list[int] = field(default_factory=list)  # teaching ids to deactivate
    touched: set[int] = field(default_factory=set)  # agents whose teachings change


# --- Matching a teacher -----------------------------------------------------------------------


def normalized(text: str | None) -> str:
    """Letters and digits only, without accents, upper case, one space between words:
    « Le Gall-Prigent » and « LE GALL PRIGENT » are the same name."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(
        ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch)
    )
    return " ".join(letters.upper().split())


@dataclass(frozen=True)
class _Candidate:
    id: int
    last_name: str
    birth_name: str
    civility: str
    label: str


class _Staff:
    """The agents attached to the establishment, found by name."""

    def __init__(self, session: Session, establishment_id: int) -> None:
        rows = session.execute(
            select(
                Agent.id,
                Agent.last_name,
                Agent.first_name,
                Agent.birth_name,
                Agent.civility,
                Agent.numen,
                Agent.external_id,
            )
            .join(AgentEstablishment, AgentEstablishment.agent_id == Agent.id)
            .where(AgentEstablishment.establishment_id == establishment_id)
        ).all()
        self.by_name: dict[tuple[str, str], list[_Candidate]] = defaultdict(list)
        self.labels: dict[int, str] = {}
        for agent_id, last, first, birth, civility, numen, external_id in rows:
            label = f"{last.upper()} {first} ({numen or external_id or ''})"
            candidate = _Candidate(
                agent_id,
                normalized(last),
                normalized(birth),
                civility.value if civility is not None else "",
                label,
            )
            self.labels[agent_id] = label
            for name in {normalized(last), normalized(birth)} - {""}:
                self.by_name[(name, normalized(first))].append(candidate)

    def match(self, person: sts.Individual) -> tuple[int | None, object | None]:
        """(agent id, None) or (None, the French reason of the refusal)."""
        first = normalized(person.first_name)
        firsts = {first, first.split(" ")[0]} if first else set()
        found: dict[int, _Candidate] = {}
        for name in {normalized(person.last_name), normalized(person.birth_name)} - {""}:
            for given in firsts:
                for candidate in self.by_name.get((name, given), ()):
                    found[candidate.id] = candidate
        candidates = list(found.values())
        if len(candidates) > 1:
            candidates = _narrow(candidates, person)
        if len(candidates) == 1:
            return candidates[0].id, None
        if not candidates:
            return None, _l(
                "no contributor attached to this establishment has this name and first name"
                " (import the staff first, or attach them to the establishment)."
            )
        return None, _l(
            "several contributors of this establishment have this name and first name"
            " (%(agents)s): the file cannot tell which one.",
            agents=", ".join(sorted(c.label for c in candidates)),
        )


def _narrow(candidates: list[_Candidate], person: sts.Individual) -> list[_Candidate]:
    """Several agents of the same name: keep those whose birth name and civility do not
    contradict the file's."""
    birth = normalized(person.birth_name)
    for keep in (
        lambda c: bool(birth) and c.birth_name == birth,
        lambda c: bool(person.civility) and c.civility == person.civility,
    ):
        kept = [c for c in candidates if keep(c)]
        if kept:
            candidates = kept
        if len(candidates) == 1:
            break
    return candidates


# --- The comparison ------------------------------------------------------------------------


def _establishment(session: Session, academy_id: int, source: Source, uai: str) -> Establishment:
    establishment = session.scalar(select(Establishment).where(Establishment.uai == uai))
    if establishment is None or establishment.academy_id != academy_id:
        raise FileRefused(
            _l(
                "The file « %(name)s » is the STS-WEB export of the establishment %(uai)s,"
                " which is not an establishment of your académie.",
                name=source.name,
                uai=uai,
            )
        )
    return establishment


def _known_codes(session: Session, model, codes: Iterable[str]) -> dict[str, tuple[int, str]]:
    """code → (id, name) of the codes the national table has."""
    wanted = sorted(set(codes))
    known: dict[str, tuple[int, str]] = {}
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        for row_id, code, name in session.execute(
            select(model.id, model.code, model.name).where(model.code.in_(part))
        ):
            known[code] = (row_id, name)
    return known


def _read_lines(session: Session, work: _Work) -> dict[Key, set[str]]:
    """The file's teaching lines (key → divisions), refusing what cannot be one."""
    plan, parsed = work.plan, work.file
    staff = _Staff(session, work.establishment.id)
    used_subjects = {s.subject for x in parsed.structures for s in x.services}
    used_mefs = {code for x in parsed.structures for code, _line in x.mefs}
    subjects = set(_known_codes(session, Subject, used_subjects)) | set(parsed.subjects)
    mefs = set(_known_codes(session, Mef, used_mefs)) | set(parsed.mefs)
    division_mefs = {x.code: x.mefs for x in parsed.structures if not x.is_group}

    agents: dict[str, int | None] = {}  # INDIVIDU ID → agent (None: refused)
    lines: dict[Key, set[str]] = defaultdict(set)
    read: set[tuple[str, str, str, str]] = set()  # the file's lines, refused ones included
    for structure in parsed.structures:
        if not structure.services:
            continue
        structure_mefs = structure.mefs or [
            mef for division in structure.divisions for mef in division_mefs.get(division, ())
        ]
        good_mefs = []
        for code, line in structure_mefs:
            if code in mefs:
                good_mefs.append(code)
            else:
                plan.refuse(line, "MEF_APPARTENANCE", code, _unknown_mef())
        if not structure_mefs:
            plan.refuse(
                structure.line,
                "MEFS_APPARTENANCE",
                structure.code,
                _l("this division or group belongs to no MEF (formation module)."),
            )
        divisions = structure.divisions if structure.is_group else [structure.code]
        for service in structure.services:
            subject_ok = service.subject in subjects
            if not subject_ok:
                plan.refuse(
                    service.line,
                    "CODE_MATIERE",
                    service.subject,
                    _l(
                        "this subject code is neither in the file's nomenclature (MATIERES)"
                        " nor in IMAG'IN."
                    ),
                )
            modality = sts.modality_label(service.modality)
            for teacher_id, teacher_line in service.teachers:
                agent_id = _agent(plan, staff, parsed, agents, teacher_id, teacher_line)
                for mef in good_mefs:
                    read.add((teacher_id, mef, service.subject, modality))
                    if agent_id is not None and subject_ok:
                        lines[(agent_id, mef, service.subject, modality)].update(divisions)
    plan.lines = len(read)
    return lines


def _agent(plan, staff, parsed, agents, teacher_id: str, teacher_line: int) -> int | None:
    if teacher_id in agents:
        return agents[teacher_id]
    person = parsed.individuals.get(teacher_id)
    if person is None:
        agents[teacher_id] = None
        plan.refuse(
            teacher_line,
            "ENSEIGNANT ID",
            teacher_id,
            _l("no INDIVIDU of the file has this identifier."),
        )
        return None
    agent_id, reason = staff.match(person)
    agents[teacher_id] = agent_id
    if agent_id is None:
        value = f"{person.label} (ID {person.id})"
        plan.refuse(person.line, "INDIVIDU", value, reason)
    return agent_id


def _unknown_mef():
    return _l("this MEF code is neither in the file's nomenclature (MEFS) nor in IMAG'IN.")


def _divisions_text(divisions: set[str]) -> str:
    return ", ".join(sorted(divisions))


def _compare(session: Session, academy_id: int, source: Source) -> _Work:
    parsed = sts.read(source)
    establishment = _establishment(session, academy_id, source, parsed.uai)
    plan = Plan(kind=KIND)
    work = _Work(plan, establishment, parsed.year, parsed)
    lines = _read_lines(session, work)

    existing: dict[Key, _Existing] = {}
    for row_id, agent_id, mef, subject, modality, divisions, active in session.execute(
        select(
            Teaching.id,
            Teaching.agent_id,
            Mef.code,
            Subject.code,
            Teaching.modality,
            Teaching.divisions,
            Teaching.active,
        )
        .join(Mef, Mef.id == Teaching.mef_id)
        .join(Subject, Subject.id == Teaching.subject_id)
        .where(
            Teaching.establishment_id == establishment.id,
            Teaching.school_year == parsed.year,
        )
    ):
        existing[(agent_id, mef, subject, modality)] = _Existing(row_id, divisions or "", active)

    labels = _Labels(session, parsed)
    for key, divisions in lines.items():
        text = _divisions_text(divisions)
        before = existing.get(key)
        if before is None:
            work.new[key] = text
            work.touched.add(key[0])
            plan.new.add(lambda key=key, text=text: labels.preview(key, text))
        elif not before.active or before.divisions != text:
            work.changed[before.id] = text
            work.touched.add(key[0])
            plan.changed.add(
                lambda key=key, before=before, text=text: labels.preview(key, _change(before, text))
            )
        else:
            plan.unchanged.add(lambda key=key, text=text: labels.preview(key, text))
    for key, before in existing.items():
        if before.active and key not in lines:
            work.missing.append(before.id)
            work.touched.add(key[0])
            plan.missing.add(lambda key=key, before=before: labels.preview(key, before.divisions))
    plan.notes.append(
        _l(
            "Establishment %(uai)s %(name)s, school year %(year)s-%(next)s: the teaching"
            " lines the file no longer has are deactivated (kept, no longer shown), and"
            " the competences (SYS) of the contributors concerned are generated again.",
            uai=establishment.uai,
            name=establishment.name,
            year=parsed.year,
            next=parsed.year + 1,
        )
    )
    return work


def _change(before: _Existing, text: str) -> str:
    if not before.active:
        return str(_l("back in the file: reactivated (divisions: %(divisions)s)", divisions=text))
    return str(_l("divisions: %(before)s → %(after)s", before=before.divisions or "—", after=text))


class _Labels:
    """What a preview line says: the agent, the subject, the MEF and the modality."""

    def __init__(self, session: Session, parsed: sts.StsFile) -> None:
        self.session = session
        self.parsed = parsed
        self.agents: dict[int, Agent | None] = {}
        self.names: dict[tuple[type, str], str] = {}

    def _name(self, model, code: str, from_file: dict[str, str]) -> str:
        if code in from_file:
            return from_file[code]
        if (model, code) not in self.names:
            name = self.session.scalar(select(model.name).where(model.code == code))
            self.names[(model, code)] = name or code
        return self.names[(model, code)]

    def preview(self, key: Key, detail: str) -> Preview:
        agent_id, mef, subject, modality = key
        if agent_id not in self.agents:
            self.agents[agent_id] = self.session.get(Agent, agent_id)
        agent = self.agents[agent_id]
        return Preview(
            key=agent.identifier if agent else str(agent_id),
            label=" – ".join(
                (
                    agent.full_name if agent else "",
                    self._name(Subject, subject, self.parsed.subjects),
                    self._name(Mef, mef, self.parsed.mefs),
                    modality,
                )
            ),
            detail=detail,
        )


# --- The writes ------------------------------------------------------------------------------


def _upsert(session: Session, model, from_file: dict[str, str], used: set[str]) -> dict[str, int]:
    """Add the file's codes the national table lacks, correct the labels that changed;
    code → id of the codes ``used``."""
    codes = set(from_file) | used
    known = _known_codes(session, model, codes)
    fresh = [
        {"code": code, "name": (from_file[code] or code)[:NAME_LENGTH]}
        for code in sorted(set(from_file) - set(known))
    ]
    for start in range(0, len(fresh), CHUNK):
        session.execute(insert(model), fresh[start : start + CHUNK])
    renamed = [
        {"id": row_id, "name": from_file[code][:NAME_LENGTH]}
        for code, (row_id, name) in known.items()
        if code in from_file and from_file[code] and from_file[code][:NAME_LENGTH] != name
    ]
    if renamed:
        session.execute(update(model), renamed)
    ids = _known_codes(session, model, used)
    return {code: row_id for code, (row_id, _name) in ids.items()}


def _write(session: Session, work: _Work, progress: Progress | None) -> None:
    total = len(work.new) + len(work.changed) + len(work.missing)
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    subjects = _upsert(
        session, Subject, work.file.subjects, {subject for _a, _m, subject, _o in work.new}
    )
    mefs = _upsert(session, Mef, work.file.mefs, {mef for _a, mef, _s, _o in work.new})
    rows = [
        {
            "agent_id": agent_id,
            "establishment_id": work.establishment.id,
            "mef_id": mefs[mef],
            "subject_id": subjects[subject],
            "modality": modality,
            "school_year": work.year,
            "divisions": divisions,
            "active": True,
        }
        for (agent_id, mef, subject, modality), divisions in work.new.items()
    ]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(Teaching), rows[start : start + CHUNK])
        step(len(rows[start : start + CHUNK]))
    changes = [
        {"id": row_id, "divisions": divisions, "active": True}
        for row_id, divisions in work.changed.items()
    ]
    for start in range(0, len(changes), CHUNK):
        session.execute(update(Teaching), changes[start : start + CHUNK])
        step(len(changes[start : start + CHUNK]))
    for start in range(0, len(work.missing), CHUNK):
        part = work.missing[start : start + CHUNK]
        session.execute(
            update(Teaching)
            .where(Teaching.id.in_(part))
            .values(active=False)
            .execution_options(synchronize_session=False)
        )
        step(len(part))
    session.flush()


# --- The importer ------------------------------------------------------------------------------


def plan(session: Session, academy_id: int, source: Source) -> Plan:
    """The dry run: what the file would change; nothing is written."""
    return _compare(session, academy_id, source).plan


def apply(
    session: Session,
    academy_id: int,
    source: Source,
    *,
    skip_refused: bool = False,
    progress: Progress | None = None,
    started_by_id: int | None = None,
) -> Plan:
    """The comparison, then the writes (in the caller's unit of work), then the job that
    generates the competences of the agents touched. A file with refused lines writes
    nothing (``LinesRefused``) unless ``skip_refused``."""
    work = _compare(session, academy_id, source)
    if work.plan.has_refusals and not skip_refused:
        raise LinesRefused(work.plan)
    _write(session, work, progress)
    if work.touched:
        regeneration.start(
            session, academy_id, work.touched, work.year, started_by_id=started_by_id
        )
    return work.plan


IMPORTER = register(
    Importer(
        kind=KIND,
        title=_l("Teachings (STS-WEB)"),
        description=_l(
            "The STS-WEB « emploi du temps » export of an establishment,"
            " STS_EMP_<UAI>_<YEAR>.xml: per teacher, the subjects, MEFs, divisions and"
            " course modalities of the school year. The competences (SYS) are generated"
            " again afterwards."
        ),
        extensions=(".xml",),
        plan=plan,
        apply=apply,
    )
)
