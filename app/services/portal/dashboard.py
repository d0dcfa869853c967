"""The managers' dashboard: the state of the académie's claims at a glance. Every
figure is one aggregate query (GROUP BY), so the page costs the same with 200 or
200,000 claims."""

from __future__ import annotations

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


def _claims(academy_id: int, session_id: int | None):
    statement = (
        select()
        .select_from(ExpenseClaim)
        .join(Assignment, ExpenseClaim.assignment_id == Assignment.id)
        .join(Mission, Assignment.mission_id == Mission.id)
        .where(Mission.academy_id == academy_id)
    )
    if session_id:
        statement = statement.where(Mission.session_id == session_id)
    return statement


def status_counts(
    session: Session, academy_id: int, session_id: int | None, part: str
) -> dict[ClaimStatus, int]:
    """Claims per stored status of one part ("fee" or "travel")."""
    column = ExpenseClaim.fee_status if part == "fee" else ExpenseClaim.travel_status
    rows = session.execute(
        _claims(academy_id, session_id).add_columns(column, func.count()).group_by(column)
    )
    return {row[0]: row[1] for row in rows}


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


def headline(session: Session, academy_id: int, session_id: int | None) -> Headline:
    accepted = (ExpenseClaim.fee_status == ClaimStatus.ACCEPTED) | (
        ExpenseClaim.travel_status == ClaimStatus.ACCEPTED
    )
    row = session.execute(
        _claims(academy_id, session_id).add_columns(
            func.count(),
            func.sum(case((waiting_for_manager(), 1), else_=0)),
            # Waiting for the export: a part accepted (a part the finance office
            # rejected and the manager accepted again is in a batch already).
            func.sum(case((accepted, 1), else_=0)),
            func.sum(case((ExpenseClaim.not_done_declared_at.is_not(None), 1), else_=0)),
            func.sum(ExpenseClaim.fee_amount),
            func.sum(ExpenseClaim.travel_amount),
            func.sum(case((without_amount(), 1), else_=0)),
        )
    ).one()
    return Headline(
        total=row[0] or 0,
        waiting=int(row[1] or 0),
        to_export=int(row[2] or 0),
        not_done=int(row[3] or 0),
        fee_total=Decimal(row[4] or 0).quantize(ZERO),
        travel_total=Decimal(row[5] or 0).quantize(ZERO),
        without_amount=int(row[6] or 0),
    )


@dataclass
class ExamAmounts:
    exam: str
    fee: Decimal
    travel: Decimal

    @property
    def total(self) -> Decimal:
        return self.fee + self.travel


def amounts_by_exam(session: Session, academy_id: int, session_id: int | None) -> list[ExamAmounts]:
    """Stored amounts (validated claims and beyond) per exam, largest first."""
    rows = session.execute(
        _claims(academy_id, session_id)
        .join(ExamSession, Mission.session_id == ExamSession.id)
        .join(Exam, ExamSession.exam_id == Exam.id)
        .add_columns(
            Exam.name,
            func.sum(ExpenseClaim.fee_amount),
            func.sum(ExpenseClaim.travel_amount),
        )
        .group_by(Exam.name)
    )
    result = [
        ExamAmounts(name, Decimal(fee or 0).quantize(ZERO), Decimal(travel or 0).quantize(ZERO))
        for name, fee, travel in rows
    ]
    result = [item for item in result if item.total]
    return sorted(result, key=lambda item: (-item.total, item.exam))


@dataclass
class SessionRow:
    session_id: int
    label: str
    total: int
    waiting: int
    accepted: int
    sent: int


def by_session(session: Session, academy_id: int) -> list[SessionRow]:
    """Claims per exam session: how many, waiting for the manager, accepted, paid."""
    rows = session.execute(
        _claims(academy_id, None)
        .join(ExamSession, Mission.session_id == ExamSession.id)
        .join(Exam, ExamSession.exam_id == Exam.id)
        .add_columns(
            ExamSession.id,
            Exam.code,
            ExamSession.name,
            ExamSession.year,
            func.count(),
            func.sum(case((waiting_for_manager(), 1), else_=0)),
            func.sum(
                case(
                    (
                        (ExpenseClaim.fee_status == ClaimStatus.ACCEPTED)
                        | (ExpenseClaim.travel_status == ClaimStatus.ACCEPTED),
                        1,
                    ),
                    else_=0,
                )
            ),
            func.sum(
                case(
                    (
                        (ExpenseClaim.fee_status == ClaimStatus.SENT_FOR_PAYMENT)
                        | (ExpenseClaim.travel_status == ClaimStatus.SENT_FOR_PAYMENT),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .group_by(ExamSession.id, Exam.code, ExamSession.name, ExamSession.year)
        .order_by(ExamSession.year.desc(), Exam.code, ExamSession.name)
    )
    return [
        SessionRow(sid, f"{code} — {name}", total, int(w or 0), int(a or 0), int(s or 0))
        for sid, code, name, _year, total, w, a, s in rows
    ]
