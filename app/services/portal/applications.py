"""The applications the access portal opens (SANTORIN, CYCLADES and their modules,
DELOS): the address template an administrator sets, whether an application is
available now, and the way through the portal — check, record the access, give the
address (seed 001 §2.7-2.10, seed 002 « Portail d'accès aux missions »).

An address is a template: ``https://santorin.ac-{academie}.fr/correcteur?mission={numero}``.
Only ``https://`` and the placeholders of ``PLACEHOLDERS`` are accepted; the values are
URL-encoded when the address is built. An entry that is not a mission (« Gestion des
épreuves EPS »…) has no mission number: ``{numero}`` is then empty.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services import DomainError, NotFound
from app.services.common import clock
from app.services.portal import mission_access
from models import Academy, Agent, Application, ApplicationAccess, Assignment

# {numero}: the mission number; {academie}: the académie's code in lower case.
PLACEHOLDERS = ("numero", "academie")
MAX_TEMPLATE_LENGTH = 400

# The activities that open one application (not through a mission), by code.
ACTIVITY_APPLICATIONS = {
    "eps_management": "CYCLADES_EPS",
    "jury_portal": "CYCLADES_JURY",
    "subjects": "DELOS_BNS",
    "national_statistics": "SANTORIN_STATS",
}


def template_error(template: str | None):
    """Why an address template is refused (a French message), or None when it is
    acceptable: https only, a host, the placeholders of ``PLACEHOLDERS`` only."""
    template = (template or "").strip()
    if not template:
        return _l("Enter the address of the application.")
    if len(template) > MAX_TEMPLATE_LENGTH:
        return _l("The address may hold %(max)d characters at most.", max=MAX_TEMPLATE_LENGTH)
    if any(character.isspace() for character in template):
        return _l("The address may not contain spaces.")
    try:
        fields = [
            (name, spec, conversion)
            for _text, name, spec, conversion in string.Formatter().parse(template)
            if name is not None
        ]
    except ValueError:
        return _l("A brace of the address is not closed: write placeholders as {numero}.")
    allowed = ", ".join("{%s}" % name for name in PLACEHOLDERS)  # noqa: UP031
    for name, spec, conversion in fields:
        if name not in PLACEHOLDERS or spec or conversion:
            return _l(
                "Unknown placeholder {%(name)s}: the address may use %(allowed)s only.",
                name=name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""),
                allowed=allowed,
            )
    parts = urlsplit(template.format(**dict.fromkeys(PLACEHOLDERS, "x")))
    if parts.scheme != "https" or not parts.hostname:
        return _l("The address must start with https:// followed by the server's name.")
    return None


def period_error(starts: dt.date | None, ends: dt.date | None):
    """The unavailability cannot end before it starts."""
    if starts is not None and ends is not None and ends < starts:
        return _l("The unavailability cannot end before it starts.")
    return None


def build_url(application: Application, *, academy_code: str, number: int | None = None) -> str:
    """The address of ``application`` for a mission ``number`` (or none) of an académie."""
    values = {
        "numero": "" if number is None else str(number),
        "academie": academy_code.lower(),
    }
    return application.url_template.strip().format(
        **{key: quote(value, safe="") for key, value in values.items()}
    )


def unavailability(application: Application, today: dt.date | None = None):
    """Why ``application`` cannot be opened now (the console error of the seed, with
    the maintenance message), or None when it is available: marked unavailable by the
    administrator, or ``today`` within its unavailability dates."""
    today = today or clock.today()
    starts, ends = application.unavailable_from, application.unavailable_until
    in_dates = (starts is not None or ends is not None) and (
        (starts is None or starts <= today) and (ends is None or today <= ends)
    )
    if application.available and not in_dates:
        return None
    message = _l(
        "The application %(name)s is not available: please contact your manager.",
        name=application.name,
    )
    if application.maintenance_message:
        return f"{message} {application.maintenance_message.strip()}"
    return message


@dataclass(frozen=True)
class Entry:
    """An activity's entry to its application: what the page shows, and whether its
    button leads somewhere now."""

    application: Application | None
    refusal: object  # None when it may be opened

    @property
    def may_open(self) -> bool:
        return self.application is not None and self.refusal is None


NOT_CONFIGURED = _l("This application is not configured yet: please contact your manager.")


def activity_entry(session: Session, activity_code: str, today: dt.date | None = None) -> Entry:
    application = session.scalar(
        select(Application).where(Application.code == ACTIVITY_APPLICATIONS[activity_code])
    )
    if application is None:
        return Entry(None, NOT_CONFIGURED)
    return Entry(application, unavailability(application, today))


def _academy_code(session: Session, agent: Agent) -> str:
    return session.scalar(select(Academy.code).where(Academy.id == agent.academy_id)) or ""


def _record(session: Session, agent: Agent, application, activity, *, user_id, assignment_id):
    session.add(
        ApplicationAccess(
            agent_id=agent.id,
            user_id=user_id,
            application_id=application.id,
            assignment_id=assignment_id,
            activity=activity,
        )
    )
    session.flush()


def enter_activity(
    session: Session,
    agent: Agent,
    activity_code: str,
    *,
    user_id: int | None,
    today: dt.date | None = None,
) -> str:
    """Record the agent's access to the application of an activity and give its
    address; a ``DomainError`` (the console error) when it is not available."""
    entry = activity_entry(session, activity_code, today)
    if not entry.may_open:
        raise DomainError(entry.refusal)
    _record(session, agent, entry.application, activity_code, user_id=user_id, assignment_id=None)
    return build_url(entry.application, academy_code=_academy_code(session, agent))


def _shown(assignment: Assignment, today) -> bool:
    last_day = assignment.mission.last_day
    return last_day is None or last_day >= mission_access.shown_since(today)


NO_APPLICATION = _l("This mission gives access to no application.")


def enter_mission(
    session: Session,
    agent: Agent,
    assignment_id: int,
    *,
    user_id: int | None,
    today: dt.date | None = None,
) -> str:
    """The access portal's click on a mission: the assignment must be the agent's
    (``NotFound`` otherwise, like a missing one); its mission type's application must
    be available (``DomainError``: the console error). The access is recorded and the
    application's address returned."""
    assignment = session.scalar(
        select(Assignment).where(
            Assignment.id == assignment_id,
            Assignment.agent_id == agent.id,
            Assignment.cancelled_at.is_(None),
        )
    )
    if assignment is None or not _shown(assignment, today):
        raise NotFound(_l("This mission does not exist."))
    application = assignment.mission.mission_type.application
    if application is None:
        raise DomainError(NO_APPLICATION)
    refusal = unavailability(application, today)
    if refusal is not None:
        raise DomainError(refusal)
    _record(
        session,
        agent,
        application,
        "missions_portal",
        user_id=user_id,
        assignment_id=assignment.id,
    )
    return build_url(
        application,
        academy_code=_academy_code(session, agent),
        number=assignment.mission.number,
    )
