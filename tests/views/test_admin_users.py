"""The administrator's user screen (FAB's user views) applies the portal's password
rules, and a password it sets must be changed at the user's next login (issue 12,
finding 1, admin side). FAB's own "reset my password" route is gone."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from models import User
from models.accounts import AccountSecurity
from tests.conftest import csrf_token, login
from tests.views.helpers import console, text

STRONG = "cheval agrafe pile correct"
TOO_EASY = "Ce mot de passe est trop facile à deviner"
FORCED = "/compte/mot-de-passe"


@pytest.fixture
def admin(app, demo):
    client = app.test_client()
    login(client, "admin")
    return client


def _user(app, username):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        security = db.session.get(AccountSecurity, user.id) if user else None
        return user, security


def _field_error(html: str, field: str) -> str:
    """The text of the form group holding ``field`` (where FAB shows its errors)."""
    position = html.index(f'name="{field}"')
    start = html.rfind('<div class="form-group', 0, position)
    start = html.rfind("<tr", 0, position) if start == -1 else start
    end = html.find("</tr>", position)
    return text(html[start : end if end != -1 else position + 2000])


def _add(admin, password, confirmation=None, username="nouvelle"):
    page = admin.get("/users/add")
    roles = re.search(r'<option value="(\d+)">Enseignant</option>', page.text).group(1)
    return admin.post(
        "/users/add",
        data={
            "csrf_token": csrf_token(page.text),
            "first_name": "Nora",
            "last_name": "Kerjean",
            "username": username,
            "active": "y",
            "email": f"{username}@ac-rennes.fr",
            "roles": roles,
            "password": password,
            "conf_password": password if confirmation is None else confirmation,
        },
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("court", "Le mot de passe doit comporter au moins 12 caractères."),
        ("123456789012", TOO_EASY),
        ("motdepasse2024", TOO_EASY),
        ("Imagin-2026!!", TOO_EASY),
        ("nouvellenouvelle", TOO_EASY),  # the identifier repeated
        ("KerjeanNora2026", TOO_EASY),  # the user's own names
        ("qwerty123456", "Ce mot de passe fait partie des plus courants"),
    ],
)
def test_the_add_form_applies_the_password_rules(app, admin, password, message):
    response = _add(admin, password)
    assert response.status_code == 200
    assert message in _field_error(response.text, "password")
    assert 'value="Kerjean"' in response.text  # nothing typed is lost
    assert _user(app, "nouvelle")[0] is None


def test_the_confirmation_must_match_in_french(app, admin):
    response = _add(admin, STRONG, "autre chose encore")
    assert response.status_code == 200
    assert "Les deux mots de passe ne sont pas identiques." in _field_error(
        response.text, "conf_password"
    )
    assert _user(app, "nouvelle")[0] is None


def test_a_user_added_by_the_admin_changes_the_password_at_first_login(app, admin):
    response = _add(admin, STRONG)
    assert response.status_code == 302
    user, security = _user(app, "nouvelle")
    assert user is not None
    assert security.must_change_password
    assert security.temporary_password_expires_at is not None
    newcomer = app.test_client()
    assert login(newcomer, "nouvelle", STRONG).headers["Location"].endswith(FORCED)
    assert newcomer.get("/").headers["Location"].endswith(FORCED)


def _reset_page(app, admin, username):
    user, _security = _user(app, username)
    show = admin.get(f"/users/show/{user.id}")
    action = admin.post(
        f"/users/action/resetpasswords/{user.id}", data={"csrf_token": csrf_token(show.text)}
    )
    assert action.status_code == 302
    url = action.headers["Location"].replace("http://localhost", "")
    page = admin.get(url)
    assert page.status_code == 200
    return url, page


def test_the_admin_resets_a_password_under_the_same_rules(app, admin):
    url, page = _reset_page(app, admin, "enseignant")
    before, security = _user(app, "enseignant")
    nonce = security.session_nonce if security else None
    for weak in ("123456789012", "azertyuiopqs", "leclerc claire"):
        refused = admin.post(
            url,
            data={"csrf_token": csrf_token(page.text), "password": weak, "conf_password": weak},
        )
        assert refused.status_code == 200
        problems = _field_error(refused.text, "password")
        assert "Ce mot de passe" in problems or "12 caractères" in problems
        assert _user(app, "enseignant")[0].password == before.password
    done = admin.post(
        url, data={"csrf_token": csrf_token(page.text), "password": STRONG, "conf_password": STRONG}
    )
    assert done.status_code == 302
    assert any("mot de passe" in m.lower() for m in console(admin.get("/").text))
    after, security = _user(app, "enseignant")
    assert after.password != before.password
    assert security.must_change_password and security.session_nonce != nonce
    teacher = app.test_client()
    assert login(teacher, "enseignant", "imagin-demo").headers["Location"].startswith("/login")
    assert login(teacher, "enseignant", STRONG).headers["Location"].endswith(FORCED)


def test_the_admin_s_own_password_goes_through_the_change_form(app, admin):
    """Setting one's own password there would skip the current one."""
    user, _security = _user(app, "admin")
    token = csrf_token(admin.get("/").text)
    action = admin.post(f"/users/action/resetpasswords/{user.id}", data={"csrf_token": token})
    url = action.headers["Location"].replace("http://localhost", "")
    assert url.startswith("/resetpassword/form")
    for response in (
        admin.get(url),
        admin.post(url, data={"csrf_token": token, "password": STRONG, "conf_password": STRONG}),
    ):
        assert response.status_code == 302
        assert response.headers["Location"].endswith(FORCED)
    assert _user(app, "admin")[0].password == user.password


@pytest.mark.parametrize(
    "query", ["", "?pk=", "?pk=abc", "?pk=99999999999999999999999", "?pk=-1", "?pk=424242"]
)
def test_a_bad_or_unknown_user_id_is_not_found(admin, query):
    assert admin.get(f"/resetpassword/form{query}").status_code == 404
    token = csrf_token(admin.get("/").text)
    response = admin.post(
        f"/resetpassword/form{query}",
        data={"csrf_token": token, "password": STRONG, "conf_password": STRONG},
    )
    assert response.status_code == 404


def test_fab_s_reset_my_password_is_gone(app, admin):
    """It set a password without the current one: the portal's change form does it."""
    token = csrf_token(admin.get("/").text)
    assert admin.get("/resetmypassword/form").status_code == 404
    assert (
        admin.post(
            "/resetmypassword/form",
            data={"csrf_token": token, "password": STRONG, "conf_password": STRONG},
        ).status_code
        == 404
    )
    user, _security = _user(app, "admin")
    response = admin.post(f"/users/action/resetmypassword/{user.id}", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(FORCED)
    assert _user(app, "admin")[0].password == user.password


@pytest.mark.parametrize("username", ["gestionnaire", "enseignant"])
def test_only_the_admin_sets_someone_else_s_password(app, demo, username):
    client = app.test_client()
    login(client, username)
    target, _security = _user(app, "admin")
    token = csrf_token(client.get("/").text)
    assert client.get(f"/resetpassword/form?pk={target.id}").status_code in (302, 403)
    response = client.post(
        f"/resetpassword/form?pk={target.id}",
        data={"csrf_token": token, "password": STRONG, "conf_password": STRONG},
    )
    assert response.status_code in (302, 403)
    assert _user(app, "admin")[0].password == target.password
