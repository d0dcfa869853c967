"""Where agents live and where exam centres are, as automatic assignment measures travel
(``Place``: coordinates when known, else the commune and département that today's
same-commune / same-département rule compares).

An agent's home is the commune of La Poste's base (the communes import) that has the
agent's postcode and town (read as ``convocation.commune`` reads it, "ST" and "SAINT"
being the same word, as La Poste abbreviates them); else the only commune of that
postcode; else no coordinates. A centre's place is its establishment's coordinates (the
exams import)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.missions.assignment.problem import Place
from app.services.missions.convocation import _department, commune
from models import Commune, Establishment

# Postcodes read per statement (an IN list of at most this many values).
POSTCODES_PER_STATEMENT = 5000
_ABBREVIATIONS = {"ST": "SAINT", "STE": "SAINTE"}
_WORD = re.compile(r"\S+")


def _loose(key: str) -> str:
    """A commune key with La Poste's abbreviations spelt out ("ST MALO": "SAINT MALO")."""
    return _WORD.sub(lambda word: _ABBREVIATIONS.get(word.group(0), word.group(0)), key)


def _float(value) -> float | None:
    return None if value is None else float(value)


def homes(session: Session, agents: Iterable[tuple[int, str | None, str | None]]) -> dict:
    """{agent id: Place} for (agent id, postcode, town) triples: one statement per
    ``POSTCODES_PER_STATEMENT`` distinct postcodes (one for any académie)."""
    agents = list(agents)
    postcodes = sorted({postcode for _id, postcode, _town in agents if postcode})
    by_postcode: dict[str, list[tuple[str, float | None, float | None]]] = defaultdict(list)
    for start in range(0, len(postcodes), POSTCODES_PER_STATEMENT):
        chunk = postcodes[start : start + POSTCODES_PER_STATEMENT]
        rows = session.execute(
            select(Commune.postcode, Commune.key, Commune.latitude, Commune.longitude)
            .where(Commune.postcode.in_(chunk))
            .order_by(Commune.postcode, Commune.key, Commune.insee_code)
        )
        for postcode, key, latitude, longitude in rows:
            by_postcode[postcode].append((_loose(key), _float(latitude), _float(longitude)))
    places = {}
    for agent_id, postcode, town in agents:
        key = commune(town)
        found = by_postcode.get(postcode or "", [])
        matches = [c for c in found if c[0] == _loose(key)]
        if not matches and len({c[0] for c in found}) == 1:
            matches = found  # the postcode's only commune
        point = next(((lat, lon) for _k, lat, lon in matches if None not in (lat, lon)), None)
        places[agent_id] = Place(
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
            commune=key,
            department=_department(postcode),
        )
    return places


def centre_place(establishment: Establishment) -> Place:
    """An exam centre's place: its coordinates (both or none), commune and département."""
    latitude, longitude = _float(establishment.latitude), _float(establishment.longitude)
    if latitude is None or longitude is None:
        latitude = longitude = None
    return Place(
        latitude=latitude,
        longitude=longitude,
        commune=commune(establishment.town),
        department=_department(establishment.postcode),
    )
