"""People: contributors' contact details and accounts, and who may reach whom."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalogue import ROLE_BY_SERVICE
from models import Agent, Manager, User
from models.enums import AgentKind, Service

from . import NotFound, scope
from .accounts import NO_EMAIL_DOMAIN, placeholder_email

CONTACT_FIELDS = (
    "address_line1",
    "address_line2",
    "postcode",
    "town",
    "phone",
    "email_professional",
    "email_personal",
    "car_fiscal_power",
)
SERVICE_BY_KIND = {
    AgentKind.EXTERNAL: Service.EXTERNAL,
    AgentKind.HEAD: Service.HEAD,
}


def agent_in_academy(session: Session, manager: Manager, agent_id: int) -> Agent:
    """An agent of the manager's académie; anyone else is NotFound."""
    try:
        return scope.in_academy(session, Agent, manager.academy_id, agent_id)
    except NotFound:
        raise NotFound(_l("This contributor does not exist or is not in your academy.")) from None


def academy_agent(session: Session, academy_id: int, agent_id: int | None) -> Agent | None:
    """The agent ``agent_id`` if they are of the académie (None otherwise)."""
    if agent_id is None:
        return None
    try:
        return scope.in_academy(session, Agent, academy_id, agent_id)
    except NotFound:
        return None


def _clean(value):
    if isinstance(value, int):
        return value
    value = (value or "").strip()
    return value or None


def update_contact(session: Session, agent: Agent, data: dict) -> Agent:
    """The contact details an agent may change themselves (never bank details nor the
    INSEE number: those go through the management office)."""
    for field in CONTACT_FIELDS:
        if field in data:
            value = _clean(data[field])
            if field.startswith("email") and value:
                value = value.lower()
            setattr(agent, field, value)
    session.commit()
    return agent


def set_personal_email(session: Session, user: User, address: str) -> None:
    """Record the e-mail a user gave (first login): on their agent file, and on the
    account when it only had a placeholder."""
    address = address.strip().lower()
    agent = session.scalar(select(Agent).where(Agent.user_id == user.id))
    if agent is not None:
        agent.email_personal = address
    taken = session.scalar(select(User.id).where(User.email == address, User.id != user.id))
    if user.email.endswith("@" + NO_EMAIL_DOMAIN) and taken is None:
        user.email = address
    session.commit()


def ensure_account(session: Session, security_manager, agent: Agent) -> User:
    """The agent's user account, created when missing (identifier: the external
    identifier printed on the convocation, or the numen)."""
    if agent.user is not None:
        return agent.user
    username = agent.external_id or agent.numen
    service = SERVICE_BY_KIND.get(agent.kind, Service.TEACHER)
    role = security_manager.find_role(ROLE_BY_SERVICE[service])
    email = agent.email_personal or agent.email_professional
    if not email or session.scalar(select(User.id).where(User.email == email)) is not None:
        email = placeholder_email(username)
    user = security_manager.add_user(
        username=username,
        first_name=agent.first_name,
        last_name=agent.last_name,
        email=email,
        role=role,
    )
    agent.user_id = user.id
    session.commit()
    return user
