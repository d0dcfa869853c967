"""The runs of the automatic assignment (issue 17): starting a proposal (its checks),
the proposal job on a small académie built here (every line passes the independent
checker on the instance rebuilt from the database; gaps and their reasons; figures),
the locked convocations, removing and swapping a line (and every refusal of a swap),
the convocation job (assignments and claims by the convocation service, a refused
group kept on its lines), the refill after a withdrawal, the scope and the states."""

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from app.jobs import runner
from app.services import DomainError, NotFound
from app.services.missions import convocation
from app.services.missions.assignment import checker, runs, source
from app.services.missions.assignment.problem import Placement, Weights
from app.services.missions.assignment.run_base import EntryErrors
from models import (
    Academy,
    AcademySettings,
    Agent,
    Assignment,
    AssignmentConflict,
    Exam,
    ExamSession,
    ExpenseClaim,
    Job,
    Paper,
)
from models.assignment import AssignmentGap, AssignmentProposal, AssignmentRun
from models.enums import AssignmentRunState, GapReason, JobState, SlotDuration
from tests.services.test_assignment_source import Q, competent, find, mission

S = AssignmentRunState
H = SlotDuration.HALF_DAY


@pytest.fixture
def manager(demo, session):
    return find(session, User, username="gestionnaire").id


@pytest.fixture
def world(demo, session):
    """A new exam session of the demo académie (no demo mission in it), six teachers."""
    academy = find(session, Academy, code="RENNES")
    exam_session = ExamSession(
        exam=session.scalars(select(Exam).order_by(Exam.id)).first(), name="juin", year=2031
    )
    session.add(exam_session)
    agents = session.scalars(
        select(Agent)
        .where(Agent.numen.like("35E%ENS"), Agent.numen != "35E0000001MPC")
        .order_by(Agent.last_name)
    ).all()[:6]
    session.flush()
    return academy, exam_session, agents


def run_job(app, session, job_id: int) -> Job:
    """Commit what the test wrote, run the job as a worker does, read it back."""
    session.commit()
    runner.run(app, job_id, last_attempt=True)
    session.expire_all()
    return session.get(Job, job_id)


def propose(app, session, world, manager, **given) -> AssignmentRun:
    academy, exam_session, _agents = world
    run = runs.start(
        session,
        academy.id,
        exam_session_id=given.pop("exam_session_id", exam_session.id),
        by_user_id=manager,
        **given,
    )
    job = run_job(app, session, run.proposal_job_id)
    assert job.state is JobState.DONE, job.message
    return session.get(AssignmentRun, run.id)


@pytest.fixture
def small(session, world):
    """Two corrections on the same morning (2 and 3 places), one on another day (1
    place), four competent agents: one place must stay empty."""
    _academy, _exam_session, agents = world
    first = mission(session, world, 991001, slots=((30, "09:00", H),), needs=[(Q.CORRECTOR, 2)])
    second = mission(session, world, 991002, slots=((30, "09:00", H),), needs=[(Q.CORRECTOR, 3)])
    third = mission(session, world, 991003, slots=((31, "14:00", H),), needs=[(Q.CORRECTOR, 1)])
    for agent in agents[:4]:
        competent(session, agent, first.paper)
    return first, second, third


def lines_of(session, run) -> list[AssignmentProposal]:
    return list(
        session.scalars(
            select(AssignmentProposal)
            .where(AssignmentProposal.run_id == run.id)
            .order_by(AssignmentProposal.mission_id, AssignmentProposal.id)
        )
    )


def gaps_of(session, run) -> dict:
    return {
        (gap.mission_id, gap.quality, gap.reason): gap.places
        for gap in session.scalars(select(AssignmentGap).where(AssignmentGap.run_id == run.id))
    }


def assert_checked(session, world, run):
    """Every line of the run passes the checker on the instance rebuilt now."""
    academy, exam_session, _agents = world
    built = source.build(session, academy.id, exam_session.id, mission_ids=run.mission_ids)
    placements = [
        Placement(line.mission_id, line.quality.name, line.agent_id)
        for line in lines_of(session, run)
    ]
    assert checker.violations(built.instance, placements) == []
    return placements


# --- Sessions and start ----------------------------------------------------------------------


def test_the_sessions_of_the_academys_missions_with_their_needs(session, world, small):
    academy, exam_session, _agents = world
    mission(session, world, 991009)  # no need
    choices = {choice.id: choice for choice in runs.sessions(session, academy.id)}
    mine = choices[exam_session.id]
    assert (mine.missions, mine.with_needs) == (4, 3)
    assert mine.label.endswith("2031 juin")
    assert len(choices) > 1  # the demo's sessions too
    other = Academy(code="TESTX", name="Autre académie")
    session.add(other)
    session.flush()
    assert runs.sessions(session, other.id) == []


def test_start_names_every_wrong_field(session, world, small, manager):
    academy, exam_session, _agents = world
    mission(session, world, 991009)  # no need
    with pytest.raises(EntryErrors) as refused:
        runs.start(
            session,
            academy.id,
            exam_session_id="999999999999",
            weights={"travel": "abc", "spread": "1001", "wish": "-1"},
            by_user_id=manager,
        )
    assert set(refused.value.errors) == {"exam_session_id", "travel", "spread", "wish"}
    assert str(refused.value.errors["travel"]) == "Saisissez un nombre de 0 à 1000."
    for numbers, expected in [
        ("991001 12a", "Ce ne sont pas des numéros de mission : 12a."),
        ("991001, 55", "Aucune mission de cette session ne porte ces numéros : 55."),
        ("991009", "Ces missions n'ont pas de besoins en intervenants : 991009."),
    ]:
        with pytest.raises(EntryErrors) as refused:
            runs.start(
                session,
                academy.id,
                exam_session_id=str(exam_session.id),
                mission_numbers=numbers,
                weights={},
                by_user_id=manager,
            )
        assert {k: str(v) for k, v in refused.value.errors.items()} == {"mission_numbers": expected}
    assert session.scalar(select(func.count(AssignmentRun.id))) == 0


def test_start_discards_the_sessions_runs_not_convoked(app, session, world, small, manager):
    academy, exam_session, _agents = world
    first = runs.start(
        session,
        academy.id,
        exam_session_id=exam_session.id,
        mission_numbers="991001;991003",
        weights=Weights(travel=2, spread=10, wish=0),
        by_user_id=manager,
    )
    assert first.state is S.PROPOSING and sorted(first.mission_ids) == sorted(
        [small[0].id, small[2].id]
    )
    job = session.get(Job, first.proposal_job_id)
    assert (job.kind, job.title, job.state) == (
        "assignment_proposal",
        "Automatic assignment: proposal",
        JobState.QUEUED,
    )
    waiting = runs.review(session, academy.id, first.id)
    assert waiting.state_label == "Proposition en cours" and waiting.job_id == job.id
    assert (waiting.progress.job_id, waiting.progress.text) == (
        job.id,
        "En attente d'un processus de traitement…",
    )
    assert waiting.messages == [
        "La proposition est en cours de calcul : cette page en suit l'avancement."
    ]
    assert not waiting.may_convoke and waiting.missions == []
    second = runs.start(
        session, academy.id, exam_session_id=exam_session.id, weights={}, by_user_id=manager
    )
    assert first.state is S.DISCARDED and second.mission_ids is None
    listed = runs.runs(session, academy.id)
    assert [(row.id, row.state_label, row.may_open) for row in listed] == [
        (second.id, "Proposition en cours", True),
        (first.id, "Abandonnée", False),
    ]
    assert listed[0].session_label.endswith("2031 juin") and listed[0].places_proposed is None
    assert (second.weight_travel, second.weight_spread, second.weight_wish) == (1, 40, 30)
    # The discarded run's job does nothing.
    job = run_job(app, session, first.proposal_job_id)
    assert job.state is JobState.DONE
    assert (
        job.message == "Cette proposition a été remplacée par une plus récente : rien n'a été fait."
    )
    assert session.scalar(select(func.count(AssignmentProposal.id))) == 0


# --- The proposal job ------------------------------------------------------------------------


def test_the_proposal_job_stores_lines_gaps_and_figures_that_break_no_rule(
    app, session, world, small, manager
):
    first, second, third = small
    nobody = mission(session, world, 991004, needs=[(Q.CORRECTOR, 1)])
    nobody.paper = session.scalar(
        select(Paper).where(Paper.code != "MATNS").order_by(Paper.id).limit(1)
    )
    session.flush()
    run = propose(app, session, world, manager)
    assert run.state is S.PROPOSED and run.proposed_at is not None
    placements = assert_checked(session, world, run)
    # Four agents, five places on one morning: one empty; the afternoon's place filled.
    per_mission = {m.id: 0 for m in (first, second, third)}
    for placement in placements:
        per_mission[placement.mission_id] += 1
    assert per_mission[first.id] + per_mission[second.id] == 4
    assert per_mission[third.id] == 1
    gaps = gaps_of(session, run)
    morning_gap = [(m, r) for (m, _q, r) in gaps if m in (first.id, second.id)]
    assert len(morning_gap) == 1 and morning_gap[0][1] is GapReason.TAKEN_ELSEWHERE
    assert gaps[(nobody.id, Q.CORRECTOR, GapReason.NO_COMPETENT)] == 1
    figures = run.figures
    assert figures["places_proposed"] == 5 and figures["places_unfilled"] == 2
    assert figures["agents_used"] == 4
    assert figures["missions_per_agent"] == {"1": 3, "2": 1, "3+": 0}
    assert figures["load_max"] == 2
    assert {"km_total", "km_mean", "km_max", "seconds", "parts", "bound", "cost"} <= set(figures)
    job = session.get(Job, run.proposal_job_id)
    assert job.message == (
        "5 place(s) proposée(s) à 4 intervenant(s) ; 2 place(s) laissée(s) vacante(s)."
    )
    # The review: figures as text, each line with its distance, load and why.
    shown = runs.review(session, world[0].id, run.id)
    assert shown.state_label == "Proposée" and shown.may_convoke and not shown.may_refill
    assert shown.figures["places_proposed"] == "5" and shown.figures["km_max"].endswith(" km")
    assert shown.figures["missions_per_agent"] == "1 mission : 3 ; 2 missions : 1 ; 3 ou plus : 0"
    assert [m.info.number for m in shown.missions] == [991001, 991002, 991004, 991003]
    line = shown.missions[0].lines[0]
    assert line.km.endswith(" km") and line.load_after in ("1re mission", "2e mission")
    assert "candidats libres" in line.why and line.may_remove and line.may_swap
    assert shown.missions[2].gaps == [("CORRECTEUR", 1, "Aucun intervenant compétent")]
    assert shown.missions[0].needs[0].places == 2
    only = runs.review(session, world[0].id, run.id, only_gaps=True)
    assert {m.info.number for m in only.missions} <= {991001, 991002, 991004}
    assert 991004 in {m.info.number for m in only.missions}
    found = runs.review(session, world[0].id, run.id, search="991003")
    assert [m.info.number for m in found.missions] == [991003]
    name = line.agent_name.split()[-1]
    assert runs.review(session, world[0].id, run.id, search=name).mission_count >= 1
    page = runs.review(session, world[0].id, run.id, per_page=1, page=99)
    assert (page.page, page.page_count, len(page.missions)) == (4, 4, 1)
    typed = runs.review(session, world[0].id, run.id, per_page="x", page="-2")
    assert (typed.page, typed.page_count, len(typed.missions)) == (1, 1, 4)


def test_a_failed_proposal_says_why(app, session, world, small, manager, monkeypatch):
    def broken(*args, **kwargs):
        raise DomainError("Le problème ne peut être lu.")

    monkeypatch.setattr(source, "build", broken)
    academy, exam_session, _agents = world
    run = runs.start(
        session, academy.id, exam_session_id=exam_session.id, weights={}, by_user_id=manager
    )
    job = run_job(app, session, run.proposal_job_id)
    assert job.state is JobState.FAILED and job.message == "Le problème ne peut être lu."
    run = session.get(AssignmentRun, run.id)
    assert run.state is S.FAILED
    shown = runs.review(session, academy.id, run.id)
    assert shown.state_label == "Échoué" and shown.messages == ["Le problème ne peut être lu."]
    assert not shown.may_convoke and shown.progress is None


def test_locked_convocations_stay_and_count_against_the_needs(app, session, world, small, manager):
    _academy, _exam_session, agents = world
    first, _second, _third = small
    convocation.convoke(
        session, first, [agents[0].id], quality=Q.CORRECTOR, jury=None, by_user_id=manager
    )
    run = propose(app, session, world, manager, mission_numbers="991001")
    lines = lines_of(session, run)
    assert len(lines) == 1 and lines[0].agent_id != agents[0].id
    assert_checked(session, world, run)
    shown = runs.review(session, world[0].id, run.id)
    assert shown.missions[0].needs == [("CORRECTEUR", 2, 1, 1)]


# --- Remove and swap -------------------------------------------------------------------------


def test_remove_a_line_leaves_a_removed_gap(app, session, world, small, manager):
    academy, _exam_session, _agents = world
    run = propose(app, session, world, manager, mission_numbers="991002")
    lines = lines_of(session, run)
    assert len(lines) == 3
    runs.remove(session, academy.id, run.id, lines[0].id, by_user_id=manager)
    runs.remove(session, academy.id, run.id, lines[1].id, by_user_id=manager)
    assert gaps_of(session, run) == {(small[1].id, Q.CORRECTOR, GapReason.REMOVED): 2}
    assert run.figures["places_proposed"] == 1 and run.figures["places_unfilled"] == 2
    shown = runs.review(session, academy.id, run.id)
    assert shown.missions[0].gaps == [("CORRECTEUR", 2, "Retiré par le gestionnaire")]
    with pytest.raises(NotFound):
        runs.remove(session, academy.id, run.id, lines[0].id, by_user_id=manager)


@pytest.fixture
def swapping(app, session, world, small, manager):
    """A run on mission 991003 (one place, the afternoon of day 31)."""
    run = propose(app, session, world, manager, mission_numbers="991003")
    (line,) = lines_of(session, run)
    return run, line


def test_swap_options_are_the_free_competent_agents(session, world, swapping):
    academy, _exam_session, agents = world
    run, line = swapping
    options = runs.swap_options(session, academy.id, run.id, line.id)
    assert {o.agent_id for o in options} == {a.id for a in agents[:4]} - {line.agent_id}
    assert all(o.km.endswith(" km") and o.missions == 0 for o in options)


def test_swap_is_refused_naming_the_rule(session, world, swapping, manager):
    academy, exam_session, agents = world
    run, line = swapping
    others = [a for a in agents[:4] if a.id != line.agent_id]
    target = line.mission
    # Busy: convoked the same afternoon elsewhere.
    busy = mission(session, world, 991005, slots=((31, "15:00", H),), needs=[(Q.CORRECTOR, 1)])
    convocation.convoke(
        session, busy, [others[0].id], quality=Q.CORRECTOR, jury=None, by_user_id=manager
    )
    # The cap: 600 copies in the session, 400 taken already, the place weighs 400.
    settings = session.scalar(
        select(AcademySettings).where(AcademySettings.academy_id == academy.id)
    )
    settings.session_max_copies = 600
    heavy = mission(session, world, 991006, slots=((40, "09:00", H),), needs=[(Q.CORRECTOR, 1)])
    convocation.convoke(
        session, heavy, [others[1].id], quality=Q.CORRECTOR, jury=None, by_user_id=manager
    )
    need = session.scalar(
        select(source.MissionNeed).where(source.MissionNeed.mission_id == target.id)
    )
    need.load_per_agent = 400
    heavy_need = session.scalar(
        select(source.MissionNeed).where(source.MissionNeed.mission_id == heavy.id)
    )
    heavy_need.load_per_agent = 400
    # A conflict of interest with the centre.
    session.add(
        AssignmentConflict(
            academy_id=academy.id, agent=others[2], establishment=target.centre, reason="Conjoint"
        )
    )
    session.flush()
    day = target.first_day.strftime("%d/%m")
    for agent, expected in [
        (others[0], f"{others[0].full_name} n'est pas libre le {day} après-midi."),
        (
            others[1],
            f"{others[1].full_name} a déjà atteint son maximum de 600 copies.",
        ),
        (others[2], f"{others[2].full_name} : conflit d'intérêts avec ce centre ou cette mission."),
        (agents[5], f"{agents[5].full_name} n'a pas de compétence valide pour cette épreuve."),
    ]:
        with pytest.raises(DomainError) as refused:
            runs.swap(session, academy.id, run.id, line.id, agent.id, by_user_id=manager)
        assert str(refused.value.message) == expected
    assert runs.swap_options(session, academy.id, run.id, line.id) == []
    with pytest.raises(NotFound):
        runs.swap(session, academy.id, run.id, line.id, 2**31, by_user_id=manager)


def test_swap_replaces_the_line(session, world, swapping, manager):
    academy, _exam_session, agents = world
    run, line = swapping
    chosen = runs.swap_options(session, academy.id, run.id, line.id)[-1]
    runs.swap(session, academy.id, run.id, line.id, chosen.agent_id, by_user_id=manager)
    (changed,) = lines_of(session, run)
    assert changed.agent_id == chosen.agent_id and changed.manual
    assert changed.candidates == 4 and changed.rank >= 1
    shown = runs.review(session, academy.id, run.id)
    assert shown.missions[0].lines[0].why.startswith("choisi par le gestionnaire ; ")
    assert_checked(session, world, run)


def test_swap_keeps_the_rest_of_the_run_in_mind(app, session, world, small, manager):
    """An agent proposed on the same morning by the run is not free for a swap."""
    academy, _exam_session, _agents = world
    run = propose(app, session, world, manager, mission_numbers="991001 991002")
    lines = lines_of(session, run)
    on_first = [line for line in lines if line.mission_id == small[0].id]
    on_second = [line for line in lines if line.mission_id == small[1].id]
    assert runs.swap_options(session, academy.id, run.id, on_first[0].id) == []
    with pytest.raises(DomainError) as refused:
        runs.swap(
            session, academy.id, run.id, on_first[0].id, on_second[0].agent_id, by_user_id=manager
        )
    assert "n'est pas libre le" in str(refused.value.message)


# --- Convoke ---------------------------------------------------------------------------------


def test_the_convocation_job_convokes_and_records_a_refused_group(
    app, session, world, small, manager
):
    academy, _exam_session, agents = world
    run = propose(app, session, world, manager, mission_numbers="991002 991003")
    lines = lines_of(session, run)
    third_line = next(line for line in lines if line.mission_id == small[2].id)
    # Meanwhile the third mission's agent is convoked the same afternoon elsewhere.
    elsewhere = mission(session, world, 991007, slots=((31, "14:00", H),))
    convocation.convoke(
        session,
        elsewhere,
        [third_line.agent_id],
        quality=Q.CORRECTOR,
        jury=None,
        by_user_id=manager,
    )
    job = runs.convoke(session, academy.id, run.id, by_user_id=manager)
    assert (job.kind, job.idempotency_key) == (
        "assignment_convocation",
        f"assignment-convoke:{run.id}",
    )
    assert run.state is S.CONVOKING
    with pytest.raises(DomainError):
        runs.convoke(session, academy.id, run.id, by_user_id=manager)
    job = run_job(app, session, job.id)
    assert job.state is JobState.DONE, job.message
    run = session.get(AssignmentRun, run.id)
    assert run.state is S.CONVOKED and run.convoked_at is not None
    lines = lines_of(session, run)
    convoked = [line for line in lines if line.assignment_id is not None]
    refused = [line for line in lines if line.refusal]
    assert len(convoked) == 3 and len(refused) == 1
    assert refused[0].mission_id == small[2].id
    assert refused[0].refusal.startswith("Non disponible(s) pour cette mission")
    for line in convoked:
        assignment = session.get(Assignment, line.assignment_id)
        assert (assignment.agent_id, assignment.mission_id) == (line.agent_id, line.mission_id)
        assert assignment.quality is Q.CORRECTOR
        assert session.scalar(
            select(ExpenseClaim.id).where(ExpenseClaim.assignment_id == assignment.id)
        )
    assert job.message.startswith(
        "3 intervenant(s) convoqué(s) sur 4 ; 1 mission(s) refusée(s) (n° 991003 : Non disponible(s)"
    )
    shown = runs.review(session, academy.id, run.id)
    assert shown.may_refill and not shown.may_convoke
    assert shown.messages == [job.message]
    assert all(
        not line.may_remove and not line.may_swap for m in shown.missions for line in m.lines
    )
    with pytest.raises(DomainError):
        runs.convoke(session, academy.id, run.id, by_user_id=manager)
    with pytest.raises(DomainError):
        runs.remove(session, academy.id, run.id, convoked[0].id, by_user_id=manager)
    with pytest.raises(DomainError):
        runs.swap(session, academy.id, run.id, convoked[0].id, agents[5].id, by_user_id=manager)


def test_a_failed_convocation_keeps_nothing_and_may_be_tried_again(
    app, session, world, small, manager, monkeypatch
):
    academy, _exam_session, _agents = world
    run = propose(app, session, world, manager, mission_numbers="991003")

    def broken(*args, **kwargs):
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(convocation, "convoke", broken)
    job = runs.convoke(session, academy.id, run.id, by_user_id=manager)
    assert run_job(app, session, job.id).state is JobState.FAILED
    run = session.get(AssignmentRun, run.id)
    assert run.state is S.PROPOSED
    assert (
        session.scalar(
            select(func.count(Assignment.id)).where(Assignment.mission_id == small[2].id)
        )
        == 0
    )
    monkeypatch.undo()
    again = runs.convoke(session, academy.id, run.id, by_user_id=manager)
    assert again.id != job.id and again.idempotency_key == f"assignment-convoke:{run.id}:2"
    assert run_job(app, session, again.id).state is JobState.DONE
    assert session.get(AssignmentRun, run.id).state is S.CONVOKED


def test_refill_after_a_withdrawal_proposes_only_the_freed_place(
    app, session, world, small, manager
):
    academy, _exam_session, _agents = world
    run = propose(app, session, world, manager, mission_numbers="991002 991003")
    job = runs.convoke(session, academy.id, run.id, by_user_id=manager)
    assert run_job(app, session, job.id).state is JobState.DONE
    withdrawn = next(line for line in lines_of(session, run) if line.mission_id == small[1].id)
    convocation.unconvoke(
        session, session.get(Assignment, withdrawn.assignment_id), by_user_id=manager
    )
    with pytest.raises(DomainError):
        runs.refill(session, academy.id, 2**31 - 1, by_user_id=manager)
    again = runs.refill(session, academy.id, run.id, by_user_id=manager)
    assert sorted(again.mission_ids) == sorted(run.mission_ids)
    job = run_job(app, session, again.proposal_job_id)
    assert job.state is JobState.DONE
    again = session.get(AssignmentRun, again.id)
    (line,) = lines_of(session, again)
    assert (line.mission_id, line.quality) == (small[1].id, Q.CORRECTOR)
    assert gaps_of(session, again) == {}
    assert session.get(AssignmentRun, run.id).state is S.CONVOKED  # kept, not discarded
    assert_checked(session, world, again)


# --- Scope -----------------------------------------------------------------------------------


def test_another_academys_run_is_not_found(app, session, world, small, manager):
    academy, _exam_session, agents = world
    run = propose(app, session, world, manager, mission_numbers="991003")
    (line,) = lines_of(session, run)
    other = Academy(code="TESTX", name="Autre académie")
    session.add(other)
    session.flush()
    calls = [
        lambda: runs.review(session, other.id, run.id),
        lambda: runs.remove(session, other.id, run.id, line.id, by_user_id=manager),
        lambda: runs.swap_options(session, other.id, run.id, line.id),
        lambda: runs.swap(session, other.id, run.id, line.id, agents[1].id, by_user_id=manager),
        lambda: runs.convoke(session, other.id, run.id, by_user_id=manager),
        lambda: runs.refill(session, other.id, run.id, by_user_id=manager),
        lambda: runs.review(session, academy.id, 2**40),
        lambda: runs.remove(session, academy.id, run.id, 2**40, by_user_id=manager),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    assert runs.runs(session, other.id) == []
    (row,) = runs.runs(session, academy.id)
    assert (row.id, row.state_label, row.places_proposed, row.may_open) == (
        run.id,
        "Proposée",
        1,
        True,
    )
    assert row.created_by
