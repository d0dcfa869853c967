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
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.referential import rules
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

KIND = "exams"
COLUMNS = (
    "nature",
    "code_examen",
    "code_specialite",
    "code_epreuve",
    "session",
    "libelle",
    "annee",
    "date_debut",
    "date_fin",
    "uai",
    "categorie",
    "code_postal",
    "commune",
)
OPTIONAL = ("libelle_court", "adresse", "latitude", "longitude")
NATURES = ("EXAMEN", "SPECIALITE", "EPREUVE", "SESSION", "CENTRE")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
DEGREES = Decimal("0.000001")
UAI_CHUNK = 500

MISSING = _l("value missing")
UNKNOWN_EXAM = _l("unknown exam (neither in the file nor in the referential)")
UNKNOWN_SPECIALTY = _l(
    "unknown specialty of this exam (neither in the file nor in the referential)"
)
BAD_DATE = _l("not a date (DD/MM/YYYY expected)")
BAD_YEAR = _l("not a year (4 digits expected)")
BAD_UAI = _l("not a UAI code (7 digits and a key letter, e.g. 0350024L)")
BAD_POSTCODE = _l("not a postcode (5 digits expected)")
BAD_NATURE = _l("unknown nature (EXAMEN, SPECIALITE, EPREUVE, SESSION or CENTRE expected)")
BAD_CATEGORY = _l("unknown category (%(codes)s expected)")
END_BEFORE_START = _l("the end date is before the start date")
BAD_LATITUDE = _l("not a latitude (a number between -90 and 90 expected)")
BAD_LONGITUDE = _l("not a longitude (a number between -180 and 180 expected)")
HALF_POSITION = _l("latitude and longitude go together: give both or neither")
OTHER_ACADEMY = _l("this establishment belongs to another academy")
DUPLICATE = _l("duplicated key: already on line %(line)s")
TOO_LONG = _l("too long (%(limit)s characters at most)")

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
class _Line:
    """A valid line: its key, its fields (model attribute → value) and its parents."""

    number: int
    nature: str
    key: tuple
    values: dict
    parent: tuple | None = None


@dataclass
class _Reading:
    plan: Plan
    lines: dict[str, dict[tuple, _Line]] = field(
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


def _text(plan: Plan, number: int, row: dict, column: str, limit: int, required=True):
    value = row.get(column, "")
    if not value:
        if required:
            plan.refuse(number, column, value, MISSING)
            return None
        return ""
    if len(value) > limit:
        plan.refuse(number, column, value, _l(TOO_LONG._args[0], limit=limit))
        return None
    return value


def _date(plan: Plan, number: int, row: dict, column: str):
    value = row.get(column, "")
    if not value:
        return None, True
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern).date(), True
        except ValueError:
            continue
    plan.refuse(number, column, value, BAD_DATE)
    return None, False


def _degrees(plan: Plan, number: int, row: dict, column: str, bound: int, reason):
    value = row.get(column, "")
    if not value:
        return None, True
    try:
        number_value = Decimal(value.replace(",", ".")).quantize(DEGREES)
    except InvalidOperation:
        plan.refuse(number, column, value, reason)
        return None, False
    if not number_value.is_finite() or abs(number_value) > bound:
        plan.refuse(number, column, value, reason)
        return None, False
    return number_value, True


def _read_line(plan: Plan, number: int, row: dict) -> _Line | None:
    """The line's key and values, or None (and its refusals) when it is not valid."""
    nature = row["nature"].upper()
    refused_before = plan.refused_count
    if nature not in NATURES:
        plan.refuse(number, "nature", row["nature"], BAD_NATURE)
        return None
    if nature == "CENTRE":
        return _read_centre(plan, number, row)
    exam = _text(plan, number, row, "code_examen", 20)
    if nature == "EXAMEN":
        name = _text(plan, number, row, "libelle", 120)
        short = _text(plan, number, row, "libelle_court", 20, required=False)
        if plan.refused_count > refused_before:
            return None
        return _Line(number, nature, (exam,), {"name": name, "short_name": short or None})
    if nature == "SESSION":
        name = _text(plan, number, row, "session", 40)
        year_text = row.get("annee", "")
        year = None
        if not year_text:
            plan.refuse(number, "annee", year_text, MISSING)
        elif len(year_text) != 4 or not year_text.isdigit():
            plan.refuse(number, "annee", year_text, BAD_YEAR)
        else:
            year = int(year_text)
        starts, _ok = _date(plan, number, row, "date_debut")
        ends, ok = _date(plan, number, row, "date_fin")
        if ok and starts and ends and ends < starts:
            plan.refuse(number, "date_fin", row["date_fin"], END_BEFORE_START)
        if plan.refused_count > refused_before:
            return None
        values = {"year": year, "starts_on": starts, "ends_on": ends}
        return _Line(number, nature, (exam, name), values, parent=(exam,))
    specialty = _text(plan, number, row, "code_specialite", 20)
    if nature == "SPECIALITE":
        name = _text(plan, number, row, "libelle", 120)
        if plan.refused_count > refused_before:
            return None
        return _Line(number, nature, (exam, specialty), {"name": name}, parent=(exam,))
    paper = _text(plan, number, row, "code_epreuve", 20)
    name = _text(plan, number, row, "libelle", 120)
    if plan.refused_count > refused_before:
        return None
    return _Line(number, nature, (exam, specialty, paper), {"name": name}, parent=(exam, specialty))


def _read_centre(plan: Plan, number: int, row: dict) -> _Line | None:
    refused_before = plan.refused_count
    uai = row.get("uai", "").upper()
    if not uai:
        plan.refuse(number, "uai", uai, MISSING)
    elif not rules.uai_is_valid(uai):
        plan.refuse(number, "uai", row["uai"], BAD_UAI)
    name = _text(plan, number, row, "libelle", 120)
    category = None
    code = row.get("categorie", "").upper()
    if not code:
        plan.refuse(number, "categorie", code, MISSING)
    else:
        category = next((c for c in EstablishmentCategory if c.value == code), None)
        if category is None:
            codes = ", ".join(c.value for c in EstablishmentCategory)
            plan.refuse(number, "categorie", code, _l(BAD_CATEGORY._args[0], codes=codes))
    address = _text(plan, number, row, "adresse", 255, required=False)
    postcode = row.get("code_postal", "")
    if not postcode:
        plan.refuse(number, "code_postal", postcode, MISSING)
    elif len(postcode) != 5 or not postcode.isdigit():
        plan.refuse(number, "code_postal", postcode, BAD_POSTCODE)
    town = _text(plan, number, row, "commune", 80)
    latitude, lat_ok = _degrees(plan, number, row, "latitude", 90, BAD_LATITUDE)
    longitude, long_ok = _degrees(plan, number, row, "longitude", 180, BAD_LONGITUDE)
    if lat_ok and long_ok and (latitude is None) != (longitude is None):
        column = "longitude" if longitude is None else "latitude"
        plan.refuse(number, column, row.get(column, ""), HALF_POSITION)
    if plan.refused_count > refused_before:
        return None
    values = {
        "name": name,
        "category": category,
        "address": address or None,
        "postcode": postcode,
        "town": town,
        "latitude": latitude,
        "longitude": longitude,
        "is_exam_centre": True,
    }
    return _Line(number, "CENTRE", (uai,), values)


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


def _raw_key(row: dict) -> tuple[str, tuple]:
    nature = row["nature"].upper()
    columns = {
        "EXAMEN": ("code_examen",),
        "SPECIALITE": ("code_examen", "code_specialite"),
        "EPREUVE": ("code_examen", "code_specialite", "code_epreuve"),
        "SESSION": ("code_examen", "session"),
        "CENTRE": ("uai",),
    }.get(nature, ())
    values = tuple(row.get(column, "") for column in columns)
    return nature, tuple(v.upper() for v in values) if nature == "CENTRE" else values


def _read(session: Session, academy_id: int, source: Source, progress: Progress | None):
    plan = Plan(kind=KIND)
    reading = _Reading(plan)
    for number, row in csv_rows(source, COLUMNS, OPTIONAL):
        plan.lines += 1
        reading.seen.add(_raw_key(row))
        line = _read_line(plan, number, row)
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
