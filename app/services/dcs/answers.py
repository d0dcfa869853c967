"""The managers' side of the Enquête DCS: who answered (confirmed or not, when), one
teacher's answers, and every answer of the académie as a CSV file (formula-safe)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.services.common import formats, scope, spreadsheet
from models import Agent, DcsAnswer, DcsChoice
from models.enums import DcsAnswerState, DcsPart

from . import survey

JOB_KIND = "dcs_export"
JOB_TITLE = _l("Export of the DCS survey answers")


@dataclass(frozen=True)
class Row:
    agent: Agent
    answer: DcsAnswer | None
    state: DcsAnswerState


def _teachers(academy_id: int):
    """The académie's DCS teachers, and anyone who answered (a flag since removed)."""
    answered = select(DcsAnswer.agent_id)
    return (
        select(Agent)
        .where(
            Agent.academy_id == academy_id,
            or_(Agent.dcs_teacher.is_(True), Agent.id.in_(answered)),
        )
        .order_by(Agent.last_name, Agent.first_name, Agent.id)
    )


def rows(session: Session, academy_id: int) -> list[Row]:
    agents = list(session.scalars(_teachers(academy_id)))
    answers = {
        answer.agent_id: answer
        for answer in session.scalars(
            select(DcsAnswer)
            .options(selectinload(DcsAnswer.choices).selectinload(DcsChoice.paper))
            .where(DcsAnswer.agent_id.in_([a.id for a in agents] or [-1]))
        )
    }
    return [Row(a, answers.get(a.id), survey.state(answers.get(a.id))) for a in agents]


def count(session: Session, academy_id: int) -> int:
    return session.scalar(select(func.count()).select_from(_teachers(academy_id).subquery()))


def answer_for(session: Session, academy_id: int, agent_id: int) -> Row:
    """One agent's answers (none yet: ``answer`` is None), for a manager of their
    académie (another académie's agent: NotFound)."""
    agent = scope.in_academy(session, Agent, academy_id, agent_id)
    answer = session.scalar(
        select(DcsAnswer)
        .options(selectinload(DcsAnswer.choices).selectinload(DcsChoice.paper))
        .where(DcsAnswer.agent_id == agent.id)
    )
    return Row(agent, answer, survey.state(answer))


def papers_text(answer: DcsAnswer | None, part: DcsPart) -> str:
    if answer is None:
        return ""
    return ", ".join(
        f"{c.paper.specialty.exam.code} {c.paper.code}" for c in answer.choices if c.part is part
    )


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def csv_file(session: Session, academy_id: int, progress: Callable[[int, int], None]) -> bytes:
    """Every answer of the académie, one line per teacher."""
    found = rows(session, academy_id)
    progress(0, len(found))
    stream = io.StringIO()
    out = spreadsheet.writer(stream)
    out.writerow(
        [
            _("Identifier"),
            _("Name"),
            _("First name"),
            _("State"),
            _("Confirmed on"),
            _("Last change"),
            _("Current situation"),
            _("Details"),
            _("Workplaces"),
            _("Teaching units"),
            _("Available as a VAE examiner"),
            _("VAE comment"),
            _("Written papers"),
            _("Oral papers"),
            _("Where you wish to examine"),
        ]
    )
    for done, row in enumerate(found, start=1):
        answer = row.answer
        out.writerow(
            [
                row.agent.identifier,
                row.agent.last_name,
                row.agent.first_name,
                str(row.state.label),
                formats.moment(answer.validated_at) if answer else "",
                formats.moment(answer.updated_at) if answer else "",
                str(answer.situation.label) if answer and answer.situation else "",
                (answer.situation_detail or "") if answer else "",
                " ".join(survey.uai_codes(answer.establishments)) if answer else "",
                papers_text(answer, DcsPart.TEACHING),
                yes_no(answer.vae_available) if answer else "",
                (answer.vae_comment or "") if answer else "",
                papers_text(answer, DcsPart.WRITTEN),
                papers_text(answer, DcsPart.ORAL),
                (answer.oral_places or "") if answer else "",
            ]
        )
        progress(done, len(found))
    return ("\ufeff" + stream.getvalue()).encode("utf-8")
