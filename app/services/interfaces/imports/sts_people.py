"""Who is who in an STS-WEB file: a teacher (INDIVIDU) is an agent of IMAG'IN.

The file names a teacher by an identifier of STS's own, their names, civility and birth
date, but not their numen. A teacher is the agent attached to the file's establishment
whose name (usage or birth name) and first name are the file's, letters compared without
accents, case or punctuation; several such agents are told apart by birth name and
civility. No agent, or several left: a refusal saying so (IMAG'IN does not hold birth
dates, so the file's cannot help).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Agent, AgentEstablishment

from . import sts


def normalized(text: str | None) -> str:
    """Letters and digits only, without accents, upper case, one space between words:
    « Le Gall-Prigent » and « LE GALL PRIGENT » are the same name."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(
        ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch)
    )
    return " ".join(letters.upper().split())


@dataclass(frozen=True)
class _Candidate:
    id: int
    last_name: str
    birth_name: str
    civility: str
    label: str


class Staff:
    """The agents attached to the establishment, found by name."""

    def __init__(self, session: Session, establishment_id: int) -> None:
        rows = session.execute(
            select(
                Agent.id,
                Agent.last_name,
                Agent.first_name,
                Agent.birth_name,
                Agent.civility,
                Agent.numen,
                Agent.external_id,
            )
            .join(AgentEstablishment, AgentEstablishment.agent_id == Agent.id)
            .where(AgentEstablishment.establishment_id == establishment_id)
        ).all()
        self.by_name: dict[tuple[str, str], list[_Candidate]] = defaultdict(list)
        self.labels: dict[int, tuple[str, str]] = {}  # agent → (name, identifier)
        for agent_id, last, first, birth, civility, numen, external_id in rows:
            name, identifier = self.labels[agent_id] = label(last, first, numen or external_id)
            candidate = _Candidate(
                agent_id,
                normalized(last),
                normalized(birth),
                civility.value if civility is not None else "",
                f"{name} ({identifier})",
            )
            for name in {normalized(last), normalized(birth)} - {""}:
                self.by_name[(name, normalized(first))].append(candidate)

    def match(self, person: sts.Individual) -> tuple[int | None, object | None]:
        """(agent id, None) or (None, the French reason of the refusal)."""
        first = normalized(person.first_name)
        firsts = {first, first.split(" ")[0]} if first else set()
        found: dict[int, _Candidate] = {}
        for name in {normalized(person.last_name), normalized(person.birth_name)} - {""}:
            for given in firsts:
                for candidate in self.by_name.get((name, given), ()):
                    found[candidate.id] = candidate
        candidates = list(found.values())
        if len(candidates) > 1:
            candidates = _narrow(candidates, person)
        if len(candidates) == 1:
            return candidates[0].id, None
        if not candidates:
            return None, _l(
                "no contributor attached to this establishment has this name and first name"
                " (import the staff first, or attach them to the establishment)."
            )
        return None, _l(
            "several contributors of this establishment have this name and first name"
            " (%(agents)s): the file cannot tell which one.",
            agents=", ".join(sorted(c.label for c in candidates)),
        )


def _narrow(candidates: list[_Candidate], person: sts.Individual) -> list[_Candidate]:
    """Several agents of the same name: keep those whose birth name and civility do not
    contradict the file's."""
    birth = normalized(person.birth_name)
    for keep in (
        lambda c: bool(birth) and c.birth_name == birth,
        lambda c: bool(person.civility) and c.civility == person.civility,
    ):
        kept = [c for c in candidates if keep(c)]
        if kept:
            candidates = kept
        if len(candidates) == 1:
            break
    return candidates


def label(last_name: str, first_name: str, identifier: str | None) -> tuple[str, str]:
    return f"{last_name.upper()} {first_name}", identifier or ""
