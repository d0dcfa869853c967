"""IMAG'IN's security manager: FAB's database login, without the REST login."""

from __future__ import annotations

import logging

from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView, UserDBModelView
from flask_babel import lazy_gettext as _l

log = logging.getLogger("imagin.auth")


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


def _yes_no(value) -> str:
    return str(_l("Yes") if value else _l("No"))


class ImaginUserDBModelView(UserDBModelView):
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

    def on_user_login(self, user) -> None:
        log.info("login success user=%s", user.username)

    def on_user_login_failed(self, user) -> None:
        log.warning("login failure user=%s", user.username)

    def role_names(self, user) -> set[str]:
        return {role.name for role in self.get_user_roles(user)}
