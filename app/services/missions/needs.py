"""The needs of a mission: how many agents of which quality it needs, and what one of
them weighs towards their load cap in the session (automatic assignment); the
manager reads and replaces them on « Besoins en intervenants »."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from wtforms import Form

from app.services import DomainError
from app.services.common.fields import IntegerField, RequiredWithAny, TextField, first_errors
from app.services.missions import availability
from models import AcademySettings, Mission, MissionNeed, MissionType
from models.assignment import MAX_LOAD, MAX_PLACES
from models.enums import AssignmentQuality, AssignmentUnit, FeeEntryFamily
from models.referential import (
    DEFAULT_SESSION_MAX_CANDIDATES,
    DEFAULT_SESSION_MAX_COPIES,
    DEFAULT_SESSION_MAX_HALF_DAYS,
)

NOON_HOUR = 13
# The most an académie may set as one agent's load cap in a session.
MAX_SESSION_CAP = 100_000


def unit_of(mission_type: MissionType) -> AssignmentUnit:
    """Copies for a correction, candidates for an oral, half-days otherwise."""
    if mission_type.fee_family is FeeEntryFamily.COPIES:
        return AssignmentUnit.COPIES
    if mission_type.fee_family is FeeEntryFamily.CANDIDATES:
        return AssignmentUnit.CANDIDATES
    return AssignmentUnit.HALF_DAYS


def half_days(slots) -> int:
    """The half-days the slots take (a day takes two)."""
    return len(availability.half_days_of(slots))


def default_load(mission: Mission) -> int:
    """What one agent of the mission weighs when its need names no load: the mission
    type's maximum of copies or candidates per claim, or the mission's half-days."""
    unit = unit_of(mission.mission_type)
    if unit is AssignmentUnit.COPIES:
        return mission.mission_type.max_copies
    if unit is AssignmentUnit.CANDIDATES:
        return mission.mission_type.max_candidates
    return max(1, half_days(mission.slots))


def place_load(mission: Mission, need: MissionNeed | None) -> int:
    """The load of one place of ``need`` (its own, else the mission's default)."""
    if need is not None and need.load_per_agent:
        return need.load_per_agent
    return default_load(mission)


def session_caps(settings: AcademySettings | None) -> dict[str, int]:
    """One agent's load caps in a session, per unit (the solver's ``Person.capacity``)."""
    if settings is None:
        return {
            AssignmentUnit.COPIES.value: DEFAULT_SESSION_MAX_COPIES,
            AssignmentUnit.CANDIDATES.value: DEFAULT_SESSION_MAX_CANDIDATES,
            AssignmentUnit.HALF_DAYS.value: DEFAULT_SESSION_MAX_HALF_DAYS,
        }
    return {
        AssignmentUnit.COPIES.value: settings.session_max_copies,
        AssignmentUnit.CANDIDATES.value: settings.session_max_candidates,
        AssignmentUnit.HALF_DAYS.value: settings.session_max_half_days,
    }


# --- The manager's editing of a mission's needs -----------------------------------------

# A row of the form per quality at most; a few empty rows to add needs.
MAX_ROWS = len(AssignmentQuality)
EMPTY_ROWS = 3


class NeedRowForm(Form):
    """One row of « Besoins en intervenants »: an empty row is no need."""

    quality = TextField(_l("Quality"), [RequiredWithAny(("places", "load_per_agent"))])
    places = IntegerField(
        _l("Places"),
        [RequiredWithAny(("quality", "load_per_agent"))],
        minimum=1,
        maximum=MAX_PLACES,
    )
    load_per_agent = IntegerField(_l("Load per contributor"), minimum=1, maximum=MAX_LOAD)


class NeedErrors(DomainError):
    """The rows refused: ``errors[index][field]`` → the French message next to it."""

    def __init__(self, errors: dict[int, dict[str, object]]):
        super().__init__(_l("Some fields are not valid: see the messages next to them."))
        self.errors = errors


@dataclass
class NeedLine:
    """A need as the page shows it: its places, its load and the convoked of its quality."""

    quality: AssignmentQuality
    places: int
    load_per_agent: int | None
    load: int
    convoked: int


@dataclass
class NeedsPage:
    """What « Besoins en intervenants » shows of a mission."""

    unit: AssignmentUnit
    default_load: int
    default_label: object
    lines: list[NeedLine]
    # Convoked agents per quality (None: convoked without a quality), needs or not.
    convoked: dict[AssignmentQuality | None, int]
    rows: list[dict[str, str]] = field(default_factory=list)
    # The convoked of each row's quality (None: no quality chosen on the row).
    row_convoked: list[int | None] = field(default_factory=list)


def default_load_label(mission: Mission):
    """« 300 copies par défaut (type de mission) », « 2 demi-journées par défaut (dates
    de la mission) »: what one place weighs when its need names no load."""
    unit = unit_of(mission.mission_type)
    load = default_load(mission)
    if unit is AssignmentUnit.HALF_DAYS:
        return _l(
            "%(count)s %(unit)s by default (dates of the mission)", count=load, unit=unit.label
        )
    return _l("%(count)s %(unit)s by default (mission type)", count=load, unit=unit.label)


def convoked_by_quality(mission: Mission) -> dict[AssignmentQuality | None, int]:
    """How many agents are convoked to ``mission`` (withdrawn ones left out), per quality."""
    return dict(Counter(a.quality for a in mission.assignments if a.cancelled_at is None))


def mission_needs(session: Session, mission: Mission) -> list[MissionNeed]:
    """The needs of ``mission``, in the order of the qualities."""
    order = {quality: index for index, quality in enumerate(AssignmentQuality)}
    found = session.scalars(select(MissionNeed).where(MissionNeed.mission_id == mission.id))
    return sorted(found, key=lambda need: order[need.quality])


def needs_page(session: Session, mission: Mission, rows=None) -> NeedsPage:
    """The needs of ``mission`` with the unit, the default load and the convoked per
    quality; ``rows`` (what the manager typed, refused) or the needs as form rows,
    with a few empty rows to add others."""
    needs = mission_needs(session, mission)
    convoked = convoked_by_quality(mission)
    lines = [
        NeedLine(
            quality=need.quality,
            places=need.places,
            load_per_agent=need.load_per_agent,
            load=place_load(mission, need),
            convoked=convoked.get(need.quality, 0),
        )
        for need in needs
    ]
    if rows is None:
        rows = [
            {
                "quality": need.quality.name,
                "places": str(need.places),
                "load_per_agent": str(need.load_per_agent or ""),
            }
            for need in needs
        ]
        blank = {"quality": "", "places": "", "load_per_agent": ""}
        rows += [dict(blank) for _ in range(min(EMPTY_ROWS, MAX_ROWS - len(rows)))]
    return NeedsPage(
        unit=unit_of(mission.mission_type),
        default_load=default_load(mission),
        default_label=default_load_label(mission),
        lines=lines,
        convoked=convoked,
        rows=list(rows),
        row_convoked=[
            convoked.get(AssignmentQuality.__members__.get(row.get("quality", "")), 0)
            if row.get("quality")
            else None
            for row in rows
        ],
    )


def _checked(rows) -> list[tuple[AssignmentQuality, int, int | None]]:
    """The needs the rows say, or ``NeedErrors``: a known quality given once, places
    from 1 to 999, a load per agent from 1 to 9,999 or none; empty rows are skipped."""
    errors: dict[int, dict[str, object]] = {}
    wanted = []
    seen: set[AssignmentQuality] = set()
    for index, values in enumerate(rows):
        form = NeedRowForm(formdata=MultiDict(values))
        form.validate()
        row_errors = first_errors(form)
        name = form.quality.data
        if not (name or form.places.text or form.load_per_agent.text):
            continue
        quality = AssignmentQuality.__members__.get(name)
        if "quality" not in row_errors:
            if quality is None:
                row_errors["quality"] = _l("Not a valid choice.")
            elif quality in seen:
                row_errors["quality"] = _l("This quality is already on another row.")
        if quality is not None:
            seen.add(quality)
        if row_errors:
            errors[index] = row_errors
        else:
            wanted.append((quality, form.places.data, form.load_per_agent.data))
    if errors:
        raise NeedErrors(errors)
    return wanted


def replace_needs(session: Session, mission: Mission, rows) -> list[MissionNeed]:
    """Make the needs of ``mission`` those of ``rows`` (dicts of the typed ``quality``,
    ``places``, ``load_per_agent``): a quality kept is updated in place, one left out is
    deleted, a new one added. Refused as a whole (``NeedErrors``) if one row is wrong."""
    rows = list(rows)
    if len(rows) > MAX_ROWS:
        rows = rows[:MAX_ROWS]
    wanted = _checked(rows)
    existing = {need.quality: need for need in mission_needs(session, mission)}
    kept = []
    for quality, places, load in wanted:
        need = existing.pop(quality, None)
        if need is None:
            need = MissionNeed(mission_id=mission.id, quality=quality)
            session.add(need)
        need.places, need.load_per_agent = places, load
        kept.append(need)
    for need in existing.values():
        session.delete(need)
    try:
        session.flush()
    except IntegrityError as error:
        # Unique (mission, quality): another manager added the same need meanwhile.
        raise DomainError(
            _l(
                "The needs of this mission were changed at the same moment by another user:"
                " reload the page to see them."
            )
        ) from error
    return kept
