"""The dashboard's one pass over the claims gives, for every session choice, the
figures a claim-by-claim count gives (on the large data set at a small scale)."""

from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.seeds import large as large_dataset
from app.services.claims import processing, workflow
from app.services.claims.academy import PRICED, WAITING_STATUSES
from app.services.common import clock
from app.services.payments import export
from app.services.portal import dashboard
from app.transaction import unit_of_work
from models import Academy, Assignment, ClaimSummary, ExpenseClaim, Mission
from models.enums import ClaimStatus


@pytest.fixture
def claims(app, demo):
    with app.app_context():
        with unit_of_work(db.session):
            large_dataset.seed_large(db.session, agents=40, claims=800)
        academy_id = db.session.scalar(
            select(Academy.id).where(Academy.code == large_dataset.ACADEMY_CODE)
        )
        yield (
            academy_id,
            db.session.scalars(
                select(ExpenseClaim)
                .join(ExpenseClaim.assignment)
                .join(Assignment.mission)
                .where(Mission.academy_id == academy_id)
                .options(
                    selectinload(ExpenseClaim.assignment)
                    .selectinload(Assignment.mission)
                    .selectinload(Mission.session)
                )
            ).all(),
        )


def expected(claims, session_id):
    chosen = [c for c in claims if session_id in (None, c.assignment.mission.session_id)]
    parts = lambda c: (c.fee_status, c.travel_status)  # noqa: E731
    missing = [
        c
        for c in chosen
        if (c.fee_status in PRICED and c.fee_amount is None)
        or (c.travel_status in PRICED and c.travel_amount is None)
    ]
    return {
        "total": len(chosen),
        "waiting": sum(any(s in WAITING_STATUSES for s in parts(c)) for c in chosen),
        "to_export": sum(
            ClaimStatus.ACCEPTED in parts(c) and c.payment_batch_id is None for c in chosen
        ),
        "not_done": sum(c.not_done_declared_at is not None for c in chosen),
        "fee_total": sum((c.fee_amount or 0 for c in chosen), Decimal(0)),
        "travel_total": sum((c.travel_amount or 0 for c in chosen), Decimal(0)),
        "without_amount": len(missing),
        "fee": Counter(c.fee_status for c in chosen),
        "travel": Counter(c.travel_status for c in chosen),
    }


def test_one_pass_gives_the_figures_of_every_session_choice(app, claims):
    academy_id, rows = claims
    everything = dashboard.dashboard(db.session, academy_id, None)
    sessions = {row.session_id: row for row in everything.sessions}
    assert len(sessions) > 2
    assert sum(row.total for row in sessions.values()) == len(rows)
    for session_id in (None, *sessions):
        shown = dashboard.dashboard(db.session, academy_id, session_id)
        assert shown.session_id == session_id
        want = expected(rows, session_id)
        head = shown.headline
        assert (head.total, head.waiting, head.to_export, head.not_done) == (
            want["total"],
            want["waiting"],
            want["to_export"],
            want["not_done"],
        )
        assert head.fee_total == want["fee_total"] and head.travel_total == want["travel_total"]
        assert head.without_amount == want["without_amount"]
        assert shown.fee_counts == dict(want["fee"])
        assert shown.travel_counts == dict(want["travel"])
        assert sum(item.fee for item in shown.exams) == want["fee_total"]
        if session_id is not None:
            row = sessions[session_id]
            chosen = [c for c in rows if c.assignment.mission.session_id == session_id]
            assert row.total == len(chosen) == head.total
            assert row.sent == sum(
                ClaimStatus.SENT_FOR_PAYMENT in (c.fee_status, c.travel_status) for c in chosen
            )
    # A session of no claim of the académie shows the whole académie.
    assert dashboard.dashboard(db.session, academy_id, 2**31 - 1).session_id is None


def full_count(academy_id):
    """The académie's claims grouped as the summary groups them, counted claim by claim
    from the claims themselves (what the dashboard read before the summary)."""
    groups = Counter()
    claims = db.session.scalars(
        select(ExpenseClaim)
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        .where(Mission.academy_id == academy_id)
        .options(selectinload(ExpenseClaim.assignment).selectinload(Assignment.mission))
    ).all()
    for c in claims:
        key = (c.assignment.mission.session_id, c.fee_status, c.travel_status)
        rejected = any(
            status is ClaimStatus.PROCESSED_BY_MANAGER and reason is not None
            for status, reason in (
                (c.fee_status, c.fee_payment_rejection),
                (c.travel_status, c.travel_payment_rejection),
            )
        )
        missing = (c.fee_status in PRICED and c.fee_amount is None) or (
            c.travel_status in PRICED and c.travel_amount is None
        )
        groups[(*key, "total")] += 1
        groups[(*key, "rejected")] += rejected
        groups[(*key, "not_done")] += c.not_done_declared_at is not None
        groups[(*key, "missing")] += missing
        groups[(*key, "fee")] += c.fee_amount or 0
        groups[(*key, "travel")] += c.travel_amount or 0
    return +groups  # without the zeros


def summary(academy_id):
    groups = Counter()
    for row in db.session.scalars(
        select(ClaimSummary).where(ClaimSummary.academy_id == academy_id)
    ):
        key = (row.session_id, row.fee_status, row.travel_status)
        for name, value in (
            ("total", row.total),
            ("rejected", row.rejected),
            ("not_done", row.not_done),
            ("missing", row.missing),
            ("fee", row.fee_amount),
            ("travel", row.travel_amount),
        ):
            groups[(*key, name)] += value
    assert all(value >= 0 for value in groups.values())
    return +groups


def test_the_summary_equals_a_full_count_after_the_workflow(app, claims):
    """The dashboard reads a summary the database keeps in the transaction that writes
    a claim: after sending back, cancelling, restoring, declaring not done, exporting,
    a set-based update and a mission moved to another session, it still equals a count
    of every claim."""
    academy_id, rows = claims
    assert summary(academy_id) == full_count(academy_id) != Counter()
    today = clock.today()
    by_status = lambda status: [c for c in rows if c.fee_status is status]  # noqa: E731
    with unit_of_work(db.session):
        for claim in by_status(ClaimStatus.VALIDATED)[:3]:
            processing.send_back(db.session, claim, "Il manque le RIB", by_user_id=None)
        for claim in by_status(ClaimStatus.NOT_VALIDATED)[:5]:
            processing.cancel(db.session, claim, by_user_id=None, comment="test")
        processing.restore(db.session, by_status(ClaimStatus.CANCELLED)[0], by_user_id=None)
        for claim in rows:
            if workflow.can_declare_not_done(claim, today):
                workflow.declare_not_done(db.session, claim, by_user_id=None, today=today)
                break
        else:
            pytest.fail("no claim to declare not done")
    with unit_of_work(db.session):
        batch = export.export_payments(db.session, academy_id, by_user_id=None)
        assert batch.claim_count
    with unit_of_work(db.session):
        db.session.execute(
            update(ExpenseClaim)
            .where(
                ExpenseClaim.id.in_([c.id for c in by_status(ClaimStatus.PROCESSED_BY_MANAGER)]),
            )
            .values(fee_payment_rejection="RIB invalide")
        )
        mission = db.session.get(Mission, rows[0].assignment.mission_id)
        other = next(
            c.assignment.mission.session_id
            for c in rows
            if c.assignment.mission.session_id != mission.session_id
        )
        mission.session_id = other
    db.session.expire_all()
    assert summary(academy_id) == full_count(academy_id)
    # And the dashboard shows it.
    everything = dashboard.dashboard(db.session, academy_id, None)
    assert everything.headline.total == len(rows)
    counted = full_count(academy_id)
    assert everything.headline.not_done == sum(
        value for key, value in counted.items() if key[-1] == "not_done"
    )
    assert (
        everything.headline.waiting
        >= sum(value for key, value in counted.items() if key[-1] == "rejected")
        > 0
    )
