"""Issue 12, finding 2: a manager sees and changes only their académie's records.

The Rennes manager of the demo (``gestionnaire``) tries every record of another
académie (Nantes: an agent with a financial file, their establishment, teaching and
competence, a mission with its date, a convocation with its claim, fee entry, travel
line and document, a payment batch, a barème and its line, a manager, the académie and
its settings) through
every route of every manager screen, CRUD or hand-written: each answers 404 (or 403
where the screen has no such action at all), shows nothing of it, and changes nothing.
The routes come from the url_map, so a new manager screen is walked too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.catalogue import CATALOGUE
from app.extensions import db
from app.services.claims import lifecycle
from app.services.common import scope
from models import (
    Academy,
    AcademySettings,
    Agent,
    AgentEstablishment,
    Assignment,
    Competence,
    Establishment,
    ExpenseClaim,
    FeeEntry,
    Job,
    Manager,
    Mef,
    Mission,
    MissionSlot,
    PaymentBatch,
    RateLine,
    RateTable,
    Subject,
    SupportingDocument,
    Teaching,
    TravelLeg,
    User,
)
from models.enums import (
    AgentKind,
    DocumentDossier,
    EstablishmentCategory,
    EstablishmentLinkType,
    JobState,
    LodgingZone,
    RateKind,
    Service,
    SlotDuration,
    TransportMode,
)
from tests.conftest import csrf_token
from views.base import ImaginModelView

MARK = "NANTAIS"


@pytest.fixture
def nantes(app, demo):
    """A full set of another académie's records; returns their ids by model."""
    with app.app_context():
        session = db.session
        academy = session.scalar(select(Academy).where(Academy.code == "NANTES"))
        rennes_mission = session.scalar(select(Mission).where(Mission.number == 52525))
        teacher = session.scalar(select(Agent).where(Agent.last_name == "LECLERC"))
        centre = Establishment(
            uai="0440001M",
            name=f"LYCEE {MARK}",
            category=EstablishmentCategory.LGT,
            academy=academy,
            postcode="44000",
            town="NANTES",
            lodging_zone=LodgingZone.STANDARD,
            is_exam_centre=True,
        )
        agent = Agent(
            academy=academy,
            kind=AgentKind.TEACHER,
            numen="44E1234567ABC",
            last_name=MARK,
            first_name="Jeanne",
            insee_number="284124400100191",
            iban="FR7630006000011234567890189",
            bic="AGRIFRPP",
            town="NANTES",
        )
        session.add_all([centre, agent])
        session.flush()
        session.add(
            AgentEstablishment(
                agent=agent, establishment=centre, link_type=EstablishmentLinkType.PRINCIPAL
            )
        )
        session.add(
            Teaching(
                agent=agent,
                establishment=centre,
                mef=session.scalars(select(Mef)).first(),
                subject=session.scalars(select(Subject)).first(),
                school_year=2026,
            )
        )
        competence = Competence(agent=agent, paper=teacher_paper(session, teacher))
        mission = Mission(
            academy=academy,
            number=44044,
            mission_type=rennes_mission.mission_type,
            session=rennes_mission.session,
            specialty=rennes_mission.specialty,
            paper=rennes_mission.paper,
            centre=centre,
        )
        mission.slots.append(
            MissionSlot(
                day=dt.date.today() - dt.timedelta(days=3),
                start_time=dt.time(8, 0),
                duration=SlotDuration.DAY,
            )
        )
        assignment = Assignment(mission=mission, agent=agent)
        assignment.claim = lifecycle.new_claim(mission.mission_type)
        session.add_all([competence, mission, assignment])
        session.flush()
        claim = assignment.claim
        claim.fee_entries.append(FeeEntry(candidates=3))
        leg = TravelLeg(
            position=1,
            departure_town="NANTES",
            arrival_town="NANTES",
            transport_mode=TransportMode.TRAIN,
            departure_date=mission.slots[0].day,
        )
        claim.travel_legs.append(leg)
        document = SupportingDocument(
            dossier=DocumentDossier.PAY,
            display_name="rib_nantes",
            stored_name="nantes-rib-0001.pdf",
            content_type="application/pdf",
            size_bytes=10,
            sha256="0" * 64,
        )
        claim.documents.append(document)
        user = User(
            first_name="Paul",
            last_name=MARK,
            username="gest-nantes",
            email="gest-nantes@ac-nantes.fr",
            active=True,
        )
        session.add(user)
        session.flush()
        manager = Manager(code=f"DEC-{MARK}", user_id=user.id, academy=academy)
        settings = AcademySettings(
            academy=academy,
            management_office_name=f"DEC {MARK}",
            management_office_address="44000 NANTES",
        )
        batch = PaymentBatch(academy_id=academy.id, number=4400, claim_count=0)
        job = Job(
            academy_id=academy.id,
            kind="payment_export",
            title="Export of the accepted expense claims",
            state=JobState.DONE,
            message=f"Lot {MARK}",
            result_name=f"{MARK}.csv",
            result_data=MARK.encode(),
        )
        rate_table = RateTable(
            academy=academy, name=f"Barème {MARK}", valid_from=dt.date(2022, 3, 14)
        )
        rate_table.lines.append(
            RateLine(kind=RateKind.MEAL, key="standard", amount=Decimal("44.44"))
        )
        session.add_all([manager, settings, batch, job, rate_table])
        session.commit()
        ids = {
            Academy: academy.id,
            AcademySettings: settings.id,
            Agent: agent.id,
            AgentEstablishment: agent.establishments[0].id,
            Teaching: agent.teachings[0].id,
            Competence: competence.id,
            Establishment: centre.id,
            Mission: mission.id,
            MissionSlot: mission.slots[0].id,
            Assignment: assignment.id,
            ExpenseClaim: claim.id,
            TravelLeg: leg.id,
            SupportingDocument: document.id,
            PaymentBatch: batch.id,
            Job: job.id,
            Manager: manager.id,
            RateTable: rate_table.id,
            RateLine: rate_table.lines[0].id,
        }
    return ids


def teacher_paper(session, teacher):
    from models import Paper

    return session.scalars(select(Paper)).first()


# Which record a URL parameter names.
PARAMETER_MODELS = {
    "agent_id": Agent,
    "competence_id": Competence,
    "mission_id": Mission,
    "assignment_id": Assignment,
    "claim_id": ExpenseClaim,
    "leg_id": TravelLeg,
    "document_id": SupportingDocument,
    "batch_id": PaymentBatch,
    "job_id": Job,
}
MANAGER_VIEWS = {
    view
    for activity in CATALOGUE
    if Service.MANAGER in activity.services
    for view in activity.views
}


def manager_routes(app):
    """(rule, method, view name) of every manager route naming a record."""
    routes = []
    for rule in app.url_map.iter_rules():
        view = rule.endpoint.split(".")[0]
        if view not in MANAGER_VIEWS or not rule.arguments & {"pk", *PARAMETER_MODELS}:
            continue
        if rule.endpoint.endswith((".action", ".download")):
            continue  # FAB's bulk actions and file downloads: the portal routes none
        for method in sorted(rule.methods & {"GET", "POST"}):
            routes.append((rule, method, view))
    return routes


def fill(app, rule, view, ids) -> str | None:
    """The rule's URL with the other académie's ids; None for a national record."""
    values = {}
    for name in rule.arguments:
        if name == "pk":
            model = view_named(app, view).datamodel.obj
            if scope.is_national(model):
                return None
            values[name] = ids[model]
        elif name in PARAMETER_MODELS:
            values[name] = ids[PARAMETER_MODELS[name]]
        elif name == "verdict":
            values[name] = "confirmer"
        elif name == "name":
            values[name] = "delete"
        elif name == "filename":
            return None
        else:
            raise AssertionError(f"unknown parameter {name} in {rule.rule}")
    return rule.build(values, append_unknown=False)[1]


def view_named(app, name):
    return next(view for view in app.appbuilder.baseviews if type(view).__name__ == name)


def counts(app):
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (
                Agent,
                Mission,
                Assignment,
                Competence,
                Establishment,
                Teaching,
                RateTable,
                RateLine,
            )
        }


def test_every_manager_route_answers_404_for_another_academys_record(app, log_in, nantes):
    client = log_in("gestionnaire")
    token = csrf_token(client.get("/agentmodelview/list/").text)
    before = counts(app)
    checked, wrong = 0, []
    for rule, method, view in manager_routes(app):
        url = fill(app, rule, view, nantes)
        if url is None:
            continue
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        checked += 1
        fab_view = view_named(app, view)
        allowed = {404}
        if isinstance(fab_view, ImaginModelView):
            # A CRUD screen without this action at all refuses it before any lookup.
            allowed.add(403)
            if method == "GET" and rule.endpoint.endswith(".delete"):
                allowed.add(302)  # FAB refuses a delete by GET before any lookup
        if response.status_code not in allowed or MARK in response.text:
            wrong.append((method, url, response.status_code))
    assert checked > 50
    assert wrong == [], "\n".join(map(str, wrong))
    assert counts(app) == before
    with app.app_context():
        agent = db.session.get(Agent, nantes[Agent])
        assert (agent.last_name, agent.iban) == (MARK, "FR7630006000011234567890189")


def test_another_academys_barème_is_a_404(app, log_in, nantes):
    """The barème belongs to an académie: its table and its lines are another
    académie's records like any other (and the routes' walk above covers them too)."""
    client = log_in("gestionnaire")
    table, line = nantes[RateTable], nantes[RateLine]
    for url in (
        f"/ratetablemodelview/show/{table}",
        f"/ratetablemodelview/edit/{table}",
        f"/ratelinemodelview/show/{line}",
        f"/ratelinemodelview/edit/{line}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert MARK not in response.text
    token = csrf_token(client.get("/ratetablemodelview/list/").text)
    assert (
        client.post(f"/ratelinemodelview/delete/{line}", data={"csrf_token": token}).status_code
        == 404
    )
    with app.app_context():
        assert db.session.get(RateLine, line) is not None


def test_no_manager_list_nor_drop_down_shows_another_academys_rows(app, log_in, nantes):
    client = log_in("gestionnaire")
    shown = []
    for view in app.appbuilder.baseviews:
        if not isinstance(view, ImaginModelView) or not view.datamodel.scoped:
            continue
        name = type(view).__name__.lower()
        for url in (f"/{name}/list/?psize_{name}=100", f"/{name}/add"):
            response = client.get(url)
            assert response.status_code in (200, 403), url
            if MARK in response.text or "44044" in response.text:
                shown.append(url)
    for url in (
        "/traitement-etats-de-frais/",
        f"/traitement-etats-de-frais/?agent={nantes[Agent]}",
        "/missions-affectations/",
        "/service-fait/",
        "/mise-en-paiement/",
        "/traitements/",
        "/competences/gestion/",
        "/competences/gestion/?q=Jeanne",
        "/tableau-de-bord/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        if MARK in response.text:
            shown.append(url)
    assert shown == []


def test_the_other_academys_manager_sees_their_own_records(app, client, nantes):
    """The scope is the manager's académie, not a fixed one."""
    from tests.conftest import login

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "gest-nantes"))
        from werkzeug.security import generate_password_hash

        user.password = generate_password_hash("Nantes-gestion-2026!", method="scrypt")
        user.roles = [app.appbuilder.sm.find_role("Gestionnaire")]
        db.session.commit()
    assert login(client, "gest-nantes", "Nantes-gestion-2026!").status_code == 302
    assert MARK in client.get(f"/agentmodelview/show/{nantes[Agent]}").text
    rennes = client.get("/agentmodelview/list/?_flt_0_last_name=LECLERC")
    assert rennes.status_code == 200
    assert "Claire" not in rennes.text


def test_a_contributor_created_by_a_manager_belongs_to_their_academy_and_to_no_account(
    app, log_in, nantes
):
    """Finding 1: the form offers neither the account nor the académie, and a forged
    post of them changes neither."""
    client = log_in("gestionnaire")
    form = client.get("/agentmodelview/add")
    assert 'name="user"' not in form.text
    assert 'name="academy"' not in form.text
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.username == "admin"))
    response = client.post(
        "/agentmodelview/add",
        data={
            "csrf_token": csrf_token(form.text),
            "kind": "EXTERNAL",
            "external_id": "EXT-PIRATE",
            "last_name": "PIRATE",
            "first_name": "Pat",
            "user": str(admin_id),
            "academy": str(nantes[Academy]),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        agent = db.session.scalar(select(Agent).where(Agent.last_name == "PIRATE"))
        assert agent.user_id is None
        assert agent.academy.code == "RENNES"
    edit = client.get(f"/agentmodelview/edit/{agent.id}")
    assert 'name="user"' not in edit.text and 'name="academy"' not in edit.text


def test_every_model_of_a_manager_screen_is_national_or_scoped(app):
    """A new CRUD screen on a model the scope does not know fails here (and at import)."""
    for view in app.appbuilder.baseviews:
        if isinstance(view, ImaginModelView):
            scope.is_national(view.datamodel.obj)
