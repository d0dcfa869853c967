"""The help ("Aide") and the user guide ("Guide") a user gets: which chapters, in
which order, for the user's service(s).

The text itself is in per-language files, ``app/templates/imagin/help/<language>/<topic>.html``
(one file per topic, the same topics and the same section anchors in every language:
tests/services/test_help.py checks it). Long explanatory text is kept as whole pages
rather than as hundreds of gettext msgids: a paragraph of the guide read and
corrected as a paragraph, next to the seed it comes from, and no translation silently
orphaned by a change of the English wording. Short labels (titles, statuses) stay in
the catalogue.

This module decides what is shown; the view renders the files it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from app.catalogue import BY_CODE, ActivityDef, activities_for
from app.services.claims import legend
from models.enums import Service

# The chapters every guide starts with (seed 001 §1.3 and §2.1-2.2), by service.
INTRODUCTIONS: dict[str, object] = {
    "screen": _l("The screen"),
    "login_staff": _l("Identification"),
    "login_external": _l("Identification"),
    "home": _l("Home"),
}
INTRO_BY_SERVICE: dict[Service, tuple[str, ...]] = {
    Service.TEACHER: ("screen", "login_staff", "home"),
    Service.EXTERNAL: ("screen", "login_external", "home"),
    Service.HEAD: ("screen", "login_staff", "home"),
    Service.MANAGER: ("screen", "login_staff", "home"),
    Service.ADMIN: ("screen", "login_staff", "home"),
}

# The activities whose help is written out in full (what the screen shows, each column,
# each button, each rule). The others have the one-line description of the catalogue.
DETAILED = frozenset(
    {
        # Agents (teachers, external contributors, heads).
        "missions_view",
        "competences_view",
        "competences_entry",
        "claims_entry",
        "personal_info",
        "missions_portal",
        "eps_management",
        "jury_portal",
        "subjects",
        "national_statistics",
        "head_competences",
        "centre_service_done",
        "dcs_survey",
        # The manager's main screens.
        "agent_competences",
        "missions",
        "automatic_assignment",
        "claims_processing",
        "service_done",
        "payment_export",
        "jobs",
        "dashboard",
        "imports",
        # The manager's reference data and settings.
        "referential",
        "mission_types",
        "rates",
        "academy_settings",
        "portal_messages",
        "activity_openings",
        # The contributors' files and the administrator's accounts.
        "agents",
        "users",
        # Agents' availability (issue 16 §6).
        "unavailability_entry",
        "unavailabilities",
    }
)

# The help of these activities ends with the meaning of each claim status.
WITH_STATUS_LEGEND = frozenset({"claims_entry", "claims_processing"})

TOPICS = tuple(INTRODUCTIONS) + tuple(sorted(DETAILED))
LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class Chapter:
    """A chapter of the guide or the help of one activity: ``topic`` names its text file
    (None: only ``summary``, the catalogue's one line); ``anchor`` its id in the page."""

    anchor: str
    title: object
    topic: str | None = None
    summary: object = ""
    status_legend: list = field(default_factory=list)
    activity_code: str | None = None


def _activity_chapter(activity: ActivityDef) -> Chapter:
    return Chapter(
        anchor=activity.code.replace("_", "-"),
        title=activity.label,
        topic=activity.code if activity.code in DETAILED else None,
        summary=activity.help,
        status_legend=legend.status_legend() if activity.code in WITH_STATUS_LEGEND else [],
        activity_code=activity.code,
    )


@dataclass(frozen=True)
class Guide:
    service: Service
    chapters: list[Chapter]


def guides(services: list[Service]) -> list[Guide]:
    """The user guide of each of the user's services: the introduction (the screen,
    identification, home), then one chapter per activity of the service's menu."""
    result = []
    for service in services:
        chapters = [
            Chapter(anchor=f"{topic.replace('_', '-')}", title=INTRODUCTIONS[topic], topic=topic)
            for topic in INTRO_BY_SERVICE.get(service, ("screen", "home"))
        ]
        chapters += [_activity_chapter(activity) for activity in activities_for(service)]
        result.append(Guide(service, chapters))
    return result


def activity_help(code: str, services: list[Service]) -> Chapter | None:
    """The help of one activity, if it is an activity of one of the user's services."""
    activity = BY_CODE.get(code or "")
    if activity is None or not any(service in activity.services for service in services):
        return None
    return _activity_chapter(activity)


def help_index(services: list[Service]) -> list[Chapter]:
    """The help of every activity of the user's services, for the help's table of
    contents (each activity once)."""
    seen: dict[str, Chapter] = {}
    for service in services:
        for activity in activities_for(service):
            seen.setdefault(activity.code, _activity_chapter(activity))
    return list(seen.values())
