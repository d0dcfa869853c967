"""The imports of the ministry's files (CYCLADES, EPP / SIRHEN, STS-WEB, SANTORIN)."""

from . import corrections  # noqa: F401  (registers the kind "corrections")
from . import staff  # noqa: F401  (registers the importer)
