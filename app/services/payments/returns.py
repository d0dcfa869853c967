"""The finance office's answer to the payment files (fichier retour): per dossier and
nature, paid on a date or rejected with a reason.

A paid part stays "Transmis à la liquidation" and gets its payment date (the agent
reads "Payé le 12/07/2027" in Suivi). A rejected part comes back to the manager,
"Traité par le gestionnaire", with the reason: the manager completes what is wrong
and accepts it again, and the next export takes it.

A file is taken whole or not at all: one unknown or duplicate dossier, or one wrong
line, refuses it, with the list of the lines (number, value, reason). Importing the
same file again changes nothing (a part already paid on that date, or already
rejected for that reason, is left as it is).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.orm import Session

from app.services import DomainError
from app.services.common import clock
from app.services.payments.export import CHUNK, NATURE, PART_OF_NATURE, among
from models import Assignment, ClaimStatusHistory, ExpenseClaim, Mission
from models.enums import ClaimPart, ClaimStatus

COLUMNS = ("numero_dossier", "nature", "resultat", "date_paiement", "motif_rejet")
PAID, REJECTED = "PAYE", "REJETE"
MAX_BYTES = 5 * 1024 * 1024  # about 80,000 lines
MAX_REASON = 255
MAX_LISTED = 200  # the errors listed on the page (the count says the rest)
# Above this many lines, the file is imported by a job ("Traitements en cours").
JOB_LINES = 2000
PREFIX = {ClaimPart.FEE: "fee", ClaimPart.TRAVEL: "travel"}
CLAIM = ExpenseClaim.__table__


@dataclass(frozen=True)
class LineError:
    line: int
    value: str
    reason: object

    def __str__(self) -> str:
        return str(_l("Line %(line)s: « %(value)s »: %(reason)s", **self.__dict__))


class ReturnFileRefused(DomainError):
    """The whole file is refused: ``errors`` lists its wrong lines."""

    def __init__(self, errors: list[LineError]):
        super().__init__(
            _l(
                "The return file is refused, nothing was recorded: %(count)s line(s) in error.",
                count=len(errors),
            )
        )
        self.errors = errors

    def full_text(self) -> str:
        """The refusal and its first ``MAX_LISTED`` lines, one a line (a job's message)."""
        lines = [str(self.message), *(str(error) for error in self.errors[:MAX_LISTED])]
        if len(self.errors) > MAX_LISTED:
            lines.append(str(_l("… and %(count)s more.", count=len(self.errors) - MAX_LISTED)))
        return "\n".join(lines)


def needs_job(data: bytes) -> bool:
    """A file of more than ``JOB_LINES`` lines is imported by a job (one too large is
    refused at once)."""
    return len(data) <= MAX_BYTES and data.count(b"\n") > JOB_LINES


@dataclass
class ReturnResult:
    paid: int = 0
    rejected: int = 0
    unchanged: int = 0

    @property
    def message(self):
        return _l(
            "Return file recorded: %(paid)s part(s) paid, %(rejected)s rejected (back with"
            " the manager), %(unchanged)s already recorded.",
            paid=self.paid,
            rejected=self.rejected,
            unchanged=self.unchanged,
        )


@dataclass
class _Line:
    line: int
    number: str
    part: ClaimPart
    paid_on: dt.date | None = None
    reason: str | None = None


@dataclass
class _Reading:
    lines: list[_Line] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


def _date(value: str) -> dt.date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _read(data: bytes) -> _Reading:
    """The lines of the file, each checked alone (format, duplicates)."""
    reading = _Reading()
    if not data.strip():
        raise ReturnFileRefused([LineError(1, "", _l("the file is empty."))])
    if len(data) > MAX_BYTES:
        raise DomainError(_l("The return file is too large (5 MB at most): split it."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReturnFileRefused(
            [LineError(1, "", _l("the file is not UTF-8 text (save it as CSV UTF-8)."))]
        ) from None
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = [cell.strip().lower() for cell in next(rows, [])]
    if tuple(header) != COLUMNS:
        raise ReturnFileRefused(
            [
                LineError(
                    1,
                    ";".join(header)[:120],
                    _l("the first line must be « %(columns)s ».", columns=";".join(COLUMNS)),
                )
            ]
        )
    seen: dict[tuple[str, ClaimPart], int] = {}
    today = clock.today()
    for index, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            reading.errors.append(
                LineError(
                    index,
                    ";".join(row)[:120],
                    _l("%(count)s columns expected, separated by « ; ».", count=len(COLUMNS)),
                )
            )
            continue
        number, nature, result, paid_on, reason = (cell.strip() for cell in row)
        error = _line_error(number, nature.upper(), result.upper(), paid_on, reason, today)
        if error:
            reading.errors.append(LineError(index, error[0], error[1]))
            continue
        part = PART_OF_NATURE[nature.upper()]
        key = (number, part)
        if key in seen:
            reading.errors.append(
                LineError(
                    index,
                    f"{number} {nature.upper()}",
                    _l("duplicate dossier (already on line %(line)s).", line=seen[key]),
                )
            )
            continue
        seen[key] = index
        if result.upper() == PAID:
            reading.lines.append(_Line(index, number, part, paid_on=_date(paid_on)))
        else:
            reading.lines.append(_Line(index, number, part, reason=reason))
    if not reading.lines and not reading.errors:
        reading.errors.append(LineError(2, "", _l("the file has no line after its header.")))
    return reading


def _line_error(number, nature, result, paid_on, reason, today):
    """(value, reason) of what is wrong in a line, or None."""
    if not number or len(number) > 20:
        return number, _l("dossier number missing or too long.")
    if nature not in PART_OF_NATURE:
        return nature, _l("unknown nature (REMUNERATION or DEPLACEMENT expected).")
    if result not in (PAID, REJECTED):
        return result, _l("unknown result (PAYE or REJETE expected).")
    if result == PAID:
        day = _date(paid_on)
        if day is None:
            return paid_on, _l("payment date missing or wrong (DD/MM/YYYY expected).")
        if day > today:
            return paid_on, _l("the payment date is in the future.")
    elif not reason:
        return number, _l("the reason of the rejection is missing.")
    elif len(reason) > MAX_REASON:
        return reason[:40] + "…", _l("the reason is too long (255 characters at most).")
    return None


def import_return(
    session: Session, academy_id: int, data: bytes, *, by_user_id: int | None
) -> ReturnResult:
    """Record the finance office's answer ``data`` (the CSV file, see the README) for
    the académie's claims; ``ReturnFileRefused`` with the list of the wrong lines,
    and nothing written, when one line is wrong."""
    reading = _read(data)
    states = _states(session, academy_id, {line.number for line in reading.lines})
    errors = list(reading.errors)
    paid: list[_Line] = []
    rejected: list[tuple[_Line, int]] = []
    result = ReturnResult()
    for line in reading.lines:
        state = states.get(line.number)
        if state is None:
            errors.append(LineError(line.line, line.number, _l("unknown dossier.")))
            continue
        status, paid_on, rejection = state[line.part]
        if line.paid_on is not None:
            if status is ClaimStatus.SENT_FOR_PAYMENT and paid_on == line.paid_on:
                result.unchanged += 1
            elif status is ClaimStatus.SENT_FOR_PAYMENT and paid_on is None:
                paid.append(line)
            elif status is ClaimStatus.SENT_FOR_PAYMENT:
                errors.append(
                    LineError(
                        line.line,
                        line.number,
                        _l("already paid on %(day)s.", day=paid_on.strftime("%d/%m/%Y")),
                    )
                )
            else:
                errors.append(LineError(line.line, line.number, _not_sent(line.part)))
        elif rejection == line.reason and status is not ClaimStatus.SENT_FOR_PAYMENT:
            result.unchanged += 1
        elif status is ClaimStatus.SENT_FOR_PAYMENT and paid_on is None:
            rejected.append((line, state["id"]))
        elif status is ClaimStatus.SENT_FOR_PAYMENT:
            errors.append(
                LineError(
                    line.line,
                    line.number,
                    _l("already paid on %(day)s.", day=paid_on.strftime("%d/%m/%Y")),
                )
            )
        else:
            errors.append(LineError(line.line, line.number, _not_sent(line.part)))
    if errors:
        raise ReturnFileRefused(sorted(errors, key=lambda error: error.line))
    _record_paid(session, paid, states)
    _record_rejected(session, rejected, by_user_id)
    session.expire_all()
    result.paid, result.rejected = len(paid), len(rejected)
    return result


def _not_sent(part: ClaimPart):
    return _l("its %(nature)s part was not sent for payment.", nature=NATURE[part])


def _states(session: Session, academy_id: int, numbers: set[str]) -> dict[str, dict]:
    """Per dossier number of the académie: its id and, per part, (status, paid on,
    rejection)."""
    states: dict[str, dict] = {}
    wanted = sorted(numbers)
    for start in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(
                CLAIM.c.id,
                CLAIM.c.number,
                CLAIM.c.fee_status,
                CLAIM.c.travel_status,
                CLAIM.c.fee_paid_on,
                CLAIM.c.travel_paid_on,
                CLAIM.c.fee_payment_rejection,
                CLAIM.c.travel_payment_rejection,
            )
            .select_from(CLAIM)
            .join(Assignment, Assignment.id == CLAIM.c.assignment_id)
            .join(Mission, Mission.id == Assignment.mission_id)
            .where(
                among(session, CLAIM.c.number, wanted[start : start + CHUNK]),
                Mission.academy_id == academy_id,
            )
        )
        for row in rows:
            states[row.number] = {
                "id": row.id,
                ClaimPart.FEE: (row.fee_status, row.fee_paid_on, row.fee_payment_rejection),
                ClaimPart.TRAVEL: (
                    row.travel_status,
                    row.travel_paid_on,
                    row.travel_payment_rejection,
                ),
            }
    return states


def _record_paid(session: Session, lines: list[_Line], states: dict) -> None:
    """One ``UPDATE`` per part, payment date and chunk of claims."""
    groups: dict[tuple[ClaimPart, dt.date], list[int]] = {}
    for line in lines:
        groups.setdefault((line.part, line.paid_on), []).append(states[line.number]["id"])
    for (part, paid_on), ids in groups.items():
        for start in range(0, len(ids), CHUNK):
            session.execute(
                update(CLAIM)
                .where(among(session, CLAIM.c.id, ids[start : start + CHUNK]))
                .values({CLAIM.c[f"{PREFIX[part]}_paid_on"]: paid_on})
            )


def _record_rejected(session: Session, lines: list[tuple[_Line, int]], by_user_id) -> None:
    """The rejected parts back to "Traité par le gestionnaire" with their reason, each
    with its history row."""
    if not lines:
        return
    now = clock.now()
    comment = _l("Rejected by the finance office: %(reason)s")
    session.execute(
        insert(ClaimStatusHistory),
        [
            {
                "claim_id": claim_id,
                "part": line.part,
                "from_status": ClaimStatus.SENT_FOR_PAYMENT,
                "to_status": ClaimStatus.PROCESSED_BY_MANAGER,
                "at": now,
                "by_id": by_user_id,
                "comment": str(comment) % {"reason": line.reason},
            }
            for line, claim_id in lines
        ],
    )
    for part, prefix in PREFIX.items():
        params = [
            {"claim_id": claim_id, "reason": line.reason}
            for line, claim_id in lines
            if line.part is part
        ]
        if params:
            status = CLAIM.c[f"{prefix}_status"]
            session.execute(
                update(CLAIM)
                .where(
                    and_(
                        CLAIM.c.id == bindparam("claim_id"),
                        status == ClaimStatus.SENT_FOR_PAYMENT,
                    )
                )
                .values(
                    {
                        status: ClaimStatus.PROCESSED_BY_MANAGER,
                        CLAIM.c[f"{prefix}_payment_rejection"]: bindparam("reason"),
                        CLAIM.c.version: CLAIM.c.version + 1,
                    }
                ),
                params,
                execution_options={"synchronize_session": False},
            )
