"""Benchmark of the managers' screens on the large data set (reported figures, no
pass/fail): each page is requested as the demo manager through the application, and the
script prints, per page, the median and worst time, the number of SQL statements (the
same for any number of rows: no query per row) and the size of the answer; then the
process's peak memory.

Then the portal against the bare framework (``tools/baseline.py``, B2: plain Flask +
SQLAlchemy + Jinja rendering the same rows; a bare xhtml2pdf render of the same HTML
for the PDF recap): each pair is requested alternately, A B A B, in the same minute,
and printed as medians and as a ratio, so that the machine's load weighs on both.
With ``--compare`` the medians are divided by those of another run (the demo-only
data set): the growth of each page with the data.

Usage (after ``flask --app run imagin seed-large`` on the same database; ``--demo``
for a database holding the demo only, as the reference of the growth):

    FLASK_DEBUG=1 .venv/bin/python tools/benchmark.py [--repeat 5] [--json out.json]
    FLASK_DEBUG=1 DATABASE_URL=postgresql://… .venv/bin/python tools/benchmark.py

``--export`` measures the payment export instead, in a process of its own (a worker's
memory): the job "Mise en paiement" of every accepted claim, run by the worker's code
(``app.jobs.runner``) with its progress, its batch, its file and its commit; then a
second export, which must find nothing. It changes the data (the claims are sent for
payment): run it on a benchmark database. ``--accepted 50000`` first brings the accepted
claims waiting for the export up to that number, by taking claims of ``seed-large``'s
past batches back to "Validé par gestionnaire" (payable agents, amounts and service fait
already there), as if they had never been exported.
    FLASK_DEBUG=1 DATABASE_URL=…/demo .venv/bin/python tools/benchmark.py --demo --json demo.json
    FLASK_DEBUG=1 DATABASE_URL=…/large .venv/bin/python tools/benchmark.py --compare demo.json
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "imagin-demo"
NEXT_LINK = re.compile(r'<a href="([^"]+)"[^>]*title="Page suivante"')
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _pages(session) -> list[tuple[str, str]]:
    """(label, path) of every page measured, with ids and words taken from the data."""
    from models import Agent, Assignment, ExamSession, ExpenseClaim, Mission, PaymentBatch
    from models.enums import ClaimStatus

    latest = session.scalar(select(func.max(ExamSession.id)))
    claim = session.scalar(
        select(ExpenseClaim.id).where(ExpenseClaim.fee_status == ClaimStatus.VALIDATED).limit(1)
    )
    number = session.scalar(select(ExpenseClaim.number).where(ExpenseClaim.id == claim))
    agent = session.scalar(
        select(Assignment.agent_id).where(Assignment.id == ExpenseClaim.assignment_id).limit(1)
    )
    mission = session.scalar(select(Mission.id).order_by(Mission.first_day.desc()).limit(1))
    mission_number = session.scalar(select(Mission.number).where(Mission.id == mission))
    batch = session.scalar(select(func.min(PaymentBatch.id)).where(PaymentBatch.content.is_(None)))
    name = session.scalar(select(Agent.last_name).where(Agent.id == agent))
    pages = [
        ("Claims: first page", "/traitement-etats-de-frais/"),
        ("Claims: page 2,000", "/traitement-etats-de-frais/?page=2000"),
        # « Page suivante » from page 2,000: the link's cursor (``?apres=``).
        ("Claims: page 2,001 (next from 2,000)", "next:/traitement-etats-de-frais/?page=2000"),
        ("Claims: sorted by agent", "/traitement-etats-de-frais/?sort=agent&dir=asc"),
        (
            "Claims: by agent, next from page 2,000",
            "next:/traitement-etats-de-frais/?sort=agent&dir=asc&page=2000",
        ),
        ("Claims: session filter", f"/traitement-etats-de-frais/?session={latest}"),
        ("Claims: fee Validé", "/traitement-etats-de-frais/?fee=VALIDATED"),
        ("Claims: waiting for the manager", "/traitement-etats-de-frais/?waiting=1"),
        ("Claims: one agent", f"/traitement-etats-de-frais/?agent={agent}"),
        ("Claims: keyword, agent name", f"/traitement-etats-de-frais/?q={name}"),
        ("Claims: keyword, dossier number", f"/traitement-etats-de-frais/?q={number}"),
        ("Claims: keyword, mission number", f"/traitement-etats-de-frais/?q={mission_number}"),
        ("Claim page", f"/traitement-etats-de-frais/{claim}"),
        ("Service fait", "/service-fait/"),
        ("Payment export", "/mise-en-paiement/"),
        ("Dashboard", "/tableau-de-bord/"),
        ("Dashboard: one session", f"/tableau-de-bord/?session={latest}"),
        ("Agents: first page", "/agentmodelview/list/"),
        ("Agents: search by name", f"/agentmodelview/list/?_flt_2_last_name={name}"),
        ("Agent page", f"/agentmodelview/show/{agent}"),
        ("Competences (manager)", "/competences/gestion/"),
        ("Competences: keyword", f"/competences/gestion/?q={name}"),
        ("Missions and convocations", "/missions-affectations/"),
        ("Mission: candidates", f"/missions-affectations/{mission}"),
    ]
    if batch is not None:
        pages.append(("Payment batch file (first download)", f"/mise-en-paiement/lots/{batch}.csv"))
        pages.append(("Payment batch file (stored)", f"/mise-en-paiement/lots/{batch}.csv"))
    return pages


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def top_up_accepted(app, wanted: int) -> int:
    """Bring the académie's accepted claims up to ``wanted`` (see ``--accepted``)."""
    from sqlalchemy import case, update

    from app.extensions import db
    from app.services.payments import export as payment_export
    from app.transaction import unit_of_work
    from models import Academy, Assignment, ExpenseClaim, Mission
    from models.enums import ClaimStatus

    sent, accepted = ClaimStatus.SENT_FOR_PAYMENT, ClaimStatus.ACCEPTED
    with app.app_context():
        session = db.session
        academy = session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        missing = wanted - payment_export.exportable_count(session, academy)
        if missing > 0:
            ids = (
                select(ExpenseClaim.id)
                .join(ExpenseClaim.assignment)
                .join(Assignment.mission)
                .where(Mission.academy_id == academy, ExpenseClaim.fee_status == sent)
                .order_by(ExpenseClaim.id.desc())
                .limit(missing)
                .scalar_subquery()
            )
            with unit_of_work(session):
                session.execute(
                    update(ExpenseClaim)
                    .where(ExpenseClaim.id.in_(ids))
                    .values(
                        payment_batch_id=None,
                        fee_status=accepted,
                        travel_status=case(
                            (ExpenseClaim.travel_status == sent, accepted),
                            else_=ExpenseClaim.travel_status,
                        ),
                    )
                    .execution_options(synchronize_session=False)
                )
        count = payment_export.exportable_count(session, academy)
        session.remove()
    return count


def measure_export(app) -> dict:
    """Run the payment export job once, as a worker runs it, and a second time."""
    from app.extensions import db
    from app.jobs import kinds, runner
    from app.services.jobs import records
    from app.services.payments import export as payment_export
    from app.transaction import unit_of_work
    from models import Academy, Job, PaymentBatch, User
    from models.enums import JobState

    def new_job(session, academy, manager) -> int:
        with unit_of_work(session):
            return records.create(
                session,
                academy_id=academy,
                kind=kinds.PAYMENT_EXPORT,
                title=runner.KINDS[kinds.PAYMENT_EXPORT].msgid,
                started_by_id=manager,
            ).id

    with app.app_context():
        session = db.session
        academy = session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        manager = session.scalar(select(User.id).where(User.username == "gestionnaire"))
        waiting = payment_export.exportable_count(session, academy)
        job = new_job(session, academy, manager)
        database = db.engine.url.render_as_string(hide_password=True)
        session.remove()
    before = _peak_mib()
    started, cpu = time.perf_counter(), time.process_time()
    runner.run(app, job, last_attempt=True)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = _peak_mib()
    load = os.getloadavg()[0]
    with app.app_context():
        session = db.session
        done = session.get(Job, job)
        batch = session.scalar(select(PaymentBatch).order_by(PaymentBatch.number.desc()).limit(1))
        first_done = done.state is JobState.DONE
        figures = {
            "database": database,
            "claims_waiting": waiting,
            "state": done.state.name,
            "message": done.message,
            "progress": f"{done.progress} / {done.total}",
            "seconds": round(seconds, 2),
            "worker_cpu_seconds": round(cpu, 2),  # the rest: waiting for the database
            "load_average": round(load, 1),
            "peak_mib_before": round(before),
            "peak_mib": round(peak),
            "batch": batch.number,
            "batch_claims": batch.claim_count,
            "rows": batch.fee_rows + batch.travel_rows,
            "file_mib": round(len(batch.content.encode()) / 1024 / 1024, 1),
        }
        again = new_job(session, academy, manager)
        session.remove()
    runner.run(app, again, last_attempt=True)
    with app.app_context():
        second = db.session.get(Job, again)
        figures["second_export"] = f"{second.state.name}: {second.message}"
        ok = first_done and second.state is JobState.FAILED
        db.session.remove()
    figures["ok"] = ok
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="requests per page (median)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--export", action="store_true", help="measure the payment export (changes the data)"
    )
    parser.add_argument(
        "--accepted", type=int, default=0, help="with --export: accepted claims to export"
    )
    parser.add_argument("--only", help="measure only the pages whose label contains this")
    parser.add_argument("--demo", action="store_true", help="the database holds the demo only")
    parser.add_argument("--compare", help="figures of another run (--json): growth ratios")
    args = parser.parse_args()

    from app import create_app
    from app.extensions import db
    from app.seeds import large as large_dataset

    app = create_app({"RATELIMIT_ENABLED": False, "SERVER_NAME": None})
    with app.app_context():
        if not args.demo and not large_dataset.already_loaded(db.session):
            print("Chargez d'abord le jeu volumineux : flask --app run imagin seed-large")
            return 2
    if args.export:
        if args.accepted:
            top_up_accepted(app, args.accepted)
        figures = measure_export(app)
        for key, value in figures.items():
            print(f"{key}: {value}")
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2))
        return 0 if figures["ok"] else 1
    with app.app_context():
        pages = [p for p in _pages(db.session) if not args.only or args.only in p[0]]
        database = db.engine.url.render_as_string(hide_password=True)
        engine = db.engine
        db.session.remove()

    statements: list[tuple[str, float]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, (time.perf_counter() - conn.info["started"]) * 1000))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    client = app.test_client()
    token = CSRF.search(client.get("/login/").text).group(1)
    response = client.post(
        "/login/", data={"username": "gestionnaire", "password": PASSWORD, "csrf_token": token}
    )
    if response.status_code != 302:
        print("La connexion du gestionnaire de démonstration a échoué.")
        return 1

    results = []
    print(f"Base : {database}")
    print(f"| {'page':<40} | status | median ms | worst ms | SQL | SQL ms | KiB |")
    print(f"|{'-' * 42}|--------|-----------|----------|-----|--------|-----|")
    for label, path in pages:
        if path.startswith("next:"):  # the « Page suivante » link of that page
            found = NEXT_LINK.search(client.get(path[len("next:") :]).text)
            path = html.unescape(found.group(1)) if found else path[len("next:") :]
        once = "first download" in label
        times, counts, sql_ms, slowest = [], [], [], (0.0, "")
        for _ in range(1 if once else args.repeat):
            statements.clear()
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            counts.append(len(statements))
            sql_ms.append(sum(ms for _, ms in statements))
            slowest = max(slowest, *((ms, sql) for sql, ms in statements))
        figures = {
            "page": label,
            "path": path,
            "status": response.status_code,
            "median_ms": round(statistics.median(times), 1),
            "worst_ms": round(max(times), 1),
            "sql_statements": max(counts),
            "sql_median_ms": round(statistics.median(sql_ms), 1),
            "slowest_sql_ms": round(slowest[0], 1),
            "slowest_sql": " ".join(slowest[1].split())[:300],
            "kib": round(len(response.data) / 1024, 1),
        }
        results.append(figures)
        print(
            f"| {label:<40} | {figures['status']:>6} | {figures['median_ms']:>9} "
            f"| {figures['worst_ms']:>8} | {figures['sql_statements']:>3} "
            f"| {figures['sql_median_ms']:>6} | {figures['kib']:>3} |"
        )
    pairs = _baseline_pairs(app, client, args.repeat * 4)
    if args.compare:
        _print_growth(results, pairs, json.loads(Path(args.compare).read_text()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Mémoire maximale du processus : {peak:.0f} MiB")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "database": database,
                    "pages": results,
                    "baseline": pairs,
                    "peak_mib": round(peak),
                },
                indent=2,
            )
        )
    ok = all(r["status"] == 200 for r in results) and all(p["status"] == 200 for p in pairs)
    return 0 if ok else 1


def _timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def _baseline_pairs(app, manager, repeat: int) -> list[dict]:
    """The portal's pages against B2, interleaved A B A B: medians and ratios."""
    from app.extensions import db
    from app.services.claims import recap
    from app.services.documents import store
    from models import Academy, Agent, Assignment, ExpenseClaim, User
    from tools.baseline import bare_pdf, create_baseline

    teacher = app.test_client()
    token = CSRF.search(teacher.get("/login/").text).group(1)
    teacher.post(
        "/login/", data={"username": "enseignant", "password": PASSWORD, "csrf_token": token}
    )
    page = teacher.get("/etats-de-frais/").text
    if 'name="accept"' in page:  # the conditions of use, accepted once
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        token = CSRF.search(page).group(1)
        teacher.post(
            "/etats-de-frais/conditions",
            data={"accept": "y", "version": version, "csrf_token": token},
        )
    with app.app_context():
        agent_id = db.session.scalar(
            select(Agent.id)
            .join(User, Agent.user_id == User.id)
            .where(User.username == "enseignant")
        )
        claim_id = db.session.scalar(
            select(ExpenseClaim.id)
            .join(ExpenseClaim.assignment)
            .where(Assignment.agent_id == agent_id, ExpenseClaim.number.is_not(None))
            .order_by(ExpenseClaim.id)
            .limit(1)
        )
        academy_id = db.session.scalar(select(Academy.id).order_by(Academy.id).limit(1))
        url = db.engine.url.render_as_string(hide_password=False)
        db.session.remove()
    with app.test_request_context():
        # The HTML the stored recap is rendered from (``recap.source``), rendered
        # bare by xhtml2pdf below; the portal serves the stored PDF (rendered once).
        claim = db.session.get(ExpenseClaim, claim_id)
        html = store.html_of(recap.source(db.session, claim))
        db.session.remove()
    bare = create_baseline(url).test_client()

    def get(client, path):
        return lambda: client.get(path)

    def pdf():
        bare_pdf(html)
        return None

    cases = [
        (
            "Agent's claims list",
            get(teacher, "/etats-de-frais/"),
            get(bare, f"/agent-claims/{agent_id}"),
        ),
        (
            "Agent's claim page (Suivi)",
            get(teacher, f"/etats-de-frais/{claim_id}/suivi"),
            get(bare, f"/claim/{claim_id}"),
        ),
        (
            "Manager's claims list, first page",
            get(manager, "/traitement-etats-de-frais/"),
            get(bare, f"/academy-claims/{academy_id}"),
        ),
        (
            "PDF recap (stored) vs bare xhtml2pdf",
            get(teacher, f"/etats-de-frais/{claim_id}/recapitulatif.pdf"),
            pdf,
        ),
    ]
    print()
    print("Portail (A) contre le cadre nu B2 (B), en alternance A B A B :")
    print(f"| {'page':<36} | A median ms | B median ms | A ÷ B | B2 throughput share |")
    print(f"|{'-' * 38}|-------------|-------------|-------|---------------------|")
    pairs = []
    for label, portal, baseline in cases:
        portal(), baseline()  # warm-up
        a_times, b_times, status = [], [], 200
        for _ in range(repeat):
            elapsed, response = _timed(portal)
            a_times.append(elapsed)
            status = max(status, response.status_code)
            elapsed, response = _timed(baseline)
            b_times.append(elapsed)
            if response is not None:
                status = max(status, response.status_code)
        a, b = statistics.median(a_times), statistics.median(b_times)
        figures = {
            "page": label,
            "status": status,
            "a_median_ms": round(a, 1),
            "b_median_ms": round(b, 1),
            "ratio": round(a / b, 2),
            "throughput_share": round(b / a, 2),
        }
        pairs.append(figures)
        print(
            f"| {label:<36} | {figures['a_median_ms']:>11} | {figures['b_median_ms']:>11} "
            f"| {figures['ratio']:>5} | {figures['throughput_share']:>19} |"
        )
    return pairs


def _print_growth(results, pairs, reference) -> None:
    """Each page's median divided by the same page's median in ``reference``."""
    before = {r["page"]: r["median_ms"] for r in reference.get("pages", [])}
    before |= {p["page"]: p["a_median_ms"] for p in reference.get("baseline", [])}
    now = {r["page"]: r["median_ms"] for r in results}
    now |= {p["page"]: p["a_median_ms"] for p in pairs}
    print()
    print(f"Croissance contre {reference.get('database', '?')} :")
    print(f"| {'page':<40} | demo ms | large ms | large ÷ demo |")
    print(f"|{'-' * 42}|---------|----------|--------------|")
    for page, median in now.items():
        if before.get(page):
            print(
                f"| {page:<40} | {before[page]:>7} | {median:>8} "
                f"| {round(median / before[page], 2):>12} |"
            )


if __name__ == "__main__":
    sys.exit(main())
