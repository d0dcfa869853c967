"""Every UI string has its French translation (and its English one)."""

import pytest

from tools.i18n import missing, read

pytestmark = pytest.mark.nodb  # run once, in the SQLite pass


def test_the_french_catalogue_is_complete():
    lacking = missing("fr")
    assert lacking == [], f"{len(lacking)} msgid(s) without French translation: {lacking[:10]}"


def test_the_english_catalogue_is_complete():
    assert missing("en") == []


def test_no_french_entry_is_fuzzy():
    catalog = read("fr")
    assert not catalog.fuzzy
    assert [m.id for m in catalog if m.id and "fuzzy" in m.flags] == []


def test_french_placeholders_match_the_msgids():
    import re

    pattern = re.compile(r"%\(\w+\)[sd]")
    for message in read("fr"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(pattern.findall(ids[-1]))
        for string in strings:
            assert set(pattern.findall(string)) == expected, message.id
