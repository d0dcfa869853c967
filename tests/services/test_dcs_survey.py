"""Enquête DCS: who it concerns and when, the six steps, « Valider mes réponses », the
competences the chosen papers declare, and the managers' answers and CSV."""

import datetime as dt

import pytest
from sqlalchemy import select

from app.services import DomainError, NotFound
from app.services.common import clock
from app.services.competences import rules as competences
from app.services.dcs import answers, papers, survey
from app.services.portal import activities, audience
from models import (
    AcademySettings,
    Agent,
    Competence,
    Exam,
    Manager,
    Paper,
    Specialty,
)
from models.enums import DcsAnswerState, DcsPart, DcsSituation, EndorsementVerdict, Service

C = EndorsementVerdict.CONFIRMED


def agent(session, numen):
    return session.scalar(select(Agent).where(Agent.numen == numen))


def dcs_teacher(session):
    return agent(session, "35E0000301DCS")


def paper(session, exam, code):
    return session.scalar(
        select(Paper).join(Specialty).join(Exam).where(Exam.code == exam, Paper.code == code)
    )


def close_survey(session, teacher):
    settings = session.scalar(
        select(AcademySettings).where(AcademySettings.academy_id == teacher.academy_id)
    )
    settings.dcs_survey_opens_on = clock.today() - dt.timedelta(days=30)
    settings.dcs_survey_closes_on = clock.today() - dt.timedelta(days=1)
    session.flush()


def test_the_survey_concerns_the_dcs_teachers_while_it_is_open(session, demo):
    teacher = dcs_teacher(session)
    claire = agent(session, "35E0000001MPC")
    codes = activities.audiences_for([Service.TEACHER])
    assert "dcs" in codes
    assert "dcs" in audience.concerned(session, teacher, codes)
    assert "dcs" not in audience.concerned(session, claire, codes)
    close_survey(session, teacher)
    assert "dcs" not in audience.concerned(session, teacher, codes)


def test_the_opening_dates_both_or_neither_and_in_order(app):
    day = dt.date(2027, 1, 10)
    assert survey.dates_error(None, None) is None
    assert survey.dates_error(day, day) is None
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert "aucune des deux" in str(survey.dates_error(day, None))
        assert "avant" in str(survey.dates_error(day, day - dt.timedelta(days=1)))


def test_each_step_is_checked_and_saved(session, demo, app):
    teacher = dcs_teacher(session)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        with pytest.raises(survey.InvalidAnswers) as refused:
            survey.save_step(session, teacher, 1, {"situation": DcsSituation.OTHER})
        assert set(refused.value.errors) == {"situation_detail"}
        with pytest.raises(survey.InvalidAnswers) as refused:
            survey.save_step(session, teacher, 2, {"establishments": "0350710X 9999999Z"})
        assert "9999999Z" in str(refused.value.errors["establishments"])
        with pytest.raises(survey.InvalidAnswers) as refused:
            survey.save_step(session, teacher, 3, {"papers": []})
        assert set(refused.value.errors) == {"papers"}
        bts = session.scalar(select(Paper.id).order_by(Paper.id))
        with pytest.raises(survey.InvalidAnswers):
            survey.save_step(session, teacher, 5, {"papers": [bts]})
        with pytest.raises(survey.InvalidAnswers) as refused:
            survey.save_step(session, teacher, 4, {"vae_comment": "x" * 301})
        assert set(refused.value.errors) == {"vae_available", "vae_comment"}
    assert survey.state(survey.answer_of(session, teacher)) is DcsAnswerState.NOT_STARTED
    answer = survey.save_step(
        session, teacher, 1, {"situation": DcsSituation.OTHER, "situation_detail": " Détaché "}
    )
    assert answer.situation_detail == "Détaché" and answer.step == 1
    uai = teacher.establishments[0].establishment.uai
    answer = survey.save_step(session, teacher, 2, {"establishments": f"{uai.lower()}, {uai}"})
    assert answer.establishments == uai and answer.step == 2
    assert survey.state(answer) is DcsAnswerState.IN_PROGRESS


def test_validating_needs_steps_one_to_four(session, demo):
    teacher = dcs_teacher(session)
    survey.save_step(session, teacher, 1, {"situation": DcsSituation.ACTIVE})
    with pytest.raises(DomainError, match="2"):
        survey.validate(session, teacher, {"papers": []})
    survey.save_step(
        session, teacher, 2, {"establishments": survey.initial_establishments(teacher)}
    )
    survey.save_step(session, teacher, 3, {"papers": [paper(session, "DCG", "UE7").id]})
    survey.save_step(session, teacher, 4, {"vae_available": False})
    answer = survey.validate(session, teacher, {"papers": [], "oral_places": "Rennes"})
    assert answer.validated_at is not None and survey.state(answer) is DcsAnswerState.VALIDATED
    # Still editable while open; once closed, nothing changes.
    survey.save_step(session, teacher, 4, {"vae_available": True})
    close_survey(session, teacher)
    assert not survey.step_page(session, teacher, 4).may_edit
    with pytest.raises(DomainError):
        survey.save_step(session, teacher, 4, {"vae_available": False})


def test_written_and_oral_papers_are_dcg_and_dscg_papers(session, demo):
    written = {(p.specialty.exam.code, p.code) for p in papers.offered(session, DcsPart.WRITTEN)}
    oral = {(p.specialty.exam.code, p.code) for p in papers.offered(session, DcsPart.ORAL)}
    assert ("DCG", "UE10") in written and ("DSCG", "UE6") in oral
    assert not written & oral
    assert {e for e, _ in written | oral} == {"DCG", "DSCG"}
    assert len(papers.offered(session, DcsPart.TEACHING)) == len(written | oral)


def words(session, teacher, paper_id):
    competence = session.scalar(
        select(Competence).where(Competence.agent_id == teacher.id, Competence.paper_id == paper_id)
    )
    if competence is None:
        return None
    session.refresh(competence)
    return [(e.author_code, e.verdict) for e in competence.endorsements]


def test_chosen_papers_become_declared_competences_and_only_those_go(session, demo):
    teacher = dcs_teacher(session)
    ue10, ue11 = paper(session, "DCG", "UE10"), paper(session, "DCG", "UE11")
    manager = session.scalar(select(Manager))
    # A manager already endorsed UE11.
    competences.add_competence(
        session, teacher, ue11.id, competences.actor_for_manager(manager), allowed=None
    )
    survey.save_step(session, teacher, 5, {"papers": [ue10.id, ue11.id]})
    assert words(session, teacher, ue10.id) == [(teacher.identifier, C)]
    assert words(session, teacher, ue11.id) == [(manager.code, C), (teacher.identifier, C)]
    # Saving again changes nothing.
    survey.save_step(session, teacher, 5, {"papers": [ue10.id, ue11.id]})
    assert len(words(session, teacher, ue10.id)) == 1
    # Unchoosing removes the survey's word only.
    survey.save_step(session, teacher, 5, {"papers": []})
    assert words(session, teacher, ue10.id) is None
    assert words(session, teacher, ue11.id) == [(manager.code, C)]


def test_a_competence_the_teacher_confirmed_elsewhere_is_kept(session, demo):
    teacher = dcs_teacher(session)
    ue4 = paper(session, "DCG", "UE4")
    competences.add_competence(
        session, teacher, ue4.id, competences.actor_for_agent(teacher), allowed=None
    )
    survey.save_step(session, teacher, 5, {"papers": [ue4.id]})
    survey.save_step(session, teacher, 5, {"papers": []})
    assert words(session, teacher, ue4.id) == [(teacher.identifier, C)]


def test_managers_see_who_answered_and_one_answer_in_their_academy(session, demo, app):
    teacher = dcs_teacher(session)
    rows = answers.rows(session, teacher.academy_id)
    by_numen = {row.agent.numen: row.state for row in rows}
    assert by_numen == {
        "35E0000301DCS": DcsAnswerState.NOT_STARTED,
        "35E0000302DCS": DcsAnswerState.VALIDATED,
    }
    colleague = agent(session, "35E0000302DCS")
    row = answers.answer_for(session, teacher.academy_id, colleague.id)
    assert answers.papers_text(row.answer, DcsPart.ORAL) == "DCG UE13"
    with pytest.raises(NotFound):
        answers.answer_for(session, teacher.academy_id + 1000, colleague.id)
    claire = answers.answer_for(session, teacher.academy_id, agent(session, "35E0000001MPC").id)
    assert claire.answer is None and claire.state is DcsAnswerState.NOT_STARTED


def test_the_csv_has_one_line_per_teacher_and_is_formula_safe(session, demo, app):
    teacher = dcs_teacher(session)
    survey.save_step(
        session, teacher, 1, {"situation": DcsSituation.OTHER, "situation_detail": "=HACK()"}
    )
    seen = []
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        data = answers.csv_file(session, teacher.academy_id, lambda d, t: seen.append((d, t)))
    text = data.decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert len(lines) == 3 and lines[0].startswith("Identifiant;")
    assert "'=HACK()" in text and "DCG UE13" in text
    assert seen[-1] == (2, 2)


def test_going_back_saves_without_asking_for_the_missing_answers(session, demo):
    teacher = dcs_teacher(session)
    answer = survey.save_step(session, teacher, 4, {"vae_comment": "Juin"}, complete=False)
    assert answer.vae_available is None and answer.vae_comment == "Juin"
    survey.save_step(session, teacher, 3, {"papers": []}, complete=False)
    with pytest.raises(survey.InvalidAnswers):  # a wrong answer is still refused
        survey.save_step(session, teacher, 2, {"establishments": "XYZ"}, complete=False)
