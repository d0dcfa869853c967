"""The exams' referential of CYCLADES: exams, specialties (séries), papers
(épreuves-options), sessions and exam centres, from one ``;`` CSV file.

Each line starts with its ``nature`` and fills the columns that nature uses (the README,
section « Imports », and ``docs/examples/cyclades-examens.csv``):

=========== ===================================================================
EXAMEN      code_examen, libelle, libelle_court (optional)
SPECIALITE  code_examen, code_specialite, libelle
EPREUVE     code_examen, code_specialite, code_epreuve, libelle
SESSION     code_examen, session, annee, date_debut, date_fin (dates optional)
CENTRE      uai, libelle, categorie, adresse, code_postal, commune, latitude, longitude
=========== ===================================================================

Keys: the exam's code; (exam, specialty code); (specialty, paper code); (exam, session
name); the UAI. A child line may name an exam or specialty of the file (in any order) or
of the database. Records the file no longer has are counted and listed, never deleted
(missions and competences refer to them); a nature is compared only under the parents
the file gives lines of that nature for (a file of centres alone leaves the exams be).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Establishment, Exam, ExamSession, Paper, Specialty
from models.enums import EstablishmentCategory

from .base import (
    Importer,
    LinesRefused,
    Plan,
    Preview,
    Progress,
    Source,
    csv_rows,
    register,
)
from .exams_lines import (
    COLUMNS,
    DEGREES,
    DUPLICATE,
    NATURES,
    OPTIONAL,
    OTHER_ACADEMY,
    UNKNOWN_EXAM,
    UNKNOWN_SPECIALTY,
    Line,
    raw_key,
    read_line,
)

KIND = "exams"
UAI_CHUNK = 500
FIELD_LABELS = {
    "name": _l("name"),
    "short_name": _l("short name"),
    "year": _l("year"),
    "starts_on": _l("start date"),
    "ends_on": _l("end date"),
    "category": _l("category"),
    "address": _l("address"),
    "postcode": _l("postcode"),
    "town": _l("town"),
    "latitude": _l("latitude"),
    "longitude": _l("longitude"),
    "is_exam_centre": _l("exam centre"),
}


@dataclass
class _Reading:
    plan: Plan
    lines: dict[str, dict[tuple, Line]] = field(
        default_factory=lambda: {nature: {} for nature in NATURES}
    )
    exams: dict[str, Exam] = field(default_factory=dict)
    specialties: dict[tuple, Specialty] = field(default_factory=dict)
    papers: dict[tuple, Paper] = field(default_factory=dict)
    sessions: dict[tuple, ExamSession] = field(default_factory=dict)
    centres: dict[str, Establishment] = field(default_factory=dict)
    # The keys the file names (refused lines too): what is not "no longer present".
    seen: set[tuple[str, tuple]] = field(default_factory=set)
    # What to write: (nature, key, existing record or None, values).
    writes: list[tuple[str, tuple, object, dict]] = field(default_factory=list)


def _load(session: Session, reading: _Reading) -> None:
    """The records the file may touch, one query per table."""
    reading.exams = {exam.code: exam for exam in session.scalars(select(Exam))}
    by_exam_id = {exam.id: exam.code for exam in reading.exams.values()}
    specialties = list(session.scalars(select(Specialty)))
    reading.specialties = {(by_exam_id[s.exam_id], s.code): s for s in specialties}
    by_specialty_id = {s.id: (by_exam_id[s.exam_id], s.code) for s in specialties}
    reading.papers = {
        (*by_specialty_id[p.specialty_id], p.code): p for p in session.scalars(select(Paper))
    }
    reading.sessions = {
        (by_exam_id[s.exam_id], s.name): s for s in session.scalars(select(ExamSession))
    }
    uais = sorted(key[0] for key in reading.lines["CENTRE"])
    for start in range(0, len(uais), UAI_CHUNK):
        chunk = uais[start : start + UAI_CHUNK]
        for centre in session.scalars(select(Establishment).where(Establishment.uai.in_(chunk))):
            reading.centres[centre.uai] = centre


def _label(nature: str, name: str):
    labels = {
        "EXAMEN": _l("Exam"),
        "SPECIALITE": _l("Specialty"),
        "EPREUVE": _l("Paper"),
        "SESSION": _l("Session"),
        "CENTRE": _l("Exam centre"),
    }
    return f"{labels[nature]} — {name}"


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, EstablishmentCategory):
        return value.value
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def _differences(record, values: dict) -> list[str]:
    changes = []
    for name, value in values.items():
        current = getattr(record, name)
        if isinstance(current, Decimal):
            current = current.quantize(DEGREES)
        if current != value:
            changes.append(f"{FIELD_LABELS[name]} : {_shown(current)} → {_shown(value)}")
    return changes


def _read(session: Session, academy_id: int, source: Source, progress: Progress | None):
    plan = Plan(kind=KIND)
    reading = _Reading(plan)
    for number, row in csv_rows(source, COLUMNS, OPTIONAL):
        plan.lines += 1
        reading.seen.add(raw_key(row))
        line = read_line(plan, number, row)
        if line is None:
            continue
        seen = reading.lines[line.nature].get(line.key)
        if seen is not None:
            column = {"CENTRE": "uai", "SESSION": "session", "EXAMEN": "code_examen"}.get(
                line.nature, "code_epreuve" if line.nature == "EPREUVE" else "code_specialite"
            )
            plan.refuse(number, column, line.key[-1], _l(DUPLICATE._args[0], line=seen.number))
            continue
        reading.lines[line.nature][line.key] = line
    if progress is not None:
        progress(0, plan.lines)
    _load(session, reading)
    _compare(academy_id, reading)
    return reading


def _drop_orphans(reading: _Reading) -> None:
    """Child lines whose exam or specialty is neither in the file nor in the database."""
    plan = reading.plan
    exams = set(reading.exams) | {key[0] for key in reading.lines["EXAMEN"]}
    for nature in ("SPECIALITE", "SESSION"):
        for key, line in list(reading.lines[nature].items()):
            if line.parent[0] not in exams:
                plan.refuse(line.number, "code_examen", line.parent[0], UNKNOWN_EXAM)
                del reading.lines[nature][key]
    specialties = set(reading.specialties) | set(reading.lines["SPECIALITE"])
    for key, line in list(reading.lines["EPREUVE"].items()):
        if line.parent[0] not in exams:
            plan.refuse(line.number, "code_examen", line.parent[0], UNKNOWN_EXAM)
            del reading.lines["EPREUVE"][key]
        elif line.parent not in specialties:
            plan.refuse(line.number, "code_specialite", line.parent[1], UNKNOWN_SPECIALTY)
            del reading.lines["EPREUVE"][key]


def _compare(academy_id: int, reading: _Reading) -> None:
    plan = reading.plan
    for key, line in list(reading.lines["CENTRE"].items()):
        centre = reading.centres.get(key[0])
        if centre is not None and centre.academy_id != academy_id:
            plan.refuse(line.number, "uai", key[0], OTHER_ACADEMY)
            del reading.lines["CENTRE"][key]
    _drop_orphans(reading)
    existing = {
        "EXAMEN": {(code,): exam for code, exam in reading.exams.items()},
        "SPECIALITE": reading.specialties,
        "EPREUVE": reading.papers,
        "SESSION": reading.sessions,
        "CENTRE": {(uai,): centre for uai, centre in reading.centres.items()},
    }
    for nature in NATURES:
        for key, line in reading.lines[nature].items():
            record = existing[nature].get(key)
            shown_key = " / ".join(key)
            name = line.values.get("name") or key[-1]
            if record is None:
                plan.new.add(lambda k=shown_key, n=nature, v=name: Preview(k, _label(n, v)))
                reading.writes.append((nature, key, None, line.values))
                continue
            changes = _differences(record, line.values)
            if changes:
                plan.changed.add(
                    lambda k=shown_key, n=nature, v=name, c=changes: Preview(
                        k, _label(n, v), " ; ".join(c)
                    )
                )
                reading.writes.append((nature, key, record, line.values))
            else:
                plan.unchanged.add(lambda k=shown_key, n=nature, v=name: Preview(k, _label(n, v)))
    _missing(reading, existing)
    plan.notes.append(
        _l(
            "Exams, specialties, papers, sessions and exam centres that the file no longer"
            " has are listed but kept: missions and competences refer to them."
        )
    )


def _missing(reading: _Reading, existing: dict) -> None:
    """Records of the database the file no longer has, for each nature the file has
    lines of, under the parents it gives such lines for (every exam for EXAMEN)."""
    seen = reading.seen
    for nature in ("EXAMEN", "SPECIALITE", "EPREUVE", "SESSION"):
        keys = {key for kind, key in seen if kind == nature}
        if not keys:
            continue
        parents = {key[:-1] for key in keys}
        for key, record in sorted(existing[nature].items()):
            if key not in keys and (nature == "EXAMEN" or key[:-1] in parents):
                reading.plan.missing.add(
                    lambda k=key, n=nature, r=record: Preview(" / ".join(k), _label(n, r.name))
                )


def _missing_centres(session: Session, academy_id: int, reading: _Reading) -> None:
    listed = {key[0] for kind, key in reading.seen if kind == "CENTRE"}
    if not listed:
        return
    rows = session.execute(
        select(Establishment.uai, Establishment.name)
        .where(Establishment.academy_id == academy_id, Establishment.is_exam_centre.is_(True))
        .order_by(Establishment.uai)
    )
    for uai, name in rows:
        if uai not in listed:
            reading.plan.missing.add(lambda u=uai, n=name: Preview(u, _label("CENTRE", n)))


def plan(session: Session, academy_id: int, source: Source) -> Plan:
    """The dry run: what the file would change. Writes nothing."""
    reading = _read(session, academy_id, source, None)
    _missing_centres(session, academy_id, reading)
    return reading.plan


def apply(
    session: Session,
    academy_id: int,
    source: Source,
    *,
    skip_refused: bool = False,
    progress: Progress | None = None,
    started_by_id: int | None = None,  # the contract's: nothing here names who
) -> Plan:
    """The dry run, then its writes in the caller's unit (nothing if a line is refused
    and ``skip_refused`` is not chosen)."""
    reading = _read(session, academy_id, source, progress)
    _missing_centres(session, academy_id, reading)
    result = reading.plan
    if result.has_refusals and not skip_refused:
        raise LinesRefused(result)
    # The referential is small (hundreds of papers): its writes are one short step, whose
    # end the job records; progress is reported before them (a report during the writes
    # would wait for their lock on SQLite).
    for nature in NATURES:
        for kind, key, record, values in reading.writes:
            if kind != nature:
                continue
            if record is None:
                _create(session, academy_id, reading, nature, key, values)
            else:
                for name, value in values.items():
                    setattr(record, name, value)
        session.flush()  # the parents' ids, for the next nature
    return result


def _create(session: Session, academy_id: int, reading: _Reading, nature, key, values):
    if nature == "EXAMEN":
        record = reading.exams[key[0]] = Exam(code=key[0], **values)
    elif nature == "SPECIALITE":
        record = Specialty(exam=reading.exams[key[0]], code=key[1], **values)
        reading.specialties[key] = record
    elif nature == "EPREUVE":
        record = Paper(specialty=reading.specialties[key[:2]], code=key[2], **values)
    elif nature == "SESSION":
        record = ExamSession(exam=reading.exams[key[0]], name=key[1], **values)
    else:
        record = Establishment(uai=key[0], academy_id=academy_id, **values)
    session.add(record)
    return record


IMPORTER = register(
    Importer(
        kind=KIND,
        title=_l("Exams referential (CYCLADES)"),
        description=_l(
            "The CYCLADES export: exams, specialties (series), papers (options), sessions"
            " and exam centres, one line per record, its nature first (EXAMEN, SPECIALITE,"
            " EPREUVE, SESSION, CENTRE)."
        ),
        extensions=(".csv",),
        plan=plan,
        apply=apply,
        columns=COLUMNS,
        optional=OPTIONAL,
    )
)
