"""Conflicts of interest: a manager records one (agent by numen or identifier, a
centre by its UAI or a mission by its number, a reason), resolved in their académie
only; lists and removes them; and the rule that keeps an agent off a mission (SQL:
``excluded_clause`` for one mission, ``excluded_pairs`` for a session), which manual
convocation obeys."""

import datetime as dt

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from app.services import DomainError, NotFound
from app.services.common import clock, listing
from app.services.missions import conflicts
from app.services.missions import convocation as convocation_svc
from models import (
    Academy,
    Agent,
    AgentEstablishment,
    AssignmentConflict,
    Establishment,
    ExamSession,
    Mef,
    Mission,
    MissionSlot,
    MissionType,
    Subject,
    Teaching,
    Unavailability,
)
from models.enums import (
    AgentKind,
    DayPart,
    EstablishmentCategory,
    EstablishmentLinkType,
    LodgingZone,
    SlotDuration,
)

COLUMNS = (
    listing.Column("agent", "agent"),
    listing.Column("identifier", "identifier"),
    listing.Column("target", "target"),
    listing.Column("reason", "reason"),
    listing.Column("author", "author"),
    listing.Column("created", "created", listing.DATE),
)


def find(session, model, **lookup):
    return session.scalar(select(model).filter_by(**lookup))


@pytest.fixture
def rennes(demo, session):
    return find(session, Academy, code="RENNES")


@pytest.fixture
def manager(demo, session):
    return find(session, User, username="gestionnaire").id


@pytest.fixture
def nantes(demo, session):
    """Another académie with its centre, agent and mission."""
    academy = find(session, Academy, code="NANTES") or Academy(code="NANTES", name="Nantes")
    centre = Establishment(
        uai="0449999Z",
        name="LYCEE DE NANTES",
        category=EstablishmentCategory.LPO,
        academy=academy,
        postcode="44000",
        town="NANTES",
        lodging_zone=LodgingZone.STANDARD,
    )
    agent = Agent(
        academy=academy,
        kind=AgentKind.TEACHER,
        last_name="NANTAIS",
        first_name="Yann",
        numen="44E0000001ENS",
    )
    mission = Mission(
        academy=academy,
        number=440001,
        mission_type=find(session, MissionType, code="SURV"),
        session=session.scalars(select(ExamSession).order_by(ExamSession.id)).first(),
        centre=centre,
    )
    session.add_all([academy, centre, agent, mission])
    session.flush()
    return academy, centre, agent, mission


def values(agent="35E0000008ENS", centre="", mission="", reason="Conjoint dans le centre"):
    return {"agent": agent, "centre": centre, "mission": mission, "reason": reason}


def refused(session, academy_id, typed):
    with pytest.raises(conflicts.ConflictErrors) as error:
        conflicts.record(session, academy_id, typed, by_user_id=None)
    return {name: str(message) for name, message in error.value.errors.items()}


def test_record_a_centre_conflict_by_numen_typed_in_lower_case(session, rennes, manager):
    recorded = conflicts.record(
        session,
        rennes.id,
        values(agent=" 35e0000008ens ", centre="0350710g"),
        by_user_id=manager,
    )
    assert recorded.agent.last_name == "GOURVES"
    assert recorded.establishment.uai == "0350710G"
    assert recorded.mission is None
    assert recorded.reason == "Conjoint dans le centre"
    assert recorded.created_by_id == manager
    assert conflicts.target_label(recorded).startswith("Centre d'examen ")


def test_record_a_mission_conflict_of_an_external_contributor(session, rennes):
    recorded = conflicts.record(
        session, rennes.id, values(agent="EXT35000123", mission="77824"), by_user_id=None
    )
    assert recorded.agent.external_id == "EXT35000123"
    assert recorded.mission.number == 77824
    assert conflicts.target_label(recorded) == "Mission N° 77824"


@pytest.mark.parametrize(
    ("typed", "errors"),
    [
        (
            values(agent="", reason=""),
            {
                "agent": "Ce champ est obligatoire.",
                "reason": "Ce champ est obligatoire.",
                "centre": "Indiquez soit un centre d'examen, soit un numéro de mission, pas les deux.",
            },
        ),
        (
            values(agent="99E9999999ENS", centre="0350710G"),
            {"agent": "Aucun intervenant de votre académie n'a ce numen ou cet identifiant."},
        ),
        (
            values(centre="0350710G", mission="77824"),
            {
                "centre": "Indiquez soit un centre d'examen, soit un numéro de mission, pas les deux."
            },
        ),
        (
            values(centre="9999999X"),
            {"centre": "Aucun établissement de votre académie n'a ce code UAI."},
        ),
        (values(mission="123"), {"mission": "Aucune mission de votre académie n'a ce numéro."}),
        (values(mission="12a"), {"mission": "Saisissez un nombre entier."}),
        (values(centre="0350710G", reason="x" * 301), {"reason": "300 caractères au plus."}),
    ],
)
def test_a_wrong_form_says_why_next_to_the_field(session, rennes, typed, errors):
    before = session.scalar(select(func.count(AssignmentConflict.id)))
    assert refused(session, rennes.id, typed) == errors
    assert session.scalar(select(func.count(AssignmentConflict.id))) == before


def test_the_same_conflict_twice_is_refused(session, rennes):
    conflicts.record(session, rennes.id, values(centre="0350710G"), by_user_id=None)
    assert refused(session, rennes.id, values(centre="0350710G")) == {
        "agent": "Ce conflit d'intérêts est déjà enregistré."
    }
    # The demo's own: GOURVES × the invigilation no. 340001.
    assert refused(session, rennes.id, values(mission="340001")) == {
        "agent": "Ce conflit d'intérêts est déjà enregistré."
    }


def test_another_academys_agent_centre_or_mission_is_unknown(session, rennes, nantes):
    _academy, centre, agent, mission = nantes
    assert refused(session, rennes.id, values(agent=agent.numen, centre="0350710G")) == {
        "agent": "Aucun intervenant de votre académie n'a ce numen ou cet identifiant."
    }
    assert refused(session, rennes.id, values(centre=centre.uai)) == {
        "centre": "Aucun établissement de votre académie n'a ce code UAI."
    }
    assert refused(session, rennes.id, values(mission=str(mission.number))) == {
        "mission": "Aucune mission de votre académie n'a ce numéro."
    }


def test_list_search_and_remove_within_the_academy(session, rennes, nantes):
    academy, centre, agent, _mission = nantes
    other = AssignmentConflict(
        academy_id=academy.id, agent=agent, establishment=centre, reason="Autre académie"
    )
    session.add(other)
    conflicts.record(
        session, rennes.id, values(agent="EXT35000123", mission="77824"), by_user_id=None
    )
    page = conflicts.academy_page(session, rennes.id, COLUMNS)
    listed = [row.cells["conflict"] for row in page.rows]
    assert {c.agent.last_name for c in listed} == {"GOURVES", "LE GALL"}
    assert other not in listed
    found = conflicts.academy_page(session, rennes.id, COLUMNS, q="gall 77824")
    assert [row.cells["conflict"].agent.last_name for row in found.rows] == ["LE GALL"]
    with pytest.raises(NotFound):
        conflicts.academy_conflict(session, rennes.id, other.id)
    demo_conflict = next(c for c in listed if c.agent.last_name == "GOURVES")
    conflicts.remove(session, conflicts.academy_conflict(session, rennes.id, demo_conflict.id))
    assert find(session, AssignmentConflict, id=demo_conflict.id) is None


# --- The rule ------------------------------------------------------------------------------


@pytest.fixture
def centre(rennes, session):
    """A new exam centre of Rennes, where nobody works yet."""
    created = Establishment(
        uai="0359999Z",
        name="LYCEE NEUF",
        category=EstablishmentCategory.LGT,
        academy=rennes,
        postcode="35000",
        town="RENNES",
        lodging_zone=LodgingZone.STANDARD,
    )
    session.add(created)
    session.flush()
    return created


def new_mission(session, rennes, centre, number, type_code):
    created = Mission(
        academy=rennes,
        number=number,
        mission_type=find(session, MissionType, code=type_code),
        session=session.scalars(select(ExamSession).order_by(ExamSession.id)).first(),
        centre=centre,
    )
    created.slots = [
        MissionSlot(
            day=clock.today() + dt.timedelta(days=200),
            start_time=dt.time(8),
            duration=SlotDuration.DAY,
        )
    ]
    session.add(created)
    session.flush()
    return created


def excluded(session, mission):
    return set(session.scalars(select(Agent.id).where(conflicts.excluded_clause(mission))))


def agent(session, numen):
    return find(session, Agent, numen=numen)


def works_at(session, who, centre, *, teaching=None):
    if teaching is None:
        session.add(
            AgentEstablishment(
                agent=who, establishment=centre, link_type=EstablishmentLinkType.SECONDARY
            )
        )
    else:
        session.add(
            Teaching(
                agent=who,
                establishment=centre,
                mef=session.scalars(select(Mef)).first(),
                subject=session.scalars(select(Subject)).first(),
                school_year=clock.today().year,
                active=teaching,
            )
        )
    session.flush()


def test_the_rule_recorded_conflicts_and_own_students(session, rennes, centre):
    assert find(session, MissionType, code="INTERRO").own_students_conflict is True
    assert find(session, MissionType, code="SURV").own_students_conflict is False
    oral = new_mission(session, rennes, centre, 990101, "INTERRO")
    invigilation = new_mission(session, rennes, centre, 990102, "SURV")
    elsewhere = new_mission(session, rennes, None, 990103, "INTERRO")  # at home: no centre
    cadiou, daniel, even, floch, gourves = (
        agent(session, f"35E000000{i}ENS") for i in (4, 5, 6, 7, 8)
    )
    # Recorded: CADIOU × the centre, DANIEL × the oral only.
    conflicts.record(
        session, rennes.id, values(agent=cadiou.numen, centre=centre.uai), by_user_id=None
    )
    conflicts.record(
        session, rennes.id, values(agent=daniel.numen, mission="990101"), by_user_id=None
    )
    # Own students: EVEN attached, FLOCH teaching there; GOURVES taught there once.
    works_at(session, even, centre)
    works_at(session, floch, centre, teaching=True)
    works_at(session, gourves, centre, teaching=False)

    assert excluded(session, oral) == {cadiou.id, daniel.id, even.id, floch.id}
    # An invigilation is no oral: its own-students rule does not apply.
    assert excluded(session, invigilation) == {cadiou.id}
    assert excluded(session, elsewhere) == set()

    pairs = conflicts.excluded_pairs(session, [oral.id, invigilation.id, elsewhere.id])
    assert pairs == {
        (cadiou.id, oral.id),
        (cadiou.id, invigilation.id),
        (daniel.id, oral.id),
        (even.id, oral.id),
        (floch.id, oral.id),
    }
    assert conflicts.excluded_pairs(session, []) == set()


def test_manual_convocation_never_offers_nor_convokes_a_conflicted_agent(
    session, rennes, centre, manager
):
    invigilation = new_mission(session, rennes, centre, 990104, "SURV")
    cadiou, daniel, even = (agent(session, f"35E000000{i}ENS") for i in (4, 5, 6))
    day = invigilation.first_day
    session.add(
        Unavailability(
            agent=even, session=invigilation.session, starts_on=day, ends_on=day, part=DayPart.DAY
        )
    )
    session.flush()

    def offered():
        query = convocation_svc.candidate_query(session, invigilation)
        free = set(session.scalars(query.statement.with_only_columns(Agent.id)))
        apart = set(session.scalars(query.unavailable.with_only_columns(Agent.id)))
        return free, apart

    free, apart = offered()
    assert {cadiou.id, daniel.id} <= free
    assert even.id in apart
    for who in (cadiou, even):
        conflicts.record(
            session, rennes.id, values(agent=who.numen, centre=centre.uai), by_user_id=None
        )
    free, apart = offered()
    assert cadiou.id not in free
    assert daniel.id in free
    # Nor listed apart as unavailable (to convoke anyway with a reason).
    assert even.id not in apart
    with pytest.raises(DomainError) as error:
        convocation_svc.convoke(
            session,
            invigilation,
            [cadiou.id, daniel.id],
            quality=None,
            jury=None,
            by_user_id=manager,
        )
    assert "conflit d'intérêts" in str(error.value)
    assert "CADIOU" in str(error.value)
    with pytest.raises(DomainError):
        convocation_svc.convoke(
            session,
            invigilation,
            [even.id],
            quality=None,
            jury=None,
            by_user_id=manager,
            override_reason="Urgence",
        )
    assert invigilation.assignments == []
    [made] = convocation_svc.convoke(
        session, invigilation, [daniel.id], quality=None, jury=None, by_user_id=manager
    )
    assert made.agent_id == daniel.id
