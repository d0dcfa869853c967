"""The examinations division's actions on one claim: accept (one or many), cancel /
restore, send back, process the fee, set an SNCF fare, deposit a document.

Same rules as the agent's side (``workflow``): every status change goes through
``lifecycle.transition``, every action checks the statuses it starts from and raises
``DomainError`` with a French message otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.orm import Session

from app.services import ALLOWED, Decision, DomainError, NotFound, first_refusal, refused
from app.services.claims import amounts, bareme, documents, forms, lifecycle
from app.services.claims import entry as claim_entry
from app.services.claims.academy import academy_claim
from app.services.common import clock
from app.services.common.fields import first_errors
from app.services.documents import store as stored_documents
from app.services.people import personal_data
from models import (
    ExpenseClaim,
    TravelLeg,
)
from models.enums import ClaimPart, ClaimStatus, TransportMode

PARTS = (ClaimPart.FEE, ClaimPart.TRAVEL)
# A part the manager may accept: the agent validated it, or the manager processed it.
READY = frozenset({ClaimStatus.VALIDATED, ClaimStatus.PROCESSED_BY_MANAGER})
# A part still waiting for someone: it blocks the acceptance of the claim.
WAITING = frozenset({ClaimStatus.NOT_VALIDATED, ClaimStatus.TO_BE_PROCESSED})
# The manager may enter or correct the fee from these statuses.
FEE_PROCESSABLE = frozenset(
    {
        ClaimStatus.TO_BE_PROCESSED,
        ClaimStatus.NOT_VALIDATED,
        ClaimStatus.VALIDATED,
        ClaimStatus.PROCESSED_BY_MANAGER,
    }
)
# The fare of a trip may be set while the travel is not accepted yet.
FARE_SETTABLE = frozenset(
    {ClaimStatus.NOT_VALIDATED, ClaimStatus.VALIDATED, ClaimStatus.PROCESSED_BY_MANAGER}
)
FARE_MODES = frozenset(
    {TransportMode.TRAIN, TransportMode.PUBLIC_TRANSPORT, TransportMode.TRAVEL_VOUCHER}
)
# A part in these statuses pays nothing: it needs no bank details.
PAYS_NOTHING = frozenset({ClaimStatus.NO_FEE, ClaimStatus.NOT_VALIDATABLE, ClaimStatus.CANCELLED})
# Declared with the forms (the view cuts a cancellation's comment at this length).
MAX_MESSAGE = forms.MAX_MESSAGE
PART_LABELS = {ClaimPart.FEE: _l("the fee"), ClaimPart.TRAVEL: _l("the travel")}


def part_status(claim: ExpenseClaim, part: ClaimPart) -> ClaimStatus:
    return claim.fee_status if part is ClaimPart.FEE else claim.travel_status


def _refuse(message) -> None:
    raise DomainError(message)


def _read(form_class, values):
    """The manager's form bound to ``values``, or ``DomainError`` with the French
    message of its first wrong field (shown in the console)."""
    form = forms.bind(form_class, values)
    for message in first_errors(form).values():
        _refuse(message)
    return form


# --- Actions on one claim -------------------------------------------------------------
# Each action has its decision (``can_…``): the claim page offers what is allowed and
# shows the reason of what is not; the action starts with ``can_….require()``, so a
# forged request gets the same French reason.


def _not_exported(claim: ExpenseClaim) -> Decision:
    if claim.payment_batch_id is not None or ClaimStatus.SENT_FOR_PAYMENT in (
        claim.fee_status,
        claim.travel_status,
    ):
        return refused(_l("This expense claim was sent for payment: it can no longer be changed."))
    return ALLOWED


def _not_cancelled(claim: ExpenseClaim) -> Decision:
    if lifecycle.cancelled(claim):
        return refused(_l("This expense claim is cancelled: restore it first."))
    return ALLOWED


def _open(claim: ExpenseClaim) -> Decision:
    return first_refusal(_not_exported(claim), _not_cancelled(claim))


def payment_rejection(claim: ExpenseClaim, part: ClaimPart) -> str | None:
    """The finance office's reason for rejecting this part (return file), if any."""
    return claim.fee_payment_rejection if part is ClaimPart.FEE else claim.travel_payment_rejection


def returned_by_payment(claim: ExpenseClaim) -> list[ClaimPart]:
    """The parts the finance office rejected, back with the manager to accept again
    (the claim was exported, but these parts may be accepted once more)."""
    return [
        part
        for part in PARTS
        if payment_rejection(claim, part) and part_status(claim, part) in READY
    ]


class NotPayable(DomainError):
    """An acceptance refused because the agent's financial file cannot be paid;
    ``summary`` names the agent and what is missing (the bulk action's summary)."""

    def __init__(self, message, summary):
        super().__init__(message)
        self.summary = summary


class PaymentRefusal(Decision):
    """A refused acceptance for the financial file: raises ``NotPayable``."""

    __slots__ = ("summary",)

    def __init__(self, reason, summary):
        super().__init__(False, reason)
        self.summary = summary

    def require(self) -> None:
        raise NotPayable(self.reason, self.summary)


def pays_something(claim: ExpenseClaim, computed: amounts.ClaimAmounts) -> bool:
    """Whether the claim leads to a payment: a part neither "Pas de frais" nor
    cancelled whose amount (stored, else computed) is more than zero, or not known
    yet. A claim paying nothing needs no bank details."""
    for part in PARTS:
        if part_status(claim, part) in PAYS_NOTHING:
            continue
        if part is ClaimPart.FEE:
            amount = claim.fee_amount if claim.fee_amount is not None else computed.fee.amount
        else:
            amount = claim.travel_amount
            if amount is None:
                amount = computed.travel.total
        if amount is None or amount > 0:
            return True
    return False


def payment_gaps(claim: ExpenseClaim, computed: amounts.ClaimAmounts) -> list:
    """What the agent's financial file lacks for the finance office to pay this claim
    (nothing when the claim pays nothing)."""
    if not pays_something(claim, computed):
        return []
    return personal_data.payment_gaps(claim.assignment.agent)


def can_pay(claim: ExpenseClaim, computed: amounts.ClaimAmounts) -> Decision:
    """The finance office can pay the claim: active financial file, valid IBAN, BIC
    and INSEE number (when the claim pays something)."""
    gaps = payment_gaps(claim, computed)
    if not gaps:
        return ALLOWED
    summary = personal_data.payment_gaps_text(claim.assignment.agent, gaps)
    return PaymentRefusal(
        _l(
            "This expense claim cannot be accepted for payment: %(summary)s. Complete the "
            "contributor's financial file.",
            summary=summary,
        ),
        summary,
    )


def can_accept(claim: ExpenseClaim, computed: amounts.ClaimAmounts) -> Decision:
    """ "Validé par gestionnaire": every part with something to pay is ready (validated
    by the agent or processed by the manager), the service fait is recorded, no train
    fare is missing, the fee has an amount (stored, or computed from the barème), and
    the finance office can pay the agent (``can_pay``)."""
    opened = _not_cancelled(claim) if returned_by_payment(claim) else _open(claim)
    if not opened:
        return opened
    if ClaimStatus.ACCEPTED in (claim.fee_status, claim.travel_status):
        return refused(_l("This expense claim is already accepted."))
    for part in PARTS:
        if part_status(claim, part) in WAITING:
            return refused(
                _l(
                    "This expense claim cannot be accepted: %(part)s is « %(status)s ».",
                    part=PART_LABELS[part],
                    status=part_status(claim, part).label,
                )
            )
    ready = [part for part in PARTS if part_status(claim, part) in READY]
    if not ready:
        return refused(_l("This expense claim has nothing to accept."))
    if claim.assignment.service_done_on is None:
        return refused(
            _l("Record the service done for this assignment before accepting its claim.")
        )
    if ClaimPart.TRAVEL in ready and any(leg.fare_pending for leg in computed.travel.legs):
        return refused(
            _l("Enter the SNCF fare of every trip by train or voucher before accepting.")
        )
    # Never from a missing rate: a part whose barème lacks lines is not accepted.
    missing = [
        *(computed.fee.missing if ClaimPart.FEE in ready and claim.fee_amount is None else []),
        *(computed.travel.missing if ClaimPart.TRAVEL in ready else []),
    ]
    if missing:
        return refused(amounts.incomplete_message(claim, missing, _l("accept it")))
    if ClaimPart.FEE in ready and claim.fee_amount is None and computed.fee.amount is None:
        return refused(_l("Enter the fee amount (« Enter the fee ») before accepting."))
    return can_pay(claim, computed)


def accept(session: Session, claim: ExpenseClaim, *, by_user_id: int) -> None:
    """ "Validé par gestionnaire" (see ``can_accept``). A fee not stored yet is stored
    now; the travel amount is computed again from the trips as they are now."""
    computed = amounts.compute(session, claim)
    can_accept(claim, computed).require()
    ready = [part for part in PARTS if part_status(claim, part) in READY]
    if ClaimPart.FEE in ready and claim.fee_amount is None:
        claim.fee_amount = computed.fee.amount
    if ClaimPart.TRAVEL in ready:
        # Computed again so that the export's breakdown adds up to the stored amount.
        claim.travel_amount = computed.travel.total
        for name, value in computed.travel.breakdown().items():
            setattr(claim, f"travel_{name}", value)
    for part in ready:
        lifecycle.transition(claim, part, ClaimStatus.ACCEPTED, by_user_id=by_user_id)
    claim.accepted_at = clock.now()
    stored_documents.recap_changed(session, claim, by_user_id=by_user_id)


def can_cancel(claim: ExpenseClaim) -> Decision:
    if not (decision := _not_exported(claim)):
        return decision
    if lifecycle.cancelled(claim):
        return refused(_l("This expense claim is already cancelled."))
    return ALLOWED


def cancel(session: Session, claim: ExpenseClaim, *, by_user_id: int, comment: str = "") -> None:
    """ "Annulé": both parts (kept in the history, restorable)."""
    can_cancel(claim).require()
    for part in PARTS:
        if part_status(claim, part) not in (ClaimStatus.CANCELLED, ClaimStatus.NO_FEE):
            lifecycle.transition(
                claim, part, ClaimStatus.CANCELLED, by_user_id=by_user_id, comment=comment or None
            )
    stored_documents.recap_changed(session, claim, by_user_id=by_user_id)


def can_restore(claim: ExpenseClaim) -> Decision:
    """ "Rétablir": a cancelled claim (both parts cancelled, or one cancelled and the
    other "Pas de frais")."""
    if not lifecycle.cancelled(claim):
        return refused(_l("This expense claim is not cancelled."))
    return ALLOWED


def restore(session: Session, claim: ExpenseClaim, *, by_user_id: int) -> None:
    """Undo "Annulé": each cancelled part goes back to the status it had before."""
    can_restore(claim).require()
    for part in PARTS:
        if part_status(claim, part) is not ClaimStatus.CANCELLED:
            continue
        before = next(
            (
                row.from_status
                for row in sorted(claim.history, key=lambda r: (r.at, r.id or 0), reverse=True)
                if row.part is part and row.to_status is ClaimStatus.CANCELLED and row.from_status
            ),
            None,
        )
        if before is None:
            before = lifecycle.initial_statuses(claim.assignment.mission.mission_type)[
                0 if part is ClaimPart.FEE else 1
            ]
        lifecycle.transition(claim, part, before, by_user_id=by_user_id)
    stored_documents.recap_changed(session, claim, by_user_id=by_user_id)


def _sent_back_parts(claim: ExpenseClaim) -> list[ClaimPart]:
    return [
        part
        for part in PARTS
        if part_status(claim, part) in (ClaimStatus.VALIDATED, ClaimStatus.ACCEPTED)
        and (part is ClaimPart.TRAVEL or lifecycle.fee_needs_entry(claim))
    ]


def can_send_back(claim: ExpenseClaim) -> Decision:
    if not (decision := _open(claim)):
        return decision
    if not _sent_back_parts(claim):
        return refused(_l("Only an expense claim validated by the contributor can be sent back."))
    return ALLOWED


def send_back(session: Session, claim: ExpenseClaim, message: str, *, by_user_id: int) -> None:
    """Back to the agent ("Non validé") with a message shown in Suivi and the console."""
    message = _read(forms.SendBackForm, {"message": message or ""}).message.data
    can_send_back(claim).require()
    for part in _sent_back_parts(claim):
        lifecycle.transition(
            claim, part, ClaimStatus.NOT_VALIDATED, by_user_id=by_user_id, comment=message
        )
        if part is ClaimPart.FEE:
            claim.fee_amount = None
        else:
            claim.travel_amount = None
    claim.manager_message = message
    claim.accepted_at = None
    stored_documents.recap_changed(session, claim, by_user_id=by_user_id)


def can_process_fee(claim: ExpenseClaim) -> Decision:
    """ "Saisir la rémunération": the manager enters or corrects the fee amount."""
    if not (decision := _open(claim)):
        return decision
    if claim.fee_status not in FEE_PROCESSABLE:
        return refused(
            _l(
                "The fee cannot be processed from the status « %(status)s ».",
                status=claim.fee_status.label,
            )
        )
    return ALLOWED


def can_enter_fee_detail(claim: ExpenseClaim) -> Decision:
    """The fee's detail entered on the agent's behalf (the families the agent enters)."""
    if not (decision := can_process_fee(claim)):
        return decision
    if lifecycle.family_of(claim) not in lifecycle.ENTRY_FAMILIES:
        return refused(_l("This mission type has no fee detail to enter: enter the amount."))
    return ALLOWED


def can_set_fare(claim: ExpenseClaim, leg: TravelLeg | None = None) -> Decision:
    """The SNCF fare of a trip by train, public transport or travel voucher."""
    if not (decision := _open(claim)):
        return decision
    if claim.travel_status not in FARE_SETTABLE:
        return refused(
            _l(
                "The fare cannot be changed from the status « %(status)s ».",
                status=claim.travel_status.label,
            )
        )
    if leg is not None and leg.transport_mode not in FARE_MODES:
        return refused(
            _l("Only a trip by train, public transport or travel voucher has an SNCF fare.")
        )
    return ALLOWED


def can_deposit(claim: ExpenseClaim) -> Decision:
    """A supporting document deposited by the manager on the agent's behalf."""
    return _open(claim)


def _check_fee_processable(claim: ExpenseClaim) -> None:
    can_process_fee(claim).require()


def process_fee(
    session: Session, claim: ExpenseClaim, amount: Decimal, *, by_user_id: int, comment: str = ""
) -> None:
    """ "Traité par le gestionnaire": the manager enters or corrects the fee amount on
    the agent's behalf (required for "A traiter par le gestionnaire")."""
    _check_fee_processable(claim)
    claim.fee_amount = amount
    lifecycle.transition(
        claim,
        ClaimPart.FEE,
        ClaimStatus.PROCESSED_BY_MANAGER,
        by_user_id=by_user_id,
        comment=(comment or "").strip()[:MAX_MESSAGE] or None,
    )
    stored_documents.recap_changed(session, claim, by_user_id=by_user_id)


def process_fee_from(session: Session, claim: ExpenseClaim, values, *, by_user_id: int) -> Decimal:
    """``process_fee`` with the amount and the comment as the manager typed them
    (``values``: the submitted form); a wrong amount is a ``DomainError``."""
    form = _read(forms.FeeAmountForm, values)
    amount = bareme.money(form.amount.data)
    process_fee(session, claim, amount, by_user_id=by_user_id, comment=form.comment.data)
    return amount


def enter_fee(
    session: Session, claim: ExpenseClaim, values, *, by_user_id: int, comment: str = ""
) -> Decimal:
    """The manager enters the fee's detail on the agent's behalf (copies, candidates,
    times or duration, as the agent would): the entries are stored as the manager's,
    the amount is computed with the barème of the mission date, and the fee is
    "Traité par le gestionnaire". Raises ``claim_entry.EntryErrors`` (a message per
    field) or ``DomainError``; returns the amount."""
    can_enter_fee_detail(claim).require()
    entries = claim_entry.fee_entries_from(claim, values)
    for entry in entries:
        entry.entered_by_manager = True
    claim_entry.replace_fee_entries(claim, entries)
    fee = amounts.fee_amount(claim, bareme.rates_of_mission(session, claim.assignment.mission))
    if fee.missing:
        raise amounts.incomplete_error(claim, fee.missing, _l("enter the detail again"))
    if fee.amount is None:
        _refuse(_l("The barème has no rate for this fee on the mission date: enter the amount."))
    process_fee(session, claim, fee.amount, by_user_id=by_user_id, comment=comment)
    return fee.amount


def set_fare(
    session: Session, claim: ExpenseClaim, leg_id: int, fare: Decimal | None, *, by_user_id: int
) -> TravelLeg:
    """The SNCF 2nd-class fare of a trip (``None`` clears it); a validated travel part
    gets its stored amount computed again."""
    can_set_fare(claim).require()
    leg = next((leg for leg in claim.travel_legs if leg.id == leg_id), None)
    if leg is None:
        raise NotFound(_l("This travel line does not exist."))
    can_set_fare(claim, leg).require()
    leg.sncf_fare = fare
    if claim.travel_status in READY:
        claim.travel_amount = amounts.compute(session, claim).travel.total
    stored_documents.recap_changed(session, claim, by_user_id=by_user_id)
    return leg


def set_fare_from(
    session: Session, claim: ExpenseClaim, leg_id: int, values, *, by_user_id: int
) -> TravelLeg:
    """``set_fare`` with the fare as the manager typed it (empty: no fare)."""
    fare = _read(forms.FareForm, values).fare.data
    return set_fare(
        session,
        claim,
        leg_id,
        None if fare is None else bareme.money(fare),
        by_user_id=by_user_id,
    )


def deposit(
    session: Session,
    claim: ExpenseClaim,
    upload: documents.Upload,
    *,
    storage,
    by_user_id: int,
):
    """A supporting document deposited by the manager on the agent's behalf (flagged as
    such: the agent cannot delete it)."""
    can_deposit(claim).require()
    document = documents.add_document(
        session, claim, upload, storage=storage, by_user_id=by_user_id, by_manager=True
    )
    # The recap lists the documents provided.
    stored_documents.recap_changed(session, claim, by_user_id=by_user_id)
    return document


@dataclass
class BulkResult:
    accepted: list[ExpenseClaim] = field(default_factory=list)
    refused: list[tuple[ExpenseClaim | int, str]] = field(default_factory=list)
    # One phrase per refused claim: what the financial file lacks, naming the agent,
    # or the claim's number (the agent's name without one) with its reason.
    lines: list[str] = field(default_factory=list)

    @property
    def summary(self):
        """ "3 états de frais non acceptés : dossier financier non actif pour MARTIN
        Paul ; …" (``None`` when none was refused)."""
        if not self.lines:
            return None
        return lazy_ngettext(
            "%(num)d expense claim not accepted: %(reasons)s",
            "%(num)d expense claims not accepted: %(reasons)s",
            len(self.lines),
            reasons=" ; ".join(line.rstrip(".") for line in self.lines),
        )


def _bulk_line(claim: ExpenseClaim | int, reason) -> str:
    label = claim if isinstance(claim, int) else claim.number or claim.assignment.agent.full_name
    return str(_l("%(claim)s: %(reason)s", claim=label, reason=str(reason)))


def bulk_accept(
    session: Session, academy_id: int, claim_ids: list[int], *, by_user_id: int
) -> BulkResult:
    """Accept a selection: each claim on its own (one refused does not stop the others),
    each refusal with its reason. Each claim in its own SAVEPOINT: a refused one leaves
    nothing written (SQLAlchemy expires what it had changed), the others are kept."""
    result = BulkResult()
    for claim_id in dict.fromkeys(claim_ids):
        try:
            claim = academy_claim(session, academy_id, claim_id)
        except NotFound as error:
            result.refused.append((claim_id, str(error.message)))
            result.lines.append(_bulk_line(claim_id, error.message))
            continue
        try:
            with session.begin_nested():
                accept(session, claim, by_user_id=by_user_id)
        except NotPayable as error:
            result.refused.append((claim, str(error.message)))
            result.lines.append(str(error.summary))
        except DomainError as error:
            result.refused.append((claim, str(error.message)))
            result.lines.append(_bulk_line(claim, error.message))
        else:
            result.accepted.append(claim)
    return result
