"""Agents' homes and exam centres as automatic assignment places them: the commune of
the agent's postcode and town (La Poste's "ST" read as "SAINT"), else the postcode's
only commune, else no coordinates (the same-commune / same-département rule then
applies); one statement whatever the number of agents."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.extensions import db
from app.services.missions.assignment.problem import Place
from app.services.referential import communes
from models import Commune, Establishment
from models.enums import EstablishmentCategory
from tests.conftest import count_queries


def place(session, insee, name, postcode, key, latitude=None, longitude=None):
    session.add(
        Commune(
            insee_code=insee,
            name=name,
            postcode=postcode,
            key=key,
            latitude=None if latitude is None else Decimal(latitude),
            longitude=None if longitude is None else Decimal(longitude),
        )
    )


@pytest.fixture
def communes_of_brittany(session):
    place(session, "35238", "RENNES", "35000", "RENNES", "48.111339", "-1.680020")
    place(session, "35288", "ST MALO", "35400", "ST MALO", "48.649300", "-2.025700")
    # 22110: three communes share the postcode.
    place(session, "22266", "ROSTRENEN", "22110", "ROSTRENEN", "48.235300", "-3.317500")
    place(session, "22064", "GLOMEL", "22110", "GLOMEL", "48.223600", "-3.395800")
    place(session, "22087", "KERGRIST MOELOU", "22110", "KERGRIST MOELOU")
    place(session, "29083", "ILE DE SEIN", "29990", "ILE DE SEIN")
    session.flush()


def test_the_commune_of_the_postcode_and_town(session, communes_of_brittany):
    homes = communes.homes(
        session,
        [(1, "35000", "Rennes Cedex 7"), (2, "35400", "Saint-Malo"), (3, "22110", "Glomel")],
    )
    assert homes[1] == Place(48.111339, -1.68002, "RENNES", "35")
    assert homes[2] == Place(48.6493, -2.0257, "SAINT MALO", "35")
    assert (homes[3].latitude, homes[3].longitude) == (48.2236, -3.3958)


def test_the_postcodes_only_commune_when_the_town_is_spelt_otherwise(session, communes_of_brittany):
    homes = communes.homes(session, [(1, "35000", "Rennes Bourg l'Évêque")])
    assert homes[1] == Place(48.111339, -1.68002, "RENNES BOURG L EVEQUE", "35")


def test_an_ambiguous_postcode_or_a_commune_without_point_gives_no_coordinates(
    session, communes_of_brittany
):
    homes = communes.homes(
        session,
        [
            (1, "22110", "Plounevez-Quintin"),  # not one of 22110's communes
            (2, "22110", "Kergrist-Moëlou"),  # its commune has no point
            (3, "29990", "Île-de-Sein"),  # the postcode's only commune, without point
        ],
    )
    assert homes[1] == Place(None, None, "PLOUNEVEZ QUINTIN", "22")
    assert homes[2] == Place(None, None, "KERGRIST MOELOU", "22")
    assert not homes[3].located and homes[3].commune == "ILE DE SEIN"


def test_an_unknown_commune_keeps_the_fallback_fields(session, communes_of_brittany):
    homes = communes.homes(
        session, [(1, "97200", "Fort-de-France"), (2, None, None), (3, "35", "Rennes")]
    )
    assert homes[1] == Place(None, None, "FORT DE FRANCE", "972")
    assert homes[2] == Place(None, None, "", None)
    assert homes[3] == Place(None, None, "RENNES", "35")


def test_one_statement_for_one_agent_or_five_hundred(session, communes_of_brittany):
    postcodes = ("35000", "35400", "22110", "29990")
    one = [(1, "35000", "RENNES")]
    many = [(n, f"{29000 + n}" if n % 2 else postcodes[n % 4], "X") for n in range(500)]
    with count_queries(db.engine) as statements:
        assert communes.homes(session, one)[1].located
    assert len(statements) == 1
    with count_queries(db.engine) as statements:
        assert len(communes.homes(session, many)) == 500
    assert len(statements) == 1
    with count_queries(db.engine) as statements:
        assert communes.homes(session, []) == {}
    assert statements == []


def test_a_centre_is_placed_at_its_establishment(app_ctx):
    centre = Establishment(
        uai="0350024L",
        name="LGT EMILE ZOLA",
        category=EstablishmentCategory.LGT,
        postcode="35044",
        town="RENNES CEDEX",
        latitude=Decimal("48.107500"),
        longitude=Decimal("-1.674500"),
    )
    assert communes.centre_place(centre) == Place(48.1075, -1.6745, "RENNES", "35")
    centre.longitude = None
    assert communes.centre_place(centre) == Place(None, None, "RENNES", "35")
