"""Identifier checks of the referential data."""

import pytest

from app.services.referential.rules import bic_is_valid, iban_is_valid, insee_is_valid, uai_is_valid


@pytest.mark.parametrize("code", ["0350024L", "0310055S", "0650012K", "0560026Z"])
def test_real_uai_codes_are_valid(code):
    assert uai_is_valid(code)


@pytest.mark.parametrize("code", ["0350024M", "035002L", "ABCDEFGH", "", "0350024l0"])
def test_wrong_uai_codes_are_refused(code):
    assert not uai_is_valid(code)


def test_insee_number_key_is_checked_by_python_stdnum():
    assert insee_is_valid("1 65 07 35 123 456 31")
    assert not insee_is_valid("165073512345632")


def test_iban_and_bic():
    assert iban_is_valid("FR7630006000011234567890189")
    assert not iban_is_valid("FR7630006000011234567890188")
    assert bic_is_valid("AGRIFRPPXXX")
    assert not bic_is_valid("AGRI")


# --- Values refused before the database (issue 12) ------------------------------------


def test_a_rate_table_cannot_end_before_it_starts(app_ctx):
    import datetime as dt

    from app.services.referential.rules import rate_period_error

    assert rate_period_error(dt.date(2027, 1, 1), None) is None
    assert rate_period_error(dt.date(2027, 1, 1), dt.date(2027, 1, 1)) is None
    assert str(rate_period_error(dt.date(2027, 1, 1), dt.date(2026, 12, 31))) == (
        "La fin de validité ne peut précéder son début."
    )


@pytest.mark.parametrize(
    "amount, message",
    [
        ("0", None),
        ("0.32", None),
        ("999999.9999", None),
        ("-0.01", "Un taux est positif ou nul."),
        ("1000000", "Au plus 999999,9999."),
        ("NaN", "Nombre non valide."),
    ],
)
def test_a_rate_is_zero_or_more_and_fits_its_column(app_ctx, amount, message):
    from decimal import Decimal

    from app.services.referential.rules import rate_amount_error

    error = rate_amount_error(Decimal(amount))
    assert (str(error) if error else None) == message


@pytest.mark.parametrize(
    "url, valid",
    [
        ("https://imagin.ac-nantes.fr", True),
        ("https://imagin.ac-nantes.fr/portail/", True),
        ("", True),
        ("http://imagin.ac-nantes.fr", False),
        ("javascript:alert(1)", False),
        ("https://", False),
        ("https://localhost", False),
        ("https://imagin ac-nantes.fr", False),
        ("//imagin.ac-nantes.fr", False),
    ],
)
def test_a_portal_address_is_https(app_ctx, url, valid):
    from app.services.referential.rules import portal_url_error

    assert (portal_url_error(url) is None) is valid


def test_the_financial_file_rules_give_a_french_message_or_none(app):
    from flask_babel import force_locale

    from app.services.referential.rules import bic_error, iban_error, insee_error

    with app.test_request_context(), force_locale("fr"):
        assert insee_error(None) is None and insee_error("1 65 07 35 123 456 31") is None
        assert str(insee_error("165073512345632")).startswith("Ce numéro INSEE n'est pas valide")
        assert iban_error("") is None and iban_error("FR7630006000011234567890189") is None
        assert str(iban_error("FR7630006000011234567890188")) == "Cet IBAN n'est pas valide."
        assert bic_error(None) is None and bic_error("AGRIFRPPXXX") is None
        assert str(bic_error("AGRI")) == "Ce BIC n'est pas valide."
