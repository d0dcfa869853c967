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
        sessions = svc.by_session(db.session, academy_id)
        session_id = parse_id(request.args.get("session"))
        if session_id not in {item.session_id for item in sessions}:
            session_id = None

        def bars(part):
            counts = svc.status_counts(db.session, academy_id, session_id, part)
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
            sessions=sessions,
            session_id=session_id,
            head=svc.headline(db.session, academy_id, session_id),
            fee_bars=bars("fee"),
            travel_bars=bars("travel"),
            exams=svc.amounts_by_exam(db.session, academy_id, session_id),
        )
