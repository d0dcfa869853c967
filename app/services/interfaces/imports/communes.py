"""The communes and their coordinates, from La Poste's « base officielle des codes
postaux » (data.gouv.fr, Licence Ouverte): where an agent's home is, for the travel of
automatic assignment (``app.services.referential.communes``).

The file is La Poste's ``;`` CSV (UTF-8 or Windows-1252), one line per postcode, commune
and lieu-dit (``Ligne_5``)::

    #Code_commune_INSEE;Nom_de_la_commune;Code_postal;Libellé_d_acheminement;Ligne_5;coordonnees_gps
    35238;RENNES;35000;RENNES;;48.1113387, -1.6800198

Recent exports from data.gouv.fr's API name the point column ``_geopoint``; either is
read, and header names are matched without case, accents or a leading ``#``. A commune
is one record per (postcode, name as ``convocation.commune`` reads it, INSEE code): its
lieux-dits lines are the same record. A commune without coordinates is kept without.

Communes are national (not per académie). Those the file no longer has are counted (in
the départements the file covers) and kept: agents' addresses may still name them. The
writes are set-based (``insert_rows``/``update_rows``, ``CHUNK`` records a statement):
the national file (about 39,000 lines) is one short job.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.missions.convocation import _department, commune
from models import Commune

from .base import (
    Importer,
    LinesRefused,
    Plan,
    Preview,
    Progress,
    Source,
    chunks,
    csv_rows,
    decode,
    insert_rows,
    register,
    update_rows,
)
from .exams_lines import BAD_LATITUDE, BAD_LONGITUDE, BAD_POSTCODE, DEGREES, MISSING, TOO_LONG

KIND = "communes"
COLUMNS = ("code_commune_insee", "nom_de_la_commune", "code_postal")
POINTS = ("coordonnees_gps", "_geopoint")
OPTIONAL = ("libelle_d_acheminement", "ligne_5", *POINTS)
TABLE = Commune.__table__
NAME_LIMIT = 80

INSEE = re.compile(r"(\d{5}|2[AB]\d{3})")
POSTCODE = re.compile(r"\d{5}")
BAD_INSEE = _l("not an INSEE commune code (5 characters, e.g. 35238 or 2A004)")
BAD_POINT = _l("not a GPS point (« latitude, longitude » expected, e.g. 48.1113, -1.6800)")
KEPT = _l(
    "Communes no longer in the file: kept (agents' addresses may still name them). Only"
    " the départements the file covers are compared."
)

Key = tuple[str, str, str]  # (postcode, key, INSEE code)


@dataclass
class _Line:
    number: int
    name: str
    latitude: Decimal | None
    longitude: Decimal | None


@dataclass
class _Reading:
    plan: Plan
    lines: dict[Key, _Line] = field(default_factory=dict)
    new: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)


def header_name(name: str) -> str:
    """A column of La Poste's header as the importer names it: "#Code_commune_INSEE"
    and "Libellé_d_acheminement" are "code_commune_insee" and "libelle_d_acheminement"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return plain.strip().lstrip("#").strip().lower()


def _with_plain_header(source: Source) -> Source:
    """The file with its first line's names read by ``header_name`` (the rest as is)."""
    text = decode(source)
    first, newline, rest = text.partition("\n")
    header = ";".join(header_name(cell) for cell in first.rstrip("\r").split(";"))
    return Source(source.name, (header + newline + rest).encode())


def _degrees(text: str, bound: int) -> Decimal | None:
    try:
        value = Decimal(text.strip()).quantize(DEGREES)
    except InvalidOperation:
        return None
    return value if value.is_finite() and abs(value) <= bound else None


def _point(plan: Plan, number: int, row: dict) -> tuple[bool, Decimal | None, Decimal | None]:
    """(valid, latitude, longitude) of the line's GPS point (none is valid)."""
    column = next((c for c in POINTS if row.get(c)), None)
    if column is None:
        return True, None, None
    value = row[column]
    parts = value.split(",")
    if len(parts) != 2:
        plan.refuse(number, column, value, BAD_POINT)
        return False, None, None
    try:
        Decimal(parts[0].strip()), Decimal(parts[1].strip())
    except InvalidOperation:
        plan.refuse(number, column, value, BAD_POINT)
        return False, None, None
    latitude, longitude = _degrees(parts[0], 90), _degrees(parts[1], 180)
    if latitude is None:
        plan.refuse(number, column, value, BAD_LATITUDE)
    if longitude is None:
        plan.refuse(number, column, value, BAD_LONGITUDE)
    return latitude is not None and longitude is not None, latitude, longitude


def _read_line(plan: Plan, number: int, row: dict) -> tuple[Key, _Line] | None:
    before = plan.refused_count
    insee = row["code_commune_insee"].upper()
    if not insee:
        plan.refuse(number, "code_commune_insee", insee, MISSING)
    elif not INSEE.fullmatch(insee):
        plan.refuse(number, "code_commune_insee", insee, BAD_INSEE)
    name = row["nom_de_la_commune"]
    if not name:
        plan.refuse(number, "nom_de_la_commune", name, MISSING)
    elif len(name) > NAME_LIMIT:
        plan.refuse(number, "nom_de_la_commune", name, _l(TOO_LONG._args[0], limit=NAME_LIMIT))
    postcode = row["code_postal"]
    if not postcode:
        plan.refuse(number, "code_postal", postcode, MISSING)
    elif not POSTCODE.fullmatch(postcode):
        plan.refuse(number, "code_postal", postcode, BAD_POSTCODE)
    _valid, latitude, longitude = _point(plan, number, row)
    if plan.refused_count > before or not commune(name):
        return None
    return (postcode, commune(name), insee), _Line(number, name, latitude, longitude)


def _shown(value) -> str:
    return "—" if value is None else str(value)


def _read(session: Session, source: Source) -> _Reading:
    """The file's communes (one per key, lieux-dits merged) compared with the table."""
    reading = _Reading(Plan(kind=KIND))
    plan = reading.plan
    for number, row in csv_rows(_with_plain_header(source), COLUMNS, OPTIONAL):
        plan.lines += 1
        read = _read_line(plan, number, row)
        if read is None:
            continue
        key, line = read
        seen = reading.lines.get(key)
        # A lieu-dit's line is the commune's: the first line with a point gives it.
        if seen is None or (seen.latitude is None and line.latitude is not None):
            reading.lines[key] = line
    existing = {
        (postcode, key, insee): (id_, name, latitude, longitude)
        for id_, postcode, key, insee, name, latitude, longitude in session.execute(
            select(
                TABLE.c.id,
                TABLE.c.postcode,
                TABLE.c.key,
                TABLE.c.insee_code,
                TABLE.c.name,
                TABLE.c.latitude,
                TABLE.c.longitude,
            )
        )
    }
    for key, line in reading.lines.items():
        postcode, _key, insee = key
        values = {"name": line.name, "latitude": line.latitude, "longitude": line.longitude}
        current = existing.get(key)
        shown = f"{postcode} {insee}"
        if current is None:
            plan.new.add(
                lambda s=shown, n=line.name, v=values: Preview(
                    s, n, f"{_shown(v['latitude'])}, {_shown(v['longitude'])}"
                )
            )
            reading.new.append({"insee_code": insee, "postcode": postcode, "key": key[1], **values})
            continue
        id_, *before = current
        before = dict(zip(("name", "latitude", "longitude"), before, strict=True))
        changed = [name for name, value in values.items() if _comparable(before[name]) != value]
        if changed:
            # The detail is written for the first SAMPLE changes only (the preview's call).
            plan.changed.add(
                lambda s=shown, n=line.name, c=changed, b=before, v=values: Preview(
                    s,
                    n,
                    " ; ".join(
                        f"{_FIELDS[name]} : {_shown(b[name])} → {_shown(v[name])}" for name in c
                    ),
                )
            )
            reading.changed.append({"id": id_, **values})
        else:
            plan.unchanged.add(lambda s=shown, n=line.name: Preview(s, n))
    covered = {_department(key[0]) for key in reading.lines}
    for key in sorted(set(existing) - set(reading.lines)):
        if _department(key[0]) in covered:
            name = existing[key][1]
            plan.missing.add(lambda k=key, n=name: Preview(f"{k[0]} {k[2]}", n))
    plan.notes.append(KEPT)
    return reading


_FIELDS = {"name": _l("name"), "latitude": _l("latitude"), "longitude": _l("longitude")}


def _comparable(value):
    return value.quantize(DEGREES) if isinstance(value, Decimal) else value


def plan(session: Session, academy_id: int, source: Source) -> Plan:
    """The dry run: what the file would change. Writes nothing."""
    return _read(session, source).plan


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
    and ``skip_refused`` is not chosen): new communes inserted, changed ones updated,
    ``CHUNK`` a statement."""
    session.flush()
    reading = _read(session, source)
    if reading.plan.has_refusals and not skip_refused:
        raise LinesRefused(reading.plan)
    total = len(reading.new) + len(reading.changed)
    done = 0
    if progress is not None:
        progress(done, total)
    for rows, write in ((reading.new, _insert), (reading.changed, _update)):
        for chunk in chunks(rows):
            write(session, chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    session.expire_all()
    return reading.plan


def _insert(session: Session, rows: list[dict]) -> None:
    insert_rows(session, TABLE, rows)


def _update(session: Session, rows: list[dict]) -> None:
    update_rows(session, TABLE, "id", rows)


IMPORTER = register(
    Importer(
        kind=KIND,
        title=_l("Communes and postcodes (La Poste)"),
        description=_l(
            "La Poste's « base officielle des codes postaux » (data.gouv.fr): each commune's"
            " INSEE code, name, postcode and GPS point (column coordonnees_gps or"
            " _geopoint), one line per lieu-dit. The coordinates give the distance from an"
            " agent's home to an exam centre in automatic assignment."
        ),
        extensions=(".csv",),
        plan=plan,
        apply=apply,
        columns=COLUMNS,
        optional=OPTIONAL,
    )
)
