"""The managers' dashboard: the state of the académie's claims at a glance.

Every figure comes from one aggregate query, one pass over the académie's claims
grouped by session and by the pair of statuses (a few hundred groups): the figures of
one session, the bars of each part, the amounts per exam and the table of sessions are
sums of those groups. The page costs one query whatever the session chosen, with 200
or 200,000 claims."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.services.claims.academy import waiting_for_manager, without_amount
from models import Assignment, Exam, ExamSession, ExpenseClaim, Mission
from models.enums import ClaimStatus

ZERO = Decimal("0.00")


@dataclass
class Bar:
    label: str
    value: Decimal | int
    url: str | None = None


@dataclass
class Headline:
    total: int
    waiting: int
    to_export: int
    not_done: int
    fee_total: Decimal
    travel_total: Decimal
    # Claims validated (or beyond) with a part whose amount is not known (its barème
    # lacks lines, or the manager has yet to price the fee): not in the totals.
    without_amount: int = 0


@dataclass
class ExamAmounts:
    exam: str
    fee: Decimal
    travel: Decimal

    @property
    def total(self) -> Decimal:
        return self.fee + self.travel


@dataclass
class SessionRow:
    session_id: int
    label: str
    total: int
    waiting: int
    accepted: int
    sent: int


@dataclass
class Dashboard:
    """Everything the page shows: the table of sessions (always the whole académie),
    and for the session chosen (or all): the figures, the claims per stored status of
    each part, the amounts per exam."""

    sessions: list[SessionRow]
    session_id: int | None
    headline: Headline
    fee_counts: dict[ClaimStatus, int]
    travel_counts: dict[ClaimStatus, int]
    exams: list[ExamAmounts]


def _either(status: ClaimStatus):
    return (ExpenseClaim.fee_status == status) | (ExpenseClaim.travel_status == status)


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _groups(session: Session, academy_id: int):
    """The académie's claims grouped by session and statuses, with what each figure
    adds up: one pass, grouped on keys only (a hash of a few hundred groups), then
    named from the sessions and exams."""
    groups = (
        select(
            Mission.session_id.label("session_id"),
            ExpenseClaim.fee_status,
            ExpenseClaim.travel_status,
            func.count().label("total"),
            _count(waiting_for_manager()).label("waiting"),
            _count(_either(ClaimStatus.ACCEPTED)).label("accepted"),
            # Waiting for the export: a part accepted (a part the finance office
            # rejected and the manager accepted again is in a batch already).
            _count(_either(ClaimStatus.ACCEPTED)).label("to_export"),
            _count(_either(ClaimStatus.SENT_FOR_PAYMENT)).label("sent"),
            _count(ExpenseClaim.not_done_declared_at.is_not(None)).label("not_done"),
            func.sum(ExpenseClaim.fee_amount).label("fee"),
            func.sum(ExpenseClaim.travel_amount).label("travel"),
            _count(without_amount()).label("missing"),
        )
        .select_from(ExpenseClaim)
        .join(Assignment, ExpenseClaim.assignment_id == Assignment.id)
        .join(Mission, Assignment.mission_id == Mission.id)
        .where(Mission.academy_id == academy_id)
        .group_by(Mission.session_id, ExpenseClaim.fee_status, ExpenseClaim.travel_status)
        .subquery()
    )
    return session.execute(
        select(
            ExamSession.id,
            Exam.code,
            Exam.name,
            ExamSession.name,
            ExamSession.year,
            groups.c.fee_status,
            groups.c.travel_status,
            groups.c.total,
            groups.c.waiting,
            groups.c.accepted,
            groups.c.to_export,
            groups.c.sent,
            groups.c.not_done,
            groups.c.fee,
            groups.c.travel,
            groups.c.missing,
        )
        .join(ExamSession, ExamSession.id == groups.c.session_id)
        .join(Exam, ExamSession.exam_id == Exam.id)
    ).all()


def dashboard(session: Session, academy_id: int, session_id: int | None) -> Dashboard:
    """The dashboard of the académie, for one session or all (``session_id`` of a
    session without claims in the académie means all)."""
    groups = _groups(session, academy_id)
    sessions: dict[int, SessionRow] = {}
    years: dict[int, tuple] = {}
    for sid, code, _exam, name, year, _fee, _travel, total, waiting, accepted, *rest in groups:
        row = sessions.setdefault(sid, SessionRow(sid, f"{code} — {name}", 0, 0, 0, 0))
        row.total += total
        row.waiting += int(waiting)
        row.accepted += int(accepted)
        row.sent += int(rest[1])
        years[sid] = (-year, code, name)
    if session_id not in sessions:
        session_id = None
    chosen = [g for g in groups if session_id is None or g[0] == session_id]
    fee_counts: dict[ClaimStatus, int] = defaultdict(int)
    travel_counts: dict[ClaimStatus, int] = defaultdict(int)
    exams: dict[str, list[Decimal]] = {}
    head = Headline(0, 0, 0, 0, ZERO, ZERO, 0)
    for group in chosen:
        (_sid, _code, exam, _name, _year, fee, travel, total, waiting) = group[:9]
        to_export, not_done, fee_sum, travel_sum, missing = group[10], *group[12:]
        fee_counts[fee] += total
        travel_counts[travel] += total
        head.total += total
        head.waiting += int(waiting)
        head.to_export += int(to_export)
        head.not_done += int(not_done)
        head.without_amount += int(missing)
        amounts = exams.setdefault(exam, [ZERO, ZERO])
        amounts[0] += Decimal(fee_sum or 0)
        amounts[1] += Decimal(travel_sum or 0)
    head.fee_total = sum((a[0] for a in exams.values()), ZERO).quantize(ZERO)
    head.travel_total = sum((a[1] for a in exams.values()), ZERO).quantize(ZERO)
    by_exam = [
        ExamAmounts(name, fee.quantize(ZERO), travel.quantize(ZERO))
        for name, (fee, travel) in exams.items()
    ]
    return Dashboard(
        sessions=sorted(sessions.values(), key=lambda row: years[row.session_id]),
        session_id=session_id,
        headline=head,
        fee_counts=dict(fee_counts),
        travel_counts=dict(travel_counts),
        exams=sorted(
            (item for item in by_exam if item.total), key=lambda item: (-item.total, item.exam)
        ),
    )
