"""What every import shares: reading a file (encoding, separator, columns), the refused
lines, and the plan a dry run shows (new / changed / unchanged / no longer present).

An importer (one module per kind: ``exams``, ``staff``, ``teachings``, ``corrections``)
is registered with ``register`` and offers two functions:

- ``plan(session, academy_id, source) -> Plan``: the dry run. It reads the whole file,
  compares it with the database and writes nothing.
- ``apply(session, academy_id, source, *, skip_refused, progress, started_by_id) -> Plan``:
  the same comparison, then the writes, in the caller's unit of work (a job commits it);
  ``started_by_id`` names who in the history the writes leave. A file with refused lines
  applies nothing (``FileRefused``) unless ``skip_refused``.

Both raise ``FileRefused`` for a file that cannot be read at all (wrong encoding, wrong
separator, missing column, not XML, too large...): one French message, nothing written.
Applying the same file twice changes nothing the second time (everything unchanged).
"""

from __future__ import annotations

import codecs
import csv
import enum
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, String, any_, bindparam, cast, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from app.services import DomainError

# The first lines of each group the dry run shows, and the refused lines it lists (the
# counts always say how many there are in all).
SAMPLE = 20
MAX_LISTED_REFUSALS = 500
# A file larger than this is refused before it is read (about 400,000 teaching lines).
MAX_BYTES = 40 * 1024 * 1024
SEPARATOR = ";"
# Records read or written per statement by the set-based importers.
CHUNK = 2000

Progress = Callable[[int, int], None]


class FileRefused(DomainError):
    """The file cannot be read at all: nothing is written, ``message`` says why."""


@dataclass(frozen=True)
class Source:
    """An uploaded file: its name as the user gave it and its bytes."""

    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Refusal:
    """A refused line: its number in the file (1 is the header of a CSV), the column,
    the value read and the reason, in French."""

    line: int
    column: str
    value: str
    reason: object  # a lazy string

    def __str__(self) -> str:
        return str(
            _l(
                "Line %(line)s, column %(column)s, value « %(value)s »: %(reason)s",
                line=self.line,
                column=self.column,
                value=self.value,
                reason=self.reason,
            )
        )


@dataclass(frozen=True)
class Preview:
    """One line of a group of the dry run: the record's key (a numen, a UAI, a paper
    code...), what it is, and for a change what changes (``"grade: A → B"``)."""

    key: str
    label: str
    detail: str = ""


@dataclass
class Group:
    """One group of the dry run: how many records, and the first ``SAMPLE`` of them."""

    count: int = 0
    first: list[Preview] = field(default_factory=list)

    def add(self, preview: Preview | Callable[[], Preview]) -> None:
        """Count one more record; keep its preview while fewer than ``SAMPLE`` are kept
        (a callable is called only then, so a large file builds few previews)."""
        self.count += 1
        if len(self.first) < SAMPLE:
            self.first.append(preview() if callable(preview) else preview)


@dataclass
class Plan:
    """What an import would change (a dry run) or changed (once applied)."""

    kind: str
    new: Group = field(default_factory=Group)
    changed: Group = field(default_factory=Group)
    unchanged: Group = field(default_factory=Group)
    # Records of the database the file no longer has: people and teachings are
    # deactivated (never deleted); other kinds say what they do with them in ``notes``.
    missing: Group = field(default_factory=Group)
    refusals: list[Refusal] = field(default_factory=list)
    refused_count: int = 0
    lines: int = 0  # data lines read (not counting a header)
    notes: list[object] = field(default_factory=list)  # lazy strings shown under the counts

    def refuse(self, line: int, column: str, value: object, reason: object) -> None:
        self.refused_count += 1
        if len(self.refusals) < MAX_LISTED_REFUSALS:
            self.refusals.append(Refusal(line, column, str(value)[:120], reason))

    @property
    def has_refusals(self) -> bool:
        return self.refused_count > 0

    def counts(self) -> dict[str, int]:
        """The figures recorded with the import (``ImportRun.counts``)."""
        return {
            "lines": self.lines,
            "new": self.new.count,
            "changed": self.changed.count,
            "unchanged": self.unchanged.count,
            "missing": self.missing.count,
            "refused": self.refused_count,
        }


class LinesRefused(FileRefused):
    """``apply`` on a file with refused lines, without ``skip_refused``: nothing is
    written; ``plan`` says which lines."""

    def __init__(self, plan: Plan):
        super().__init__(
            _l(
                "The file has %(count)s refused line(s): nothing was imported. Correct them,"
                " or choose to import the file without them.",
                count=plan.refused_count,
            )
        )
        self.plan = plan


@dataclass(frozen=True)
class Importer:
    """A kind of import, as the screen, the command and the job see it."""

    kind: str  # "exams", "staff", "teachings", "corrections"
    title: object  # a lazy string: "Référentiel des examens (CYCLADES)"
    description: object  # a lazy string: what the file is and what it loads
    extensions: tuple[str, ...]  # (".csv",) or (".xml",)
    plan: Callable[[Session, int, Source], Plan]
    apply: Callable[..., Plan]  # (session, academy_id, source, *, skip_refused, progress,
    # started_by_id)
    # The columns of a CSV file's first line the screen lists (required, then optional);
    # empty for a format described by ``description`` alone (XML).
    columns: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()


IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    IMPORTERS[importer.kind] = importer
    return importer


# --- Reading a CSV file ---------------------------------------------------------------------


def check_size(source: Source) -> None:
    if not source.data.strip():
        raise FileRefused(_l("The file « %(name)s » is empty.", name=source.name))
    if len(source.data) > MAX_BYTES:
        raise FileRefused(
            _l(
                "The file « %(name)s » is too large (%(limit)s MB at most).",
                name=source.name,
                limit=MAX_BYTES // (1024 * 1024),
            )
        )


def decode(source: Source) -> str:
    """The file's text: UTF-8 (with or without BOM), else Windows-1252. A file that is
    neither, or holds control characters no text file has, is refused."""
    check_size(source)
    data = source.data
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise FileRefused(_wrong_encoding(source)) from None
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise FileRefused(_wrong_encoding(source)) from None
    if any(ch in text for ch in _BINARY):
        raise FileRefused(
            _l(
                "The file « %(name)s » is not a text file (CSV expected).",
                name=source.name,
            )
        )
    return text


_BINARY = frozenset(chr(code) for code in range(32) if chr(code) not in "\t\n\r\f")


def _wrong_encoding(source: Source):
    return _l(
        "The file « %(name)s » is neither UTF-8 nor Windows-1252 text: save it as CSV"
        " (UTF-8 or Windows-1252).",
        name=source.name,
    )


def csv_rows(
    source: Source, columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """The data lines of a ``;``-separated CSV file with a header row, as (line number,
    {column: stripped value}). Header names are matched without case or surrounding
    spaces; ``columns`` must all be there, ``optional`` ones may be; others are ignored.
    Blank lines are skipped. A wrong separator or a missing column refuses the file."""
    text = decode(source)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=SEPARATOR)
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
    except csv.Error:
        raise FileRefused(_not_csv(source)) from None
    if len(header) <= 1 and len(columns) > 1:
        first = header[0] if header else ""
        if any(mark in first for mark in (",", "\t", "|")):
            raise FileRefused(
                _l(
                    "The file « %(name)s » is not separated by « ; » (its first line is"
                    " « %(line)s »).",
                    name=source.name,
                    line=first[:80],
                )
            )
    absent = [column for column in columns if column not in header]
    if absent:
        raise FileRefused(
            _l(
                "The file « %(name)s » lacks the column(s) %(columns)s; its first line must"
                " name the columns: %(expected)s.",
                name=source.name,
                columns=", ".join(f"« {column} »" for column in absent),
                expected=SEPARATOR.join(columns + optional),
            )
        )
    wanted = {name: header.index(name) for name in columns + optional if name in header}
    try:
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            yield (
                number,
                {
                    name: (row[index].strip() if index < len(row) else "")
                    for name, index in wanted.items()
                },
            )
    except csv.Error:
        raise FileRefused(_not_csv(source)) from None


def _not_csv(source: Source):
    return _l("The file « %(name)s » is not a readable CSV file.", name=source.name)


# --- Set-based reads and writes -------------------------------------------------------------


def chunks(values: list, size: int = CHUNK) -> Iterator[list]:
    """``values`` cut into lists of ``size`` at most (one statement each)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def among(session: Session, column, values: list):
    """``column IN values`` for a chunk of thousands of values: on PostgreSQL one array
    parameter (``= ANY(:values)``), elsewhere a plain ``IN``."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(list(values), postgresql.ARRAY(column.type)))
    return column.in_(values)


def _column_arrays(table, columns: list[str], rows: list[dict]):
    """One ``unnest(CAST(:array AS type[]))`` per column: the rows as one parameter per
    column, whatever their number (an enum column is sent as its members' names)."""
    selected = []
    for name in columns:
        column_type = table.c[name].type
        values = [row[name] for row in rows]
        if isinstance(column_type, Enum):
            column_type = String()
            values = [value.name if isinstance(value, enum.Enum) else value for value in values]
        array = cast(literal(values, postgresql.ARRAY(column_type)), postgresql.ARRAY(column_type))
        selected.append(func.unnest(array).label(name))
    return select(*selected)


def insert_rows(session: Session, table, rows: list[dict], returning: tuple = ()) -> list:
    """Insert ``rows`` (dicts with the same keys) into ``table``; the ``returning``
    columns of the new rows. On PostgreSQL one ``INSERT … SELECT unnest(…)``: the driver
    sends one array per column instead of parsing thousands of placeholders; elsewhere
    an executemany."""
    if not rows:
        return []
    if _pg(session):
        columns = list(rows[0])
        statement = insert(table).from_select(columns, _column_arrays(table, columns, rows))
        parameters = None
    else:
        statement, parameters = insert(table), rows
    if returning:
        return session.execute(statement.returning(*returning), parameters).all()
    session.execute(statement, parameters)
    return []


def update_rows(session: Session, table, key: str, rows: list[dict]) -> None:
    """Update ``table``'s rows whose ``key`` column is each dict's ``key`` with the dict's
    other values (same keys in every dict). On PostgreSQL one ``UPDATE … FROM (SELECT
    unnest(…))``; elsewhere an executemany."""
    if not rows:
        return
    columns = list(rows[0])
    if _pg(session):
        values = _column_arrays(table, columns, rows).subquery("v")
        session.execute(
            update(table)
            .where(table.c[key] == values.c[key])
            .values({name: values.c[name] for name in columns if name != key})
        )
        return
    session.execute(
        update(table)
        .where(table.c[key] == bindparam(f"k_{key}"))
        .values({name: bindparam(f"v_{name}") for name in columns if name != key}),
        [
            {(f"k_{name}" if name == key else f"v_{name}"): value for name, value in row.items()}
            for row in rows
        ],
    )


def _pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
