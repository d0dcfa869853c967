"""IMAG'IN's security manager: FAB's database login, without the REST login."""

from __future__ import annotations

import logging

from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView
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


class ImaginSecurityManager(SecurityManager):
    security_api = ImaginSecurityApi
    authdbview = ImaginAuthDBView

    def on_user_login(self, user) -> None:
        log.info("login success user=%s", user.username)

    def on_user_login_failed(self, user) -> None:
        log.warning("login failure user=%s", user.username)

    def role_names(self, user) -> set[str]:
        return {role.name for role in self.get_user_roles(user)}
