"""The managers' messages per service: the welcome message shown on the home page and
the conditions of use accepted before entering expense claims.

Managers write Markdown (limited HTML is accepted too); it is rendered and then
sanitised with nh3 (the Ammonia sanitiser): no script, event handler, style or
foreign scheme survives.
"""

from __future__ import annotations

import markdown
import nh3
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services import DomainError
from app.services.common import clock
from models import ConditionsAcceptance, PortalMessage
from models.base import utcnow
from models.enums import MessageKind, Service

MAX_LENGTH = 20_000

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "b", "em", "i", "u", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def render(body: str) -> Markup:
    """Markdown (or limited HTML) to safe HTML."""
    html = markdown.markdown(body or "", extensions=["tables", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return Markup(clean)  # noqa: S704 - sanitised just above


def get_message(session: Session, service: Service, kind: MessageKind) -> PortalMessage | None:
    return session.scalar(
        select(PortalMessage).where(PortalMessage.service == service, PortalMessage.kind == kind)
    )


def all_messages(session: Session, services: list[Service]) -> dict:
    rows = session.scalars(select(PortalMessage).where(PortalMessage.service.in_(services)))
    return {(m.service, m.kind): m for m in rows}


def save_message(
    session: Session,
    service: Service,
    kind: MessageKind,
    body: str,
    *,
    by_user_id: int | None,
) -> PortalMessage:
    """Write the message of ``service``; its version grows when the text changes."""
    check_editable(service, kind)
    body = (body or "").replace("\r\n", "\n").strip()
    if len(body) > MAX_LENGTH:
        raise DomainError(
            _l("The message is too long (%(max)s characters at most).", max=MAX_LENGTH)
        )
    message = get_message(session, service, kind)
    if message is None:
        message = PortalMessage(service=service, kind=kind, body=body, version=1)
        session.add(message)
    elif message.body != body:
        message.body = body
        message.version += 1
    else:
        return message
    message.updated_at = utcnow()
    message.updated_by_id = by_user_id
    session.flush()
    return message


# The messages managers write: a welcome message for each service's home page, the
# conditions of use for the services that enter expense claims.
EDITABLE = (
    (Service.TEACHER, MessageKind.WELCOME),
    (Service.TEACHER, MessageKind.CONDITIONS),
    (Service.EXTERNAL, MessageKind.WELCOME),
    (Service.EXTERNAL, MessageKind.CONDITIONS),
    (Service.HEAD, MessageKind.WELCOME),
    (Service.MANAGER, MessageKind.WELCOME),
)


def check_editable(service: Service, kind: MessageKind) -> None:
    if (service, kind) not in EDITABLE:
        raise DomainError(_l("This service has no such message."))


# --- Conditions of use -------------------------------------------------------------------


def pending_conditions(session: Session, user_id: int, service: Service) -> PortalMessage | None:
    """The conditions of use the user must accept before entering expense claims: the
    current version of their service's text, unless they accepted that version."""
    accepted = (
        select(ConditionsAcceptance.id)
        .where(
            ConditionsAcceptance.user_id == user_id,
            ConditionsAcceptance.service == service,
            ConditionsAcceptance.version == PortalMessage.version,
        )
        .exists()
    )
    found = session.execute(
        select(PortalMessage, accepted).where(
            PortalMessage.service == service, PortalMessage.kind == MessageKind.CONDITIONS
        )
    ).first()
    if found is None:
        return None
    message, done = found
    return None if done or not message.body.strip() else message


def accept_conditions(session: Session, user_id: int, service: Service, version: int) -> None:
    """Record who accepted which version of the text, when, with the text itself.
    ``version`` is the one the user read: a newer one must be read first."""
    message = pending_conditions(session, user_id, service)
    if message is None:
        return
    if message.version != version:
        raise DomainError(_l("The conditions of use have just changed: read them again."))
    session.add(
        ConditionsAcceptance(
            user_id=user_id,
            service=service,
            version=message.version,
            text=message.body,
            accepted_at=clock.now(),
        )
    )
    session.flush()
