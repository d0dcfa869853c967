"""Random assignment instances with a fixed seed, shaped like an académie's session:
agents living across Brittany, exam centres in its towns, papers each agent may be
competent for, missions on half-days or days of a few weeks. The tests draw many small
ones (every rule, the optimality gap); the benchmark draws the large one."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from app.services.missions.assignment.problem import (
    Fixed,
    Instance,
    Need,
    Person,
    Place,
    Weights,
)

# Brittany: latitude and longitude bounds, and four départements by longitude.
LAT, LON = (47.3, 48.9), (-5.1, -1.0)
DEPARTMENTS = ("29", "22", "56", "35")


def _place(rng: random.Random, located: bool = True) -> Place:
    lat, lon = rng.uniform(*LAT), rng.uniform(*LON)
    department = DEPARTMENTS[min(3, int((lon - LON[0]) / (LON[1] - LON[0]) * 4))]
    commune = f"C{department}{rng.randrange(40):02d}"
    if not located:
        return Place(None, None, commune, department)
    return Place(round(lat, 4), round(lon, 4), commune, department)


def instance(
    seed: int,
    *,
    agents: int = 30,
    missions: int = 12,
    papers: int = 3,
    days: int = 4,
    unlocated: float = 0.1,
    fixed: int = 3,
    weights: Weights | None = None,
) -> Instance:
    rng = random.Random(seed)
    first = dt.date(2027, 6, 14)
    people = {}
    competent: dict[int, set[int]] = {}
    for agent_id in range(1, agents + 1):
        people[agent_id] = Person(
            agent_id,
            _place(rng, rng.random() >= unlocated),
            capacity={
                "copies": rng.choice((60, 120, 200)),
                "half_days": rng.choice((2, 4, 6)),
            },
        )
        competent[agent_id] = set(rng.sample(range(papers), rng.choice((1, 1, 2, 3))))
    by_paper: dict[int, list[int]] = {paper: [] for paper in range(papers)}
    for agent_id, mine in competent.items():
        for paper in mine:
            by_paper[paper].append(agent_id)
    centres = [_place(rng) for _ in range(max(2, missions // 3))]
    needs, eligible, paper_of = [], {}, {}
    for mission_id in range(1, missions + 1):
        paper = rng.randrange(papers)
        paper_of[mission_id] = paper
        day = first + dt.timedelta(days=rng.randrange(days))
        kind = rng.random()
        if kind < 0.2:
            slots = frozenset()  # corrections at home
            centre = None
        elif kind < 0.6:
            slots = frozenset({(day, rng.choice(("am", "pm")))})
            centre = rng.choice(centres)
        else:
            span = rng.choice((1, 2))
            slots = frozenset(
                (day + dt.timedelta(days=d), half) for d in range(span) for half in ("am", "pm")
            )
            centre = rng.choice(centres)
        qualities = (
            ("correcteur",)
            if centre is None
            else rng.choice((("interrogateur",), ("interrogateur", "president")))
        )
        for quality in qualities:
            need = Need(
                mission_id,
                quality,
                count=rng.choice((1, 1, 2, 3, 4)) if quality != "president" else 1,
                load=rng.choice((40, 60, 80)) if centre is None else len(slots),
                unit="copies" if centre is None else "half_days",
                slots=slots,
                place=centre,
            )
            needs.append(need)
            eligible[need.key] = frozenset(a for a in by_paper[paper] if rng.random() < 0.9)
    fixed_items = []
    for _ in range(fixed):
        need = rng.choice(needs)
        allowed = sorted(eligible[need.key])
        if not allowed or need.count <= 0:
            continue
        agent_id = rng.choice(allowed)
        if any(f.agent_id == agent_id and f.mission_id == need.mission_id for f in fixed_items):
            continue
        fixed_items.append(
            Fixed(agent_id, need.mission_id, need.quality, need.load, need.slots, need.unit)
        )
        needs[needs.index(need)] = replace(need, count=need.count - 1)
    wishes = frozenset(
        (a, m) for m, paper in paper_of.items() for a in by_paper[paper] if rng.random() < 0.03
    )
    return Instance(
        needs=needs,
        people=people,
        eligible=eligible,
        fixed=fixed_items,
        wishes=wishes,
        weights=weights or Weights(),
    )
