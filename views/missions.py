"""Managers' CRUD of missions, their dates (slots) and assignments."""

from __future__ import annotations

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import String, cast
from wtforms.fields import TimeField
from wtforms.validators import DataRequired, ValidationError

from app.extensions import db
from app.services import NotFound, claims, convocation, listing, missions, referential
from models import Assignment, Establishment, Exam, Mission, MissionSlot, MissionType, Paper

from .base import EagerInterface, ImaginModelView

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
    datamodel = EagerInterface(Assignment, eager=("agent", "mission.mission_type"))
    list_columns = ["mission", "agent", "quality", "jury", "convoked_at", "service_done_on"]
    # No search on mission / agent: their drop-downs would list whole tables.
    search_columns = ["quality", "jury", "convoked_at", "service_done_on"]
    add_columns = ["mission", "agent", "quality", "jury"]
    edit_columns = ["quality", "jury"]
    show_columns = [
        "mission",
        "agent",
        "quality",
        "jury",
        "convoked_at",
        "service_done_on",
        "cancelled_at",
    ]
    base_order = ("convoked_at", "desc")

    def pre_add(self, item):
        # One expense claim per assignment, created in the same transaction.
        item.convoked_by_id = current_user.id
        item.claim = claims.new_claim(item.mission.mission_type, by_user_id=current_user.id)

    def post_add(self, item):
        # Several missions with travel the same day: travel goes on the first one.
        claims.refresh_same_day_travel(db.session, item.agent_id, by_user_id=current_user.id)
        db.session.commit()


def _mission_academy_id(form) -> int | None:
    """The académie of the mission being entered: its own when edited, else the one
    ``MissionModelView.pre_add`` gives it."""
    mission_id = getattr(form, "_id", None)
    if mission_id is not None:
        mission = db.session.get(Mission, mission_id)
        return mission.academy_id if mission is not None else None
    academy = referential.home_academy(db.session, current_app.config["IMAGIN_ACADEMY_CODE"])
    return academy.id if academy is not None else None


def validate_mission_number(form, field):
    error = missions.number_error(
        db.session, _mission_academy_id(form), field.data, mission_id=getattr(form, "_id", None)
    )
    if error:
        raise ValidationError(error)


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

    def pre_add(self, item):
        item.academy = referential.home_academy(
            db.session, current_app.config["IMAGIN_ACADEMY_CODE"]
        )
