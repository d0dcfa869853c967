"""Identifier checks of the referential data."""

import pytest

from app.services.referential import bic_is_valid, iban_is_valid, insee_is_valid, uai_is_valid


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
