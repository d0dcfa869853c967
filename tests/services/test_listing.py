"""The list component's rules: keyword filter, sort, pagination."""

import datetime as dt

from app.services.common.listing import DATE, NUMBER, Column, Row, build_page, normalise, parse_args

COLUMNS = (
    Column("exam", "Examen"),
    Column("number", "N° de mission", NUMBER),
    Column("start", "Début de mission", DATE),
    Column("centre", "Centre d'examen"),
)


def rows():
    return [
        Row(
            {
                "exam": "BREVET DE TECHNICIEN SUPERIEUR",
                "number": 52525,
                "start": dt.date(2014, 5, 20),
                "centre": "LGT JOSEPH LOTH PONTIVY",
            },
            url="/52525",
        ),
        Row(
            {
                "exam": "BACCALAUREAT GENERAL",
                "number": 77508,
                "start": dt.date(2017, 3, 29),
                "centre": "LGT EMILE ZOLA RENNES",
            },
            url="/77508",
        ),
        Row(
            {
                "exam": "EPREUVES ANTICIPÉES DU BCG",
                "number": 77642,
                "start": dt.date(2017, 4, 27),
                "centre": None,
            },
            url="/77642",
        ),
        Row(
            {
                "exam": "Brevet des métiers d'art",
                "number": 156635,
                "start": dt.date(2019, 6, 4),
                "centre": "LP MARIE-ANTOINETTE RIESS MAZAMET",
            }
        ),
    ]


def numbers(page):
    return [row.cells["number"] for row in page.rows]


def test_normalise_ignores_case_and_accents():
    assert normalise("ÉPREUVES Anticipées") == "epreuves anticipees"


def test_keyword_filter_matches_any_visible_column_without_accents_or_case():
    assert numbers(build_page(COLUMNS, rows(), q="baccalaureat")) == [77508]
    assert numbers(build_page(COLUMNS, rows(), q="anticipees")) == [77642]
    assert numbers(build_page(COLUMNS, rows(), q="pontivy")) == [52525]
    # A date is matched as it is shown (dd/mm/yyyy).
    assert numbers(build_page(COLUMNS, rows(), q="29/03/2017")) == [77508]


def test_every_keyword_must_match():
    assert numbers(build_page(COLUMNS, rows(), q="lgt rennes")) == [77508]
    assert numbers(build_page(COLUMNS, rows(), q="lgt nowhere")) == []


def test_filter_counts_the_remaining_rows():
    page = build_page(COLUMNS, rows(), q="brevet")
    assert page.total == 2
    assert page.pages == 1


def test_sort_by_text_date_and_number_both_directions():
    assert numbers(build_page(COLUMNS, rows(), sort="exam")) == [77508, 52525, 156635, 77642]
    assert numbers(build_page(COLUMNS, rows(), sort="start", direction="desc")) == [
        156635,
        77642,
        77508,
        52525,
    ]
    assert numbers(build_page(COLUMNS, rows(), sort="number", direction="desc")) == [
        156635,
        77642,
        77508,
        52525,
    ]


def test_empty_values_sort_last_in_both_directions():
    assert numbers(build_page(COLUMNS, rows(), sort="centre"))[-1] == 77642
    assert numbers(build_page(COLUMNS, rows(), sort="centre", direction="desc"))[-1] == 77642


def test_pagination_shows_the_requested_page_and_clamps_out_of_range_pages():
    many = [
        Row({"exam": f"EXAM {i:02d}", "number": i, "start": None, "centre": ""}) for i in range(7)
    ]
    first = build_page(COLUMNS, many, sort="number", per_page=5)
    assert (first.page, first.pages, first.total) == (1, 2, 7)
    assert numbers(first) == [0, 1, 2, 3, 4]
    second = build_page(COLUMNS, many, sort="number", per_page=5, page=2)
    assert numbers(second) == [5, 6]
    assert build_page(COLUMNS, many, per_page=5, page=99).page == 2
    assert build_page(COLUMNS, many, per_page=5, page=-3).page == 1
    assert build_page(COLUMNS, many, per_page=10_000).per_page == 100


def test_parse_args_falls_back_on_bad_values():
    args = parse_args(
        {"sort": "nope", "dir": "sideways", "page": "abc", "q": "x" * 500, "apres": "x" * 5000},
        COLUMNS,
        default_sort="start",
    )
    assert args == {
        "q": "x" * 100,
        "sort": "start",
        "direction": "asc",
        "page": 1,
        "after": "",  # too long: not valid (the first page)
        "before": None,
    }
    prefixed = parse_args({"c_sort": "exam", "c_dir": "desc", "c_page": "3"}, COLUMNS, prefix="c_")
    assert (prefixed["sort"], prefixed["direction"], prefixed["page"]) == ("exam", "desc", 3)
