"""Crawl the portal as each demo role and run axe-core on every page reached (issue 18).

Usage (against a running development server loaded with ``flask imagin seed-demo``)::

    .venv/bin/python tools/axe_crawl.py --base-url http://127.0.0.1:8080 [--max-pages 80]
        [--role enseignant --role gestionnaire ...] [--password imagin-demo]

For each role it signs in, follows every same-origin link of the menu and of the pages
reached (breadth first), one page per URL pattern (numbers in the path count as one
pattern: ``/etats-de-frais/12/suivi`` and ``/etats-de-frais/13/suivi`` are the same page;
up to ``--instances`` pages of a pattern are opened for their links, one is checked),
at most ``--max-pages`` checked pages per role. It never follows logout, language switches,
downloads (PDF, CSV, exports) nor anything that is not an HTML page; forms are not
submitted (POST-only pages are out of reach by design). Each page is checked twice:
in the normal mode and with « Contraste élevé » switched on (the panel's setting,
kept in localStorage). The rules are the WCAG 2.1 A and AA tags, the same as
tests/browser/test_axe.py.

It prints one line per serious/critical violation (role, mode, rule, page, element), a
table of violations by rule, and the summary: pages × roles × modes checked. The exit
status is 1 when a serious or critical violation was found.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

ROLES = ("enseignant", "EXT35000123", "chef", "gestionnaire", "admin")
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]

# Links never followed: they end the session, change its language, download a file,
# or are FAB actions that change data through a GET.
SKIPPED = re.compile(
    r"/logout|/lang/|/static/|/api/|\.(pdf|csv|xlsx?|zip|png|jpe?g|gif)(\?|$)"
    r"|/(telecharger|download|export|pdf|fichier|delete|supprimer)(/|$|\?)"
    r"|/action(post)?/|_flt_|/mise-en-paiement/[^?]+|/traitements/\d+/",
    re.IGNORECASE,
)
# Query parameters that make a different page (the others — sort, page, filters — don't).
KEPT_PARAMETERS = {"activite", "tab", "onglet"}


@dataclass(frozen=True)
class Finding:
    role: str
    mode: str
    rule: str
    impact: str
    pattern: str
    target: str
    message: str


def pattern_of(url: str) -> str:
    """The page's pattern: path with numbers as {id}, plus the parameters that matter."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/{id}", parts.path)
    path = re.sub(r"/[0-9a-f]{32}(?=/|$)", "/{token}", path)
    kept = sorted((k, v) for k, v in parse_qsl(parts.query) if k in KEPT_PARAMETERS)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in kept) if kept else "")


def links_of(page, base_url: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "a[href], [data-href]",
        "links => links.map(link => link.getAttribute('href') || link.dataset.href)",
    )
    found = []
    for href in hrefs:
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        url = urldefrag(urljoin(page.url, href))[0]
        if not url.startswith(base_url) or SKIPPED.search(urlsplit(url).path + "?"):
            continue
        found.append(url)
    return found


def violations(axe, page) -> list[dict]:
    results = axe.run(page, options=RULES)
    return [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def set_contrast(page, on: bool) -> None:
    page.evaluate(
        "on => on ? localStorage.setItem('imagin.contrast', '1')"
        " : localStorage.removeItem('imagin.contrast')",
        on,
    )


def sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("form button[type=submit] >> nth=-1")
    page.wait_for_url(f"{base_url}/")


def crawl_role(browser, axe, args, role: str, findings: list[Finding]) -> list[str]:
    from playwright.sync_api import Error as PlaywrightError

    base_url = args.base_url.rstrip("/")
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="fr-FR", bypass_csp=True
    )
    page = context.new_page()
    checked: list[str] = []
    try:
        sign_in(page, base_url, role, args.password)
        queue = deque([f"{base_url}/"])
        seen = {f"{base_url}/"}
        # How many pages of each pattern were queued: a few of each are opened (their
        # links differ: a started claim has tabs a new one greys), one is checked.
        queued = Counter([pattern_of(f"{base_url}/")])
        while queue and len(checked) < args.max_pages:
            url = queue.popleft()
            try:
                response = page.goto(url)
            except PlaywrightError as error:  # a download, a dead link: not a page
                print(f"  {role}: {url} skipped ({str(error).splitlines()[0]})")
                continue
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                continue
            if urlsplit(page.url).path.startswith("/login"):
                print(f"  {role}: {url} sent back to the login page; signing in again")
                sign_in(page, base_url, role, args.password)
                continue
            pattern = pattern_of(url)
            if pattern in checked:  # another page of a pattern checked: only its links
                enqueue_links(page, base_url, seen, queued, queue, args.instances)
                continue
            checked.append(pattern)
            conditions = page.locator(".imagin-conditions form")
            if conditions.count():  # the conditions of use page: checked first, as it is
                check_page(axe, page, role, pattern, findings)
                conditions.locator("input[name=accept]").check()  # then accepted, to reach
                conditions.locator("button[type=submit]").click()  # the claims behind it
                page.wait_for_load_state("networkidle")
                pattern = pattern_of(page.url) + " (conditions accepted)"
                checked.append(pattern)
            check_page(axe, page, role, pattern, findings)
            enqueue_links(page, base_url, seen, queued, queue, args.instances)
            if args.verbose:
                print(f"  {role}: {pattern}", flush=True)
    finally:
        context.close()
    return checked


def enqueue_links(page, base_url, seen, queued, queue, instances: int) -> None:
    for link in links_of(page, base_url):
        key = pattern_of(link)
        if link not in seen and queued[key] < instances:
            seen.add(link)
            queued[key] += 1
            queue.append(link)


def check_page(axe, page, role: str, pattern: str, findings: list[Finding]) -> None:
    """axe on the current page in the normal mode, then in « Contraste élevé »."""
    for mode, contrast in (("normal", False), ("high contrast", True)):
        set_contrast(page, contrast)
        page.reload()
        page.wait_for_load_state("networkidle")
        for violation in violations(axe, page):
            for node in violation["nodes"]:
                checks = node["any"] or node["all"] or node["none"] or [{}]
                findings.append(
                    Finding(
                        role,
                        mode,
                        violation["id"],
                        violation["impact"],
                        pattern,
                        " ".join(map(str, node["target"])),
                        checks[0].get("message", ""),
                    )
                )
    set_contrast(page, False)


def report(pages: dict[str, list[str]], findings: list[Finding]) -> None:
    for finding in findings:
        print(
            f"{finding.role:<13} {finding.mode:<13} {finding.rule} ({finding.impact}) "
            f"{finding.pattern} :: {finding.target} — {finding.message}"
        )
    if findings:
        print("\nViolations by rule and page (nodes):")
        by_rule: dict[str, Counter] = defaultdict(Counter)
        for finding in findings:
            by_rule[f"{finding.rule} ({finding.impact})"][finding.pattern] += 1
        for rule, counter in sorted(by_rule.items()):
            print(f"  {rule}")
            for pattern, count in counter.most_common():
                print(f"      {count:>4}  {pattern}")
    print("\nSummary:")
    print(f"  {'role':<14}{'pages':>6}{'modes':>7}{'serious/critical nodes':>25}")
    per_role = Counter(finding.role for finding in findings)
    for role, checked in pages.items():
        print(f"  {role:<14}{len(checked):>6}{2:>7}{per_role[role]:>25}")
    distinct = len({p for checked in pages.values() for p in checked})
    total = sum(len(checked) for checked in pages.values())
    print(
        f"  {total} pages ({distinct} distinct patterns) × {len(pages)} roles' crawls × 2 modes:"
        f" {len(findings)} serious/critical violation nodes"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8080")
    parser.add_argument("--role", action="append", help="a demo username (default: all five)")
    parser.add_argument("--password", default="imagin-demo")
    parser.add_argument("--max-pages", type=int, default=80, help="pages per role")
    parser.add_argument(
        "--instances", type=int, default=3, help="pages opened per URL pattern (one checked)"
    )
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)

    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    axe = Axe()
    findings: list[Finding] = []
    pages: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            for role in args.role or ROLES:
                pages[role] = crawl_role(browser, axe, args, role, findings)
        finally:
            browser.close()
    report(pages, findings)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
