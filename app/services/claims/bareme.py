"""The barème (rate table) valid on a mission date and what it lacks: the rates by
kind and key (per copy / per hour by group, meals, nights by lodging zone, kilometre
allowances by fiscal horsepower and yearly band), the lines missing from a table
compared with a complete one, and a new barème copied from the previous one.
Amounts are ``Decimal`` rounded to the cent (``money``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from app.services import DomainError
from app.services.common import formats
from models import RateLine, RateTable
from models.enums import LodgingZone, RateKind

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Oral length per candidate when the paper does not say (minutes).
DEFAULT_MINUTES_PER_CANDIDATE = 30
MEAL_STANDARD, MEAL_ADMINISTRATIVE = "standard", "administratif"


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class MissingRate:
    """A line a claim needs and its barème lacks: the amount of that part is
    "barème incomplet", never computed as if the rate were 0."""

    kind: RateKind
    key: str

    def __str__(self) -> str:
        return str(_l("%(kind)s « %(key)s »", kind=self.kind.label, key=self.key))


def unique_lines(items):
    return list(dict.fromkeys(items))


class Rates:
    """The lines of one barème, looked up by kind and key."""

    def __init__(self, table: RateTable | None, lines: dict[tuple[RateKind, str], Decimal]):
        self.table = table
        self.lines = lines

    @classmethod
    def of(cls, table: RateTable | None) -> Rates:
        lines = {(line.kind, line.key): line.amount for line in table.lines} if table else {}
        return cls(table, lines)

    def get(self, kind: RateKind, key: str) -> Decimal | None:
        value = self.lines.get((kind, str(key)))
        return None if value is None else Decimal(value)

    def need(self, kind: RateKind, key: str, missing: list[MissingRate]) -> Decimal:
        """The rate, or 0 with the line added to ``missing`` (whose part is then
        incomplete: its total is None, the 0 never shows)."""
        value = self.get(kind, key)
        if value is None:
            missing.append(MissingRate(kind, str(key)))
            return ZERO
        return value

    def kilometre_class(self, fiscal_power: int | None) -> str:
        """The horsepower class (« 5CV », « 6-7CV »…) whose bands apply: the one of
        the barème chosen as ``kilometre_bands`` does, or the standard class of the
        power when the barème has no kilometre line."""
        classes = sorted(
            {
                (int(match[1]), key.split(":")[0])
                for (kind, key) in self.lines
                if kind is RateKind.KILOMETRE and (match := KILOMETRE_KEY.fullmatch(key))
            }
        )
        if not classes:
            return standard_kilometre_class(fiscal_power)
        chosen = classes[0]
        for candidate in classes:
            if fiscal_power is not None and candidate[0] <= fiscal_power:
                chosen = candidate
        return chosen[1]

    def kilometre_bands(self, fiscal_power: int | None) -> list[tuple[int, int | None, Decimal]]:
        """(from km, to km or None, rate) of the horsepower class of ``fiscal_power``;
        keys read "5CV:0-2000", "6-7CV:2001-10000", "8CV:10001-" (the first class
        covers every lower power, the last every higher one)."""
        classes: dict[tuple[int, str], list] = {}
        for (kind, key), amount in self.lines.items():
            if kind is not RateKind.KILOMETRE:
                continue
            match = KILOMETRE_KEY.fullmatch(key)
            if not match:
                continue
            low_power, _high, low_km, high_km = match.groups()
            band = (int(low_km), int(high_km) if high_km else None, Decimal(amount))
            classes.setdefault((int(low_power), key.split(":")[0]), []).append(band)
        if not classes:
            return []
        ordered = sorted(classes)
        chosen = ordered[0]
        for candidate in ordered:
            if fiscal_power is not None and candidate[0] <= fiscal_power:
                chosen = candidate
        return sorted(classes[chosen])


KILOMETRE_KEY = re.compile(r"(\d+)(?:-(\d+))?CV:(\d+)-(\d*)")
MEAL_KEYS = (MEAL_STANDARD, MEAL_ADMINISTRATIVE)
# A complete barème (the texts of 2012 and 2022): the lines every académie's table
# holds; a manager is warned of any of them missing (and of any line the previous
# table had).
KILOMETRE_CLASSES = ((5, "5CV"), (6, "6-7CV"), (8, "8CV"))
KILOMETRE_BANDS = ((0, 2000), (2001, 10000), (10001, None))
COMPLETE_KEYS: tuple[tuple[RateKind, str], ...] = (
    *((RateKind.FEE_PER_COPY, str(group)) for group in range(1, 6)),
    *((RateKind.FEE_PER_HOUR, str(group)) for group in range(1, 5)),
    *((RateKind.MEAL, key) for key in MEAL_KEYS),
    *((RateKind.NIGHT, zone.value) for zone in LodgingZone),
    *(
        (RateKind.KILOMETRE, f"{name}:{low}-{high or ''}")
        for _power, name in KILOMETRE_CLASSES
        for low, high in KILOMETRE_BANDS
    ),
)


def standard_kilometre_class(fiscal_power: int | None) -> str:
    chosen = KILOMETRE_CLASSES[0][1]
    for low, name in KILOMETRE_CLASSES:
        if fiscal_power is not None and fiscal_power >= low:
            chosen = name
    return chosen


def standard_band_key(class_name: str, km: Decimal) -> str:
    """The key of the standard band of ``class_name`` where the ``km``-th kilometre
    of the year falls."""
    for low, high in KILOMETRE_BANDS:
        if high is None or km <= high:
            return f"{class_name}:{low}-{high or ''}"
    raise AssertionError("the last band is open")  # pragma: no cover


def rate_key_error(kind: RateKind | None, key: str) -> str | None:
    """Why ``key`` cannot name a line of ``kind`` (None when it can): the lookups above
    only find keys written this way."""
    key = (key or "").strip()
    if kind is None:
        return None
    if kind in (RateKind.FEE_PER_COPY, RateKind.FEE_PER_HOUR):
        if not key.isdigit():
            return str(_l("For a fee, the key is the rate group of the paper: 1, 2, 3…"))
    elif kind is RateKind.MEAL:
        if key not in MEAL_KEYS:
            return str(_l("For a meal, the key is « standard » or « administratif »."))
    elif kind is RateKind.NIGHT:
        zones = [zone.value for zone in LodgingZone]
        if key not in zones:
            return str(_l("For a night, the key is one of: %(keys)s.", keys=", ".join(zones)))
    elif kind is RateKind.KILOMETRE and not KILOMETRE_KEY.fullmatch(key):
        return str(
            _l(
                "For kilometres, the key reads « 5CV:0-2000 », « 6-7CV:2001-10000 » "
                "or « 8CV:10001- » (fiscal horsepower, then the yearly distance band)."
            )
        )
    return None


def rates_for(session: Session, day: dt.date | None, *, academy_id: int | None) -> Rates:
    """The barème of the académie valid on ``day`` (the latest one starting on or
    before it)."""
    if day is None or academy_id is None:
        return Rates(None, {})
    table = session.scalar(
        select(RateTable)
        .where(
            RateTable.academy_id == academy_id,
            RateTable.valid_from <= day,
            or_(RateTable.valid_until.is_(None), RateTable.valid_until >= day),
        )
        .order_by(RateTable.valid_from.desc(), RateTable.id.desc())
        .options(selectinload(RateTable.lines))
        .limit(1)
    )
    return Rates.of(table)


def rates_of_mission(session: Session, mission) -> Rates:
    """The barème a claim of ``mission`` is computed with: its académie's, on its
    first day."""
    return rates_for(session, mission.first_day, academy_id=mission.academy_id)


def _line_order(line: tuple[RateKind, str]) -> tuple[int, str]:
    return list(RateKind).index(line[0]), line[1]


def missing_lines(session: Session, table: RateTable) -> list[MissingRate]:
    """The lines ``table`` lacks compared to a complete barème: the lines of the
    texts (``COMPLETE_KEYS``) and those of the académie's previous table."""
    previous = session.scalar(
        select(RateTable)
        .where(
            RateTable.academy_id == table.academy_id,
            RateTable.valid_from < table.valid_from,
            RateTable.id != table.id,
        )
        .order_by(RateTable.valid_from.desc(), RateTable.id.desc())
        .options(selectinload(RateTable.lines))
        .limit(1)
    )
    wanted = list(COMPLETE_KEYS)
    if previous is not None:
        wanted += sorted(((line.kind, line.key) for line in previous.lines), key=_line_order)
    present = {(line.kind, line.key) for line in table.lines}
    return unique_lines(
        MissingRate(kind, key) for kind, key in wanted if (kind, key) not in present
    )


def incomplete_tables(session: Session, academy_id: int) -> list[tuple[RateTable, list]]:
    """The académie's barèmes that lack lines of a complete one, with those lines."""
    tables = session.scalars(
        select(RateTable)
        .where(RateTable.academy_id == academy_id)
        .order_by(RateTable.valid_from.desc(), RateTable.id.desc())
        .options(selectinload(RateTable.lines))
    )
    result = []
    for table in tables:
        missing = missing_lines(session, table)
        if missing:
            result.append((table, missing))
    return result


def copy_previous(
    session: Session, academy_id: int, *, valid_from: dt.date, name: str, reference=None
) -> RateTable:
    """A new barème of the académie from ``valid_from`` holding every line of the
    table valid the day before (or, failing that, the latest one starting before):
    the start of a new table when the texts change."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the new barème a name."))
    source = rates_for(session, valid_from - dt.timedelta(days=1), academy_id=academy_id).table
    if source is None:
        source = session.scalar(
            select(RateTable)
            .where(RateTable.academy_id == academy_id, RateTable.valid_from < valid_from)
            .order_by(RateTable.valid_from.desc(), RateTable.id.desc())
            .limit(1)
        )
    if source is None:
        raise DomainError(
            _l(
                "No barème starts before %(day)s: there is nothing to copy.",
                day=formats.day(valid_from),
            )
        )
    table = RateTable(
        academy_id=academy_id,
        name=name[:120],
        valid_from=valid_from,
        reference=reference if reference is not None else source.reference,
    )
    table.lines = [
        RateLine(kind=line.kind, key=line.key, amount=line.amount) for line in source.lines
    ]
    session.add(table)
    session.flush()
    return table
