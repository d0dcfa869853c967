"""The SANTORIN corrections import on the demo académie: the dry run writes nothing;
applying stores the correction states and fills the claims SANTORIN fills (copies
read-only, amount from the barème, « Traité par le gestionnaire »), grouping one
person's missions of a session and a wave on one claim with the comment of seed 001
§2.6.4.2; idempotence; every refused line; skipping them; a claim sent for payment is
never changed; the REST API's ``apply_records``."""

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.seeds.demo_portal import CORRECTION_STATES
from app.services.claims import bareme, lifecycle
from app.services.interfaces.corrections import correction_state
from app.services.interfaces.imports import base
from app.services.interfaces.imports import corrections as santorin
from models import (
    Agent,
    Assignment,
    ClaimStatusHistory,
    CorrectionState,
    ExpenseClaim,
    Mission,
    MissionSlot,
)
from models.enums import ClaimPart, ClaimStatus, CorrectionStatus, RateKind, SlotDuration
from tests.services.test_dashboard import full_count, summary

HEADER = "numero_mission;identifiant;copies;etat;session;vague"
NUMEN = "35E0000001MPC"  # the demo teacher, convoked to the written test 218280

# What the demo académie's SANTORIN sent already (the access portal's demo).
DEMO_STATES = len(CORRECTION_STATES)


def source(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> base.Source:
    return base.Source("santorin.csv", "\n".join((header, *lines)).encode(encoding))


@pytest.fixture
def teacher(demo, session):
    return session.scalar(select(Agent).where(Agent.numen == NUMEN))


def claim_of(session, agent, number) -> ExpenseClaim:
    return session.scalar(
        select(ExpenseClaim)
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        .where(Assignment.agent_id == agent.id, Mission.number == number)
    )


def copies_of(claim) -> list[tuple[int, str | None]]:
    return [(e.copies, e.comment) for e in claim.fee_entries if e.from_correction_system]


def academy_id(session) -> int:
    return session.scalar(select(Mission.academy_id).where(Mission.number == 218280))


@pytest.fixture
def second_mission(session, teacher):
    """A second written test of the same session, the teacher convoked (the seed's
    example groups 218280 and 218281)."""
    first = session.scalar(select(Mission).where(Mission.number == 218280))
    mission = Mission(
        academy_id=first.academy_id,
        number=218281,
        mission_type=first.mission_type,
        session_id=first.session_id,
        paper_id=first.paper_id,
    )
    mission.slots = [
        MissionSlot(
            day=first.first_day + dt.timedelta(days=1),
            start_time=dt.time(9, 0),
            duration=SlotDuration.DAY,
        )
    ]
    assignment = Assignment(mission=mission, agent=teacher)
    assignment.claim = lifecycle.new_claim(first.mission_type)
    session.add(assignment)
    session.commit()
    return mission


def per_copy(session, number) -> object:
    mission = session.scalar(select(Mission).where(Mission.number == number))
    rates = bareme.rates_of_mission(session, mission)
    return rates.get(RateKind.FEE_PER_COPY, str(mission.paper.copy_rate_group))


def test_the_dry_run_writes_nothing(session, teacher):
    before = copies_of(claim_of(session, teacher, 218280))
    plan = santorin.plan(session, academy_id(session), source(f"218280;{NUMEN};40;A_CORRIGER;;"))
    assert (plan.lines, plan.new.count, plan.changed.count, plan.refused_count) == (1, 1, 0, 0)
    assert plan.new.first[0].key == f"218280 · {NUMEN}"
    assert "40" in plan.new.first[0].detail
    assert any("SANTORIN" in str(note) for note in plan.notes)
    assert not (session.new or session.dirty or session.deleted)
    session.commit()
    assert session.scalar(select(func.count()).select_from(CorrectionState)) == DEMO_STATES
    assert copies_of(claim_of(session, teacher, 218280)) == before


def test_apply_fills_the_claim_with_the_amount_of_the_bareme(session, teacher):
    steps = []
    plan = santorin.apply(
        session,
        academy_id(session),
        source(f"218280;{NUMEN};40;SERVICE_FAIT;juin 2026;1"),
        progress=lambda done, total: steps.append((done, total)),
    )
    session.commit()
    assert plan.new.count == 1
    assert steps[-1] == (2, 2)  # the state, then the claim
    claim = claim_of(session, teacher, 218280)
    assert copies_of(claim) == [(40, None)]
    assert claim.fee_status is ClaimStatus.PROCESSED_BY_MANAGER
    rate = per_copy(session, 218280)
    assert rate is not None
    assert claim.fee_amount == bareme.money(40 * rate)
    state = correction_state(session, [claim.assignment_id])[claim.assignment_id]
    assert (state.copies, state.state, state.session_label, state.wave) == (
        40,
        CorrectionStatus.DONE,
        "juin 2026",
        1,
    )
    assert str(state.state.label) == "Service fait SANTORIN"
    # The dashboard's summary, kept by the database's triggers, still adds up.
    assert summary(claim.assignment.mission.academy_id) == full_count(
        claim.assignment.mission.academy_id
    )


def test_two_missions_of_a_session_and_wave_are_grouped_on_the_lowest(
    session, teacher, second_mission
):
    lines = (
        f"218281;{NUMEN};72;SERVICE_FAIT;juin 2026;1",
        f"218280;{NUMEN};40;A_CORRIGER;juin 2026;1",
    )
    plan = santorin.apply(session, academy_id(session), source(*lines))
    session.commit()
    assert plan.new.count == 2
    first, second = claim_of(session, teacher, 218280), claim_of(session, teacher, 218281)
    ((copies, comment),) = copies_of(first)
    assert copies == 112
    assert "218280 (40 copies)" in comment and "218281 (72 copies)" in comment
    assert "vague 1" in comment and "juin 2026" in comment
    ((copies, comment),) = copies_of(second)
    assert copies == 0
    assert "72" in comment and "218280" in comment
    rate = per_copy(session, 218280)
    assert first.fee_amount == bareme.money(112 * rate)
    assert second.fee_amount == 0
    # SANTORIN sends what changed: the other mission's stored copies stay in the group.
    plan = santorin.apply(
        session, academy_id(session), source(f"218281;{NUMEN};80;SERVICE_FAIT;juin 2026;1")
    )
    session.commit()
    assert (plan.changed.count, plan.missing.count) == (1, 1 + DEMO_STATES)
    assert "72 → 80" in plan.changed.first[0].detail
    assert copies_of(claim_of(session, teacher, 218280))[0][0] == 120
    # Another wave is not grouped.
    santorin.apply(
        session, academy_id(session), source(f"218281;{NUMEN};80;SERVICE_FAIT;juin 2026;2")
    )
    session.commit()
    assert copies_of(claim_of(session, teacher, 218280)) == [(40, None)]
    assert copies_of(claim_of(session, teacher, 218281)) == [(80, None)]
    assert summary(academy_id(session)) == full_count(academy_id(session))


def test_applying_the_same_file_twice_changes_nothing(session, teacher, second_mission):
    data = source(
        f"218280;{NUMEN};40;A_CORRIGER;juin 2026;1", f"218281;{NUMEN};72;A_CORRIGER;juin 2026;1"
    )
    santorin.apply(session, academy_id(session), data)
    session.commit()
    versions = [claim_of(session, teacher, n).version for n in (218280, 218281)]
    history = session.scalar(select(func.count()).select_from(ClaimStatusHistory))
    plan = santorin.apply(session, academy_id(session), data)
    session.commit()
    assert (plan.new.count, plan.changed.count, plan.unchanged.count) == (0, 0, 2)
    assert len(plan.notes) == 1  # no claim to change
    assert [claim_of(session, teacher, n).version for n in (218280, 218281)] == versions
    assert session.scalar(select(func.count()).select_from(ClaimStatusHistory)) == history


def test_every_refused_line_says_where_and_why(session, teacher):
    lines = (
        f"999999;{NUMEN};10;A_CORRIGER;;",  # 2: unknown mission
        f"abc;{NUMEN};10;A_CORRIGER;;",  # 3: not a number
        "218280;35E9999999XXX;10;A_CORRIGER;;",  # 4: unknown person
        "218280;EXT35000123;10;A_CORRIGER;;",  # 5: not convoked to it
        f"77508;{NUMEN};10;A_CORRIGER;;",  # 6: a correction the teacher enters
        f"218280;{NUMEN};-3;A_CORRIGER;;",  # 7
        f"218280;{NUMEN};12,5;A_CORRIGER;;",  # 8
        f"218280;{NUMEN};100000;A_CORRIGER;;",  # 9: over the mission type's maximum
        f"218280;{NUMEN};10;FINI;;",  # 10: unknown state
        f"218280;{NUMEN};10;A_CORRIGER;;x",  # 11: wave
        f"218280;{NUMEN};10;A_CORRIGER;;",  # 12: fine
        f"218280;{NUMEN};12;A_CORRIGER;;",  # 13: the same mission and person again
    )
    plan = santorin.plan(session, academy_id(session), source(*lines))
    got = [(r.line, r.column) for r in plan.refusals]
    assert got == [
        (2, "numero_mission"),
        (3, "numero_mission"),
        (4, "identifiant"),
        (5, "identifiant"),
        (6, "numero_mission"),
        (7, "copies"),
        (8, "copies"),
        (9, "copies"),
        (10, "etat"),
        (11, "vague"),
        (13, "numero_mission"),
    ]
    reasons = {r.line: str(r.reason) for r in plan.refusals}
    assert "mission" in reasons[2] and "académie" in reasons[2]
    assert "SANTORIN" in reasons[6]
    assert "12" in reasons[13]  # the line it repeats
    assert "« FINI »" in str(plan.refusals[8])
    assert plan.new.count == 1
    # All or nothing: the file applies nothing…
    with pytest.raises(base.LinesRefused) as refused:
        santorin.apply(session, academy_id(session), source(*lines))
    assert refused.value.plan.refused_count == 11
    session.rollback()
    assert session.scalar(select(func.count()).select_from(CorrectionState)) == DEMO_STATES
    # … unless the manager skips the refused lines.
    plan = santorin.apply(session, academy_id(session), source(*lines), skip_refused=True)
    session.commit()
    assert plan.new.count == 1
    assert copies_of(claim_of(session, teacher, 218280)) == [(10, None)]


def test_a_claim_sent_for_payment_is_never_changed(session, teacher):
    claim = claim_of(session, teacher, 218280)
    lifecycle.transition(claim, ClaimPart.FEE, ClaimStatus.SENT_FOR_PAYMENT, by_user_id=None)
    session.commit()
    before = copies_of(claim)
    exported_copies = sum(copies for copies, _comment in before)
    plan = santorin.plan(session, academy_id(session), source(f"218280;{NUMEN};40;SERVICE_FAIT;;"))
    assert [(r.line, r.column) for r in plan.refusals] == [(2, "copies")]
    assert "Transmis à la liquidation" in str(plan.refusals[0].reason)
    # The same number of copies: nothing to change, accepted.
    plan = santorin.apply(
        session, academy_id(session), source(f"218280;{NUMEN};{exported_copies};SERVICE_FAIT;;")
    )
    session.commit()
    assert plan.refused_count == 0 and plan.new.count == 1
    claim = claim_of(session, teacher, 218280)
    assert copies_of(claim) == before
    assert claim.fee_status is ClaimStatus.SENT_FOR_PAYMENT


def test_an_accepted_claim_whose_copies_change_is_to_be_accepted_again(session, teacher):
    claim = claim_of(session, teacher, 218280)
    lifecycle.transition(claim, ClaimPart.FEE, ClaimStatus.ACCEPTED, by_user_id=None)
    session.commit()
    santorin.apply(session, academy_id(session), source(f"218280;{NUMEN};41;SERVICE_FAIT;;"))
    session.commit()
    claim = claim_of(session, teacher, 218280)
    assert claim.fee_status is ClaimStatus.PROCESSED_BY_MANAGER
    assert "41" in claim.history[-1].comment
    assert summary(academy_id(session)) == full_count(academy_id(session))


def test_seed_labels_and_windows_1252(session, teacher):
    data = source(
        f"218280;{NUMEN.lower()};7;A numériser dans SANTORIN",
        header="NUMERO_MISSION;Identifiant;copies;etat",
        encoding="cp1252",
    )
    plan = santorin.apply(session, academy_id(session), data)
    session.commit()
    assert plan.refused_count == 0
    claim = claim_of(session, teacher, 218280)
    state = correction_state(session, [claim.assignment_id, 0])
    assert list(state) == [claim.assignment_id]
    assert state[claim.assignment_id].state is CorrectionStatus.TO_DIGITISE
    # The session left empty: the mission's own.
    assert state[claim.assignment_id].session_label == claim.assignment.mission.session.name
    assert state[claim.assignment_id].wave is None


def test_a_file_without_its_columns_is_refused(session, teacher):
    with pytest.raises(base.FileRefused) as refused:
        santorin.plan(
            session, academy_id(session), source("218280;40", header="numero_mission;copies")
        )
    assert "identifiant" in str(refused.value.message)


def test_apply_records_checks_and_writes_the_same(session, teacher, second_mission):
    records = [
        {
            "numero_mission": 218280,
            "identifiant": NUMEN,
            "copies": 40,
            "etat": "A_CORRIGER",
            "session": "juin 2026",
            "vague": 1,
        },
        {"numero_mission": 218281, "identifiant": NUMEN, "copies": "oops", "etat": "A_CORRIGER"},
    ]
    with pytest.raises(base.LinesRefused) as refused:
        santorin.apply_records(session, academy_id(session), records)
    assert [(r.line, r.column) for r in refused.value.plan.refusals] == [(2, "copies")]
    session.rollback()
    records[1].update(copies=72, session="juin 2026", vague=1)
    plan = santorin.apply_records(session, academy_id(session), records)
    session.commit()
    assert plan.new.count == 2
    assert copies_of(claim_of(session, teacher, 218280))[0][0] == 112
    assert copies_of(claim_of(session, teacher, 218281))[0][0] == 0


def test_the_kind_is_registered():
    assert base.IMPORTERS["corrections"].apply is santorin.apply
    assert base.IMPORTERS["corrections"].extensions == (".csv",)


def test_a_line_leaving_a_group_whose_claim_was_sent_for_payment_is_refused(
    session, teacher, second_mission
):
    santorin.apply(
        session,
        academy_id(session),
        source(
            f"218280;{NUMEN};40;SERVICE_FAIT;juin 2026;1",
            f"218281;{NUMEN};72;SERVICE_FAIT;juin 2026;1",
        ),
    )
    carrier = claim_of(session, teacher, 218280)
    lifecycle.transition(carrier, ClaimPart.FEE, ClaimStatus.SENT_FOR_PAYMENT, by_user_id=None)
    session.commit()
    # 218281 moved to the wave 2 would take its 72 copies off the exported claim.
    plan = santorin.plan(
        session, academy_id(session), source(f"218281;{NUMEN};72;SERVICE_FAIT;juin 2026;2")
    )
    assert [(r.line, r.column) for r in plan.refusals] == [(2, "copies")]
    assert "218280" in str(plan.refusals[0].reason)
    assert plan.changed.count == 0


def test_the_example_of_the_readme_imports_on_the_demo(session, teacher):
    path = Path(__file__).resolve().parents[2] / "docs" / "examples" / "santorin-corrections.csv"
    data = base.Source(path.name, path.read_bytes())
    plan = santorin.apply(session, academy_id(session), data)
    session.commit()
    assert (plan.refused_count, plan.new.count) == (0, plan.lines)
    claim = claim_of(session, teacher, 218280)
    assert copies_of(claim) == [(112, None)]
    assert correction_state(session, [claim.assignment_id])[claim.assignment_id].wave == 1
