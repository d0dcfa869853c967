"""Reading what a user sees in a page."""

import re
from html import unescape


def menu_entries(html: str) -> list[tuple[str, bool]]:
    """(label, open) of each menu entry, in order."""
    menu = re.search(r'<nav id="imagin-menu".*?</nav>', html, re.S)
    if not menu:
        return []
    entries = re.findall(
        r'<(a|span)[^>]*data-activity="[^"]+"[^>]*>(.*?)</\1>', menu.group(0), re.S
    )
    return [(unescape(text.strip()), tag == "a") for tag, text in entries]


def current_entry(html: str) -> str | None:
    match = re.search(r'<a[^>]*class="current"[^>]*>(.*?)</a>', html, re.S)
    return unescape(match.group(1).strip()) if match else None


def console(html: str) -> list[str]:
    block = re.search(r'<ul class="imagin-console-messages">(.*?)</ul>', html, re.S)
    items = re.findall(r"<li[^>]*>(.*?)</li>", block.group(1), re.S) if block else []
    return [
        unescape(
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", re.sub(r"<time>.*?</time>", "", item)))
        ).strip()
        for item in items
    ]


def text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))
