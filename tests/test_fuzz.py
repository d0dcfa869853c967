"""Fuzz: every route of the url_map, as every demo account and anonymous, with hostile
values in its path parameters, its query string and its form fields, must never answer
with a server error (5xx). Bounded and seeded: the same requests on every run."""

from __future__ import annotations

import random
import re
import time
from html import unescape
from html.parser import HTMLParser

from tests.conftest import csrf_token, login
from tests.route_map import real_values, routes, values_for

SEED = 20261127
HOSTILE = (
    "9" * 20,
    "-1",
    "0",
    str(2**31),
    str(2**63),
    "abc",
    "\x00",
    "x" * 3000,
    "é漢字\u202e☃",
    "../etc/passwd",
    "1e3",
    "2026-13-45",
)
NUMBERS = ("9" * 20, str(2**31), str(2**63), "-" + "9" * 20)
# Anonymous first; the administrator last (the others' runs may change the demo data).
USERS = (None, "enseignant", "chef", "EXT35000123", "gestionnaire", "admin")
# Routes whose real URL is not requested: they end the session or delete a real record
# (their hostile URLs are).
NOT_WITH_REAL_VALUES = re.compile(r"\.(delete|logout)$")
QUERY_NAMES = (
    "q",
    "sort",
    "dir",
    "page",
    "next",
    "tab",
    "mission",
    "agent",
    "status",
    "session",
    "exam",
    "paper",
    "establishment",
    "kind",
    "group_by",
)
NAME_RE = re.compile(r'\bname="([A-Za-z0-9_\-\.]{1,60})"')
HREF_QUERY_RE = re.compile(r'href="[^"?]*\?([^"]*)"')
PATH_VALUES_PER_ROUTE = 1


class FormFields(HTMLParser):
    """The fields of a page's forms with their current values (a select: its selected
    or first option), so that a POST can be valid but for its hostile fields."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag in ("input", "textarea") and name:
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                self.fields.setdefault(name, "")
            else:
                self.fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif (
            tag == "option"
            and self._select
            and (not self.fields.get(self._select) or "selected" in attrs)
        ):
            self.fields[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def form_fields(html: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(html)
    parser.fields.pop("csrf_token", None)
    return {name: value for name, value in parser.fields.items() if len(name) <= 60}


def field_names(html: str) -> set[str]:
    names = set(NAME_RE.findall(html))
    for query in HREF_QUERY_RE.findall(html):
        for pair in unescape(query).split("&"):
            names.add(pair.split("=", 1)[0])
    names.discard("csrf_token")
    return {name for name in names if name and len(name) <= 60}


def partly_hostile(rng, fields: dict[str, str]) -> dict[str, str]:
    """The form as the page fills it, with about one field in three hostile."""
    return {
        name: rng.choice(HOSTILE) if rng.random() < 0.35 else value
        for name, value in sorted(fields.items())
    }


def refused(response) -> bool:
    """A refusal that does not depend on the arguments: 403, or the login page."""
    location = response.headers.get("Location", "")
    return response.status_code == 403 or (response.status_code == 302 and "/login/" in location)


def hostile_mapping(rng, names) -> dict[str, str]:
    return {name: rng.choice(HOSTILE) for name in sorted(names)}


def list_filter_args(app, route, rng) -> list[dict[str, str]]:
    """For a FAB list: one ``_flt_<index>_<column>`` per search column, with an index one
    past the column's filters sometimes, and a hostile value."""
    view = next((v for v in app.appbuilder.baseviews if type(v).__name__ == route.view), None)
    filters = getattr(getattr(view, "_filters", None), "_all_filters", None)
    if not filters or not route.endpoint.endswith(".list"):
        return []
    return [
        {f"_flt_{rng.randrange(len(column_filters) + 1)}_{column}": rng.choice(HOSTILE)}
        for column, column_filters in sorted(filters.items())
    ]


def test_hostile_values_never_give_a_server_error(app, demo):
    rng = random.Random(SEED)
    all_routes = routes(app)
    failures: list[str] = []
    started = time.monotonic()
    count = 0

    def check(client, username, method, url, **kwargs):
        nonlocal count
        count += 1
        response = client.open(url, method=method, **kwargs)
        if response.status_code >= 500:
            failures.append(
                f"{username or 'anonymous'} {method} {url[:150]} -> {response.status_code}"
            )
        return response

    for username in USERS:
        app.appbuilder.sm.limiter.reset()
        client = app.test_client()
        if username:
            assert login(client, username).status_code == 302, username
            token = csrf_token(client.get("/").text)
        else:
            token = csrf_token(client.get("/login/").text)
        with app.app_context():
            values = real_values(app, username)
        pool: set[str] = set(QUERY_NAMES)
        forms: dict[str, dict[str, str]] = {}
        posts = []
        for route in all_routes:
            real_url = route.url(values_for(route, values))
            with_real = not NOT_WITH_REAL_VALUES.search(route.endpoint)
            hostile_urls = [
                route.url({name: rng.choice(HOSTILE) for _c, name in route.params})
                for _ in range(PATH_VALUES_PER_ROUTE if route.params else 0)
            ]
            if "GET" in route.methods:
                names = set()
                if with_real:
                    page = check(client, username, "GET", real_url)
                    if refused(page):  # the hostile arguments would meet the same refusal
                        with_real = False
                    elif page.mimetype == "text/html":
                        names = field_names(page.text)
                        pool |= names
                        forms[route.rule] = form_fields(page.text)
                if with_real:
                    names |= set(QUERY_NAMES)
                    # Every argument the same out-of-range number, then mixed values.
                    number = rng.choice(NUMBERS)
                    check(
                        client, username, "GET", real_url, query_string=dict.fromkeys(names, number)
                    )
                    check(
                        client, username, "GET", real_url, query_string=hostile_mapping(rng, names)
                    )
                    for args in list_filter_args(app, route, rng):
                        check(client, username, "GET", real_url, query_string=args)
                for url in hostile_urls:
                    check(client, username, "GET", url)
            if "POST" in route.methods:
                posts.append((route, real_url if with_real else None, hostile_urls))
        for route, real_url, hostile_urls in posts:
            for url in hostile_urls:
                check(client, username, "POST", url, data={"csrf_token": token})
            if real_url is None:
                continue
            if forms.get(route.rule):  # the route's own form, partly hostile
                data = partly_hostile(rng, forms[route.rule])
            else:  # a POST-only route: names seen on this account's pages
                data = hostile_mapping(rng, rng.sample(sorted(pool), min(len(pool), 25)))
            check(client, username, "POST", real_url, data=data | {"csrf_token": token})
        if username:  # still signed in: the run did not go on as anonymous
            assert client.get("/").status_code == 200, f"{username} was logged out"
    elapsed = time.monotonic() - started
    print(f"fuzz: {count} requests in {elapsed:.1f} s")
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)
