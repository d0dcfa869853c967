"""Who a user is in the portal: their services (from their roles), their agent or
manager record."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.catalogue import ROLE_BY_SERVICE, SERVICE_BY_ROLE
from models import Agent, Manager
from models.enums import Service

SERVICE_ORDER = list(ROLE_BY_SERVICE)


def services_of(user) -> list[Service]:
    """The services of a user, in catalogue order (a user may hold several roles)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    names = {role.name for role in user.roles}
    return [svc for svc in SERVICE_ORDER if ROLE_BY_SERVICE[svc] in names]


def agent_of(session: Session, user) -> Agent | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    # The académie and the post discipline with the file: the pages and the shell
    # show the first, the menu's audiences read the second (no query of their own).
    return session.scalar(
        select(Agent)
        .options(joinedload(Agent.academy), joinedload(Agent.post_discipline))
        .where(Agent.user_id == user.id)
    )


def manager_of(session: Session, user) -> Manager | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return session.scalar(
        select(Manager).options(joinedload(Manager.academy)).where(Manager.user_id == user.id)
    )


def ensure_roles(security_manager) -> list[str]:
    """Create the portal's roles (and FAB's public role) if they do not exist yet."""
    created = []
    for role_name in [*SERVICE_BY_ROLE, security_manager.auth_role_public]:
        if security_manager.find_role(role_name) is None:
            security_manager.add_role(role_name)
            created.append(role_name)
    return created
