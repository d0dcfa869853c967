"""Amounts of an expense claim: the fee of each family, meals, nights, kilometre
allowances band by band, the SNCF fare, the barème valid on the mission date and the
kilometres already driven in the year. Every figure is a Decimal."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.services.claims import amounts, bareme, lifecycle
from models import (
    Academy,
    Agent,
    Assignment,
    Establishment,
    ExamSession,
    ExpenseClaim,
    FeeEntry,
    Mission,
    MissionSlot,
    MissionType,
    Paper,
    RateLine,
    RateTable,
    TravelLeg,
)
from models.enums import (
    ClaimPart,
    ClaimStatus,
    FeeEntryFamily,
    LodgingZone,
    RateKind,
    SlotDuration,
    TransportMode,
)

D = Decimal
F = FeeEntryFamily
M = TransportMode

RATES_2022 = {
    **{
        (RateKind.FEE_PER_COPY, str(group)): D(amount)
        for group, amount in enumerate(("0.75", "1.10", "1.73", "2.47", "5.00"), 1)
    },
    **{
        (RateKind.FEE_PER_HOUR, str(group)): D(amount)
        for group, amount in enumerate(("4.11", "5.49", "9.60", "13.72"), 1)
    },
    (RateKind.MEAL, "standard"): D("20.00"),
    (RateKind.MEAL, "administratif"): D("10.00"),
    (RateKind.NIGHT, "standard"): D("90.00"),
    (RateKind.NIGHT, "grande_ville"): D("120.00"),
    (RateKind.NIGHT, "paris"): D("140.00"),
    (RateKind.KILOMETRE, "5CV:0-2000"): D("0.32"),
    (RateKind.KILOMETRE, "5CV:2001-10000"): D("0.40"),
    (RateKind.KILOMETRE, "5CV:10001-"): D("0.23"),
    (RateKind.KILOMETRE, "6-7CV:0-2000"): D("0.41"),
    (RateKind.KILOMETRE, "6-7CV:2001-10000"): D("0.50"),
    (RateKind.KILOMETRE, "6-7CV:10001-"): D("0.29"),
    (RateKind.KILOMETRE, "8CV:0-2000"): D("0.45"),
    (RateKind.KILOMETRE, "8CV:2001-10000"): D("0.55"),
    (RateKind.KILOMETRE, "8CV:10001-"): D("0.32"),
}
RATES = bareme.Rates(None, RATES_2022)


# --- Transient claims (no database) -------------------------------------------------------


def make_claim(
    family=F.COPIES,
    *,
    copy_group=5,
    hour_group=3,
    minutes_per_candidate=None,
    with_paper=True,
    zone=LodgingZone.STANDARD,
    with_centre=True,
    power=5,
    entries=(),
    legs=(),
):
    paper = (
        Paper(
            code="P",
            name="P",
            copy_rate_group=copy_group,
            hour_rate_group=hour_group,
            minutes_per_candidate=minutes_per_candidate,
        )
        if with_paper
        else None
    )
    centre = (
        Establishment(name="C", town="PONTIVY", postcode="56300", lodging_zone=zone)
        if with_centre
        else None
    )
    mission = Mission(
        number=1,
        mission_type=MissionType(code="T", name="T", fee_family=family),
        paper=paper,
        centre=centre,
    )
    agent = Agent(last_name="LECLERC", first_name="Claire", car_fiscal_power=power)
    claim = ExpenseClaim(
        fee_status=ClaimStatus.NOT_VALIDATED, travel_status=ClaimStatus.NOT_VALIDATED
    )
    claim.assignment = Assignment(agent=agent, mission=mission)
    claim.fee_entries = list(entries)
    claim.travel_legs = list(legs)
    return claim


def leg(mode=M.CAR, km=None, trips=None, **values):
    counts = dict.fromkeys(
        (
            "lunches_refund",
            "lunches_administrative",
            "lunches_free",
            "dinners_refund",
            "dinners_free",
            "nights_refund",
            "nights_free",
        ),
        0,
    )
    counts.update(values)
    return TravelLeg(
        position=1,
        departure_town="THOURIE",
        arrival_town="PONTIVY",
        transport_mode=mode,
        km_one_way=None if km is None else D(str(km)),
        trips=trips,
        **counts,
    )


def fee(claim):
    return amounts.fee_amount(claim, RATES)


def travel(claim, km_before=D(0)):
    return amounts.travel_amount(claim, RATES, km_before=km_before)


# --- Fees ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "rate", "amount"),
    [
        (1, "0.75", "10.50"),
        (2, "1.10", "15.40"),
        (3, "1.73", "24.22"),
        (4, "2.47", "34.58"),
        (5, "5.00", "70.00"),
    ],
)
def test_copies_are_paid_at_the_rate_of_the_paper_copy_group(group, rate, amount):
    result = fee(make_claim(F.COPIES, copy_group=group, entries=[FeeEntry(copies=14)]))
    assert (result.copies, result.rate, result.amount) == (14, D(rate), D(amount))
    assert isinstance(result.amount, Decimal)


def test_automatic_copies_of_the_correction_system_are_counted_like_copies():
    entries = [FeeEntry(copies=100, from_correction_system=True), FeeEntry(copies=12)]
    result = fee(make_claim(F.AUTOMATIC, copy_group=5, entries=entries))
    assert (result.copies, result.amount) == (112, D("560.00"))


@pytest.mark.parametrize(("group", "rate"), [(1, "4.11"), (2, "5.49"), (3, "9.60"), (4, "13.72")])
def test_one_hour_is_paid_at_the_rate_of_the_paper_hour_group(group, rate):
    result = fee(make_claim(F.DURATION, hour_group=group, entries=[FeeEntry(hours=1, minutes=0)]))
    assert (result.minutes, result.rate, result.amount) == (60, D(rate), D(rate))


def test_duration_of_twelve_hours_thirty_at_group_3_is_120_euros():
    result = fee(make_claim(F.DURATION, hour_group=3, entries=[FeeEntry(hours=12, minutes=30)]))
    assert result.minutes == 750
    assert result.hours == D("12.50")
    assert result.amount == D("120.00")


def test_half_day_times_add_the_morning_and_the_afternoon():
    entry = FeeEntry(
        day=dt.date(2025, 6, 2),
        morning_start=dt.time(8, 0),
        morning_end=dt.time(12, 0),
        afternoon_start=dt.time(13, 30),
        afternoon_end=dt.time(17, 0),
    )
    assert amounts.entry_minutes(entry) == 450
    result = fee(make_claim(F.HALF_DAY_TIMES, hour_group=3, entries=[entry]))
    assert result.hours == D("7.50")
    assert result.amount == D("72.00")  # 7.5 h x 9.60


def test_half_day_times_of_several_dates_and_a_morning_only():
    entries = [
        FeeEntry(
            day=dt.date(2025, 6, 2),
            morning_start=dt.time(8, 0),
            morning_end=dt.time(12, 0),
            afternoon_start=dt.time(13, 30),
            afternoon_end=dt.time(17, 0),
        ),
        FeeEntry(day=dt.date(2025, 6, 3), morning_start=dt.time(8, 0), morning_end=dt.time(10, 30)),
    ]
    result = fee(make_claim(F.HALF_DAY_TIMES, hour_group=1, entries=entries))
    assert result.minutes == 600
    assert result.amount == D("41.10")  # 10 h x 4.11


def test_candidates_use_the_oral_length_of_the_paper():
    claim = make_claim(
        F.CANDIDATES, hour_group=3, minutes_per_candidate=20, entries=[FeeEntry(candidates=9)]
    )
    result = fee(claim)
    assert (result.candidates, result.minutes) == (9, 180)
    assert result.amount == D("28.80")  # 3 h x 9.60


def test_candidates_default_to_thirty_minutes_when_the_paper_does_not_say():
    claim = make_claim(
        F.CANDIDATES, hour_group=3, minutes_per_candidate=None, entries=[FeeEntry(candidates=10)]
    )
    result = fee(claim)
    assert bareme.DEFAULT_MINUTES_PER_CANDIDATE == 30
    assert result.minutes == 300
    assert result.amount == D("48.00")  # 5 h x 9.60


def test_candidates_per_date_add_mornings_and_afternoons():
    entries = [
        FeeEntry(day=dt.date(2025, 6, 2), candidates_morning=4, candidates_afternoon=3),
        FeeEntry(day=dt.date(2025, 6, 3), candidates_morning=5, candidates_afternoon=0),
    ]
    result = fee(make_claim(F.CANDIDATES, hour_group=2, minutes_per_candidate=30, entries=entries))
    assert result.candidates == 12
    assert result.amount == D("32.94")  # 6 h x 5.49


def test_half_up_rounding_to_the_cent():
    assert bareme.money(D("0.125")) == D("0.13")
    assert bareme.money(D("0.685")) == D("0.69")
    # 10 minutes at 4.11 €/h = 0.685 €: half up (not half even) gives 0.69.
    result = fee(make_claim(F.DURATION, hour_group=1, entries=[FeeEntry(hours=0, minutes=10)]))
    assert result.amount == D("0.69")


def test_no_paper_or_no_rate_group_gives_no_amount():
    assert fee(make_claim(F.COPIES, with_paper=False, entries=[FeeEntry(copies=14)])).amount is None
    no_group = make_claim(F.DURATION, hour_group=None, entries=[FeeEntry(hours=2, minutes=0)])
    assert fee(no_group).amount is None
    assert (
        amounts.fee_amount(
            make_claim(F.COPIES, entries=[FeeEntry(copies=14)]), bareme.Rates(None, {})
        ).amount
        is None
    )


def test_a_fee_of_family_none_is_priced_by_the_manager():
    result = fee(make_claim(F.NONE))
    assert (result.rate, result.amount) == (None, None)


# --- Meals and nights ------------------------------------------------------------------------


def test_meals_are_20_euros_and_an_administrative_lunch_10():
    result = travel(
        make_claim(
            legs=[leg(M.PASSENGER, lunches_refund=2, dinners_refund=1, lunches_administrative=1)]
        )
    )
    assert result.legs[0].meals == D("70.00")  # 3 x 20 + 1 x 10


def test_free_meals_and_free_nights_are_not_paid():
    result = travel(
        make_claim(legs=[leg(M.PASSENGER, lunches_free=2, dinners_free=1, nights_free=1)])
    )
    assert (result.legs[0].meals, result.legs[0].nights, result.total) == (
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )


@pytest.mark.parametrize(
    ("zone", "amount"),
    [
        (LodgingZone.STANDARD, "180.00"),
        (LodgingZone.LARGE_CITY, "240.00"),
        (LodgingZone.PARIS, "280.00"),
    ],
)
def test_nights_follow_the_lodging_zone_of_the_mission_centre(zone, amount):
    result = travel(make_claim(zone=zone, legs=[leg(M.PASSENGER, nights_refund=2)]))
    assert result.legs[0].nights == D(amount)


def test_a_mission_without_centre_pays_nights_at_the_standard_rate():
    result = travel(make_claim(with_centre=False, legs=[leg(M.PASSENGER, nights_refund=1)]))
    assert result.legs[0].nights == D("90.00")


# --- Kilometres ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("power", "first", "second", "third"),
    [
        (3, "0.32", "0.40", "0.23"),
        (5, "0.32", "0.40", "0.23"),
        (6, "0.41", "0.50", "0.29"),
        (7, "0.41", "0.50", "0.29"),
        (8, "0.45", "0.55", "0.32"),
        (11, "0.45", "0.55", "0.32"),
    ],
)
def test_kilometre_bands_of_each_fiscal_power_class(power, first, second, third):
    assert RATES.kilometre_bands(power) == [
        (0, 2000, D(first)),
        (2001, 10000, D(second)),
        (10001, None, D(third)),
    ]
    # 100 km in each band of the year.
    for km_before, rate in ((0, first), (5000, second), (20000, third)):
        result = travel(make_claim(power=power, legs=[leg(km=50, trips=2)]), D(km_before))
        assert result.legs[0].transport == bareme.money(100 * D(rate))


@pytest.mark.parametrize(
    ("power", "km_before", "km", "expected"),
    [
        (5, 1990, 20, "7.20"),  # 10 x 0.32 + 10 x 0.40
        (5, 9990, 20, "6.30"),  # 10 x 0.40 + 10 x 0.23
        (6, 1990, 20, "9.10"),  # 10 x 0.41 + 10 x 0.50
        (8, 1990, 20, "10.00"),  # 10 x 0.45 + 10 x 0.55
        (5, 0, 2000, "640.00"),  # the whole first band
        (5, 2000, 1, "0.40"),  # the 2001st kilometre
        (5, 0, 12000, "4300.00"),  # 2000 x 0.32 + 8000 x 0.40 + 2000 x 0.23
    ],
)
def test_kilometres_are_paid_band_by_band_over_the_year(power, km_before, km, expected):
    bands = RATES.kilometre_bands(power)
    assert amounts.kilometre_allowance(bands, D(km), D(km_before)) == D(expected)
    result = travel(make_claim(power=power, legs=[leg(km=km, trips=1)]), D(km_before))
    assert result.legs[0].transport == D(expected)
    assert result.legs[0].kilometres == D(km)


def test_kilometres_are_one_way_times_trips():
    result = travel(make_claim(power=5, legs=[leg(km="45.5", trips=2)]))
    assert result.legs[0].kilometres == D("91.0")
    assert result.legs[0].transport == D("29.12")  # 91 x 0.32


def test_the_legs_of_a_claim_follow_each_other_in_the_yearly_bands():
    first, second = leg(km=50, trips=1), leg(km=50, trips=1)
    second.position = 2
    result = travel(make_claim(power=5, legs=[first, second]), D(1950))
    assert [item.transport for item in result.legs] == [D("16.00"), D("20.00")]
    assert result.total == D("36.00")


def test_an_unknown_fiscal_power_uses_the_lowest_class():
    unknown = travel(make_claim(power=None, legs=[leg(km=100, trips=1)]))
    assert unknown.assumed_power is True
    assert unknown.legs[0].transport == D("32.00")
    known = travel(make_claim(power=8, legs=[leg(km=100, trips=1)]))
    assert known.assumed_power is False
    assert known.legs[0].transport == D("45.00")


def test_the_sncf_fare_replaces_the_kilometre_allowance():
    car = leg(km=100, trips=2, sncf_fare=D("48.30"))
    result = travel(make_claim(power=8, legs=[car]))
    assert result.legs[0].transport == D("48.30")
    assert result.legs[0].kilometres == D(0)
    assert result.legs[0].fare_pending is False


def test_kilometres_paid_at_the_sncf_fare_do_not_move_the_yearly_band():
    """Consistent with ``kilometres_before``, which leaves out legs paid at the SNCF
    fare: only kilometres paid as allowances fill the yearly bands."""
    paid_by_fare = leg(km=100, trips=1, sncf_fare=D("30.00"))
    driven = leg(km=20, trips=1)
    driven.position = 2
    result = travel(make_claim(power=5, legs=[paid_by_fare, driven]), D(1990))
    assert result.legs[1].transport == D("7.20")  # 10 x 0.32 + 10 x 0.40
    assert result.total == D("37.20")


@pytest.mark.parametrize("mode", [M.TRAIN, M.PUBLIC_TRANSPORT, M.TRAVEL_VOUCHER])
def test_a_fare_the_manager_has_not_entered_is_pending(mode):
    pending = travel(make_claim(legs=[leg(mode, lunches_refund=1)]))
    assert pending.fare_pending is True
    assert pending.legs[0].transport == D("0.00")
    assert pending.total == D("20.00")
    priced = travel(make_claim(legs=[leg(mode, sncf_fare=D("35.60"))]))
    assert priced.fare_pending is False
    assert priced.legs[0].transport == D("35.60")


def test_a_passenger_pays_no_transport_and_waits_for_no_fare():
    result = travel(make_claim(legs=[leg(M.PASSENGER)]))
    assert (result.fare_pending, result.legs[0].transport) == (False, D("0.00"))


@pytest.mark.parametrize(
    ("mode", "misc"),
    [
        (M.CAR, "12.50"),
        (M.TRAVEL_VOUCHER, "12.50"),
        (M.TRAIN, "0.00"),
        (M.PUBLIC_TRANSPORT, "0.00"),
        (M.PASSENGER, "0.00"),
    ],
)
def test_misc_expenses_count_only_for_car_and_travel_voucher(mode, misc):
    km = {"km": 10, "trips": 1} if mode is M.CAR else {}
    result = travel(make_claim(legs=[leg(mode, misc_amount=D("12.50"), **km)]))
    assert result.legs[0].misc == D(misc)


def test_the_total_adds_transport_misc_meals_and_nights_of_every_leg():
    first = leg(km=100, trips=2, misc_amount=D("6.40"), lunches_refund=1, nights_refund=1)
    second = leg(M.TRAIN, dinners_refund=1, sncf_fare=D("25.10"))
    second.position = 2
    result = travel(make_claim(power=5, zone=LodgingZone.LARGE_CITY, legs=[first, second]))
    # 200 x 0.32 + 6.40 + 20 + 120 ; 25.10 + 20
    assert [item.total for item in result.legs] == [D("210.40"), D("45.10")]
    assert result.total == D("255.50")


def test_every_amount_is_a_decimal_never_a_float():
    claim = make_claim(
        F.CANDIDATES,
        entries=[FeeEntry(candidates=7)],
        legs=[
            leg(km="33.3", trips=3, misc_amount=D("4.20"), lunches_refund=1, nights_refund=1),
            leg(M.TRAIN, sncf_fare=D("12.00"), lunches_administrative=1),
        ],
    )
    fee_result, travel_result = fee(claim), travel(claim, D("1999.5"))
    values = [fee_result.rate, fee_result.amount, fee_result.hours, travel_result.total]
    for item in travel_result.legs:
        values += [item.kilometres, item.transport, item.misc, item.meals, item.nights, item.total]
    assert all(isinstance(value, Decimal) for value in values), values
    assert not any(isinstance(value, float) for value in values)


# --- With the database: the barème of the mission date, the kilometres of the year --------


def find(session, model, **lookup):
    return session.scalar(select(model).filter_by(**lookup))


def rennes_id(session) -> int:
    return find(session, Academy, code="RENNES").id


def add_claim(session, agent, days, *, number, type_code="ORAUXPRO", centre="LGT JOSEPH LOTH"):
    """A mission of the demo académie on ``days`` (09:00 each), ``agent`` convoked."""
    mission_type = find(session, MissionType, code=type_code)
    mission = Mission(
        academy=find(session, Academy, code="RENNES"),
        number=number,
        mission_type=mission_type,
        session=session.scalars(select(ExamSession)).first(),
        paper=find(session, Paper, code="E4-A"),
        centre=find(session, Establishment, name=centre),
    )
    mission.slots = [
        MissionSlot(day=day, start_time=dt.time(9, 0), duration=SlotDuration.DAY) for day in days
    ]
    assignment = Assignment(mission=mission, agent=agent)
    assignment.claim = lifecycle.new_claim(mission_type)
    session.add(assignment)
    session.commit()
    return assignment.claim


def add_leg(session, claim, mode=M.CAR, km=None, trips=None, **values):
    item = leg(mode, km, trips, **values)
    item.position = len(claim.travel_legs) + 1
    claim.travel_legs.append(item)
    session.commit()
    return item


@pytest.fixture
def people(demo, session):
    teacher = find(session, Agent, numen="35E0000001MPC")
    external = find(session, Agent, external_id="EXT35000123")
    return teacher, external


def test_the_demo_bareme_holds_the_figures_of_the_texts(people, session):
    rates = bareme.rates_for(session, dt.date(2025, 6, 1), academy_id=rennes_id(session))
    assert rates.table.name == "Barème des jurys et déplacements 2022"
    assert rates.lines == RATES_2022
    assert all(isinstance(value, Decimal) for value in rates.lines.values())


def test_no_bareme_before_the_first_one_or_without_a_date(people, session):
    before = bareme.rates_for(session, dt.date(2022, 3, 13), academy_id=rennes_id(session))
    assert (before.table, before.lines) == (None, {})
    assert (
        bareme.rates_for(session, dt.date(2022, 3, 14), academy_id=rennes_id(session)).table
        is not None
    )
    assert bareme.rates_for(session, None, academy_id=rennes_id(session)).lines == {}


def test_the_bareme_valid_on_the_mission_date_is_used(people, session):
    teacher, _external = people
    newer = RateTable(
        academy_id=rennes_id(session), name="Barème 2030", valid_from=dt.date(2030, 1, 1)
    )
    newer.lines = [
        RateLine(kind=RateKind.FEE_PER_HOUR, key="3", amount=D("12.00")),
        RateLine(kind=RateKind.KILOMETRE, key="5CV:0-2000", amount=D("0.50")),
        RateLine(kind=RateKind.MEAL, key="standard", amount=D("25.00")),
    ]
    session.add(newer)
    session.commit()
    assert bareme.rates_for(
        session, dt.date(2029, 12, 31), academy_id=rennes_id(session)
    ).table.name.endswith("2022")
    assert (
        bareme.rates_for(session, dt.date(2030, 1, 1), academy_id=rennes_id(session)).table.name
        == "Barème 2030"
    )

    amounts_by_year = {}
    for year, number in ((2029, 990001), (2031, 990002)):
        claim = add_claim(session, teacher, [dt.date(year, 6, 3)], number=number)
        claim.fee_entries.append(FeeEntry(candidates=10))  # 5 hours at group 3
        add_leg(session, claim, km=50, trips=2, lunches_refund=1)
        result = amounts.compute(session, claim)
        amounts_by_year[year] = (result.fee.amount, result.travel.total)
    assert amounts_by_year[2029] == (D("48.00"), D("52.00"))  # 5 x 9.60 ; 100 x 0.32 + 20
    assert amounts_by_year[2031] == (D("60.00"), D("75.00"))  # 5 x 12.00 ; 100 x 0.50 + 25


def test_a_closed_bareme_is_not_used_after_its_end(people, session):
    table = RateTable(
        academy_id=rennes_id(session),
        name="Barème transitoire",
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2024, 6, 30),
    )
    table.lines = [RateLine(kind=RateKind.MEAL, key="standard", amount=D("17.50"))]
    session.add(table)
    session.commit()
    assert (
        bareme.rates_for(session, dt.date(2024, 6, 30), academy_id=rennes_id(session)).table.name
        == "Barème transitoire"
    )
    assert bareme.rates_for(
        session, dt.date(2024, 7, 1), academy_id=rennes_id(session)
    ).table.name.endswith("2022")


def test_kilometres_before_sums_the_earlier_car_kilometres_of_the_year(people, session):
    teacher, external = people
    day = dt.date(2025, 4, 10)
    target = add_claim(session, teacher, [day], number=990100)
    add_leg(session, target, km=10, trips=2)

    counted = add_claim(session, teacher, [dt.date(2025, 1, 15)], number=990101)
    add_leg(session, counted, km=100, trips=2)
    add_leg(session, counted, km="12.3", trips=2)
    # A train leg, and a car leg paid at the SNCF fare: not kilometre allowances.
    other_modes = add_claim(session, teacher, [dt.date(2025, 2, 20)], number=990102)
    add_leg(session, other_modes, M.TRAIN)
    add_leg(session, other_modes, km=80, trips=2, sncf_fare=D("40.00"))
    # A cancelled claim.
    cancelled = add_claim(session, teacher, [dt.date(2025, 3, 1)], number=990103)
    add_leg(session, cancelled, km=300, trips=2)
    lifecycle.transition(cancelled, ClaimPart.FEE, ClaimStatus.CANCELLED, by_user_id=None)
    lifecycle.transition(cancelled, ClaimPart.TRAVEL, ClaimStatus.CANCELLED, by_user_id=None)
    # The previous year, a later mission, another agent.
    last_year = add_claim(session, teacher, [dt.date(2024, 12, 20)], number=990104)
    add_leg(session, last_year, km=500, trips=2)
    later = add_claim(session, teacher, [dt.date(2025, 5, 2)], number=990105)
    add_leg(session, later, km=700, trips=2)
    colleague = add_claim(session, external, [dt.date(2025, 2, 1)], number=990106)
    add_leg(session, colleague, km=900, trips=2)
    session.commit()

    before = amounts.kilometres_before(session, target)
    assert before == D("224.6")  # 100 x 2 + 12.3 x 2
    assert isinstance(before, Decimal)
    assert amounts.kilometres_before(session, later) == D("244.6")  # + the target's 20 km
    assert amounts.kilometres_before(session, last_year) == D(0)


def test_the_kilometres_of_the_year_decide_the_band_of_the_claim(people, session):
    teacher, _external = people
    earlier = add_claim(session, teacher, [dt.date(2025, 3, 3)], number=990200)
    add_leg(session, earlier, km=995, trips=2)  # 1990 km
    same_day_first = add_claim(session, teacher, [dt.date(2025, 3, 20)], number=990201)
    target = add_claim(session, teacher, [dt.date(2025, 3, 20)], number=990202)
    add_leg(session, target, km=20, trips=1)
    assert amounts.kilometres_before(session, target) == D("1990")
    add_leg(session, same_day_first, km=5, trips=1)  # the same day, created first: counted
    assert amounts.kilometres_before(session, target) == D("1995")
    assert amounts.kilometres_before(session, same_day_first) == D("1990")
    result = amounts.compute(session, target)
    assert result.travel.legs[0].transport == D("7.60")  # 5 x 0.32 + 15 x 0.40
    assert result.travel.assumed_power is True  # the demo teacher's power is unknown


@pytest.mark.parametrize(
    ("kind", "key", "accepted"),
    [
        (RateKind.FEE_PER_COPY, "3", True),
        (RateKind.FEE_PER_HOUR, "groupe 3", False),
        (RateKind.MEAL, "administratif", True),
        (RateKind.MEAL, "midi", False),
        (RateKind.NIGHT, "grande_ville", True),
        (RateKind.NIGHT, "Paris intra-muros", False),
        (RateKind.KILOMETRE, "6-7CV:2001-10000", True),
        (RateKind.KILOMETRE, "8CV:10001-", True),
        (RateKind.KILOMETRE, "8 CV", False),
    ],
)
def test_rate_keys_are_written_the_way_the_computation_reads_them(kind, key, accepted):
    assert (bareme.rate_key_error(kind, key) is None) is accepted
