"""An independent check of a proposal against the hard rules: written apart from the
solver (it shares only the instance's types), so a solver's mistake cannot hide in a
shared helper. Every proposal the tests make goes through it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from app.services.missions.assignment.problem import Instance, Placement


def violations(instance: Instance, placements: Iterable[Placement]) -> list[str]:
    """Each hard rule the proposal breaks, in words (empty: none)."""
    found: list[str] = []
    placements = list(placements)
    needs = {need.key: need for need in instance.needs}
    per_need = Counter()
    seen_pairs = set()
    slots_of = defaultdict(list)  # agent → [(slot, what)]
    load_of = Counter()
    missions_of = defaultdict(set)
    for item in instance.fixed:
        for slot in item.slots:
            slots_of[item.agent_id].append((slot, f"fixed {item.mission_id}"))
        load_of[(item.agent_id, item.unit)] += item.load
        missions_of[item.agent_id].add(item.mission_id)
    for p in placements:
        need = needs.get(p.key)
        if need is None:
            found.append(f"{p}: no such need")
            continue
        if p.agent_id not in instance.people:
            found.append(f"{p}: unknown agent")
            continue
        if p.agent_id not in instance.eligible.get(p.key, frozenset()):
            found.append(f"{p}: the pair rules do not allow this agent")
        if (p.key, p.agent_id) in seen_pairs:
            found.append(f"{p}: proposed twice")
        seen_pairs.add((p.key, p.agent_id))
        per_need[p.key] += 1
        if p.mission_id in missions_of[p.agent_id]:
            found.append(f"{p}: the agent already has a place on this mission")
        missions_of[p.agent_id].add(p.mission_id)
        for slot in need.slots:
            slots_of[p.agent_id].append((slot, f"proposed {p.mission_id}"))
        load_of[(p.agent_id, need.unit)] += need.load
    for key, count in per_need.items():
        if key in needs and count > needs[key].count:
            found.append(f"need {key}: {count} placed for {needs[key].count} places")
    for agent_id, taken in slots_of.items():
        by_slot = defaultdict(list)
        for slot, what in taken:
            by_slot[slot].append(what)
        for slot, what in by_slot.items():
            if len(what) > 1 and any(w.startswith("proposed") for w in what):
                found.append(f"agent {agent_id}: {slot} taken by {', '.join(sorted(what))}")
    # A cap counts the fixed load too, but only what the proposal adds can break it.
    proposed = {(p.agent_id, needs[p.key].unit) for p in placements if p.key in needs}
    for (agent_id, unit), load in load_of.items():
        person = instance.people.get(agent_id)
        cap = person.cap(unit) if person is not None else None
        if cap is not None and load > cap and (agent_id, unit) in proposed:
            found.append(f"agent {agent_id}: {load} {unit} over the cap {cap}")
    return found
