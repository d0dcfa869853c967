"""The catalogue of activities: what each service's menu offers and which views back it.

This module is pure data (no database, no request). It is the single source of:

* the menu of each service (sections and activities, in order);
* the FAB role permissions (``fab_roles``), read by ``FAB_ROLES``, which create_app sets: a role may
  use exactly the views of the activities of its service(s);
* the mapping from a view (blueprint) to its activity, used to refuse a closed
  activity with a message in the console.

Whether an activity is open *now* for a service is data (``ActivityOpening``), edited
by an administrator.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from flask_babel import lazy_gettext as _l

from models.enums import Service

ROLE_BY_SERVICE: dict[Service, str] = {
    Service.TEACHER: "Enseignant",
    Service.HEAD: "Chef d'établissement",
    Service.MANAGER: "Gestionnaire",
    Service.EXTERNAL: "Intervenant extérieur",
    Service.ADMIN: "Admin",
}
SERVICE_BY_ROLE: dict[str, Service] = {role: svc for svc, role in ROLE_BY_SERVICE.items()}

# Services whose activities a manager may open or close (an administrator may
# open or close any service's activities, except the administration itself).
AGENT_SERVICES = (Service.TEACHER, Service.HEAD, Service.EXTERNAL)

SECTIONS = {
    "consultation": _l("Consultation"),
    "entry": _l("Entry"),
    "access": _l("Access"),
    "referential": _l("Reference data"),
    "people": _l("Contributors"),
    "missions": _l("Missions"),
    "claims": _l("Expense claims"),
    "settings": _l("Settings"),
    "administration": _l("Administration"),
}


@dataclass(frozen=True)
class ActivityDef:
    code: str
    label: object  # a lazy string
    section: str
    services: tuple[Service, ...]
    views: tuple[str, ...]
    endpoint: str
    help: object = ""
    # Extra view permission names (default: every permission of the views).
    permissions: str = r"can_.*"
    sub_views: tuple[tuple[str, object], ...] = field(default=())
    # The activity appears only for the users it concerns: the name of a condition of
    # ``app.services.portal.audience.AUDIENCES`` (None: every user of its services).
    audience: str | None = None


T, H, M, E, A = (
    Service.TEACHER,
    Service.HEAD,
    Service.MANAGER,
    Service.EXTERNAL,
    Service.ADMIN,
)

REFERENTIAL_VIEWS = (
    ("EstablishmentModelView", _l("Establishments")),
    ("ExamModelView", _l("Exams")),
    ("SpecialtyModelView", _l("Specialties")),
    ("PaperModelView", _l("Papers")),
    ("ExamSessionModelView", _l("Exam sessions")),
    ("SubjectModelView", _l("Subjects")),
    ("MefModelView", _l("Training modules (MEF)")),
    ("DisciplineModelView", _l("Post disciplines")),
    ("PaperTeachingRuleModelView", _l("Correspondence table")),
)
MISSION_VIEWS = (
    ("MissionModelView", _l("Missions")),
    ("MissionSlotModelView", _l("Mission dates")),
    ("AssignmentModelView", _l("Assignments")),
)
PEOPLE_VIEWS = (
    ("AgentModelView", _l("Contributors")),
    ("AgentEstablishmentModelView", _l("Establishments of contributors")),
    ("TeachingModelView", _l("Teachings")),
    ("ManagerModelView", _l("Managers")),
)
ACADEMY_VIEWS = (
    ("AcademyModelView", _l("Academies")),
    ("AcademySettingsModelView", _l("Academy settings")),
)
ADMIN_USER_VIEWS = (
    ("ImaginUserDBModelView", _l("Users")),
    ("RoleModelView", _l("Roles")),
    ("AdminManagerModelView", _l("Managers")),
)


def _screen(code, label, section, services, view, help_text=""):
    """An activity backed by one hand-written view (its ``index`` is the entry)."""
    return ActivityDef(
        code=code,
        label=label,
        section=section,
        services=services,
        views=(view,),
        endpoint=f"{view}.index",
        help=help_text,
    )


def _entry(code, label, view, audience, help_text):
    """An activity of the access section kept for the people it concerns: its page
    leads to one application through the portal (``views.access_portal``)."""
    return replace(_screen(code, label, "access", (T, E), view, help_text), audience=audience)


def _crud(code, label, section, services, sub_views, help_text=""):
    return ActivityDef(
        code=code,
        label=label,
        section=section,
        services=services,
        views=tuple(name for name, _ in sub_views),
        endpoint=f"{sub_views[0][0]}.list",
        help=help_text,
        sub_views=sub_views,
    )


CATALOGUE: tuple[ActivityDef, ...] = (
    # --- Agents (teachers, heads, external contributors) ------------------------------
    _screen(
        "missions_view",
        _l("Mission consultation"),
        "consultation",
        (T, E),
        "MissionConsultationView",
        _l("The missions you are assigned to, with their dates and exam centre."),
    ),
    _screen(
        "competences_view",
        _l("Competence consultation"),
        "consultation",
        (T,),
        "CompetenceConsultationView",
        _l("The papers you are declared competent for, your establishments and teachings."),
    ),
    _screen(
        "competences_entry",
        _l("Competence entry"),
        "entry",
        (T,),
        "CompetenceEntryView",
        _l("Confirm, invalidate or add the papers you are competent for."),
    ),
    _screen(
        "claims_entry",
        _l("Mission expense claim entry"),
        "entry",
        (T, E),
        "ClaimEntryView",
        _l("Complete and validate the expense claims of the missions you were called to."),
    ),
    _screen(
        "personal_info",
        _l("Personal information"),
        "entry",
        (T, E),
        "PersonalInfoView",
        _l("Check or update your address, telephone and e-mail addresses."),
    ),
    _screen(
        "head_competences",
        _l("Competences of the establishment's staff"),
        "consultation",
        (H,),
        "HeadCompetenceView",
        _l("Confirm, invalidate or add the competences of the staff of your establishments."),
    ),
    replace(
        _screen(
            "centre_service_done",
            _l("Service done statement"),
            "entry",
            (H,),
            "CentreServiceDoneView",
            _l(
                "Record the service done of the contributors convoked to the missions held"
                " in your establishments."
            ),
        ),
        audience="exam_centre_head",
    ),
    _screen(
        "missions_portal",
        _l("Mission access portal"),
        "access",
        (T, E),
        "MissionAccessView",
        _l("Access the correction and exam applications of your missions."),
    ),
    _entry(
        "eps_management",
        _l("PE exam management"),
        "EpsAccessView",
        "eps_teacher",
        _l("Access the management of physical education exams in CYCLADES."),
    ),
    _entry(
        "jury_portal",
        _l("CYCLADES jury deliberation portal"),
        "JuryPortalAccessView",
        "deliberation_president",
        _l("Access CYCLADES's jury portal, for the presidents of a jury deliberation."),
    ),
    _entry(
        "subjects",
        _l("Subject management"),
        "SubjectsAccessView",
        "subjects",
        _l("Access the BNS module of DELOS (exam subjects)."),
    ),
    _entry(
        "national_statistics",
        _l("National marking statistics"),
        "StatisticsAccessView",
        "national_statistics",
        _l("Access the national marking statistics in SANTORIN."),
    ),
    replace(
        _screen(
            "dcs_survey",
            _l("DCS survey"),
            "entry",
            (T,),
            "DcsSurveyView",
            _l("Answer the survey of the DCS teachers, step by step."),
        ),
        audience="dcs",
    ),
    # --- Managers ---------------------------------------------------------------------
    _crud(
        "referential",
        _l("Reference data"),
        "referential",
        (M,),
        REFERENTIAL_VIEWS,
        _l("Establishments, exams, specialties, papers, sessions and teachings."),
    ),
    _crud(
        "mission_types",
        _l("Mission types"),
        "referential",
        (M,),
        (("MissionTypeModelView", _l("Mission types")),),
        _l("Each mission type decides what the contributor enters in the expense claim."),
    ),
    _screen(
        "imports",
        _l("Imports"),
        "referential",
        (M,),
        "ImportView",
        _l(
            "Load the ministry's files (exams, staff, teachings, corrections): a dry run"
            " first, then apply."
        ),
    ),
    replace(
        _crud(
            "agents",
            _l("Contributors"),
            "people",
            (M,),
            PEOPLE_VIEWS,
            _l("Contributors, their establishments and teachings."),
        ),
        views=(*(name for name, _label in PEOPLE_VIEWS), "AgentAccountView"),
    ),
    _screen(
        "agent_competences",
        _l("Competences of contributors"),
        "people",
        (M,),
        "ManagerCompetenceView",
        _l("Confirm, invalidate or add the competences of any contributor of the academy."),
    ),
    # The missions' home is the convocation screen; FAB's CRUD edits them.
    replace(
        _crud(
            "missions",
            _l("Missions and assignments"),
            "missions",
            (M,),
            MISSION_VIEWS,
            _l("Missions, their dates and the contributors called to them."),
        ),
        views=(
            *(name for name, _label in MISSION_VIEWS),
            "ConvocationView",
            "AssignmentConflictView",
        ),
        endpoint="ConvocationView.index",
    ),
    _screen(
        "automatic_assignment",
        _l("Automatic assignment"),
        "missions",
        (M,),
        "AssignmentView",
        _l(
            "Propose the contributors of a whole session's missions at once (nearest, least "
            "loaded, wishes), review the proposal, then convoke it in one job."
        ),
    ),
    _screen(
        "claims_processing",
        _l("Expense claim processing"),
        "claims",
        (M,),
        "ClaimProcessingView",
        _l("Check, accept or send back the contributors' expense claims."),
    ),
    _screen(
        "service_done",
        _l("Service done"),
        "claims",
        (M,),
        "ServiceDoneView",
        _l("Record that the service was done for an assignment or a whole mission."),
    ),
    _screen(
        "payment_export",
        _l("Payment export"),
        "claims",
        (M,),
        "PaymentExportView",
        _l("Export the accepted expense claims to the finance system."),
    ),
    _screen(
        "jobs",
        _l("Jobs in progress"),
        "claims",
        (M,),
        "JobView",
        _l("Follow the long jobs (payment exports…) and download their results."),
    ),
    _screen(
        "dashboard",
        _l("Dashboard"),
        "claims",
        (M,),
        "DashboardView",
        _l("The state of the session at a glance."),
    ),
    _screen(
        "portal_messages",
        _l("Welcome messages and conditions"),
        "settings",
        (M,),
        "PortalMessageView",
        _l("The welcome message and the conditions of use shown to each service."),
    ),
    _crud(
        "rates",
        _l("Rate tables"),
        "settings",
        (M,),
        (("RateTableModelView", _l("Rate tables")), ("RateLineModelView", _l("Rate lines"))),
        _l("Fee rates per paper, meal, night and kilometre allowances, with their dates."),
    ),
    _crud(
        "academy_settings",
        _l("Academy settings"),
        "settings",
        (M,),
        ACADEMY_VIEWS,
        _l("Management office shown on the documents, dematerialised documents."),
    ),
    _screen(
        "activity_openings",
        _l("Activity opening"),
        "settings",
        (M, A),
        "ActivityOpeningView",
        _l("Open or close each activity for each service."),
    ),
    _screen(
        "dcs_answers",
        _l("DCS survey answers"),
        "people",
        (M,),
        "DcsAnswersView",
        _l("Who answered the DCS survey, their answers, and the export of all of them."),
    ),
    # --- Administrator ----------------------------------------------------------------
    replace(
        _crud(
            "users",
            _l("Users and roles"),
            "administration",
            (A,),
            ADMIN_USER_VIEWS,
            _l("User accounts of the portal and their roles."),
        ),
        # FAB's actions of the user screen are named without "can_": "Reset Password"
        # (app.security.ImaginResetPasswordView) and "Change my password".
        permissions=r"can_.*|resetpasswords|resetmypassword",
    ),
    _crud(
        "applications",
        _l("Applications"),
        "administration",
        (A,),
        (("ApplicationModelView", _l("Applications")),),
        _l(
            "The applications the access portal opens: their address, whether they are"
            " available, their maintenance message."
        ),
    ),
    ActivityDef(
        code="api_clients",
        label=_l("API clients"),
        section="administration",
        services=(A,),
        views=("ApiClientView", "ApiDocView", "PeerAcademyView"),
        endpoint="ApiClientView.index",
        help=_l("Machine clients of the REST API: tokens, permissions, documentation."),
    ),
    # --- Agents' availability (issue 16 §6) -------------------------------------------
    _screen(
        "unavailability_entry",
        _l("Unavailability entry"),
        "entry",
        (T, E),
        "UnavailabilityEntryView",
        _l("Declare the periods when you are not available for the missions of a session."),
    ),
    _screen(
        "unavailabilities",
        _l("Contributors' unavailabilities"),
        "missions",
        (M,),
        "UnavailabilityStaffView",
        _l("The unavailabilities the contributors declared for each session."),
    ),
)

BY_CODE: dict[str, ActivityDef] = {activity.code: activity for activity in CATALOGUE}
BY_VIEW: dict[str, ActivityDef] = {
    view: activity for activity in CATALOGUE for view in activity.views
}

# Activities that can never be closed from the screen: closing them would lock the
# administrator (or the managers) out of the very screen that reopens them.
ALWAYS_OPEN = frozenset({"activity_openings", "users"})


def activities_for(service: Service) -> list[ActivityDef]:
    return [activity for activity in CATALOGUE if service in activity.services]


def fab_roles() -> dict[str, list[tuple[str, str]]]:
    """FAB builtin roles: each role may use the views of its service's activities."""
    roles: dict[str, list[tuple[str, str]]] = {}
    for service, role in ROLE_BY_SERVICE.items():
        pairs = []
        for activity in activities_for(service):
            views = "|".join(activity.views)
            pairs.append((f"^({views})$", f"^({activity.permissions})$"))
        roles[role] = pairs
    return roles
