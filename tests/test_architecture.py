"""The layout the README describes, checked on the import graph (grimp, the graph
library of import-linter): no import circle anywhere in the application, and each layer
imports only the layers below it (models ← services ← views ← the application factory).
Imports inside functions count as much as those at the top of a module."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp
import pytest

pytestmark = pytest.mark.nodb  # run once, in the SQLite pass

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "views", "models")


def build_graph():
    sys.path.insert(0, str(ROOT))
    try:
        return grimp.build_graph(*PACKAGES, include_external_packages=False, cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))


@pytest.fixture(scope="module")
def graph():
    return build_graph()


def circles(graph) -> list[list[str]]:
    found = set()
    for importer in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                found.add((importer, *back))
    return [list(chain) for chain in sorted(found)]


def test_no_module_imports_another_that_imports_it_back(graph):
    assert circles(graph) == []


def test_a_circle_is_found_when_there_is_one():
    graph = build_graph()
    graph.add_import(importer="models.base", imported="views.base")
    assert any(chain[0] == "models.base" or "models.base" in chain for chain in circles(graph))


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("models", "app.services"),
        ("models", "views"),
        ("app.services", "views"),
        ("app.services", "app.seeds"),
        ("app.services", "app.web"),
        ("app.services", "app.security"),
        ("app.seeds", "views"),
    ],
)
def test_a_layer_does_not_import_the_layers_above_it(graph, lower, upper):
    chains = graph.find_shortest_chains(importer=lower, imported=upper, as_packages=True)
    assert chains == set(), f"{lower} reaches {upper}: {sorted(chains)}"


def test_services_of_a_domain_live_in_its_folder():
    services = ROOT / "app" / "services"
    loose = sorted(path.name for path in services.glob("*.py") if path.name != "__init__.py")
    assert loose == [], f"modules outside a domain folder: {loose}"


def test_config_reads_settings_only():
    """config.py imports no module of the application, except the typed settings."""
    tree = ast.parse((ROOT / "config.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    ours = {name for name in imported if name.split(".")[0] in PACKAGES}
    assert ours <= {"app.settings"}, f"config.py imports {sorted(ours)}"
