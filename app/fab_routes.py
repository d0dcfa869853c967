"""The FAB CRUD routes the portal does not use are removed, the ones it keeps answer 404
to what does not exist.

Overriding an exposed method without ``@expose`` removes its route (FAB registers the
methods that carry ``_urls``): no ``/<view>/download/<filename>`` (the portal serves
its documents itself, checked and scoped), no ``/<view>/action_post`` (no list
actions). ``/<view>/action/<name>/<pk>`` stays only where FAB's own screens use it
(the users' "reset password" buttons), with an unknown action or record a 404."""

from __future__ import annotations

from flask import abort
from flask_appbuilder import expose, has_access
from flask_appbuilder.security import views as fab_security_views


class UnusedRoutesRemoved:
    """Mixin placed before FAB's ModelView in the bases of every CRUD view."""

    def download(self, filename):  # pragma: no cover - never routed
        raise NotImplementedError

    def action_post(self):  # pragma: no cover - never routed
        raise NotImplementedError

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    @has_access  # FAB's checks only the action's own permission: the anonymous got a 404
    def action(self, name, pk):
        if name not in self.actions or self.datamodel.get(pk, self._base_filters) is None:
            abort(404)
        return super().action(name, pk)


class NoActions(UnusedRoutesRemoved):
    """A view without FAB actions: no ``/action/…`` route at all."""

    def action(self, name, pk):  # pragma: no cover - never routed
        raise NotImplementedError


# FAB's own class names: its permissions and endpoints are named after them.
class RoleModelView(NoActions, fab_security_views.RoleModelView):
    def copyrole(self, items):  # pragma: no cover - no longer an action
        raise NotImplementedError


class UserGroupModelView(NoActions, fab_security_views.UserGroupModelView):
    pass


class NoFormRoutes:
    """A FAB form view without its ``/form`` routes."""

    def this_form_get(self):  # pragma: no cover - never routed
        raise NotImplementedError

    def this_form_post(self):  # pragma: no cover - never routed
        raise NotImplementedError


class ResetMyPasswordView(NoFormRoutes, fab_security_views.ResetMyPasswordView):
    """Gone: users change their password on the portal's own page, with its rules
    (AccountView.change_password)."""


class UserInfoEditView(NoFormRoutes, fab_security_views.UserInfoEditView):
    """Gone: agents edit their details on "Informations personnelles"."""


class NoUserSelfService:
    """The users' screen without FAB's "my user information" page and its two actions
    (whose targets are gone above)."""

    def userinfo(self):  # pragma: no cover - never routed
        raise NotImplementedError

    def userinfoedit(self, item):  # pragma: no cover - no longer an action
        raise NotImplementedError

    def resetmypassword(self, item):  # pragma: no cover - no longer an action
        raise NotImplementedError
