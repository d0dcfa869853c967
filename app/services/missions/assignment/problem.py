"""The assignment problem as plain values, and its objective.

A *need* is the places of one quality on one mission (12 correcteurs, 2
interrogateurs…). A *person* is an agent who may fill some of them. ``eligible`` holds,
for each need, the agents the pair rules allow (a valid competence for the paper, not
unavailable on the mission's half-days, no conflict of interest with the centre or the
mission): the caller computes it. The rules between a person's places are the
solver's: never two places on one half-day, never two places of one mission, never
more than the person's load cap in the session, per unit (copies, candidates,
half-days: a place weighs ``load`` of its need's ``unit``). ``fixed`` are the convocations already
made (locked): they take half-days, load and missions of their agents.

The objective, lower is better, in kilometre-equivalents:
* every place left empty costs ``UNFILLED`` (filling always comes first);
* a place costs its travel: great-circle kilometres from home to the centre (or
  today's same-commune / same-département rule where a coordinate is missing), once per
  day of the mission, times ``weights.travel``;
* the k-th mission of a person in the session (counting the fixed ones) costs
  ``weights.spread × (k - 1)``: a second mission for one agent costs more than a first
  for a colleague a little further away;
* a place the person wished (DCS survey, declared competence) earns ``weights.wish``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass, field

Slot = tuple[dt.date, str]  # a day and its half ("am" or "pm")
NeedKey = tuple[int, str]  # (mission id, quality)

EARTH_RADIUS_KM = 6371.0
# Where a coordinate is missing, today's rule (convocation.proximity) in kilometres:
# the same commune, the same département, elsewhere.
SAME_COMMUNE_KM = 5.0
SAME_DEPARTMENT_KM = 40.0
ELSEWHERE_KM = 150.0
# The cost of a place left empty: more than any travel and spread a place may cost.
UNFILLED = 1_000_000.0


@dataclass(frozen=True)
class Place:
    latitude: float | None = None
    longitude: float | None = None
    commune: str = ""
    department: str | None = None

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def km(home: Place, centre: Place | None) -> float:
    """The distance from ``home`` to ``centre`` (None: the work is done at home)."""
    if centre is None:
        return 0.0
    if home.located and centre.located:
        lat1, lon1 = math.radians(home.latitude), math.radians(home.longitude)
        lat2, lon2 = math.radians(centre.latitude), math.radians(centre.longitude)
        h = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
    if home.commune and home.commune == centre.commune:
        return SAME_COMMUNE_KM
    if home.department and home.department == centre.department:
        return SAME_DEPARTMENT_KM
    return ELSEWHERE_KM


class Allowed(Set):
    """The agents a need allows, as ``base`` less ``minus``: the whole académie less a
    few for a mission without paper (surveillance), without a copy of 20,000 ids per
    mission."""

    __slots__ = ("base", "minus", "_size")

    def __init__(self, base: frozenset[int], minus: Iterable[int] = ()):
        self.base = base
        self.minus = frozenset(minus) & base
        self._size = len(base) - len(self.minus)

    def __contains__(self, agent_id) -> bool:
        return agent_id in self.base and agent_id not in self.minus

    def __iter__(self) -> Iterator[int]:
        if not self.minus:
            return iter(self.base)
        return (agent_id for agent_id in self.base if agent_id not in self.minus)

    def __len__(self) -> int:
        return self._size

    def __hash__(self) -> int:
        return self._hash()


@dataclass(frozen=True)
class Weights:
    travel: float = 1.0  # per kilometre
    spread: float = 40.0  # per mission the person already holds in the session
    wish: float = 30.0  # earned by a place the person wished


@dataclass(frozen=True)
class Need:
    mission_id: int
    quality: str
    count: int  # places still to fill
    load: int = 1  # what one place weighs towards the person's cap in ``unit``
    unit: str = "places"
    slots: frozenset[Slot] = frozenset()
    place: Place | None = None  # the exam centre (None: at home)

    @property
    def key(self) -> NeedKey:
        return (self.mission_id, self.quality)

    @property
    def days(self) -> int:
        return max(1, len({day for day, _half in self.slots}))


@dataclass(frozen=True)
class Person:
    agent_id: int
    home: Place
    # The most load in the session per unit, fixed places included (a unit it does not
    # name has no cap).
    capacity: dict[str, int] = field(default_factory=dict)

    def cap(self, unit: str) -> int | None:
        return self.capacity.get(unit)


@dataclass(frozen=True)
class Fixed:
    """A convocation already made: it stays, and takes its agent's time and load."""

    agent_id: int
    mission_id: int
    quality: str
    load: int = 1
    slots: frozenset[Slot] = frozenset()
    unit: str = "places"


@dataclass
class Instance:
    needs: list[Need]
    people: dict[int, Person]
    eligible: dict[NeedKey, frozenset[int] | Allowed]
    fixed: list[Fixed] = field(default_factory=list)
    wishes: frozenset[tuple[int, int]] = frozenset()  # (agent id, mission id)
    weights: Weights = field(default_factory=Weights)

    def need(self, key: NeedKey) -> Need:
        return self._needs()[key]

    def _needs(self) -> dict[NeedKey, Need]:
        cache = self.__dict__.get("_by_key")
        if cache is None:
            cache = {need.key: need for need in self.needs}
            self.__dict__["_by_key"] = cache
        return cache

    def held(self) -> Counter:
        """Missions each agent holds already (fixed)."""
        return Counter(item.agent_id for item in self.fixed)

    def pair_cost(self, need: Need, agent_id: int) -> float:
        """Travel minus wish of one place (the spread depends on the whole proposal)."""
        person = self.people[agent_id]
        cost = self.weights.travel * km(person.home, need.place) * need.days
        if (agent_id, need.mission_id) in self.wishes:
            cost -= self.weights.wish
        return cost


@dataclass(frozen=True)
class Placement:
    mission_id: int
    quality: str
    agent_id: int

    @property
    def key(self) -> NeedKey:
        return (self.mission_id, self.quality)


def objective(
    instance: Instance, placements: Iterable[Placement], keys: Iterable[NeedKey] | None = None
) -> float:
    """The cost of a proposal (lower is better), as the module's docstring defines it;
    ``keys``: only these needs' empty places count (one part of the instance)."""
    placements = list(placements)
    filled = Counter(p.key for p in placements)
    needs = instance.needs if keys is None else [instance.need(key) for key in keys]
    total = sum(UNFILLED * max(0, need.count - filled[need.key]) for need in needs)
    total += sum(instance.pair_cost(instance.need(p.key), p.agent_id) for p in placements)
    held = instance.held()
    new = Counter(p.agent_id for p in placements)
    spread = instance.weights.spread
    for agent_id, count in new.items():
        before = held[agent_id]
        total += spread * sum(before + k for k in range(count))
    return total
