"""Every route of the url_map × every demo account and anonymous, with real ids of the
demo data: the anonymous are sent to the login (but for the public pages listed here),
an account without the view's permission is refused (403 and a French message), an
account with it gets its page or a redirect, and nobody ever gets a 5xx.

Read from the url_map: a new route is covered without being listed, and a new route
that the anonymous may open fails here until it is added to ``PUBLIC``."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token, login
from tests.route_map import real_values, routes, values_for
from tests.views.helpers import console

# Endpoints the anonymous may open (no login).
PUBLIC = {
    "ImaginAuthDBView.login",
    "ImaginAuthDBView.logout",
    "AccountView.forgot",
    "AccountView.reset",
    "LocaleView.index",
    "UtilView.back",
    "static",
    "appbuilder.static",
}
# Endpoints any signed-in account may open (no FAB permission: the portal's own pages).
SIGNED_IN = {
    "HomeView.index",
    "AccountView.change_password",
    "AccountView.keepalive",
    "PortalPagesView.help",
    "PortalPagesView.guide",
    "PortalPagesView.sitemap",
}
# The REST API: a bearer token only (tests/api/); a session opens nothing there, and
# every answer is a problem+json, never a page. The specification is also open to an
# administrator's session (the documentation page reads it).
API_SPEC = "api_openapi"


def is_api(route) -> bool:
    return route.rule.startswith("/api/")


def api_problems(route, response, username: str | None) -> list[str]:
    if route.endpoint == API_SPEC and username == "admin":
        ok = response.status_code == 200 and response.mimetype == "application/json"
    else:
        ok = response.status_code == 401 and response.mimetype == "application/problem+json"
    return [] if ok else [f"API {route.rule}: {response.status_code} {response.mimetype}"]


USERS = ("enseignant", "chef", "EXT35000123", "gestionnaire", "admin")
REFUSED = "Vous n'avez pas accès à cette page."


def kept_for_others(app, username: str, route) -> bool:
    """Whether the route's activity is kept for people (``ActivityDef.audience``)
    among whom the account is not: a 404 for it (app/web.py)."""
    from app.catalogue import BY_VIEW
    from app.extensions import db
    from app.services.portal import audience
    from models import Agent, User

    definition = BY_VIEW.get(route.view)
    if definition is None or definition.audience is None:
        return False
    with app.app_context():
        agent = db.session.scalar(
            select(Agent).join(User, Agent.user_id == User.id).where(User.username == username)
        )
        concerned = audience.concerned(db.session, agent, {definition.audience})
        db.session.remove()
    return definition.audience not in concerned


def fab_permission(app, endpoint: str) -> tuple[str, str] | None:
    """(permission, view) FAB checks on ``endpoint``, or None when it checks none."""
    view_name, _dot, method = endpoint.partition(".")
    function = app.view_functions[endpoint]
    name = getattr(function, "_permission_name", None)
    view = next((v for v in app.appbuilder.baseviews if type(v).__name__ == view_name), None)
    if view is None or name is None:
        return None
    name = (view.method_permission_name or {}).get(method, name)
    return f"can_{name}", view.class_permission_name


def may(app, username: str, permission: tuple[str, str]) -> bool:
    """Whether FAB grants ``permission`` to the account (its built-in roles come from
    the catalogue of activities, FAB_ROLES as create_app sets it)."""
    from app.extensions import db
    from models import User

    # FAB refuses a permission a portal CRUD view does not list in its base_permissions
    # (a read-only screen has no can_add), whatever the role says.
    from views.base import ImaginModelView

    for view in app.appbuilder.baseviews:
        if (
            isinstance(view, ImaginModelView)
            and view.class_permission_name == permission[1]
            and permission[0] not in view.base_permissions
        ):
            return False
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        granted = app.appbuilder.sm._has_view_access(user, *permission)
        db.session.remove()
    return granted


def kept_from(app, endpoint: str, username: str) -> bool:
    """Whether the route belongs to an activity kept for the people it concerns
    (``ActivityDef.audience``) and the account is not one of them: a 404 there."""
    from app.catalogue import BY_VIEW
    from app.extensions import db
    from app.services.people import users
    from app.services.portal import audience
    from models import User

    definition = BY_VIEW.get(endpoint.split(".")[0])
    if definition is None or definition.audience is None:
        return False
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        concerned = audience.concerned(
            db.session, users.agent_of(db.session, user), {definition.audience}
        )
        db.session.remove()
    return not concerned


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def documents_on_claims(app, demo):
    """A supporting document on the claim of each agent that the matrix opens (the demo
    data has none), so that the document routes have a real id."""
    import io

    from app.extensions import db
    from app.services.claims import documents
    from models import ExpenseClaim
    from models.enums import DocumentDossier, DocumentPiece

    for username in ("enseignant", "EXT35000123"):
        with app.app_context():
            claim_id = real_values(app, username)["claim_id"]
            documents.add_document(
                db.session,
                db.session.get(ExpenseClaim, claim_id),
                documents.Upload(
                    dossier=DocumentDossier.PAY,
                    piece=DocumentPiece.RIB,
                    filename="rib.pdf",
                    stream=io.BytesIO(PDF),
                ),
                storage=app.config["UPLOAD_FOLDER"],
                by_user_id=None,
                by_manager=True,
            )
            db.session.commit()
            db.session.remove()


@pytest.fixture
def finished_job(app, demo):
    """A payment export run to its end (the demo data has no job), so that the job
    routes, its result file's included, have a real id."""
    from app.extensions import db
    from app.jobs import kinds, runner
    from app.jobs.queue import start
    from app.transaction import unit_of_work
    from models import Academy, User

    with app.app_context():
        manager = db.session.scalar(select(User.id).where(User.username == "gestionnaire"))
        rennes = db.session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        with unit_of_work(db.session):
            job = start(db.session, rennes, kinds.PAYMENT_EXPORT, started_by_id=manager).id
        db.session.remove()
    runner.run(app, job, last_attempt=True)  # what a worker does with it


@pytest.fixture
def import_run(app, demo):
    """The dry run of the example exams file (the demo data has no import), so that the
    import routes have a real id."""
    from pathlib import Path

    from app.extensions import db
    from app.services.interfaces.imports import runs
    from app.services.interfaces.imports.base import Source
    from app.transaction import unit_of_work
    from models import Academy

    example = Path(__file__).parents[2] / "docs" / "examples" / "cyclades-examens.csv"
    with app.app_context():
        rennes = db.session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        with unit_of_work(db.session):
            source = Source(example.name, example.read_bytes())
            runs.dry_run(db.session, rennes, "exams", source, by_user_id=None)
        db.session.remove()


@pytest.fixture
def assignment_run(app, demo):
    """An automatic assignment proposed on a mission given needs (the demo data has
    none), so that the routes of « Affectation automatique » have a real run and line."""
    from app.extensions import db
    from app.jobs import runner
    from app.services.missions.assignment import runs
    from app.transaction import unit_of_work
    from models import Academy, Mission
    from models.assignment import MissionNeed
    from models.enums import AssignmentQuality

    with app.app_context():
        rennes = db.session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        mission = db.session.scalar(select(Mission).where(Mission.number == 77286))
        with unit_of_work(db.session):
            db.session.add(
                MissionNeed(mission_id=mission.id, quality=AssignmentQuality.INVIGILATOR, places=9)
            )
            run = runs.start(
                db.session,
                rennes,
                exam_session_id=mission.session_id,
                mission_numbers=str(mission.number),
                weights={},
                by_user_id=None,
            )
            job_id = run.proposal_job_id
        db.session.remove()
    runner.run(app, job_id, last_attempt=True)


@pytest.fixture
def api_client_record(app, demo):
    """A machine client of the API, for the routes of « Clients API » that name one."""
    from tests.api.conftest import make_token

    make_token(app, ("missions:lire",))


def request_route(client, route, url, token):
    """GET a route that answers GET; POST (with a valid CSRF token, no fields) one that
    answers only POST."""
    if "GET" in route.methods:
        return client.get(url)
    return client.post(url, data={"csrf_token": token})


def accept_conditions(client, token):
    """An agent accepts the conditions of use first (until then, the claim actions are
    refused: tests/views/test_claims.py)."""
    page = client.get("/etats-de-frais/")
    match = (
        re.search(r'name="version"[^>]*value="(\d+)"', page.text)
        if page.status_code == 200
        else None
    )
    if match:
        client.post(
            "/etats-de-frais/conditions",
            data={"csrf_token": token, "accept": "y", "version": match.group(1)},
        )


def test_the_lists_of_open_endpoints_name_real_routes(app):
    endpoints = {route.endpoint for route in routes(app)}
    assert endpoints >= (PUBLIC | SIGNED_IN)
    assert not {e for e in SIGNED_IN | PUBLIC if fab_permission(app, e) is not None}


def _ordered(all_routes):
    # Logging out last: it ends the session the other requests use.
    return sorted(all_routes, key=lambda r: r.endpoint == "ImaginAuthDBView.logout")


def test_the_anonymous_are_sent_to_the_login_except_on_public_pages(app, client, demo):
    with app.app_context():
        values = real_values(app, None)
    token = csrf_token(client.get("/login/").text)
    problems = []
    for route in _ordered(routes(app)):
        url = route.url(values_for(route, values))
        response = request_route(client, route, url, token)
        location = response.headers.get("Location", "")
        to_login = response.status_code == 302 and "/login/" in location
        if is_api(route):
            problems.extend(api_problems(route, response, None))
        elif response.status_code >= 500:
            problems.append(f"{route.rule}: {response.status_code}")
        elif route.endpoint in PUBLIC:
            if response.status_code >= 400 and response.status_code != 404:
                problems.append(f"public {route.rule}: {response.status_code}")
        elif not to_login:
            problems.append(f"not sent to the login: {route.rule} -> {response.status_code}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("username", USERS)
def test_each_account_opens_what_it_may_and_is_refused_the_rest(
    app,
    demo,
    documents_on_claims,
    finished_job,
    import_run,
    api_client_record,
    assignment_run,
    username,
):
    client = app.test_client()
    assert login(client, username).status_code == 302
    token = csrf_token(client.get("/").text)
    accept_conditions(client, token)
    with app.app_context():
        values = real_values(app, username)
        from app.extensions import db
        from models import User

        teacher = db.session.scalar(select(User.id).where(User.username == "enseignant"))
    # Pages that name their record in the query string.
    query = {f"ImaginResetPasswordView.this_form_{m}": f"?pk={teacher}" for m in ("get", "post")}
    problems = []
    for route in _ordered(routes(app)):
        url = route.url(values_for(route, values)) + query.get(route.endpoint, "")
        response = request_route(client, route, url, token)
        status = response.status_code
        permission = fab_permission(app, route.endpoint)
        if is_api(route):
            problems.extend(api_problems(route, response, username))
        elif status >= 500:
            problems.append(f"{route.rule}: {status}")
        elif permission is not None and may(app, username, permission):
            if status == 404 and kept_for_others(app, username, route):
                continue
            # 422: a POST without its fields is answered with the form and its errors.
            if status == 404 and kept_from(app, route.endpoint, username):
                continue
            if not (200 <= status < 400 or (status == 422 and "GET" not in route.methods)):
                problems.append(f"allowed {route.rule} ({permission}) -> {status}")
        elif permission is not None:
            if status != 403 or REFUSED not in console(response.text):
                problems.append(f"not refused {route.rule} ({permission}) -> {status}")
        elif route.endpoint in PUBLIC or route.endpoint in SIGNED_IN:
            if status >= 400 and status != 404:
                problems.append(f"open page {route.rule}: {status}")
        else:
            problems.append(f"{route.endpoint}: neither public, signed-in nor FAB-protected")
    assert not problems, f"{username}:\n" + "\n".join(problems)
