"""What every IMAG'IN view shares: the manager CRUD base (eager loading, bounded pages,
translated enums), the login requirement of portal pages."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_appbuilder import ModelView
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.fields import EnumField
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload
from wtforms.fields.core import UnboundField
from wtforms.validators import ValidationError

from app import current, transaction
from app.catalogue import CATALOGUE
from app.fab_routes import NoActions
from app.services import DomainError
from app.services.common import integrity, listing, scope
from models.enums import LabelledEnum

from .labels import LABELS
from .refusals import RefusalsOnForm


def current_academy_id() -> int | None:
    """The signed-in manager's académie, read once per request (None: not a manager)."""
    if "imagin_academy_id" not in g:
        manager = current.manager()
        g.imagin_academy_id = manager.academy_id if manager is not None else None
    return g.imagin_academy_id


class EagerInterface(SQLAInterface):
    """The managers' CRUD data layer.

    * Scope: every query it runs — lists and their counts, show / edit / delete by id,
      the choices of a relationship's drop-down, a filter on a relationship — keeps
      only the rows of the signed-in manager's académie (``app.services.common.scope``): another
      académie's id is a 404, its rows are in no list nor drop-down. Only a view of the
      administrator, who serves every académie, says ``scoped=False``.
    * Eager loading: the list query loads the given relationships in the same query
      (``"session.exam"`` follows two relationships): a list page then costs the same
      number of queries whatever its number of rows."""

    def __init__(self, obj, eager: tuple[str, ...] = (), session=None, *, scoped: bool = True):
        super().__init__(obj, session)
        self.eager = eager
        self.scoped = scoped
        if scoped:
            scope.is_national(obj)  # a model the scope does not know fails here, at import

    def _scope(self, query):
        if not self.scoped:
            return query
        criterion = scope.academy_criterion(self.obj, current_academy_id())
        return query if criterion is None else query.filter(criterion)

    def _apply_inner_all(self, query, *args, **kwargs):
        # Every list, count and get goes through here (FAB's query, query_count, get).
        return super()._apply_inner_all(self._scope(query), *args, **kwargs)

    def get_related_interface(self, col_name):
        return EagerInterface(self.get_related_model(col_name), scoped=self.scoped)

    def get_related_obj(self, col_name, value):
        return self.get_related_interface(col_name).get(value)

    def _unused(self, *args, **kwargs):
        raise NotImplementedError("not scoped: the portal does not use FAB's group-by queries")

    query_simple_group = query_month_group = query_year_group = _unused

    def _eager_options(self):
        options = []
        for path in self.eager:
            model, option = self.obj, None
            for name in path.split("."):
                attribute = getattr(model, name)
                option = joinedload(attribute) if option is None else option.joinedload(attribute)
                model = attribute.property.mapper.class_
            options.append(option)
        return options

    def apply_all(self, query, *args, **kwargs):
        query = super().apply_all(query, *args, **kwargs)
        return query.options(*self._eager_options()) if self.eager else query

    def is_nullable(self, col_name):
        # An unticked checkbox sends nothing: a NOT NULL boolean (with its default)
        # must not be "required" in forms, or it could never be saved unticked.
        if self.is_boolean(col_name):
            return True
        return super().is_nullable(col_name)

    @staticmethod
    def _get_attr_value(item, col):
        """Values as a French user reads them: translated enum labels, dates
        dd/mm/yyyy, Yes/No, nothing for an empty value (FAB shows "None")."""
        raw = functools.reduce(lambda obj, name: getattr(obj, name, None), col.split("."), item)
        if isinstance(raw, LabelledEnum):
            return raw.label
        return listing.display(SQLAInterface._get_attr_value(item, col))

    # --- Writes the database refuses, in French (issue 12) ----------------------------
    # FAB's add/edit/delete log the database's error and hand its text (English, with
    # SQL) to the view. Here a record still used is refused before the delete, and any
    # refusal from the database becomes ``integrity.Refused``: a French message naming
    # the form fields concerned, which ``RefusalsOnForm`` shows next to them.
    # One transaction per request (app/transaction.py): unlike FAB's SQLAInterface,
    # these writes never commit (``commit`` is ignored); they flush, so that what the
    # database refuses surfaces here, and the request's end commits or rolls back.

    def _write(self, write, item, *, deleting: bool = False) -> None:
        try:
            write(item)
            self.session.flush()
        except (SQLAlchemyError, DatabaseException, OverflowError) as error:
            raise integrity.refusal(error, self.obj, deleting=deleting) from error

    def add(self, item, commit: bool = True) -> None:
        # A record a manager creates belongs to the manager's académie, always.
        if self.scoped and self.obj in scope.DIRECT:
            item.academy_id = current_academy_id()
        self._write(self.session.add, item)

    def edit(self, item, commit: bool = True) -> None:
        self._write(self.session.merge, item)

    def delete(self, item, commit: bool = True) -> None:
        integrity.check_deletable(self.session, item)
        self._delete_files(item)
        self._write(self.session.delete, item, deleting=True)

    def delete_all(self, items) -> None:
        for item in items:
            self.delete(item)


def service_rule(rule):
    """A WTForms validator raising the French message that a service rule returns for
    the field (``rule(form, field)`` gives None when the value is acceptable)."""

    def validator(form, field):
        error = rule(form, field)
        if error:
            raise ValidationError(error)

    return validator


class LabelledEnumField(EnumField):
    """FAB's EnumField showing each member's translated label instead of its value,
    and refusing a wrong or missing value with a form error (FAB's raises a bare
    ValueError that WTForms 3.3 does not catch: a 500)."""

    def __init__(self, enum_class, enums, *args, **kwargs):
        super().__init__(enum_class, enums, *args, **kwargs)
        if enum_class is not None and hasattr(enum_class, "choices"):
            self.choices = [(name, enum_class[name].label) for name in enums]
        strict_coerce = self.coerce

        def coerce(value):
            try:
                return strict_coerce(value)
            except KeyError as error:
                raise ValueError(str(error)) from error

        self.coerce = coerce

    def pre_validate(self, form):
        if self.process_errors or (self.data is None and self.flags.optional):
            return
        if self.data not in {self.coerce(value) for value, _label in self.choices}:
            raise ValidationError(_l("Not a valid choice."))


def _translate_enum_fields(form_class) -> None:
    for name in dir(form_class):
        value = getattr(form_class, name, None)
        if isinstance(value, UnboundField) and value.field_class is EnumField:
            setattr(form_class, name, UnboundField(LabelledEnumField, *value.args, **value.kwargs))


SUB_VIEW_LABELS = {name: label for a in CATALOGUE for name, label in a.sub_views}


# Fields no manager's form may offer (see ImaginModelView).
FORBIDDEN_COLUMNS = frozenset({"academy", "academy_id", "user", "user_id"})


class ImaginModelView(RefusalsOnForm, NoActions, ModelView):
    """Base of the managers' generated CRUD screens: scoped to the manager's académie
    by their ``EagerInterface`` (another académie's record is a 404), without FAB's
    download and action routes (app/fab_routes.py)."""

    page_size = 20

    def __init__(self, **kwargs):
        # Every screen names a field the same way (views/labels.py).
        self.label_columns = {**LABELS, **(type(self).label_columns or {})}
        label = SUB_VIEW_LABELS.get(type(self).__name__)
        if label is not None:
            self.list_title = label
            self.show_title = _l("Detail – %(name)s", name=label)
            self.add_title = _l("Add – %(name)s", name=label)
            self.edit_title = _l("Edit – %(name)s", name=label)
        super().__init__(**kwargs)
        if self.datamodel.scoped:
            # A manager never chooses an académie nor an account: the scope sets the
            # first, the account actions of the contributor's page handle the second.
            chosen = set(self.add_columns or ()) | set(self.edit_columns or ())
            if chosen & FORBIDDEN_COLUMNS:
                raise TypeError(f"{type(self).__name__} offers {chosen & FORBIDDEN_COLUMNS}")
        for form_class in (self.add_form, self.edit_form):
            if form_class is not None:
                _translate_enum_fields(form_class)

    def render_template(self, template, **kwargs):
        """A record's detail and edit pages are titled with the record too ("Détail –
        Missions – 52525 …"): each page of the portal has its own title (WCAG 2.4.2)."""
        pk = (request.view_args or {}).get("pk")
        if pk is not None and template in (self.show_template, self.edit_template):
            item = self.datamodel.get(pk, self._base_filters)
            if item is not None and type(item).__str__ is not object.__str__:
                kwargs["title"] = f"{kwargs.get('title', '')} – {item}"
        return super().render_template(template, **kwargs)


def own_agent():
    """The signed-in user's contributor file, or None after a console message saying
    that the account has none (the caller then sends the user home)."""
    agent = current.agent()
    if agent is None:
        flash(_("No contributor file is linked to your account."), "warning")
    return agent


def agent_screen(view_function):
    """The view gets the signed-in user's contributor file, or the user goes home with
    a console message (no contributor file: see ``own_agent``)."""

    @functools.wraps(view_function)
    def wrapper(self, *args, **kwargs):
        agent = own_agent()
        if agent is None:
            return redirect(url_for("HomeView.index"))
        return view_function(self, agent, *args, **kwargs)

    return wrapper


def manager_screen(view_function):
    """The view gets the signed-in manager's académie id, or the manager
    goes home with a console message (no manager file)."""

    @functools.wraps(view_function)
    def wrapper(self, *args, **kwargs):
        manager = current.manager()
        if manager is None:
            flash(_("No manager file is linked to your account."), "warning")
            return redirect(url_for("HomeView.index"))
        return view_function(self, manager.academy_id, *args, **kwargs)

    return wrapper


def login_required(view):
    """Portal pages open to any signed-in user (the anonymous go to the login)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(
                current_app.appbuilder.get_url_for_login_with(
                    request.full_path if request.query_string else request.path
                )
            )
        return view(*args, **kwargs)

    return wrapper


def render_list_page(view, template: str, page, list_id: str, *, list_title, **context):
    """Render a page holding a list component; when list.js asks for the list alone
    (header ``X-Imagin-Fragment``), render just the list."""
    if request.headers.get("X-Imagin-Fragment") == list_id:
        return render_template(
            "imagin/macros/list_fragment.html", page=page, list_id=list_id, list_title=list_title
        )
    return view.render_template(
        template, page=page, list_id=list_id, list_title=list_title, **context
    )


def back_to(default_endpoint: str, **values) -> str:
    """Where to go after a POST: the page it came from, on this site only (browsers read
    "\\" as "/", so "/\\evil.example" would leave the site)."""
    return local_target(request.form.get("next")) or url_for(default_endpoint, **values)


def local_target(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else ``None``."""
    target = (target or "").replace("\\", "/")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return None


def run_action(action, success_message) -> bool:
    """Run a service action and say so, or show the refusal (nothing it wrote is kept:
    the request's unit of work rolls back)."""
    try:
        action()
    except DomainError as error:
        flash(str(transaction.refused(error)), "danger")
        return False
    flash(success_message, "success")
    return True


def pdf_response(content: bytes, file_name: str):
    """A PDF document as an attachment."""
    response = current_app.make_response(content)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
