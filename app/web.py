"""Request glue shared by every page: security headers and CSP nonce, the screen
shell's context (académie, user, menu), closed activities, bounded list arguments and
error pages in the shell with a message in the console."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlencode

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app import bounds, current, problems
from app.catalogue import BY_VIEW
from app.extensions import db
from app.services.common import formats, listing
from app.services.people import accounts
from app.services.portal import activities
from models import Academy

log = logging.getLogger("imagin")

HOME_ENDPOINT = "HomeView.index"


def _nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def set_security_headers(response):
    csp = current_app.config["IMAGIN_CSP"].format(nonce=_nonce())
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if not current_app.debug and not current_app.testing:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    if current_user and getattr(current_user, "is_authenticated", False):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def no_store_for_files(response):
    """Every file the portal sends (a supporting document, a PDF, the payment CSV: any
    attachment) is kept by no browser nor proxy, whatever ``send_file`` set."""
    disposition = response.headers.get("Content-Disposition", "")
    if disposition.lower().startswith("attachment"):
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def _list_views() -> dict:
    return {
        type(view).__name__: view
        for view in current_app.appbuilder.baseviews
        if hasattr(view, "order_columns")
    }


def bound_list_arguments():
    """FAB list arguments (``page_<View>``, ``psize_<View>``, ``_oc_<View>``,
    ``_od_<View>``) are used by FAB without checks: a bad or huge value is replaced
    by a bounded one or dropped (redirect), so a list URL always gives a normal page."""
    list_keys = ("page_", "psize_", "_oc_", "_od_")
    if problems.is_api_request():  # the API bounds its own ``page`` and ``page_size``
        return None
    if request.method != "GET" or not any(k.startswith(list_keys) for k in request.args):
        return None
    maximum = current_app.config["IMAGIN_MAX_PAGE_SIZE"]
    views = _list_views()
    fixed: list[tuple[str, str]] = []
    changed = False
    for key, values in request.args.lists():
        raw = values[-1]
        if len(values) > 1 and key.startswith(list_keys):
            changed = True
        if key.startswith(("page_", "psize_")):
            try:
                number = int(raw)
            except ValueError:
                changed = True
                continue
            if key.startswith("psize_"):
                number = max(1, min(number, maximum))
            else:
                number = max(0, min(number, 10**6))
            changed = changed or str(number) != raw
            fixed.append((key, str(number)))
        elif key.startswith("_oc_"):
            view = views.get(key[4:])
            if view is None or raw not in view.order_columns:
                changed = True
                continue
            fixed.append((key, raw))
        elif key.startswith("_od_"):
            if raw not in ("asc", "desc"):
                changed = True
                continue
            fixed.append((key, raw))
        else:
            fixed.extend((key, value) for value in values)
    if changed:
        query = urlencode(fixed)
        return redirect(request.path + ("?" + query if query else ""))
    return None


def refuse_unbounded_pk():
    """FAB's CRUD routes take the record's id as text (``/<view>/show/<pk>``): one that
    is not a bounded id (app/bounds.py) is a 404 before FAB queries the database."""
    pk = (request.view_args or {}).get("pk")
    if pk is not None and bounds.parse_id(pk) is None:
        abort(404)


def bound_list_filters():
    """FAB list filters (``_flt_<index>_<column>=<value>``) reach SQL as typed: one
    that FAB cannot apply (unknown column or index, a 20-digit number, a date that is
    not one, a value outside an enum…) is dropped, and the list comes back with a
    console message."""
    if request.method != "GET" or not any(key.startswith("_flt_") for key in request.args):
        return None
    view = _list_views().get(request.blueprint or "")
    kept: list[tuple[str, str]] = []
    dropped = False
    for key, values in request.args.lists():
        if key.startswith("_flt_") and not (
            view is not None and all(bounds.fab_filter_is_valid(view, key, v) for v in values)
        ):
            dropped = True
            continue
        kept.extend((key, value) for value in values)
    if not dropped:
        return None
    flash(_("A filter of the list was not valid: it has been removed."), "warning")
    query = urlencode(kept)
    return redirect(request.path + ("?" + query if query else ""))


def refuse_nul_characters():
    """No form field, URL argument or path ever holds a NUL character (PostgreSQL
    refuses them in text): such a request is refused whole, with a message."""
    if "\x00" in request.path or any(
        "\x00" in key or "\x00" in value
        for source in (request.args, request.form)
        for key, value in source.items(multi=True)
    ):
        abort(400)


# What a user who must change a temporary password may still open.
OPEN_DURING_FORCED_CHANGE = frozenset(
    {
        "AccountView.change_password",
        "AccountView.keepalive",
        "ImaginAuthDBView.logout",
        "LocaleView.index",
        "static",
        "appbuilder.static",
    }
)
SESSION_ENDED = {
    "idle": _l("Your session has ended after %(minutes)s minutes without activity: log in again."),
    "expired": _l("Your session has reached its maximum length: log in again."),
    "revoked": _l("Your session has ended: log in again."),
}


def enforce_session():
    """Server-side session checks before every request: the account's nonce (logout,
    password change), the idle delay and the maximum length; then the forced change
    of a temporary password."""
    if request.endpoint in ("static", "appbuilder.static") or not current_user.is_authenticated:
        return None
    if problems.is_api_request():  # the API reads no session: a token only
        return None
    policy = accounts.Policy.from_config(current_app.config)
    security = accounts.security_of(db.session, current_user)
    problem = accounts.session_problem(session, security, policy)
    if problem is not None:
        log.info("session ended (%s) user=%s", problem, current_user.username)
        locale = session.get("locale")
        logout_user()
        session.clear()
        if locale:
            session["locale"] = locale
        target = request.full_path if request.method == "GET" and request.query_string else None
        target = target or request.path
        if problem == "idle" and request.endpoint != "AccountView.keepalive":
            # The login page says why (issue 18): the redirect carries the reason. The
            # idle timeout's own logout (shell.js) is not a page to come back to.
            if request.endpoint == "ImaginAuthDBView.logout":
                target = None
            login = f"{current_app.appbuilder.sm.auth_view.endpoint}.login"
            return redirect(url_for(login, next=target, reason="idle"))
        message = SESSION_ENDED[problem]
        flash(str(message) % {"minutes": current_app.config["SESSION_IDLE_MINUTES"]}, "warning")
        if request.endpoint == "AccountView.keepalive":
            return "", 401
        return redirect(current_app.appbuilder.get_url_for_login_with(target))
    seen_at = accounts.seen_again(
        session, policy, renew=request.endpoint == "AccountView.keepalive"
    )
    if seen_at is not None:
        session["imagin_seen_at"] = seen_at
    if security.must_change_password and request.endpoint not in OPEN_DURING_FORCED_CHANGE:
        flash(_("Please choose your own password before going on."), "warning")
        return redirect(url_for("AccountView.change_password"))
    return None


def current_activity():
    return BY_VIEW.get(request.blueprint) if request.blueprint else None


def refuse_closed_activity():
    """An activity closed for the user's service answers with a console message."""
    definition = current_activity()
    if definition is None or not current_user.is_authenticated:
        return None
    state = activities.is_open_for(
        db.session, definition.code, current.services(), states=current.open_states()
    )
    if state is None:
        return None  # not an activity of the user's services: FAB refuses it (403)
    if definition.audience is not None and not activities.concerns(
        definition.code, current.concerned()
    ):
        abort(404)  # an activity kept for other people: as if it did not exist
    if state is False:
        flash(
            _(
                "The activity “%(name)s” is closed for your service. It will be "
                "available when the examinations division opens it.",
                name=definition.label,
            ),
            "warning",
        )
        return redirect(url_for(HOME_ENDPOINT))
    return None


def _academy():
    """The portal's académie (its name in the header): the one the request has already
    read (the signed-in contributor's or manager's, loaded with their file), else asked."""
    if "academy" not in g:
        code = current_app.config["IMAGIN_ACADEMY_CODE"]
        known = (
            item
            for item in db.session.identity_map.values()
            if isinstance(item, Academy) and item.code == code
        )
        g.academy = next(known, None) or db.session.scalar(
            select(Academy).where(Academy.code == code)
        )
    return g.academy


def shell_context() -> dict:
    """What the screen shell (imagin/layout.html) needs on every page."""
    context = {
        "appbuilder": current_app.appbuilder,
        "base_template": current_app.appbuilder.base_template,
        "menu_sections": [],
        "current_activity": None,
        "display_name": "",
    }
    if current_user and current_user.is_authenticated:
        definition = current_activity()
        context["current_activity"] = definition
        context["menu_sections"] = activities.menu_for(
            db.session,
            current.services(),
            definition.code if definition else None,
            states=current.open_states(),
            concerned=current.concerned(),
        )
        agent = current.agent()
        context["display_name"] = (
            f"{agent.first_name} {agent.last_name.upper()}"
            if agent
            else f"{current_user.first_name} {current_user.last_name.upper()}"
        )
    # After the user's file: its académie, read with it, is usually the portal's.
    context["academy"] = _academy()
    return context


ERROR_MESSAGES = {
    400: _l("The request could not be understood. Please try again."),
    403: _l("You do not have access to this page."),
    404: _l("This page does not exist, or you may not see it."),
    405: _l("This action is not possible on this page."),
    413: _l("The file sent is too big: 5 MB at most per document."),
    429: _l("Too many attempts: please wait a moment before trying again."),
    500: _l("An unexpected error occurred. The team has been told; please try again later."),
}


# Routes that take a larger file than MAX_CONTENT_LENGTH (the imports): endpoint →
# (their limit in bytes, the French message of a larger upload).
LARGE_UPLOADS: dict[str, tuple[int, object]] = {}


def allow_large_uploads():
    """Before anything reads the body (the CSRF check): a route of ``LARGE_UPLOADS``
    takes up to its own limit; a larger body is refused unread, with its message."""
    limit = LARGE_UPLOADS.get(request.endpoint or "")
    if limit is None:
        return None
    size, message = limit
    request.max_content_length = size
    if request.content_length is not None and request.content_length > size:
        return render_error(413, str(message))
    return None


def render_error(code: int, message: str):
    flash(message, "danger")
    return render_template("imagin/error.html", status=code), code


def handle_http_error(error: HTTPException):
    code = error.code or 500
    if problems.is_api_request() and code not in (301, 302, 303, 307, 308):
        return problems.from_http_error(error)
    if code in (301, 302, 303, 307, 308):
        return error
    text = ERROR_MESSAGES.get(code, ERROR_MESSAGES[400] if code < 500 else ERROR_MESSAGES[500])
    if code == 413 and request.endpoint in LARGE_UPLOADS:  # a body without its length
        text = LARGE_UPLOADS[request.endpoint][1]
    return render_error(code, str(text))


def handle_csrf_error(error: CSRFError):
    log.warning("CSRF refusal on %s: %s", request.path, error.description)
    if problems.is_api_request():
        return problems.problem(400)
    return render_error(
        400,
        _(
            "The form has expired or was not sent from this site. "
            "Please reload the page and try again."
        ),
    )


def handle_concurrent_change(error: StaleDataError):
    """Two people changed the same record at once (optimistic locking): the later one
    is told, nothing half-written is kept."""
    db.session.rollback()
    if problems.is_api_request():
        return problems.problem(409)
    return render_error(
        409, _("This record was just changed by someone else: reload the page and try again.")
    )


def handle_unexpected_error(error: Exception):
    log.exception("Unexpected error on %s", request.path)
    db.session.rollback()
    if problems.is_api_request():
        return problems.problem(500)
    try:
        return render_error(500, str(ERROR_MESSAGES[500]))
    except Exception:  # not a refusal: the shell itself failed; a bare page, no traceback
        log.exception("The error page could not be rendered")
        return Response(str(ERROR_MESSAGES[500]), status=500, mimetype="text/plain")


def handle_api_error(error: problems.ApiError):
    """A refusal of the REST API: nothing the request wrote is kept."""
    db.session.rollback()
    return problems.problem(error.status, error.detail, errors=error.errors)


def list_url(list_page, /, **changes) -> str:
    """URL of the current page with the list arguments of ``list_page`` changed."""
    args = request.args.to_dict(flat=False)
    # A page's cursors hold only for the links that give them (``listing.query_page``).
    for name in ("apres", "avant"):
        args.pop(list_page.arg(name), None)
    for name, value in changes.items():
        key = list_page.arg(name)
        if value is None or (name == "page" and value == 1):
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    query = urlencode(args, doseq=True)
    return request.path + ("?" + query if query else "")


def cell(value):
    """How a list cell shows a value (Markup, e.g. a badge, is kept as is)."""
    if isinstance(value, Markup):
        return value
    return listing.display(value)


def escape_lazy(value):
    """What ``{{ … }}`` outputs: a lazy translation escaped as text. Flask-Babel's
    LazyString says it is HTML, so a file name or any value interpolated into a message
    would reach the page as markup. The characters that open markup or end a
    double-quoted attribute are escaped (every template quotes its attributes with
    ``"``); the apostrophes of French stay as they are."""
    if not isinstance(value, LazyString):
        return value
    text = str(value)
    for character, entity in _TEXT_ENTITIES:
        text = text.replace(character, entity)
    return Markup(text)  # noqa: S704 (escaped just above)


_TEXT_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;"))


def init_app(app: Flask) -> None:
    app.jinja_env.finalize = escape_lazy
    # A global (not a context variable) so that FAB's macros imported without context
    # (baselib.get_nonce) see it too.
    app.jinja_env.globals["csp_nonce"] = _nonce
    app.jinja_env.globals["list_url"] = list_url
    app.jinja_env.globals["now_label"] = formats.now_label
    app.jinja_env.filters["cell"] = cell
    app.jinja_env.filters.update(formats.FILTERS)
    # First (before the CSRF check reads the form); the host check goes before it.
    app.before_request_funcs.setdefault(None, []).insert(0, allow_large_uploads)
    app.before_request(enforce_session)
    app.before_request(refuse_unbounded_pk)
    app.before_request(bound_list_arguments)
    app.before_request(bound_list_filters)
    app.before_request(refuse_nul_characters)
    app.before_request(refuse_closed_activity)
    app.after_request(set_security_headers)
    app.after_request(no_store_for_files)
    app.context_processor(shell_context)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(StaleDataError, handle_concurrent_change)
    app.register_error_handler(problems.ApiError, handle_api_error)
    # Always: the traceback goes to the log, the user gets the shell and a message.
    app.register_error_handler(Exception, handle_unexpected_error)
