"""Managers' CRUD of the referential data: académies and their settings,
establishments, exams, specialties, papers, sessions, subjects, MEFs, disciplines,
the correspondence table and mission types."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.services.claims import entry as claim_entry
from app.services.dcs import survey as dcs_survey
from app.services.missions import needs as mission_needs
from app.services.referential import rules as referential
from app.services.referential.rules import uai_is_valid
from models import (
    Academy,
    AcademySettings,
    Discipline,
    Establishment,
    Exam,
    ExamSession,
    Mef,
    MissionType,
    Paper,
    PaperTeachingRule,
    Specialty,
    Subject,
)

from .base import EagerInterface, ImaginModelView, service_rule


def validate_uai(form, field):
    if field.data and not uai_is_valid(field.data):
        raise ValidationError(
            _l("This establishment code (UAI) is not valid: 7 characters and a key letter.")
        )


validate_portal_url = service_rule(lambda form, field: referential.portal_url_error(field.data))
validate_info_url = service_rule(lambda form, field: referential.info_url_error(field.data))
validate_dcs_dates = service_rule(
    lambda form, field: dcs_survey.dates_error(form.dcs_survey_opens_on.data, field.data)
)
validate_session_period = service_rule(
    lambda form, field: referential.session_period_error(form.starts_on.data, field.data)
)


class AcademyModelView(ImaginModelView):
    """The manager's own académie (its name and portal address)."""

    datamodel = EagerInterface(Academy)
    base_permissions = ["can_list", "can_show", "can_edit"]
    list_columns = ["code", "name", "portal_url"]
    search_columns = ["code", "name"]
    show_columns = ["code", "name", "portal_url"]
    add_columns = edit_columns = ["name", "portal_url"]
    validators_columns = {"portal_url": [validate_portal_url]}
    base_order = ("name", "asc")


# The load caps of one agent in an exam session (automatic assignment).
SESSION_CAPS = ("session_max_copies", "session_max_candidates", "session_max_half_days")


class AcademySettingsModelView(ImaginModelView):
    datamodel = EagerInterface(AcademySettings, eager=("academy",))
    list_columns = ["academy", "management_office_name", "dematerialised_documents"]
    search_columns = ["management_office_name"]
    show_columns = [
        "academy",
        "management_office_name",
        "management_office_address",
        "dematerialised_documents",
        "documents_info_url",
        "dcs_survey_opens_on",
        "dcs_survey_closes_on",
        *SESSION_CAPS,
    ]
    add_columns = edit_columns = [
        "management_office_name",
        "management_office_address",
        "dematerialised_documents",
        "documents_info_url",
        "dcs_survey_opens_on",
        "dcs_survey_closes_on",
        *SESSION_CAPS,
    ]
    validators_columns = {
        "documents_info_url": [validate_info_url],
        "dcs_survey_closes_on": [validate_dcs_dates],
    } | {
        name: [InputRequired(), NumberRange(min=1, max=mission_needs.MAX_SESSION_CAP)]
        for name in SESSION_CAPS
    }
    description_columns = {
        "session_max_copies": _l(
            "Automatic assignment: the most copies one contributor corrects in an exam session."
        ),
        "session_max_candidates": _l(
            "Automatic assignment: the most candidates one contributor examines in an exam session."
        ),
        "session_max_half_days": _l(
            "Automatic assignment: the most half-days one contributor works in an exam session"
            " (invigilation, meetings…)."
        ),
    }


class EstablishmentModelView(ImaginModelView):
    datamodel = EagerInterface(Establishment, eager=("academy",))
    list_columns = ["uai", "name", "category", "town", "academy", "is_exam_centre"]
    search_columns = ["uai", "name", "town", "category", "is_exam_centre"]
    show_columns = [
        "uai",
        "name",
        "category",
        "academy",
        "address",
        "postcode",
        "town",
        "lodging_zone",
        "is_exam_centre",
    ]
    add_columns = edit_columns = [column for column in show_columns if column != "academy"]
    validators_columns = {
        "uai": [validate_uai],
        "postcode": [Regexp(r"^\d{5}$", message=_l("A postcode has 5 digits."))],
    }
    base_order = ("name", "asc")


class ExamModelView(ImaginModelView):
    datamodel = EagerInterface(Exam)
    list_columns = ["code", "name", "short_name"]
    search_columns = ["code", "name", "short_name"]
    add_columns = edit_columns = show_columns = ["code", "name", "short_name"]
    base_order = ("name", "asc")


class SpecialtyModelView(ImaginModelView):
    datamodel = EagerInterface(Specialty, eager=("exam",))
    list_columns = ["exam", "code", "name"]
    search_columns = ["exam", "code", "name"]
    add_columns = edit_columns = show_columns = ["exam", "code", "name"]
    base_order = ("code", "asc")


class PaperModelView(ImaginModelView):
    datamodel = EagerInterface(Paper, eager=("specialty.exam",))
    list_columns = ["specialty.exam", "specialty", "code", "name", "copy_rate_group"]
    search_columns = ["specialty", "code", "name"]
    add_columns = edit_columns = show_columns = [
        "specialty",
        "code",
        "name",
        "copy_rate_group",
        "hour_rate_group",
    ]
    base_order = ("code", "asc")


class ExamSessionModelView(ImaginModelView):
    datamodel = EagerInterface(ExamSession, eager=("exam",))
    list_columns = ["exam", "name", "year", "starts_on", "ends_on", "unavailability_closes_on"]
    search_columns = ["exam", "name", "year"]
    add_columns = edit_columns = show_columns = [
        "exam",
        "name",
        "year",
        "starts_on",
        "ends_on",
        "unavailability_closes_on",
    ]
    base_order = ("year", "desc")
    validators_columns = {"ends_on": [validate_session_period]}
    label_columns = {"unavailability_closes_on": _l("Closing date of unavailability declarations")}
    description_columns = {
        "unavailability_closes_on": _l(
            "Contributors declare their unavailabilities for the session until this date"
            " included. Empty: declarations are not open."
        )
    }


class SubjectModelView(ImaginModelView):
    datamodel = EagerInterface(Subject)
    list_columns = ["code", "name"]
    search_columns = ["code", "name"]
    add_columns = edit_columns = show_columns = ["code", "name"]
    base_order = ("name", "asc")


class MefModelView(ImaginModelView):
    datamodel = EagerInterface(Mef)
    list_columns = ["code", "name", "mef_type"]
    search_columns = ["code", "name"]
    add_columns = edit_columns = show_columns = ["code", "name", "mef_type"]
    base_order = ("name", "asc")


class DisciplineModelView(ImaginModelView):
    datamodel = EagerInterface(Discipline)
    list_columns = ["code", "name"]
    search_columns = ["code", "name"]
    add_columns = edit_columns = show_columns = ["code", "name"]
    validators_columns = {"code": [Length(min=2, max=10)]}
    base_order = ("code", "asc")


class PaperTeachingRuleModelView(ImaginModelView):
    datamodel = EagerInterface(PaperTeachingRule, eager=("paper.specialty.exam", "subject", "mef"))
    list_columns = ["paper.specialty.exam", "paper", "subject", "mef"]
    search_columns = ["paper", "subject", "mef"]
    add_columns = edit_columns = show_columns = ["paper", "subject", "mef"]
    validators_columns = {"mef": [Optional()]}


# A budget imputation: letters, digits, "-", "." and "/" (programme-action-activity).
IMPUTATION = r"^[A-Za-z0-9][A-Za-z0-9./-]*$"
IMPUTATION_HELP = _l("Letters, digits, « - », « . » and « / » only.")


class MissionTypeModelView(ImaginModelView):
    datamodel = EagerInterface(MissionType)
    list_columns = [
        "code",
        "name",
        "fee_family",
        "has_fee",
        "reimburses_travel",
        "active",
        "own_students_conflict",
        "application",
    ]
    search_columns = ["code", "name", "fee_family", "reimburses_travel", "active"]
    add_columns = edit_columns = show_columns = [
        "code",
        "name",
        "fee_family",
        "has_fee",
        "reimburses_travel",
        "active",
        "own_students_conflict",
        "application",
        "deliberation",
        "max_copies",
        "max_candidates",
        "max_hours",
        "fee_imputation",
        "travel_imputation",
    ]
    # The caps of one claim: a bounded number, never above what the entry can hold.
    validators_columns = {
        name: [InputRequired(), NumberRange(min=1, max=claim_entry.MAX_COUNT)]
        for name in ("max_copies", "max_candidates", "max_hours")
    } | {
        name: [InputRequired(), Length(min=1, max=40), Regexp(IMPUTATION, message=IMPUTATION_HELP)]
        for name in ("fee_imputation", "travel_imputation")
    }
    description_columns = {
        "max_copies": _l("The most copies one expense claim of this type may count."),
        "max_candidates": _l("The most candidates one expense claim of this type may count."),
        "max_hours": _l("The most hours one expense claim of this type may count."),
        "fee_imputation": _l(
            "The budget line the fee of this type is charged to, written in the payment file."
        ),
        "travel_imputation": _l(
            "The budget line the travel of this type is charged to, written in the payment file."
        ),
        "application": _l(
            "The application a click on its missions opens in the access portal, if any."
        ),
        "deliberation": _l(
            "Its presidents, vice-presidents and deliberation leads reach the jury portal."
        ),
        "own_students_conflict": _l(
            "Orals and practicals: nobody is convoked to a mission of this type held where"
            " they are attached or teach."
        ),
    }
    base_order = ("name", "asc")
