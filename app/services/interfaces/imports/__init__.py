"""The imports of the ministry's files (CYCLADES, EPP / SIRHEN, STS-WEB, SANTORIN)."""

from . import staff  # noqa: F401  (registers the importer)
