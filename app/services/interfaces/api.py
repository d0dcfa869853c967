"""What the REST API reads and writes for a machine client of an académie: bounded
pages of the referential, the missions, the convocations, the claims and the payment
exports, each query scoped to the client's académie (``scope.academy_criterion``: a
record of another académie is ``NotFound``, as an unknown one); the writes go through
the portal's own services (the convocation rules, the return file, the corrections
import)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from app.services import DomainError
from app.services.claims import amounts, lifecycle
from app.services.common import clock, scope
from app.services.interfaces.corrections import correction_state
from app.services.interfaces.imports import corrections
from app.services.interfaces.imports.base import LinesRefused, Plan
from app.services.missions import convocation
from app.services.payments import export, returns
from models import (
    Agent,
    Assignment,
    CorrectionState,
    Establishment,
    Exam,
    ExamSession,
    ExpenseClaim,
    Mission,
    MissionType,
    Paper,
    PaymentBatch,
    Specialty,
)
from models.enums import AssignmentQuality, ClaimStatus

MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000
DEFAULT_PAGE_SIZE = 20
# The most lines one return request may carry (a larger file goes through the screen,
# which imports it as a job).
MAX_RETURN_LINES = returns.JOB_LINES
MAX_CONVOKED = 50

REFERENTIAL = {
    "exams": Exam,
    "specialties": Specialty,
    "papers": Paper,
    "sessions": ExamSession,
    "mission-types": MissionType,
    "establishments": Establishment,
}


@dataclass
class Page:
    items: list
    total: int
    page: int
    page_size: int

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total


def _scoped(model, academy_id: int, statement=None):
    statement = statement if statement is not None else select(model)
    criterion = scope.academy_criterion(model, academy_id)
    return statement if criterion is None else statement.where(criterion)


def paginate(session: Session, statement, page: int, page_size: int, *order) -> Page:
    """One page of ``statement`` (``page`` from 1), with the count of every row."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = list(
        session.scalars(
            statement.order_by(*order).limit(page_size).offset((page - 1) * page_size)
        ).unique()
    )
    return Page(items, total or 0, page, page_size)


# --- Referential ------------------------------------------------------------------------


def referential(session: Session, academy_id: int, kind: str, page: int, page_size: int) -> Page:
    """A page of the national referential (exams, papers…) or of the académie's
    establishments and exam centres."""
    model = REFERENTIAL[kind]
    return paginate(session, _scoped(model, academy_id), page, page_size, model.id)


# --- Missions and convocations ------------------------------------------------------------


def missions(
    session: Session, academy_id: int, page: int, page_size: int, *, session_id: int | None
) -> Page:
    statement = _scoped(Mission, academy_id).options(selectinload(Mission.slots))
    if session_id is not None:
        statement = statement.where(Mission.session_id == session_id)
    return paginate(session, statement, page, page_size, Mission.number, Mission.id)


def mission(session: Session, academy_id: int, mission_id: int) -> Mission:
    return scope.in_academy(session, Mission, academy_id, mission_id)


def assignments(
    session: Session, academy_id: int, page: int, page_size: int, *, mission_id: int | None
) -> Page:
    statement = _scoped(Assignment, academy_id).options(selectinload(Assignment.agent))
    if mission_id is not None:
        mission(session, academy_id, mission_id)  # NotFound outside the académie
        statement = statement.where(Assignment.mission_id == mission_id)
    return paginate(session, statement, page, page_size, Assignment.id)


def assignment(session: Session, academy_id: int, assignment_id: int) -> Assignment:
    return scope.in_academy(session, Assignment, academy_id, assignment_id)


def convoke(
    session: Session,
    academy_id: int,
    mission_id: int,
    agent_ids: list[int],
    *,
    quality: str | None,
    jury: str | None,
    by_user_id: int | None,
) -> list[Assignment]:
    """Convoke through the convocation rules (``missions.convocation.convoke``): the
    same refusals as on the manager's screen."""
    target = convocation.academy_mission(session, academy_id, mission_id)
    if len(agent_ids) > MAX_CONVOKED:
        raise DomainError(_l("%(max)s contributors at most at once.", max=MAX_CONVOKED))
    chosen = AssignmentQuality[quality] if quality else None
    return convocation.convoke(
        session, target, agent_ids, quality=chosen, jury=jury, by_user_id=by_user_id
    )


# --- One agent's missions (what a peer académie's portal reads) ---------------------------

NUMEN_MAX = 13


@dataclass
class AgentMission:
    """A convocation of the agent as Consultation missions and the access portal show
    it: the mission, its quality, and the correction state SANTORIN last sent."""

    assignment: Assignment
    correction: CorrectionState | None

    @property
    def mission(self) -> Mission:
        return self.assignment.mission

    @property
    def number(self) -> int:
        return self.mission.number

    @property
    def exam(self) -> str:
        return self.mission.session.exam.name

    @property
    def session(self) -> str:
        return self.mission.session.name

    @property
    def specialty(self) -> str | None:
        return self.mission.specialty.name if self.mission.specialty else None

    @property
    def paper(self) -> str | None:
        return self.mission.paper.name if self.mission.paper else None

    @property
    def mission_type(self) -> str:
        return self.mission.mission_type.name

    @property
    def first_day(self) -> dt.date | None:
        return self.mission.first_day

    @property
    def last_day(self) -> dt.date | None:
        return self.mission.last_day

    @property
    def centre(self) -> Establishment | None:
        return self.mission.centre

    @property
    def quality(self) -> AssignmentQuality | None:
        return self.assignment.quality

    @property
    def correction_state(self):
        return self.correction.state if self.correction else None


def agent_missions(
    session: Session, academy_id: int, numen: str, page: int, page_size: int
) -> Page:
    """The missions the agent of ``numen`` is convoked to in the académie (cancelled
    convocations left out), the latest first; an unknown numen has none (an agent of
    another académie's portal is not known here, or has no mission)."""
    numen = (numen or "").strip().upper()[:NUMEN_MAX]
    statement = (
        _scoped(Assignment, academy_id)
        .join(Assignment.agent)
        .join(Assignment.mission)
        .where(Agent.numen == numen, Assignment.cancelled_at.is_(None))
        .options(
            contains_eager(Assignment.mission).options(
                joinedload(Mission.session).joinedload(ExamSession.exam),
                joinedload(Mission.mission_type),
                joinedload(Mission.specialty),
                joinedload(Mission.paper),
                joinedload(Mission.centre),
            )
        )
    )
    found = paginate(
        session, statement, page, page_size, Mission.first_day.desc(), Mission.number, Assignment.id
    )
    states = correction_state(session, [item.id for item in found.items])
    found.items = [AgentMission(item, states.get(item.id)) for item in found.items]
    return found


# --- Claims -------------------------------------------------------------------------------


@dataclass
class ClaimState:
    """A claim as the API shows it: the statuses a user sees (from the mission dates)
    and, for one claim, the amounts the services compute."""

    claim: ExpenseClaim
    fee_status: ClaimStatus
    travel_status: ClaimStatus
    computed: amounts.ClaimAmounts | None = None

    @property
    def fee_computed(self) -> Decimal | None:
        return self.computed.fee.amount if self.computed else None

    @property
    def travel_computed(self) -> Decimal | None:
        return self.computed.travel.total if self.computed else None

    @property
    def incomplete_rates(self) -> bool | None:
        return self.computed.incomplete if self.computed else None


def _state(claim: ExpenseClaim, today: dt.date, computed=None) -> ClaimState:
    mission_ = claim.assignment.mission
    return ClaimState(
        claim,
        lifecycle.displayed_status(claim.fee_status, mission_.first_day, mission_.last_day, today),
        lifecycle.displayed_status(
            claim.travel_status, mission_.first_day, mission_.last_day, today
        ),
        computed,
    )


def claims(
    session: Session, academy_id: int, page: int, page_size: int, *, mission_id: int | None
) -> Page:
    statement = _scoped(ExpenseClaim, academy_id).options(
        selectinload(ExpenseClaim.assignment).selectinload(Assignment.mission)
    )
    if mission_id is not None:
        statement = statement.where(
            ExpenseClaim.assignment.has(Assignment.mission_id == mission_id)
        )
    found = paginate(session, statement, page, page_size, ExpenseClaim.id)
    today = clock.today()
    found.items = [_state(claim, today) for claim in found.items]
    return found


def claim(session: Session, academy_id: int, claim_id: int) -> ClaimState:
    record = scope.in_academy(session, ExpenseClaim, academy_id, claim_id)
    return _state(record, clock.today(), amounts.compute(session, record))


# --- Payments -----------------------------------------------------------------------------


def batches(session: Session, academy_id: int, page: int, page_size: int) -> Page:
    return paginate(
        session,
        _scoped(PaymentBatch, academy_id),
        page,
        page_size,
        PaymentBatch.number.desc(),
    )


def batch(session: Session, academy_id: int, batch_id: int) -> PaymentBatch:
    return export.academy_batch(session, academy_id, batch_id)


def batch_file(session: Session, academy_id: int, batch_id: int) -> tuple[str, str]:
    """(file name, CSV text) of a batch."""
    found = batch(session, academy_id, batch_id)
    content = export.batch_file(session, found)
    return found.file_name or f"paiements-{found.number}.csv", content


def return_lines(
    session: Session, academy_id: int, lines: list[dict], *, by_user_id: int | None
) -> returns.ReturnResult:
    """The finance office's return sent as lines (the columns of the return file):
    written as that file and recorded by ``payments.returns.import_return``, whole or
    not at all."""
    if len(lines) > MAX_RETURN_LINES:
        raise DomainError(_l("%(max)s lines at most in one request.", max=MAX_RETURN_LINES))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(returns.COLUMNS)
    for line in lines:
        writer.writerow([line.get(column) or "" for column in returns.COLUMNS])
    return returns.import_return(
        session, academy_id, buffer.getvalue().encode(), by_user_id=by_user_id
    )


# --- Corrections pushed by SANTORIN --------------------------------------------------------

MAX_CORRECTION_LINES = 2000


@dataclass(frozen=True)
class FieldRefusal:
    """A refused record of a request, named by its field (``lignes.3.copies``)."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


class CorrectionsRefused(DomainError):
    """Records refused: nothing was written; ``errors`` names each one's field."""

    def __init__(self, refused: LinesRefused):
        super().__init__(refused.message)
        self.errors = [
            FieldRefusal(f"lignes.{refusal.line - 1}.{refusal.column}", str(refusal.reason))
            for refusal in refused.plan.refusals
        ]


def push_corrections(
    session: Session,
    academy_id: int,
    lines: list[dict],
    *,
    skip_refused: bool = False,
    by_user_id: int | None = None,
) -> Plan:
    """SANTORIN's corrections sent as records (the columns of the corrections file):
    the same checks and writes as the import (``imports.corrections.apply_records``),
    all or nothing unless ``skip_refused``."""
    if len(lines) > MAX_CORRECTION_LINES:
        raise DomainError(_l("%(max)s lines at most in one request.", max=MAX_CORRECTION_LINES))
    try:
        return corrections.apply_records(
            session, academy_id, lines, skip_refused=skip_refused, started_by_id=by_user_id
        )
    except LinesRefused as refused:
        raise CorrectionsRefused(refused) from refused
