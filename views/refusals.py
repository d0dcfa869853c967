"""Refusals on the managers' CRUD forms: the message next to the field, what was typed
kept, never the database's own text.

FAB's ``_add`` / ``_edit`` redirect after any error (the form typed is lost) and flash
``str(error)`` (the database's English text, with its SQL) or "Database Error". Here a
refusal (``DomainError``; ``integrity.Refused`` from ``EagerInterface`` names its
fields) puts its French message on its fields (else in the console) and shows the form
again as typed. Every number field is also bounded by its column before the database
(a 30-digit number was an ``OverflowError`` on SQLite, a ``DataError`` on PostgreSQL).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from flask import abort, flash, request
from flask_appbuilder.urltools import (
    get_filter_args,
    get_order_args,
    get_page_args,
    get_page_size_args,
)
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Integer, Numeric, SmallInteger, inspect
from wtforms.fields.core import UnboundField
from wtforms.validators import ValidationError

from app import transaction
from app.services import DomainError
from app.services.common import formats

log = logging.getLogger(__name__)

NOT_SAVED = _l("The record could not be saved: it conflicts with other data.")


# --- Numbers bounded by their column ---------------------------------------------------


def column_bounds(column_type) -> tuple[Decimal | int, Decimal | int] | None:
    """The smallest and largest value a numeric column holds (None: not bounded here)."""
    if isinstance(column_type, SmallInteger):
        return -(2**15), 2**15 - 1
    if isinstance(column_type, BigInteger):
        return -(2**63), 2**63 - 1
    if isinstance(column_type, Integer):
        return -(2**31), 2**31 - 1
    if isinstance(column_type, Numeric) and column_type.precision:
        scale = column_type.scale or 0
        largest = Decimal(10) ** (column_type.precision - scale) - Decimal(10) ** -scale
        return -largest, largest
    return None


class ColumnBound:
    """A number the column can hold (a message only when the field has none yet)."""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def __call__(self, form, field):
        value = field.data
        if field.errors or value is None or not isinstance(value, int | Decimal | float):
            return
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValidationError(_l("Not a valid number."))
        if value < self.low:
            raise ValidationError(_l("At least %(min)s.", min=formats.bound(self.low)))
        if value > self.high:
            raise ValidationError(_l("At most %(max)s.", max=formats.bound(self.high)))


def bound_number_fields(form_class, model) -> None:
    """Add ``ColumnBound`` to every field of ``form_class`` mapped to a numeric column."""
    columns = inspect(model).columns
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if not isinstance(unbound, UnboundField) or name not in columns:
            continue
        bounds = column_bounds(columns[name].type)
        if bounds is None:
            continue
        validators = [*(unbound.kwargs.get("validators") or []), ColumnBound(*bounds)]
        setattr(
            form_class,
            name,
            UnboundField(
                unbound.field_class, *unbound.args, **{**unbound.kwargs, "validators": validators}
            ),
        )


# --- The forms shown again with the refusal --------------------------------------------


class RefusalsOnForm:
    """Mixin of ``ImaginModelView``: FAB's add / edit / delete logic (5.3), with refusals
    shown on the form as typed instead of a redirect and the exception's text."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for form_class in (self.add_form, self.edit_form):
            if form_class is not None:
                bound_number_fields(form_class, self.datamodel.obj)

    def _refused(self, form, error: Exception) -> None:
        # Nothing the form wrote is kept (the request's unit of work is rolled back).
        message = transaction.refused(error)
        if not isinstance(error, DomainError):
            log.exception("Write refused on %s", type(self).__name__)
            flash(str(NOT_SAVED), "danger")
            return
        fields = [name for name in getattr(error, "fields", ()) if name in form]
        for name in fields:
            form[name].errors = [*form[name].errors, str(message)]
        if not fields:
            flash(str(message), "danger")

    def _add(self):
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        if request.method != "POST":
            self.update_redirect()
            return self._get_add_widget(form=form, exclude_cols=exclude_cols)
        self._fill_form_exclude_cols(exclude_cols, form)
        if form.validate():
            self.process_form(form, True)
            item = self.datamodel.obj()
            try:
                form.populate_obj(item)
                self.pre_add(item)
                self.datamodel.add(item)
                self.post_add(item)
            except Exception as error:  # noqa: BLE001 - every refusal is shown, never raised
                self._refused(form, error)
            else:
                flash(self.add_row_message, "success")
                return None
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def _edit(self, pk):
        pages, page_sizes, orders = get_page_args(), get_page_size_args(), get_order_args()
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        shown_as_typed = False
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            self._fill_form_exclude_cols(exclude_cols, form)
            form._id = pk  # FAB's Unique validator skips the record itself
            shown_as_typed = True
            if form.validate():
                self.process_form(form, False)
                try:
                    form.populate_obj(item)
                    self.pre_update(item)
                    self.datamodel.edit(item)
                    self.post_update(item)
                except Exception as error:  # noqa: BLE001 - every refusal is shown
                    self._refused(form, error)
                else:
                    flash(self.edit_row_message, "success")
                    return None
        else:
            form = self.edit_form.refresh(obj=item)
            self.prefill_form(form, pk)
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        widgets = self._get_related_views_widgets(
            item, filters={}, orders=orders, pages=pages, page_sizes=page_sizes, widgets=widgets
        )
        if not shown_as_typed:
            self.update_redirect()
        return widgets

    def _delete(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        try:
            self.pre_delete(item)
            self.datamodel.delete(item)
            self.post_delete(item)
        except Exception as error:  # noqa: BLE001 - every refusal is shown
            message = transaction.refused(error)  # nothing of the delete is kept
            if isinstance(error, DomainError):
                flash(str(message), "danger")
            else:
                log.exception("Delete refused on %s", type(self).__name__)
                flash(str(NOT_SAVED), "danger")
        else:
            flash(self.delete_row_message, "success")
        self.update_redirect()
