"""Managers edit the welcome message and the conditions of use; users see them sanitised."""

from tests.conftest import csrf_token, login
from tests.views.helpers import console, text


def test_the_manager_previews_then_saves_a_welcome_message(app, client, demo):
    login(client, "gestionnaire")
    url = "/messages/teacher/welcome"
    page = client.get(url)
    assert page.status_code == 200
    body = "## Session de juin\n\nBonjour **à tous** <script>alert('x')</script>"
    preview = client.post(
        url, data={"body": body, "preview": "1", "csrf_token": csrf_token(page.text)}
    )
    assert preview.status_code == 200
    assert "<strong>à tous</strong>" in preview.text
    assert "<script>alert" not in preview.text
    assert "Session de juin" in preview.text  # the typed text is kept in the form

    teacher = app.test_client()
    login(teacher, "enseignant")
    assert "Session de juin" not in teacher.get("/").text  # a preview saves nothing

    saved = client.post(url, data={"body": body, "save": "1", "csrf_token": csrf_token(page.text)})
    assert saved.status_code == 302
    listing = client.get(saved.headers["Location"])
    assert any("version 2" in m for m in console(listing.text))

    home = teacher.get("/")
    assert "<h2>Session de juin</h2>" in home.text
    assert "<strong>à tous</strong>" in home.text
    assert "alert(" not in home.text


def test_unknown_message_slots_are_404(log_in, demo):
    client = log_in("gestionnaire")
    assert client.get("/messages/head/conditions").status_code == 404
    assert client.get("/messages/nobody/welcome").status_code == 404


def test_agents_cannot_edit_messages(log_in, demo):
    assert log_in("enseignant").get("/messages/teacher/welcome").status_code == 403


def test_the_message_list_shows_every_editable_message(log_in, demo):
    body = text(log_in("gestionnaire").get("/messages/").text)
    assert body.count("Message d'accueil") >= 4
    assert body.count("Conditions d'utilisation") >= 2
