"""Values no real claim has (issue 12, robustness): one decimal parser for every amount
and distance of the portal (no exponent, NaN, Infinity, 3rd decimal or absurd
magnitude), caps per mission type on copies, candidates and hours (for the agent and
for the manager entering on the agent's behalf), and a warning on 0 copies /
0 candidates."""

import datetime as dt
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.services.claims import entry as claim_entry
from app.services.claims import forms, lifecycle, processing, workflow
from app.services.claims.entry import EntryErrors
from app.services.common import numbers
from app.services.common.fields import first_errors
from models import Agent, Manager, MissionType
from models.enums import ClaimStatus, FeeEntryFamily

from .test_claim_workflow import (
    add_claim,
    after,
    claim_of,
    deposit_pay_pieces,
    leg_errors,
    reloaded,
    started,
)

D = Decimal


@pytest.fixture
def teacher(demo, session):
    return session.scalar(select(Agent).where(Agent.numen == "35E0000001MPC"))


@pytest.fixture
def travel_claim(session, teacher):
    claim = started(session, claim_of(session, teacher, 52525))
    claim_entry.save_fee(session, claim, {"candidates": "10"}, today=after(claim))
    return claim


def plain(message) -> str:
    """The French message with its non-breaking spaces as plain spaces."""
    return str(message).replace("\u202f", " ").replace("\u00a0", " ")


HOSTILE = [
    "1e3",
    "1E3",
    "1e-2",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "0x10",
    "1_000",
    "١٢",  # Arabic-Indic digits: Decimal() reads them, a French user never types them
    "12,5,0",
    "+-3",
]


# --- One parser ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("12,50", "12.50"),
        ("12.5", "12.5"),
        ("1 234,5", "1234.5"),
        ("\u00a07", "7"),
        ("1\u202f000", "1000"),
        (",5", "0.5"),
        ("0", "0"),
    ],
)
def test_the_parser_reads_what_a_french_user_types(raw, value, app_ctx):
    assert numbers.parse_decimal(raw, maximum=D("5000")) == D(value)


@pytest.mark.parametrize("raw", HOSTILE)
def test_the_parser_refuses_exponents_nan_infinity_and_foreign_notations(raw, app_ctx):
    with pytest.raises(numbers.NumberError) as error:
        numbers.parse_decimal(raw, maximum=D("5000"))
    assert str(error.value.message) == "Saisissez un montant, par exemple 12,50."


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1,234", "2 décimales au plus."),
        ("5000,01", "Saisissez un nombre compris entre 0 et 5 000."),
        ("-1", "Saisissez un nombre compris entre 0 et 5 000."),
        ("9" * 40, "Saisissez un nombre compris entre 0 et 5 000."),
    ],
)
def test_the_parser_refuses_a_third_decimal_and_absurd_magnitudes(raw, message, app_ctx):
    with pytest.raises(numbers.NumberError) as error:
        numbers.parse_decimal(raw, maximum=D("5000"))
    assert plain(error.value.message) == message


def test_an_empty_value_is_none(app_ctx):
    assert numbers.parse_decimal("  ", maximum=D("10")) is None


@pytest.mark.parametrize("raw", ["1e3", "1E2", "NaN", "Infinity", "12,345", "100000"])
def test_the_managers_sncf_fare_and_fee_amount_refuse_values_no_ticket_has(raw, app_ctx):
    assert list(first_errors(forms.bind(forms.FeeAmountForm, {"amount": raw}))) == ["amount"]
    assert list(first_errors(forms.bind(forms.FareForm, {"fare": raw}))) == ["fare"]


def test_a_fare_above_the_cap_names_it(app_ctx):
    errors = first_errors(forms.bind(forms.FareForm, {"fare": "1600"}))
    assert plain(errors["fare"]) == "Saisissez un nombre compris entre 0 et 1 500."


@pytest.mark.parametrize("field", ["km_one_way", "misc_amount"])
@pytest.mark.parametrize("raw", ["1e3", "1E2", "NaN", "Infinity", "1e-1"])
def test_kilometres_and_misc_expenses_refuse_exponents(session, travel_claim, field, raw):
    errors = leg_errors(session, travel_claim, **{field: raw, "misc_comment": "Péage"})
    assert str(errors[field]) == "Saisissez un montant, par exemple 12,50."


# --- Caps per mission type ------------------------------------------------------------------


def test_mission_types_have_sensible_caps_by_default(session, teacher):
    corr = session.scalar(select(MissionType).where(MissionType.code == "CORR"))
    assert (corr.max_copies, corr.max_candidates, corr.max_hours) == (300, 120, 60)


def test_five_thousand_copies_are_refused_naming_the_cap(session, teacher):
    claim = started(session, claim_of(session, teacher, 77642))
    with pytest.raises(EntryErrors) as error:
        claim_entry.save_fee(session, claim, {"copies": "5000"}, today=after(claim))
    assert str(error.value.errors["copies"]) == (
        "300 copies au plus pour ce type de mission (CORRECTION A DOMICILE)."
    )
    assert reloaded(session, claim).fee_entries == []
    claim = reloaded(session, claim)
    claim_entry.save_fee(session, claim, {"copies": "300"}, today=after(claim))
    assert [e.copies for e in reloaded(session, claim).fee_entries] == [300]


def test_the_cap_is_editable_per_mission_type(session, teacher):
    claim = started(session, claim_of(session, teacher, 77642))
    claim.assignment.mission.mission_type.max_copies = 40
    session.commit()
    with pytest.raises(EntryErrors) as error:
        claim_entry.save_fee(session, claim, {"copies": "41"}, today=after(claim))
    assert str(error.value.errors["copies"]).startswith("40 copies au plus")


def test_candidates_above_the_cap_are_refused_in_total_and_per_date(session, teacher):
    claim = started(session, claim_of(session, teacher, 52525))
    with pytest.raises(EntryErrors) as error:
        claim_entry.save_fee(session, claim, {"candidates": "121"}, today=after(claim))
    assert str(error.value.errors["candidates"]).startswith("120 candidats au plus")
    first, last = lifecycle.mission_days(claim)
    values = {f"morning-{first.isoformat()}": "70", f"afternoon-{last.isoformat()}": "70"}
    with pytest.raises(EntryErrors) as error:
        claim_entry.save_fee(session, reloaded(session, claim), values, today=after(claim))
    assert str(error.value.errors["candidates"]).startswith("120 candidats au plus")


def test_hours_above_the_cap_are_refused(session, teacher):
    duration = session.scalar(
        select(MissionType).where(MissionType.fee_family == FeeEntryFamily.DURATION)
    )
    day = dt.date.today() - dt.timedelta(days=10)
    claim = started(session, add_claim(session, teacher, duration, [day], number=990777))
    with pytest.raises(EntryErrors) as error:
        claim_entry.save_fee(session, claim, {"hours": "61"}, today=after(claim))
    assert str(error.value.errors["hours"]).startswith("60 heures au plus")
    with pytest.raises(EntryErrors):
        claim_entry.save_fee(
            session, reloaded(session, claim), {"hours": "60", "minutes": "30"}, today=after(claim)
        )
    claim_entry.save_fee(session, reloaded(session, claim), {"hours": "60"}, today=after(claim))


def test_the_manager_entering_on_the_agents_behalf_meets_the_same_cap(session, teacher):
    manager = session.scalar(select(Manager.user_id).where(Manager.code == "DEC2-GUILLOU"))
    claim = claim_of(session, teacher, 86373)
    with pytest.raises(EntryErrors) as error:
        processing.enter_fee(session, claim, {"copies": "5000"}, by_user_id=manager)
    session.rollback()
    assert str(error.value.errors["copies"]).startswith("300 copies au plus")
    assert reloaded(session, claim).fee_amount is None


# --- Zero copies / candidates ---------------------------------------------------------------


def test_zero_copies_are_saved_with_a_warning(session, teacher):
    claim = started(session, claim_of(session, teacher, 77642))
    claim_entry.save_fee(session, claim, {"copies": "0"}, today=after(claim))
    claim = reloaded(session, claim)
    assert [e.copies for e in claim.fee_entries] == [0]
    with force_locale("fr"):
        assert [str(w) for w in claim_entry.fee_warnings(claim)] == [
            "0 copie : aucune rémunération ne sera calculée. Vérifiez le nombre de copies "
            "corrigées."
        ]


def test_zero_candidates_are_saved_with_a_warning(session, teacher):
    claim = started(session, claim_of(session, teacher, 52525))
    claim_entry.save_fee(session, claim, {"candidates": "0"}, today=after(claim))
    claim = reloaded(session, claim)
    assert [str(w) for w in claim_entry.fee_warnings(claim)] == [
        "0 candidat : aucune rémunération ne sera calculée. Vérifiez le nombre de candidats "
        "interrogés."
    ]
    claim_entry.save_fee(session, claim, {"candidates": "4"}, today=after(claim))
    assert claim_entry.fee_warnings(reloaded(session, claim)) == []


def test_validating_zero_copies_needs_a_confirmation(session, teacher, tmp_path):
    claim = started(session, claim_of(session, teacher, 77642))
    claim_entry.save_fee(session, claim, {"copies": "0"}, today=after(claim))
    claim = reloaded(session, claim)
    deposit_pay_pieces(session, claim, tmp_path)
    with pytest.raises(workflow.ZeroFeeNotConfirmed) as error:
        workflow.validate(session, claim, by_user_id=None, today=after(claim))
    assert "0 copie" in str(error.value.message)
    claim = reloaded(session, claim)
    assert claim.fee_status is ClaimStatus.NOT_VALIDATED and claim.number is None
    workflow.validate(session, claim, by_user_id=None, today=after(claim), zero_confirmed=True)
    claim = reloaded(session, claim)
    assert claim.fee_status is ClaimStatus.VALIDATED and claim.fee_amount == D("0.00")


def test_both_claim_pages_carry_the_zero_warning(session, teacher):
    """The warning comes from the services' page (``claim_page``), for the agent's
    fee tab and Récapitulatif, and for the manager's detail of the fee."""
    from app.services.claims import page as claim_page

    claim = started(session, claim_of(session, teacher, 77642))
    claim_entry.save_fee(session, claim, {"copies": "0"}, today=after(claim))
    claim = reloaded(session, claim)
    with force_locale("fr"):
        agent = claim_page.agent_page(session, claim, after(claim))
        manager = claim_page.manager_page(session, claim, after(claim))
        assert [str(w) for w in agent.fee_warnings] == [
            "0 copie : aucune rémunération ne sera calculée. Vérifiez le nombre de copies "
            "corrigées."
        ]
        assert [str(w) for w in manager.fee_warnings] == [str(w) for w in agent.fee_warnings]
    claim_entry.save_fee(session, claim, {"copies": "12"}, today=after(claim))
    assert claim_page.agent_page(session, reloaded(session, claim), after(claim)).fee_warnings == []
