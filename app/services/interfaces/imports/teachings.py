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
The file has no numen: a teacher is matched by name among the agents attached to the
file's establishment (``sts_people``); an unknown or ambiguous one is a refused line.

Subjects and MEFs are national tables: the file's nomenclatures (MATIERES, MEFS) add the
codes IMAG'IN lacks and correct their labels. A code used by a SERVICE that neither the
file's nomenclature nor IMAG'IN knows is a refused line.

The comparison is scoped to the file's establishment and year: new lines, changed ones
(divisions, or a line back in the file: reactivated), unchanged ones, and the lines of
the database the file no longer has, deactivated (never deleted). After an apply, the
SYS competences of the agents touched are generated again by a job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.services.competences import regeneration
from models import Agent, Establishment, Mef, Subject, Teaching

from . import sts
from .base import FileRefused, Importer, LinesRefused, Plan, Preview, Progress, Source, register
from .sts_people import Staff

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
    # code → (id, name) of the subjects and MEFs IMAG'IN has, among the file's.
    subjects: dict[str, tuple[int, str]] = field(default_factory=dict)
    mefs: dict[str, tuple[int, str]] = field(default_factory=dict)
    staff: Staff | None = None


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
    staff = work.staff = Staff(session, work.establishment.id)
    used_subjects = {s.subject for x in parsed.structures for s in x.services}
    used_mefs = {code for x in parsed.structures for code, _line in x.mefs}
    work.subjects = _known_codes(session, Subject, used_subjects | set(parsed.subjects))
    work.mefs = _known_codes(session, Mef, used_mefs | set(parsed.mefs))
    subjects = set(work.subjects) | set(parsed.subjects)
    mefs = set(work.mefs) | set(parsed.mefs)
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

    labels = _Labels(session, work)
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
    """What a preview line says: the agent, the subject, the MEF and the modality (from
    what the comparison read: no query, but for an agent no longer attached)."""

    def __init__(self, session: Session, work: _Work) -> None:
        self.session = session
        self.work = work
        self.others: dict[int, str] = {}

    def _agent(self, agent_id: int) -> str:
        label = self.work.staff.labels.get(agent_id) if self.work.staff else None
        if label is None:
            if agent_id not in self.others:
                agent = self.session.get(Agent, agent_id)
                self.others[agent_id] = label(agent.last_name, agent.first_name, agent.identifier)
            label = self.others[agent_id]
        return label

    @staticmethod
    def _name(code: str, from_file: dict[str, str], known: dict[str, tuple[int, str]]) -> str:
        return from_file.get(code) or known.get(code, (0, code))[1]

    def preview(self, key: Key, detail: str) -> Preview:
        agent_id, mef, subject, modality = key
        name, identifier = self._agent(agent_id)
        parsed = self.work.file
        return Preview(
            key=identifier,
            label=" – ".join(
                (
                    name,
                    self._name(subject, parsed.subjects, self.work.subjects),
                    self._name(mef, parsed.mefs, self.work.mefs),
                    modality,
                )
            ),
            detail=detail,
        )


# --- The writes ------------------------------------------------------------------------------


def _upsert(
    session: Session,
    model,
    from_file: dict[str, str],
    known: dict[str, tuple[int, str]],
    used: set[str],
) -> dict[str, int]:
    """Add the file's codes the national table lacks, correct the labels that changed;
    code → id of the codes ``used``."""
    table = model.__table__
    fresh = [
        {"code": code, "name": (from_file[code] or code)[:NAME_LENGTH]}
        for code in sorted(set(from_file) - set(known))
    ]
    if fresh:
        session.execute(table.insert(), fresh)
    renamed = [
        {"row_id": row_id, "new_name": from_file[code][:NAME_LENGTH]}
        for code, (row_id, name) in known.items()
        if from_file.get(code) and from_file[code][:NAME_LENGTH] != name
    ]
    if renamed:
        session.execute(
            table.update()
            .where(table.c.id == bindparam("row_id"))
            .values(name=bindparam("new_name")),
            renamed,
        )
    ids = {code: row_id for code, (row_id, _name) in known.items()}
    if fresh:
        ids |= {code: row_id for code, (row_id, _n) in _known_codes(session, model, used).items()}
    return {code: ids[code] for code in used}


def _insert(session: Session, table, rows: list[dict]) -> None:
    """Insert ``rows``: by COPY on PostgreSQL (psycopg), the bulk path of the database,
    in the session's transaction; else one executemany."""
    connection = session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        columns = list(rows[0]) if rows else []
        names = ", ".join(columns)
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])
    else:
        session.execute(table.insert(), rows)


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
    session.flush()  # the caller's pending changes first: table statements follow
    subjects = _upsert(
        session,
        Subject,
        work.file.subjects,
        work.subjects,
        {subject for _a, _m, subject, _o in work.new},
    )
    mefs = _upsert(session, Mef, work.file.mefs, work.mefs, {mef for _a, mef, _s, _o in work.new})
    table = Teaching.__table__
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
        _insert(session, table, rows[start : start + CHUNK])
        step(len(rows[start : start + CHUNK]))
    changes = [
        {"row_id": row_id, "new_divisions": divisions} for row_id, divisions in work.changed.items()
    ]
    change = (
        table.update()
        .where(table.c.id == bindparam("row_id"))
        .values(divisions=bindparam("new_divisions"), active=True)
    )
    for start in range(0, len(changes), CHUNK):
        session.execute(change, changes[start : start + CHUNK])
        step(len(changes[start : start + CHUNK]))
    for start in range(0, len(work.missing), CHUNK):
        part = work.missing[start : start + CHUNK]
        session.execute(table.update().where(table.c.id.in_(part)).values(active=False))
        step(len(part))
    # Written by table statements: what the session holds of these rows is stale.
    for held in list(session.identity_map.values()):
        if isinstance(held, Teaching | Subject | Mef):
            session.expire(held)


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
