"""``flask imagin …`` commands: initialise the database, load the demo data, rotate the
keys of the personal data. Each command's writes are one unit of work
(``app.transaction.unit_of_work``): committed when it ends, nothing kept when it fails."""

from __future__ import annotations

import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from app.extensions import db
from app.seeds import large as large_dataset
from app.seeds.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from app.services import DomainError
from app.services.competences import rules as competences
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
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.username:<14} {account.role:<24} {account.description}")


@imagin.command("seed-large")
@click.option("--agents", type=int, default=20_000, show_default=True)
@click.option("--claims", type=int, default=200_000, show_default=True)
def seed_large_command(agents: int, claims: int) -> None:
    """Load the demo, then a large académie for the benchmark (bulk inserts)."""
    started = time.perf_counter()
    initialise()
    with unit_of_work(db.session):
        seed_demo(db.session, current_app.appbuilder.sm)
    try:
        with unit_of_work(db.session):
            stats = large_dataset.seed_large(db.session, agents=agents, claims=claims)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Jeu de données volumineux chargé en {time.perf_counter() - started:.0f} s : "
        f"{stats.agents} agents, {stats.competences} compétences, {stats.centres} centres, "
        f"{stats.missions} missions, {stats.claims} états de frais, "
        f"{stats.history} lignes d'historique, {stats.batches} lots de paiement."
    )


@imagin.command("rotate-keys")
def rotate_keys_command() -> None:
    """Re-encrypt every INSEE number, IBAN and BIC with the first key of
    DATA_ENCRYPTION_KEYS (the old keys, still listed after it, open the old values)."""
    with unit_of_work(db.session):
        count = personal_data.rotate_keys(db.session)
    click.echo(
        f"{count} dossier(s) financier(s) rechiffré(s) avec la première clé de "
        "DATA_ENCRYPTION_KEYS : les clés suivantes peuvent maintenant être retirées."
    )


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


def init_app(app: Flask) -> None:
    from app.jobs.worker import worker_command

    imagin.add_command(worker_command)
    app.cli.add_command(imagin)
