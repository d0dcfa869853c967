"""Flask-AppBuilder views, one module per service area; thin: they parse the request,
call a service and render. ``register_views`` adds them all to an AppBuilder."""

from __future__ import annotations

from . import (
    access_portal,
    accounts,
    agent_missions,
    api_clients,
    applications,
    availability,
    centre,
    convocation,
    dashboard,
    dcs,
    imports,
    jobs,
    missions,
    payments,
    peers,
    people,
    portal,
    rates,
    referential,
)
from .claims import agent as agent_claims
from .claims import manager as manager_claims
from .competences import agent as agent_competences
from .competences import staff as staff_competences

VIEWS = (
    portal.PortalPagesView,
    accounts.AccountView,
    accounts.PersonalInfoView,
    accounts.AgentAccountView,
    portal.ActivityOpeningView,
    portal.PortalMessageView,
    agent_missions.MissionConsultationView,
    agent_claims.ClaimEntryView,
    manager_claims.ClaimProcessingView,
    payments.ServiceDoneView,
    payments.PaymentExportView,
    jobs.JobView,
    imports.ImportView,
    convocation.ConvocationView,
    dashboard.DashboardView,
    agent_competences.CompetenceConsultationView,
    agent_competences.CompetenceEntryView,
    staff_competences.HeadCompetenceView,
    staff_competences.ManagerCompetenceView,
    referential.AcademyModelView,
    referential.AcademySettingsModelView,
    referential.EstablishmentModelView,
    referential.ExamModelView,
    referential.SpecialtyModelView,
    referential.PaperModelView,
    referential.ExamSessionModelView,
    referential.SubjectModelView,
    referential.MefModelView,
    referential.DisciplineModelView,
    referential.PaperTeachingRuleModelView,
    referential.MissionTypeModelView,
    rates.RateTableModelView,
    rates.RateLineModelView,
    people.AgentModelView,
    people.AgentEstablishmentModelView,
    people.TeachingModelView,
    people.ManagerModelView,
    people.AdminManagerModelView,
    missions.MissionSlotModelView,
    missions.AssignmentModelView,
    missions.MissionModelView,
    api_clients.ApiClientView,
    api_clients.ApiDocView,
    peers.PeerAcademyView,
    centre.CentreServiceDoneView,
    dcs.DcsSurveyView,
    dcs.DcsAnswersView,
    availability.UnavailabilityEntryView,
    availability.UnavailabilityStaffView,
    access_portal.MissionAccessView,
    access_portal.EpsAccessView,
    access_portal.JuryPortalAccessView,
    access_portal.SubjectsAccessView,
    access_portal.StatisticsAccessView,
    applications.ApplicationModelView,
)


def register_views(appbuilder) -> None:
    for view in VIEWS:
        appbuilder.add_view_no_menu(view)
