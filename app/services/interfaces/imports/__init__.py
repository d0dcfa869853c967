"""The imports of the ministry's files (CYCLADES, EPP / SIRHEN, STS-WEB, SANTORIN)."""
