"""A manager's account actions (Intervenants → a contributor → "Compte de l'intervenant")
are for external contributors only: never a staff or administrator account, whatever
agent file it is linked to (issue 12, finding 1)."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from models import Academy, Agent, User
from models.accounts import AccountSecurity, PasswordResetToken
from models.enums import AgentKind
from tests.conftest import csrf_token, login
from tests.views.helpers import console, text

TEMPORARY = "Générer un mot de passe temporaire"
LINK = "Envoyer un lien de réinitialisation"
NOT_EXTERNAL = (
    "Seul le compte d'un intervenant extérieur peut être géré ici : les personnels se "
    "connectent avec le compte de leur académie."
)
OTHER_ROLES = (
    "Ce compte a d'autres rôles que celui d'intervenant extérieur : seul un administrateur "
    "peut changer son mot de passe."
)


def _agent(app, external_id="EXT35000777", *, kind=AgentKind.EXTERNAL, username=None, email=None):
    """A contributor file of the Rennes académie, linked (directly in the database, as
    the probe did through the old CRUD form) to the account ``username`` if given."""
    with app.app_context():
        rennes = db.session.scalar(select(Academy).where(Academy.code == "RENNES"))
        user_id = None
        if username:
            user_id = db.session.scalar(select(User.id).where(User.username == username))
        agent = Agent(
            academy_id=rennes.id,
            kind=kind,
            external_id=external_id,
            last_name="FAUX",
            first_name="Dossier",
            email_personal=email,
            user_id=user_id,
        )
        db.session.add(agent)
        db.session.commit()
        return agent.id


def _agent_id(app, **where):
    with app.app_context():
        return db.session.scalar(select(Agent.id).filter_by(**where))


def _state(app, username):
    """What must not change: the hash, the security row, the reset links."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        security = db.session.get(AccountSecurity, user.id)
        tokens = db.session.scalar(
            select(func.count())
            .select_from(PasswordResetToken)
            .where(PasswordResetToken.user_id == user.id)
        )
        return (
            user.password,
            security and (security.must_change_password, security.session_nonce),
            tokens,
        )


@pytest.fixture
def manager(app, demo):
    client = app.test_client()
    login(client, "gestionnaire")
    return client


def _forge_both(manager, agent_id):
    """The two account actions, posted with a valid CSRF token as a manager can."""
    token = csrf_token(manager.get("/").text)
    answers = []
    for action in ("mot-de-passe-temporaire", "lien"):
        response = manager.post(
            f"/intervenants/compte/{agent_id}/{action}", data={"csrf_token": token}
        )
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/intervenants/compte/{agent_id}")
        answers.append(console(manager.get(response.headers["Location"]).text))
    return answers


def test_a_manager_manages_an_external_contributor_s_account(app, manager, smtp_server):
    agent_id = _agent_id(app, external_id="EXT35000123")  # Marc LE GALL
    page = manager.get(f"/intervenants/compte/{agent_id}")
    body = text(page.text)
    assert TEMPORARY in body and LINK in body
    assert NOT_EXTERNAL not in body and OTHER_ROLES not in body
    before = _state(app, "EXT35000123")
    response = manager.post(
        f"/intervenants/compte/{agent_id}/mot-de-passe-temporaire",
        data={"csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 200
    assert "Mot de passe temporaire, affiché une seule fois" in text(response.text)
    assert _state(app, "EXT35000123")[0] != before[0]
    response = manager.post(
        f"/intervenants/compte/{agent_id}/lien", data={"csrf_token": csrf_token(page.text)}
    )
    assert any(
        "Un lien de réinitialisation a été envoyé à marc.legall@example.org" in m
        for m in console(manager.get(response.headers["Location"]).text)
    )
    assert smtp_server.wait_for(1)[0]["To"] == "marc.legall@example.org"


def test_an_agent_file_linked_to_the_admin_account_gives_no_action(app, manager, smtp_server):
    agent_id = _agent(app, username="admin")
    page = manager.get(f"/intervenants/compte/{agent_id}")
    assert page.status_code == 200
    body = text(page.text)
    assert OTHER_ROLES in body
    assert TEMPORARY not in body and LINK not in body
    assert "/mot-de-passe-temporaire" not in page.text and "/lien" not in page.text
    before = _state(app, "admin")
    for messages in _forge_both(manager, agent_id):
        assert OTHER_ROLES in messages
    assert _state(app, "admin") == before
    assert login(app.test_client(), "admin").headers["Location"] == "/"  # still its password
    smtp_server.settle()
    assert smtp_server.messages == []


def test_a_teacher_s_account_is_not_the_manager_s_to_touch(app, manager):
    agent_id = _agent_id(app, numen="35E0000001MPC")  # Claire LECLERC, "enseignant"
    page = manager.get(f"/intervenants/compte/{agent_id}")
    body = text(page.text)
    assert NOT_EXTERNAL in body
    assert TEMPORARY not in body and LINK not in body
    before = _state(app, "enseignant")
    for messages in _forge_both(manager, agent_id):
        assert NOT_EXTERNAL in messages
    assert _state(app, "enseignant") == before


def test_no_account_is_created_for_staff(app, manager):
    agent_id = _agent(app, "35E0000099XYZ", kind=AgentKind.TEACHER)
    assert NOT_EXTERNAL in text(manager.get(f"/intervenants/compte/{agent_id}").text)
    _forge_both(manager, agent_id)
    with app.app_context():
        assert db.session.get(Agent, agent_id).user_id is None
        assert db.session.scalar(select(User).where(User.username == "35E0000099XYZ")) is None


def test_an_external_account_with_another_role_too_is_refused(app, manager):
    with app.app_context():
        sm = app.appbuilder.sm
        user = db.session.scalar(select(User).where(User.username == "EXT35000123"))
        user.roles.append(sm.find_role("Gestionnaire"))
        db.session.commit()
    agent_id = _agent_id(app, external_id="EXT35000123")
    page = manager.get(f"/intervenants/compte/{agent_id}")
    assert OTHER_ROLES in text(page.text)
    assert TEMPORARY not in text(page.text)
    before = _state(app, "EXT35000123")
    for messages in _forge_both(manager, agent_id):
        assert OTHER_ROLES in messages
    assert _state(app, "EXT35000123") == before


def test_the_account_of_another_person_is_never_reused(app, manager):
    """A new external file whose identifier is already someone's login."""
    agent_id = _agent(app, "admin")
    page = manager.get(f"/intervenants/compte/{agent_id}")
    assert TEMPORARY in text(page.text)  # no account yet: creating one is the action
    before = _state(app, "admin")
    response = manager.post(
        f"/intervenants/compte/{agent_id}/mot-de-passe-temporaire",
        data={"csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 302
    messages = console(manager.get(response.headers["Location"]).text)
    assert (
        "L'identifiant admin est déjà celui d'un autre compte : adressez-vous à un "
        "administrateur." in messages
    )
    assert _state(app, "admin") == before
    with app.app_context():
        assert db.session.get(Agent, agent_id).user_id is None
