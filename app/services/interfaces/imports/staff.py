"""The staff import (EPP / SIRHEN / AGAPE / RenoiRH): the agents of the académie with a
numen, their establishments and post disciplines.

The file (``staff_file``) is compared with the académie's agents, read in two queries;
agents the file no longer lists are deactivated, never deleted (external contributors,
who have no numen, are never touched); an inactive agent the file lists again is
reactivated. An agent's establishment links follow the file. Everything the file does
not carry (bank details, INSEE number, telephone, personal e-mail, address lines, car)
stays as it is. Writes are set-based: ``INSERT`` / ``UPDATE`` / ``DELETE`` by chunks
of ``CHUNK`` rows, in the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from app.services.documents import store as stored_documents
from models import (
    Agent,
    AgentEstablishment,
    Assignment,
    Discipline,
    Establishment,
    ExpenseClaim,
)
from models.base import utcnow
from models.enums import EstablishmentLinkType

from .base import (
    Importer,
    LinesRefused,
    Plan,
    Preview,
    Progress,
    Source,
    among,
    chunks,
    insert_rows,
    register,
    update_rows,
)
from .staff_file import (
    COLUMNS,
    KEPT_WHEN_EMPTY,
    OPTIONAL,
    PERSON,
    Link,
    Person,
    StaffFile,
    read,
)

AGENT = Agent.__table__
LINK = AgentEstablishment.__table__
DISCIPLINE = Discipline.__table__
FIELDS = tuple(PERSON.values())  # the Agent attributes the file carries
COLUMN_OF = {attribute: column for column, attribute in PERSON.items()}


@dataclass
class Existing:
    """An agent of the académie as the database has them."""

    id: int
    numen: str
    active: bool
    post_discipline_id: int | None
    values: dict
    links: dict[int, tuple[int, EstablishmentLinkType, int | None]] = field(default_factory=dict)
    # establishment id -> (link id, type, discipline id)


@dataclass
class Work:
    """What applying the file writes."""

    new: list[Person] = field(default_factory=list)
    changed: list[tuple[Existing, Person]] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)  # agent ids to deactivate
    new_disciplines: dict[str, str] = field(default_factory=dict)  # code -> label
    renamed_disciplines: dict[int, str] = field(default_factory=dict)  # id -> label
    disciplines: dict[str, int] = field(default_factory=dict)  # code -> id
    establishments: dict[int, str] = field(default_factory=dict)  # id -> UAI


# --- Comparing ---------------------------------------------------------------------------


def _existing(session: Session, academy_id: int) -> dict[str, Existing]:
    """The académie's agents with a numen and their establishment links: two queries."""
    agents: dict[str, Existing] = {}
    by_id: dict[int, Existing] = {}
    columns = [AGENT.c[name] for name in FIELDS]
    for id_, numen, active, discipline_id, *values in session.execute(
        select(AGENT.c.id, AGENT.c.numen, AGENT.c.active, AGENT.c.post_discipline_id, *columns)
        .where(AGENT.c.academy_id == academy_id, AGENT.c.numen.is_not(None))
        .order_by(AGENT.c.id)
    ).all():
        agent = Existing(id_, numen, active, discipline_id, dict(zip(FIELDS, values, strict=True)))
        agents[numen] = by_id[id_] = agent
    for link_id, agent_id, establishment_id, link_type, discipline_id in session.execute(
        select(LINK.c.id, LINK.c.agent_id, LINK.c.establishment_id, LINK.c.link_type)
        .add_columns(LINK.c.discipline_id)
        .join(AGENT, AGENT.c.id == LINK.c.agent_id)
        .where(AGENT.c.academy_id == academy_id, AGENT.c.numen.is_not(None))
    ).all():
        by_id[agent_id].links[establishment_id] = (link_id, link_type, discipline_id)
    return agents


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    return str(getattr(value, "value", value))


def _differences(agent: Existing, person: Person, codes: dict[int, str], uais: dict) -> list:
    """What changes for ``agent`` (French phrases); empty when nothing does."""
    parts: list = []
    if not agent.active:
        parts.append(_("active again"))
    for name in FIELDS:
        if name in KEPT_WHEN_EMPTY and person.values[name] is None:
            continue
        if agent.values[name] != person.values[name]:
            old, new = _shown(agent.values[name]), _shown(person.values[name])
            parts.append(f"{COLUMN_OF[name]} : {old} → {new}")
    old_discipline = codes.get(agent.post_discipline_id)
    if old_discipline != person.post_discipline:
        parts.append(
            f"code_discipline : {_shown(old_discipline)} → {_shown(person.post_discipline)}"
        )
    added = [
        f"{link.uai} ({link.link_type.value})"
        for establishment_id, link in person.links.items()
        if establishment_id not in agent.links
    ]
    removed = [
        uais.get(establishment_id, str(establishment_id))
        for establishment_id in agent.links
        if establishment_id not in person.links
    ]
    for establishment_id, link in person.links.items():
        if establishment_id in agent.links:
            _link_id, link_type, discipline_id = agent.links[establishment_id]
            if link_type is not link.link_type:
                parts.append(f"{link.uai} : {link_type.value} → {link.link_type.value}")
            if codes.get(discipline_id) != link.discipline:
                parts.append(
                    f"{link.uai} : {_shown(codes.get(discipline_id))} → {_shown(link.discipline)}"
                )
    if added:
        parts.append(_("establishments added: %(list)s", list=", ".join(added)))
    if removed:
        parts.append(_("establishments removed: %(list)s", list=", ".join(sorted(removed))))
    return parts


def _uais(session: Session, ids: Iterable[int], known: dict[int, str]) -> dict[int, str]:
    """The UAI of each establishment id (those the file names are known already)."""
    wanted = [id_ for id_ in set(ids) if id_ not in known]
    found = dict(known)
    for chunk in chunks(wanted):
        found.update(
            session.execute(
                select(Establishment.id, Establishment.uai).where(
                    among(session, Establishment.id, chunk)
                )
            ).all()
        )
    return found


def _disciplines(session: Session, staff: StaffFile, work: Work) -> dict[int, str]:
    """The disciplines the file adds or renames; the codes of every known one (id ->
    code). Disciplines are national: a code's label follows the latest file."""
    codes: dict[int, str] = {}
    for id_, code, name in session.execute(
        select(DISCIPLINE.c.id, DISCIPLINE.c.code, DISCIPLINE.c.name)
    ):
        codes[id_] = code
        work.disciplines[code] = id_
        label = staff.disciplines.get(code)
        if label is not None and label != name:
            work.renamed_disciplines[id_] = label
    work.new_disciplines = {
        code: label for code, label in staff.disciplines.items() if code not in work.disciplines
    }
    return codes


def _compare(session: Session, academy_id: int, source: Source) -> tuple[Plan, Work]:
    plan = Plan(kind="staff")
    staff = read(session, academy_id, source, plan)
    work = Work()
    codes = _disciplines(session, staff, work)
    existing = _existing(session, academy_id)
    uais = _uais(
        session,
        (id_ for agent in existing.values() for id_ in agent.links),
        staff.establishments,
    )
    work.establishments = uais
    for numen, person in staff.persons.items():
        if numen in staff.held:
            continue
        agent = existing.get(numen)
        if agent is None:
            work.new.append(person)
            plan.new.add(lambda p=person: Preview(p.numen, p.name, _new_detail(p)))
            continue
        parts = _differences(agent, person, codes, uais)
        if parts:
            work.changed.append((agent, person))
            plan.changed.add(lambda p=person, d=parts: Preview(p.numen, p.name, "; ".join(d)))
        else:
            plan.unchanged.add(lambda p=person: Preview(p.numen, p.name))
    for numen, agent in existing.items():
        if agent.active and numen not in staff.persons and numen not in staff.held:
            work.missing.append(agent.id)
            plan.missing.add(
                lambda a=agent: Preview(
                    a.numen, f"{a.values['last_name'].upper()} {a.values['first_name']}"
                )
            )
    _notes(plan, staff, work)
    return plan, work


def _new_detail(person: Person) -> str:
    return ", ".join(f"{link.uai} ({link.link_type.value})" for link in person.links.values())


def _notes(plan: Plan, staff: StaffFile, work: Work) -> None:
    held = len(staff.held)
    if held:
        plan.notes.append(
            _l(
                "%(count)s agent(s) with a refused line are left as they are (neither"
                " changed nor deactivated).",
                count=held,
            )
        )
    if plan.missing.count:
        plan.notes.append(
            _l(
                "Agents no longer in the file are deactivated, never deleted: their claims,"
                " missions and account stay; they are no longer offered for convocations."
            )
        )
    if work.new_disciplines:
        plan.notes.append(
            _l(
                "New post discipline(s): %(codes)s.",
                codes=", ".join(sorted(work.new_disciplines)),
            )
        )
    if work.renamed_disciplines:
        plan.notes.append(
            _l(
                "Post discipline(s) renamed: %(codes)s.",
                codes=", ".join(
                    sorted(
                        code
                        for code, id_ in work.disciplines.items()
                        if id_ in work.renamed_disciplines
                    )
                ),
            )
        )


# --- Writing ----------------------------------------------------------------------------


def plan(session: Session, academy_id: int, source: Source) -> Plan:
    """The dry run: what the file would change; writes nothing."""
    return _compare(session, academy_id, source)[0]


def apply(
    session: Session,
    academy_id: int,
    source: Source,
    *,
    skip_refused: bool = False,
    progress: Progress | None = None,
    started_by_id: int | None = None,  # the contract's: nothing here names who
) -> Plan:
    """Compare, then write, in the caller's unit of work. A file with refused lines
    writes nothing (``LinesRefused``) unless ``skip_refused``: then the agents with a
    refused line are left as they are."""
    session.flush()
    result, work = _compare(session, academy_id, source)
    if result.has_refusals and not skip_refused:
        raise LinesRefused(result)
    _write_disciplines(session, work)
    total = len(work.new) + len(work.changed) + len(work.missing)
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    now = utcnow()
    for chunk in chunks(work.new):
        _insert_agents(session, academy_id, chunk, work, now)
        step(len(chunk))
    moved: list[int] = []
    for chunk in chunks(work.changed):
        moved += _update_agents(session, chunk, work, now)
        step(len(chunk))
    for chunk in chunks(work.missing):
        session.execute(
            update(AGENT)
            .where(among(session, AGENT.c.id, chunk))
            .values(active=False, updated_at=now)
        )
        step(len(chunk))
    session.expire_all()  # the ORM objects of the session read the new values
    _recaps(session, moved)
    return result


def _write_disciplines(session: Session, work: Work) -> None:
    if work.new_disciplines:
        session.execute(
            insert(DISCIPLINE),
            [{"code": code, "name": label} for code, label in work.new_disciplines.items()],
        )
        work.disciplines.update(
            session.execute(
                select(DISCIPLINE.c.code, DISCIPLINE.c.id).where(
                    DISCIPLINE.c.code.in_(list(work.new_disciplines))
                )
            ).all()
        )
    if work.renamed_disciplines:
        session.execute(
            update(DISCIPLINE)
            .where(DISCIPLINE.c.id == bindparam("discipline_id"))
            .values(name=bindparam("label")),
            [
                {"discipline_id": id_, "label": label}
                for id_, label in work.renamed_disciplines.items()
            ],
        )


def _agent_values(person: Person, work: Work, kept: dict | None = None) -> dict:
    """The agent's columns from the file; a flag the file leaves empty keeps its value
    (``kept``: the agent's current values; a new agent: False)."""
    discipline = person.post_discipline
    values = dict(person.values)
    for name in KEPT_WHEN_EMPTY:
        if values[name] is None:
            values[name] = kept[name] if kept is not None else False
    return {
        **values,
        "post_discipline_id": work.disciplines[discipline] if discipline else None,
    }


def _link_row(agent_id: int, establishment_id: int, link: Link, work: Work) -> dict:
    return {
        "agent_id": agent_id,
        "establishment_id": establishment_id,
        "link_type": link.link_type,
        "discipline_id": work.disciplines[link.discipline] if link.discipline else None,
    }


def _insert_agents(session: Session, academy_id: int, persons: list[Person], work, now) -> None:
    rows = [
        {
            "academy_id": academy_id,
            "numen": person.numen,
            "active": True,
            "financial_file_active": False,
            "created_at": now,
            "updated_at": now,
            **_agent_values(person, work),
        }
        for person in persons
    ]
    ids = dict(insert_rows(session, AGENT, rows, returning=(AGENT.c.numen, AGENT.c.id)))
    insert_rows(
        session,
        LINK,
        [
            _link_row(ids[person.numen], establishment_id, link, work)
            for person in persons
            for establishment_id, link in person.links.items()
        ],
    )


def _update_agents(session: Session, changed: list, work: Work, now) -> list[int]:
    """Write the changed agents and their links; the ids of those whose address moved
    (their recaps show it)."""
    rows, added, removed, retyped, moved = [], [], [], [], []
    for agent, person in changed:
        values = _agent_values(person, work, agent.values)
        rows.append({"id": agent.id, "active": True, "updated_at": now} | values)
        if (agent.values["postcode"], agent.values["town"]) != (
            values["postcode"],
            values["town"],
        ):
            moved.append(agent.id)
        for establishment_id, link in person.links.items():
            row = _link_row(agent.id, establishment_id, link, work)
            current = agent.links.get(establishment_id)
            if current is None:
                added.append(row)
            elif (current[1], current[2]) != (row["link_type"], row["discipline_id"]):
                retyped.append(
                    {
                        "id": current[0],
                        "link_type": row["link_type"],
                        "discipline_id": row["discipline_id"],
                    }
                )
        removed += [
            current[0]
            for establishment_id, current in agent.links.items()
            if establishment_id not in person.links
        ]
    update_rows(session, AGENT, "id", rows)
    if removed:
        session.execute(delete(LINK).where(among(session, LINK.c.id, removed)))
    update_rows(session, LINK, "id", retyped)
    insert_rows(session, LINK, added)
    return moved


def _recaps(session: Session, agent_ids: list[int]) -> None:
    """The agents whose town or postcode changed and who have a numbered claim: their
    recaps print the address, so they are rendered again."""
    for chunk in chunks(agent_ids):
        with_recaps = session.scalars(
            select(Assignment.agent_id)
            .join(ExpenseClaim, ExpenseClaim.assignment_id == Assignment.id)
            .where(among(session, Assignment.agent_id, chunk), ExpenseClaim.number.is_not(None))
            .distinct()
        ).all()
        for agent_id in with_recaps:
            stored_documents.agent_changed(session, session.get(Agent, agent_id))


STAFF = register(
    Importer(
        kind="staff",
        title=_l("Staff (EPP / SIRHEN / AGAPE / RenoiRH)"),
        description=_l(
            "One line per agent and establishment: numen, civility, names, academic e-mail,"
            " home town and postcode, grade, post discipline, agent type, UAI and type of"
            " establishment. Agents no longer in the file are deactivated, never deleted."
        ),
        extensions=(".csv",),
        columns=COLUMNS,
        optional=OPTIONAL,
        plan=plan,
        apply=apply,
    )
)
