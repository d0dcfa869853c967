"""Managers' CRUD of missions, their dates (slots) and assignments."""

from __future__ import annotations

from flask import abort, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast
from wtforms.fields import TimeField
from wtforms.validators import DataRequired, ValidationError

from app.extensions import db
from app.services import NotFound
from app.services.common import listing
from app.services.missions import convocation
from app.services.missions import rules as missions
from models import Assignment, Establishment, Exam, Mission, MissionSlot, MissionType, Paper

from .base import EagerInterface, ImaginModelView, current_academy_id, service_rule

# --- The managers' lists of missions (convocation, service fait) --------------------------

MISSION_EXPRESSIONS = {
    "mission": cast(Mission.number, String),
    "exam": Exam.name,
    "type": MissionType.name,
    "paper": Paper.name,
    "day": Mission.first_day,
    "centre": Establishment.name,
}


def mission_cells(mission) -> dict:
    """The cells every list of missions shows (on ``convocation.academy_missions``)."""
    return {
        "mission": mission.number,
        "exam": mission.session.exam.name,
        "type": mission.mission_type.name,
        "paper": mission.paper.name if mission.paper else "",
        "day": mission.first_day,
        "centre": mission.centre.name if mission.centre else "",
    }


def mission_list_page(statement, columns, to_row) -> listing.ListPage:
    """A page of missions, latest first unless the user sorts otherwise."""
    params = listing.parse_args(request.args, columns, default_sort="day", default_direction="desc")
    return listing.query_page(
        db.session,
        statement,
        columns,
        MISSION_EXPRESSIONS,
        to_row,
        default_order=(Mission.first_day.desc(), Mission.id.desc()),
        **params,
    )


def academy_mission_or_404(academy_id: int, mission_id: int) -> Mission:
    try:
        return convocation.academy_mission(db.session, academy_id, mission_id)
    except NotFound:
        abort(404)


class MissionSlotModelView(ImaginModelView):
    datamodel = EagerInterface(MissionSlot, eager=("mission.mission_type",))
    list_columns = ["mission", "day", "start_time", "duration"]
    search_columns = ["day", "duration"]
    add_columns = edit_columns = show_columns = ["mission", "day", "start_time", "duration"]
    # FAB has no form field for Time columns: an HTML time input.
    add_form_extra_fields = edit_form_extra_fields = {
        "start_time": TimeField(_l("Time"), validators=[DataRequired()]),
    }
    base_order = ("day", "desc")


class AssignmentModelView(ImaginModelView):
    """The assignments, read only: a convocation is made, changed or withdrawn on the
    convocation screen, through the rules of ``app.services.missions.convocation`` (competence,
    availability, one claim per assignment)."""

    datamodel = EagerInterface(Assignment, eager=("agent", "mission.mission_type"))
    base_permissions = ["can_list", "can_show"]
    list_columns = ["mission", "agent", "quality", "jury", "convoked_at", "service_done_on"]
    # No search on mission / agent: their drop-downs would list whole tables.
    search_columns = ["quality", "jury", "convoked_at", "service_done_on"]
    show_columns = [
        "mission",
        "agent",
        "quality",
        "jury",
        "convoked_at",
        "service_done_on",
        "cancelled_at",
    ]
    add_columns = edit_columns = []
    base_order = ("convoked_at", "desc")


def _mission_academy_id(form) -> int | None:
    """The académie of the mission being entered: the manager's (a mission of another
    académie is not found, and a new one is the manager's)."""
    return current_academy_id()


validate_mission_number = service_rule(
    lambda form, field: missions.number_error(
        db.session, _mission_academy_id(form), field.data, mission_id=getattr(form, "_id", None)
    )
)


def validate_mission_exam(form, field):
    errors = missions.exam_errors(form.session.data, form.specialty.data, form.paper.data)
    if field.name in errors:
        raise ValidationError(errors[field.name])


class MissionModelView(ImaginModelView):
    datamodel = EagerInterface(Mission, eager=("session.exam", "mission_type", "centre"))
    list_columns = ["number", "session", "mission_type", "centre", "first_day", "last_day"]
    search_columns = ["number", "session", "mission_type", "centre", "first_day"]
    add_columns = edit_columns = [
        "number",
        "session",
        "mission_type",
        "specialty",
        "paper",
        "centre",
        "observations",
    ]
    show_columns = [
        "number",
        "session",
        "mission_type",
        "specialty",
        "paper",
        "centre",
        "first_day",
        "last_day",
        "observations",
    ]
    validators_columns = {
        "number": [validate_mission_number],
        "specialty": [validate_mission_exam],
        "paper": [validate_mission_exam],
    }
    related_views = [MissionSlotModelView, AssignmentModelView]
    base_order = ("first_day", "desc")
