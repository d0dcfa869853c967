"""Benchmark of the staff import (reported figures, no pass/fail): a synthetic staff file
of ``--agents`` agents (20,000 by default, about 25,000 lines: one agent in four has a
second, SECONDAIRE establishment) on the establishments of the demo académie, planned
and applied three times on the database of ``--database-url``:

1. the first import: every agent is new;
2. the same file again: everything unchanged (idempotence), nothing written;
3. a file where one agent in ten changed grade, one in twenty moved establishment and
   one in twenty is gone (deactivated).

Each step prints the dry run's time (``plan``), the apply's time (``apply``: compare,
write and commit, as the job does), each with this process's CPU time (the rest is
waiting for the database, or for the CPU on a loaded machine: the load average is
printed too), and the counts; then the process's peak memory
(``resource.getrusage``), and how much the imports added to what the application
took before them.

The database is brought to the latest migration and given the demo académie if it has
none; the synthetic agents (numens ``99E…BEN``) of an earlier run are deleted first.
Run it on a benchmark or test database:

    .venv/bin/python tools/benchmark_imports.py --database-url postgresql://…/test_x
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADER = (
    "numen;civilite;nom;prenom;nom_naissance;courriel_academique;commune;code_postal;"
    "grade;code_discipline;libelle_discipline;type_agent;uai;type_etablissement"
)
DISCIPLINES = (
    ("L1300", "MATHEMATIQUES"),
    ("L0422", "ANGLAIS"),
    ("L1000", "HISTOIRE GEOGRAPHIE"),
    ("L0202", "LETTRES MODERNES"),
    ("L1500", "PHYSIQUE CHIMIE"),
    ("L1600", "SCIENCES VIE ET TERRE"),
)
TOWNS = (("RENNES", "35000"), ("VANNES", "56000"), ("SAINT-BRIEUC", "22000"), ("LORIENT", "56100"))
PREFIX, SUFFIX = "99E", "BEN"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def staff_file(count: int, uais: list[str], *, variant: bool) -> bytes:
    """The synthetic file; ``variant``: step 3's changes."""
    lines = [HEADER]
    for n in range(count):
        if variant and n % 20 == 7:
            continue  # gone: deactivated
        grade = "PROFESSEUR AGREGE" if variant and n % 10 == 3 else "PROFESSEUR CERTIFIE"
        code, label = DISCIPLINES[n % len(DISCIPLINES)]
        town, postcode = TOWNS[n % len(TOWNS)]
        first = uais[(n + 1 if variant and n % 20 == 11 else n) % len(uais)]
        person = (
            f"{PREFIX}{n:07d}{SUFFIX};{'Mme' if n % 2 else 'M.'};NOM{n};Prénom{n};;"
            f"prenom{n}.nom{n}@ac-rennes.fr;{town};{postcode};{grade};{code};{label};enseignant"
        )
        lines.append(f"{person};{first};PRINCIPAL")
        if n % 4 == 0:
            lines.append(f"{person};{uais[(n + 3) % len(uais)]};SECONDAIRE")
    return ("\n".join(lines) + "\n").encode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL URL")
    parser.add_argument("--agents", type=int, default=20000)
    args = parser.parse_args()
    os.environ.setdefault("FLASK_DEBUG", "1")  # a tool: the development settings

    from flask_migrate import upgrade
    from sqlalchemy import delete, select

    from app import create_app
    from app.extensions import db
    from app.seeds.demo import seed_demo
    from app.services.interfaces.imports.base import IMPORTERS, Source
    from models import Academy, Agent, Establishment

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        session = db.session
        rennes = session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        if rennes is None:
            seed_demo(session, app.appbuilder.sm)
            session.commit()
            rennes = session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        session.execute(
            delete(Agent).where(Agent.numen.like(f"{PREFIX}%{SUFFIX}"))
        )  # their links go with them (ON DELETE CASCADE)
        session.commit()
        uais = list(
            session.scalars(
                select(Establishment.uai)
                .where(Establishment.academy_id == rennes)
                .order_by(Establishment.uai)
            )
        )
        first = staff_file(args.agents, uais, variant=False)
        third = staff_file(args.agents, uais, variant=True)
        lines = first.count(b"\n") - 1
        print(
            f"{args.agents} agents, {lines} lines, "
            f"{len(first) / 1e6:.1f} MB, {len(uais)} establishments, "
            f"{session.get_bind().dialect.name}"
        )
        importer = IMPORTERS["staff"]
        before = peak_mb()
        for label, data in (
            ("1. first import", first),
            ("2. same file again", first),
            ("3. changes", third),
        ):
            source = Source("personnels.csv", data)
            start, cpu = time.perf_counter(), time.process_time()
            plan = importer.plan(session, rennes, source)
            planned = (time.perf_counter() - start, time.process_time() - cpu)
            session.rollback()
            start, cpu = time.perf_counter(), time.process_time()
            plan = importer.apply(session, rennes, source, skip_refused=False, progress=None)
            session.commit()
            applied = (time.perf_counter() - start, time.process_time() - cpu)
            print(
                f"{label}: plan {planned[0]:.2f} s (CPU {planned[1]:.2f} s), "
                f"apply {applied[0]:.2f} s (CPU {applied[1]:.2f} s), {plan.counts()}"
            )
            session.remove()
        peak = peak_mb()
        print("load average: " + ", ".join(f"{load:.1f}" for load in os.getloadavg()))
        print(f"peak memory: {peak:.0f} MB ({peak - before:.0f} MB more than before the imports)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
