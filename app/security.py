"""IMAG'IN's security manager: FAB's database login with lockout, fresh sessions and
the per-account session nonce; no REST login."""

from __future__ import annotations

import logging
import re

from flask import (
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_appbuilder import expose
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.decorators import has_access, no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import (
    AuthDBView,
    ResetPasswordView,
    UserDBModelView,
)
from flask_appbuilder.utils.base import get_safe_redirect
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from app import transaction
from app.extensions import db
from app.fab_routes import (
    NoUserSelfService,
    ResetMyPasswordView,
    RoleModelView,
    UnusedRoutesRemoved,
    UserGroupModelView,
    UserInfoEditView,
)
from app.services import DomainError
from app.services.people import accounts
from models import AccountSecurity

log = logging.getLogger("imagin.auth")


def open_session(user, security) -> None:
    """A new session for ``user`` (at login, after a password change): nothing from
    before survives but the chosen language (no fixation); it carries the account's
    session claims (see ``accounts.session_claims``)."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user, remember=False)
    session.update(accounts.session_claims(security))


def client_ip() -> str:
    return request.remote_addr or "-"


class ImaginSecurityApi(SecurityApi):
    """FAB's security API without its JWT ``/login`` and ``/refresh`` endpoints.

    Overriding an exposed method without ``@expose`` removes its route: the portal
    has no REST client, so the only way in is the rate-limited form login.
    """

    def login(self):  # pragma: no cover - never routed
        raise NotImplementedError

    def refresh(self):  # pragma: no cover - never routed
        raise NotImplementedError


class ImaginAuthDBView(AuthDBView):
    invalid_login_message = _l("Incorrect identifier or password.")
    title = _l("Identification")

    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self):
        from flask_login import current_user

        if current_user.is_authenticated:
            return redirect(self._get_safe_next_url())
        form = LoginForm_db()
        if form.validate_on_submit():
            return self._sign_in(form.username.data or "", form.password.data or "")
        return self.render_template(
            self.login_template,
            title=self.title,
            form=form,
            appbuilder=self.appbuilder,
            session_ended=_session_ended_message(request.args.get("reason")),
        )

    def _sign_in(self, identifier: str, password: str):
        policy = accounts.Policy.from_config(current_app.config)
        next_url = get_safe_redirect(request.args.get("next", ""))
        again = self.appbuilder.get_url_for_login_with(next_url)
        if accounts.is_locked(db.session, identifier):
            log.warning("login refused (locked) user=%s ip=%s", identifier, client_ip())
            flash(_locked_message(), "danger")
            return redirect(again)
        user = self.appbuilder.sm.auth_user_db(identifier, password)
        if not user:
            # The refused login must still be counted (lockout): it is answered by a
            # redirect and never through ``transaction.refused``, so the request's unit
            # of work commits the count. Do not turn this refusal into a DomainError.
            locked = accounts.record_failure(db.session, identifier, policy)
            log.warning("login failure user=%s ip=%s", identifier, client_ip())
            flash(_locked_message() if locked else str(self.invalid_login_message), "danger")
            return redirect(again)
        security = accounts.security_of(db.session, user)
        if accounts.temporary_password_expired(security):
            log.warning(
                "login refused (temporary password expired) user=%s ip=%s",
                user.username,
                client_ip(),
            )
            flash(
                _(
                    "Your temporary password has expired: ask the examinations division "
                    "for a new one."
                ),
                "danger",
            )
            return redirect(again)
        accounts.record_success(db.session, identifier)
        open_session(user, security)
        log.info("login success user=%s ip=%s", user.username, client_ip())
        if security.must_change_password:
            return redirect(url_for("AccountView.change_password"))
        return redirect(next_url or self.appbuilder.get_url_for_index)

    # POST only, with the CSRF token (global CSRFProtect): a link or an image on another
    # site cannot end a session. GET answers 405 and changes nothing.
    @expose("/logout/", methods=["POST"])
    def logout(self):
        from flask_login import current_user

        if current_user.is_authenticated:
            # Quitter ends the session everywhere: an old copy of the cookie is dead.
            accounts.end_all_sessions(accounts.security_of(db.session, current_user))
            log.info("logout user=%s ip=%s", current_user.username, client_ip())
        logout_user()
        session.clear()
        # The idle timeout posts this form with reason=idle: the login page says why.
        if request.form.get("reason") == "idle":
            return redirect(url_for(f"{self.endpoint}.login", reason="idle"))
        return redirect(self.appbuilder.get_url_for_login)


def _session_ended_message(reason: str | None) -> str | None:
    """Why the login page is shown after a logout the user did not ask for."""
    if reason != "idle":
        return None
    from app.web import SESSION_ENDED

    return str(SESSION_ENDED["idle"]) % {"minutes": current_app.config["SESSION_IDLE_MINUTES"]}


def _locked_message() -> str:
    return _(
        "Too many failed attempts on this identifier: logging in is blocked for "
        "%(minutes)s minutes.",
        minutes=current_app.config["LOCKOUT_MINUTES"],
    )


def _yes_no(value) -> str:
    return str(_l("Yes") if value else _l("No"))


# --- The administrator's user screen ----------------------------------------------------------


class PasswordRules:
    """WTForms validator: the portal's password rules (``accounts.password_problems``),
    with their French messages next to the field. The account is the form's
    ``imagin_user`` (a reset), or what is typed in the form (a new account)."""

    def __call__(self, form, field):
        user = getattr(form, "imagin_user", None)
        typed = [
            getattr(form, name).data
            for name in ("username", "first_name", "last_name", "email")
            if hasattr(form, name)
        ]
        username = user.username if user is not None else (typed[0] if typed else "")
        problems = accounts.password_problems(
            field.data or "",
            username=username or "",
            user_inputs=accounts.password_inputs(db.session, user, values=typed),
        )
        if problems:
            for problem in problems[:-1]:
                field.errors.append(str(problem))
            raise ValidationError(str(problems[-1]))


SET_BY_ADMIN = _l(
    "12 to 128 characters; a sentence of several words is easy to remember. The user "
    "will have to choose their own at their next login."
)
NOT_THE_SAME = _l("The two passwords are not the same.")


def _password_fields() -> dict:
    return {
        "password": PasswordField(
            _l("Password"),
            description=SET_BY_ADMIN,
            validators=[DataRequired(), PasswordRules()],
            widget=BS3PasswordFieldWidget(),
        ),
        "conf_password": PasswordField(
            _l("Password (again)"),
            validators=[DataRequired(), EqualTo("password", message=NOT_THE_SAME)],
            widget=BS3PasswordFieldWidget(),
        ),
    }


class ImaginUserDBModelView(NoUserSelfService, UnusedRoutesRemoved, UserDBModelView):
    """FAB's user screen, read as the rest of the portal (Oui/Non, roles by name); a
    password the administrator sets follows the portal's rules and must be changed at
    the user's next login."""

    list_columns = ["first_name", "last_name", "username", "email", "active", "roles"]
    formatters_columns = {
        "active": _yes_no,
        "roles": lambda roles: ", ".join(role.name for role in roles),
    }
    add_form_extra_fields = _password_fields()

    def post_add(self, item) -> None:
        accounts.must_change_at_next_login(
            db.session, item, accounts.Policy.from_config(current_app.config)
        )
        log.info("account created user=%s by=%s", item.username, _current_username())


def _current_username() -> str:
    from flask_login import current_user

    return getattr(current_user, "username", "-")


class ImaginResetPasswordForm(DynamicForm):
    password = _password_fields()["password"]
    conf_password = _password_fields()["conf_password"]


ID_RE = re.compile(r"[0-9]{1,18}")


class ImaginResetPasswordView(ResetPasswordView):
    """ "Reset Password" on a user of the user screen: the portal's rules, the user's
    sessions end and they choose their own password at the next login. Its permission
    is the user screen's (administrators only)."""

    class_permission_name = "ImaginUserDBModelView"
    form = ImaginResetPasswordForm
    form_title = _l("New password for a user")

    def _target(self):
        from flask_login import current_user

        from models import User

        raw = request.args.get("pk", "")
        if not ID_RE.fullmatch(raw):
            abort(404)
        user = db.session.get(User, int(raw))
        if user is None:
            abort(404)
        if user.id == current_user.id:
            return None  # one's own password: the change form, with the current one
        return user

    def _render(self, form, user):
        self._init_vars()
        return self.render_template(
            self.form_template,
            title=_("New password for %(user)s", user=user.username),
            widgets=self._get_edit_widget(form=form),
            appbuilder=self.appbuilder,
        )

    @expose("/form", methods=["GET"])
    @has_access
    def this_form_get(self):
        user = self._target()
        if user is None:
            return redirect(url_for("AccountView.change_password"))
        return self._render(self.form.refresh(), user)

    @expose("/form", methods=["POST"])
    @has_access
    def this_form_post(self):
        user = self._target()
        if user is None:
            return redirect(url_for("AccountView.change_password"))
        form = self.form.refresh()
        form.imagin_user = user
        if form.validate_on_submit():
            policy = accounts.Policy.from_config(current_app.config)
            try:
                accounts.set_password_by_other(db.session, user, form.password.data, policy)
            except DomainError as error:
                form.password.errors.append(str(transaction.refused(error)))
            else:
                log.info(
                    "password set by an administrator user=%s by=%s ip=%s",
                    user.username,
                    _current_username(),
                    client_ip(),
                )
                flash(
                    _(
                        "The password of %(user)s has been changed: they will choose their "
                        "own at their next login.",
                        user=user.username,
                    ),
                    "success",
                )
                return redirect(url_for("ImaginUserDBModelView.show", pk=user.id))
        return self._render(form, user)


class ImaginSecurityManager(SecurityManager):
    security_api = ImaginSecurityApi
    authdbview = ImaginAuthDBView
    userdbmodelview = ImaginUserDBModelView
    resetpasswordview = ImaginResetPasswordView
    # No download / action_post routes, an unknown action is a 404 (app/fab_routes.py);
    # no FAB user statistics chart, no FAB self-service pages (the portal has its own).
    resetmypasswordview = ResetMyPasswordView
    userinfoeditview = UserInfoEditView
    rolemodelview = RoleModelView
    groupmodelview = UserGroupModelView
    userstatschartview = None

    def load_user(self, pk):
        """The signed-in user of a request, with their roles and groups in the same
        query (FAB reads each on first use: three round trips on every page), and their
        account's security row, which the session checks read next (``accounts.
        security_of`` then finds it in the session: no query of its own)."""
        row = (
            self.session.execute(
                select(self.user_model, AccountSecurity)
                .outerjoin(AccountSecurity, AccountSecurity.user_id == self.user_model.id)
                .where(self.user_model.id == int(pk))
                .options(joinedload(self.user_model.roles), joinedload(self.user_model.groups))
            )
            .unique()
            .first()
        )
        user = row[0] if row else None
        if row is not None and has_request_context():
            # Held for the request: the session's identity map keeps objects by weak
            # reference only, and ``security_of`` looks there.
            g.imagin_account_security = row[1]
        if user and user.is_active:
            return user
        return None
