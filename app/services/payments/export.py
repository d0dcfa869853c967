"""The payment export: the accepted parts of the académie's claims go into a numbered
payment batch, whose CSV file the finance office pays from; the batches and their files.

Set-based: the claims are taken, read and moved to "Transmis à la liquidation" by a
few SQL statements per chunk of claims (no ORM object per claim, no history row read),
the history rows are written by ``INSERT … SELECT``; only the agents are read once
each (their financial file is encrypted: it is decrypted in Python). All of it runs in
the caller's transaction (the job's unit of work): a batch is made whole or not at all,
and a retry after a crash makes the same batch again, with the same number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, any_, case, func, insert, literal, null, or_, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, joinedload, selectinload

from app.services import DomainError, NotFound
from app.services.claims import amounts, bareme, lifecycle
from app.services.common import clock, spreadsheet
from app.services.people import personal_data
from models import (
    Agent,
    Assignment,
    ClaimStatusHistory,
    ClaimSummary,
    Exam,
    ExamSession,
    ExpenseClaim,
    Mission,
    MissionType,
    PaymentBatch,
)
from models.enums import ClaimPart, ClaimStatus

# --- The file ---------------------------------------------------------------------------

CSV_COLUMNS = (
    "numero_lot",
    "numero_dossier",
    "nature",
    "imputation_budgetaire",
    "identifiant_agent",
    "nom",
    "prenom",
    "numero_insee",
    "iban",
    "bic",
    "montant",
    "montant_transport",
    "montant_frais_divers",
    "montant_repas",
    "montant_nuitees",
    "date_service_fait",
    "numero_mission",
    "type_mission",
    "examen",
    "session",
)
NATURE = {ClaimPart.FEE: "REMUNERATION", ClaimPart.TRAVEL: "DEPLACEMENT"}
PART_OF_NATURE = {code: part for part, code in NATURE.items()}
# Claims taken, read and written per round trip (the rows read at once stay bounded).
CHUNK = 5000
ZEROS = (Decimal("0.00"),) * 4  # a fee row's travel breakdown

CLAIM = ExpenseClaim.__table__
HISTORY = ClaimStatusHistory.__table__
NOTHING_TO_EXPORT = _l("There is no accepted expense claim to export.")


def among(session: Session, column, values: list):
    """``column IN values`` for a chunk of thousands of values: on PostgreSQL one
    array parameter (``= ANY(:values)``), which the driver does not have to parse value
    by value; elsewhere a plain ``IN``."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(list(values), postgresql.ARRAY(column.type)))
    return column.in_(values)


def _accepted():
    return or_(
        CLAIM.c.fee_status == ClaimStatus.ACCEPTED,
        CLAIM.c.travel_status == ClaimStatus.ACCEPTED,
    )


def exportable_statement(academy_id: int):
    """The académie's claims with a part accepted ("Validé par gestionnaire"): a part
    leaves that status when it is exported, so nothing is taken twice."""
    return (
        select(ExpenseClaim.id)
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        .where(
            Mission.academy_id == academy_id,
            or_(
                ExpenseClaim.fee_status == ClaimStatus.ACCEPTED,
                ExpenseClaim.travel_status == ClaimStatus.ACCEPTED,
            ),
        )
        .order_by(ExpenseClaim.number, ExpenseClaim.id)
    )


def exportable_count(session: Session, academy_id: int) -> int:
    """How many claims ``exportable_statement`` holds, read from the claims' summary
    the database keeps (``ClaimSummary``: a group has a part accepted or not): exact,
    without reading the claims (15 ms for 8,500 of 200,000)."""
    accepted = ClaimStatus.ACCEPTED
    return int(
        session.scalar(
            select(func.coalesce(func.sum(ClaimSummary.total), 0)).where(
                ClaimSummary.academy_id == academy_id,
                or_(ClaimSummary.fee_status == accepted, ClaimSummary.travel_status == accepted),
            )
        )
    )


@dataclass
class Payee:
    """What the file says of an agent (decrypted once per export)."""

    identifier: str
    last_name: str
    first_name: str
    insee_number: str | None
    iban: str | None
    bic: str | None
    financial_file_active: bool
    gaps: list = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"


def _payees(session: Session, agent_ids: Iterable[int], known: dict[int, Payee]) -> None:
    """Read the agents of ``agent_ids`` not read yet into ``known``."""
    wanted = sorted(set(agent_ids) - known.keys())
    table = Agent.__table__
    for start in range(0, len(wanted), CHUNK):
        for row in session.execute(
            select(
                table.c.id,
                table.c.numen,
                table.c.external_id,
                table.c.last_name,
                table.c.first_name,
                table.c.insee_number,
                table.c.iban,
                table.c.bic,
                table.c.financial_file_active,
            ).where(among(session, table.c.id, wanted[start : start + CHUNK]))
        ):
            payee = Payee(
                identifier=row.numen or row.external_id or "",
                last_name=row.last_name,
                first_name=row.first_name,
                insee_number=row.insee_number,
                iban=row.iban,
                bic=row.bic,
                financial_file_active=row.financial_file_active,
            )
            payee.gaps = personal_data.payment_gaps(payee)
            known[row.id] = payee


def _rows_statement(condition):
    """What the file needs of each claim matching ``condition``, in one query."""
    return (
        select(
            CLAIM.c.id,
            CLAIM.c.number,
            CLAIM.c.fee_status,
            CLAIM.c.travel_status,
            CLAIM.c.fee_amount,
            CLAIM.c.travel_amount,
            CLAIM.c.travel_transport,
            CLAIM.c.travel_misc,
            CLAIM.c.travel_meals,
            CLAIM.c.travel_nights,
            Assignment.agent_id,
            Assignment.service_done_on,
            Mission.number.label("mission_number"),
            MissionType.name.label("mission_type"),
            MissionType.fee_imputation,
            MissionType.travel_imputation,
            Exam.name.label("exam"),
            ExamSession.name.label("session"),
        )
        .select_from(CLAIM)
        .join(Assignment, Assignment.id == CLAIM.c.assignment_id)
        .join(Mission, Mission.id == Assignment.mission_id)
        .join(MissionType, MissionType.id == Mission.mission_type_id)
        .join(ExamSession, ExamSession.id == Mission.session_id)
        .join(Exam, Exam.id == ExamSession.exam_id)
        .where(condition)
        .order_by(CLAIM.c.number, CLAIM.c.id)
    )


@dataclass
class Totals:
    """The control totals of a file, per nature: rows and amount."""

    rows: dict = field(default_factory=lambda: dict.fromkeys(NATURE, 0))
    amounts: dict = field(default_factory=lambda: dict.fromkeys(NATURE, Decimal(0)))

    def add(self, part: ClaimPart, amount: Decimal) -> None:
        self.rows[part] += 1
        self.amounts[part] += amount


def _write(
    session: Session,
    writer,
    batch_number: int,
    rows,
    status: ClaimStatus,
    payees: dict[int, Payee],
    totals: Totals,
    *,
    check: bool,
) -> int:
    """Write a row per part in ``status`` of the claims ``rows`` (``_rows_statement``);
    refuse an unpayable one when ``check``. Returns the number of claims."""
    _payees(session, (row.agent_id for row in rows), payees)
    for row in rows:
        payee = payees[row.agent_id]
        stored = {ClaimPart.FEE: row.fee_status, ClaimPart.TRAVEL: row.travel_status}
        parts = [part for part in NATURE if stored[part] is status]
        figures = {
            ClaimPart.FEE: row.fee_amount,
            ClaimPart.TRAVEL: row.travel_amount,
        }
        if check:
            _check_payable(session, row, parts, figures, payee)
        travel = [row.travel_transport, row.travel_misc, row.travel_meals, row.travel_nights]
        if row.travel_transport is None:  # accepted before the breakdown was stored
            travel = ["", "", "", ""]
        for part in parts:
            amount = bareme.money(figures[part] or Decimal(0))
            totals.add(part, amount)
            writer.writerow(
                [
                    batch_number,
                    row.number or "",
                    NATURE[part],
                    row.fee_imputation if part is ClaimPart.FEE else row.travel_imputation,
                    payee.identifier,
                    payee.last_name,
                    payee.first_name,
                    payee.insee_number or "",
                    payee.iban or "",
                    payee.bic or "",
                    amount,
                    *(travel if part is ClaimPart.TRAVEL else ZEROS),
                    row.service_done_on.isoformat() if row.service_done_on else "",
                    row.mission_number,
                    row.mission_type,
                    row.exam,
                    row.session,
                ]
            )
    return len(rows)


def _check_payable(session: Session, row, parts, figures, payee: Payee) -> None:
    """An amount never goes to payment unknown (computed from a missing rate), nor to
    an agent the finance office cannot pay (financial file not active, IBAN, BIC or
    INSEE number missing or wrong): the whole export is refused (rolled back), naming
    the claim and what is missing."""
    number = row.number or row.id
    if any(figures[part] is None for part in parts):
        raise DomainError(
            str(
                _l(
                    "Expense claim %(number)s cannot be sent for payment: %(reason)s",
                    number=number,
                    reason=str(_unpriced_reason(session, row.id, parts)),
                )
            )
        )
    if payee.gaps and any(figures[part] > 0 for part in parts):
        raise DomainError(
            str(
                _l(
                    "Expense claim %(number)s cannot be sent for payment: %(reason)s",
                    number=number,
                    reason=str(personal_data.payment_gaps_text(payee, payee.gaps)),
                )
            )
        )


def _unpriced_reason(session: Session, claim_id: int, parts):
    """Why an accepted part has no amount (the barème lost lines since, or the
    database was changed by hand): the one claim is read whole to say which lines."""
    claim = session.scalar(
        select(ExpenseClaim)
        .where(ExpenseClaim.id == claim_id)
        .options(
            joinedload(ExpenseClaim.assignment).joinedload(Assignment.mission),
            selectinload(ExpenseClaim.travel_legs),
            selectinload(ExpenseClaim.fee_entries),
        )
    )
    computed = amounts.compute(session, claim)
    missing = [
        *(computed.fee.missing if ClaimPart.FEE in parts and claim.fee_amount is None else []),
        *(computed.travel.missing if ClaimPart.TRAVEL in parts else []),
    ]
    if missing:
        return amounts.incomplete_message(claim, missing, _l("export it"))
    return _l("its amount is not known.")


class _Lines:
    """Where the CSV writer writes: its lines, joined once at the end (a ``StringIO``
    of a file with accents holds 4 bytes a character: 80 MB for 50,000 claims)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def compact(self) -> None:
        """One string for the lines written so far (90,000 small strings weigh more)."""
        self.parts = ["".join(self.parts)]

    def getvalue(self) -> str:
        text = "".join(self.parts)
        self.parts = []
        return text


def _header(buffer: _Lines):
    writer = spreadsheet.writer(buffer)  # formula-safe text cells, ";" and CRLF
    writer.writerow(CSV_COLUMNS)
    return writer


def export_payments(
    session: Session,
    academy_id: int,
    *,
    by_user_id: int | None,
    only: list[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PaymentBatch:
    """Put the accepted parts not exported yet into a new numbered batch, as a CSV file
    (one row per part), and move them to "Transmis à la liquidation".

    By chunks of ``CHUNK`` claims, each read ``FOR UPDATE`` and taken by one ``UPDATE …
    WHERE a part is accepted … RETURNING`` (``_take``): a concurrent export waits for
    the rows and then skips them, so no part is ever in two batches.
    ``progress(done, total)`` is called after each chunk. Raises ``DomainError`` when
    there is nothing to export, or naming the first claim that cannot be paid.
    ``only`` restricts the export to these claims (the demo uses it to build its past
    batch)."""
    statement = exportable_statement(academy_id)
    if only is not None:
        statement = statement.where(ExpenseClaim.id.in_(only))
    candidates = list(session.scalars(statement))
    if not candidates:
        raise DomainError(NOTHING_TO_EXPORT)
    number = lifecycle.next_number(session, "payment-batch")
    batch = PaymentBatch(
        number=number,
        academy_id=academy_id,
        created_by_id=by_user_id,
        file_name=f"imagin-paiement-{number:06d}.csv",
    )
    session.add(batch)
    session.flush()
    batch_id = batch.id
    buffer = _Lines()
    writer = _header(buffer)
    payees: dict[int, Payee] = {}
    totals = Totals()
    taken_count = 0
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start : start + CHUNK]
        taken_count += _take(session, chunk, batch_id, number, writer, payees, totals, by_user_id)
        buffer.compact()
        if progress is not None:
            progress(min(start + CHUNK, len(candidates)), len(candidates))
    if not taken_count:
        raise DomainError(NOTHING_TO_EXPORT)
    del payees, candidates  # not needed any more: less memory while the file is stored
    session.expire_all()  # the claims changed under the ORM's feet
    batch = session.get(PaymentBatch, batch_id)
    batch.content = buffer.getvalue()
    batch.claim_count = taken_count
    _set_totals(batch, totals)
    session.flush()
    return batch


def _sent(column):
    """A part's status once exported: "Transmis à la liquidation" if it was accepted."""
    return case(
        (column == ClaimStatus.ACCEPTED, literal(ClaimStatus.SENT_FOR_PAYMENT, column.type)),
        else_=column,
    )


def _cleared(status, column):
    """A part's answer from the finance office, cleared when the part is sent again."""
    return case((status == ClaimStatus.ACCEPTED, null()), else_=column)


def _take(session, chunk, batch_id, number, writer, payees, totals, by_user_id) -> int:
    """Take a chunk of claims into the batch: read what the file needs (the rows
    locked, ``FOR UPDATE``), move their accepted parts to "Transmis à la liquidation"
    in one ``UPDATE`` (``… WHERE a part is accepted``: a claim another export took
    meanwhile is skipped), write their rows and their history rows. Returns how many
    claims were taken."""
    rows = session.execute(
        _rows_statement(and_(among(session, CLAIM.c.id, chunk), _accepted())).with_for_update(
            of=CLAIM
        )
    ).all()
    if not rows:
        return 0
    c = CLAIM.c
    taken = set(
        session.scalars(
            update(CLAIM)
            .where(among(session, c.id, [row.id for row in rows]), _accepted())
            .values(
                {
                    c.payment_batch_id: batch_id,
                    c.version: c.version + 1,
                    c.fee_status: _sent(c.fee_status),
                    c.travel_status: _sent(c.travel_status),
                    c.fee_paid_on: _cleared(c.fee_status, c.fee_paid_on),
                    c.travel_paid_on: _cleared(c.travel_status, c.travel_paid_on),
                    c.fee_payment_rejection: _cleared(c.fee_status, c.fee_payment_rejection),
                    c.travel_payment_rejection: _cleared(
                        c.travel_status, c.travel_payment_rejection
                    ),
                }
            )
            .returning(c.id)
        )
    )
    rows = [row for row in rows if row.id in taken]
    _write(session, writer, number, rows, ClaimStatus.ACCEPTED, payees, totals, check=True)
    now = clock.now()
    for part, status in (("fee_status", ClaimPart.FEE), ("travel_status", ClaimPart.TRAVEL)):
        ids = [row.id for row in rows if getattr(row, part) is ClaimStatus.ACCEPTED]
        if ids:
            session.execute(
                insert(HISTORY).from_select(
                    ["claim_id", "part", "from_status", "to_status", "at", "by_id"],
                    select(
                        c.id,
                        literal(status, HISTORY.c.part.type),
                        literal(ClaimStatus.ACCEPTED, HISTORY.c.from_status.type),
                        literal(ClaimStatus.SENT_FOR_PAYMENT, HISTORY.c.to_status.type),
                        literal(now, HISTORY.c.at.type),
                        literal(by_user_id, HISTORY.c.by_id.type),
                    ).where(among(session, c.id, ids)),
                )
            )
    return len(rows)


def _set_totals(batch: PaymentBatch, totals: Totals) -> None:
    batch.fee_rows = totals.rows[ClaimPart.FEE]
    batch.fee_total = totals.amounts[ClaimPart.FEE]
    batch.travel_rows = totals.rows[ClaimPart.TRAVEL]
    batch.travel_total = totals.amounts[ClaimPart.TRAVEL]


def control_totals(batch: PaymentBatch) -> list[dict]:
    """The batch summary's control total per nature: its label, rows and amount."""
    return [
        {
            "part": part,
            "nature": NATURE[part],
            "label": part.label,
            "rows": rows,
            "total": bareme.money(total),
        }
        for part, rows, total in (
            (ClaimPart.FEE, batch.fee_rows, batch.fee_total),
            (ClaimPart.TRAVEL, batch.travel_rows, batch.travel_total),
        )
    ]


def batch_file(session: Session, batch: PaymentBatch) -> str:
    """The batch's CSV file. An export stores it as it wrote it; a batch loaded without
    its file (``flask imagin seed-large``) gets it written from its claims, whose
    exported parts no longer change, on the first download, and stored."""
    if batch.content is None:
        buffer = _Lines()
        writer = _header(buffer)
        payees: dict[int, Payee] = {}
        totals = Totals()
        last_id = 0
        while True:
            ids = list(
                session.scalars(
                    select(CLAIM.c.id)
                    .where(CLAIM.c.payment_batch_id == batch.id, CLAIM.c.id > last_id)
                    .order_by(CLAIM.c.id)
                    .limit(CHUNK)
                )
            )
            if not ids:
                break
            _write(
                session,
                writer,
                batch.number,
                session.execute(_rows_statement(among(session, CLAIM.c.id, ids))).all(),
                ClaimStatus.SENT_FOR_PAYMENT,
                payees,
                totals,
                check=False,
            )
            last_id = ids[-1]
        batch.content = buffer.getvalue()
        _set_totals(batch, totals)
        session.flush()
    return batch.content


BATCHES_PER_PAGE = 20


@dataclass
class BatchPage:
    """One page of the académie's past exports, newest first."""

    batches: list[PaymentBatch]
    page: int
    pages: int
    total: int


def batches(session: Session, academy_id: int) -> list[PaymentBatch]:
    """The académie's batches, newest first, without their files (``content`` is
    deferred: a list never reads it)."""
    return list(session.scalars(_batches_statement(academy_id)))


def batch_page(
    session: Session, academy_id: int, page: int = 1, per_page: int = BATCHES_PER_PAGE
) -> BatchPage:
    """Page ``page`` of the académie's batches (a page past the last shows the last):
    the list of « Mise en paiement » stays the same size however many exports were
    made."""
    total = session.scalar(
        select(func.count(PaymentBatch.id)).where(PaymentBatch.academy_id == academy_id)
    )
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    listed = session.scalars(
        _batches_statement(academy_id).offset((page - 1) * per_page).limit(per_page)
    )
    return BatchPage(list(listed), page, pages, total)


def _batches_statement(academy_id: int):
    return (
        select(PaymentBatch)
        .where(PaymentBatch.academy_id == academy_id)
        .order_by(PaymentBatch.number.desc())
    )


def academy_batch(session: Session, academy_id: int, batch_id: int) -> PaymentBatch:
    batch = session.scalar(
        select(PaymentBatch).where(
            PaymentBatch.id == batch_id, PaymentBatch.academy_id == academy_id
        )
    )
    if batch is None:
        raise NotFound(_l("This export does not exist."))
    return batch
