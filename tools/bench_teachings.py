"""Benchmark of the teachings import (STS-WEB files): reported figures, no pass/fail.

It adds a synthetic académie (``BENCH``) to the database: establishments, their
teachers (agents attached to them), then writes one STS-WEB « emploi du temps » file per
establishment (``app.seeds.sts_files``, the shape of the ministry's export) and imports
them one after the other, as the import job would: the comparison (``plan``'s work) and
the writes of ``apply``, committed per file. It prints the time of the first import
(every line new), of a second one (every line unchanged: idempotence), and of a third
where a tenth of the lines moved (changed and deactivated), then the process's peak
memory. With the defaults: 400 files × 500 lines = 200,000 teaching lines.

Usage (a database of its own: the script writes into it; an empty one is migrated):

    FLASK_DEBUG=1 .venv/bin/python tools/bench_teachings.py --database-url postgresql://…/bench
    FLASK_DEBUG=1 .venv/bin/python tools/bench_teachings.py --files 1 --teachers 2000 --mefs 25
        (one large file: its size and the memory it takes)
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

from sqlalchemy import delete, func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ACADEMY = "BENCH"
UAI_KEYS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _uai(index: int) -> str:
    body = f"98{index:05d}"
    return body + UAI_KEYS[int(body) % 23]


def _prepare(session, args) -> int:
    """The BENCH académie, its establishments and teachers (made again on each run)."""
    from models import Academy, Agent, AgentEstablishment, Establishment, Job, Teaching
    from models.enums import AgentKind, EstablishmentCategory, EstablishmentLinkType

    academy = session.scalar(select(Academy).where(Academy.code == ACADEMY))
    if academy is not None:
        agents = select(Agent.id).where(Agent.academy_id == academy.id)
        establishments = select(Establishment.id).where(Establishment.academy_id == academy.id)
        session.execute(delete(Teaching).where(Teaching.agent_id.in_(agents)))
        session.execute(delete(AgentEstablishment).where(AgentEstablishment.agent_id.in_(agents)))
        session.execute(delete(Agent).where(Agent.academy_id == academy.id))
        session.execute(delete(Job).where(Job.academy_id == academy.id))
        session.execute(delete(Establishment).where(Establishment.id.in_(establishments)))
    else:
        academy = Academy(code=ACADEMY, name="Académie de banc d'essai")
        session.add(academy)
        session.flush()
    session.execute(
        insert(Establishment),
        [
            {
                "uai": _uai(e),
                "name": f"LGT BANC {e}",
                "category": EstablishmentCategory.LGT,
                "academy_id": academy.id,
                "postcode": "35000",
                "town": "RENNES",
            }
            for e in range(args.files)
        ],
    )
    ids = dict(
        session.execute(
            select(Establishment.uai, Establishment.id).where(
                Establishment.academy_id == academy.id
            )
        ).all()
    )
    agents = [
        {
            "academy_id": academy.id,
            "kind": AgentKind.TEACHER,
            "numen": f"98B{e:05d}{t:05d}"[:13],
            "last_name": f"NOM{e}X{t}",
            "first_name": f"Prenom{t}",
        }
        for e in range(args.files)
        for t in range(args.teachers)
    ]
    for start in range(0, len(agents), 5000):
        session.execute(insert(Agent), agents[start : start + 5000])
    numens = dict(
        session.execute(select(Agent.numen, Agent.id).where(Agent.academy_id == academy.id)).all()
    )
    links = [
        {
            "agent_id": numens[f"98B{e:05d}{t:05d}"[:13]],
            "establishment_id": ids[_uai(e)],
            "link_type": EstablishmentLinkType.PRINCIPAL,
        }
        for e in range(args.files)
        for t in range(args.teachers)
    ]
    for start in range(0, len(links), 5000):
        session.execute(insert(AgentEstablishment), links[start : start + 5000])
    session.commit()
    return academy.id


def _export(args, e: int, year: int, shift: int = 0):
    """The STS file of establishment ``e``: each teacher teaches ``--subjects`` subjects
    in every MEF, in ``--divisions`` divisions of it (``shift`` moves a tenth of the
    teachers to other divisions and drops one of their MEFs)."""
    from app.seeds import sts_files as sts

    subjects = {f"{900000 + s}": f"MATIERE DE BANC {s}" for s in range(args.subjects * 4)}
    mefs = {f"{90000000000 + m}": f"MEF DE BANC {m}" for m in range(args.mefs)}
    codes = list(subjects)
    people = [
        sts.Person(f"{t + 1}", f"NOM{e}X{t}", f"Prenom{t}", "2") for t in range(args.teachers)
    ]
    structures = []
    for m, mef in enumerate(mefs):
        for d in range(args.divisions):
            services = []
            for t in range(args.teachers):
                moved = shift and t % 10 == 0
                if moved and (m == 0 or d == 0):
                    continue
                for s in range(args.subjects):
                    subject = codes[(t * args.subjects + s) % len(codes)]
                    services.append(sts.Service(subject, [f"{t + 1}"]))
            structures.append(sts.Structure(f"D{m}_{d}", [mef], services))
    return sts.StsExport(_uai(e), year, subjects, mefs, people, structures)


def _run_pass(app, academy_id: int, args, year: int, label: str, shift: int = 0) -> dict:
    from app.extensions import db
    from app.services.interfaces.imports import teachings
    from app.services.interfaces.imports.base import Source

    totals = {"new": 0, "changed": 0, "unchanged": 0, "missing": 0, "refused": 0, "lines": 0}
    read_s = import_s = cpu_s = 0.0
    size = 0
    with app.app_context():
        for e in range(args.files):
            started = time.perf_counter()
            export = _export(args, e, year, shift)
            source = Source(export.file_name, export.xml())
            size += len(source.data)
            read_s += time.perf_counter() - started
            started, cpu = time.perf_counter(), time.process_time()
            plan = teachings.apply(db.session, academy_id, source, skip_refused=False)
            db.session.commit()
            import_s += time.perf_counter() - started
            cpu_s += time.process_time() - cpu
            for key, value in plan.counts().items():
                totals[key] += value
        db.session.remove()
    print(
        f"{label:<34} {import_s:6.1f} s (CPU du processus {cpu_s:5.1f} s)"
        f"  ({totals['lines']} lignes : {totals['new']} nouvelles,"
        f" {totals['changed']} modifiées, {totals['unchanged']} inchangées,"
        f" {totals['missing']} désactivées, {totals['refused']} refusées ;"
        f" {size / 1024 / 1024:.1f} Mo de fichiers écrits en {read_s:.1f} s, non comptés)"
    )
    return {"seconds": round(import_s, 2), "cpu_seconds": round(cpu_s, 2), **totals}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="the database (default: DATABASE_URL)")
    parser.add_argument("--files", type=int, default=400, help="establishments (one file each)")
    parser.add_argument("--teachers", type=int, default=25, help="teachers per establishment")
    parser.add_argument("--mefs", type=int, default=10, help="MEFs per establishment")
    parser.add_argument("--subjects", type=int, default=2, help="subjects per teacher")
    parser.add_argument("--divisions", type=int, default=3, help="divisions per MEF")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.services.jobs import dispatch
    from models import Job, Teaching

    overrides = {"RATELIMIT_ENABLED": False, "SERVER_NAME": None}
    if args.database_url:
        overrides["SQLALCHEMY_DATABASE_URI"] = args.database_url
    app = create_app(overrides)
    # The competence jobs the imports start stay queued in the database: no worker here.
    dispatch.set_enqueue(lambda session, job_id: None)
    with app.app_context():
        upgrade()
        print(f"Base : {db.engine.url.render_as_string(hide_password=True)}")
        started = time.perf_counter()
        academy_id = _prepare(db.session, args)
        print(
            f"Préparation : {args.files} établissements, {args.files * args.teachers}"
            f" enseignants ({time.perf_counter() - started:.1f} s)"
        )
        db.session.remove()
    lines = args.files * args.teachers * args.mefs * args.subjects
    print(f"{args.files} fichier(s) STS-WEB de {lines // args.files} lignes : {lines} lignes")
    year = 2026
    figures = {
        "first": _run_pass(app, academy_id, args, year, "Premier import (tout nouveau) :"),
        "again": _run_pass(app, academy_id, args, year, "Même import (idempotence) :"),
        "moved": _run_pass(app, academy_id, args, year, "Un dixième déplacé :", shift=1),
    }
    with app.app_context():
        active = db.session.scalar(
            select(func.count()).select_from(Teaching).where(Teaching.active.is_(True))
        )
        jobs = db.session.scalar(
            select(func.count()).select_from(Job).where(Job.academy_id == academy_id)
        )
        db.session.remove()
    print(f"Enseignements actifs : {active} ; traitements de compétences en attente : {jobs}")
    print(f"Mémoire maximale du processus : {_peak_mib():.0f} MiB")
    print(f"Charge de la machine (1, 5, 15 min) : {os.getloadavg()}")
    return 0 if figures["first"]["new"] == lines else 1


if __name__ == "__main__":
    raise SystemExit(main())
