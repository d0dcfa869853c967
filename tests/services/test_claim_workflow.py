"""The agent's side of an expense claim on the demo data: start, "not done", the fee
entry of each family, the travel lines, validation (documents, numbering, amounts),
unvalidation, the same-day travel rule and the agent's list."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.services import DomainError, NotFound
from app.services.claims import amounts, documents, lifecycle, workflow
from app.services.claims import entry as claim_entry
from app.services.claims.entry import EntryErrors
from app.services.claims.workflow import MissingDocuments
from models import (
    Academy,
    Agent,
    Assignment,
    Establishment,
    ExamSession,
    ExpenseClaim,
    Mission,
    MissionSlot,
    MissionType,
    NumberCounter,
    Paper,
)
from models.enums import (
    ClaimPart,
    ClaimStatus,
    DocumentDossier,
    DocumentPiece,
    FeeEntryFamily,
    SlotDuration,
)

S = ClaimStatus
D = Decimal
DAY = dt.timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


# --- Helpers -----------------------------------------------------------------------------


@pytest.fixture
def people(demo, session):
    teacher = session.scalar(select(Agent).where(Agent.numen == "35E0000001MPC"))
    external = session.scalar(select(Agent).where(Agent.external_id == "EXT35000123"))
    return teacher, external


@pytest.fixture
def teacher(people):
    return people[0]


def claim_of(session, agent, number) -> ExpenseClaim:
    claim = session.scalar(
        select(ExpenseClaim)
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        .where(Assignment.agent_id == agent.id, Mission.number == number)
    )
    assert claim is not None, f"no claim of {agent.last_name} on mission {number}"
    return claim


def first_day(claim):
    return lifecycle.mission_days(claim)[0]


def after(claim):
    """The day after the mission: the claim can be entered and validated."""
    return lifecycle.mission_days(claim)[1] + DAY


def find(session, model, **lookup):
    return session.scalar(select(model).filter_by(**lookup))


def add_claim(session, agent, mission_type, days, *, number, paper="E4-A"):
    """A mission of the demo académie on ``days`` (09:00 each), ``agent`` convoked."""
    mission = Mission(
        academy=find(session, Academy, code="RENNES"),
        number=number,
        mission_type=mission_type,
        session=session.scalars(select(ExamSession)).first(),
        paper=find(session, Paper, code=paper),
        centre=find(session, Establishment, name="LGT JOSEPH LOTH"),
    )
    mission.slots = [
        MissionSlot(day=day, start_time=dt.time(9, 0), duration=SlotDuration.DAY) for day in days
    ]
    assignment = Assignment(mission=mission, agent=agent)
    assignment.claim = lifecycle.new_claim(mission_type)
    session.add(assignment)
    session.commit()
    return assignment.claim


def leg_values(claim, **overrides):
    first, last = lifecycle.mission_days(claim)
    values = {
        "arrival_town": "Pontivy",
        "departure_postcode": "35134",
        "arrival_postcode": "56306",
        "departure_date": first.isoformat(),
        "departure_time": "06:45",
        "return_date": last.isoformat(),
        "return_time": "19:00",
        "transport_mode": "CAR",
        "km_one_way": "60",
        "trips": "2",
        "lunches_refund": "1",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def started(session, claim, today=None):
    workflow.start(session, claim, today=today or after(claim))
    return claim


def complete_52525(session, claim):
    """Candidates and the first travel line of the teacher's mission 52525."""
    today = after(claim)
    started(session, claim, today)
    claim_entry.save_fee(session, claim, {"candidates": "10"}, today=today)
    claim_entry.save_leg(session, claim, claim.travel_legs[0].id, leg_values(claim), today=today)
    return claim


def deposit(session, claim, storage, piece):
    upload = documents.Upload(
        dossier=DocumentDossier.PAY,
        piece=piece,
        filename=f"{piece.value}.pdf",
        stream=io.BytesIO(PDF),
    )
    documents.add_document(session, claim, upload, storage=storage, by_user_id=None)


def deposit_pay_pieces(session, claim, storage):
    deposit(session, claim, storage, DocumentPiece.RIB)
    deposit(session, claim, storage, DocumentPiece.HEALTH_CARD)


def counter(session, year):
    row = session.get(NumberCounter, f"claim-{year}")
    return row.last_value if row else 0


def reloaded(session, claim):
    claim_id = claim.id
    session.expire_all()
    return session.get(ExpenseClaim, claim_id)


def message_of(error) -> str:
    message = str(error.value.message)
    assert message.strip()
    return message


# --- Start ---------------------------------------------------------------------------------


def test_start_is_refused_before_the_mission_starts(session, teacher):
    claim = claim_of(session, teacher, 68607)
    with pytest.raises(DomainError) as error:
        workflow.start(session, claim, today=first_day(claim) - DAY)
    assert first_day(claim).strftime("%d/%m/%Y") in message_of(error)
    assert claim.started_at is None
    assert claim.travel_legs == []
    workflow.start(session, claim, today=first_day(claim))
    assert claim.started_at is not None


def test_start_is_refused_on_a_cancelled_claim(session, teacher):
    claim = claim_of(session, teacher, 77842)
    assert (claim.fee_status, claim.travel_status) == (S.CANCELLED, S.CANCELLED)
    with pytest.raises(DomainError) as error:
        workflow.start(session, claim, today=after(claim))
    message_of(error)
    assert claim.started_at is None


def test_start_prefills_the_first_travel_leg(session, teacher):
    claim = claim_of(session, teacher, 52525)
    workflow.start(session, claim, today=first_day(claim))
    claim = reloaded(session, claim)
    assert claim.started_at is not None
    (leg,) = claim.travel_legs
    assert (leg.position, leg.departure_town, leg.departure_postcode) == (1, "THOURIE", "35134")
    assert (leg.arrival_town, leg.arrival_postcode) == ("PONTIVY CEDEX", "56306")
    assert leg.departure_date == first_day(claim)
    assert leg.departure_time == dt.time(7, 45)
    assert leg.completed is False


def test_start_twice_is_refused(session, teacher):
    claim = started(session, claim_of(session, teacher, 52525))
    with pytest.raises(DomainError):
        workflow.start(session, claim, today=after(claim))
    assert len(claim.travel_legs) == 1


def test_start_without_travel_opens_no_travel_leg(session, teacher):
    claim = started(session, claim_of(session, teacher, 77642))  # correction at home
    assert claim.travel_status is S.NO_FEE
    assert claim.travel_legs == []


# --- Mission not done -----------------------------------------------------------------------


def test_declare_not_done_turns_the_open_parts_into_no_fee(session, teacher):
    claim = claim_of(session, teacher, 52525)
    history_before = len(claim.history)
    workflow.declare_not_done(session, claim, by_user_id=teacher.user_id, today=after(claim))
    claim = reloaded(session, claim)
    assert (claim.fee_status, claim.travel_status) == (S.NO_FEE, S.NO_FEE)
    assert claim.not_done_declared_at is not None
    rows = claim.history[history_before:]
    assert [(r.part, r.from_status, r.to_status, r.by_id) for r in rows] == [
        (ClaimPart.FEE, S.NOT_VALIDATED, S.NO_FEE, teacher.user_id),
        (ClaimPart.TRAVEL, S.NOT_VALIDATED, S.NO_FEE, teacher.user_id),
    ]
    assert all(row.comment for row in rows)
    with pytest.raises(DomainError):
        workflow.declare_not_done(session, claim, by_user_id=teacher.user_id, today=after(claim))


def test_declare_not_done_drops_what_was_entered(session, teacher):
    claim = complete_52525(session, claim_of(session, teacher, 52525))
    workflow.declare_not_done(session, claim, by_user_id=teacher.user_id, today=after(claim))
    claim = reloaded(session, claim)
    assert (claim.fee_entries, claim.travel_legs) == ([], [])


def test_declare_not_done_is_refused_once_validated(session, teacher):
    claim = claim_of(session, teacher, 77508)
    assert (claim.fee_status, claim.travel_status) == (S.VALIDATED, S.VALIDATED)
    history_before = len(claim.history)
    with pytest.raises(DomainError) as error:
        workflow.declare_not_done(session, claim, by_user_id=teacher.user_id, today=after(claim))
    message_of(error)
    claim = reloaded(session, claim)
    assert (claim.fee_status, claim.travel_status) == (S.VALIDATED, S.VALIDATED)
    assert claim.not_done_declared_at is None
    assert len(claim.history) == history_before


# --- Fee entry of each family ------------------------------------------------------------


def test_copies_are_saved_and_replaced(session, teacher):
    claim = started(session, claim_of(session, teacher, 77642))
    claim_entry.save_fee(session, claim, {"copies": "14"}, today=after(claim))
    assert [e.copies for e in reloaded(session, claim).fee_entries] == [14]
    claim = reloaded(session, claim)
    claim_entry.save_fee(session, claim, {"copies": " 20 "}, today=after(claim))
    claim = reloaded(session, claim)
    assert [e.copies for e in claim.fee_entries] == [20]
    assert amounts.compute(session, claim).fee.amount == D("100.00")  # 20 x 5.00 (group 5)


@pytest.mark.parametrize("copies", ["", "abc", "-3", "12.5", "10000"])
def test_wrong_copies_carry_a_message_on_the_field(session, teacher, copies):
    claim = started(session, claim_of(session, teacher, 77642))
    with pytest.raises(EntryErrors) as error:
        claim_entry.save_fee(session, claim, {"copies": copies}, today=after(claim))
    assert set(error.value.errors) == {"copies"}
    assert str(error.value.errors["copies"]).strip()
    assert message_of(error)
    assert reloaded(session, claim).fee_entries == []


def test_candidates_as_a_total(session, teacher):
    claim = started(session, claim_of(session, teacher, 52525))
    claim_entry.save_fee(session, claim, {"candidates": "10"}, today=after(claim))
    claim = reloaded(session, claim)
    assert [(e.candidates, e.day) for e in claim.fee_entries] == [(10, None)]
    assert amounts.compute(session, claim).fee.amount == D("48.00")  # 10 x 30 min x 9.60


def test_candidates_per_date(session, teacher):
    claim = started(session, claim_of(session, teacher, 52525))
    first, last = lifecycle.mission_days(claim)
    values = {
        f"morning-{first.isoformat()}": "4",
        f"afternoon-{first.isoformat()}": "3",
        f"morning-{last.isoformat()}": "5",
        "candidates": "12",
    }
    claim_entry.save_fee(session, claim, values, today=after(claim))
    claim = reloaded(session, claim)
    assert [(e.day, e.candidates_morning, e.candidates_afternoon) for e in claim.fee_entries] == [
        (first, 4, 3),
        (last, 5, 0),
    ]


def test_candidates_total_differing_from_the_detail_is_an_error(session, teacher):
    claim = started(session, claim_of(session, teacher, 52525))
    first = first_day(claim)
    values = {f"morning-{first.isoformat()}": "4", f"afternoon-{first.isoformat()}": "3"}
    with pytest.raises(EntryErrors) as error:
        claim_entry.save_fee(session, claim, values | {"candidates": "8"}, today=after(claim))
    message = str(error.value.errors["candidates"])
    assert "8" in message and "7" in message
    assert reloaded(session, claim).fee_entries == []


def test_candidates_are_required(session, teacher):
    claim = started(session, claim_of(session, teacher, 52525))
    with pytest.raises(EntryErrors) as error:
        claim_entry.save_fee(session, claim, {}, today=after(claim))
    assert set(error.value.errors) == {"candidates"}


@pytest.fixture
def half_day_claim(session, teacher):
    mission_type = find(session, MissionType, code="EPRAT")
    assert mission_type.fee_family is FeeEntryFamily.HALF_DAY_TIMES
    days = [dt.date(2025, 6, 2), dt.date(2025, 6, 3)]
    claim = add_claim(session, teacher, mission_type, days, number=990001)
    return started(session, claim)


def half_day(index, day, ms="", me="", as_="", ae=""):
    return {
        f"day-{index}": day,
        f"ms-{index}": ms,
        f"me-{index}": me,
        f"as-{index}": as_,
        f"ae-{index}": ae,
    }


def test_half_day_times_are_saved(session, half_day_claim):
    claim = half_day_claim
    values = half_day(0, "02/06/2025", "08:00", "12:00", "13:30", "17:00") | half_day(
        1, "2025-06-03", "8h00", "10h30"
    )
    claim_entry.save_fee(session, claim, values, today=after(claim))
    claim = reloaded(session, claim)
    assert [
        (e.day, e.morning_start, e.morning_end, e.afternoon_start, e.afternoon_end)
        for e in claim.fee_entries
    ] == [
        (dt.date(2025, 6, 2), dt.time(8), dt.time(12), dt.time(13, 30), dt.time(17)),
        (dt.date(2025, 6, 3), dt.time(8), dt.time(10, 30), None, None),
    ]
    fee = amounts.compute(session, claim).fee
    assert fee.minutes == 600  # 7 h 30 + 2 h 30
    assert fee.amount == D("96.00")  # 10 h x 9.60


def test_half_day_end_before_start_is_an_error(session, half_day_claim):
    claim = half_day_claim
    values = half_day(0, "02/06/2025", "12:00", "08:00", "17:00", "13:30")
    with pytest.raises(EntryErrors) as error:
        claim_entry.save_fee(session, claim, values, today=after(claim))
    assert set(error.value.errors) >= {"me-0", "ae-0"}
    assert all(str(message).strip() for message in error.value.errors.values())
    assert reloaded(session, claim).fee_entries == []


def test_half_day_outside_the_mission_or_without_times_is_an_error(session, half_day_claim):
    claim = half_day_claim
    values = half_day(0, "05/06/2025", "08:00", "12:00") | half_day(1, "03/06/2025")
    with pytest.raises(EntryErrors) as error:
        claim_entry.save_fee(session, claim, values, today=after(claim))
    assert "02/06/2025" in str(error.value.errors["day-0"])
    assert "ms-1" in error.value.errors


@pytest.fixture
def duration_claim(session, teacher):
    mission_type = find(session, MissionType, code="MEMOIRE")
    assert mission_type.fee_family is FeeEntryFamily.DURATION
    claim = add_claim(session, teacher, mission_type, [dt.date(2025, 6, 2)], number=990002)
    return started(session, claim)


def test_duration_is_saved(session, duration_claim):
    claim = duration_claim
    claim_entry.save_fee(session, claim, {"hours": "12", "minutes": "30"}, today=after(claim))
    claim = reloaded(session, claim)
    assert [(e.hours, e.minutes) for e in claim.fee_entries] == [(12, 30)]
    assert amounts.compute(session, claim).fee.amount == D("120.00")  # 12.5 h x 9.60


def test_duration_errors_are_given_per_field(session, duration_claim):
    claim = duration_claim
    with pytest.raises(EntryErrors) as error:
        claim_entry.save_fee(session, claim, {"hours": "abc", "minutes": "75"}, today=after(claim))
    assert set(error.value.errors) == {"hours", "minutes"}
    assert "59" in str(error.value.errors["minutes"])
    with pytest.raises(EntryErrors) as error:
        claim_entry.save_fee(session, claim, {"hours": "0", "minutes": ""}, today=after(claim))
    assert set(error.value.errors) == {"hours"}
    assert reloaded(session, claim).fee_entries == []


def test_automatic_fee_cannot_be_entered(session, teacher):
    # The demo's written test: copies come from the correction system, no travel.
    demo_claim = claim_of(session, teacher, 218280)
    with pytest.raises(DomainError):
        claim_entry.save_fee(session, demo_claim, {"copies": "5"}, today=after(demo_claim))
    # The same family with travel: the claim is open, the fee is not.
    mission_type = MissionType(
        code="AUTOTRAV", name="AUTO", fee_family=FeeEntryFamily.AUTOMATIC, reimburses_travel=True
    )
    claim = started(
        session, add_claim(session, teacher, mission_type, [dt.date(2025, 6, 2)], number=990003)
    )
    with pytest.raises(DomainError) as error:
        claim_entry.save_fee(session, claim, {"copies": "5"}, today=after(claim))
    assert not isinstance(error.value, EntryErrors)
    message_of(error)
    assert [e.copies for e in reloaded(session, claim).fee_entries] == []


def test_fee_of_family_none_cannot_be_entered(session, teacher):
    claim = started(session, claim_of(session, teacher, 77286))  # TRAVAUX ADMINISTRATIFS
    assert claim.fee_status is S.TO_BE_PROCESSED
    with pytest.raises(DomainError) as error:
        claim_entry.save_fee(session, claim, {"copies": "5", "hours": "3"}, today=after(claim))
    assert not isinstance(error.value, EntryErrors)
    message_of(error)
    assert reloaded(session, claim).fee_entries == []


def test_no_entry_before_start(session, teacher):
    claim = claim_of(session, teacher, 52525)
    with pytest.raises(DomainError):
        claim_entry.save_fee(session, claim, {"candidates": "10"}, today=after(claim))


# --- Travel lines ---------------------------------------------------------------------------


@pytest.fixture
def travel_claim(session, teacher):
    claim = started(session, claim_of(session, teacher, 52525))
    claim_entry.save_fee(session, claim, {"candidates": "10"}, today=after(claim))
    return claim


def save_first_leg(session, claim, **overrides):
    return claim_entry.save_leg(
        session, claim, claim.travel_legs[0].id, leg_values(claim, **overrides), today=after(claim)
    )


def leg_errors(session, claim, **overrides):
    with pytest.raises(EntryErrors) as error:
        save_first_leg(session, claim, **overrides)
    errors = error.value.errors
    assert all(str(message).strip() for message in errors.values())
    assert reloaded(session, claim).travel_legs[0].completed is False
    return errors


def test_a_travel_leg_is_completed(session, travel_claim):
    claim = travel_claim
    save_first_leg(session, claim, misc_amount="6,40", misc_comment="Parking")
    claim = reloaded(session, claim)
    (leg,) = claim.travel_legs
    first, last = lifecycle.mission_days(claim)
    assert leg.completed is True
    assert (leg.departure_town, leg.arrival_town) == ("THOURIE", "PONTIVY")
    assert (leg.departure_date, leg.return_date) == (first, last)
    assert (leg.km_one_way, leg.trips, leg.misc_amount) == (D("60"), 2, D("6.40"))
    assert isinstance(leg.km_one_way, Decimal)
    assert leg.lunches_refund == 1


def test_the_departure_of_the_first_leg_stays_the_home_town(session, travel_claim):
    save_first_leg(session, travel_claim, departure_town="BREST")
    assert reloaded(session, travel_claim).travel_legs[0].departure_town == "THOURIE"


def test_a_car_needs_the_kilometres_and_the_trips(session, travel_claim):
    errors = leg_errors(session, travel_claim, km_one_way=None, trips=None)
    assert {"km_one_way", "trips"} <= set(errors)
    assert "trips" in leg_errors(session, travel_claim, trips="0")
    assert "km_one_way" in leg_errors(session, travel_claim, km_one_way="0")


def test_misc_expenses_need_a_comment(session, travel_claim):
    errors = leg_errors(session, travel_claim, misc_amount="12,50")
    assert set(errors) == {"misc_comment"}


def test_more_nights_than_the_dates_allow_are_refused(session, travel_claim):
    # Departure on the first day, return on the second: one night.
    errors = leg_errors(session, travel_claim, nights_refund="2")
    assert "1" in str(errors["nights_refund"])
    errors = leg_errors(
        session, travel_claim, return_date=first_day(travel_claim).isoformat(), nights_refund="1"
    )
    assert "nights_refund" in errors
    save_first_leg(session, travel_claim, nights_refund="1")
    assert reloaded(session, travel_claim).travel_legs[0].nights_refund == 1


def test_a_return_before_the_departure_is_refused(session, travel_claim):
    day = first_day(travel_claim).isoformat()
    errors = leg_errors(
        session, travel_claim, departure_time="07:00", return_date=day, return_time="06:00"
    )
    assert "return_date" in errors
    errors = leg_errors(
        session,
        travel_claim,
        return_date=(first_day(travel_claim) - DAY).isoformat(),
        lunches_refund=None,
    )
    assert "return_date" in errors


def test_no_travel_leg_before_the_fee_tab_is_complete(session, teacher):
    claim = started(session, claim_of(session, teacher, 52525))
    with pytest.raises(DomainError) as error:
        save_first_leg(session, claim)
    assert not isinstance(error.value, EntryErrors)
    message_of(error)
    with pytest.raises(DomainError):
        claim_entry.save_leg(session, claim, None, leg_values(claim), today=after(claim))
    claim = reloaded(session, claim)
    assert [leg.completed for leg in claim.travel_legs] == [False]


def test_a_second_leg_is_added_after_the_first(session, travel_claim):
    save_first_leg(session, travel_claim)
    leg = claim_entry.save_leg(
        session,
        travel_claim,
        None,
        leg_values(travel_claim, departure_town="Pontivy", arrival_town="Lorient"),
        today=after(travel_claim),
    )
    assert (leg.position, leg.departure_town, leg.arrival_town) == (2, "PONTIVY", "LORIENT")


def test_deleting_the_prefilled_line_offers_it_back(session, travel_claim):
    today = after(travel_claim)
    assert not claim_entry.can_restore_first_leg(travel_claim, today)  # it is there
    with pytest.raises(DomainError):
        claim_entry.restore_first_leg(session, travel_claim, today=today)
    second = claim_entry.save_leg(
        session,
        travel_claim,
        None,
        leg_values(travel_claim, departure_town="Pontivy", arrival_town="Lorient"),
        today=today,
    )
    claim_entry.delete_leg(session, travel_claim, travel_claim.travel_legs[0].id, today=today)
    assert claim_entry.can_restore_first_leg(travel_claim, today)
    restored = claim_entry.restore_first_leg(session, travel_claim, today=today)
    claim = reloaded(session, travel_claim)
    assert [leg.id for leg in claim.travel_legs] == [restored.id, second.id]
    leg = claim.travel_legs[0]
    assert (leg.position, leg.departure_town, leg.arrival_town) == (1, "THOURIE", "PONTIVY CEDEX")
    assert (leg.departure_date, leg.completed) == (first_day(claim), False)
    assert not claim_entry.can_restore_first_leg(claim, today)


def test_restoring_is_refused_once_the_travel_cannot_change(session, travel_claim):
    today = after(travel_claim)
    claim_entry.delete_leg(session, travel_claim, travel_claim.travel_legs[0].id, today=today)
    travel_claim.travel_status = S.VALIDATED
    decision = claim_entry.can_restore_first_leg(travel_claim, today)
    assert not decision and str(decision.reason).strip()
    with pytest.raises(DomainError):
        claim_entry.restore_first_leg(session, travel_claim, today=today)


def test_a_new_trip_on_an_empty_table_is_the_first_line_from_home(session, travel_claim):
    today = after(travel_claim)
    assert claim_entry.locked_departure_town(travel_claim, None) is None  # a second trip
    claim_entry.delete_leg(session, travel_claim, travel_claim.travel_legs[0].id, today=today)
    assert claim_entry.locked_departure_town(travel_claim, None) == "THOURIE"
    leg = claim_entry.save_leg(
        session, travel_claim, None, leg_values(travel_claim, departure_town="Brest"), today=today
    )
    assert (leg.position, leg.departure_town) == (1, "THOURIE")  # not the typed one
    assert claim_entry.locked_departure_town(travel_claim, leg) == "THOURIE"
    assert not claim_entry.can_restore_first_leg(travel_claim, today)


def test_a_tab_clicked_after_typing_is_where_the_saved_form_leads(session, travel_claim):
    from app.services.claims import page as claim_page

    today = after(travel_claim)
    keys = ["suivi", "remuneration", "deplacement", "recapitulatif"]
    assert claim_page.open_tabs(travel_claim, today) == keys
    assert claim_page.destination(travel_claim, today, "remuneration", "recapitulatif") == (
        "recapitulatif"
    )
    assert claim_page.destination(travel_claim, today, "remuneration", "suivi") == "suivi"
    assert claim_page.destination(travel_claim, today, "remuneration", "previous") == "suivi"
    assert claim_page.destination(travel_claim, today, "remuneration", "next") == "deplacement"
    assert claim_page.destination(travel_claim, today, "remuneration", None) == "deplacement"
    # A tab the claim does not have: the next step.
    travel_claim.travel_status = S.NO_FEE
    assert claim_page.destination(travel_claim, today, "remuneration", "deplacement") == (
        "recapitulatif"
    )


# --- Validation ---------------------------------------------------------------------------


def test_validate_is_refused_while_the_mission_is_in_progress(session, teacher):
    claim = claim_of(session, teacher, 99685)
    first, last = lifecycle.mission_days(claim)
    workflow.start(session, claim, today=first)
    for today in (first, first + DAY, last):
        with pytest.raises(DomainError) as error:
            workflow.validate(session, claim, by_user_id=teacher.user_id, today=today)
        assert last.strftime("%d/%m/%Y") in message_of(error)
    claim = reloaded(session, claim)
    assert (claim.fee_status, claim.travel_status, claim.number) == (
        S.NOT_VALIDATED,
        S.NOT_VALIDATED,
        None,
    )


def test_validate_is_refused_before_the_fee_and_the_travel_are_complete(session, teacher):
    claim = started(session, claim_of(session, teacher, 52525))
    with pytest.raises(DomainError):
        workflow.validate(session, claim, by_user_id=teacher.user_id, today=after(claim))
    claim_entry.save_fee(session, claim, {"candidates": "10"}, today=after(claim))
    with pytest.raises(DomainError):  # the first travel line is not completed
        workflow.validate(session, claim, by_user_id=teacher.user_id, today=after(claim))
    assert reloaded(session, claim).number is None


def test_validate_waits_for_the_missing_documents(session, teacher):
    # A teacher whose financial file is not active yet, with no INSEE number.
    teacher.financial_file_active, teacher.insee_number = False, None
    claim = complete_52525(session, claim_of(session, teacher, 52525))
    today = after(claim)
    before = counter(session, today.year)
    with pytest.raises(MissingDocuments) as error:
        workflow.validate(session, claim, by_user_id=teacher.user_id, today=today)
    assert error.value.missing == [
        (DocumentDossier.PAY, DocumentPiece.RIB),
        (DocumentDossier.PAY, DocumentPiece.HEALTH_CARD),
    ]
    message = message_of(error)
    assert str(DocumentPiece.RIB.label) in message
    assert str(DocumentPiece.HEALTH_CARD.label) in message
    claim = reloaded(session, claim)
    assert (claim.fee_status, claim.travel_status, claim.number) == (
        S.NOT_VALIDATED,
        S.NOT_VALIDATED,
        None,
    )
    assert counter(session, today.year) == before  # no number taken


def test_validate_gives_a_number_freezes_the_parts_and_stores_the_amounts(
    session, teacher, tmp_path, frozen_clock
):
    claim = complete_52525(session, claim_of(session, teacher, 52525))
    deposit_pay_pieces(session, claim, tmp_path)
    today = after(claim)
    before = counter(session, today.year)
    number = workflow.validate(session, claim, by_user_id=teacher.user_id, today=today)
    assert re.fullmatch(r"\d{4}-\d{6}", number)
    assert number == f"{today.year}-{before + 1:06d}"
    claim = reloaded(session, claim)
    assert claim.number == number
    assert (claim.fee_status, claim.travel_status) == (S.VALIDATED, S.VALIDATED)
    assert claim.validated_at == frozen_clock.now
    assert isinstance(claim.fee_amount, Decimal)
    assert isinstance(claim.travel_amount, Decimal)
    assert claim.fee_amount == D("48.00")  # 10 candidates x 30 min x 9.60 €/h
    assert claim.travel_amount == D("58.40")  # 120 km x 0.32 (power unknown) + 1 lunch
    assert [(h.part, h.to_status, h.by_id) for h in claim.history[-2:]] == [
        (ClaimPart.FEE, S.VALIDATED, teacher.user_id),
        (ClaimPart.TRAVEL, S.VALIDATED, teacher.user_id),
    ]
    with pytest.raises(DomainError):
        workflow.validate(session, claim, by_user_id=teacher.user_id, today=today)
    assert reloaded(session, claim).number == number
    assert counter(session, today.year) == before + 1


def test_an_external_with_a_complete_file_validates_without_documents(session, people):
    _teacher, external = people
    claim = complete_52525(session, claim_of(session, external, 52525))
    number = workflow.validate(session, claim, by_user_id=external.user_id, today=after(claim))
    assert reloaded(session, claim).number == number


def test_unvalidate_goes_back_to_entry_and_keeps_the_number(session, teacher, tmp_path):
    claim = complete_52525(session, claim_of(session, teacher, 52525))
    deposit_pay_pieces(session, claim, tmp_path)
    today = after(claim)
    number = workflow.validate(session, claim, by_user_id=teacher.user_id, today=today)
    taken = counter(session, today.year)
    workflow.unvalidate(session, claim, by_user_id=teacher.user_id)
    claim = reloaded(session, claim)
    assert (claim.fee_status, claim.travel_status) == (S.NOT_VALIDATED, S.NOT_VALIDATED)
    assert claim.number == number
    assert claim.validated_at is None
    assert [(h.part, h.from_status, h.to_status) for h in claim.history[-2:]] == [
        (ClaimPart.FEE, S.VALIDATED, S.NOT_VALIDATED),
        (ClaimPart.TRAVEL, S.VALIDATED, S.NOT_VALIDATED),
    ]
    # The claim can be changed again, then validated under the same number.
    claim_entry.save_fee(session, claim, {"candidates": "12"}, today=today)
    assert workflow.validate(session, claim, by_user_id=teacher.user_id, today=today) == number
    assert counter(session, today.year) == taken
    assert reloaded(session, claim).fee_amount == D("57.60")  # 6 h x 9.60
    with pytest.raises(DomainError):
        workflow.unvalidate(session, claim_of(session, teacher, 52531), by_user_id=teacher.user_id)


@pytest.mark.parametrize("number", [77847, 71103])
def test_unvalidate_is_refused_once_the_manager_accepted(session, teacher, number):
    claim = claim_of(session, teacher, number)
    assert S.ACCEPTED in (claim.fee_status, claim.travel_status)
    statuses = (claim.fee_status, claim.travel_status)
    with pytest.raises(DomainError) as error:
        workflow.unvalidate(session, claim, by_user_id=teacher.user_id)
    message_of(error)
    claim = reloaded(session, claim)
    assert (claim.fee_status, claim.travel_status) == statuses


def test_two_claims_get_distinct_numbers(session, teacher, tmp_path):
    first = complete_52525(session, claim_of(session, teacher, 52525))
    deposit_pay_pieces(session, first, tmp_path)
    second = started(session, claim_of(session, teacher, 77642))
    claim_entry.save_fee(session, second, {"copies": "14"}, today=after(second))
    deposit_pay_pieces(session, second, tmp_path)
    today = max(after(first), after(second))
    before = counter(session, today.year)
    numbers = [
        workflow.validate(session, claim, by_user_id=teacher.user_id, today=today)
        for claim in (first, second)
    ]
    assert numbers == [f"{today.year}-{before + 1:06d}", f"{today.year}-{before + 2:06d}"]
    assert reloaded(session, first).number == numbers[0]
    second = reloaded(session, second)
    assert (second.fee_status, second.travel_status) == (S.VALIDATED, S.NO_FEE)
    assert (second.fee_amount, second.travel_amount) == (D("70.00"), None)  # 14 x 5.00


# --- Several missions the same day ---------------------------------------------------------


def test_the_later_mission_of_the_day_has_no_travel_until_the_first_is_cancelled(session, teacher):
    first, later = claim_of(session, teacher, 52525), claim_of(session, teacher, 52531)
    assert first_day(first) == first_day(later)
    # As before the rule ran: both open.
    lifecycle.transition(later, ClaimPart.TRAVEL, S.NOT_VALIDATED, by_user_id=None)
    session.commit()
    workflow.refresh_same_day_travel(session, teacher.id, by_user_id=None)
    session.commit()
    first, later = reloaded(session, first), claim_of(session, teacher, 52531)
    assert (first.travel_status, later.travel_status) == (S.NOT_VALIDATED, S.NOT_VALIDATABLE)
    assert later.history[-1].to_status is S.NOT_VALIDATABLE
    assert later.history[-1].comment
    # Nothing changes when run again.
    rows = len(later.history)
    workflow.refresh_same_day_travel(session, teacher.id, by_user_id=None)
    session.commit()
    assert len(claim_of(session, teacher, 52531).history) == rows

    first.assignment.cancelled_at = dt.datetime(2025, 1, 1)
    lifecycle.transition(first, ClaimPart.FEE, S.CANCELLED, by_user_id=None)
    lifecycle.transition(first, ClaimPart.TRAVEL, S.CANCELLED, by_user_id=None)
    workflow.refresh_same_day_travel(session, teacher.id, by_user_id=None)
    session.commit()
    later = claim_of(session, teacher, 52531)
    assert later.travel_status is S.NOT_VALIDATED
    assert later.history[-1].from_status is S.NOT_VALIDATABLE


# --- The agent's claims ----------------------------------------------------------------------


def test_another_agents_claim_is_not_found(session, people):
    teacher, external = people
    theirs = claim_of(session, external, 52525)
    with pytest.raises(NotFound):
        workflow.agent_claim(session, teacher.id, theirs.id)
    with pytest.raises(NotFound):
        workflow.agent_claim(session, teacher.id, 999_999)
    mine = claim_of(session, teacher, 52525)
    assert workflow.agent_claim(session, teacher.id, mine.id).id == mine.id


def test_the_list_hides_claims_whose_mission_ended_more_than_four_years_ago(session, teacher):
    oldest = claim_of(session, teacher, 77742)  # the teacher's earliest mission (D-120)
    ended = lifecycle.mission_days(oldest)[1]
    mine = workflow.agent_claims(session, teacher.id, after(oldest))
    assert {claim.assignment.agent_id for claim in mine} == {teacher.id}
    every = {claim.id for claim in mine}
    all_of_teacher = session.scalars(
        select(ExpenseClaim.id)
        .join(ExpenseClaim.assignment)
        .where(Assignment.agent_id == teacher.id)
    )
    assert every == set(all_of_teacher)
    assert min(lifecycle.mission_days(claim)[1] for claim in mine) == ended

    four_years_after = ended.replace(year=ended.year + 4)
    listed = {c.id for c in workflow.agent_claims(session, teacher.id, four_years_after)}
    assert listed == every  # exactly four years: still listed
    listed = {c.id for c in workflow.agent_claims(session, teacher.id, four_years_after + DAY)}
    assert listed == every - {oldest.id}
