"""Barèmes: the dated rate tables (fees per paper group, meals, nights, kilometre
allowances) the amounts are computed from. A barème belongs to an académie; a claim
uses the table of its mission's académie valid on its mission date
(``app.services.claims.bareme.rates_for``). The screens say which lines a barème lacks
(a claim needing one of them has no amount: "barème incomplet") and start a new
barème as a copy of the previous one."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from app import transaction
from app.extensions import db
from app.services import DomainError
from app.services.claims import bareme
from app.services.referential import rules as referential
from models import RateLine, RateTable

from .base import EagerInterface, ImaginModelView, current_academy_id, service_rule


class RateKeyValidator:
    """The key of a line must be written the way the computation looks it up."""

    def __call__(self, form, field):
        kind = form.kind.data if hasattr(form, "kind") else None
        error = bareme.rate_key_error(kind, field.data)
        if error:
            raise ValidationError(error)


def validate_rate_amount(form, field):
    """The rate as typed, through the portal's one decimal parser (WTForms'
    DecimalField hands it to ``Decimal``, which reads ``1e3``, ``NaN``, ``Infinity``),
    zero or more, within its column."""
    error = referential.rate_text_error(field.raw_data[0] if field.raw_data else "")
    if error:
        field.errors[:] = []  # DecimalField's own English message on a text it could not read
        raise ValidationError(error)


validate_rate_period = service_rule(
    lambda form, field: referential.rate_period_error(form.valid_from.data, field.data)
)


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
    list_template = "imagin/rates/list.html"
    show_template = "imagin/rates/show.html"

    def render_template(self, template, **kwargs):
        """The list and the detail say which lines a barème lacks."""
        if template == self.list_template:
            academy_id = current_academy_id()
            kwargs["incomplete_tables"] = (
                bareme.incomplete_tables(db.session, academy_id) if academy_id else []
            )
            kwargs["today"] = dt.date.today().isoformat()
        elif template == self.show_template and kwargs.get("pk") is not None:
            table = db.session.get(RateTable, kwargs["pk"])
            kwargs["missing_lines"] = bareme.missing_lines(db.session, table) if table else []
        return super().render_template(template, **kwargs)

    @expose("/copier", methods=["POST"])
    @has_access
    def copy_previous(self):
        """ "Copier le barème précédent": a new table from a date, with every line of
        the table valid the day before, for the manager to adjust."""
        raw_day = (request.form.get("valid_from") or "").strip()
        try:
            day = dt.date.fromisoformat(raw_day)
            if not 2000 <= day.year <= 2100:
                raise ValueError
        except ValueError:
            flash(_("Enter the first day of the new barème."), "danger")
            return redirect(url_for("RateTableModelView.list"))
        academy_id = current_academy_id()
        try:
            table = bareme.copy_previous(
                db.session,
                academy_id,
                valid_from=day,
                name=(request.form.get("name") or "")[:120],
            )
        except DomainError as error:
            flash(str(transaction.refused(error)), "danger")
            return redirect(url_for("RateTableModelView.list"))
        flash(
            _(
                "The barème « %(name)s » is created with the %(count)s lines of the previous "
                "one: adjust its rates.",
                name=table.name,
                count=len(table.lines),
            ),
            "success",
        )
        return redirect(url_for("RateTableModelView.show", pk=table.id))
