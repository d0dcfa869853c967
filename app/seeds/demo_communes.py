"""The demo's communes and exam centres' coordinates: La Poste's lines for the demo
agents' and establishments' towns (``docs/examples/laposte-codes-postaux.csv``, loaded
by the communes import), and each demo establishment's position (where it has none),
so that automatic assignment measures real distances in the demo."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.interfaces.imports import communes
from app.services.interfaces.imports.base import Source
from models import Establishment

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "laposte-codes-postaux.csv"

# UAI without its key letter: (latitude, longitude), WGS 84, within about a kilometre.
POSITIONS = {
    "0350024": ("48.107500", "-1.674500"),  # LGT Émile Zola, Rennes
    "0560026": ("48.065500", "-2.962200"),  # LGT Joseph Loth, Pontivy
    "0220056": ("48.234000", "-3.313000"),  # LP Rosa Parks, Rostrenen
    "0221595": ("48.474000", "-3.188000"),  # Collège Jules Ferry, Bourbriac
    "0350042": ("48.121200", "-1.658000"),  # LGT Joliot-Curie, Rennes
    "0560051": ("47.759000", "-3.343000"),  # LPO Jean Macé, Lanester
    "0351907": ("48.130000", "-1.660000"),  # Collège Rosa Parks, Rennes
    "0350710": ("48.124000", "-1.694000"),  # LGT Victor et Hélène Basch, Rennes
    "0351122": ("47.910000", "-1.380000"),  # Collège La Roche aux Fées, Retiers
    "0352686": ("48.123000", "-1.675000"),  # DEXACO, 96 rue d'Antrain, Rennes
    "0650012": ("43.126000", "0.385000"),  # LG Michelet, Lannemezan
    "0440288": ("47.229000", "-1.534000"),  # LPO Livet, Nantes
}


def seed_communes(session: Session, academy_id: int) -> None:
    """Load the example file of La Poste (idempotent) and place the establishments."""
    source = Source(EXAMPLE.name, EXAMPLE.read_bytes())
    communes.apply(session, academy_id, source)
    unplaced = select(Establishment).where(
        Establishment.latitude.is_(None) | Establishment.longitude.is_(None)
    )
    for establishment in session.scalars(unplaced):
        position = POSITIONS.get(establishment.uai[:7])
        if position is not None:
            latitude, longitude = position
            establishment.latitude = Decimal(latitude)
            establishment.longitude = Decimal(longitude)
    session.flush()
