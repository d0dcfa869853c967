"""Deep pages by cursor (``listing.keyset``): « Page suivante » and « Page précédente »
carry where the page ends (``?apres=`` / ``?avant=``), and lead to the same rows as the
page asked by its number, whatever the sort; a cursor typed or tampered with shows the
first page, never an error."""

import base64
import html
import json
import re

import pytest

from app.services.common import keyset, listing
from tests.conftest import page_queries
from tests.views.helpers import text
from tests.views.test_claims import list_rows
from tests.views.test_large_lists import grow

LIST = "/traitement-etats-de-frais/"


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def link(page: str, title: str) -> str | None:
    """The address of the pager link titled ``title``, or None when it is not a link."""
    found = re.search(r'<a href="([^"]+)"[^>]*title="' + title + '"', page)
    return html.unescape(found.group(1)) if found else None


def label(page: str) -> str:
    return re.search(r"Page \d+( / \d+)?", text(page)).group(0)


@pytest.mark.parametrize(
    "sort",
    [
        {},  # latest missions first
        {"sort": "agent", "dir": "asc"},
        {"sort": "number", "dir": "asc"},  # no dossier number yet: empty, last
        {"sort": "centre", "dir": "desc"},  # missions at home: no centre
        {"sort": "fee", "dir": "desc"},
        {"sort": "day", "dir": "asc", "q": "a"},
    ],
)
def test_next_and_previous_pages_are_the_numbered_pages(app, manager, sort):
    grow(app)
    numbered = {
        n: list_rows(manager.get(LIST, query_string={**sort, "page": n}).text) for n in (1, 2, 3, 4)
    }
    assert all(len(numbered[n]) == 20 for n in numbered)
    page = manager.get(LIST, query_string=sort).text
    for n in (2, 3, 4):
        url = link(page, "Page suivante")
        assert "apres=" in url or n == 2 and "page=2" in url
        page = manager.get(url).text
        assert label(page).startswith(f"Page {n}")
        assert list_rows(page) == numbered[n], (sort, n)
    for n in (3, 2, 1):
        url = link(page, "Page précédente")
        assert ("avant=" in url) == (n > 1)
        page = manager.get(url).text
        assert label(page).startswith(f"Page {n}")
        assert list_rows(page) == numbered[n], (sort, n)


SORTS = [
    {},
    {"sort": "agent", "dir": "asc"},
    {"sort": "number", "dir": "asc"},
    {"sort": "centre", "dir": "desc"},
    {"sort": "fee", "dir": "desc"},
    {"sort": "day", "dir": "asc", "q": "a"},
]


def test_the_pages_of_the_second_half_read_from_the_end_are_those_of_offset(
    app, manager, monkeypatch
):
    """« Dernière page » and the pages near it are read backwards from the last row (no
    ``OFFSET`` over the whole list): the same rows as read forwards, whatever the sort."""
    grow(app)
    backwards = {}
    for sort in SORTS:
        first = manager.get(LIST, query_string=sort).text
        last = int(re.search(r"Page 1 / (\d+)", text(first)).group(1))
        for n in (last // 2 + 2, last - 1, last):
            backwards[(str(sort), n)] = list_rows(
                manager.get(LIST, query_string={**sort, "page": n}).text
            )
    forwards = listing._Walk.by_number
    monkeypatch.setattr(listing._Walk, "by_number", lambda walk, n, total=None: forwards(walk, n))
    for (sort, n), rows in backwards.items():
        query = next(s for s in SORTS if str(s) == sort)
        assert rows, (sort, n)
        assert list_rows(manager.get(LIST, query_string={**query, "page": n}).text) == rows, (
            sort,
            n,
        )


def test_a_cursor_page_costs_the_statements_of_a_numbered_page(app, manager):
    grow(app)
    second = manager.get(LIST, query_string={"page": 2}).text
    count, response = page_queries(app, manager, link(second, "Page suivante"))
    numbered, _ = page_queries(app, manager, f"{LIST}?page=3")
    assert label(response.text) == label(manager.get(f"{LIST}?page=3").text)
    assert count <= numbered


def test_the_last_page_has_no_next_cursor(app, manager):
    grow(app)
    first = manager.get(LIST).text
    last = link(first, "Dernière page")
    page = manager.get(link(manager.get(last).text, "Page précédente")).text
    page = manager.get(link(page, "Page suivante")).text
    assert list_rows(page) == list_rows(manager.get(last).text)
    assert link(page, "Page suivante") is None


def cursor(data) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "tampered",
    [
        "nonsense",
        "%%%",
        "A" * (keyset.MAX_CURSOR_LENGTH + 1),
        cursor(b"\xff\xfe not json"),
        cursor({"not": "a list"}),
        cursor(["day:desc", ["2026-06-01"]]),  # one value for two expressions
        cursor(["agent:asc", ["2026-06-01", 5]]),  # another sort's cursor
        cursor(["day:desc", ["2026-99-01", 5]]),
        cursor(["day:desc", ["2026-06-01", 2**70]]),  # past any integer column
        cursor(["day:desc", ["2026-06-01", "5"]]),
        cursor(["day:desc", [True, 5]]),
        cursor(["day:desc", ["x" * 5000, 5]]),
        cursor(["fee:asc", ["NO_SUCH_STATUS", "2026-06-01", 5]]),
        cursor(b"[" * 900 + b"]" * 900),  # deeply nested
    ],
)
def test_a_tampered_cursor_shows_the_first_page(manager, tampered):
    first = list_rows(manager.get(LIST).text)
    for name in ("apres", "avant"):
        response = manager.get(LIST, query_string={"page": 7, name: tampered})
        assert response.status_code == 200
        assert list_rows(response.text) == first
        assert label(response.text).startswith("Page 1")


@pytest.mark.parametrize("values", [[None, None], ["1900-01-01", 1]])
def test_a_cursor_after_the_last_row_shows_the_first_page(manager, values):
    first = list_rows(manager.get(LIST).text)
    page = manager.get(LIST, query_string={"page": 7, "apres": cursor(["day:desc", values])})
    assert label(page.text).startswith("Page 1")
    assert list_rows(page.text) == first


def test_a_cursor_from_a_sort_does_not_move_another(app, manager):
    grow(app)
    page = manager.get(LIST, query_string={"sort": "agent", "page": 2}).text
    after = re.search(r"apres=([^&\"]+)", html.unescape(link(page, "Page suivante"))).group(1)
    other = manager.get(LIST, query_string={"sort": "centre", "page": 3, "apres": after}).text
    assert label(other).startswith("Page 1")
    assert list_rows(other) == list_rows(manager.get(LIST, query_string={"sort": "centre"}).text)


def test_sorting_or_filtering_drops_the_cursor(app, manager):
    grow(app)
    second = manager.get(LIST, query_string={"page": 2}).text
    third = manager.get(link(second, "Page suivante")).text
    sort_links = re.findall(
        r'<a href="([^"]+)" data-list-link="claims-processing" data-sort', third
    )
    assert sort_links and not any("apres" in href or "avant" in href for href in sort_links)
    form = third[third.index('class="imagin-list-filter"') :]
    form = form[: form.index("</form>")]
    assert 'name="apres"' not in form and 'name="page"' not in form
