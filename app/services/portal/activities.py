"""Activities and their openings: the menu of a user, whether an activity is open,
and the administrator's opening / closing of an activity for a service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.catalogue import (
    AGENT_SERVICES,
    ALWAYS_OPEN,
    BY_CODE,
    CATALOGUE,
    SECTIONS,
    ActivityDef,
)
from app.services import DomainError, NotFound
from models import Activity, ActivityOpening
from models.base import utcnow
from models.enums import Service

# Activities closed when the catalogue first writes its openings (the real académies
# open them when their campaign starts).
CLOSED_AT_FIRST: frozenset[tuple[str, Service]] = frozenset(
    {
        ("personal_info", Service.TEACHER),
    }
)


@dataclass
class MenuEntry:
    code: str
    label: object
    endpoint: str
    is_open: bool
    is_current: bool
    help: object


@dataclass
class MenuSection:
    key: str
    label: object
    entries: list[MenuEntry] = field(default_factory=list)


def sync_activities(session: Session) -> int:
    """Write the catalogue's activities and their openings (idempotent).

    New openings start open, except ``CLOSED_AT_FIRST``; existing ones keep their
    state. Openings the catalogue no longer defines are removed. Returns the number of
    rows created.
    """
    created = 0
    existing = {a.code: a for a in session.scalars(select(Activity)).all()}
    for definition in CATALOGUE:
        activity = existing.get(definition.code)
        with force_locale("fr"):
            name = str(definition.label)
        if activity is None:
            activity = Activity(code=definition.code, name=name)
            session.add(activity)
            created += 1
        else:
            activity.name = name
        have = {opening.service: opening for opening in activity.openings}
        for service in definition.services:
            if service not in have:
                activity.openings.append(
                    ActivityOpening(
                        service=service,
                        is_open=(definition.code, service) not in CLOSED_AT_FIRST,
                    )
                )
                created += 1
        for service, opening in have.items():
            if service not in definition.services:
                session.delete(opening)
    for code, activity in existing.items():
        if code not in BY_CODE:
            session.delete(activity)
    session.flush()
    return created


def open_states(session: Session, services: list[Service]) -> dict[tuple[str, Service], bool]:
    """Which activities are open for ``services``: {(activity code, service): open}."""
    if not services:
        return {}
    rows = session.execute(
        select(Activity.code, ActivityOpening.service, ActivityOpening.is_open)
        .join(ActivityOpening.activity)
        .where(ActivityOpening.service.in_(services))
    ).all()
    return {(code, service): is_open for code, service, is_open in rows}


def _is_open(definition: ActivityDef, services, states) -> bool:
    if definition.code in ALWAYS_OPEN:
        return True
    return any(
        states.get((definition.code, service), False)
        for service in services
        if service in definition.services
    )


def menu_for(
    session: Session,
    services: list[Service],
    current_code: str | None = None,
    *,
    states: dict | None = None,
    concerned: frozenset[str] = frozenset(),
) -> list[MenuSection]:
    """The menu of a user holding ``services``: sections of activities in catalogue
    order, each entry open or closed (greyed), the current one marked. ``states``: the
    openings (``open_states``) when the caller has read them already. An activity kept
    for an audience (``ActivityDef.audience``) is listed only when the user belongs to
    it (``concerned``: the audiences that hold for the user, ``audiences_of``)."""
    if states is None:
        states = open_states(session, services)
    sections: dict[str, MenuSection] = {}
    for definition in CATALOGUE:
        if not any(service in definition.services for service in services):
            continue
        if definition.audience is not None and definition.audience not in concerned:
            continue
        section = sections.setdefault(
            definition.section,
            MenuSection(key=definition.section, label=SECTIONS[definition.section]),
        )
        section.entries.append(
            MenuEntry(
                code=definition.code,
                label=definition.label,
                endpoint=definition.endpoint,
                is_open=_is_open(definition, services, states),
                is_current=definition.code == current_code,
                help=definition.help,
            )
        )
    return list(sections.values())


def audiences_for(services: list[Service]) -> frozenset[str]:
    """The audiences of the activities of ``services``: the conditions worth asking."""
    return frozenset(
        definition.audience
        for definition in CATALOGUE
        if definition.audience is not None
        and any(service in definition.services for service in services)
    )


def concerns(code: str, concerned: frozenset[str]) -> bool:
    """Whether activity ``code`` concerns a user for whom the audiences ``concerned``
    hold (always, for an activity kept for no audience)."""
    audience = BY_CODE[code].audience
    return audience is None or audience in concerned


def is_open_for(
    session: Session, code: str, services: list[Service], *, states: dict | None = None
) -> bool | None:
    """Whether activity ``code`` is open for a user holding ``services``.

    ``None`` when none of these services has the activity at all: that is a matter of
    permissions (403), not of opening. Whether it concerns the user is ``concerns``.
    """
    definition = BY_CODE[code]
    if not any(service in definition.services for service in services):
        return None
    if states is None:
        states = open_states(session, services)
    return _is_open(definition, services, states)


def editable_services(editor_services: list[Service]) -> list[Service]:
    """Services whose openings an editor may change: an administrator all of them, a
    manager the agents' services."""
    if Service.ADMIN in editor_services:
        return [svc for svc in Service if svc is not Service.ADMIN]
    if Service.MANAGER in editor_services:
        return list(AGENT_SERVICES)
    return []


@dataclass
class OpeningRow:
    id: int
    service: Service
    code: str
    label: object
    section: object
    is_open: bool
    locked: bool
    changed_at: dt.datetime
    changed_by: str


def opening_rows(session: Session, editor_services: list[Service]) -> list[OpeningRow]:
    services = editable_services(editor_services)
    if not services:
        return []
    openings = session.scalars(
        select(ActivityOpening)
        .options(joinedload(ActivityOpening.activity), joinedload(ActivityOpening.changed_by))
        .where(ActivityOpening.service.in_(services))
    ).all()
    order = {definition.code: index for index, definition in enumerate(CATALOGUE)}
    rows = []
    for opening in openings:
        definition = BY_CODE.get(opening.activity.code)
        if definition is None:
            continue
        rows.append(
            OpeningRow(
                id=opening.id,
                service=opening.service,
                code=definition.code,
                label=definition.label,
                section=SECTIONS[definition.section],
                is_open=opening.is_open or definition.code in ALWAYS_OPEN,
                locked=definition.code in ALWAYS_OPEN,
                changed_at=opening.changed_at,
                changed_by=opening.changed_by.username if opening.changed_by else "",
            )
        )
    service_order = list(Service)
    rows.sort(key=lambda r: (service_order.index(r.service), order[r.code]))
    return rows


def get_opening(session: Session, opening_id: int, editor_services: list[Service]):
    opening = session.get(ActivityOpening, opening_id)
    if opening is None or opening.service not in editable_services(editor_services):
        raise NotFound(_l("This activity opening does not exist."))
    return opening


def set_opening(
    session: Session,
    opening_id: int,
    is_open: bool,
    *,
    by_user_id: int | None,
    editor_services: list[Service],
) -> ActivityOpening:
    """Open or close an activity for a service."""
    opening = get_opening(session, opening_id, editor_services)
    if opening.activity.code in ALWAYS_OPEN and not is_open:
        raise DomainError(
            _l("This activity cannot be closed: it is the one that reopens activities.")
        )
    opening.is_open = is_open
    opening.changed_at = utcnow()
    opening.changed_by_id = by_user_id
    session.flush()
    return opening
