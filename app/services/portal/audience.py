"""Activities that appear only for the people they concern (issue 16): « Gestion des
épreuves EPS » for the teachers of physical education, « Portail délibération de jury »
for the presidents of a deliberation, « Gestion des sujets » and « Statistiques
nationales de notation » for the inspectors, « Enquête DCS » for the DCS teachers while
the survey is open.

An activity of the catalogue names its condition (``ActivityDef.audience``); each
condition is a function ``(session, agent) -> bool`` of a domain module, named here by
its dotted path and imported on first use (the domain modules stay free of the portal).
A condition is one cheap, indexed query: the menu asks it on every page of the agents
it may concern (once per request, ``app.current.concerned``). A condition that is an
``EXISTS`` also gives it as SQL (``CLAUSES``: ``agent -> boolean expression``): those
of one page are asked together, in one statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Agent

# audience code → "package.module:function" taking (session, agent) and returning bool.
AUDIENCES: dict[str, str] = {
    "exam_centre_head": "app.services.payments.centre:heads_an_exam_centre",
    "dcs": "app.services.dcs.survey:concerns",
    "eps_teacher": "app.services.people.audiences:teaches_eps",
    "deliberation_president": "app.services.missions.audiences:presides_deliberation",
    "subjects": "app.services.people.audiences:manages_subjects",
    "national_statistics": "app.services.people.audiences:reads_national_statistics",
}


# audience code → "package.module:function" taking the agent and returning the same
# condition as a SQL boolean (for the audiences asked together).
CLAUSES: dict[str, str] = {
    "eps_teacher": "app.services.people.audiences:eps_teaching",
    "deliberation_president": "app.services.missions.audiences:deliberation_presidency",
}


def _imported(path: str):
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


def condition(code: str) -> Callable[[Session, Agent], bool]:
    return _imported(AUDIENCES[code])


def concerned(session: Session, agent: Agent | None, codes: Iterable[str]) -> frozenset[str]:
    """The audiences among ``codes`` whose condition holds for ``agent`` (none for a
    user without a contributor file: a manager or an administrator)."""
    if agent is None:
        return frozenset()
    wanted = set(codes)
    together = sorted(code for code in wanted if code in CLAUSES)
    found = set()
    if together:
        row = session.execute(
            select(*(_imported(CLAUSES[code])(agent).label(code) for code in together))
        ).one()
        found = {code for code, holds in zip(together, row, strict=True) if holds}
    others = wanted.difference(together)
    return frozenset(found | {code for code in others if condition(code)(session, agent)})
