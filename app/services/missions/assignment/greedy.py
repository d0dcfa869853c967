"""Today's rule, applied to a whole session: the yardstick the benchmark compares the
solver to (issue 17 §6).

A manager opens the missions one by one in date order and ticks the top of the
candidate list (``convocation.candidates``): the nearest first — same commune as the
centre, then same département, then elsewhere (a correction at home: everyone is at the
right place) — then the least loaded (missions already held in the session), then by
name (here: by agent id). The same hard rules as the solver hold: an allowed pair, one
place per mission, never two places on one half-day, the load cap per unit, the fixed
convocations kept. No coordinate is used: the list knows only towns and départements.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from app.services.missions.assignment.problem import Allowed, Instance, Placement


def propose(instance: Instance) -> list[Placement]:
    """The places the candidate list's rule fills, mission by mission in date order."""
    ids = np.array(sorted(instance.people), dtype=np.int64)
    position = {agent_id: i for i, agent_id in enumerate(ids.tolist())}
    people = [instance.people[agent_id] for agent_id in ids.tolist()]
    communes: dict[str, int] = {}
    departments: dict[str, int] = {}
    commune = np.array([communes.setdefault(p.home.commune or "", len(communes)) for p in people])
    department = np.array(
        [departments.setdefault(p.home.department or "", len(departments)) for p in people]
    )
    missions_held = np.zeros(len(ids), dtype=np.int64)
    busy: dict[int, set] = defaultdict(set)
    on_missions: dict[int, set[int]] = defaultdict(set)
    load: dict[tuple[int, str], int] = defaultdict(int)
    for item in instance.fixed:
        if item.agent_id in position:
            missions_held[position[item.agent_id]] += 1
        busy[item.agent_id] |= item.slots
        on_missions[item.agent_id].add(item.mission_id)
        load[(item.agent_id, item.unit)] += item.load

    shared: dict[int, np.ndarray] = {}

    def positions_of(allowed) -> np.ndarray:
        base, minus = (
            (allowed.base, allowed.minus) if isinstance(allowed, Allowed) else (allowed, ())
        )
        if id(base) not in shared:
            shared[id(base)] = np.array(
                sorted(position[a] for a in base if a in position), dtype=np.int64
            )
        found = shared[id(base)]
        if minus:
            out = np.array([position[a] for a in minus if a in position], dtype=np.int64)
            found = found[~np.isin(found, out)]
        return found

    def first_day(need):
        return min((day for day, _half in need.slots), default=None)

    order = sorted(
        instance.needs,
        key=lambda need: (first_day(need) is None, first_day(need), need.mission_id, need.quality),
    )
    placements: list[Placement] = []
    for need in order:
        if need.count <= 0:
            continue
        positions = positions_of(instance.eligible.get(need.key, frozenset()))
        if not len(positions):
            continue
        if need.place is None:
            near = np.zeros(len(positions), dtype=np.int64)
        else:
            centre = need.place
            town = communes.get(centre.commune, -1) if centre.commune else -1
            area = departments.get(centre.department, -1) if centre.department else -1
            same_commune = commune[positions] == town
            same_department = department[positions] == area
            near = np.where(same_commune, 0, np.where(same_department, 1, 2))
        ranked = positions[np.lexsort((ids[positions], missions_held[positions], near))]
        taken = 0
        for i in ranked.tolist():
            agent_id = int(ids[i])
            if need.mission_id in on_missions[agent_id]:
                continue
            if busy[agent_id] & need.slots:
                continue
            cap = instance.people[agent_id].cap(need.unit)
            if cap is not None and load[(agent_id, need.unit)] + need.load > cap:
                continue
            placements.append(Placement(need.mission_id, need.quality, agent_id))
            missions_held[i] += 1
            busy[agent_id] |= need.slots
            on_missions[agent_id].add(need.mission_id)
            load[(agent_id, need.unit)] += need.load
            taken += 1
            if taken == need.count:
                break
    return sorted(placements, key=lambda p: (p.mission_id, p.quality, p.agent_id))
