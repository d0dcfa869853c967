"""Reading an import's CSV file (``app.services.interfaces.imports.base``): the encodings
a manager's spreadsheet saves, and every file that cannot be read, refused whole with a
French message."""

from __future__ import annotations

import pytest

from app.services.interfaces.imports.base import MAX_BYTES, FileRefused, Source, csv_rows

COLUMNS = ("code", "libelle")


def rows(data: bytes, name: str = "fichier.csv", optional=()):
    return list(csv_rows(Source(name, data), COLUMNS, optional))


def refusal(data: bytes, name: str = "fichier.csv") -> str:
    with pytest.raises(FileRefused) as caught:
        rows(data, name)
    return str(caught.value.message)


def test_utf8_is_read_with_its_line_numbers(app_ctx):
    data = "code;libelle\nE4-A;Gestion relation client\n1-003-1;Épreuve écrite\n".encode()
    assert rows(data) == [
        (2, {"code": "E4-A", "libelle": "Gestion relation client"}),
        (3, {"code": "1-003-1", "libelle": "Épreuve écrite"}),
    ]


def test_utf8_with_a_byte_order_mark_keeps_its_first_column(app_ctx):
    data = "\ufeffcode;libelle\nE5;Contrôle de gestion\n".encode()
    assert rows(data) == [(2, {"code": "E5", "libelle": "Contrôle de gestion"})]


def test_windows_1252_accents_are_read(app_ctx):
    data = "code;libelle\nE1;Français écrit – œuvre\n".encode("cp1252")
    assert rows(data) == [(2, {"code": "E1", "libelle": "Français écrit – œuvre"})]


def test_header_names_ignore_case_spaces_order_and_extra_columns(app_ctx):
    data = b" LIBELLE ;autre; Code \nMaths;x;U3\n"
    assert rows(data) == [(2, {"code": "U3", "libelle": "Maths"})]


def test_optional_columns_are_read_when_present_and_short_lines_are_padded(app_ctx):
    data = b"code;libelle;court\nU3;Maths\n"
    assert rows(data, optional=("court", "absente")) == [
        (2, {"code": "U3", "libelle": "Maths", "court": ""})
    ]


def test_blank_lines_are_skipped_but_counted_in_line_numbers(app_ctx):
    data = b"code;libelle\n\nU3;Maths\n ; \n\nU4;Physique\n"
    assert [number for number, _row in rows(data)] == [3, 6]


def test_utf16_is_refused(app_ctx):
    data = "code;libelle\nU3;Maths\n".encode("utf-16")
    assert refusal(data) == (
        "Le fichier « fichier.csv » n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le"
        " au format CSV (UTF-8 ou Windows-1252)."
    )


def test_binary_garbage_is_refused(app_ctx):
    data = bytes(range(256)) * 40
    message = refusal(data, "photo.csv")
    assert "photo.csv" in message
    assert "n'est pas un fichier texte" in message or "ni en UTF-8" in message


def test_a_comma_separated_file_is_refused_naming_its_first_line(app_ctx):
    message = refusal(b"code,libelle\nU3,Maths\n")
    assert message == (
        "Les colonnes du fichier « fichier.csv » ne sont pas séparées par « ; » (sa première"
        " ligne est « code,libelle »)."
    )


def test_a_missing_column_is_named(app_ctx):
    message = refusal(b"code;intitule\nU3;Maths\n")
    assert "« libelle »" in message
    assert "code;libelle" in message


def test_an_empty_file_is_refused(app_ctx):
    assert refusal(b"  \n") == "Le fichier « fichier.csv » est vide."


def test_a_file_too_large_is_refused_before_it_is_read(app_ctx):
    data = b"code;libelle\n" + b"U3;Maths\n" * (MAX_BYTES // 9 + 1)
    assert len(data) > MAX_BYTES
    assert refusal(data) == "Le fichier « fichier.csv » est trop volumineux (40 Mo au plus)."
