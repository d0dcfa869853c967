"""Claims: initial statuses per mission type, date-derived statuses, numbering, history."""

import datetime as dt

import pytest
from sqlalchemy import select

from app.services.claims import lifecycle
from models import ExpenseClaim, NumberCounter
from models.enums import ClaimPart, ClaimStatus, FeeEntryFamily
from models.referential import MissionType

S = ClaimStatus


def mission_type(family, has_fee=True, travel=True):
    return MissionType(
        code="X", name="X", fee_family=family, has_fee=has_fee, reimburses_travel=travel
    )


@pytest.mark.parametrize(
    ("family", "has_fee", "travel", "expected"),
    [
        (FeeEntryFamily.COPIES, True, True, (S.NOT_VALIDATED, S.NOT_VALIDATED)),
        (FeeEntryFamily.COPIES, True, False, (S.NOT_VALIDATED, S.NO_FEE)),
        (FeeEntryFamily.CANDIDATES, True, True, (S.NOT_VALIDATED, S.NOT_VALIDATED)),
        (FeeEntryFamily.HALF_DAY_TIMES, True, True, (S.NOT_VALIDATED, S.NOT_VALIDATED)),
        (FeeEntryFamily.DURATION, True, True, (S.NOT_VALIDATED, S.NOT_VALIDATED)),
        (FeeEntryFamily.AUTOMATIC, True, False, (S.PROCESSED_BY_MANAGER, S.NO_FEE)),
        (FeeEntryFamily.NONE, True, True, (S.TO_BE_PROCESSED, S.NOT_VALIDATED)),
        (FeeEntryFamily.NONE, False, True, (S.NO_FEE, S.NOT_VALIDATED)),
        (FeeEntryFamily.NONE, False, False, (S.NO_FEE, S.NO_FEE)),
    ],
)
def test_initial_statuses_follow_the_mission_type(family, has_fee, travel, expected):
    assert lifecycle.initial_statuses(mission_type(family, has_fee, travel)) == expected


def test_a_new_claim_records_its_first_statuses_in_the_history():
    claim = lifecycle.new_claim(mission_type(FeeEntryFamily.NONE, True, True), by_user_id=7)
    assert [(h.part, h.from_status, h.to_status, h.by_id) for h in claim.history] == [
        (ClaimPart.FEE, None, S.TO_BE_PROCESSED, 7),
        (ClaimPart.TRAVEL, None, S.NOT_VALIDATED, 7),
    ]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2014, 5, 19), S.NOT_STARTED),
        (dt.date(2014, 5, 20), S.IN_PROGRESS),
        (dt.date(2014, 5, 21), S.IN_PROGRESS),
        (dt.date(2014, 5, 22), S.NOT_VALIDATED),
    ],
)
def test_open_parts_show_a_status_that_follows_the_dates(today, expected):
    first, last = dt.date(2014, 5, 20), dt.date(2014, 5, 21)
    assert lifecycle.displayed_status(S.NOT_VALIDATED, first, last, today) is expected


@pytest.mark.parametrize("stored", [s for s in S if s is not S.NOT_VALIDATED])
def test_other_statuses_do_not_depend_on_dates(stored):
    before = dt.date(2000, 1, 1)
    assert lifecycle.displayed_status(stored, dt.date(2014, 5, 20), None, before) is stored


def test_transition_writes_who_when_from_and_to():
    claim = ExpenseClaim(fee_status=S.NOT_VALIDATED, travel_status=S.NOT_VALIDATED)
    lifecycle.transition(claim, ClaimPart.TRAVEL, S.VALIDATED, by_user_id=3, comment="ok")
    assert claim.travel_status is S.VALIDATED
    (row,) = claim.history
    assert (row.part, row.from_status, row.to_status, row.by_id, row.comment) == (
        ClaimPart.TRAVEL,
        S.NOT_VALIDATED,
        S.VALIDATED,
        3,
        "ok",
    )
    assert row.at is not None


def test_numbers_follow_each_other_per_scope_and_are_never_given_twice(session):
    assert [lifecycle.next_number(session, "claim-2026") for _ in range(3)] == [1, 2, 3]
    assert lifecycle.next_number(session, "claim-2027") == 1
    session.commit()
    assert lifecycle.next_number(session, "claim-2026") == 4
    session.rollback()  # a rolled-back validation used no number: 4 is still free
    counter = session.scalar(select(NumberCounter).where(NumberCounter.scope == "claim-2026"))
    assert counter.last_value == 3
    claim = ExpenseClaim(fee_status=S.NOT_VALIDATED, travel_status=S.NOT_VALIDATED)
    assert lifecycle.assign_number(session, claim, 2026) == "2026-000004"
    assert lifecycle.assign_number(session, claim, 2026) == "2026-000004"
