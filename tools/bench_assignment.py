"""The automatic assignment's benchmark (issue 17 §6) on the large data set.

On the coming June session that ``flask imagin seed-large`` writes (about 2,000 missions
with needs, 20,000 agents), it measures:

* the full session: ``source.build`` and ``solver.solve`` timed apart, places, filled,
  unfilled by reason, agents used, journeys, missions per agent, the proven bound's gap,
  the peak memory — goal ≤ 60 s;
* one mission: ``build(mission_ids=[m])`` + ``solve`` for 20 random missions (fixed
  seed), median and worst — goal ≤ 1 s;
* optimality: 20 sub-instances small enough for the exact program (``exact.optimum``,
  HiGHS): the missions of one paper over three days, each need's candidates drawn from
  a sample of the paper's competent agents (fixed seed); the solver's cost against the
  proven optimum — goal ≤ 1 %;
* against today's rule (``greedy``: the candidate list's nearest-then-least-loaded,
  mission by mission in date order) on the full session: travel, journeys, missions
  per agent, places left empty.

Every proposal is checked by ``checker.violations``. The machine's load average is
printed with every figure (the development machine is shared). It reports, it never
fails on a time; it writes nothing to the database (the proposals are not saved).

    FLASK_DEBUG=1 DATABASE_URL=postgresql://…/imagin_bench_assign \\
        .venv/bin/python tools/bench_assignment.py --json assignment.json
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import resource
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NEARBY_KM = 10.0  # a colleague "nearby": no more than this further from the centre
ONE_MISSION_RUNS = 20
SUB_INSTANCES = 20
SUB_DAYS = 3
GOALS = {"full_s": 60.0, "one_mission_s": 1.0, "gap_pct": 1.0}


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _june_session(session, name_like: str | None, session_id: int | None):
    from models import ExamSession

    if session_id:
        return session.get(ExamSession, session_id)
    return session.scalar(
        select(ExamSession)
        .where(ExamSession.name.like(name_like or "juin % – écrits et oraux"))
        .order_by(ExamSession.id.desc())
        .limit(1)
    )


class Measure:
    """What a proposal gives: journeys, load spread, places left empty."""

    def __init__(self, instance):
        from app.services.missions.assignment.solver import _People

        self.instance = instance
        self.people = _People(instance)
        self.ids = np.array(sorted(instance.people), dtype=np.int64)
        self._shared: dict[int, np.ndarray] = {}

    def positions(self, allowed) -> np.ndarray:
        from app.services.missions.assignment.problem import Allowed

        base, minus = (
            (allowed.base, allowed.minus) if isinstance(allowed, Allowed) else (allowed, ())
        )
        if id(base) not in self._shared:
            self._shared[id(base)] = np.array(
                sorted(self.people.position[a] for a in base if a in self.people.position),
                dtype=np.int64,
            )
        found = self._shared[id(base)]
        if minus:
            out = np.array([self.people.position[a] for a in minus], dtype=np.int64)
            found = found[~np.isin(found, out)]
        return found

    def __call__(self, placements) -> dict:
        from app.services.missions.assignment.problem import km, objective

        instance = self.instance
        filled = Counter(p.key for p in placements)
        places = sum(need.count for need in instance.needs)
        journeys, travel = [], 0.0
        by_agent = defaultdict(list)
        for p in placements:
            need = instance.need(p.key)
            distance = km(instance.people[p.agent_id].home, need.place)
            by_agent[p.agent_id].append((p, distance))
            if need.place is not None:
                journeys.append(distance)
            travel += distance * need.days
        held = instance.held()
        missions = Counter({a: held[a] + len(items) for a, items in by_agent.items()})
        spread = Counter(missions.values())
        busy = np.zeros(len(self.ids), dtype=bool)
        for agent_id in set(missions) | set(held):
            busy[self.people.position[agent_id]] = True
        # Agents with 3+ missions while a competent colleague with none, no further
        # than NEARBY_KM more from the centre, could have taken one of their places.
        unfair = 0
        for agent_id, items in by_agent.items():
            if missions[agent_id] < 3:
                continue
            for p, distance in items:
                need = instance.need(p.key)
                if need.place is None:
                    continue
                positions = self.positions(instance.eligible[p.key])
                idle = positions[~busy[positions]]
                room = self.people.room(need.unit, {})[idle] >= need.load
                idle = idle[room]
                if len(idle) and (self.people.km(idle, need.place) <= distance + NEARBY_KM).any():
                    unfair += 1
                    break
        used = len(by_agent)
        return {
            "places": places,
            "filled": sum(min(filled[n.key], n.count) for n in instance.needs),
            "unfilled": places - sum(min(filled[n.key], n.count) for n in instance.needs),
            "agents_used": used,
            "travel_km": round(travel),
            "km_mean": round(statistics.fmean(journeys), 1) if journeys else 0.0,
            "km_median": round(statistics.median(journeys), 1) if journeys else 0.0,
            "km_max": round(max(journeys), 1) if journeys else 0.0,
            "missions_max": max(missions.values(), default=0),
            "missions_spread": {str(k): spread[k] for k in sorted(spread)},
            "share_3plus_pct": round(100 * sum(v for k, v in spread.items() if k >= 3) / used, 1)
            if used
            else 0.0,
            "unfair_3plus": unfair,
            "unfair_3plus_pct": round(100 * unfair / used, 2) if used else 0.0,
            "objective": round(objective(instance, placements)),
        }


def full_session(session, academy_id, exam_session, profile: str | None) -> tuple:
    from app.services.missions.assignment import checker, solver, source

    profiler = cProfile.Profile() if profile else None
    load_before = _load()
    if profiler:
        profiler.enable()
    started = time.perf_counter()
    built = source.build(session, academy_id, exam_session.id)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    proposal = solver.solve(built.instance)
    solve_s = time.perf_counter() - started
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(30)
    instance = built.instance
    violations = checker.violations(instance, proposal.placements)
    reasons = Counter()
    for gap in proposal.unfilled:
        reasons[built.gap_reason(gap.key, gap.reason).name] += gap.places
    figures = Measure(instance)(proposal.placements)
    travel_part = proposal.cost - figures["unfilled"] * 1_000_000.0
    figures.update(
        {
            "session": str(exam_session),
            "missions": len(built.missions),
            "needs": len(instance.needs),
            "agents": len(instance.people),
            "allowed_pairs": sum(len(e) for e in instance.eligible.values()),
            "build_s": round(build_s, 2),
            "solve_s": round(solve_s, 2),
            "total_s": round(build_s + solve_s, 2),
            "parts": proposal.parts,
            "rounds": proposal.rounds,
            "cost": round(proposal.cost),
            "bound": round(proposal.bound),
            "bound_gap_pct": round(100 * (proposal.cost - proposal.bound) / proposal.cost, 3)
            if proposal.cost
            else 0.0,
            "bound_gap_travel_pct": round(100 * (proposal.cost - proposal.bound) / travel_part, 3)
            if travel_part > 0
            else 0.0,
            "unfilled_by_reason": dict(reasons),
            "violations": len(violations),
            "rss_peak_mib": _peak_mib(),
            "load_before": load_before,
            "load_after": _load(),
        }
    )
    return built, proposal, figures


def one_mission(session, academy_id, exam_session, mission_ids, seed) -> dict:
    from app.services.missions.assignment import checker, solver, source

    rng = random.Random(seed)
    chosen = rng.sample(mission_ids, min(ONE_MISSION_RUNS, len(mission_ids)))
    builds, solves, totals, violations = [], [], [], 0
    load_before = _load()
    for mission_id in chosen:
        started = time.perf_counter()
        built = source.build(session, academy_id, exam_session.id, mission_ids=[mission_id])
        middle = time.perf_counter()
        proposal = solver.solve(built.instance)
        ended = time.perf_counter()
        violations += len(checker.violations(built.instance, proposal.placements))
        builds.append(middle - started)
        solves.append(ended - middle)
        totals.append(ended - started)
    return {
        "runs": len(chosen),
        "build_median_s": round(statistics.median(builds), 3),
        "solve_median_s": round(statistics.median(solves), 3),
        "total_median_s": round(statistics.median(totals), 3),
        "total_max_s": round(max(totals), 3),
        "violations": violations,
        "load_before": load_before,
        "load_after": _load(),
    }


def sub_instances(built, count, seed):
    """The missions of one paper over ``SUB_DAYS`` days, each with the candidates of a
    sample of the paper's competent agents (twice the places, at least 20)."""
    from app.services.missions.assignment.problem import Instance

    rng = random.Random(seed)
    instance = built.instance
    by_paper = defaultdict(list)
    for need in instance.needs:
        info = built.missions[need.mission_id]
        if info.paper and need.count > 0 and info.first_day is not None:
            by_paper[info.paper].append(need)
    papers = sorted(by_paper)
    made, attempts = [], 0
    while len(made) < count and attempts < count * 20:
        attempts += 1
        paper = rng.choice(papers)
        days = sorted({built.missions[n.mission_id].first_day for n in by_paper[paper]})
        start = rng.choice(days)
        window = {d for d in days if 0 <= (d - start).days < SUB_DAYS}
        needs = [n for n in by_paper[paper] if built.missions[n.mission_id].first_day in window]
        places = sum(n.count for n in needs)
        if not needs or places < 4:
            continue
        competent = sorted(set().union(*(set(instance.eligible[n.key]) for n in needs)))
        sample = set(rng.sample(competent, min(len(competent), max(20, 2 * places))))
        eligible = {n.key: frozenset(set(instance.eligible[n.key]) & sample) for n in needs}
        missions = {n.mission_id for n in needs}
        made.append(
            (
                f"{paper[:40]} {min(window):%d/%m}+{SUB_DAYS}j",
                Instance(
                    needs=needs,
                    people={a: instance.people[a] for a in sorted(sample)},
                    eligible=eligible,
                    fixed=[f for f in instance.fixed if f.agent_id in sample],
                    wishes=frozenset(
                        (a, m) for a, m in instance.wishes if a in sample and m in missions
                    ),
                    weights=instance.weights,
                ),
            )
        )
    return made


def optimality(built, seed) -> dict:
    from app.services.missions.assignment import checker, exact, solver

    rows, gaps = [], []
    load_before = _load()
    for label, sub in sub_instances(built, SUB_INSTANCES, seed):
        started = time.perf_counter()
        proposal = solver.solve(sub)
        solve_s = time.perf_counter() - started
        started = time.perf_counter()
        try:
            best, placements = exact.optimum(sub, time_limit=120.0)
        except RuntimeError as error:
            rows.append({"instance": label, "error": str(error)})
            continue
        exact_s = time.perf_counter() - started
        assert checker.violations(sub, proposal.placements) == []
        assert checker.violations(sub, placements) == []
        gap = 100 * (proposal.cost - best) / best if best else 0.0
        gaps.append(gap)
        rows.append(
            {
                "instance": label,
                "needs": len(sub.needs),
                "places": sum(n.count for n in sub.needs),
                "agents": len(sub.people),
                "pairs": sum(len(e) for e in sub.eligible.values()),
                "solver_cost": round(proposal.cost, 1),
                "optimum": round(best, 1),
                "gap_pct": round(gap, 3),
                "solver_s": round(solve_s, 2),
                "exact_s": round(exact_s, 2),
            }
        )
    return {
        "instances": rows,
        "solved": len(gaps),
        "gap_median_pct": round(statistics.median(gaps), 3) if gaps else None,
        "gap_max_pct": round(max(gaps), 3) if gaps else None,
        "load_before": load_before,
        "load_after": _load(),
    }


def versus_greedy(built, proposal, solver_figures) -> dict:
    from app.services.missions.assignment import checker, greedy

    load_before = _load()
    started = time.perf_counter()
    placements = greedy.propose(built.instance)
    greedy_s = time.perf_counter() - started
    violations = checker.violations(built.instance, placements)
    figures = Measure(built.instance)(placements)
    figures.update(
        {
            "time_s": round(greedy_s, 2),
            "violations": len(violations),
            "load_before": load_before,
            "load_after": _load(),
        }
    )
    return {
        "greedy": figures,
        "solver": {k: solver_figures[k] for k in figures if k in solver_figures},
    }


def markdown(report: dict) -> str:
    full, one, best, versus = (
        report["full"],
        report["one_mission"],
        report.get("optimality"),
        report.get("versus_greedy"),
    )
    lines = [
        f"Automatic assignment — {full['session']} ({report['database']}), {report['when']}",
        "",
        "| measure | figure | load avg | goal |",
        "|---|---:|---:|---|",
        f"| full session: missions / needs / places | {full['missions']:,} / {full['needs']:,} / "
        f"{full['places']:,} | | |",
        f"| agents / allowed pairs | {full['agents']:,} / {full['allowed_pairs']:,} | | |",
        f"| build (database → instance) | {full['build_s']} s | {full['load_before']} | |",
        f"| solve ({full['parts']} parts, {full['rounds']} rounds max) | {full['solve_s']} s | "
        f"{full['load_after']} | |",
        f"| total | {full['total_s']} s | | ≤ {GOALS['full_s']:.0f} s "
        f"{'✔' if full['total_s'] <= GOALS['full_s'] else '✘'} |",
        f"| filled / unfilled | {full['filled']:,} / {full['unfilled']:,} "
        f"{full['unfilled_by_reason'] or ''} | | |",
        f"| agents used | {full['agents_used']:,} | | |",
        f"| journey km mean / median / max | {full['km_mean']} / {full['km_median']} / "
        f"{full['km_max']} | | |",
        f"| missions per agent (count: agents) | {full['missions_spread']} | | |",
        f"| bound gap (of the cost / of its travel+spread part) | {full['bound_gap_pct']} % / "
        f"{full['bound_gap_travel_pct']} % | | |",
        f"| hard-rule violations (checker) | {full['violations']} | | 0 |",
        f"| RSS peak | {full['rss_peak_mib']} MiB | | |",
        f"| one mission: build + solve, median (max) of {one['runs']} | "
        f"{one['total_median_s']} s ({one['total_max_s']} s); build {one['build_median_s']} s, "
        f"solve {one['solve_median_s']} s | {one['load_before']} | "
        f"≤ {GOALS['one_mission_s']:.0f} s "
        f"{'✔' if one['total_max_s'] <= GOALS['one_mission_s'] else '✘'} |",
    ]
    if best:
        ok = best["gap_max_pct"] is not None and best["gap_max_pct"] <= GOALS["gap_pct"]
        lines.append(
            f"| optimality: gap to HiGHS's optimum, median / max over {best['solved']} "
            f"sub-instances | {best['gap_median_pct']} % / {best['gap_max_pct']} % | "
            f"{best['load_before']} | ≤ 1 % {'✔' if ok else '✘'} |"
        )
    if versus:
        g, s = versus["greedy"], versus["solver"]
        lines += [
            "",
            "| against today's rule (full session) | greedy (candidate list) | solver |",
            "|---|---:|---:|",
            f"| places filled / unfilled | {g['filled']:,} / {g['unfilled']:,} | "
            f"{s['filled']:,} / {s['unfilled']:,} |",
            f"| total travel (km × days, one way) | {g['travel_km']:,} | {s['travel_km']:,} |",
            f"| journey km mean / median / max | {g['km_mean']} / {g['km_median']} / "
            f"{g['km_max']} | "
            f"{s['km_mean']} / {s['km_median']} / {s['km_max']} |",
            f"| agents used | {g['agents_used']:,} | {s['agents_used']:,} |",
            f"| most missions for one agent | {g['missions_max']} | {s['missions_max']} |",
            f"| agents with 3+ missions | {g['share_3plus_pct']} % | {s['share_3plus_pct']} % |",
            f"| … while a competent colleague ≤ {NEARBY_KM:.0f} km further has none | "
            f"{g['unfair_3plus']} ({g['unfair_3plus_pct']} %) | "
            f"{s['unfair_3plus']} ({s['unfair_3plus_pct']} %) |",
            f"| objective (problem.objective) | {g['objective']:,} | {s['objective']:,} |",
            f"| time | {g['time_s']} s (load {g['load_before']}) | {report['full']['solve_s']} s |",
        ]
    if best:
        lines += [
            "",
            "| sub-instance | places | agents | pairs | solver | optimum | gap % | solver s "
            "| HiGHS s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in best["instances"]:
            if "error" in row:
                lines.append(f"| {row['instance']} | {row['error']} | | | | | | | |")
                continue
            lines.append(
                f"| {row['instance']} | {row['places']} | {row['agents']} | {row['pairs']} | "
                f"{row['solver_cost']} | {row['optimum']} | {row['gap_pct']} | "
                f"{row['solver_s']} | {row['exact_s']} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--session", type=int, help="exam session id (default: the June one)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--profile", help="cProfile the full session into this file")
    parser.add_argument("--skip-optimality", action="store_true")
    parser.add_argument("--skip-greedy", action="store_true")
    args = parser.parse_args()

    from app import create_app
    from app.extensions import db
    from app.seeds import large as large_dataset
    from models import Academy, Mission, MissionNeed

    app = create_app({"RATELIMIT_ENABLED": False, "SERVER_NAME": None})
    with app.app_context():
        session = db.session
        exam_session = _june_session(session, None, args.session)
        if exam_session is None:
            print("Chargez d'abord le jeu volumineux : flask --app run imagin seed-large")
            return 2
        academy_id = session.scalar(
            select(Academy.id).where(Academy.code == large_dataset.ACADEMY_CODE)
        )
        report = {
            "database": session.get_bind().dialect.name,
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "cpus": os.cpu_count(),
        }
        built, proposal, report["full"] = full_session(
            session, academy_id, exam_session, args.profile
        )
        print(f"full session: {report['full']['total_s']} s", file=sys.stderr)
        mission_ids = sorted(
            session.scalars(
                select(Mission.id)
                .where(Mission.session_id == exam_session.id, Mission.academy_id == academy_id)
                .where(Mission.id.in_(select(MissionNeed.mission_id)))
            )
        )
        report["one_mission"] = one_mission(
            session, academy_id, exam_session, mission_ids, args.seed
        )
        print(f"one mission: {report['one_mission']['total_median_s']} s", file=sys.stderr)
        session.rollback()
        if not args.skip_greedy:
            report["versus_greedy"] = versus_greedy(built, proposal, report["full"])
        if not args.skip_optimality:
            report["optimality"] = optimality(built, args.seed)
    print(markdown(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
