"""Tableau de bord: the state of the académie's claims at a glance (figures, SVG charts
rendered on the server, claims per session). Thin: ``app.services.portal.dashboard``."""

from __future__ import annotations

from flask import request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _

from app.bounds import parse_id
from app.extensions import db
from app.services.portal import dashboard as svc
from models.enums import ClaimStatus

from .base import manager_screen

# The order in which statuses are drawn: the claim's life, from start to payment.
STATUS_ORDER = (
    ClaimStatus.NOT_VALIDATED,
    ClaimStatus.NOT_VALIDATABLE,
    ClaimStatus.TO_BE_PROCESSED,
    ClaimStatus.VALIDATED,
    ClaimStatus.PROCESSED_BY_MANAGER,
    ClaimStatus.ACCEPTED,
    ClaimStatus.SENT_FOR_PAYMENT,
    ClaimStatus.NO_FEE,
    ClaimStatus.CANCELLED,
)


class DashboardView(BaseView):
    route_base = "/tableau-de-bord"
    default_view = "index"

    @expose("/")
    @has_access
    @manager_screen
    def index(self, academy_id):
        figures = svc.dashboard(db.session, academy_id, parse_id(request.args.get("session")))
        session_id = figures.session_id

        def bars(part, counts):
            return [
                svc.Bar(
                    status.label,
                    counts[status],
                    url_for("ClaimProcessingView.index", **{part: status.name}, session=session_id),
                )
                for status in STATUS_ORDER
                if counts.get(status)
            ]

        return self.render_template(
            "imagin/dashboard/index.html",
            title=_("Dashboard"),
            sessions=figures.sessions,
            session_id=session_id,
            head=figures.headline,
            fee_bars=bars("fee", figures.fee_counts),
            travel_bars=bars("travel", figures.travel_counts),
            exams=figures.exams,
        )
