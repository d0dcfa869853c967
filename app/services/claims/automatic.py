"""The claims SANTORIN fills (the AUTOMATIC fee family: « Etat de frais rempli
automatiquement par SANTORIN »): one read-only fee entry with the copies corrected, and
the regrouping of seed 001 §2.6.4.2 — the copies of one person's missions of a session
and a wave go on ONE claim (the lowest mission number) with a comment listing the
missions and their copies; the other claims get 0 copies and a comment saying where
their copies went.

The fee part of such a claim is « Traité par le gestionnaire » (``lifecycle``): its
amount is computed from the barème once the copies are known, and a claim already
accepted by the manager whose copies change comes back to « Traité par le
gestionnaire » to be accepted again. A claim sent for payment is never changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import case, cast, update
from sqlalchemy.orm import Session

from app.services.claims import amounts, bareme, lifecycle
from app.services.common import clock
from app.services.documents import store as stored_documents
from models import ExpenseClaim, FeeEntry
from models.claims import MONEY
from models.enums import ClaimPart, ClaimStatus, FeeEntryFamily

CHUNK = 500


@dataclass(frozen=True)
class Share:
    """What one claim of a group gets: its copies and its comment (None alone)."""

    copies: int
    comment: str | None = None


@dataclass(frozen=True)
class Member:
    """A mission of one person in a session and wave: its number, the copies SANTORIN
    sent for it, and whether its claim is cancelled (it then does not carry the group)."""

    key: object  # the caller's key (an assignment id)
    number: int
    copies: int
    cancelled: bool = False


def is_automatic(mission_type) -> bool:
    return mission_type.fee_family is FeeEntryFamily.AUTOMATIC


def exported(claim: ExpenseClaim) -> bool:
    """Sent for payment (« Transmis à la liquidation »): never changed again."""
    return claim.payment_batch_id is not None or ClaimStatus.SENT_FOR_PAYMENT in (
        claim.fee_status,
        claim.travel_status,
    )


def current(claim: ExpenseClaim) -> Share | None:
    """The copies and comment SANTORIN gave this claim so far (None: nothing yet)."""
    entries = [entry for entry in claim.fee_entries if entry.from_correction_system]
    if not entries:
        return None
    comments = [entry.comment for entry in entries if entry.comment]
    return Share(sum(entry.copies or 0 for entry in entries), "\n".join(comments) or None)


def _stored_language():
    """Comments are stored text the agent reads: written in the portal's language."""
    locale = current_app.config.get("BABEL_DEFAULT_LOCALE", "fr") if has_app_context() else "fr"
    return force_locale(locale)


def shares(members: Sequence[Member], session_label: str, wave: int | None) -> dict:
    """{member key: Share} for one person's missions of a session and a wave: alone, a
    mission keeps its copies; several are grouped on the lowest mission number (of a
    claim not cancelled)."""
    if len(members) == 1:
        return {members[0].key: Share(members[0].copies)}
    ordered = sorted(members, key=lambda m: (m.cancelled, m.number))
    carrier = ordered[0]
    total = sum(m.copies for m in members)
    by_number = sorted(members, key=lambda m: m.number)
    with _stored_language():
        listed = ", ".join(
            _("mission %(number)s (%(copies)s copies)", number=m.number, copies=m.copies)
            for m in by_number
        )
        if wave is None:
            grouped = _(
                "Copies of the session %(session)s grouped on this expense claim:"
                " %(missions)s; total %(total)s copies.",
                session=session_label,
                missions=listed,
                total=total,
            )
        else:
            grouped = _(
                "Copies of the session %(session)s, wave %(wave)s grouped on this expense"
                " claim: %(missions)s; total %(total)s copies.",
                session=session_label,
                wave=wave,
                missions=listed,
                total=total,
            )
        result = {carrier.key: Share(total, grouped)}
        for member in ordered[1:]:
            result[member.key] = Share(
                0,
                _(
                    "The %(copies)s copies of this mission are grouped on the expense claim"
                    " of mission %(number)s.",
                    copies=member.copies,
                    number=carrier.number,
                ),
            )
    return result


def differs(claim: ExpenseClaim, share: Share) -> bool:
    """Whether filling ``claim`` with ``share`` changes it (a claim sent for payment
    only counts its copies: its comment is never rewritten)."""
    before = current(claim)
    if exported(claim):
        return before is None or before.copies != share.copies
    return before != share


def fill(
    session: Session,
    claim: ExpenseClaim,
    share: Share,
    *,
    rates: bareme.Rates | None = None,
    by_user_id: int | None = None,
) -> Decimal | None:
    """Put ``share`` on ``claim`` (not sent for payment): one read-only entry and the
    fee part « Traité par le gestionnaire » unless it is cancelled (restoring it brings
    the copies back). Returns the fee amount from the barème (None when it lacks the
    rate), for ``store_amounts``."""
    before = current(claim)
    claim.fee_entries[:] = [e for e in claim.fee_entries if not e.from_correction_system] + [
        FeeEntry(copies=share.copies, comment=share.comment, from_correction_system=True)
    ]
    if claim.fee_status not in (ClaimStatus.PROCESSED_BY_MANAGER, ClaimStatus.CANCELLED):
        with _stored_language():
            comment = _(
                "Copies sent by SANTORIN: %(before)s → %(after)s.",
                before=before.copies if before is not None else 0,
                after=share.copies,
            )
        lifecycle.transition(
            claim,
            ClaimPart.FEE,
            ClaimStatus.PROCESSED_BY_MANAGER,
            by_user_id=by_user_id,
            comment=comment,
        )
        if ClaimStatus.ACCEPTED not in (claim.fee_status, claim.travel_status):
            claim.accepted_at = None
    if rates is None:
        rates = bareme.rates_of_mission(session, claim.assignment.mission)
    stored_documents.recap_changed(session, claim, by_user_id=by_user_id)
    return amounts.fee_amount(claim, rates).amount


def store_amounts(session: Session, fees: dict[ExpenseClaim, Decimal | None]) -> None:
    """Store the fee amounts of many claims in a few set-based ``UPDATE`` (one per
    ``CHUNK`` claims: the summary's statement-level triggers run once per chunk, not once
    per claim), each claim's version moved on for the optimistic lock. Flushes first; the
    claims' amount and version are read again when next used."""
    changed = [(claim, fee) for claim, fee in fees.items() if claim.fee_amount != fee]
    if not changed:
        return
    session.flush()
    c = ExpenseClaim.__table__.c
    now = clock.now()
    for start in range(0, len(changed), CHUNK):
        chunk = changed[start : start + CHUNK]
        session.execute(
            update(ExpenseClaim.__table__)
            .where(c.id.in_([claim.id for claim, _fee in chunk]))
            .values(
                {
                    c.fee_amount: cast(
                        case({claim.id: fee for claim, fee in chunk}, value=c.id), MONEY
                    ),
                    c.version: c.version + 1,
                    c.updated_at: now,
                }
            )
        )
        for claim, _fee in chunk:
            session.expire(claim, ["fee_amount", "version", "updated_at"])
