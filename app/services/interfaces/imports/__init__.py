"""The imports of the ministry's files (CYCLADES, EPP / SIRHEN, STS-WEB, SANTORIN)."""

from . import teachings  # noqa: F401 - registers the teachings import (STS-WEB)
