"""Password pages (issue 18): a refusal is shown next to the field it is about, the
field marked invalid, and not only in the console."""

import re

import pytest

from tests.conftest import csrf_token, login
from tests.views.helpers import console, text

NEW_PASSWORD = "une phrase de passe bien à moi"


def field_errors(html: str, name: str) -> tuple[bool, str]:
    """(marked invalid, its error messages) of the field ``name``."""
    field = re.search(rf'<input[^>]*id="{name}"[^>]*>', html).group(0)
    zone = re.search(rf'<div id="{name}-help">(.*?)</div>', html, re.S)
    errors = re.findall(r'<p class="text-danger">(.*?)</p>', zone.group(1), re.S) if zone else []
    return 'aria-invalid="true"' in field, " ".join(text(e).strip() for e in errors)


@pytest.mark.parametrize(
    ("current", "new", "confirmation", "field", "message"),
    [
        (
            "pas le bon",
            NEW_PASSWORD,
            NEW_PASSWORD,
            "current",
            "Le mot de passe actuel n'est pas correct.",
        ),
        (
            "imagin-demo",
            NEW_PASSWORD,
            NEW_PASSWORD + " !",
            "confirmation",
            "Les deux saisies du nouveau mot de passe ne sont pas identiques.",
        ),
        ("imagin-demo", "azertyuiopqs", "azertyuiopqs", "new", ""),
    ],
)
def test_a_refused_change_is_shown_next_to_its_field(
    client, demo, current, new, confirmation, field, message
):
    login(client, "EXT35000123")
    form = client.get("/compte/mot-de-passe")
    refused = client.post(
        "/compte/mot-de-passe",
        data={
            "csrf_token": csrf_token(form.text),
            "current": current,
            "new": new,
            "confirmation": confirmation,
        },
    )
    assert refused.status_code == 200
    invalid, shown = field_errors(refused.text, field)
    assert invalid
    assert shown and shown.strip() in " ".join(console(refused.text))
    if message:
        assert shown.strip() == message
    for other in {"current", "new", "confirmation"} - {field}:
        assert field_errors(refused.text, other) == (False, "")
