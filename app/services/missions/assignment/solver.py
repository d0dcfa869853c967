"""The proposal: a min-cost flow (OR-Tools' SimpleMinCostFlow) per independent part of
the session, repaired, then improved to the optimum of the part's nearest candidates by
a mixed-integer program (HiGHS, ``milp``) on the parts small enough.

Why a flow first: filling places with people at the least travel, with a convex price
on each person's number of missions (the spread), is exactly a min-cost flow — source
→ need (its places) → person (one place per pair) → sink (one arc per extra mission, at
a rising price) — which OR-Tools solves exactly in a fraction of a second. Two rules
are not flows: one half-day holds one place, and places weigh differently against the
load cap. The repair keeps, for each person whose places clash, the cheapest set that
holds and forbids the other pairs, then solves again; a few rounds settle. That
proposal is feasible but may be a few percent off on a small or scarce part; HiGHS
closes the gap there within ``time_limit`` (the benchmark and the tests measure the gap
to the proven optimum). Parts that share no candidate are solved apart (a session splits by paper
and by week), and each need keeps its nearest candidates (``CANDIDATES`` per place,
widened while a place stays empty and some were left out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from app.services.missions.assignment import milp
from app.services.missions.assignment.problem import (
    EARTH_RADIUS_KM,
    ELSEWHERE_KM,
    SAME_COMMUNE_KM,
    SAME_DEPARTMENT_KM,
    UNFILLED,
    Allowed,
    Instance,
    NeedKey,
    Placement,
    Slot,
    km,
    objective,
)

CANDIDATES = 24  # nearest candidates kept per place of a need, at first
# HiGHS improves the parts of at most this many pairs (small or scarce parts, where the
# repair may cost a few percent); on larger ones the flow's repair loses next to
# nothing (the benchmark prints the bound) and the program would only spend the time.
MILP_MAX_PAIRS = 30_000
SCALE = 100  # costs in hundredths of a kilometre for the integer flow
MAX_ROUNDS = 3  # more rounds only move the clashes around: the fill pass ends it


@dataclass
class Choice:
    """Why a person was proposed for a place: the distance and the rank among the free
    competent candidates, the missions held before, a wish."""

    placement: Placement
    km: float
    rank: int  # 1: the nearest free competent candidate
    candidates: int
    missions_before: int
    wished: bool


@dataclass
class Unfilled:
    key: NeedKey
    places: int
    reason: str  # "no_competent" | "none_free" | "taken_elsewhere"


@dataclass
class Proposal:
    placements: list[Placement] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    unfilled: list[Unfilled] = field(default_factory=list)
    cost: float = 0.0
    parts: int = 0
    rounds: int = 0
    # A lower bound of the cost over the same candidates: the proposal is at most
    # ``cost - bound`` from the optimum (0: proven optimal).
    bound: float = 0.0


@dataclass
class Pool:
    """The candidates of a need, nearest first: agent ids and their costs."""

    ids: np.ndarray
    costs: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def head(self, size: int) -> Pool:
        return Pool(self.ids[:size], self.costs[:size])

    def without(self, agent_ids: set[int]) -> Pool:
        if not agent_ids:
            return self
        keep = ~np.isin(self.ids, np.fromiter(agent_ids, dtype=np.int64))
        return Pool(self.ids[keep], self.costs[keep])


def _taken(instance: Instance) -> tuple[dict, dict, dict]:
    """The half-days, load and missions the fixed convocations take, per agent."""
    busy: dict[int, set[Slot]] = defaultdict(set)
    load: dict[tuple[int, str], int] = defaultdict(int)  # (agent, unit) → load
    missions: dict[int, set[int]] = defaultdict(set)
    for item in instance.fixed:
        busy[item.agent_id] |= item.slots
        load[(item.agent_id, item.unit)] += item.load
        missions[item.agent_id].add(item.mission_id)
    return busy, load, missions


class _People:
    """The people as arrays, for distances computed a need at a time."""

    def __init__(self, instance: Instance):
        ids = sorted(instance.people)
        self.position = {agent_id: i for i, agent_id in enumerate(ids)}
        people = [instance.people[agent_id] for agent_id in ids]
        nan = float("nan")
        self.lat = np.radians([p.home.latitude if p.home.located else nan for p in people])
        self.lon = np.radians([p.home.longitude if p.home.located else nan for p in people])
        communes, departments = {}, {}
        self.commune = np.array(
            [
                communes.setdefault(p.home.commune, len(communes)) if p.home.commune else -1
                for p in people
            ]
        )
        self.department = np.array(
            [
                departments.setdefault(p.home.department, len(departments))
                if p.home.department
                else -2
                for p in people
            ]
        )
        self.communes, self.departments = communes, departments
        self.people = people
        self._room: dict[str, np.ndarray] = {}

    def room(self, unit: str, load: dict) -> np.ndarray:
        """What each person may still take in ``unit`` (no cap: as much as wanted)."""
        if unit not in self._room:
            room = np.array(
                [p.cap(unit) if p.cap(unit) is not None else 2**31 for p in self.people]
            )
            for (agent_id, used_unit), used in load.items():
                if used_unit == unit and agent_id in self.position:
                    room[self.position[agent_id]] -= used
            self._room[unit] = room
        return self._room[unit]

    def km(self, positions: np.ndarray, centre) -> np.ndarray:
        if centre is None:
            return np.zeros(len(positions))
        commune = self.communes.get(centre.commune, -3) if centre.commune else -3
        department = self.departments.get(centre.department, -4) if centre.department else -4
        rule = np.where(
            self.commune[positions] == commune,
            SAME_COMMUNE_KM,
            np.where(self.department[positions] == department, SAME_DEPARTMENT_KM, ELSEWHERE_KM),
        )
        if not centre.located:
            return rule
        lat, lon = self.lat[positions], self.lon[positions]
        lat2, lon2 = np.radians(centre.latitude), np.radians(centre.longitude)
        h = (
            np.sin((lat2 - lat) / 2) ** 2
            + np.cos(lat) * np.cos(lat2) * np.sin((lon2 - lon) / 2) ** 2
        )
        great_circle = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
        return np.where(np.isnan(great_circle), rule, great_circle)


def candidates(instance: Instance) -> dict[NeedKey, Pool]:
    """Per need, the allowed agents still free for it (half-days, load, mission), the
    nearest first (cost: travel minus wish, as ``Instance.pair_cost``). Sets of allowed
    agents shared by several needs (a paper's competent agents, the whole académie) are
    turned into positions once."""
    busy, load, missions = _taken(instance)
    people = _People(instance)
    ids_of = np.array(sorted(instance.people), dtype=np.int64)
    wished = defaultdict(set)
    for agent_id, mission_id in instance.wishes:
        wished[mission_id].add(agent_id)
    # Who a need cannot take because of the fixed convocations: by half-day, by mission.
    busy_on: dict[Slot, set[int]] = defaultdict(set)
    for agent_id, slots in busy.items():
        for slot in slots:
            busy_on[slot].add(agent_id)
    on_mission: dict[int, set[int]] = defaultdict(set)
    for agent_id, held_missions in missions.items():
        for mission_id in held_missions:
            on_mission[mission_id].add(agent_id)
    shared: dict[int, np.ndarray] = {}

    def positions_of(agent_ids) -> np.ndarray:
        key = id(agent_ids)
        if key not in shared:
            shared[key] = np.array(
                sorted(people.position[a] for a in agent_ids if a in people.position),
                dtype=np.int64,
            )
        return shared[key]

    weights = instance.weights
    found = {}
    for need in instance.needs:
        if need.count <= 0:
            continue
        allowed = instance.eligible.get(need.key, frozenset())
        base, minus = (
            (allowed.base, allowed.minus) if isinstance(allowed, Allowed) else (allowed, ())
        )
        positions = positions_of(base)
        blocked = set(minus) | on_mission.get(need.mission_id, set())
        for slot in need.slots:
            blocked |= busy_on.get(slot, set())
        if blocked:
            out = [people.position[a] for a in blocked if a in people.position]
            positions = positions[~np.isin(positions, np.array(out, dtype=np.int64))]
        positions = positions[people.room(need.unit, load)[positions] >= need.load]
        ids = ids_of[positions]
        costs = weights.travel * people.km(positions, need.place) * need.days
        if wished.get(need.mission_id):
            mask = np.isin(ids, np.fromiter(wished[need.mission_id], dtype=np.int64))
            costs = costs - weights.wish * mask
        order = np.lexsort((ids, costs))
        found[need.key] = Pool(ids[order], costs[order])
    return found


def _parts(keys: list[NeedKey], arcs: dict[NeedKey, Pool]) -> list[list[NeedKey]]:
    """Needs that share no candidate, directly or through others, are independent."""
    parent = {key: key for key in keys}

    def root(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    # Each need joins the needs that first met its candidates: one array lookup per
    # need, and a union per distinct pair of needs (not per candidate).
    pools = [arcs[key].ids for key in keys]
    size = 1 + max((int(ids.max()) for ids in pools if len(ids)), default=0)
    first_need_of = np.full(size, -1, dtype=np.int64)
    for index, (key, ids) in enumerate(zip(keys, pools, strict=True)):
        if not len(ids):
            continue
        met = first_need_of[ids]
        first_need_of[ids[met < 0]] = index
        for other in np.unique(met[met >= 0]).tolist():
            a, b = root(key), root(keys[other])
            if a != b:
                parent[a] = b
    groups = defaultdict(list)
    for key in keys:
        groups[root(key)].append(key)
    return sorted(groups.values(), key=lambda group: group[0])


def _flow(
    instance: Instance, keys: list[NeedKey], arcs: dict[NeedKey, Pool], held: dict[int, int]
) -> list[Placement]:
    """One min-cost flow over the needs ``keys`` and their candidates ``arcs``."""
    needs = [instance.need(key) for key in keys]
    agents = np.unique(np.concatenate([arcs[key].ids for key in keys] + [np.zeros(0, int)]))
    first_agent = 2 + len(needs)
    source, sink = 0, 1
    total = sum(need.count for need in needs)
    tails, heads, caps, costs = [source], [sink], [total], [int(UNFILLED * SCALE)]
    pair_tail, pair_head, pair_cost = [], [], []
    for index, need in enumerate(needs):
        node = 2 + index
        tails.append(source)
        heads.append(node)
        caps.append(need.count)
        costs.append(0)
        pool = arcs[need.key]
        pair_tail.append(np.full(len(pool), node))
        pair_head.append(first_agent + np.searchsorted(agents, pool.ids))
        pair_cost.append(np.rint(pool.costs * SCALE))
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int32),
        np.array(heads, dtype=np.int32),
        np.array(caps, dtype=np.int64),
        np.array(costs, dtype=np.int64),
    )
    pair_tail = np.concatenate(pair_tail).astype(np.int32)
    pair_head = np.concatenate(pair_head).astype(np.int32)
    first_pair = len(tails)
    flow.add_arcs_with_capacity_and_unit_cost(
        pair_tail,
        pair_head,
        np.ones(len(pair_tail), dtype=np.int64),
        np.concatenate(pair_cost).astype(np.int64),
    )
    degree = np.bincount(pair_head - first_agent, minlength=len(agents))
    spread = instance.weights.spread
    # Per agent, one arc to the sink per candidate place: the k-th costs
    # spread × (missions held + k), built as arrays.
    before = np.array([held.get(agent_id, 0) for agent_id in agents.tolist()], dtype=np.int64)
    step_agent = np.repeat(np.arange(len(agents)), degree)
    starts = np.cumsum(degree) - degree
    step_k = np.arange(len(step_agent)) - np.repeat(starts, degree)
    step_cost = np.rint(spread * (before[step_agent] + step_k) * SCALE).astype(np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(
        (first_agent + step_agent).astype(np.int32),
        np.full(len(step_agent), sink, dtype=np.int32),
        np.ones(len(step_agent), dtype=np.int64),
        step_cost,
    )
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    status = flow.solve()
    if status != flow.OPTIMAL:  # pragma: no cover - a balanced network always solves
        raise RuntimeError(f"min-cost flow: status {status}")
    used = flow.flows(np.arange(first_pair, first_pair + len(pair_tail), dtype=np.int32)) > 0
    need_of = pair_tail[used] - 2
    agent_of = agents[pair_head[used] - first_agent]
    return [
        Placement(needs[n].mission_id, needs[n].quality, int(a))
        for n, a in zip(need_of.tolist(), agent_of.tolist(), strict=True)
    ]


def _repair(
    instance: Instance, placements: list[Placement], load: dict[int, int], busy: dict
) -> tuple[list[Placement], set[tuple[NeedKey, int]]]:
    """Keep, per person, the cheapest places that hold together (half-days, one place
    per mission, load cap); return them and the pairs to forbid."""
    load = dict(load)  # the fixed load, then what this proposal adds
    by_agent = defaultdict(list)
    for p in placements:
        by_agent[p.agent_id].append(p)
    kept, forbidden = [], set()
    for agent_id, mine in by_agent.items():
        if len(mine) == 1:
            kept.extend(mine)
            continue
        person = instance.people[agent_id]
        mine.sort(key=lambda p: (instance.pair_cost(instance.need(p.key), agent_id), p.key))
        taken: set[Slot] = set(busy.get(agent_id, ()))
        missions = set()
        for p in mine:
            need = instance.need(p.key)
            cap = person.cap(need.unit)
            used = load.get((agent_id, need.unit), 0)
            if (
                need.slots & taken
                or p.mission_id in missions
                or (cap is not None and used + need.load > cap)
            ):
                forbidden.add((p.key, agent_id))
                continue
            kept.append(p)
            taken |= need.slots
            load[(agent_id, need.unit)] = used + need.load
            missions.add(p.mission_id)
    return kept, forbidden


def solve(
    instance: Instance,
    *,
    progress: Callable[[int, int], None] | None = None,
    improve: bool = True,
    time_limit: float = 20.0,
) -> Proposal:
    """The proposal for ``instance``: places filled first, then the least travel and the
    fairest spread (``problem.objective``), never breaking a hard rule. ``time_limit``:
    the seconds HiGHS may spend improving each part."""
    pools = candidates(instance)
    busy, load, _missions = _taken(instance)
    held = dict(instance.held())
    keys = [need.key for need in instance.needs if need.count > 0]
    width = dict.fromkeys(keys, CANDIDATES)

    def nearest(key):
        return pools[key].head(width[key] * max(1, instance.need(key).count))

    arcs = {key: nearest(key) for key in keys}
    # Parts from every candidate, not only the nearest: widening a need's candidates
    # never joins two parts.
    parts = _parts(keys, pools)
    proposal = Proposal(parts=len(parts))
    for done, part in enumerate(parts, start=1):
        forbidden: dict[NeedKey, set[int]] = defaultdict(set)
        rounds = 0
        while True:
            rounds += 1
            current = {key: arcs[key].without(forbidden[key]) for key in part}
            kept, more = _repair(instance, _flow(instance, part, current, held), load, busy)
            filled = defaultdict(int)
            for p in kept:
                filled[p.key] += 1
            widened = _widen(instance, part, pools, arcs, width, kept, filled, nearest)
            if (not more and not widened) or rounds >= MAX_ROUNDS:
                break
            for key, agent_id in more:
                forbidden[key].add(agent_id)
        proposal.rounds = max(proposal.rounds, rounds)
        kept = _fill(instance, part, pools, kept, load, busy, held)
        kept, bound = _improve(
            instance, part, arcs, kept, forbidden, load, held, improve, time_limit
        )
        proposal.bound += bound
        proposal.placements.extend(kept)
        if progress is not None:
            progress(done, len(parts))
    proposal.placements.sort(key=lambda p: (p.mission_id, p.quality, p.agent_id))
    proposal.cost = objective(instance, proposal.placements)
    _explain(instance, pools, proposal)
    return proposal


def _fill(instance, part, pools, kept, load, busy, held) -> list[Placement]:
    """The places the rounds left empty (the repair forbade the pairs the flow kept
    moving to), filled one at a time with the free candidate of least added cost
    (travel, wish, and the spread of their next mission): a place left empty costs more
    than any of these, so this never makes the proposal worse."""
    filled: dict[NeedKey, int] = defaultdict(int)
    for p in kept:
        filled[p.key] += 1
    if all(filled[key] >= instance.need(key).count for key in part):
        return kept
    taken: dict[int, set[Slot]] = defaultdict(set)
    for agent_id, slots in busy.items():
        taken[agent_id] |= slots
    used: dict[tuple[int, str], int] = defaultdict(int, load)
    missions: dict[int, set[int]] = defaultdict(set)
    count: dict[int, int] = defaultdict(int, held)
    for item in instance.fixed:
        missions[item.agent_id].add(item.mission_id)

    def take(p: Placement) -> None:
        need = instance.need(p.key)
        taken[p.agent_id] |= need.slots
        used[(p.agent_id, need.unit)] += need.load
        missions[p.agent_id].add(p.mission_id)
        count[p.agent_id] += 1

    for p in kept:
        take(p)
    spread = instance.weights.spread
    added = []
    for key in part:
        need = instance.need(key)
        missing = need.count - filled[key]
        if missing <= 0:
            continue
        free = []
        pool = pools[key]
        for agent_id, cost in zip(pool.ids.tolist(), pool.costs.tolist(), strict=True):
            cap = instance.people[agent_id].cap(need.unit)
            if (
                need.slots & taken[agent_id]
                or need.mission_id in missions[agent_id]
                or (cap is not None and used[(agent_id, need.unit)] + need.load > cap)
            ):
                continue
            free.append((cost + spread * count[agent_id], agent_id))
        for _cost, agent_id in sorted(free)[:missing]:
            placement = Placement(need.mission_id, need.quality, agent_id)
            added.append(placement)
            take(placement)
    return kept + added


def _widen(instance, part, pools, arcs, width, kept, filled, nearest) -> bool:
    """More candidates where a place stayed empty: for the need itself, and for the
    needs that took its candidates (they may do with others, further away)."""
    placed_in = defaultdict(set)
    for p in kept:
        placed_in[p.agent_id].add(p.key)
    wider = set()
    for key in part:
        if filled[key] >= instance.need(key).count:
            continue
        wider.add(key)
        for agent_id in pools[key].ids.tolist():
            wider |= placed_in.get(agent_id, set())
    widened = False
    for key in sorted(wider):
        if len(arcs[key]) < len(pools[key]):
            width[key] *= 2
            arcs[key] = nearest(key)
            widened = True
    return widened


def _improve(instance, part, arcs, kept, forbidden, load, held, improve, time_limit):
    """The part's proposal improved by HiGHS when it is worth it, and a lower bound of
    its cost. A flow that forbade no pair met every rule at its first try: optimal
    without the rules it cannot hold, it is optimal with them too."""
    cost = objective(instance, kept, part)
    if not any(forbidden.values()):
        return kept, cost
    part_arcs = {key: arcs[key] for key in part}
    # Without the forbidden pairs' removal, the flow is a relaxation: a lower bound.
    bound = objective(instance, _flow(instance, part, part_arcs, held), part)
    if not improve or sum(len(pool) for pool in part_arcs.values()) > MILP_MAX_PAIRS:
        return kept, min(bound, cost)
    try:
        better, better_cost, proven = milp.solve(
            instance, part, part_arcs, load=load, held=held, time_limit=time_limit
        )
    except milp.NoSolution:
        return kept, min(bound, cost)
    better_cost = objective(instance, better, part)
    if better_cost <= cost:
        kept, cost = better, better_cost
    return kept, cost if proven else min(bound, cost)


def _explain(instance: Instance, pools: dict[NeedKey, Pool], proposal: Proposal) -> None:
    filled = defaultdict(int)
    held = instance.held()
    count = defaultdict(int)
    for p in proposal.placements:
        filled[p.key] += 1
        need = instance.need(p.key)
        pool = pools[p.key]
        rank = int(np.flatnonzero(pool.ids == p.agent_id)[0]) + 1
        proposal.choices.append(
            Choice(
                placement=p,
                km=km(instance.people[p.agent_id].home, need.place),
                rank=rank,
                candidates=len(pool),
                missions_before=held[p.agent_id] + count[p.agent_id],
                wished=(p.agent_id, p.mission_id) in instance.wishes,
            )
        )
        count[p.agent_id] += 1
    for need in instance.needs:
        missing = need.count - filled[need.key]
        if missing <= 0:
            continue
        if not instance.eligible.get(need.key):
            reason = "no_competent"
        elif not len(pools.get(need.key, ())):
            reason = "none_free"
        else:
            reason = "taken_elsewhere"
        proposal.unfilled.append(Unfilled(need.key, missing, reason))
