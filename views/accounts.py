"""Account screens: change of password (forced after a temporary one), forgotten
password and reset link, session keep-alive, personal information, and the managers'
account actions on a contributor."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import limit
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, StopValidation

from app import current, transaction
from app.extensions import db
from app.security import client_ip, log, open_session
from app.services import DomainError, NotFound
from app.services.common import timing
from app.services.common.fields import Required
from app.services.mails import messages as mails
from app.services.people import accounts, personal_data
from app.services.people import directory as people

from .base import agent_screen, login_required, service_rule

EMAIL_MESSAGE = _l("This e-mail address is not valid.")


def _policy() -> accounts.Policy:
    return accounts.Policy.from_config(current_app.config)


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired()],
        description=_l("12 to 128 characters; a sentence of several words is easy to remember."),
    )
    confirmation = PasswordField(_l("New password (again)"), validators=[DataRequired()])
    email = EmailField(
        _l("Your e-mail address"),
        validators=[Optional(), Email(message=EMAIL_MESSAGE), Length(max=254)],
        description=_l("Useful if you forget your password."),
    )


FORGOT_IDENTIFIER_MAX = 128


class ForgotForm(FlaskForm):
    identifier = StringField(
        _l("Identifier"), validators=[DataRequired(), Length(max=FORGOT_IDENTIFIER_MAX)]
    )


class ResetForm(FlaskForm):
    new = PasswordField(_l("New password"), validators=[DataRequired()])
    confirmation = PasswordField(_l("New password (again)"), validators=[DataRequired()])


def _notify_change(user) -> None:
    """Tell the user their password changed (if an address is known)."""
    address = accounts.contact_email(db.session, user)
    if address:
        mails.queue_password_changed(db.session, user, address)


def _send_reset_link(user, address: str, token: str) -> None:
    """Queued with the request's unit: the mail leaves from a worker once committed."""
    mails.queue_reset_link(
        db.session, user, address, token, current_app.config["PASSWORD_RESET_MINUTES"]
    )


class AccountView(BaseView):
    """The signed-in user's password, and the anonymous' forgotten password."""

    route_base = "/compte"
    default_view = "change_password"

    @expose("/mot-de-passe", methods=["GET", "POST"])
    @login_required
    def change_password(self):
        user = current_user._get_current_object()
        security = accounts.security_of(db.session, user)
        email_known = accounts.contact_email(db.session, user) is not None
        form = ChangePasswordForm()
        if form.validate_on_submit():
            try:
                accounts.change_password(
                    db.session,
                    user,
                    form.current.data,
                    form.new.data,
                    form.confirmation.data,
                    _policy(),
                )
            except DomainError as error:
                _refusal_on_form(form, error, transaction.refused(error))
            else:
                if not email_known and form.email.data:
                    people.set_personal_email(db.session, user, form.email.data)
                open_session(user, security)
                log.info("password changed user=%s ip=%s", user.username, client_ip())
                _notify_change(user)
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("HomeView.index"))
        return self.render_template(
            "imagin/accounts/change_password.html",
            title=_("Change of password"),
            form=form,
            forced=security.must_change_password,
            email_known=email_known,
        )

    @expose("/prolonger", methods=["POST"])
    @login_required
    def keepalive(self):
        # The session check before every request has just renewed the idle delay.
        return "", 204

    @expose("/mot-de-passe-oublie", methods=["GET", "POST"])
    # Flask-Limiter through FAB, per IP like the login; FAB applies a view's limits to
    # its whole blueprint, so every other route of this view is exempt.
    @limit(
        lambda: current_app.config["FORGOT_RATE_LIMIT"],
        methods=["POST"],
        exempt_when=lambda: request.endpoint != "AccountView.forgot",
    )
    def forgot(self):
        form = ForgotForm()
        if request.method == "GET":
            # The identifier already typed on the login page (its link carries it).
            typed = request.args.get("identifiant", "").strip()
            if typed:
                form.identifier.data = typed[:FORGOT_IDENTIFIER_MAX]
        if form.validate_on_submit():
            # The same duration whether a link is mailed or not (the mail itself leaves
            # from a background thread): no account enumeration by timing.
            with timing.at_least(current_app.config["FORGOT_MIN_SECONDS"]):
                found = accounts.request_reset(db.session, form.identifier.data, _policy())
                if found is not None:
                    _send_reset_link(*found)
            log.info("password reset asked identifier=%s ip=%s", form.identifier.data, client_ip())
            # The same answer whether the identifier exists, has an e-mail, or not.
            flash(
                _(
                    "If an e-mail address is known for this identifier, a message has just "
                    "been sent to it with a link to choose a new password. Otherwise, "
                    "contact the examinations division of your academy: it can record "
                    "your e-mail address or give you a temporary password."
                ),
                "info",
            )
            return redirect(current_app.appbuilder.get_url_for_login)
        return self.render_template(
            "imagin/accounts/forgot.html", title=_("Forgotten password"), form=form
        )

    @expose("/reinitialiser/<token>", methods=["GET", "POST"])
    def reset(self, token: str):
        try:
            accounts.check_reset_token(db.session, token)
        except DomainError as error:
            flash(str(transaction.refused(error)), "danger")
            return redirect(url_for("AccountView.forgot"))
        form = ResetForm()
        if form.validate_on_submit():
            try:
                user = accounts.reset_password(
                    db.session, token, form.new.data, form.confirmation.data, _policy()
                )
            except DomainError as error:
                _refusal_on_form(form, error, transaction.refused(error))
            else:
                log.info("password reset done user=%s ip=%s", user.username, client_ip())
                _notify_change(user)
                flash(_("Your password has been changed: you can log in."), "success")
                return redirect(current_app.appbuilder.get_url_for_login)
        return self.render_template(
            "imagin/accounts/reset.html", title=_("New password"), form=form
        )


def _refusal_on_form(form, error: DomainError, message) -> None:
    """A refused password (``message``: the refusal, its unit of work rolled back) goes
    next to the field it is about and to the console: the page comes back with the
    focus on that field."""
    message = str(message)
    for name in getattr(error, "fields", ()):
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
    flash(message, "danger")


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def _contact_rule(error_of):
    """A contact rule of ``people`` (postcode, telephone…) as the field's validator."""
    return service_rule(lambda form, field: error_of(field.data))


def _one_address(form, field):
    """The personal e-mail may stay empty when the professional one is given (the
    portal needs one address to write to: ``people.email_required_error``)."""
    if not field.data:
        raise StopValidation(people.email_required_error(None, form.email_professional.data))


def _fiscal_power_rule(form, field):
    # A text that is not a whole number gets WTForms' message and the range, as ever.
    if field.process_errors:
        return people.fiscal_power_message()
    return people.fiscal_power_error(field.data)


class PersonalInfoForm(FlaskForm):
    """The contact details an agent edits (``people.CONTACT_FIELDS``): each field read
    stripped, checked by the rules of ``app.services.people.directory``."""

    address_line1 = StringField(
        _l("Address"), filters=[_stripped], validators=[Required(), Length(max=120)]
    )
    address_line2 = StringField(
        _l("Address (continued)"), filters=[_stripped], validators=[Optional(), Length(max=120)]
    )
    postcode = StringField(
        _l("Postcode"),
        filters=[_stripped],
        validators=[Required(), _contact_rule(people.postcode_error)],
    )
    town = StringField(_l("Town"), filters=[_stripped], validators=[Required(), Length(max=80)])
    phone = StringField(
        _l("Telephone"),
        filters=[_stripped],
        validators=[Optional(), _contact_rule(people.phone_error)],
    )
    email_professional = EmailField(
        _l("Professional e-mail"),
        filters=[_stripped],
        validators=[Optional(), Email(message=EMAIL_MESSAGE)],
    )
    email_personal = EmailField(
        _l("Personal e-mail"),
        filters=[_stripped],
        validators=[_one_address, Email(message=EMAIL_MESSAGE)],
    )
    car_fiscal_power = IntegerField(
        _l("Fiscal horsepower of your car"),
        description=_l("Used for the kilometre allowances of your trips by car."),
        validators=[Optional(), service_rule(_fiscal_power_rule)],
    )


class PersonalInfoView(BaseView):
    """Informations personnelles: contact details editable, bank details read-only."""

    route_base = "/informations-personnelles"
    default_view = "index"

    @expose("/", methods=["GET", "POST"])
    @has_access
    @agent_screen
    def index(self, agent):
        form = PersonalInfoForm(obj=agent)
        if form.validate_on_submit():
            people.update_contact(db.session, agent, form.data)
            flash(_("Your personal information has been saved."), "success")
            return redirect(url_for("PersonalInfoView.index"))
        if request.method == "POST":
            flash(_("Some fields are not valid: see the messages next to them."), "danger")
        return self.render_template(
            "imagin/accounts/personal_info.html",
            title=_("Personal information"),
            form=form,
            agent=agent,
            bank=personal_data.masked(agent),
        )


class AgentAccountView(BaseView):
    """A manager's actions on a contributor's account: create it, give a temporary
    password (shown once) or mail a reset link."""

    route_base = "/intervenants/compte"
    default_view = "show"

    def _agent(self, agent_id: int):
        manager = current.manager()
        try:
            if manager is None:
                raise NotFound(_l("No manager file is linked to your account."))
            return people.agent_in_academy(db.session, manager, agent_id)
        except NotFound:
            abort(404)

    def _page(self, agent, temporary_password=None):
        user = agent.user
        return self.render_template(
            "imagin/accounts/agent_account.html",
            title=_("Account of a contributor"),
            agent=agent,
            user=user,
            actions=people.account_actions(db.session, agent),
            security=accounts.security_of(db.session, user) if user else None,
            email=accounts.contact_email(db.session, user) if user else None,
            temporary_password=temporary_password,
        )

    def _refused(self, agent_id: int, error: DomainError):
        log.warning(
            "account action refused agent=%s by=%s ip=%s",
            agent_id,
            current_user.username,
            client_ip(),
        )
        flash(str(transaction.refused(error)), "danger")
        return redirect(url_for("AgentAccountView.show", agent_id=agent_id))

    @expose("/<int:agent_id>")
    @has_access
    def show(self, agent_id: int):
        return self._page(self._agent(agent_id))

    @expose("/<int:agent_id>/mot-de-passe-temporaire", methods=["POST"])
    @has_access
    def temporary(self, agent_id: int):
        agent = self._agent(agent_id)
        try:
            user, password = people.temporary_password_for(
                db.session, current_app.appbuilder.sm, agent, _policy()
            )
        except DomainError as error:
            return self._refused(agent_id, error)
        log.info("temporary password issued user=%s by=%s", user.username, current_user.username)
        flash(
            _("A temporary password has been generated: give it to the contributor now."),
            "success",
        )
        return self._page(agent, temporary_password=password)

    @expose("/<int:agent_id>/lien", methods=["POST"])
    @has_access
    def reset_link(self, agent_id: int):
        agent = self._agent(agent_id)
        try:
            found = people.reset_link_for(db.session, agent, _policy())
        except DomainError as error:
            return self._refused(agent_id, error)
        _user, address, _token = found
        _send_reset_link(*found)
        flash(_("A reset link has been sent to %(address)s.", address=address), "success")
        return redirect(url_for("AgentAccountView.show", agent_id=agent_id))
