"""IMAG'IN's security manager: FAB's database login with lockout, fresh sessions and
the per-account session nonce; no REST login."""

from __future__ import annotations

import logging

from flask import current_app, flash, redirect, request, session, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView, UserDBModelView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user

from app.extensions import db
from app.fab_routes import (
    NoUserSelfService,
    ResetMyPasswordView,
    RoleModelView,
    UnusedRoutesRemoved,
    UserGroupModelView,
    UserInfoEditView,
)
from app.services import accounts

log = logging.getLogger("imagin.auth")


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
            self.login_template, title=self.title, form=form, appbuilder=self.appbuilder
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
            locked = accounts.record_failure(db.session, identifier, policy)
            log.warning("login failure user=%s ip=%s", identifier, client_ip())
            flash(_locked_message() if locked else str(self.invalid_login_message), "danger")
            return redirect(again)
        security = accounts.security_of(db.session, user)
        if accounts.temporary_password_expired(security):
            db.session.commit()
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
        db.session.commit()
        # A new session: nothing from before the login survives (no fixation).
        locale = session.get("locale")
        session.clear()
        if locale:
            session["locale"] = locale
        login_user(user, remember=False)
        session.update(accounts.session_claims(security))
        log.info("login success user=%s ip=%s", user.username, client_ip())
        if security.must_change_password:
            return redirect(url_for("AccountView.change_password"))
        return redirect(next_url or self.appbuilder.get_url_for_index)

    @expose("/logout/")
    def logout(self):
        from flask_login import current_user

        if current_user.is_authenticated:
            # Quitter ends the session everywhere: an old copy of the cookie is dead.
            accounts.end_all_sessions(accounts.security_of(db.session, current_user))
            db.session.commit()
            log.info("logout user=%s ip=%s", current_user.username, client_ip())
        logout_user()
        session.clear()
        return redirect(self.appbuilder.get_url_for_login)


def _locked_message() -> str:
    return _(
        "Too many failed attempts on this identifier: logging in is blocked for "
        "%(minutes)s minutes.",
        minutes=current_app.config["LOCKOUT_MINUTES"],
    )


def _yes_no(value) -> str:
    return str(_l("Yes") if value else _l("No"))


class ImaginUserDBModelView(NoUserSelfService, UnusedRoutesRemoved, UserDBModelView):
    """FAB's user screen, read as the rest of the portal (Oui/Non, roles by name)."""

    list_columns = ["first_name", "last_name", "username", "email", "active", "roles"]
    formatters_columns = {
        "active": _yes_no,
        "roles": lambda roles: ", ".join(role.name for role in roles),
    }


class ImaginSecurityManager(SecurityManager):
    security_api = ImaginSecurityApi
    authdbview = ImaginAuthDBView
    userdbmodelview = ImaginUserDBModelView
    # No download / action_post routes, an unknown action is a 404 (app/fab_routes.py);
    # no FAB user statistics chart, no FAB self-service pages (the portal has its own).
    resetmypasswordview = ResetMyPasswordView
    userinfoeditview = UserInfoEditView
    rolemodelview = RoleModelView
    groupmodelview = UserGroupModelView
    userstatschartview = None
