"""One transaction per request or job (``app/transaction.py``): a domain error leaves
nothing written, whether on an agent's route, a manager's route or in a job; a success
is committed (another connection sees it); a commit the database refuses is a page,
never a 500. And the rule cannot be forgotten: no service or seed commits, and every
view that catches a ``DomainError`` goes through ``transaction.refused``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.services import DomainError
from app.services.claims import processing, workflow
from app.transaction import unit_of_work
from models import ClaimStatusHistory, ExpenseClaim, NumberCounter
from models.enums import ClaimStatus
from tests.conftest import csrf_token, login
from tests.views.helpers import console
from tests.views.test_claims import accept as accept_conditions
from tests.views.test_claims import claim_id

ROOT = Path(__file__).resolve().parent.parent
REFUSAL = "Refusé après avoir écrit (test)."
NOT_SAVED = "L'enregistrement n'a pas pu être effectué : il est en conflit avec d'autres données."


def committed(app, claim: int) -> tuple:
    """The claim's statuses, manager message and history length as another connection
    reads them (only what was committed)."""
    with app.app_context(), db.engine.connect() as connection:
        fee, travel, message = connection.execute(
            select(
                ExpenseClaim.fee_status, ExpenseClaim.travel_status, ExpenseClaim.manager_message
            ).where(ExpenseClaim.id == claim)
        ).one()
        history = connection.scalar(
            select(func.count()).where(ClaimStatusHistory.claim_id == claim)
        )
    return fee, travel, message, history


def writes_then_refuses(real):
    """``real`` (a service), run to the end and flushed, then a refusal."""

    def service(session, *args, **kwargs):
        real(session, *args, **kwargs)
        session.flush()
        raise DomainError(REFUSAL)

    return service


def signed_in(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def post(client, page_url: str, url: str, data=None):
    token = csrf_token(client.get(page_url).text)
    return client.post(url, data={"csrf_token": token, **(data or {})})


@pytest.fixture
def validated(app, demo):
    """Claire LECLERC's validated claim of mission 77508."""
    claim = claim_id(app, "LECLERC", 77508)
    before = committed(app, claim)
    assert before[:2] == (ClaimStatus.VALIDATED, ClaimStatus.VALIDATED)
    return claim, before


# --- An agent's route ----------------------------------------------------------------------


def test_an_agent_route_refused_after_writing_leaves_nothing(app, validated, monkeypatch):
    claim, before = validated
    monkeypatch.setattr(workflow, "unvalidate", writes_then_refuses(workflow.unvalidate))
    teacher = signed_in(app, "enseignant")
    accept_conditions(teacher)
    response = post(teacher, "/etats-de-frais/", f"/etats-de-frais/{claim}/devalider")
    assert response.status_code == 302
    assert REFUSAL in console(teacher.get(response.headers["Location"]).text)
    assert committed(app, claim) == before


def test_an_agent_route_that_succeeds_is_committed(app, validated):
    claim, before = validated
    teacher = signed_in(app, "enseignant")
    accept_conditions(teacher)
    response = post(teacher, "/etats-de-frais/", f"/etats-de-frais/{claim}/devalider")
    assert response.status_code == 302
    fee, travel, _message, history = committed(app, claim)
    assert (fee, travel) == (ClaimStatus.NOT_VALIDATED, ClaimStatus.NOT_VALIDATED)
    assert history == before[3] + 2


# --- A manager's route ---------------------------------------------------------------------


def test_a_manager_route_refused_after_writing_leaves_nothing(app, validated, monkeypatch):
    claim, before = validated
    monkeypatch.setattr(processing, "send_back", writes_then_refuses(processing.send_back))
    manager = signed_in(app, "gestionnaire")
    list_url = "/traitement-etats-de-frais/"
    response = post(manager, list_url, f"{list_url}{claim}/renvoyer", {"message": "À revoir."})
    assert response.status_code == 302
    assert REFUSAL in console(manager.get(response.headers["Location"]).text)
    assert committed(app, claim) == before


def test_a_manager_route_that_succeeds_is_committed(app, validated):
    claim, before = validated
    manager = signed_in(app, "gestionnaire")
    list_url = "/traitement-etats-de-frais/"
    post(manager, list_url, f"{list_url}{claim}/renvoyer", {"message": "À revoir."})
    fee, travel, message, history = committed(app, claim)
    assert (fee, travel, message) == (
        ClaimStatus.NOT_VALIDATED,
        ClaimStatus.NOT_VALIDATED,
        "À revoir.",
    )
    assert history > before[3]


def test_a_commit_the_database_refuses_is_a_page_not_a_500(app, validated, monkeypatch):
    """The view succeeded but the commit at the request's end fails (here: a counter
    row that already exists, written without a flush): the user reads why, nothing is
    kept, and never a server error."""
    claim, before = validated
    real = processing.send_back

    def send_back_and_a_duplicate(session, claim_, message, *, by_user_id):
        real(session, claim_, message, by_user_id=by_user_id)
        session.flush()
        scope = session.scalar(select(NumberCounter.scope).limit(1))
        session.add(NumberCounter(scope=scope, last_value=0))

    monkeypatch.setattr(processing, "send_back", send_back_and_a_duplicate)
    manager = signed_in(app, "gestionnaire")
    list_url = "/traitement-etats-de-frais/"
    response = post(manager, list_url, f"{list_url}{claim}/renvoyer", {"message": "À revoir."})
    assert response.status_code == 409
    assert NOT_SAVED in console(response.text)
    assert committed(app, claim) == before


# --- A job ---------------------------------------------------------------------------------


def test_a_job_refused_after_writing_leaves_nothing(app, validated):
    claim, before = validated
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        with pytest.raises(DomainError), unit_of_work(db.session):
            writes_then_refuses(workflow.unvalidate)(db.session, row, by_user_id=None)
        db.session.remove()
    assert committed(app, claim) == before


def test_a_job_that_fails_otherwise_leaves_nothing(app, validated):
    claim, before = validated
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        with pytest.raises(RuntimeError), unit_of_work(db.session):
            workflow.unvalidate(db.session, row, by_user_id=None)
            db.session.flush()
            raise RuntimeError("the job's worker stopped")
        db.session.remove()
    assert committed(app, claim) == before


def test_a_job_that_succeeds_is_committed(app, validated):
    claim, _before = validated
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        with unit_of_work(db.session):
            workflow.unvalidate(db.session, row, by_user_id=None)
        db.session.remove()
    assert committed(app, claim)[:2] == (ClaimStatus.NOT_VALIDATED, ClaimStatus.NOT_VALIDATED)


# --- The rule, read from the code ----------------------------------------------------------


def _modules(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def _session_calls(path: Path, names: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.relative_to(ROOT)}:{node.lineno} .{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in names
    ]


def test_services_and_seeds_never_commit_nor_roll_back():
    found = [
        call
        for path in _modules("app/services", "app/seeds")
        for call in _session_calls(path, {"commit", "rollback"})
    ]
    assert found == []


def test_views_never_commit_nor_roll_back_themselves():
    found = [
        call
        for path in [*_modules("views"), ROOT / "app/security.py"]
        for call in _session_calls(path, {"commit", "rollback"})
    ]
    assert found == []


def _domain_error_names() -> set[str]:
    names, todo = set(), [DomainError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def _caught(handler: ast.ExceptHandler) -> set[str]:
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {
        node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
        for node in types
        if node is not None
    }


def _ends_the_unit(handler: ast.ExceptHandler) -> bool:
    """The handler passes the error to ``transaction.refused`` (or to a view's
    ``_refused``, which does), raises again, or answers an error status (``abort``:
    the unit is rolled back)."""
    for node in ast.walk(handler):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in {"refused", "_refused", "abort"}:
                return True
    return False


def domain_error_handlers_missing_refused(paths, root: Path = ROOT) -> list[str]:
    """Handlers catching a ``DomainError`` (or a subclass, or ``Exception``) that do
    not end the unit. An ``except Exception`` of a page's own rendering is named with
    ``# not a refusal`` on its line."""
    names = _domain_error_names() | {"Exception"}
    missing = []
    for path in paths:
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and node.name == "_refused":
                calls = [c for c in ast.walk(node) if isinstance(c, ast.Call)]
                if not any(getattr(c.func, "attr", None) == "refused" for c in calls):
                    missing.append(f"{path.relative_to(root)}:{node.lineno}")
                continue
            if not isinstance(node, ast.ExceptHandler) or not (_caught(node) & names):
                continue
            if "# not a refusal" in lines[node.lineno - 1]:
                continue
            if not _ends_the_unit(node):
                missing.append(f"{path.relative_to(root)}:{node.lineno}")
    return missing


def test_every_view_that_catches_a_domain_error_goes_through_refused():
    paths = [*_modules("views"), ROOT / "app/security.py", ROOT / "app/web.py"]
    assert domain_error_handlers_missing_refused(paths) == []


def test_a_forgotten_refused_is_found(tmp_path):
    module = tmp_path / "view.py"
    module.write_text(
        "def a():\n"
        "    try:\n        act()\n"
        "    except DomainError as error:\n        flash(str(error.message))\n"
        "def b():\n"
        "    try:\n        act()\n"
        "    except NotFound:\n        abort(404)\n"
        "def _refused(error):\n    flash(str(error.message))\n"
        "def c():\n"
        "    try:\n        act()\n"
        "    except (ValueError, EntryErrors) as error:\n"
        "        flash(str(transaction.refused(error)))\n",
        encoding="utf-8",
    )
    assert sorted(domain_error_handlers_missing_refused([module], tmp_path)) == [
        "view.py:11",
        "view.py:4",
    ]
