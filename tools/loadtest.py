"""The June-peak load test (Locust): teachers filling in and saving their expense
claims and opening the PDF recap, managers searching the académie's claims, opening
them, accepting the waiting ones and reading the dashboard; each with think times.

Against gunicorn on the large data set (``flask imagin seed-large``), the login rate
limit off (every simulated user comes from the same address):

    RATELIMIT_ENABLED=0 GUNICORN_WORKERS=2 GUNICORN_BIND=127.0.0.1:8094 \\
        .venv/bin/gunicorn -c gunicorn.conf.py "app:create_app()"
    .venv/bin/locust -f tools/loadtest.py --headless -u 500 -r 5 -t 10m \\
        -H http://127.0.0.1:8094 --csv june-peak

The simulated users share the demo accounts (``LOADTEST_TEACHER``, ``LOADTEST_MANAGER``,
password ``LOADTEST_PASSWORD``); each has its own session. A page answering anything
but 2xx (after redirects) is a failure.
"""

from __future__ import annotations

import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "imagin-demo")
TEACHER = os.environ.get("LOADTEST_TEACHER", "enseignant")
MANAGER = os.environ.get("LOADTEST_MANAGER", "gestionnaire")
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
CLAIM_LINK = re.compile(r'href="/etats-de-frais/(\d+)/suivi"')
MANAGED_CLAIM = re.compile(r'href="/traitement-etats-de-frais/(\d+)"')
# Common names of the large data set: searches over thousands of claims.
NAMES = ("DUFOUR", "MARTIN", "BERNARD", "LEFEBVRE", "MOREAU", "GARCIA")


def _token(html: str) -> str | None:
    found = CSRF.search(html)
    return found.group(1) if found else None


class PortalUser(HttpUser):
    abstract = True
    username = ""

    def on_start(self):
        page = self.client.get("/login/", name="/login/")
        response = self.client.post(
            "/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrf_token": _token(page.text),
            },
            name="/login/ (POST)",
        )
        self.token = _token(response.text)


class Teacher(PortalUser):
    """A teacher at the end of June: the list of missions, a claim's tabs, saving it,
    the PDF recap of a validated one."""

    weight = 4
    wait_time = between(5, 15)
    username = TEACHER

    def on_start(self):
        super().on_start()
        page = self.client.get("/etats-de-frais/", name="/etats-de-frais/").text
        if 'name="accept"' in page:
            version = re.search(r'name="version" value="(\d+)"', page).group(1)
            page = self.client.post(
                "/etats-de-frais/conditions",
                data={"accept": "y", "version": version, "csrf_token": _token(page)},
                name="/etats-de-frais/conditions",
            ).text
        self.claims = sorted(set(CLAIM_LINK.findall(page))) or ["0"]

    @task(4)
    def claims_list(self):
        page = self.client.get("/etats-de-frais/", name="/etats-de-frais/")
        self.token = _token(page.text) or self.token

    @task(3)
    def claim_tabs(self):
        claim = random.choice(self.claims)
        for tab in ("suivi", "remuneration", "deplacement", "recapitulatif"):
            page = self.client.get(
                f"/etats-de-frais/{claim}/{tab}", name=f"/etats-de-frais/[id]/{tab}"
            )
            self.token = _token(page.text) or self.token

    @task(1)
    def save(self):
        claim = random.choice(self.claims)
        self.client.post(
            f"/etats-de-frais/{claim}/enregistrer",
            data={"csrf_token": self.token},
            name="/etats-de-frais/[id]/enregistrer",
        )

    @task(1)
    def recap_pdf(self):
        claim = random.choice(self.claims)
        with self.client.get(
            f"/etats-de-frais/{claim}/recapitulatif.pdf",
            name="/etats-de-frais/[id]/recapitulatif.pdf",
            catch_response=True,
        ) as response:
            # A claim not yet validated answers with its recap tab (a redirect).
            if response.status_code == 200:
                response.success()


class Manager(PortalUser):
    """A manager of the examinations division: the claims waiting, keyword searches on
    common names, a claim's page, accepting, the dashboard."""

    weight = 1
    wait_time = between(3, 10)
    username = MANAGER

    @task(3)
    def waiting(self):
        page = self.client.get(
            "/traitement-etats-de-frais/?waiting=1", name="/traitement-etats-de-frais/?waiting"
        )
        self.token = _token(page.text) or self.token
        self.waiting_claims = MANAGED_CLAIM.findall(page.text)

    @task(3)
    def search(self):
        self.client.get(
            f"/traitement-etats-de-frais/?q={random.choice(NAMES)}",
            name="/traitement-etats-de-frais/?q",
        )

    @task(2)
    def page(self):
        self.client.get(
            f"/traitement-etats-de-frais/?page={random.randint(1, 500)}",
            name="/traitement-etats-de-frais/?page",
        )

    @task(2)
    def claim_and_accept(self):
        claims = getattr(self, "waiting_claims", None)
        if not claims:
            return
        claim = random.choice(claims)
        page = self.client.get(
            f"/traitement-etats-de-frais/{claim}", name="/traitement-etats-de-frais/[id]"
        )
        self.client.post(
            "/traitement-etats-de-frais/selection/accepter",
            data={"claim_id": claim, "csrf_token": _token(page.text) or self.token},
            name="/traitement-etats-de-frais/selection/accepter",
        )

    @task(1)
    def dashboard(self):
        self.client.get("/tableau-de-bord/", name="/tableau-de-bord/")
