"""Competences: trail, validity, generation, exams offered, actions and scopes."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.services import DomainError, NotFound
from app.services.competences import rules as svc
from models import (
    Academy,
    Agent,
    AgentEstablishment,
    Competence,
    CompetenceEndorsement,
    Establishment,
    Exam,
    ExamCategory,
    Manager,
    Mef,
    Paper,
    PaperTeachingRule,
    Specialty,
    Subject,
    Teaching,
)
from models.enums import (
    AgentKind,
    EndorsementAuthor,
    EndorsementVerdict,
    EstablishmentCategory,
    EstablishmentLinkType,
)

C, I = EndorsementVerdict.CONFIRMED, EndorsementVerdict.INVALIDATED  # noqa: E741 - the seed's letters
YEAR = 2026


class World:
    """A small académie: a collège and a lycée, DNB / BAC / BTS, two teachers and a
    head of the lycée, teachings and the correspondence table."""

    def __init__(self, session):
        self.session = session
        self.academy = Academy(code="RENNES", name="Rennes")
        other = Academy(code="NANTES", name="Nantes")
        session.add_all([self.academy, other])
        session.flush()
        self.lycee = self._establishment("0350024L", "LGT EMILE ZOLA", EstablishmentCategory.LGT)
        self.college = self._establishment(
            "0351907H", "CLG ROSA PARKS", EstablishmentCategory.COLLEGE
        )
        self.other_lycee = self._establishment(
            "0350042F", "LGT JOLIOT-CURIE", EstablishmentCategory.LGT
        )
        self.dnb = self._exam("DNB", "DIPLOME NATIONAL DU BREVET", [EstablishmentCategory.COLLEGE])
        self.bac = self._exam(
            "BCG", "BACCALAUREAT GENERAL", [EstablishmentCategory.LGT, EstablishmentCategory.LPO]
        )
        self.bts = self._exam("BTS", "BREVET DE TECHNICIEN SUPERIEUR", [EstablishmentCategory.LGT])
        self.oral = self._paper(self.dnb, "GEN", "ORAL", "SOUTENANCE ORALE")
        self.lv3 = self._paper(self.bac, "L", "LV3A", "LANGUE VIVANTE 3 ANGLAIS")
        self.maths = self._paper(self.bac, "ES", "MATS", "MATHEMATIQUES SPECIALISTE")
        self.bts_maths = self._paper(self.bts, "31406", "U3", "MATHEMATIQUES")
        self.english = Subject(code="030201", name="ANGLAIS LV1")
        self.math_subject = Subject(code="061300", name="MATHEMATIQUES")
        self.terminale = Mef(code="20212010110", name="TERMINALE ES")
        self.bts_mef = Mef(code="32031210210", name="2BTS2 COMPTA")
        session.add_all([self.english, self.math_subject, self.terminale, self.bts_mef])
        session.flush()
        session.add_all(
            [
                PaperTeachingRule(paper_id=self.lv3.id, subject_id=self.english.id),
                PaperTeachingRule(paper_id=self.maths.id, subject_id=self.math_subject.id),
                # BTS maths only for those who teach maths in a BTS class.
                PaperTeachingRule(
                    paper_id=self.bts_maths.id,
                    subject_id=self.math_subject.id,
                    mef_id=self.bts_mef.id,
                ),
            ]
        )
        self.claire = self._agent("35E0000001MPC", "LECLERC", [(self.lycee, "PRINCIPAL")])
        self.julie = self._agent("35E0000003ENS", "BERTHELOT", [(self.lycee, "PRINCIPAL")])
        self.erwan = self._agent("35E0000008ENS", "GOURVES", [(self.other_lycee, "PRINCIPAL")])
        self.paul = self._agent("35E0000009ENS", "NOEL", [(self.college, "PRINCIPAL")])
        self.head = self._agent("35E0000002DIR", "MORVAN", [(self.lycee, "HEAD")])
        self.stranger = Agent(
            academy_id=other.id,
            kind=AgentKind.TEACHER,
            numen="44E0000001ABC",
            last_name="AILLEURS",
            first_name="Jean",
        )
        session.add(self.stranger)
        self._teach(self.claire, self.terminale, self.math_subject)
        self._teach(self.claire, self.bts_mef, self.math_subject)
        self._teach(self.julie, self.terminale, self.english)
        session.commit()

    def _establishment(self, uai, name, category):
        establishment = Establishment(
            uai=uai,
            name=name,
            category=category,
            academy_id=self.academy.id,
            postcode="35000",
            town="RENNES",
        )
        self.session.add(establishment)
        self.session.flush()
        return establishment

    def _exam(self, code, name, categories):
        exam = Exam(code=code, name=name)
        exam.categories = [ExamCategory(category=c) for c in categories]
        self.session.add(exam)
        self.session.flush()
        return exam

    def _paper(self, exam, specialty_code, code, name):
        specialty = self.session.scalar(
            select(Specialty).where(Specialty.exam_id == exam.id, Specialty.code == specialty_code)
        ) or Specialty(exam_id=exam.id, code=specialty_code, name=specialty_code)
        self.session.add(specialty)
        self.session.flush()
        paper = Paper(specialty_id=specialty.id, code=code, name=name)
        self.session.add(paper)
        self.session.flush()
        return paper

    def _agent(self, numen, last_name, links):
        agent = Agent(
            academy_id=self.academy.id,
            kind=AgentKind.TEACHER,
            numen=numen,
            last_name=last_name,
            first_name="X",
        )
        agent.establishments = [
            AgentEstablishment(establishment_id=e.id, link_type=EstablishmentLinkType[t])
            for e, t in links
        ]
        self.session.add(agent)
        self.session.flush()
        return agent

    def _teach(self, agent, mef, subject):
        self.session.add(
            Teaching(
                agent_id=agent.id,
                establishment_id=agent.establishments[0].establishment_id,
                mef_id=mef.id,
                subject_id=subject.id,
                school_year=YEAR,
            )
        )


@pytest.fixture
def world(session):
    return World(session)


def competence(session, agent, paper):
    return session.scalar(
        select(Competence).where(Competence.agent_id == agent.id, Competence.paper_id == paper.id)
    )


def word(kind, code, verdict, minutes):
    return CompetenceEndorsement(
        author_kind=kind,
        author_code=code,
        verdict=verdict,
        created_at=dt.datetime(2026, 1, 1, 8, 0) + dt.timedelta(minutes=minutes),
    )


SYS, UAI, NUMEN, GEST = (
    EndorsementAuthor.SYSTEM,
    EndorsementAuthor.ESTABLISHMENT,
    EndorsementAuthor.AGENT,
    EndorsementAuthor.MANAGER,
)


def make(words):
    return Competence(endorsements=list(words))


# --- Trail and validity ----------------------------------------------------------------


def test_trail_shows_each_authors_latest_word_newest_first():
    c = make([word(SYS, "SYS", C, 0), word(UAI, "0650012K", C, 5)])
    assert svc.trail_text(c) == "0650012K (C) SYS (C)"
    c.endorsements.append(word(NUMEN, "04E1085537EDY", I, 9))
    assert svc.trail_text(c) == "04E1085537EDY (I) 0650012K (C) SYS (C)"
    c.endorsements.append(word(NUMEN, "04E1085537EDY", C, 12))
    assert svc.trail_text(c) == "04E1085537EDY (C) 0650012K (C) SYS (C)"


@pytest.mark.parametrize(
    ("words", "invalidated"),
    [
        ([word(SYS, "SYS", C, 0)], False),
        ([word(SYS, "SYS", C, 0), word(UAI, "0310055S", I, 1)], True),
        ([word(UAI, "0310055S", I, 1), word(SYS, "SYS", C, 2)], True),  # SYS never resurrects
        (
            [word(NUMEN, "N", I, 1), word(UAI, "0310055S", C, 2)],
            False,
        ),  # the establishment overrides
        ([word(UAI, "0310055S", I, 1), word(NUMEN, "N", C, 2)], False),
        ([word(SYS, "SYS", C, 0), word(GEST, "DEC2-GUILLOU", I, 3)], True),
        ([word(NUMEN, "N", C, 1), word(NUMEN, "N", I, 2)], True),
    ],
)
def test_a_competence_is_invalidated_by_the_latest_word_of_a_person(words, invalidated):
    assert svc.is_invalidated(make(words)) is invalidated


# --- Generation ---------------------------------------------------------------------------


def test_generation_creates_sys_competences_from_teachings(session, world):
    result = svc.generate(session, year=YEAR)
    assert (result.created, result.endorsed) == (3, 0)
    assert svc.trail_text(competence(session, world.claire, world.maths)) == "SYS (C)"
    # The BTS rule needs the BTS class: Claire teaches maths there, Julie does not.
    assert competence(session, world.claire, world.bts_maths) is not None
    assert competence(session, world.julie, world.lv3) is not None
    assert competence(session, world.julie, world.maths) is None


def test_generation_is_idempotent(session, world):
    svc.generate(session, year=YEAR)
    rows = session.scalar(select(func.count()).select_from(CompetenceEndorsement))
    again = svc.generate(session, year=YEAR)
    assert (again.created, again.endorsed) == (0, 0)
    assert session.scalar(select(func.count()).select_from(CompetenceEndorsement)) == rows


def test_generation_never_resurrects_an_invalidated_competence(session, world):
    svc.generate(session, year=YEAR)
    target = competence(session, world.claire, world.maths)
    svc.endorse(session, world.claire, target.id, svc.actor_for_agent(world.claire), I)
    svc.generate(session, year=YEAR)
    session.refresh(target)
    assert svc.is_invalidated(target)
    assert svc.trail_text(target).startswith("35E0000001MPC (I)")
    # Nor does a generation for another school year.
    svc.generate(session, year=YEAR + 1)
    assert svc.is_invalidated(target)


def test_generation_adds_sys_to_a_competence_the_agent_declared_first(session, world):
    svc.add_competence(
        session, world.claire, world.maths.id, svc.actor_for_agent(world.claire), allowed=None
    )
    result = svc.generate(session, year=YEAR)
    assert result.endorsed == 1
    assert svc.trail_text(competence(session, world.claire, world.maths)) == (
        "SYS (C) 35E0000001MPC (C)"
    )


def test_generation_for_one_agent_only(session, world):
    result = svc.generate(session, year=YEAR, agent_ids=[world.julie.id])
    assert result.created == 1
    assert competence(session, world.claire, world.maths) is None


# --- Exams offered ------------------------------------------------------------------------


def test_exams_are_narrowed_by_the_categories_of_the_agents_establishments(session, world):
    assert svc.offered_exam_ids(session, world.paul) == {world.dnb.id}  # collège: DNB
    assert svc.offered_exam_ids(session, world.claire) == {world.bac.id, world.bts.id}
    both = world._agent(
        "35E0000010ENS", "DEUX", [(world.lycee, "PRINCIPAL"), (world.college, "SECONDARY")]
    )
    assert svc.offered_exam_ids(session, both) == {world.dnb.id, world.bac.id, world.bts.id}
    nowhere = world._agent("35E0000011ENS", "NULLEPART", [])
    assert svc.offered_exam_ids(session, nowhere) == set()
    assert [e.code for e in svc.exams(session, set())] == []


def test_specialties_and_papers_follow_the_allowed_exams(session, world):
    allowed = svc.offered_exam_ids(session, world.paul)
    assert [s.code for s in svc.specialties(session, world.dnb.id, allowed)] == ["GEN"]
    assert svc.specialties(session, world.bac.id, allowed) == []
    assert svc.papers(session, world.lv3.specialty_id, allowed) == []
    assert [p.code for p in svc.papers(session, world.oral.specialty_id, allowed)] == ["ORAL"]


# --- Actions -------------------------------------------------------------------------------


def test_an_agent_adds_a_competence_of_an_offered_exam_only(session, world):
    actor = svc.actor_for_agent(world.claire)
    allowed = svc.offered_exam_ids(session, world.claire)
    with pytest.raises(DomainError):
        svc.add_competence(session, world.claire, world.oral.id, actor, allowed=allowed)
    created = svc.add_competence(session, world.claire, world.lv3.id, actor, allowed=allowed)
    assert svc.trail_text(created) == "35E0000001MPC (C)"
    with pytest.raises(DomainError):  # already there, confirmed by the same author
        svc.add_competence(session, world.claire, world.lv3.id, actor, allowed=allowed)


def test_adding_again_reconfirms_what_the_agent_had_invalidated(session, world):
    actor = svc.actor_for_agent(world.claire)
    created = svc.add_competence(session, world.claire, world.lv3.id, actor, allowed=None)
    svc.endorse(session, world.claire, created.id, actor, I)
    again = svc.add_competence(session, world.claire, world.lv3.id, actor, allowed=None)
    assert again.id == created.id
    assert not svc.is_invalidated(again)


def test_an_agent_cannot_touch_another_agents_competence(session, world):
    svc.generate(session, year=YEAR)
    julies = competence(session, world.julie, world.lv3)
    with pytest.raises(NotFound):
        svc.endorse(session, world.claire, julies.id, svc.actor_for_agent(world.claire), I)
    assert not svc.is_invalidated(julies)


def test_saying_the_same_thing_twice_is_refused(session, world):
    svc.generate(session, year=YEAR)
    target = competence(session, world.claire, world.maths)
    actor = svc.actor_for_agent(world.claire)
    svc.endorse(session, world.claire, target.id, actor, C)
    with pytest.raises(DomainError):
        svc.endorse(session, world.claire, target.id, actor, C)


# --- Scopes ---------------------------------------------------------------------------------


def test_a_head_sees_the_staff_of_the_establishments_they_head_only(session, world):
    staff = {link.agent.last_name for link in svc.agents_of_head(session, world.head)}
    assert staff == {"LECLERC", "BERTHELOT"}
    agent, actor = svc.agent_for_head(session, world.head, world.julie.id)
    assert agent.id == world.julie.id
    assert (actor.kind, actor.code) == (EndorsementAuthor.ESTABLISHMENT, "0350024L")
    for outsider in (world.erwan, world.paul, world.stranger, world.head):
        with pytest.raises(NotFound):
            svc.agent_for_head(session, world.head, outsider.id)
    # A teacher heads nothing: they see nobody.
    assert svc.agents_of_head(session, world.claire) == []


def test_the_head_speaks_with_the_establishment_code(session, world):
    svc.generate(session, year=YEAR)
    agent, actor = svc.agent_for_head(session, world.head, world.julie.id)
    target = competence(session, world.julie, world.lv3)
    svc.endorse(session, agent, target.id, actor, I)
    assert svc.trail_text(target) == "0350024L (I) SYS (C)"
    assert svc.is_invalidated(target)


def test_a_manager_acts_within_their_academy(session, world, app):
    user = app.appbuilder.sm.add_user(
        "gest", "A", "B", "gest@example.org", app.appbuilder.sm.find_role("Gestionnaire"), "x" * 12
    )
    manager = Manager(user_id=user.id, academy_id=world.academy.id, code="DEC2-GUILLOU")
    session.add(manager)
    session.commit()
    assert svc.agent_for_manager(session, manager, world.erwan.id).id == world.erwan.id
    with pytest.raises(NotFound):
        svc.agent_for_manager(session, manager, world.stranger.id)
    actor = svc.actor_for_manager(manager)
    created = svc.add_competence(session, world.erwan, world.oral.id, actor, allowed=None)
    assert svc.trail_text(created) == "DEC2-GUILLOU (C)"


def test_invalidated_competences_are_not_offered_for_convocation(session, world):
    svc.generate(session, year=YEAR)
    lv3 = world.lv3.id
    assert svc.competent_agent_ids(session, lv3) == {world.julie.id}
    target = competence(session, world.julie, world.lv3)
    svc.endorse(session, world.julie, target.id, svc.actor_for_agent(world.julie), I)
    assert svc.competent_agent_ids(session, lv3) == set()


def test_school_year_starts_in_september():
    assert svc.school_year(dt.date(2026, 11, 23)) == 2026
    assert svc.school_year(dt.date(2027, 6, 15)) == 2026
    assert svc.school_year(dt.date(2027, 9, 1)) == 2027
