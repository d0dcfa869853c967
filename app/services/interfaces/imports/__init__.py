"""The imports of the ministry's files (CYCLADES, EPP / SIRHEN, STS-WEB, SANTORIN).

Importing this package registers every importer in ``base.IMPORTERS``."""

from . import exams  # noqa: F401 - registers the importer
