"""The administrator's screen of the applications the access portal opens (SANTORIN,
CYCLADES, DELOS…): address template, availability, maintenance message and dates.
National (every académie's agents reach the same applications): not scoped."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, Length, Regexp

from app.services.portal import applications as svc
from models import Application

from .base import EagerInterface, ImaginModelView, service_rule

validate_template = service_rule(lambda form, field: svc.template_error(field.data))
validate_period = service_rule(
    lambda form, field: svc.period_error(form.unavailable_from.data, field.data)
)


class ApplicationModelView(ImaginModelView):
    datamodel = EagerInterface(Application, scoped=False)
    list_columns = ["code", "name", "available", "unavailable_from", "unavailable_until"]
    search_columns = ["code", "name", "available"]
    add_columns = edit_columns = show_columns = [
        "code",
        "name",
        "url_template",
        "available",
        "maintenance_message",
        "unavailable_from",
        "unavailable_until",
    ]
    label_columns = {
        "url_template": _l("Address"),
        "available": _l("Available"),
        "maintenance_message": _l("Maintenance message"),
        "unavailable_from": _l("Unavailable from"),
        "unavailable_until": _l("Unavailable until"),
    }
    validators_columns = {
        "code": [
            InputRequired(),
            Length(max=20),
            Regexp(
                r"^[A-Z0-9_]+$",
                message=_l("The code is written in capital letters, digits and « _ »."),
            ),
        ],
        "name": [InputRequired(), Length(max=80)],
        "url_template": [validate_template],
        "unavailable_until": [validate_period],
    }
    base_order = ("code", "asc")

    description_columns = {
        "url_template": _l(
            "https:// only. {numero} is replaced by the mission number, {academie} by the"
            " academy's code in lower case (rennes)."
        ),
        "maintenance_message": _l(
            "Shown after the console error when the application is not available."
        ),
        "unavailable_from": _l(
            "The application is not available from this day to the next date (included)."
        ),
    }
