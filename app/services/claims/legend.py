"""What each status of an expense claim means (seed 001 §2.6.2): the legend under the
agent's list of claims and in the help. The statuses and their meanings are kept here,
in one place; the French wording is the user guide's, word for word, through the
catalogue."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from models.enums import ClaimStatus

# In the order of the user guide's table; then the status a claim reaches once it is
# exported for payment (DESIGN.md §4), which the guide predates.
MEANINGS: dict[ClaimStatus, object] = {
    ClaimStatus.NO_FEE: _l("The mission gives no right to a fee and there is no travel to refund."),
    ClaimStatus.CANCELLED: _l(
        "The expense claim was cancelled by the academy's manager; it cannot be opened."
    ),
    ClaimStatus.NOT_STARTED: _l(
        "The mission is yet to come; the expense claim cannot be entered yet."
    ),
    ClaimStatus.IN_PROGRESS: _l(
        "The mission is under way; you can start completing the expense claim."
    ),
    ClaimStatus.NOT_VALIDATED: _l(
        "The mission is over; the expense claim is waiting for your validation."
    ),
    ClaimStatus.VALIDATED: _l(
        "The information needed to pay the expense claim is entered and validated. Your "
        "file is sent to the academy's manager for processing."
    ),
    ClaimStatus.ACCEPTED: _l(
        "The information needed to pay the expense claim is entered; your file is "
        "accepted by the academy's manager."
    ),
    ClaimStatus.NOT_VALIDATABLE: _l(
        "The mission gives a right to travel expenses, but they are to be entered on the "
        "first mission of the day."
    ),
    ClaimStatus.PROCESSED_BY_MANAGER: _l(
        "You have nothing to enter; the expense claim is handled by the manager."
    ),
    ClaimStatus.TO_BE_PROCESSED: _l(
        "The fee is to be processed by the manager (for example: a mission of administrative work)."
    ),
    ClaimStatus.SENT_FOR_PAYMENT: _l(
        "The expense claim, accepted by the manager, has been sent for payment."
    ),
}


@dataclass(frozen=True)
class LegendEntry:
    status: ClaimStatus
    label: object
    meaning: object


def status_legend() -> list[LegendEntry]:
    """Every status a claim's fee or travel part can show, with what it means."""
    return [LegendEntry(status, status.label, meaning) for status, meaning in MEANINGS.items()]


def meaning(status: ClaimStatus):
    return MEANINGS[status]
