"""The teacher's side of the Enquête DCS: who it concerns, when it is open, the six
steps and « Valider mes réponses ».

Rules
-----
* The survey concerns the agents flagged « enseignant DCS » of an académie whose
  survey is open: from its opening date to its closing date, both included (dates set
  by a manager in the académie settings).
* Each step is saved when the teacher leaves it (« Etape Précédente », « Etape
  Suivante »); a step with an error is not saved and comes back with the teacher's
  input and a message next to each wrong field.
* « Valider mes réponses » saves step 6 and says the teacher has finished; it needs
  steps 1 to 4 answered. While the survey is open every answer may still be changed
  (the validation stays, with the date of the last change); once closed, nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.services import DomainError
from app.services.common import clock
from models import AcademySettings, Agent, DcsAnswer, DcsChoice, Establishment
from models.enums import DcsAnswerState, DcsPart, DcsSituation

from . import papers

STEPS = (
    (1, _l("Activity")),
    (2, _l("Workplaces")),
    (3, _l("Teachings")),
    (4, _l("VAE")),
    (5, _l("DSCG or DCG written papers")),
    (6, _l("DSCG or DCG oral papers")),
)
LAST = len(STEPS)
PART_OF_STEP = {3: DcsPart.TEACHING, 5: DcsPart.WRITTEN, 6: DcsPart.ORAL}
LENGTHS = {"situation_detail": 200, "establishments": 1000, "vae_comment": 300, "oral_places": 200}
UAI = re.compile(r"^[0-9]{7}[A-Z]$")


class InvalidAnswers(DomainError):
    """A step refused: ``errors`` maps each wrong field to its French message."""

    def __init__(self, errors: dict[str, object]):
        super().__init__(_l("Some answers are not valid: see the messages next to them."))
        self.errors = errors


# --- When and for whom ------------------------------------------------------------------


def window(session: Session, academy_id: int) -> tuple[dt.date | None, dt.date | None]:
    settings = session.scalar(
        select(AcademySettings).where(AcademySettings.academy_id == academy_id)
    )
    if settings is None:
        return None, None
    return settings.dcs_survey_opens_on, settings.dcs_survey_closes_on


def is_open(session: Session, academy_id: int, today: dt.date | None = None) -> bool:
    opens, closes = window(session, academy_id)
    today = today or clock.today()
    return opens is not None and closes is not None and opens <= today <= closes


def concerns(session: Session, agent: Agent) -> bool:
    """The audience « dcs » (app.services.portal.audience): a DCS teacher while the
    survey of their académie is open."""
    return agent.dcs_teacher and is_open(session, agent.academy_id)


def dates_error(opens: dt.date | None, closes: dt.date | None):
    """The manager's settings: both dates or neither, the closing not before the
    opening."""
    if (opens is None) != (closes is None):
        return _l("Give both the opening and the closing date of the DCS survey, or neither.")
    if opens is not None and closes < opens:
        return _l("The DCS survey cannot close before it opens.")
    return None


# --- The teacher's answers --------------------------------------------------------------


def answer_of(session: Session, agent: Agent) -> DcsAnswer:
    """The teacher's answers (a new, unsaved record before the first step is saved)."""
    answer = session.scalar(
        select(DcsAnswer)
        .options(selectinload(DcsAnswer.choices).selectinload(DcsChoice.paper))
        .where(DcsAnswer.agent_id == agent.id)
    )
    if answer is None:
        answer = DcsAnswer(agent=agent, step=1, choices=[])
    return answer


def state(answer: DcsAnswer | None) -> DcsAnswerState:
    if answer is None or answer.id is None:
        return DcsAnswerState.NOT_STARTED
    if answer.validated_at is not None:
        return DcsAnswerState.VALIDATED
    return DcsAnswerState.IN_PROGRESS


def missing_step(answer: DcsAnswer) -> int | None:
    """The first of steps 1 to 4 still unanswered (the validation needs them)."""
    if answer.situation is None:
        return 1
    if not answer.establishments:
        return 2
    if not papers.chosen_ids(answer, DcsPart.TEACHING):
        return 3
    if answer.vae_available is None:
        return 4
    return None


def uai_codes(text: str | None) -> list[str]:
    return [code for code in re.split(r"[\s,;]+", (text or "").upper()) if code]


def _check_establishments(session: Session, text: str | None) -> tuple[str | None, object]:
    codes = list(dict.fromkeys(uai_codes(text)))
    if not codes:
        return None, _l("Give the code of at least one establishment (e.g. 0350024L).")
    wrong = [code for code in codes if not UAI.match(code)]
    if not wrong:
        known = set(session.scalars(select(Establishment.uai).where(Establishment.uai.in_(codes))))
        wrong = [code for code in codes if code not in known]
    if wrong:
        return None, _l("Unknown establishment code: %(codes)s.", codes=", ".join(wrong))
    return "\n".join(codes), None


def _check_papers(
    session: Session, step: int, paper_ids: list[int], complete: bool
) -> tuple[set[int], object]:
    offered = {paper.id for paper in papers.offered(session, PART_OF_STEP[step])}
    chosen = set(paper_ids)
    if not chosen <= offered:
        return set(), _l("Choose the papers from the list.")
    if step == 3 and not chosen and complete:
        return set(), _l("Tick at least one teaching unit.")
    return chosen, None


def may_edit(session: Session, agent: Agent) -> bool:
    return concerns(session, agent)


def _require_open(session: Session, agent: Agent) -> None:
    if not may_edit(session, agent):
        raise DomainError(_l("The DCS survey is closed: your answers can no longer be changed."))


def save_step(
    session: Session, agent: Agent, step: int, data: dict, *, complete: bool = True
) -> DcsAnswer:
    """Save one step's answers (``data``: the fields of the step, already parsed).
    ``complete=False`` (« Etape Précédente »): an answer still missing is not an
    error, a wrong one is."""
    _require_open(session, agent)
    answer = answer_of(session, agent)
    errors: dict[str, object] = {}
    values: dict[str, object] = {}
    chosen: set[int] | None = None
    if step == 1:
        situation = data.get("situation")
        detail = (data.get("situation_detail") or "").strip() or None
        if not isinstance(situation, DcsSituation):
            situation = None
            if complete:
                errors["situation"] = _l("Choose your current situation.")
        elif situation is DcsSituation.OTHER and not detail and complete:
            errors["situation_detail"] = _l("Say what your situation is.")
        values = {"situation": situation, "situation_detail": detail}
    elif step == 2:
        codes, error = _check_establishments(session, data.get("establishments"))
        if error and (complete or uai_codes(data.get("establishments"))):
            errors["establishments"] = error
        values = {"establishments": codes}
    elif step == 4:
        if data.get("vae_available") not in (True, False) and complete:
            errors["vae_available"] = _l("Say whether you are available as a VAE examiner.")
        values = {
            "vae_available": data.get("vae_available"),
            "vae_comment": (data.get("vae_comment") or "").strip() or None,
        }
    elif step in PART_OF_STEP:
        chosen, error = _check_papers(session, step, data.get("papers") or [], complete)
        if error:
            errors["papers"] = error
        if step == 6:
            values = {"oral_places": (data.get("oral_places") or "").strip() or None}
    else:
        raise DomainError(_l("This step does not exist."))
    for name, limit in LENGTHS.items():
        if len(data.get(name) or "") > limit:
            errors[name] = _l("%(max)s characters at most.", max=limit)
    if errors:
        raise InvalidAnswers(errors)
    for name, value in values.items():
        setattr(answer, name, value)
    if answer.id is None:
        session.add(answer)
        session.flush()
    if chosen is not None:
        papers.choose(session, answer, PART_OF_STEP[step], chosen)
    answer.step = max(answer.step or 1, step)
    answer.updated_at = clock.now()
    session.flush()
    return answer


def validate(session: Session, agent: Agent, data: dict) -> DcsAnswer:
    """« Valider mes réponses »: save step 6, then say the teacher has finished."""
    answer = save_step(session, agent, LAST, data)
    missing = missing_step(answer)
    if missing is not None:
        raise DomainError(
            _l(
                "Answer step %(number)s « %(label)s » before confirming your answers.",
                number=missing,
                label=dict(STEPS)[missing],
            )
        )
    answer.validated_at = clock.now()
    session.flush()
    return answer


# --- What a step's page shows -----------------------------------------------------------


@dataclass(frozen=True)
class StepLink:
    number: int
    label: object
    current: bool


@dataclass
class StepPage:
    step: int
    label: object
    steps: list[StepLink]
    answer: DcsAnswer
    state: DcsAnswerState
    may_edit: bool
    has_previous: bool
    is_last: bool
    # Steps 3, 5 and 6: the papers offered, and which are ticked.
    papers: list = field(default_factory=list)
    chosen: set[int] = field(default_factory=set)
    # Step 2: the establishments the portal knows for the teacher (a reminder).
    known_establishments: list[str] = field(default_factory=list)


def step_page(session: Session, agent: Agent, step: int) -> StepPage:
    if not 1 <= step <= LAST:
        raise DomainError(_l("This step does not exist."))
    answer = answer_of(session, agent)
    page = StepPage(
        step=step,
        label=dict(STEPS)[step],
        steps=[StepLink(number, label, number == step) for number, label in STEPS],
        answer=answer,
        state=state(answer),
        may_edit=may_edit(session, agent),
        has_previous=step > 1,
        is_last=step == LAST,
    )
    if step in PART_OF_STEP:
        page.papers = papers.offered(session, PART_OF_STEP[step])
        page.chosen = papers.chosen_ids(answer, PART_OF_STEP[step])
    if step == 2:
        page.known_establishments = [
            f"{link.establishment.uai} {link.establishment.name}" for link in agent.establishments
        ]
    return page


def initial_establishments(agent: Agent) -> str:
    """Step 2's text before the teacher first saves it: the establishments the portal
    knows for them."""
    return "\n".join(link.establishment.uai for link in agent.establishments)
