"""What the automatic assignment needs in the large data set (issue 17): coordinates for
the towns of the agents' homes (``Commune`` rows) and for the exam centres, and an
upcoming June session of about 2,000 missions with their needs (corrections with 6 to 15
correcteurs and a load of copies each, orals with 2 interrogateurs, invigilations with 2
to 6 surveillants) over two weeks of June, some declared unavailabilities and a few
conflicts of interest. Its missions have no convocation yet: the benchmark
(``tools/bench_assignment.py``) proposes them.

Written in the same bulk pass as the rest of ``seed-large`` (``large._insert``), with its
own random stream so that the rest of the set stays what it was.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from app.services.missions.convocation import commune
from models import (
    AssignmentConflict,
    Commune,
    ExamSession,
    Mission,
    MissionNeed,
    MissionSlot,
    MissionType,
    Paper,
    Specialty,
    Unavailability,
)
from models.enums import AssignmentQuality, DayPart, FeeEntryFamily, SlotDuration

# The centre of each town of ``large.TOWNS`` (WGS 84) and its INSEE code: the same
# point for every postcode of a town.
TOWN_POINTS = {
    "RENNES": ("35238", 48.1113, -1.6800),
    "SAINT-MALO": ("35288", 48.6493, -2.0257),
    "FOUGERES": ("35115", 48.3524, -1.1990),
    "VITRE": ("35360", 48.1238, -1.2091),
    "REDON": ("35236", 47.6517, -2.0843),
    "BRUZ": ("35047", 48.0245, -1.7461),
    "CESSON-SEVIGNE": ("35051", 48.1213, -1.6030),
    "SAINT-BRIEUC": ("22278", 48.5141, -2.7603),
    "LANNION": ("22113", 48.7326, -3.4566),
    "DINAN": ("22050", 48.4555, -2.0503),
    "GUINGAMP": ("22070", 48.5628, -3.1505),
    "LOUDEAC": ("22136", 48.1778, -2.7538),
    "ROSTRENEN": ("22266", 48.2356, -3.3178),
    "BREST": ("29019", 48.3904, -4.4861),
    "QUIMPER": ("29232", 47.9960, -4.1024),
    "MORLAIX": ("29151", 48.5776, -3.8277),
    "QUIMPERLE": ("29233", 47.8723, -3.5487),
    "DOUARNENEZ": ("29046", 48.0925, -4.3296),
    "LANDIVISIAU": ("29105", 48.5095, -4.0689),
    "VANNES": ("56260", 47.6582, -2.7608),
    "LORIENT": ("56121", 47.7483, -3.3700),
    "PONTIVY": ("56178", 48.0683, -2.9628),
    "LANESTER": ("56098", 47.7614, -3.3400),
    "AURAY": ("56007", 47.6679, -2.9817),
    "PLOERMEL": ("56165", 47.9317, -2.3970),
}
# An exam centre stands within a few kilometres of its town's centre.
CENTRE_OFFSETS = ((0.0, 0.0), (0.012, -0.018), (-0.015, 0.010), (0.020, 0.015), (-0.008, -0.022))
SESSION_DAYS = 10  # two weeks of June, Monday to Friday
UNAVAILABLE_SHARE = 0.05  # agents who declare an unavailability in the session
CONFLICTS = 40  # conflicts of interest a manager recorded (half with a centre)
CORRECTION_LOADS = (40, 60, 80, 100, 120)  # copies per correcteur
ORAL_LOADS = (12, 16, 20, 24)  # candidates per interrogateur


def centre_point(town: str, n: int) -> tuple[Decimal, Decimal]:
    """Where the ``n``-th generated exam centre of ``town`` stands."""
    _insee, latitude, longitude = TOWN_POINTS[town]
    d_lat, d_lon = CENTRE_OFFSETS[n % len(CENTRE_OFFSETS)]
    return Decimal(f"{latitude + d_lat:.6f}"), Decimal(f"{longitude + d_lon:.6f}")


def communes(session, towns, insert) -> int:
    """A ``Commune`` with coordinates for every (postcode, town) of ``towns`` that the
    table does not hold yet (the key is ``convocation.commune`` of the town)."""
    held = set(session.execute(select(Commune.postcode, Commune.key)).all())
    next_id = (session.scalar(select(func.max(Commune.id))) or 0) + 1
    rows = []
    for postcode, town in sorted(set(towns)):
        key = commune(town)
        if (postcode, key) in held:
            continue
        insee, latitude, longitude = TOWN_POINTS[town]
        rows.append(
            {
                "id": next_id + len(rows),
                "insee_code": insee,
                "name": town.title(),
                "postcode": postcode,
                "key": key,
                "latitude": Decimal(f"{latitude:.6f}"),
                "longitude": Decimal(f"{longitude:.6f}"),
            }
        )
        held.add((postcode, key))
    insert(session, Commune, rows)
    return len(rows)


@dataclass
class JuneSession:
    session_id: int = 0
    missions: int = 0
    needs: int = 0
    places: int = 0
    unavailabilities: int = 0
    conflicts: int = 0


def june_days(today: dt.date) -> list[dt.date]:
    """The weekdays of the coming June session: two weeks from the second Monday."""
    year = today.year if today.month < 6 else today.year + 1
    first = dt.date(year, 6, 8)
    first += dt.timedelta(days=(7 - first.weekday()) % 7)
    days = []
    day = first
    while len(days) < SESSION_DAYS:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _types(types: list[MissionType]) -> dict[str, list[MissionType]]:
    copies = [t for t in types if t.fee_family is FeeEntryFamily.COPIES]
    candidates = [t for t in types if t.fee_family is FeeEntryFamily.CANDIDATES]
    watch = [t for t in types if t.name.upper() == "SURVEILLANCE"]
    watch = watch or [t for t in types if t.fee_family is FeeEntryFamily.NONE]
    return {"correction": copies, "oral": candidates, "watch": watch}


def seed_june(
    session,
    *,
    academy_id: int,
    agent_ids: list[int],
    centre_ids: list[int],
    types: list[MissionType],
    count: int,
    today: dt.date,
    manager_id: int | None,
    seed: int,
    insert,
) -> JuneSession:
    """The June session of the exam with the most papers: ``count`` missions with their
    needs, unavailabilities and conflicts (see the module's docstring)."""
    rng = random.Random(seed)
    stats = JuneSession()
    if count <= 0 or not centre_ids:
        return stats
    papers_of: dict[int, list[tuple[int, int]]] = {}
    for paper_id, specialty_id, exam_id in session.execute(
        select(Paper.id, Paper.specialty_id, Specialty.exam_id)
        .join(Paper.specialty)
        .order_by(Paper.id)
    ):
        papers_of.setdefault(exam_id, []).append((paper_id, specialty_id))
    exam_id = max(sorted(papers_of), key=lambda exam: len(papers_of[exam]))
    papers = papers_of[exam_id]
    days = june_days(today)
    now = dt.datetime.combine(today, dt.time(9))
    session_id = (session.scalar(select(func.max(ExamSession.id))) or 0) + 1
    insert(
        session,
        ExamSession,
        [
            {
                "id": session_id,
                "exam_id": exam_id,
                "name": f"juin {days[0].year} – écrits et oraux",
                "year": days[0].year,
                "starts_on": days[0],
                "ends_on": days[-1],
                "unavailability_closes_on": days[0] - dt.timedelta(days=30),
            }
        ],
    )
    stats.session_id = session_id
    kinds = _types(types)
    first_number = (
        session.scalar(select(func.max(Mission.number)).where(Mission.academy_id == academy_id))
        or 0
    ) + 1
    mission_id = (session.scalar(select(func.max(Mission.id))) or 0) + 1
    slot_id = (session.scalar(select(func.max(MissionSlot.id))) or 0) + 1
    need_id = (session.scalar(select(func.max(MissionNeed.id))) or 0) + 1
    missions, slots, need_rows = [], [], []
    for n in range(count):
        draw = rng.random()
        kind = "correction" if draw < 0.4 else "oral" if draw < 0.65 else "watch"
        mission_type = rng.choice(kinds[kind] or types)
        paper_id, specialty_id = rng.choice(papers)
        start = rng.randrange(len(days))
        centre_id = rng.choice(centre_ids)
        if kind == "correction":
            at_home = rng.random() < 0.4
            centre_id = None if at_home else centre_id
            span = days[start : start + rng.choice((1, 2))]
            mission_slots = [(day, dt.time(8), SlotDuration.DAY) for day in span]
            needs = [
                (AssignmentQuality.CORRECTOR, rng.randint(6, 15), rng.choice(CORRECTION_LOADS))
            ]
        elif kind == "oral":
            halves = rng.choice(((dt.time(8),), (dt.time(14),), (dt.time(8), dt.time(14))))
            mission_slots = [(days[start], hour, SlotDuration.HALF_DAY) for hour in halves]
            needs = [(AssignmentQuality.EXAMINER, 2, rng.choice(ORAL_LOADS))]
        else:
            # Watching a written paper: any agent of the académie may.
            paper_id = specialty_id = None
            hour = rng.choice((dt.time(8), dt.time(14)))
            mission_slots = [(days[start], hour, SlotDuration.HALF_DAY)]
            needs = [(AssignmentQuality.INVIGILATOR, rng.randint(2, 6), None)]
        missions.append(
            {
                "id": mission_id,
                "academy_id": academy_id,
                "number": first_number + n,
                "mission_type_id": mission_type.id,
                "session_id": session_id,
                "paper_id": paper_id,
                "specialty_id": specialty_id,
                "centre_id": centre_id,
                "first_day": mission_slots[0][0],
                "last_day": mission_slots[-1][0],
                "created_at": now,
                "updated_at": now,
            }
        )
        for day, hour, duration in mission_slots:
            slots.append(
                {
                    "id": slot_id,
                    "mission_id": mission_id,
                    "day": day,
                    "start_time": hour,
                    "duration": duration,
                }
            )
            slot_id += 1
        for quality, places, load in needs:
            need_rows.append(
                {
                    "id": need_id,
                    "mission_id": mission_id,
                    "quality": quality,
                    "places": places,
                    "load_per_agent": load,
                }
            )
            need_id += 1
            stats.places += places
        mission_id += 1
    insert(session, Mission, missions)
    insert(session, MissionSlot, slots)
    insert(session, MissionNeed, need_rows)
    stats.missions, stats.needs = len(missions), len(need_rows)

    unavailable = rng.sample(agent_ids, int(len(agent_ids) * UNAVAILABLE_SHARE))
    first_id = (session.scalar(select(func.max(Unavailability.id))) or 0) + 1
    periods = []
    for n, agent_id in enumerate(unavailable):
        start = rng.randrange(len(days))
        end = min(len(days) - 1, start + rng.choice((0, 0, 1, 2)))
        periods.append(
            {
                "id": first_id + n,
                "agent_id": agent_id,
                "session_id": session_id,
                "starts_on": days[start],
                "ends_on": days[end],
                "part": rng.choice((DayPart.DAY, DayPart.DAY, DayPart.MORNING, DayPart.AFTERNOON)),
                "comment": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    insert(session, Unavailability, periods)
    stats.unavailabilities = len(periods)

    first_id = (session.scalar(select(func.max(AssignmentConflict.id))) or 0) + 1
    conflicts = []
    for n in range(min(CONFLICTS, len(agent_ids))):
        with_centre = n % 2 == 0
        conflicts.append(
            {
                "id": first_id + n,
                "academy_id": academy_id,
                "agent_id": rng.choice(agent_ids),
                "establishment_id": rng.choice(centre_ids) if with_centre else None,
                "mission_id": None if with_centre else rng.choice(missions)["id"],
                "reason": "Conjoint chef de centre" if with_centre else "Parent d'un candidat",
                "created_by_id": manager_id,
                "created_at": now,
                "updated_at": now,
            }
        )
    insert(session, AssignmentConflict, conflicts)
    stats.conflicts = len(conflicts)
    return stats
