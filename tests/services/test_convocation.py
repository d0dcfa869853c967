"""Convocation on the demo académie: who is a candidate (valid competence, free on the
dates, not convoked yet), in which order, convoking (assignment + claim in one go),
withdrawing (claim "Annulé", kept), convoking again, duplicating a mission."""

import datetime as dt

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from app.services import DomainError
from app.services.common import clock
from app.services.competences import rules as competences
from app.services.missions import convocation as svc
from models import (
    Academy,
    Agent,
    Assignment,
    Competence,
    CompetenceEndorsement,
    Establishment,
    ExamSession,
    Mission,
    MissionSlot,
    MissionType,
    Paper,
)
from models.enums import (
    AssignmentQuality,
    ClaimStatus,
    EndorsementAuthor,
    EndorsementVerdict,
    SlotDuration,
)

S = ClaimStatus
H, D = SlotDuration.HALF_DAY, SlotDuration.DAY
DAY = dt.timedelta(days=1)


def find(session, model, **lookup):
    return session.scalar(select(model).filter_by(**lookup))


@pytest.fixture
def manager(demo, session):
    return find(session, User, username="gestionnaire").id


@pytest.fixture
def colleagues(demo, session):
    """The teachers of the demo académie but the main demo teacher."""
    agents = session.scalars(
        select(Agent)
        .where(Agent.numen.like("35E%ENS"), Agent.numen != "35E0000001MPC")
        .order_by(Agent.last_name)
    ).all()
    assert len(agents) >= 6
    return agents


def paper(session, code="MATNS"):
    return find(session, Paper, code=code)


def competent(session, agent, paper_, *, invalidated=False):
    competence = Competence(agent=agent, paper=paper_)
    if invalidated:
        competence.endorsements.append(
            CompetenceEndorsement(
                author_kind=EndorsementAuthor.MANAGER,
                author_code="GEST01",
                verdict=EndorsementVerdict.INVALIDATED,
            )
        )
    session.add(competence)
    session.flush()
    return competence


def mission(session, number, slots, *, paper_code="MATNS", centre="0350024L", type_code="CORR"):
    """A mission of the demo académie on ``slots``: (days from today, "HH:MM", duration)."""
    today = clock.today()
    created = Mission(
        academy=find(session, Academy, code="RENNES"),
        number=number,
        mission_type=find(session, MissionType, code=type_code),
        session=session.scalars(select(ExamSession)).first(),
        paper=paper(session, paper_code) if paper_code else None,
        centre=find(session, Establishment, uai=centre) if centre else None,
    )
    created.slots = [
        MissionSlot(
            day=today + offset * DAY,
            start_time=dt.time.fromisoformat(start),
            duration=duration,
        )
        for offset, start, duration in slots
    ]
    session.add(created)
    session.flush()
    return created


def names(candidates):
    return [c.agent.last_name for c in candidates]


# --- Who is a candidate -----------------------------------------------------------------


def test_only_agents_with_a_valid_competence_for_the_paper(session, colleagues):
    first, second, third, fourth = colleagues[:4]
    target = mission(session, 900001, [(30, "09:00", D)])
    competent(session, first, target.paper)
    competent(session, second, target.paper, invalidated=True)
    competent(session, third, paper(session, "MATS"))  # another paper
    found = names(svc.candidates(session, target))
    assert first.last_name in found
    assert second.last_name not in found
    assert third.last_name not in found
    assert fourth.last_name not in found
    assert set(found) <= {
        session.get(Agent, agent_id).last_name
        for agent_id in competences.competent_agent_ids(session, target.paper_id)
    }


@pytest.mark.parametrize(
    ("other_slot", "busy"),
    [
        ((30, "09:00", D), True),  # same day, both full days
        ((30, "08:00", H), True),  # a morning inside the day
        ((30, "14:00", H), True),  # an afternoon inside the day
        ((31, "09:00", D), False),  # the next day
    ],
)
def test_an_agent_convoked_elsewhere_on_an_overlapping_slot_is_not_free(
    session, colleagues, manager, other_slot, busy
):
    agent = colleagues[0]
    target = mission(session, 900002, [(30, "09:00", D)])
    competent(session, agent, target.paper)
    other = mission(session, 900003, [other_slot], paper_code=None, type_code="SURV")
    svc.convoke(session, other, [agent.id], quality=None, jury=None, by_user_id=manager)
    assert (agent.last_name in names(svc.candidates(session, target))) is not busy


def test_a_morning_and_an_afternoon_of_the_same_day_do_not_overlap(session, colleagues, manager):
    agent = colleagues[0]
    morning = mission(session, 900004, [(30, "08:00", H)])
    competent(session, agent, morning.paper)
    afternoon = mission(session, 900005, [(30, "14:00", H)], paper_code=None, type_code="SURV")
    svc.convoke(session, afternoon, [agent.id], quality=None, jury=None, by_user_id=manager)
    assert agent.last_name in names(svc.candidates(session, morning))
    # A withdrawn convocation frees the agent again.
    full_day = mission(session, 900006, [(30, "09:00", D)], paper_code=None, type_code="SURV")
    assert agent.last_name not in names(svc.candidates(session, full_day))
    assignment = find(session, Assignment, mission_id=afternoon.id, agent_id=agent.id)
    svc.unconvoke(session, assignment, by_user_id=manager)
    assert agent.last_name in names(svc.candidates(session, full_day))


def test_candidates_come_nearest_first_then_least_loaded(session, colleagues, manager):
    target = mission(session, 900007, [(40, "09:00", D)], centre="0350024L")  # in Rennes
    in_session = set(
        session.scalars(
            select(Assignment.agent_id).join(Mission).where(Mission.session_id == target.session_id)
        )
    )
    near, far, loaded = [a for a in colleagues if a.id not in in_session][:3]
    for agent in (near, far, loaded):
        competent(session, agent, target.paper)
    near.town, near.postcode = "RENNES", "35000"
    loaded.town, loaded.postcode = "RENNES", "35200"
    far.town, far.postcode = "BREST", "29200"
    busy_elsewhere = mission(session, 900008, [(41, "09:00", D)], paper_code=None, type_code="SURV")
    svc.convoke(session, busy_elsewhere, [loaded.id], quality=None, jury=None, by_user_id=manager)
    ordered = [c for c in svc.candidates(session, target) if c.agent in (near, far, loaded)]
    assert [(c.agent.last_name, c.proximity, c.load) for c in ordered] == [
        (near.last_name, 0, 0),
        (loaded.last_name, 0, 1),
        (far.last_name, 2, 0),
    ]
    assert str(ordered[2].proximity_label) == "autre département"


# --- Convoking ------------------------------------------------------------------------


def test_convoke_creates_the_assignments_and_their_claims(session, colleagues, manager):
    first, second, *_rest = colleagues
    target = mission(session, 900009, [(30, "09:00", D)])
    competent(session, first, target.paper)
    competent(session, second, target.paper)
    created = svc.convoke(
        session,
        target,
        [first.id, second.id],
        quality=AssignmentQuality.CORRECTOR,
        jury=" 0315 ",
        by_user_id=manager,
    )
    assert [(a.agent.last_name, a.quality, a.jury) for a in created] == [
        (first.last_name, AssignmentQuality.CORRECTOR, "0315"),
        (second.last_name, AssignmentQuality.CORRECTOR, "0315"),
    ]
    for assignment in created:
        claim = assignment.claim
        assert (claim.fee_status, claim.travel_status) == (S.NOT_VALIDATED, S.NOT_VALIDATED)
        assert [(row.part.name, row.to_status, row.by_id) for row in claim.history] == [
            ("FEE", S.NOT_VALIDATED, manager),
            ("TRAVEL", S.NOT_VALIDATED, manager),
        ]
    assert names(svc.candidates(session, target)) == []


def test_one_agent_not_available_refuses_the_whole_convocation(session, colleagues, manager):
    first, second, *_rest = colleagues
    target = mission(session, 900010, [(30, "09:00", D)])
    competent(session, first, target.paper)  # the second has no competence
    with pytest.raises(DomainError) as error:
        svc.convoke(
            session, target, [first.id, second.id], quality=None, jury=None, by_user_id=manager
        )
    assert "Non disponible(s) pour cette mission" in str(error.value.message)
    assert second.full_name in str(error.value.message)
    session.rollback()
    assert session.scalars(select(Assignment).where(Assignment.mission_id == target.id)).all() == []


def test_nobody_selected_or_no_dates_is_refused(session, colleagues, manager):
    target = mission(session, 900011, [])
    with pytest.raises(DomainError, match="Sélectionnez au moins un intervenant"):
        svc.convoke(session, target, [], quality=None, jury=None, by_user_id=manager)
    with pytest.raises(DomainError, match="Donnez ses dates à la mission"):
        svc.convoke(
            session, target, [colleagues[0].id], quality=None, jury=None, by_user_id=manager
        )


def test_withdraw_cancels_the_claim_and_convoking_again_restores_it(session, colleagues, manager):
    agent = colleagues[0]
    target = mission(session, 900012, [(30, "09:00", D)])
    competent(session, agent, target.paper)
    (assignment,) = svc.convoke(
        session, target, [agent.id], quality=None, jury=None, by_user_id=manager
    )
    svc.unconvoke(session, assignment, by_user_id=manager)
    claim = assignment.claim
    assert assignment.cancelled_at is not None
    assert (claim.fee_status, claim.travel_status) == (S.CANCELLED, S.CANCELLED)
    assert claim.history[-1].comment == "Convocation retirée"
    with pytest.raises(DomainError, match="déjà retirée"):
        svc.unconvoke(session, assignment, by_user_id=manager)

    (again,) = svc.convoke(
        session,
        target,
        [agent.id],
        quality=AssignmentQuality.EXAMINER,
        jury=None,
        by_user_id=manager,
    )
    assert again.id == assignment.id and again.cancelled_at is None
    assert again.quality is AssignmentQuality.EXAMINER
    assert (claim.fee_status, claim.travel_status) == (S.NOT_VALIDATED, S.NOT_VALIDATED)


def test_an_accepted_claim_keeps_its_convocation(session, demo, manager):
    accepted = session.scalar(
        select(Assignment).join(Mission).where(Mission.number == 77847)  # Validé par gestionnaire
    )
    with pytest.raises(DomainError, match="ne peut plus être retirée"):
        svc.unconvoke(session, accepted, by_user_id=manager)


def test_duplicate_gives_the_next_number_and_the_same_dates(session, demo, manager):
    original = session.scalar(select(Mission).where(Mission.number == 86373))
    highest = max(m.number for m in session.scalars(select(Mission)))
    copy = svc.duplicate(session, original, by_user_id=manager)
    assert copy.number == highest + 1
    assert (copy.paper_id, copy.centre_id, copy.mission_type_id, copy.session_id) == (
        original.paper_id,
        original.centre_id,
        original.mission_type_id,
        original.session_id,
    )
    assert [(s.day, s.start_time, s.duration) for s in copy.slots] == [
        (s.day, s.start_time, s.duration) for s in original.slots
    ]
    assert copy.assignments == []
    assert (copy.first_day, copy.last_day) == (original.first_day, original.last_day)


def test_a_cedex_or_an_accent_does_not_make_another_town():
    assert svc.commune("RENNES CEDEX 7") == svc.commune("Rennes") == "RENNES"
    assert svc.commune("Saint-Brieuc Cedex") == svc.commune("SAINT BRIEUC")
    assert svc.commune("Guérande") == "GUERANDE"


# --- The same agent twice -------------------------------------------------------------


def test_an_agent_already_convoked_is_refused_by_name(session, colleagues, manager):
    agent = colleagues[0]
    target = mission(session, 900013, [(30, "09:00", D)])
    competent(session, agent, target.paper)
    svc.convoke(session, target, [agent.id], quality=None, jury=None, by_user_id=manager)
    with pytest.raises(DomainError) as error:
        svc.convoke(session, target, [agent.id], quality=None, jury=None, by_user_id=manager)
    assert str(error.value.message) == (f"Déjà convoqué(e) à cette mission : {agent.full_name}.")


def test_a_convocation_saved_at_the_same_moment_is_a_french_refusal(
    session, colleagues, manager, monkeypatch
):
    """Another manager convokes the same agent between the checks and the write: the
    database's unique (mission, agent) refuses; the manager reads why, in French."""
    agent = colleagues[0]
    target = mission(session, 900014, [(30, "09:00", D)])
    competent(session, agent, target.paper)
    svc.convoke(session, target, [agent.id], quality=None, jury=None, by_user_id=manager)
    session.commit()  # the first request's transaction
    # What the second request read before the first one wrote.
    monkeypatch.setattr(svc, "already_convoked", lambda *args: [])
    monkeypatch.setattr(svc, "candidates", lambda *args, **kwargs: [svc.Candidate(agent, 0, 0)])
    with pytest.raises(DomainError) as error:
        svc.convoke(session, target, [agent.id], quality=None, jury=None, by_user_id=manager)
    assert "au même moment" in str(error.value.message)
    session.rollback()
    count = session.scalar(
        select(func.count(Assignment.id)).where(Assignment.mission_id == target.id)
    )
    assert count == 1


@pytest.mark.parametrize("agent_id", [0, -1, 10**30])
def test_an_unknown_or_out_of_range_agent_id_is_refused_without_a_database_error(
    session, colleagues, manager, agent_id
):
    target = mission(session, 900015, [(30, "09:00", D)])
    with pytest.raises(DomainError, match="Non disponible"):
        svc.convoke(session, target, [agent_id], quality=None, jury=None, by_user_id=manager)


# --- A mission's own values -------------------------------------------------------------


@pytest.mark.parametrize(
    "number, message",
    [
        (900100, None),
        (52525, "Ce numéro de mission existe déjà."),
        (0, "Un numéro de mission va de 1 à 999999999."),
        (-3, "Un numéro de mission va de 1 à 999999999."),
        (10**9, "Un numéro de mission va de 1 à 999999999."),
        (10**30, "Un numéro de mission va de 1 à 999999999."),
    ],
)
def test_a_mission_number_is_one_a_real_mission_can_have(session, demo, number, message):
    from app.services.missions import rules as missions

    academy_id = find(session, Academy, code="RENNES").id
    error = missions.number_error(session, academy_id, number)
    assert (str(error) if error else None) == message


def test_a_mission_keeps_its_own_number_when_edited(session, demo):
    from app.services.missions import rules as missions

    own = find(session, Mission, number=52525)
    assert missions.number_error(session, own.academy_id, 52525, mission_id=own.id) is None


def test_the_paper_and_specialty_belong_to_the_exam_of_the_session(session, demo):
    from app.services.missions import rules as missions

    bts_paper = paper(session, "U3")
    bac_paper = paper(session, "MATNS")
    bac_session = session.scalar(
        select(ExamSession).where(ExamSession.exam_id == bac_paper.specialty.exam_id)
    )
    assert missions.exam_errors(bac_session, bac_paper.specialty, bac_paper) == {}
    assert missions.exam_errors(bac_session, None, None) == {}
    errors = missions.exam_errors(bac_session, bts_paper.specialty, bts_paper)
    assert {field: str(message) for field, message in errors.items()} == {
        "specialty": "Cette spécialité n'appartient pas à l'examen de la session.",
        "paper": "Cette épreuve n'appartient pas à l'examen de la session.",
    }
    other = paper(session, "MATS").specialty  # ES: MATNS is ES too, LV3A is L
    literary = paper(session, "LV3A").specialty
    assert other.id == bac_paper.specialty_id
    errors = missions.exam_errors(bac_session, literary, bac_paper)
    assert str(errors["paper"]) == "Cette épreuve n'appartient pas à la spécialité choisie."
