"""Take headless Chromium screenshots of portal pages (development aid).

Usage: python tools/screenshots.py BASE_URL OUT_DIR user:path[,path…] …
Example: python tools/screenshots.py http://127.0.0.1:8080 /tmp/shots enseignant:/,/plan-du-site
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PASSWORD = "imagin-demo"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    base, out = sys.argv[1], Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        for spec in sys.argv[3:]:
            user, paths = spec.split(":", 1)
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            page = context.new_page()
            if user != "anonymous":
                page.goto(f"{base}/login/")
                page.fill("#username", user)
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state("networkidle")
            for path in paths.split(","):
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                name = f"{user}{path.replace('/', '_').replace('?', '_') or '_'}.png"
                page.screenshot(path=str(out / name), full_page=True)
                print(out / name)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
