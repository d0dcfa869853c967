"""The home page of each service: the welcome message its managers wrote."""

from __future__ import annotations

from flask import current_app, redirect, request
from flask_appbuilder import IndexView, expose
from flask_login import current_user

from app import current
from app.extensions import db
from app.services.portal import messages
from models.enums import MessageKind


class HomeView(IndexView):
    route_base = ""
    default_view = "index"

    @expose("/")
    def index(self):
        if not current_user.is_authenticated:
            return redirect(
                current_app.appbuilder.get_url_for_login_with(
                    request.full_path if request.query_string else request.path
                )
            )
        services = current.services()
        welcome = []
        for service in services:
            message = messages.get_message(db.session, service, MessageKind.WELCOME)
            if message is not None and message.body:
                welcome.append((service, messages.render(message.body)))
        return self.render_template("imagin/home.html", welcome=welcome, services=services)
