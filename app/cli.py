"""``flask imagin …`` commands: initialise the database, load the demo data, rotate the
keys of the personal data. Each command's writes are one unit of work
(``app.transaction.unit_of_work``): committed when it ends, nothing kept when it fails."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import select

from app.extensions import db
from app.seeds import large as large_dataset
from app.seeds.demo import DEMO_ACCOUNTS, DEMO_AUDIENCE_ACCOUNTS, DEMO_PASSWORD, seed_demo
from app.services import DomainError
from app.services.competences import rules as competences
from app.services.interfaces import peers as peer_academies
from app.services.people import personal_data
from app.services.people.users import ensure_roles
from app.services.portal import activities
from app.transaction import unit_of_work

imagin = AppGroup("imagin", help="IMAG'IN administration commands.")


def initialise() -> None:
    """Migrate the schema to the latest revision, create the roles and the activities."""
    upgrade()
    ensure_roles(current_app.appbuilder.sm)
    with unit_of_work(db.session):
        activities.sync_activities(db.session)


@imagin.command("init")
def init_command() -> None:
    """Apply the migrations, create the roles and the activities (idempotent)."""
    initialise()
    click.echo("Base de données à jour ; rôles et activités en place.")


@imagin.command("sync-activities")
def sync_activities_command() -> None:
    """Write the catalogue's activities and openings (keeps existing openings)."""
    with unit_of_work(db.session):
        created = activities.sync_activities(db.session)
    click.echo(f"{created} activité(s) ou ouverture(s) créée(s).")


@imagin.command("generate-competences")
@click.option("--year", type=int, default=None, help="School year (default: the current one).")
def generate_competences_command(year: int | None) -> None:
    """Generate the agents' competences from their teachings (SYS), idempotently."""
    with unit_of_work(db.session):
        result = competences.generate(db.session, year=year)
    click.echo(
        f"{result.created} compétence(s) créée(s), {result.endorsed} compétence(s) "
        "existante(s) confirmée(s) par SYS."
    )


@imagin.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo académie (Rennes) and its accounts (idempotent)."""
    initialise()
    with unit_of_work(db.session):
        seed_demo(db.session, current_app.appbuilder.sm)
    click.echo(f"Données de démonstration chargées. Comptes (mot de passe : {DEMO_PASSWORD}) :")
    for account in (*DEMO_ACCOUNTS, *DEMO_AUDIENCE_ACCOUNTS):
        click.echo(f"  {account.username:<14} {account.role:<24} {account.description}")


@imagin.command("seed-large")
@click.option("--agents", type=int, default=20_000, show_default=True)
@click.option("--claims", type=int, default=200_000, show_default=True)
@click.option(
    "--june-missions",
    type=click.IntRange(0, 20_000),
    default=2_000,
    show_default=True,
    help="Missions of the coming June session, with needs (automatic assignment).",
)
def seed_large_command(agents: int, claims: int, june_missions: int) -> None:
    """Load the demo, then a large académie for the benchmark (bulk inserts)."""
    started = time.perf_counter()
    initialise()
    with unit_of_work(db.session):
        seed_demo(db.session, current_app.appbuilder.sm)
    try:
        with unit_of_work(db.session):
            stats = large_dataset.seed_large(
                db.session, agents=agents, claims=claims, june_missions=june_missions
            )
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Jeu de données volumineux chargé en {time.perf_counter() - started:.0f} s : "
        f"{stats.agents} agents, {stats.competences} compétences, {stats.centres} centres, "
        f"{stats.missions} missions, {stats.claims} états de frais, "
        f"{stats.history} lignes d'historique, {stats.batches} lots de paiement ; "
        f"{stats.communes} communes, session de juin : {stats.june.missions} missions, "
        f"{stats.june.places} places à pourvoir."
    )


@imagin.command("rotate-keys")
def rotate_keys_command() -> None:
    """Re-encrypt every INSEE number, IBAN and BIC, and the other académies' API tokens,
    with the first key of DATA_ENCRYPTION_KEYS (the old keys, still listed after it, open
    the old values)."""
    with unit_of_work(db.session):
        count = personal_data.rotate_keys(db.session)
        peers_count = peer_academies.rotate_tokens(db.session)
    click.echo(
        f"{count} dossier(s) financier(s) rechiffré(s) avec la première clé de "
        "DATA_ENCRYPTION_KEYS : les clés suivantes peuvent maintenant être retirées."
    )
    click.echo(f"{peers_count} jeton(s) d'académie(s) extérieure(s) rechiffré(s).")


@imagin.command("send-mails")
def send_mails_command() -> None:
    """After an incident (a worker killed, the queue lost): put the unfinished mail jobs
    on the queue again and send the single mails still pending (a mail another worker
    holds is left to it)."""
    from app.jobs.mails import resume

    jobs, done = resume()
    click.echo(
        f"{jobs} traitement(s) d'envoi remis en file ; {done.sent} courriel(s) envoyé(s) ; "
        f"{done.held_elsewhere} en cours d'envoi ailleurs."
    )


@imagin.command("import")
@click.argument("kind")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--apply", "apply_it", is_flag=True, help="Apply the import (default: dry run).")
@click.option("--skip-refused", is_flag=True, help="Apply without the refused lines.")
@click.option("--academy", default=None, help="Academy code (default: IMAGIN_ACADEMY_CODE).")
def import_command(kind: str, file: str, apply_it: bool, skip_refused: bool, academy) -> None:
    """Import a file of the ministry (exams, staff, teachings, corrections): print its
    dry run; with --apply, apply it in one transaction and record it. Exit code 1 when
    the file or some of its lines are refused."""
    from app.services.interfaces.imports import runs
    from app.services.interfaces.imports.base import MAX_BYTES, FileRefused, LinesRefused, Source
    from models import Academy

    code = academy or current_app.config["IMAGIN_ACADEMY_CODE"]
    academy_id = db.session.scalar(select(Academy.id).where(Academy.code == code))
    if academy_id is None:
        raise click.ClickException(f"Académie inconnue : {code}.")
    with open(file, "rb") as stream:
        # One byte more than an import may have: a larger file is refused, not read whole.
        source = Source(Path(file).name, stream.read(MAX_BYTES + 1))
    try:
        runs.check_file(kind, source)
        importer = runs.importer(kind)
        if not apply_it:
            plan = importer.plan(db.session, academy_id, source)
            db.session.rollback()
            _echo_plan(plan)
            click.echo("Simulation : rien n'a été écrit (--apply pour appliquer).")
            raise SystemExit(1 if plan.has_refusals else 0)
        with unit_of_work(db.session):
            plan = importer.apply(db.session, academy_id, source, skip_refused=skip_refused)
            run = runs.record(db.session, academy_id, kind, source, None)
            runs.applied(run, plan)
            db.session.flush()
    except FileRefused as error:
        db.session.rollback()
        if isinstance(error, LinesRefused):
            _echo_plan(error.plan)
        if apply_it:
            with unit_of_work(db.session):
                run = runs.record_refusal(
                    db.session, academy_id, kind, source, str(error.message), by_user_id=None
                )
                if isinstance(error, LinesRefused):
                    run.counts = error.plan.counts()
                    run.plan = runs.plan_record(error.plan)
        click.echo(f"Refusé : {error.message}", err=True)
        raise SystemExit(1) from None
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    _echo_plan(plan)
    click.echo(f"Import appliqué (n° {run.id}) : {run.message}")


def _echo_plan(plan) -> None:
    """The dry run, as the screen shows it: figures, first lines, refused lines, notes."""
    counts = plan.counts()
    click.echo(
        f"{counts['lines']} ligne(s) lue(s) : {counts['new']} nouveau(x), "
        f"{counts['changed']} modifié(s), {counts['unchanged']} inchangé(s), "
        f"{counts['missing']} absent(s) du fichier, {counts['refused']} ligne(s) refusée(s)."
    )
    titles = (
        ("new", "Nouveaux"),
        ("changed", "Modifiés"),
        ("missing", "Absents du fichier"),
    )
    for name, title in titles:
        group = getattr(plan, name)
        if group.count:
            click.echo(f"{title} ({group.count}) :")
            for preview in group.first:
                detail = f" ({preview.detail})" if preview.detail else ""
                click.echo(f"  {preview.key} : {preview.label}{detail}")
    if plan.refusals:
        click.echo(f"Lignes refusées ({plan.refused_count}) :")
        for refusal in plan.refusals:
            click.echo(f"  {refusal}")
    for note in plan.notes:
        click.echo(str(note))


def init_app(app: Flask) -> None:
    from app.jobs.worker import worker_command

    imagin.add_command(worker_command)
    app.cli.add_command(imagin)
