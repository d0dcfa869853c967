"""``flask imagin seed-large`` at a small scale: the bulk-inserted data follows the
workflow's rules, the portal goes on working on top of it (numbering, new rows, batch
files), and a second run is refused."""

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.seeds import large as large_dataset
from app.services import DomainError
from app.services.claims import lifecycle
from app.services.competences import rules as competences
from app.services.payments import export as payment_export
from app.transaction import unit_of_work
from models import (
    Agent,
    Assignment,
    ClaimStatusHistory,
    Competence,
    ExamSession,
    ExpenseClaim,
    Mission,
    PaymentBatch,
)
from models.enums import ClaimStatus

AGENTS, CLAIMS = 60, 1200


@pytest.fixture
def large(app, demo):
    with app.app_context():
        before = db.session.scalar(select(func.count(ExpenseClaim.id)))
        last_demo_mission = db.session.scalar(select(func.max(Mission.id)))
        with unit_of_work(db.session):
            stats = large_dataset.seed_large(db.session, agents=AGENTS, claims=CLAIMS)
        db.session.remove()
    return before, stats, last_demo_mission


def test_it_adds_the_agents_and_claims_asked_for(app, large):
    before, stats, _last_demo_mission = large
    assert (stats.agents, stats.claims, stats.missions) == (AGENTS, CLAIMS, CLAIMS // 20)
    with app.app_context():
        assert db.session.scalar(select(func.count(ExpenseClaim.id))) == before + CLAIMS
        generated = select(Agent.id).where(
            Agent.numen.like("99X%") | Agent.external_id.like("EXT99%")
        )
        assert len(db.session.scalars(generated).all()) == AGENTS
        # Every claim hangs on an assignment of a mission of the académie.
        orphans = db.session.scalar(
            select(func.count(ExpenseClaim.id))
            .outerjoin(Assignment, ExpenseClaim.assignment_id == Assignment.id)
            .where(Assignment.id.is_(None))
        )
        assert orphans == 0


def test_claims_follow_the_workflow(app, large):
    with app.app_context():
        rows = db.session.execute(
            select(
                ExpenseClaim.id,
                ExpenseClaim.number,
                ExpenseClaim.fee_status,
                ExpenseClaim.travel_status,
                ExpenseClaim.payment_batch_id,
                Assignment.service_done_on,
            ).join(ExpenseClaim.assignment)
        ).all()
        numbers = [row.number for row in rows if row.number]
        assert len(numbers) == len(set(numbers)), "a dossier number given twice"
        statuses = {row.fee_status for row in rows} | {row.travel_status for row in rows}
        assert {ClaimStatus.SENT_FOR_PAYMENT, ClaimStatus.ACCEPTED, ClaimStatus.VALIDATED} <= (
            statuses
        )
        for row in rows:
            parts = (row.fee_status, row.travel_status)
            sent = ClaimStatus.SENT_FOR_PAYMENT in parts
            assert (row.payment_batch_id is not None) == sent, row
            if sent or ClaimStatus.ACCEPTED in parts:
                assert row.service_done_on is not None, row
                assert row.number, row
        # Each part has its initial row in the history, and a row for a later status.
        history = dict(
            db.session.execute(
                select(ClaimStatusHistory.claim_id, func.count()).group_by(
                    ClaimStatusHistory.claim_id
                )
            ).all()
        )
        assert all(history.get(row.id, 0) >= 2 for row in rows)
        counted = db.session.execute(
            select(PaymentBatch.claim_count, func.count(ExpenseClaim.id))
            .join(ExpenseClaim, ExpenseClaim.payment_batch_id == PaymentBatch.id)
            .group_by(PaymentBatch.id)
        ).all()
        assert counted and all(stored == real for stored, real in counted)


def test_the_portal_goes_on_after_it(app, large):
    """Counters and (on PostgreSQL) id sequences were moved past the inserted rows."""
    with app.app_context():
        session = db.session
        claim = session.scalar(select(ExpenseClaim).where(ExpenseClaim.number.is_(None)).limit(1))
        mission_year = claim.assignment.mission.last_day.year
        number = lifecycle.assign_number(session, claim, mission_year)
        assert session.scalar(select(func.count()).where(ExpenseClaim.number == number)) == 1
        agent = Agent(
            academy_id=claim.assignment.agent.academy_id,
            kind=claim.assignment.agent.kind,
            numen="12A1234567890",
            last_name="NOUVEAU",
            first_name="Agent",
        )
        session.add(agent)
        session.flush()
        assert agent.id > session.scalar(select(func.max(Agent.id)).where(Agent.id != agent.id))
        session.rollback()


def test_a_batch_file_is_written_on_first_download_then_kept(app, large):
    with app.app_context():
        session = db.session
        batch = session.scalar(select(PaymentBatch).where(PaymentBatch.content.is_(None)).limit(1))
        sent = session.scalars(
            select(ExpenseClaim).where(ExpenseClaim.payment_batch_id == batch.id)
        ).all()
        parts = sum(
            (c.fee_status is ClaimStatus.SENT_FOR_PAYMENT)
            + (c.travel_status is ClaimStatus.SENT_FOR_PAYMENT)
            for c in sent
        )
        with unit_of_work(session):  # the download's request
            content = payment_export.batch_file(session, batch)
        rows = list(csv.reader(io.StringIO(content), delimiter=";"))
        assert rows[0] == list(payment_export.CSV_COLUMNS)
        assert len(rows) - 1 == parts
        assert {row[1] for row in rows[1:]} == {c.number for c in sent}
        # The travel rows carry the SNCF fare the manager set.
        travel = [r for r in rows[1:] if r[2] == "DEPLACEMENT"]
        amount = rows[0].index("montant")
        transport = rows[0].index("montant_transport")
        assert travel and all(r[amount] == r[transport] != "0.00" for r in travel)
        # The control totals of the batch add up to the file's amounts.
        assert {t["nature"]: t["total"] for t in payment_export.control_totals(batch)} == {
            nature: sum((Decimal(r[amount]) for r in rows[1:] if r[2] == nature), Decimal(0))
            for nature in ("REMUNERATION", "DEPLACEMENT")
        }
        batch_id = batch.id
        session.remove()
        again = session.get(PaymentBatch, batch_id)
        assert again.content == content


def test_invalidated_competences_are_left_out_of_the_candidates(app, large):
    with app.app_context():
        session = db.session
        for paper_id in session.scalars(select(Competence.paper_id).distinct()):
            held = session.scalars(select(Competence).where(Competence.paper_id == paper_id)).all()
            expected = {c.agent_id for c in held if not competences.is_invalidated(c)}
            assert competences.competent_agent_ids(session, paper_id) == expected
        invalidated = [
            c for c in session.scalars(select(Competence)) if competences.is_invalidated(c)
        ]
        assert invalidated, "the set should hold invalidated competences"


def test_a_second_run_is_refused(app, large):
    with app.app_context(), pytest.raises(DomainError) as refused:
        large_dataset.seed_large(db.session, agents=AGENTS, claims=CLAIMS)
    assert str(refused.value) == "Le jeu de données volumineux est déjà chargé dans cette base."


def test_it_needs_the_demo_first(app_ctx):
    with pytest.raises(DomainError) as refused:
        large_dataset.seed_large(db.session, agents=AGENTS, claims=CLAIMS)
    assert "flask imagin seed-demo" in str(refused.value)


def test_the_command_loads_and_reports(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["imagin", "seed-large", "--agents", "40", "--claims", "400", "--june-missions", "30"]
    )
    assert result.exit_code == 0, result.output
    assert "40 agents" in result.output and "400 états de frais" in result.output
    assert "session de juin : 30 missions" in result.output
    with app.app_context():
        generated = select(func.count(Agent.id)).where(Agent.numen.like("99X%"))
        assert db.session.scalar(generated) == 36  # one in ten is external
    again = runner.invoke(args=["imagin", "seed-large", "--agents", "40", "--claims", "400"])
    assert again.exit_code == 1
    assert "déjà chargé" in again.output


def test_missions_belong_to_the_session_of_their_school_year(app, large):
    with app.app_context():
        rows = db.session.execute(
            select(Mission.first_day, ExamSession.year)
            .join(Mission.session)
            .where(Mission.id > large[2])
        ).all()
        assert len(rows) == CLAIMS // 20
        for first_day, year in rows:
            school_year_end = first_day.year + (1 if first_day.month >= 9 else 0)
            assert year == school_year_end, (first_day, year)
