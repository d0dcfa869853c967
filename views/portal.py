"""Portal pages (guide, site map, help) and the portal configuration screens: activity
openings per service, welcome messages and conditions of use per service."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import SubmitField, TextAreaField

from app import current, transaction
from app.catalogue import BY_CODE
from app.extensions import db
from app.services import DomainError
from app.services.common import listing
from app.services.portal import activities, messages
from app.services.portal import help as help_pages
from models.enums import MessageKind, Service

from .base import login_required, render_list_page


class PortalPagesView(BaseView):
    """Guide, site map and contextual help: open to every signed-in user."""

    route_base = ""
    default_view = "sitemap"

    @expose("/guide")
    @login_required
    def guide(self):
        return self.render_template(
            "imagin/guide.html",
            title=_("User guide"),
            guides=help_pages.guides(current.services()),
            help_file=_help_file,
        )

    @expose("/plan-du-site")
    @login_required
    def sitemap(self):
        return self.render_template("imagin/sitemap.html", title=_("Site map"))

    @expose("/aide")
    @login_required
    def help(self):
        services = current.services()
        chapter = help_pages.activity_help(request.args.get("activite", "")[:64], services)
        return self.render_template(
            "imagin/help.html",
            title=_("Help"),
            chapter=chapter,
            index=help_pages.help_index(services),
            help_file=_help_file,
        )


def _help_file(topic: str) -> str:
    """The file of a help topic in the user's language (French when the language has
    none: every topic exists in French and in English, tests/services/test_help.py)."""
    language = str(get_locale() or "fr")[:2]
    if language not in help_pages.LANGUAGES:
        language = "fr"
    return f"imagin/help/{language}/{topic}.html"


def _badge(is_open: bool) -> Markup:
    if is_open:
        return Markup('<span class="label badge-open">%s</span>') % _("Open")
    return Markup('<span class="label badge-closed">%s</span>') % _("Closed")


OPENING_COLUMNS = (
    listing.Column("service", _l("Service")),
    listing.Column("section", _l("Section")),
    listing.Column("activity", _l("Activity")),
    listing.Column("state", _l("State")),
    listing.Column("changed_at", _l("Changed on"), listing.DATE),
    listing.Column("changed_by", _l("By")),
)


class ActivityOpeningView(BaseView):
    """Open or close each activity for each service."""

    route_base = "/ouverture-activites"
    default_view = "index"

    def _editor_services(self):
        return current.services()

    @expose("/")
    @has_access
    def index(self):
        rows = [
            listing.Row(
                cells={
                    "service": row.service.label,
                    "section": row.section,
                    "activity": row.label,
                    "state": _badge(row.is_open),
                    "changed_at": row.changed_at,
                    "changed_by": row.changed_by,
                    "_row": row,
                },
                url=url_for("ActivityOpeningView.detail", opening_id=row.id),
                css="" if row.is_open else "closed-row",
            )
            for row in activities.opening_rows(db.session, self._editor_services())
        ]
        args = listing.parse_args(request.args, OPENING_COLUMNS)
        page = listing.build_page(OPENING_COLUMNS, rows, **args, per_page=25)
        return render_list_page(
            self,
            "imagin/openings.html",
            page,
            "openings",
            list_title=_("Activities by service"),
            title=_("Activity opening"),
        )

    @expose("/<int:opening_id>", methods=["GET", "POST"])
    @has_access
    def detail(self, opening_id: int):
        try:
            opening = activities.get_opening(db.session, opening_id, self._editor_services())
        except DomainError:
            abort(404)
        if request.method == "POST":
            wanted = request.form.get("is_open")
            if wanted not in ("1", "0"):
                flash(_("Choose whether the activity is open or closed."), "warning")
            else:
                try:
                    activities.set_opening(
                        db.session,
                        opening_id,
                        wanted == "1",
                        by_user_id=current_user.id,
                        editor_services=self._editor_services(),
                    )
                except DomainError as error:
                    flash(str(transaction.refused(error)), "danger")
                else:
                    label = BY_CODE[opening.activity.code].label
                    if wanted == "1":
                        message = _(
                            "The activity “%(name)s” is now open for the service %(service)s.",
                            name=label,
                            service=opening.service.label,
                        )
                    else:
                        message = _(
                            "The activity “%(name)s” is now closed for the service %(service)s.",
                            name=label,
                            service=opening.service.label,
                        )
                    flash(message, "success")
                    return redirect(url_for("ActivityOpeningView.index"))
        return self.render_template(
            "imagin/opening_detail.html",
            title=_("Activity opening"),
            opening=opening,
            definition=BY_CODE[opening.activity.code],
        )


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Text"),
        description=_l(
            "Markdown: **bold**, *italic*, lists with “- ”, links [text](https://…). "
            "Scripts and styles are removed."
        ),
    )
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))


def _parse_slot(service: str, kind: str) -> tuple[Service, MessageKind]:
    try:
        slot = (Service[service.upper()], MessageKind[kind.upper()])
    except KeyError:
        abort(404)
    if slot not in messages.EDITABLE:
        abort(404)
    return slot


class PortalMessageView(BaseView):
    """Managers write the welcome message and the conditions of use of each service."""

    route_base = "/messages"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        stored = messages.all_messages(db.session, [service for service, _k in messages.EDITABLE])
        cards = []
        for service, kind in messages.EDITABLE:
            message = stored.get((service, kind))
            cards.append(
                {
                    "service": service,
                    "kind": kind,
                    "message": message,
                    "html": messages.render(message.body) if message else None,
                }
            )
        return self.render_template(
            "imagin/messages.html", title=_("Welcome messages and conditions"), cards=cards
        )

    @expose("/<service>/<kind>", methods=["GET", "POST"])
    @has_access
    def edit(self, service: str, kind: str):
        service_enum, kind_enum = _parse_slot(service, kind)
        message = messages.get_message(db.session, service_enum, kind_enum)
        form = MessageForm()
        preview = None
        if request.method == "GET":
            form.body.data = message.body if message else ""
        elif form.validate_on_submit():
            if form.preview.data:
                preview = messages.render(form.body.data)
            else:
                try:
                    saved = messages.save_message(
                        db.session,
                        service_enum,
                        kind_enum,
                        form.body.data,
                        by_user_id=current_user.id,
                    )
                except DomainError as error:
                    flash(str(transaction.refused(error)), "danger")
                else:
                    flash(
                        _(
                            "%(kind)s of the service %(service)s saved (version %(version)s).",
                            kind=kind_enum.label,
                            service=service_enum.label,
                            version=saved.version,
                        ),
                        "success",
                    )
                    return redirect(url_for("PortalMessageView.index"))
        return self.render_template(
            "imagin/message_edit.html",
            title=_("Welcome messages and conditions"),
            form=form,
            service=service_enum,
            kind=kind_enum,
            message=message,
            preview=preview,
            heading=escape(f"{kind_enum.label} – {service_enum.label}"),
        )
