"""People: contributors' contact details and accounts, and who may reach whom."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.catalogue import ROLE_BY_SERVICE
from app.services import DomainError, NotFound
from app.services.common import listing, scope
from app.services.documents import store as stored_documents
from app.services.people import accounts
from app.services.people.accounts import NO_EMAIL_DOMAIN, placeholder_email
from models import Agent, Discipline, Manager, User
from models.enums import AgentKind, Service

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
# What an agent may write in their contact details (the form's validators are these).
POSTCODE = re.compile(r"[0-9]{5}", re.ASCII)  # a French postcode (Corsica's are 20xxx)
PHONE = re.compile(r"\+?[0-9 .()-]{6,20}")
FISCAL_POWER = (1, 99)  # as the database's check constraint on agent.car_fiscal_power
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


KEYWORD_COLUMNS = (Agent.last_name, Agent.first_name, Agent.numen, Agent.external_id, Agent.town)


def agent_keyword_condition(session: Session, pattern: str):
    """SQL: the agent's names, identifiers, town or post discipline hold ``pattern`` (a
    ``LIKE`` pattern). The disciplines matching it, a short table, are read first: the
    condition is then an ``OR`` of the agent's own columns, each with its trigram index
    on PostgreSQL (a bitmap ``OR`` of the indexes), instead of every agent of the
    académie read with its discipline and compared six times (28 ms on 20,000)."""
    arms = [listing.contains(column, pattern) for column in KEYWORD_COLUMNS]
    disciplines = session.scalars(
        select(Discipline.id).where(listing.contains(Discipline.name, pattern))
    ).all()
    if disciplines:
        arms.append(Agent.post_discipline_id.in_(disciplines))
    return or_(*arms)


def _clean(value):
    if isinstance(value, int):
        return value
    value = (value or "").strip()
    return value or None


def postcode_error(value: str | None):
    """A French postcode: five digits (the agent's address, a trip's towns)."""
    if value and not POSTCODE.fullmatch(value.strip()):
        return _l("Enter a postcode of 5 digits.")
    return None


def email_required_error(personal: str | None, professional: str | None):
    """An agent keeps at least one e-mail address: the portal writes to it (a password
    reset link, a convocation)."""
    if not (personal or "").strip() and not (professional or "").strip():
        return _l("Enter at least one e-mail address: the portal writes to you there.")
    return None


def phone_error(value: str | None):
    if value and not PHONE.fullmatch(value.strip()):
        return _l("This telephone number is not valid.")
    return None


def fiscal_power_message():
    low, high = FISCAL_POWER
    return _l("Enter a number between %(min)s and %(max)s.", min=low, max=high)


def fiscal_power_error(value: int | None):
    """The fiscal horsepower of the agent's car (kilometre allowances), when given."""
    low, high = FISCAL_POWER
    if value is not None and not low <= value <= high:
        return fiscal_power_message()
    return None


def update_contact(session: Session, agent: Agent, data: dict) -> Agent:
    """The contact details an agent may change themselves (never bank details nor the
    INSEE number: those go through the management office)."""
    before = stored_documents.shown_address(agent)
    for field in CONTACT_FIELDS:
        if field in data:
            value = _clean(data[field])
            if field.startswith("email") and value:
                value = value.lower()
            setattr(agent, field, value)
    session.flush()
    if stored_documents.shown_address(agent) != before:
        stored_documents.agent_changed(session, agent)  # their recaps show the address
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
    session.flush()


# --- A manager's actions on a contributor's account ------------------------------------------

EXTERNAL_ROLE = ROLE_BY_SERVICE[Service.EXTERNAL]


@dataclass(frozen=True)
class AccountActions:
    """What a manager may do on a contributor's account (seed 002: give a temporary
    password, which creates the account when missing, or mail a reset link), and why
    not when refused."""

    temporary_password: bool
    reset_link: bool
    refused: object = None  # why no action at all (a French message), or None
    link_refused: object = None  # why no reset link although the account is managed


def _roles_of(user: User) -> set[str]:
    """Every role of the account, whether given directly or through a group."""
    names = {role.name for role in user.roles}
    for group in getattr(user, "groups", None) or ():
        names |= {role.name for role in group.roles}
    return names


def account_actions(session: Session, agent: Agent) -> AccountActions:
    """A manager touches only an external contributor's account: one that does not
    exist yet, or whose only role is "Intervenant extérieur". Never a staff or an
    administrator account, whatever agent file it is linked to."""
    if agent.kind != AgentKind.EXTERNAL:
        return AccountActions(
            False,
            False,
            refused=_l(
                "Only an external contributor's account can be managed here: staff log "
                "in with their academy's account."
            ),
        )
    user = agent.user
    if user is None:
        return AccountActions(True, False)
    if _roles_of(user) != {EXTERNAL_ROLE}:
        return AccountActions(
            False,
            False,
            refused=_l(
                "This account has other roles than external contributor: only an "
                "administrator can change its password."
            ),
        )
    if accounts.contact_email(session, user) is None:
        return AccountActions(
            True,
            False,
            link_refused=_l("No e-mail address is known for this contributor: record one first."),
        )
    return AccountActions(True, True)


def _check_allowed(session: Session, agent: Agent) -> AccountActions:
    actions = account_actions(session, agent)
    if actions.refused is not None:
        raise DomainError(actions.refused)
    return actions


def temporary_password_for(
    session: Session, security_manager, agent: Agent, policy: accounts.Policy
) -> tuple[User, str]:
    """A manager gives the contributor a temporary password (shown once), creating
    their account when missing; refused for any account but an external one."""
    _check_allowed(session, agent)
    user = ensure_account(session, security_manager, agent)
    return user, accounts.issue_temporary_password(session, user, policy)


def reset_link_for(
    session: Session, agent: Agent, policy: accounts.Policy
) -> tuple[User, str, str]:
    """A manager mails the contributor a reset link: (user, address, token)."""
    actions = _check_allowed(session, agent)
    if agent.user is None:
        raise DomainError(_l("This contributor has no account yet."))
    if not actions.reset_link:
        raise DomainError(actions.link_refused)
    return accounts.issue_reset(session, agent.user, policy)


def ensure_account(session: Session, security_manager, agent: Agent) -> User:
    """The agent's user account, created when missing (identifier: the external
    identifier printed on the convocation, or the numen). Never an existing account of
    someone else: an identifier already taken is refused."""
    if agent.user is not None:
        return agent.user
    username = agent.external_id or agent.numen
    taken = session.scalar(
        select(User.id).where(func.lower(User.username) == (username or "").lower())
    )
    if not username or taken is not None:
        raise DomainError(
            _l(
                "The identifier %(user)s is already another account's: ask an administrator.",
                user=username or "",
            )
        )
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
    if not user:
        raise DomainError(_l("The account could not be created: ask an administrator."))
    agent.user_id = user.id
    session.flush()
    return user
