"""The SANTORIN corrections file: per mission and corrector, the copies corrected and the
correction state, with the session and the wave (README « Corrections (SANTORIN) »).

    numero_mission;identifiant;copies;etat;session;vague
    218280;35E0000001MPC;112;SERVICE_FAIT;juin 2026;1

``identifiant`` is the corrector's numen, or the identifier of an external contributor;
``etat`` is a code (A_CORRIGER, A_NUMERISER, SERVICE_FAIT) or the seed's label
(« A corriger dans SANTORIN »…); ``session`` (empty: the mission's session) and
``vague`` (a number, may be empty) may be left out.

Each line sets the assignment's ``CorrectionState`` and fills the claims SANTORIN
fills (``app.services.claims.automatic``), grouping one person's missions of a session
and a wave on one claim. SANTORIN sends what changed: a state the file does not have is
kept as it is. ``apply_records`` takes the same fields as dicts (the REST API).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.services.claims import automatic, bareme, lifecycle
from app.services.common import clock
from app.services.interfaces.imports.base import (
    Importer,
    LinesRefused,
    Plan,
    Preview,
    Progress,
    Source,
    csv_rows,
    register,
)
from app.services.interfaces.imports.corrections_lines import (
    COLUMNS,
    OPTIONAL,
    Line,
    chunks,
    read_lines,
)
from models import Assignment, CorrectionState, ExpenseClaim, Mission

KIND = "corrections"
# Writes sent to the database together (and the progress bar moved) every so many records.
FLUSH_EVERY = 500


@dataclass
class _Analysis:
    plan: Plan
    lines: list[Line] = field(default_factory=list)
    states: dict[int, CorrectionState] = field(default_factory=dict)  # by assignment id
    # Claims to fill: (claim, share).
    fills: list[tuple[ExpenseClaim, automatic.Share]] = field(default_factory=list)


def _label(line: Line) -> Preview:
    assignment = line.assignment
    return Preview(
        key=f"{assignment.mission.number} · {assignment.agent.identifier}",
        label=f"{assignment.agent.full_name} – {assignment.mission.mission_type.name}",
        detail=_("%(copies)s copies, %(state)s", copies=line.copies, state=line.state.label),
    )


def _change(line: Line, state: CorrectionState) -> Preview:
    preview = _label(line)
    changes = []
    if state.copies != line.copies:
        changes.append(_("copies: %(before)s → %(after)s", before=state.copies, after=line.copies))
    if state.state is not line.state:
        changes.append(
            _("state: %(before)s → %(after)s", before=state.state.label, after=line.state.label)
        )
    if state.session_label != line.session_label or state.wave != line.wave:
        changes.append(
            _(
                "session: %(before)s → %(after)s",
                before=f"{state.session_label} / {state.wave or '—'}",
                after=f"{line.session_label} / {line.wave or '—'}",
            )
        )
    return Preview(preview.key, preview.label, "; ".join(changes))


def _same(state: CorrectionState, line: Line) -> bool:
    return (state.copies, state.state, state.session_label, state.wave) == (
        line.copies,
        line.state,
        line.session_label,
        line.wave,
    )


# --- Comparing with the database --------------------------------------------------------------


def _states_of_people(session: Session, academy_id: int, agent_ids: list[int]):
    """The stored states of these people's missions in the académie (their groups)."""
    states: dict[int, CorrectionState] = {}
    for chunk in chunks(agent_ids):
        for state in session.scalars(
            select(CorrectionState)
            .join(CorrectionState.assignment)
            .join(Assignment.mission)
            .where(Assignment.agent_id.in_(chunk), Mission.academy_id == academy_id)
            .options(
                selectinload(CorrectionState.assignment)
                .selectinload(Assignment.claim)
                .selectinload(ExpenseClaim.fee_entries),
                selectinload(CorrectionState.assignment).selectinload(Assignment.mission),
            )
        ):
            states[state.assignment_id] = state
    return states


def _state_group(state: CorrectionState) -> tuple:
    return (state.assignment.agent_id, state.session_label.casefold(), state.wave)


def _groups(analysis: _Analysis) -> bool:
    """The claims to fill, group by group (one person, session and wave: the groups of
    the file's lines and those a line leaves); a group that would change a claim sent
    for payment is refused, all its lines (True: some were, group again without them)."""
    plan = analysis.plan
    analysis.fills = []
    by_assignment = {line.assignment.id: line for line in analysis.lines}
    left = {
        assignment_id: _state_group(state)
        for assignment_id, state in analysis.states.items()
        if assignment_id in by_assignment
    }
    touched = {line.group for line in analysis.lines} | set(left.values())
    members: dict[tuple, list] = defaultdict(list)  # group → [(assignment, copies)]
    labels: dict[tuple, str] = {}
    for assignment_id, state in analysis.states.items():
        if assignment_id in by_assignment:
            continue
        key = _state_group(state)
        if key in touched and automatic.is_automatic(state.assignment.mission.mission_type):
            members[key].append((state.assignment, state.copies))
            labels.setdefault(key, state.session_label)
    for line in analysis.lines:
        members[line.group].append((line.assignment, line.copies))
        labels[line.group] = line.session_label
    refused: set[int] = set()
    for key, group in members.items():
        label = labels[key]
        shares = automatic.shares(
            [
                automatic.Member(
                    a.id,
                    a.mission.number,
                    copies,
                    a.claim is not None and lifecycle.cancelled(a.claim),
                )
                for a, copies in group
            ],
            label,
            key[2],
        )
        fills = [
            (a.claim, shares[a.id])
            for a, _copies in group
            if a.claim is not None and automatic.differs(a.claim, shares[a.id])
        ]
        blocked = [claim for claim, _share in fills if automatic.exported(claim)]
        if blocked:
            claim = blocked[0]
            before = automatic.current(claim)
            for line in analysis.lines:
                if key in (line.group, left.get(line.assignment.id)):
                    refused.add(line.assignment.id)
                    plan.refuse(
                        line.number,
                        "copies",
                        line.copies,
                        _l(
                            "the expense claim of mission %(number)s was sent for payment"
                            " with %(before)s copies: it cannot receive %(after)s copies.",
                            number=claim.assignment.mission.number,
                            before=before.copies if before is not None else 0,
                            after=shares[claim.assignment_id].copies,
                        ),
                    )
            continue
        analysis.fills.extend(fills)
    analysis.lines = [line for line in analysis.lines if line.assignment.id not in refused]
    return bool(refused)


def _missing(session: Session, academy_id: int, plan: Plan, in_file: set[int]) -> None:
    for state in session.scalars(
        select(CorrectionState)
        .join(CorrectionState.assignment)
        .join(Assignment.mission)
        .where(Mission.academy_id == academy_id)
        .order_by(CorrectionState.id)
        .execution_options(yield_per=1000)
    ):
        if state.assignment_id not in in_file:
            plan.missing.add(
                lambda state=state: Preview(
                    key=f"{state.assignment.mission.number} · {state.assignment.agent.identifier}",
                    label=state.assignment.agent.full_name,
                    detail=_(
                        "%(copies)s copies, %(state)s", copies=state.copies, state=state.state.label
                    ),
                )
            )


def _analyse(session: Session, academy_id: int, rows: Iterable[tuple[int, dict[str, str]]]):
    plan = Plan(kind=KIND)
    rows = [
        (number, {name: (row.get(name) or "").strip() for name in COLUMNS + OPTIONAL})
        for number, row in rows
    ]
    analysis = _Analysis(plan, read_lines(session, academy_id, rows, plan))
    agent_ids = sorted({line.assignment.agent_id for line in analysis.lines})
    analysis.states = _states_of_people(session, academy_id, agent_ids)
    while _groups(analysis):
        pass
    for line in analysis.lines:
        state = analysis.states.get(line.assignment.id)
        if state is None:
            plan.new.add(lambda line=line: _label(line))
        elif _same(state, line):
            plan.unchanged.add(lambda line=line: _label(line))
        else:
            plan.changed.add(lambda line=line, state=state: _change(line, state))
    _missing(session, academy_id, plan, {line.assignment.id for line in analysis.lines})
    plan.notes.append(
        _l(
            "States that SANTORIN does not send again are kept as they are: SANTORIN sends"
            " only what changed."
        )
    )
    if analysis.fills:
        plan.notes.append(
            _l(
                "%(count)s expense claim(s) filled by SANTORIN will change (copies, regrouping"
                " comment).",
                count=len(analysis.fills),
            )
        )
    return analysis


# --- Writing ---------------------------------------------------------------------------------


def _write(
    session: Session, analysis: _Analysis, progress: Progress | None, by_user_id: int | None
) -> None:
    """The states, then the claims; flushed by batches (no flush per lazy load: the
    inserts and updates of a batch go together)."""
    total = len(analysis.lines) + len(analysis.fills)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if done % FLUSH_EVERY == 0:
            session.flush()
            if progress is not None:
                progress(done, total)

    now = clock.now()
    rates: dict[tuple, bareme.Rates] = {}
    fees: dict[ExpenseClaim, object] = {}
    with session.no_autoflush:
        for line in analysis.lines:
            state = analysis.states.get(line.assignment.id)
            if state is None:
                session.add(
                    CorrectionState(
                        assignment=line.assignment,
                        copies=line.copies,
                        state=line.state,
                        session_label=line.session_label,
                        wave=line.wave,
                        updated_at=now,
                    )
                )
            elif not _same(state, line):
                state.copies, state.state = line.copies, line.state
                state.session_label, state.wave = line.session_label, line.wave
                state.updated_at = now
            step()
        for claim, share in analysis.fills:
            mission = claim.assignment.mission
            key = (mission.academy_id, mission.first_day)
            if key not in rates:
                rates[key] = bareme.rates_of_mission(session, mission)
            fees[claim] = automatic.fill(
                session, claim, share, rates=rates[key], by_user_id=by_user_id
            )
            step()
    automatic.store_amounts(session, fees)
    session.flush()
    if progress is not None:
        progress(total, total)


def _run(
    session, academy_id, rows, *, write: bool, skip_refused: bool, progress, by_user_id=None
) -> Plan:
    analysis = _analyse(session, academy_id, rows)
    if write:
        if analysis.plan.has_refusals and not skip_refused:
            raise LinesRefused(analysis.plan)
        _write(session, analysis, progress, by_user_id)
    return analysis.plan


def plan(session: Session, academy_id: int, source: Source) -> Plan:
    """The dry run: what the file would change; writes nothing."""
    return _run(
        session,
        academy_id,
        csv_rows(source, COLUMNS, OPTIONAL),
        write=False,
        skip_refused=False,
        progress=None,
    )


def apply(
    session: Session,
    academy_id: int,
    source: Source,
    *,
    skip_refused: bool = False,
    progress: Progress | None = None,
    started_by_id: int | None = None,
) -> Plan:
    """The dry run's comparison, then the writes (states and claims), in the caller's
    unit of work; the claims' history names ``started_by_id``."""
    return _run(
        session,
        academy_id,
        csv_rows(source, COLUMNS, OPTIONAL),
        write=True,
        skip_refused=skip_refused,
        progress=progress,
        by_user_id=started_by_id,
    )


def apply_records(
    session: Session,
    academy_id: int,
    records: list[dict],
    *,
    skip_refused: bool = False,
    started_by_id: int | None = None,
) -> Plan:
    """``apply`` for records pushed by SANTORIN through the REST API: dicts with the
    file's columns as keys (numbers may be ints); a record's "line" is its position in
    the list, from 1."""
    rows = [
        (
            index,
            {
                name: "" if record.get(name) is None else str(record.get(name))
                for name in COLUMNS + OPTIONAL
            },
        )
        for index, record in enumerate(records, start=1)
    ]
    return _run(
        session,
        academy_id,
        rows,
        write=True,
        skip_refused=skip_refused,
        progress=None,
        by_user_id=started_by_id,
    )


IMPORTER = register(
    Importer(
        kind=KIND,
        title=_l("Corrections (SANTORIN)"),
        description=_l(
            "Per mission and corrector: copies corrected and correction state, with the session"
            " and the wave. Fills the expense claims of the dematerialised corrections (read-only"
            " copies, grouped per session and wave)."
        ),
        extensions=(".csv",),
        columns=COLUMNS,
        optional=OPTIONAL,
        plan=plan,
        apply=apply,
    )
)
