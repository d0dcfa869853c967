"""The proven optimum of an instance (HiGHS, every candidate kept, one program for the
whole instance): the yardstick of the solver on instances small enough — the tests'
and the benchmark's optimality gap."""

from __future__ import annotations

from app.services.missions.assignment import milp
from app.services.missions.assignment.problem import Instance, Placement
from app.services.missions.assignment.solver import _taken, candidates


def optimum(instance: Instance, *, time_limit: float = 120.0) -> tuple[float, list[Placement]]:
    """(the optimal cost, an optimal proposal); raises ``milp.NoSolution`` or
    ``RuntimeError`` when HiGHS proves nothing within ``time_limit`` seconds."""
    pools = candidates(instance)
    keys = [need.key for need in instance.needs if need.count > 0]
    _busy, load, _missions = _taken(instance)
    placements, cost, proven = milp.solve(
        instance, keys, pools, load=load, held=dict(instance.held()), time_limit=time_limit
    )
    if not proven:
        raise RuntimeError("HiGHS did not prove the optimum in time")
    return cost, sorted(placements, key=lambda p: (p.mission_id, p.quality, p.agent_id))
