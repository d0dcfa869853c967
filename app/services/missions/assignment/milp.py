"""The assignment as a mixed-integer program (HiGHS, through highspy): one binary per
(place, candidate) pair, every rule a constraint, the objective of ``problem``. The
solver gives it one part of the session with its nearest candidates (HiGHS 1.16 was
seen to return a wrong solution when given the flow's proposal as a start: none is
given); ``exact`` gives it every candidate, for the proven optimum.

Columns: the pairs (binary), the empty places of each need, and per person a staircase
of spread steps (the k-th extra mission costs ``spread × (held + k)``: convex, so the
relaxation climbs it in order). Rows: each need's places, each person's missions equal
to their steps, the load cap, one place per half-day, one place per mission.
"""

from __future__ import annotations

from collections import defaultdict

import highspy
import numpy as np

from app.services.missions.assignment.problem import UNFILLED, Instance, NeedKey, Placement


class NoSolution(RuntimeError):
    """HiGHS found no solution in its time."""


def solve(
    instance: Instance,
    keys: list[NeedKey],
    arcs: dict,
    *,
    load: dict[tuple[int, str], int],
    held: dict[int, int],
    time_limit: float,
) -> tuple[list[Placement], float, bool]:
    """(placements, objective, proven optimal) over the needs ``keys``, each with its
    candidates ``arcs[key]`` (a ``solver.Pool``: ``ids`` and ``costs``)."""
    costs, lower, upper = [], [], []
    integral = []
    pairs = []  # (need index, agent id, column) of each pair
    rows_lower, rows_upper, starts, indices, values = [], [], [], [], []

    def column(cost, up, is_integral=False):
        costs.append(cost)
        lower.append(0.0)
        upper.append(up)
        if is_integral:
            integral.append(len(costs) - 1)
        return len(costs) - 1

    def row(lo, up, cols, coefs=None):
        starts.append(len(indices))
        indices.extend(cols)
        values.extend(coefs if coefs is not None else [1.0] * len(cols))
        rows_lower.append(lo)
        rows_upper.append(up)

    needs = [instance.need(key) for key in keys]
    by_agent = defaultdict(list)  # agent → [(need, column)]
    empty = []
    for n, need in enumerate(needs):
        pool = arcs[need.key]
        empty.append(column(UNFILLED, float(need.count)))
        cols = [empty[-1]]
        for agent_id, cost in zip(pool.ids.tolist(), pool.costs.tolist(), strict=True):
            col = column(cost, 1.0, True)
            pairs.append((n, agent_id, col))
            by_agent[agent_id].append((need, col))
            cols.append(col)
        row(float(need.count), float(need.count), cols)
    spread = instance.weights.spread
    stairs = {}
    for agent_id, mine in by_agent.items():
        person = instance.people[agent_id]
        mine_cols = [col for _need, col in mine]
        if spread and len(mine) > 0:
            before = held.get(agent_id, 0)
            steps = [column(spread * (before + k), 1.0) for k in range(len(mine))]
            stairs[agent_id] = steps
            row(0.0, 0.0, mine_cols + steps, [1.0] * len(mine_cols) + [-1.0] * len(steps))
        for unit in {need.unit for need, _col in mine}:
            cap = person.cap(unit)
            if cap is None:
                continue
            room = cap - load.get((agent_id, unit), 0)
            same = [(need, col) for need, col in mine if need.unit == unit]
            if sum(need.load for need, _col in same) > room:
                row(
                    -highspy.kHighsInf,
                    float(room),
                    [col for _need, col in same],
                    [float(need.load) for need, _col in same],
                )
        groups = defaultdict(list)
        for need, col in mine:
            for slot in need.slots:
                groups[("slot", slot)].append(col)
            groups[("mission", need.mission_id)].append(col)
        for cols in groups.values():
            if len(cols) > 1:
                row(-highspy.kHighsInf, 1.0, cols)

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("threads", 1)
    h.addCols(
        len(costs),
        np.array(costs, dtype=np.float64),
        np.array(lower, dtype=np.float64),
        np.array(upper, dtype=np.float64),
        0,
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.float64),
    )
    h.addRows(
        len(rows_lower),
        np.array(rows_lower, dtype=np.float64),
        np.array(rows_upper, dtype=np.float64),
        len(indices),
        np.array(starts, dtype=np.int32),
        np.array(indices, dtype=np.int32),
        np.array(values, dtype=np.float64),
    )
    h.changeColsIntegrality(
        len(integral),
        np.array(integral, dtype=np.int32),
        np.full(len(integral), 1, dtype=np.uint8),  # kInteger
    )
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        raise NoSolution(h.modelStatusToString(status))
    x = h.getSolution().col_value
    chosen = [
        Placement(needs[n].mission_id, needs[n].quality, agent_id)
        for n, agent_id, col in pairs
        if x[col] > 0.5
    ]
    return chosen, info.objective_function_value, status == highspy.HighsModelStatus.kOptimal
