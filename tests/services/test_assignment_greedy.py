"""Today's candidate-list rule applied to a session (the benchmark's yardstick): nearest
by commune and département, then least loaded, mission by mission in date order — and
never a hard rule broken (the independent checker)."""

import datetime as dt

import pytest

from app.seeds.assignment_instances import instance as random_instance
from app.services.missions.assignment import checker, greedy
from app.services.missions.assignment.problem import (
    Allowed,
    Fixed,
    Instance,
    Need,
    Person,
    Place,
)

DAY = dt.date(2027, 6, 15)
AM, PM = (DAY, "am"), (DAY, "pm")
RENNES = Place(48.1173, -1.6778, "RENNES", "35")
VITRE = Place(48.1236, -1.2089, "VITRE", "35")
BREST = Place(48.3904, -4.4861, "BREST", "29")

pytestmark = pytest.mark.nodb  # run once, in the SQLite pass


def propose(instance):
    placements = greedy.propose(instance)
    assert checker.violations(instance, placements) == []
    return placements


def agents(placements, mission_id):
    return sorted(p.agent_id for p in placements if p.mission_id == mission_id)


def person(agent_id, home, capacity=5):
    return Person(agent_id, home, {"places": capacity})


def test_the_same_commune_first_then_the_same_departement():
    need = Need(1, "interrogateur", 2, slots=frozenset({AM}), place=RENNES)
    case = Instance(
        needs=[need],
        people={1: person(1, BREST), 2: person(2, VITRE), 3: person(3, RENNES)},
        eligible={need.key: frozenset({1, 2, 3})},
    )
    assert agents(propose(case), 1) == [2, 3]
    one = Need(1, "interrogateur", 1, slots=frozenset({AM}), place=RENNES)
    case = Instance(needs=[one], people=case.people, eligible={one.key: frozenset({1, 2})})
    assert agents(propose(case), 1) == [2]  # Vitré: same département, before Brest


def test_the_least_loaded_among_the_equally_near():
    first = Need(1, "surveillant", 1, slots=frozenset({AM}), place=RENNES)
    second = Need(2, "surveillant", 1, slots=frozenset({PM}), place=RENNES)
    people = {1: person(1, RENNES), 2: person(2, RENNES)}
    case = Instance(
        needs=[second, first],
        people=people,
        eligible={first.key: frozenset({1, 2}), second.key: frozenset({1, 2})},
        # Agent 1 holds a mission of the session already: 2 goes first.
        fixed=[Fixed(1, 9, "surveillant", 1, frozenset({(DAY.replace(day=16), "am")}), "places")],
    )
    placements = propose(case)
    assert agents(placements, 1) == [2]
    assert agents(placements, 2) == [1]  # both held one then: the first by id


def test_a_clash_a_cap_or_a_refused_pair_moves_down_the_list():
    morning = Need(1, "interrogateur", 1, slots=frozenset({AM}), place=RENNES)
    same_morning = Need(2, "interrogateur", 1, slots=frozenset({AM}), place=RENNES)
    people = {1: person(1, RENNES), 2: person(2, VITRE), 3: person(3, BREST, capacity=0)}
    case = Instance(
        needs=[morning, same_morning],
        people=people,
        eligible={
            morning.key: frozenset({1, 2, 3}),
            same_morning.key: Allowed(frozenset({1, 2, 3}), {2}),
        },
    )
    placements = propose(case)
    assert agents(placements, 1) == [1]
    # 1 is busy that morning, 2 refused, 3 has no room: the place stays empty.
    assert agents(placements, 2) == []


@pytest.mark.parametrize("seed", range(20))
def test_random_instances_break_no_rule(seed):
    case = random_instance(seed, agents=40, missions=16, fixed=4)
    placements = propose(case)
    assert placements, "the rule fills something on every random instance"
