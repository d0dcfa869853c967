"""Barèmes: the dated rate tables (fees per paper group, meals, nights, kilometre
allowances) the amounts are computed from. A claim uses the table valid on its
mission date (``app.services.amounts.rates_for``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from app.services import amounts, referential
from models import RateLine, RateTable

from .base import EagerInterface, ImaginModelView


class RateKeyValidator:
    """The key of a line must be written the way the computation looks it up."""

    def __call__(self, form, field):
        kind = form.kind.data if hasattr(form, "kind") else None
        error = amounts.rate_key_error(kind, field.data)
        if error:
            raise ValidationError(error)


def validate_rate_amount(form, field):
    error = referential.rate_amount_error(field.data)
    if error:
        raise ValidationError(error)


def validate_rate_period(form, field):
    error = referential.rate_period_error(form.valid_from.data, field.data)
    if error:
        raise ValidationError(error)


class RateLineModelView(ImaginModelView):
    datamodel = EagerInterface(RateLine, eager=("table",))
    list_columns = ["table", "kind", "key", "amount"]
    search_columns = ["kind", "key"]
    add_columns = edit_columns = show_columns = ["table", "kind", "key", "amount"]
    validators_columns = {"key": [RateKeyValidator()], "amount": [validate_rate_amount]}
    description_columns = {
        "key": _l(
            "Fee: the paper's rate group (1, 2…); meal: standard or administratif; night: "
            "the centre's zone; kilometres: 5CV:0-2000, 6-7CV:2001-10000, 8CV:10001-…"
        ),
        "amount": _l("In euros, with a dot: 0.32, 20.00."),
    }
    base_order = ("kind", "asc")


class RateTableModelView(ImaginModelView):
    datamodel = EagerInterface(RateTable)
    list_columns = ["name", "valid_from", "valid_until", "reference"]
    search_columns = ["name", "valid_from", "valid_until"]
    add_columns = edit_columns = show_columns = ["name", "valid_from", "valid_until", "reference"]
    validators_columns = {"valid_until": [validate_rate_period]}
    description_columns = {
        "valid_from": _l(
            "A claim uses the table valid on the first day of its mission; to change the "
            "rates, add a new table from the date of the new texts."
        ),
    }
    related_views = [RateLineModelView]
    base_order = ("valid_from", "desc")
