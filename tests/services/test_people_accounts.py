"""Which accounts a manager may touch (issue 12, finding 1): only an external
contributor's, not created yet or whose only role is "Intervenant extérieur"."""

import datetime as dt

import pytest
from sqlalchemy import select

from app.services import DomainError
from app.services.people import accounts
from app.services.people import directory as people
from models import Academy, Agent, User
from models.enums import AgentKind

POLICY = accounts.Policy(
    idle=dt.timedelta(minutes=30),
    max_age=dt.timedelta(hours=12),
    temporary_valid=dt.timedelta(days=30),
    reset_valid=dt.timedelta(minutes=60),
    lockout_failures=10,
    lockout=dt.timedelta(minutes=15),
    hash_method="pbkdf2:sha256:1000",
)


@pytest.fixture
def academy(session):
    rennes = Academy(code="RENNES", name="Académie de Rennes")
    session.add(rennes)
    session.commit()
    return rennes


def _user(app_ctx, username, *roles):
    sm = app_ctx.appbuilder.sm
    user = sm.add_user(
        username, "Prénom", "NOM", f"{username}@example.org", [sm.find_role(r) for r in roles]
    )
    assert user
    return user


def _agent(session, academy, identifier, kind=AgentKind.EXTERNAL, user=None):
    agent = Agent(
        academy_id=academy.id,
        kind=kind,
        external_id=identifier if kind == AgentKind.EXTERNAL else None,
        numen=None if kind == AgentKind.EXTERNAL else identifier,
        last_name="NOM",
        first_name="Prénom",
        user_id=user.id if user else None,
    )
    session.add(agent)
    session.commit()
    return agent


@pytest.mark.parametrize(
    ("kind", "roles", "allowed"),
    [
        (AgentKind.EXTERNAL, None, True),  # no account yet: creating it is allowed
        (AgentKind.EXTERNAL, ("Intervenant extérieur",), True),
        (AgentKind.EXTERNAL, ("Admin",), False),
        (AgentKind.EXTERNAL, ("Gestionnaire",), False),
        (AgentKind.EXTERNAL, ("Enseignant",), False),
        (AgentKind.EXTERNAL, ("Chef d'établissement",), False),
        (AgentKind.EXTERNAL, ("Intervenant extérieur", "Enseignant"), False),
        (AgentKind.EXTERNAL, (), False),
        (AgentKind.TEACHER, None, False),
        (AgentKind.TEACHER, ("Enseignant",), False),
        (AgentKind.HEAD, ("Chef d'établissement",), False),
        (AgentKind.INSPECTOR, None, False),
    ],
)
def test_what_a_manager_may_do_on_an_account(app_ctx, session, academy, kind, roles, allowed):
    user = _user(app_ctx, "compte", *roles) if roles is not None else None
    agent = _agent(
        session, academy, "EXT35000555" if kind == AgentKind.EXTERNAL else "35E1", kind, user
    )
    actions = people.account_actions(session, agent)
    assert actions.temporary_password is allowed
    assert (actions.refused is None) is allowed
    if not allowed:
        before = user.password if user else None
        with pytest.raises(DomainError):
            people.temporary_password_for(session, app_ctx.appbuilder.sm, agent, POLICY)
        with pytest.raises(DomainError):
            people.reset_link_for(session, agent, POLICY)
        assert (user.password if user else None) == before
        assert session.get(Agent, agent.id).user_id == (user.id if user else None)


def test_a_reset_link_needs_an_account_and_an_e_mail(app_ctx, session, academy):
    agent = _agent(session, academy, "EXT35000556")
    with pytest.raises(DomainError, match="pas encore de compte"):
        people.reset_link_for(session, agent, POLICY)
    user, _password = people.temporary_password_for(session, app_ctx.appbuilder.sm, agent, POLICY)
    assert user.email == accounts.placeholder_email("EXT35000556")
    actions = people.account_actions(session, agent)
    assert (actions.reset_link, actions.link_refused is not None) == (False, True)
    with pytest.raises(DomainError):
        people.reset_link_for(session, agent, POLICY)
    agent.email_personal = "prenom.nom@example.org"
    found = people.reset_link_for(session, agent, POLICY)
    assert found[:2] == (user, "prenom.nom@example.org")


def test_an_account_is_never_taken_from_someone_else(app_ctx, session, academy):
    admin = _user(app_ctx, "Admin-Rennes", "Admin")
    agent = _agent(session, academy, "admin-rennes")  # the same identifier, another case
    with pytest.raises(DomainError):
        people.ensure_account(session, app_ctx.appbuilder.sm, agent)
    assert agent.user_id is None
    assert session.scalar(select(User).where(User.username == "Admin-Rennes")) is admin
