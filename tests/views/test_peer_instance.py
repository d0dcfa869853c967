"""Two portals: a second instance serving Nantes (its own database, started on a free
port by tools/peer_instance.py) holds two missions of the demo teacher's numen; the
first portal (Rennes) shows them in the teacher's tab « Académie de Nantes », read
through Nantes' API with the token Nantes gave; once Nantes is stopped, the tab says in
French that it does not answer."""

from __future__ import annotations

import secrets
import subprocess
import sys
import threading

import pytest

from app.services.interfaces import peers
from tests.conftest import ROOT, TMP
from tests.views.helpers import text
from tests.views.test_peers import point_nantes_to

START_SECONDS = 120


@pytest.fixture
def nantes_instance():
    token = f"imagin_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"
    database = TMP / f"peer-{secrets.token_hex(4)}.db"
    log = open(TMP / "peer-instance.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603 - our own tool, fixed arguments
        [
            sys.executable,
            str(ROOT / "tools" / "peer_instance.py"),
            "--port",
            "0",
            "--database",
            f"sqlite:///{database}",
            "--token",
            token,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    ready: list[str] = []
    reader = threading.Thread(target=lambda: ready.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_SECONDS)
    try:
        assert ready and ready[0].startswith("READY "), "the second instance did not start"
        port = int(ready[0].split()[1])
        yield process, f"http://127.0.0.1:{port}/api/v1", token
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(10)
        log.close()


def test_the_tab_shows_the_missions_of_the_second_instance_then_its_absence(
    app, demo, log_in, nantes_instance
):
    process, url, token = nantes_instance
    peers.CACHE.clear()
    point_nantes_to(app, url, token)
    teacher = log_in("enseignant")
    assert 'href="/missions/?academie=NANTES"' in teacher.get("/missions/").text
    shown = text(teacher.get("/missions/?academie=NANTES").text)
    assert "Liste des missions de l'académie de Nantes (2 lignes)" in shown
    for value in (
        "320001",
        "VALIDATION DES THEMES",
        "320002",
        "Correction de copies",
        "LPO LIVET NANTES (0440288Z)",
        "A corriger dans SANTORIN",
        "CORRECTEUR",
    ):
        assert value in shown

    process.terminate()
    process.wait(10)
    peers.CACHE.clear()  # as after PEER_CACHE_SECONDS
    tab = teacher.get("/missions/?academie=NANTES")
    assert tab.status_code == 200
    assert (
        "L'académie de Nantes ne répond pas : ses missions ne peuvent pas être affichées pour "
        "le moment. Réessayez dans quelques minutes." in text(tab.text)
    )
    assert "320001" not in text(tab.text)
