"""The list component's logic: keyword filter over the visible columns, sort on any
column, pagination "Page 1 / 2 (7 lignes)".

Agent-facing lists hold one person's records (a few hundred rows at most), so they are
filtered and sorted here in Python, on exactly the text the user sees: what is typed
narrows the rows the way the eye expects, accents and case ignored. The template
macro ``imagin/macros/list.html`` renders a ``ListPage``; ``list.js`` refreshes it as
one types.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import (
    ARRAY,
    Enum,
    Integer,
    String,
    any_,
    bindparam,
    cast,
    func,
    inspect,
    or_,
    select,
)

from app.bounds import MAX_PAGE, parse_int
from app.services.common import formats, keyset

TEXT, DATE, NUMBER = "text", "date", "number"
MAX_PER_PAGE = 100
MAX_QUERY_LENGTH = 100
# A list computed by the database counts its rows up to this many: past it the page
# says "more than 10,000 lines" instead of reading every matching row to count them.
COUNT_CAP = 10_000


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    kind: str = TEXT
    sortable: bool = True
    # Whether typed keywords look in this column (not in check boxes, say).
    searchable: bool = True


@dataclass
class Row:
    cells: dict[str, Any]
    url: str | None = None
    css: str = ""


@dataclass
class ListPage:
    columns: Sequence[Column]
    rows: list[Row]
    total: int
    page: int
    pages: int
    per_page: int
    q: str
    sort: str | None
    direction: str
    prefix: str = ""
    extra: dict = field(default_factory=dict)
    # True when ``total`` is only a floor (``COUNT_CAP``): there are more rows than
    # that, and ``pages`` is the next page when there is one, not the last.
    capped: bool = False
    # Where the next (previous) page starts, for its link (``keyset``): ``None`` pages
    # by number.
    next_cursor: str | None = None
    previous_cursor: str | None = None

    def arg(self, name: str) -> str:
        return f"{self.prefix}{name}"


def normalise(text: str) -> str:
    """Case- and accent-insensitive form of a text ("Électricité" -> "electricite")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def display(value: Any) -> str:
    """The text a cell shows."""
    if value is None:
        return ""
    if isinstance(value, Markup):  # e.g. action buttons: their text, not their HTML
        return value.striptags()
    if isinstance(value, dt.datetime):
        return formats.moment(value, rebase=False)
    if isinstance(value, dt.date):
        return formats.day(value)
    if isinstance(value, dt.time):
        return formats.hour(value)
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    return str(value)


def _sort_value(value: Any, kind: str) -> tuple:
    """Sort key of a cell: typed values (dates, numbers) compare as such, anything else
    by its normalised text, after the typed ones."""
    if kind == DATE and isinstance(value, dt.date):
        if not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        return (0, value, "")
    if kind == NUMBER and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, normalise(display(value)))


def _int(value: Any, default: int) -> int:
    return parse_int(value, default, minimum=1, maximum=MAX_PAGE)


def parse_args(
    args: Mapping[str, str],
    columns: Sequence[Column],
    *,
    prefix: str = "",
    default_sort: str | None = None,
    default_direction: str = "asc",
) -> dict:
    """Read q / sort / dir / page from request arguments; anything odd falls back to a
    default instead of failing."""
    keys = {column.key for column in columns if column.sortable}
    sort = args.get(f"{prefix}sort") or default_sort
    if sort not in keys:
        sort = default_sort if default_sort in keys else None
    direction = args.get(f"{prefix}dir", default_direction)
    if direction not in ("asc", "desc"):
        direction = default_direction
    return {
        "q": (args.get(f"{prefix}q") or "")[:MAX_QUERY_LENGTH],
        "sort": sort,
        "direction": direction,
        "page": _int(args.get(f"{prefix}page"), 1),
        "after": _cursor(args.get(f"{prefix}apres")),
        "before": _cursor(args.get(f"{prefix}avant")),
    }


def _cursor(value: str | None) -> str | None:
    """A page cursor from the URL (``?apres=`` / ``?avant=``), bounded in length; what
    it holds is checked by ``query_page``. One given but too long is an empty one: not
    valid (the first page)."""
    if value is None:
        return None
    return value if len(value) <= keyset.MAX_CURSOR_LENGTH else ""


def build_page(
    columns: Sequence[Column],
    rows: Sequence[Row],
    *,
    q: str = "",
    sort: str | None = None,
    direction: str = "asc",
    page: int = 1,
    per_page: int = 20,
    prefix: str = "",
    after: str | None = None,
    before: str | None = None,
) -> ListPage:
    """Filter ``rows`` by the keywords of ``q`` (every word must appear in one of the
    visible columns), sort them by ``sort`` (empty values last), cut the page. The rows
    are in memory: the page is cut by its number (``after`` / ``before`` are ignored)."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    words = normalise(q).split()
    if words:
        haystacks = [
            (
                row,
                normalise(
                    " \u0000 ".join(display(row.cells.get(c.key)) for c in columns if c.searchable)
                ),
            )
            for row in rows
        ]
        selected = [row for row, text in haystacks if all(w in text for w in words)]
    else:
        selected = list(rows)

    column = next((c for c in columns if c.key == sort), None)
    if column is not None:
        filled = [r for r in selected if display(r.cells.get(column.key)) != ""]
        empty = [r for r in selected if display(r.cells.get(column.key)) == ""]
        filled.sort(
            key=lambda r: _sort_value(r.cells.get(column.key), column.kind),
            reverse=direction == "desc",
        )
        selected = filled + empty

    total = len(selected)
    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(page, pages))
    start = (page - 1) * per_page
    return ListPage(
        columns=columns,
        rows=selected[start : start + per_page],
        total=total,
        page=page,
        pages=pages,
        per_page=per_page,
        q=q,
        sort=column.key if column else None,
        direction=direction,
        prefix=prefix,
    )


def like_pattern(word: str) -> str:
    """``%word%`` with the wildcards typed by the user taken literally."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(expr, pattern: str):
    """``expr ILIKE pattern``: on PostgreSQL a trigram index on a text column serves it
    (migration 0005); other columns are compared as text."""
    if not isinstance(expr.type, String) or isinstance(expr.type, Enum):
        expr = cast(expr, String)
    return expr.ilike(pattern, escape="\\")


# How many keys ``among`` passes to the database as a list: PostgreSQL takes them as
# one array parameter; SQLite binds each (its limit is 32,766 parameters).
MAX_LISTED_KEYS = {"postgresql": 50_000}
DEFAULT_LISTED_KEYS = 5_000


def listed_keys(session) -> int:
    """How many keys ``among`` may list on this session's database."""
    return MAX_LISTED_KEYS.get(session.get_bind().dialect.name, DEFAULT_LISTED_KEYS)


def among_selected(session, column, ids):
    """``column`` is one of the ids ``ids`` selects (a ``SELECT`` of one integer column):
    on PostgreSQL as one array the database computes first
    (``= ANY(CAST((SELECT array_agg…)))``), so the rows are then reached by their index
    whatever their number, where the planner, guessing the subquery's size, may join it
    to a scan of the whole table; elsewhere an ``IN`` subquery."""
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(ids)
    keys = ids.with_only_columns(func.array_agg(ids.selected_columns[0]))
    return column == any_(cast(keys.scalar_subquery(), ARRAY(Integer)))


def among(session, column, keys: Sequence[int]):
    """``column`` is one of ``keys`` (known ids, read first): on PostgreSQL one array
    parameter (``= ANY(...)``), whose size the planner knows, so it reaches the rows by
    their index whatever their number; elsewhere an ``IN`` list."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(keys), type_=ARRAY(Integer)))
    return column.in_(list(keys))


def query_page(
    session,
    statement,
    columns: Sequence[Column],
    expressions: Mapping[str, Any],
    to_row,
    *,
    q: str = "",
    sort: str | None = None,
    direction: str = "asc",
    page: int = 1,
    per_page: int = 20,
    prefix: str = "",
    default_order: Sequence[Any] = (),
    search: Callable[[str], Any] | None = None,
    after: str | None = None,
    before: str | None = None,
    load: Callable[[list], Any] | None = None,
    window_count: bool = False,
    count: Callable[[], int | None] | None = None,
) -> ListPage:
    """The same list page as ``build_page``, computed by the database: for lists too
    long to load (a manager's 20,000 agents). ``expressions`` maps column keys to SQL
    expressions (or tuples of them, sorted on in turn), used to sort (then
    ``default_order``, which should end with a unique key) and to filter: every keyword
    must be in one of them, case-insensitive, unless
    ``search`` turns a ``LIKE`` pattern into the condition (a list over several large
    tables asks each through its own index). ``to_row`` turns a result into a ``Row``.

    ``after`` / ``before`` are the cursors of the page links (``keyset``): page
    ``page`` is read as the rows after the previous page's last row (before the next
    page's first one), a range on the sort's index, however deep; a page typed by its
    number is read by ``OFFSET``. A cursor that is not valid shows the first page.

    ``load`` turns the page's keys into the statement of its rows when a lighter one
    than ``statement`` will do (the joins and subqueries that sort it left out).

    ``window_count``: a list whose rows are all computed to be sorted anyway (a
    mission's candidates, by distance and load: no index gives that order) counts them
    in the page's statement (``count(*) OVER ()``, exact) instead of a statement of its
    own; a chosen column is then sorted in one statement (its values, then its NULLs),
    not region by region. A page from a cursor, or typed past the end, counts apart.

    ``count``, when no keyword is typed, gives the exact number of rows from elsewhere
    (a summary kept by the database), or ``None``: then the rows are counted."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    for word in q.split():
        pattern = like_pattern(word)
        statement = statement.where(
            search(pattern)
            if search is not None
            else or_(*(contains(part, pattern) for e in expressions.values() for part in _parts(e)))
        )
    # Counting and choosing the page's rows read only the keys (narrow rows); the
    # page's few rows are then loaded whole, by their keys. The count stops at
    # ``COUNT_CAP``: past it, an exact count would read every matching row.
    key = inspect(statement.column_descriptions[0]["entity"]).primary_key[0]
    keys = statement.with_only_columns(key, maintain_column_froms=True).order_by(None)
    column = next((c for c in columns if c.key == sort and c.key in expressions), None)
    order = list(default_order)
    if column is not None:
        parts = _parts(expressions[column.key])
        # The default order's terms on the same expressions add nothing after them.
        same = [getattr(part, "__clause_element__", lambda p=part: p)() for part in parts]
        order = [item for item in order if not any(_element(item).compare(p) for p in same)]
        order[:0] = [
            (part.desc() if direction == "desc" else part.asc()).nulls_last() for part in parts
        ]
    stamp = f"{sort or ''}:{direction}"
    # A chosen column may be empty (an outer join): its values, then its NULLs, each
    # through the column's index (not for a list sorted whole anyway).
    split = column is not None and not window_count
    walk = _Walk(session, statement, key, order, per_page, stamp, split=split)

    chosen = None
    if window_count and not (page > 1 and (after or before)):
        after = before = None
        total, chosen = walk.counted(page)  # exact: no cap
        capped = False
    if chosen is None:
        known = count() if count is not None and not q.split() else None
        if known is not None:
            total, capped = known, False
        else:
            total = session.scalar(
                select(func.count()).select_from(keys.limit(COUNT_CAP + 1).subquery())
            )
            capped = total > COUNT_CAP
        chosen = walk.from_cursor(after, before) if page > 1 else None
    if chosen is None and (after is not None or before is not None):
        page = 1  # a cursor that is not valid, or leads nowhere: the first page
    if chosen is not None:
        if capped:
            total = COUNT_CAP
            pages = page + 1 if len(chosen) > per_page else page
        else:
            pages = max(page, math.ceil(total / per_page))
    elif capped:
        total = COUNT_CAP
        chosen = walk.by_number(page)
        if chosen or page == 1:
            pages = page + 1 if len(chosen) > per_page else page
        else:
            # Past the end (a page number typed in the address): the exact count, once,
            # to show the last page as an uncapped list would.
            capped = False
            total = session.scalar(select(func.count()).select_from(keys.subquery()))
            chosen = None
    if chosen is None:
        pages = max(1, math.ceil(total / per_page))
        page = max(1, min(page, pages))
        chosen = walk.by_number(page, total)
    shown = chosen[:per_page]
    ids = [row[0] for row in shown]
    # The page's rows whole, by key, put back in the order of their keys.
    whole = load(ids) if load is not None else statement.where(key.in_(ids)).order_by(None)
    place = {value: index for index, value in enumerate(ids)}
    results = sorted(session.scalars(whole).unique(), key=lambda r: place[inspect(r).identity[0]])
    return ListPage(
        columns=columns,
        rows=[to_row(result) for result in results],
        total=total,
        page=page,
        pages=pages,
        per_page=per_page,
        q=q,
        sort=column.key if column else None,
        direction=direction,
        prefix=prefix,
        capped=capped,
        next_cursor=walk.cursor(shown[-1]) if len(chosen) > per_page and shown else None,
        previous_cursor=walk.cursor(shown[0]) if page > 2 and shown else None,
    )


def _parts(expression) -> tuple:
    """A column's sort expressions: one, or a tuple of them (a name: last name, first
    name, then the person, so that its index gives the order)."""
    return tuple(expression) if isinstance(expression, tuple) else (expression,)


def _element(item):
    """The expression an ``ORDER BY`` item sorts on (``x`` of ``x.desc().nulls_last()``)."""
    while getattr(item, "modifier", None) is not None and hasattr(item, "element"):
        item = item.element
    return item


class _Walk:
    """The keys of a page of ``statement`` in ``order``, with the values of the order's
    expressions (a page's cursors): by page number (``OFFSET``), or from a cursor
    (``keyset``). Each way reads one key more than the page when it can, which says
    whether a next page exists."""

    def __init__(self, session, statement, key, order, per_page: int, stamp: str, *, split: bool):
        self.session, self.per_page, self.stamp, self.split = session, per_page, stamp, split
        self.order = order
        self.terms = keyset.terms(order, session.get_bind().dialect.name)
        self.keyed = bool(self.terms) and keyset.supported(self.terms)
        expressions = [term.expr for term in self.terms] if self.keyed else []
        self.rows = statement.with_only_columns(
            key, *expressions, maintain_column_froms=True
        ).order_by(None)

    def counted(self, number: int) -> tuple[int, list | None]:
        """Page ``number`` by ``OFFSET`` with the count of every row in the same
        statement (a window): (count, keys); (0, ``None``) past the end (the count is
        then unknown), (0, []) when there is no row at all."""
        offset = (number - 1) * self.per_page
        statement = self.rows.add_columns(func.count().over()).order_by(*self.order)
        rows = self._read(statement.offset(offset), self.per_page + 1)
        if not rows:
            return 0, None if offset else []
        return rows[0][-1], [row[:-1] for row in rows]

    def _read(self, statement, limit: int) -> list:
        return [tuple(row) for row in self.session.execute(statement.limit(limit))]

    def by_number(self, number: int, total: int | None = None) -> list:
        """Page ``number`` by ``OFFSET``; on a chosen column, asked in the regions of
        the leading sort expression (its values, then its NULLs: ``keyset.start``), so
        that a sort on an outer-joined column is read through that column's index. With
        the exact ``total``, a page of the second half is read from the end, in the
        opposite order (« Dernière page » skips nothing)."""
        offset, wanted = (number - 1) * self.per_page, self.per_page + 1
        if total is not None and self.keyed and 2 * offset > total:
            return self._from_end(offset, total)
        if not self.terms or not self.split:
            return self._read(self.rows.order_by(*self.order).offset(offset), wanted)
        found: list = []
        for condition in keyset.start(self.terms):
            statement = self.rows.where(condition)
            rows = self._read(statement.order_by(*self.order).offset(offset), wanted - len(found))
            found += rows
            if len(found) >= wanted:
                break
            if rows or not offset:
                offset = 0
            else:  # the page is past this region: how far past
                inside = select(func.count()).select_from(statement.subquery())
                offset = max(0, offset - self.session.scalar(inside))
        return found

    def _from_end(self, offset: int, total: int) -> list:
        """The rows from ``offset`` read backwards from the last one (the order's terms
        make it total: the key ends them), then a marker when a next page exists."""
        size = max(0, min(self.per_page, total - offset))
        skipped = max(0, total - offset - size)
        ordered = [term.ordered(reverse=True) for term in self.terms]
        rows = self._read(self.rows.order_by(*ordered).offset(skipped), size)[::-1]
        return rows + [None] if skipped and rows else rows

    def from_cursor(self, after: str | None, before: str | None) -> list | None:
        """A page from the cursor of its neighbour, or ``None`` (no cursor, or one that
        is not valid or leads nowhere)."""
        if not self.keyed or not (after or before):
            return None
        if after:
            values = keyset.decode(self.terms, after, self.stamp)
            if values is None:
                return None
            found = self._past(self.terms, values, self.order, self.per_page + 1)
            return found or None
        values = keyset.decode(self.terms, before, self.stamp)
        if values is None:
            return None
        backwards = [term.reversed() for term in self.terms]
        ordered = [term.ordered(reverse=True) for term in self.terms]
        found = self._past(backwards, values, ordered, self.per_page)
        # Fewer rows than a page before it: this is the first page (``None``). The row
        # at the cursor follows the page: a next page exists.
        return found[::-1] + [None] if len(found) == self.per_page else None

    def _past(self, terms, values, order, wanted: int) -> list:
        found: list = []
        for condition in keyset.regions(terms, values):
            statement = self.rows.where(condition).order_by(*order)
            found += self._read(statement, wanted - len(found))
            if len(found) >= wanted:
                break
        return found

    def cursor(self, row) -> str | None:
        if not self.keyed or row is None:
            return None
        return keyset.encode(self.terms, row[1:], self.stamp)
