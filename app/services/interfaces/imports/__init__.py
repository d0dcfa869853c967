"""The imports of the ministry's files (CYCLADES, EPP / SIRHEN, STS-WEB, SANTORIN).

Each module registers its kind in ``base.IMPORTERS`` when imported."""

from . import communes, corrections, exams, staff, teachings  # noqa: F401
