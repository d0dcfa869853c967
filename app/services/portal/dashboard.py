"""The managers' dashboard: the state of the académie's claims at a glance.

Every figure comes from the claims grouped by académie, session and pair of statuses
(a few hundred groups), which the database keeps up to date in the transaction that
writes a claim (``ClaimSummary``, migration 0015): the figures of one session, the bars
of each part, the amounts per exam and the table of sessions are sums of those groups.
The page costs one query on a few hundred rows whatever the session chosen, with 200 or
200,000 claims."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.claims.academy import WAITING_STATUSES
from models import ClaimSummary, Exam, ExamSession
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


def _groups(session: Session, academy_id: int) -> list[tuple]:
    """The académie's claims grouped by session and statuses, with what each figure
    adds up, read from the summary the database keeps (``ClaimSummary``, a few hundred
    rows), then named from the sessions and exams. A claim waits for the manager when
    a part is in a waiting status, or (``rejected``) a part came back from the finance
    office; it is accepted, to export or sent when a part is."""
    rows = session.execute(
        select(
            ExamSession.id,
            Exam.code,
            Exam.name,
            ExamSession.name,
            ExamSession.year,
            ClaimSummary.fee_status,
            ClaimSummary.travel_status,
            ClaimSummary.total,
            ClaimSummary.rejected,
            ClaimSummary.not_done,
            ClaimSummary.fee_amount,
            ClaimSummary.travel_amount,
            ClaimSummary.missing,
        )
        .join(ExamSession, ExamSession.id == ClaimSummary.session_id)
        .join(Exam, ExamSession.exam_id == Exam.id)
        .where(ClaimSummary.academy_id == academy_id, ClaimSummary.total != 0)
    ).all()
    groups = []
    for sid, code, exam, name, year, fee, travel, total, rejected, *rest in rows:
        parts = (fee, travel)
        waiting = total if any(s in WAITING_STATUSES for s in parts) else rejected
        accepted = total if ClaimStatus.ACCEPTED in parts else 0
        sent = total if ClaimStatus.SENT_FOR_PAYMENT in parts else 0
        not_done, fee_sum, travel_sum, missing = rest
        groups.append(
            (sid, code, exam, name, year, fee, travel, total, waiting, accepted, accepted)
            + (sent, not_done, fee_sum, travel_sum, missing)
        )
    return groups


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
