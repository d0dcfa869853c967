"""Managers' messages: Markdown rendered and sanitised, versions, limits."""

import pytest

from app.services import DomainError
from app.services.portal import messages
from models.enums import MessageKind, Service


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert('x')</script>Bonjour",
        "<img src=x onerror=alert(1)>Bonjour",
        '<a href="javascript:alert(1)">Bonjour</a>',
        '<p style="position:fixed" onclick="steal()">Bonjour</p>',
        "<iframe src='https://evil.example'></iframe>Bonjour",
        "[Bonjour](javascript:alert(1))",
        "<svg onload=alert(1)>Bonjour</svg>",
    ],
)
def test_no_script_survives_rendering(body):
    html = str(messages.render(body)).lower()
    for forbidden in (
        "<script",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        "<iframe",
        "style=",
        "<img",
        "<svg",
    ):
        assert forbidden not in html
    assert "bonjour" in html


def test_markdown_is_rendered_with_safe_links():
    html = str(messages.render("## Titre\n\n- **gras**\n- [site](https://www.ac-rennes.fr)"))
    assert "<h2>Titre</h2>" in html
    assert "<strong>gras</strong>" in html
    assert 'href="https://www.ac-rennes.fr"' in html
    assert 'rel="noopener noreferrer"' in html


def test_saving_a_new_text_increases_the_version_and_the_same_text_does_not(session):
    first = messages.save_message(
        session, Service.TEACHER, MessageKind.CONDITIONS, "v1", by_user_id=None
    )
    assert first.version == 1
    second = messages.save_message(
        session, Service.TEACHER, MessageKind.CONDITIONS, "v2", by_user_id=None
    )
    assert second.version == 2
    same = messages.save_message(
        session, Service.TEACHER, MessageKind.CONDITIONS, "v2\r\n", by_user_id=None
    )
    assert same.version == 2


def test_a_service_without_conditions_has_none_to_edit(session):
    with pytest.raises(DomainError):
        messages.save_message(session, Service.HEAD, MessageKind.CONDITIONS, "x", by_user_id=None)


def test_a_too_long_message_is_refused_with_a_message(session, app):
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        messages.save_message(
            session,
            Service.TEACHER,
            MessageKind.WELCOME,
            "x" * (messages.MAX_LENGTH + 1),
            by_user_id=None,
        )
    assert "20000" in str(refused.value.message).replace("\u202f", "").replace(" ", "")
