"""What a claim's page shows and offers, decided in one place for the agent's page
(Saisie état de frais mission) and the manager's (Traitement des états de frais).

For each page: the tabs and the actions, each a ``Decision`` (allowed, or refused
with its French reason: the one a forged request of the action gets too, since the
actions start from the same ``can_…``), which actions the page offers (a refused one
it offers is shown disabled with its reason), the statuses, the amounts as shown
(one function, ``shown_amounts``), each travel line with its total, and the notes
that follow from the statuses. Templates render this and decide nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services import ALLOWED, Decision, refused
from app.services.claims import amounts, documents, lifecycle, processing, workflow
from app.services.claims import entry as claim_entry
from app.services.claims import summary as claim_summary
from app.services.common import formats
from app.services.people import personal_data
from models import Academy, ExpenseClaim, Mission, SupportingDocument, TravelLeg, User
from models.enums import ClaimPart, ClaimStatus, DocumentDossier, FeeEntryFamily, TransportMode

# --- The agent's tabs --------------------------------------------------------------------

TAB_KEYS = ("suivi", "remuneration", "deplacement", "recapitulatif")
TAB_LABELS = {
    "suivi": _l("Follow-up"),
    "remuneration": _l("Fee expenses"),
    "deplacement": _l("Travel expenses"),
    "recapitulatif": _l("Summary"),
}


def tabs(claim: ExpenseClaim, today: dt.date) -> dict[str, Decision]:
    """The tabs of the agent's claim page, in order, each allowed or refused with its
    reason. "Suivi" is always there (but for a cancelled claim); the others once the
    agent chose "Je souhaite compléter l'état de frais", and only those the mission
    has: the fee tab for the families with something to show, the travel tab when
    travel is refunded and entered on this mission (not "Invalidable")."""
    opened = workflow.can_open(claim, today)
    if lifecycle.cancelled(claim):
        return dict.fromkeys(TAB_KEYS, opened)
    gate = opened
    if gate and claim.not_done_declared_at is not None:
        gate = refused(_l("You declared that you did not carry out this mission."))
    elif gate and lifecycle.first_access(claim, today):
        gate = refused(_l("Choose first « I want to complete the expense claim »."))
    fee, travel = gate, gate
    if gate and not lifecycle.has_fee_tab(claim):
        fee = refused(_l("You have no fee to enter for this mission."))
    if gate and not lifecycle.has_travel_tab(claim):
        travel = refused(_l("This mission gives no right to travel expenses."))
    elif gate and claim.travel_status is ClaimStatus.NOT_VALIDATABLE:
        travel = refused(
            _l("This mission's travel is to be entered on the first mission of the day")
        )
    return {"suivi": ALLOWED, "remuneration": fee, "deplacement": travel, "recapitulatif": gate}


@dataclass(frozen=True)
class TabEntry:
    """A tab as the agent's page shows it: open, or greyed with the reason why
    (``reason``, the refusal a direct visit of the tab gets too)."""

    key: str
    label: object
    reason: object = None

    @property
    def greyed(self) -> bool:
        return self.reason is not None


def tab_entries(claim: ExpenseClaim, decisions: dict[str, Decision]) -> list[TabEntry]:
    """The tabs the agent's page shows, in order: the open ones, and greyed with their
    reason those the mission has but that are not open yet (first access, mission
    declared not done, travel to enter on the first mission of the day). A tab the
    mission has not (nothing to enter as fee, no travel refunded) is not shown (seed
    001 §2.6.4: "En fonction du contexte 4 onglets sont visibles")."""
    shown = []
    for key, decision in decisions.items():
        if not decision and not lifecycle.cancelled(claim):
            if key == "remuneration" and not lifecycle.has_fee_tab(claim):
                continue
            if key == "deplacement" and not lifecycle.has_travel_tab(claim):
                continue
        shown.append(TabEntry(key, TAB_LABELS[key], None if decision else decision.reason))
    return shown


def open_tabs(claim: ExpenseClaim, today: dt.date) -> list[str]:
    return [key for key, decision in tabs(claim, today).items() if decision]


def destination(claim: ExpenseClaim, today: dt.date, current: str, go: str | None) -> str:
    """Where a tab's form leads once saved: the tab the agent clicked (when open: what
    was typed is saved, not lost), or "Etape Précédente" / "Etape Suivante"."""
    keys = open_tabs(claim, today)
    if go in keys:
        return go
    index = keys.index(current) if current in keys else 0
    if go == "previous":
        return keys[max(index - 1, 0)]
    return keys[min(index + 1, len(keys) - 1)]


# --- Amounts as shown ------------------------------------------------------------------


@dataclass(frozen=True)
class ShownAmount:
    """An amount as a page shows it: the value (``None``: "—" or ``note``), whether it
    is an estimate (not stored yet), the text shown instead of a value, remarks, and
    the barème's missing lines that leave it without value ("barème incomplet", never
    0)."""

    value: Decimal | None = None
    estimate: bool = False
    note: object = None
    remarks: tuple = ()
    missing: tuple = ()


def shown_amounts(
    claim: ExpenseClaim,
    computed: amounts.ClaimAmounts,
    *,
    for_agent: bool,
    editable: bool = False,
) -> tuple[ShownAmount, ShownAmount]:
    """The fee and travel amounts shown on a claim: the stored amount once there is
    one, else the estimate computed from what is entered, else nothing (for the
    agent: "computed by the manager" when the manager prices the fee). A part whose
    barème lacks lines shows them ("barème incomplet") instead of an amount."""
    by_manager = for_agent and claim.fee_status in (
        ClaimStatus.TO_BE_PROCESSED,
        ClaimStatus.PROCESSED_BY_MANAGER,
    )
    note = _l("computed by the manager") if by_manager else None
    if claim.fee_amount is not None:
        fee = ShownAmount(claim.fee_amount, note=note)
    elif computed.fee.missing and claim.fee_entries:
        fee = ShownAmount(missing=tuple(computed.fee.missing))
    elif computed.fee.amount is not None and claim.fee_entries:
        fee = ShownAmount(computed.fee.amount, estimate=True)
    else:
        fee = ShownAmount(note=note)
    remarks = []
    travel_legs = computed.travel.legs
    if for_agent and computed.travel.fare_pending:
        remarks.append(_l("The fare of your tickets is added by the manager."))
    by_car = any(leg.transport_mode is TransportMode.CAR for leg in claim.travel_legs)
    if computed.travel.assumed_power and travel_legs:
        if for_agent and editable and by_car:
            remarks.append(
                _l(
                    "Fiscal horsepower unknown: the rate of the smallest cars applies "
                    "(see Personal information)."
                )
            )
        elif not for_agent:
            remarks.append(_l("Fiscal horsepower unknown: the rate of the smallest cars applies."))
    if claim.travel_amount is not None:
        travel = ShownAmount(claim.travel_amount, remarks=tuple(remarks))
    elif for_agent and claim.travel_legs and not any(leg.completed for leg in claim.travel_legs):
        # Nothing is computed from a trip still to complete (not "0,00 €").
        travel = ShownAmount(note=_l("trips to complete"), remarks=tuple(remarks))
    elif computed.travel.missing:
        travel = ShownAmount(missing=tuple(computed.travel.missing), remarks=tuple(remarks))
    elif travel_legs:
        travel = ShownAmount(computed.travel.total, estimate=True, remarks=tuple(remarks))
    else:
        travel = ShownAmount(remarks=tuple(remarks))
    return fee, travel


@dataclass(frozen=True)
class TravelLine:
    """A trip as the summaries show it: its lines in words, its total (None with the
    barème's ``missing`` lines: "barème incomplet"), whether its SNCF fare is still to
    be entered, and (manager) whether the fare may be set."""

    leg: TravelLeg
    lines: list[str]
    total: Decimal | None
    fare_pending: bool
    fare: Decision | None = None
    missing: tuple = ()


def travel_lines(
    claim: ExpenseClaim, computed: amounts.ClaimAmounts | None = None, *, manager: bool = False
) -> list[TravelLine]:
    legs = computed.travel.legs if computed is not None else [None] * len(claim.travel_legs)
    result = []
    for leg, amount in zip(claim.travel_legs, legs, strict=True):
        fare = None
        if manager and leg.transport_mode in processing.FARE_MODES:
            fare = processing.can_set_fare(claim, leg)
        result.append(
            TravelLine(
                leg=leg,
                lines=claim_summary.leg_lines(leg),
                total=amount.total if amount is not None else None,
                fare_pending=bool(amount and amount.fare_pending),
                fare=fare,
                missing=tuple(amount.missing) if amount is not None else (),
            )
        )
    return result


# --- Notes that follow from the statuses ----------------------------------------------------


@dataclass(frozen=True)
class Note:
    """A sentence a page shows about the claim; ``kind``: info, warning or text."""

    kind: str
    message: object


def agent_notes(
    claim: ExpenseClaim, today: dt.date, first_of_day: Mission | None
) -> dict[str, list[Note]]:
    """The notes of the agent's page: under the header, and in the Suivi tab."""
    fee_shown, _travel_shown = lifecycle.shown_statuses(claim, today)
    header = []
    if lifecycle.family_of(claim) is FeeEntryFamily.NONE and (
        claim.fee_status is ClaimStatus.TO_BE_PROCESSED
    ):
        header.append(
            Note("danger", _l("You do not have to enter a fee: the manager processes it."))
        )
    suivi = []
    if fee_shown is ClaimStatus.NOT_STARTED:
        suivi.append(
            Note("info", _l("The mission is yet to come: its expense claim cannot be entered yet."))
        )
    if claim.not_done_declared_at is not None:
        suivi.append(
            Note(
                "warning",
                _l(
                    "You declared on %(day)s that you did not carry out this mission: the "
                    "manager will not process its expense claim.",
                    day=formats.day(claim.not_done_declared_at),
                ),
            )
        )
    if claim.travel_status is ClaimStatus.NOT_VALIDATABLE:
        if first_of_day is not None:
            message = _l(
                "This mission's travel is to be entered on the first mission of the day "
                "(mission no. %(number)s).",
                number=first_of_day.number,
            )
        else:
            message = _l("This mission's travel is to be entered on the first mission of the day")
        suivi.append(Note("info", message))
    if claim.fee_status is ClaimStatus.PROCESSED_BY_MANAGER:
        suivi.append(
            Note("text", _l("You have nothing to enter for the fee: the manager processes it."))
        )
    elif claim.fee_status is ClaimStatus.NO_FEE and claim.not_done_declared_at is None:
        suivi.append(Note("text", _l("This mission gives no right to a fee.")))
    return {"header": header, "suivi": suivi}


# --- The agent's page ------------------------------------------------------------------------


@dataclass
class AgentPage:
    """What the agent's claim page shows and offers."""

    fee_status: ClaimStatus
    travel_status: ClaimStatus
    tabs: dict[str, Decision]
    shown_tabs: list[TabEntry]
    actions: dict[str, Decision]
    offered: frozenset[str]
    notes: dict[str, list[Note]]
    first_of_day: Mission | None = None
    fee: ShownAmount | None = None
    travel: ShownAmount | None = None
    # 0 copies / 0 candidates entered: a warning (validation asks to confirm it).
    fee_warnings: list = field(default_factory=list)
    # The barème's lines that leave a part without amount (with ``with_amounts``).
    missing_rates: list = field(default_factory=list)
    # The finance office's answer per part ("Payé le 12/07/2027").
    payments: list = field(default_factory=list)

    @property
    def first_access(self) -> bool:
        return bool(self.actions["start"])

    @property
    def tab_list(self) -> list[tuple[str, object]]:
        return [(key, TAB_LABELS[key]) for key, decision in self.tabs.items() if decision]


def agent_actions(claim: ExpenseClaim, today: dt.date) -> dict[str, Decision]:
    """Each action of the agent on the claim, allowed or refused with its reason."""
    save = workflow.can_edit(claim, today)
    upload = save and documents.can_add(claim)
    return {
        "start": workflow.can_start(claim, today),
        "not_done": workflow.can_declare_not_done(claim, today),
        "save": save,
        "validate": workflow.can_validate(claim, today),
        "unvalidate": workflow.can_unvalidate(claim),
        "enter_fee": workflow.can_enter_fee(claim, today),
        "enter_travel": workflow.can_enter_travel(claim, today),
        "upload": upload,
        "restore_leg": claim_entry.can_restore_first_leg(claim, today),
    }


def agent_page(
    session: Session, claim: ExpenseClaim, today: dt.date, *, with_amounts: bool = False
) -> AgentPage:
    actions = agent_actions(claim, today)
    offered = set()
    if actions["start"]:
        # The first access: the two choices of the user guide.
        offered |= {"start", "not_done"} if actions["not_done"] else {"start"}
    if actions["save"]:
        offered |= {"save", "validate"}  # "Valider" greyed with its reason while refused
    offered |= {key for key in ("unvalidate", "upload", "restore_leg") if actions[key]}
    fee_status, travel_status = lifecycle.shown_statuses(claim, today)
    first_of_day = (
        workflow.first_mission_of_day(session, claim)
        if claim.travel_status is ClaimStatus.NOT_VALIDATABLE
        else None
    )
    decisions = tabs(claim, today)
    page = AgentPage(
        fee_status=fee_status,
        travel_status=travel_status,
        tabs=decisions,
        shown_tabs=tab_entries(claim, decisions),
        actions=actions,
        offered=frozenset(offered),
        notes=agent_notes(claim, today, first_of_day),
        first_of_day=first_of_day,
        fee_warnings=lifecycle.fee_warnings(claim),
        # The agent reads the payments; a rejection is the manager's to settle.
        payments=[o for o in payment_outcomes(claim) if o.kind == "paid"],
    )
    if with_amounts:
        computed = amounts.compute(session, claim)
        page.fee, page.travel = shown_amounts(
            claim, computed, for_agent=True, editable=bool(actions["save"])
        )
        page.missing_rates = amounts.unpriced(claim, computed)
    return page


def agent_upload(
    session: Session,
    claim: ExpenseClaim,
    upload: documents.Upload,
    *,
    today: dt.date,
    storage,
    by_user_id: int,
) -> SupportingDocument:
    """ "Sélectionner et envoyer mes documents": while the claim is being entered."""
    agent_actions(claim, today)["upload"].require()
    return documents.add_document(session, claim, upload, storage=storage, by_user_id=by_user_id)


# --- The manager's page ----------------------------------------------------------------------


@dataclass
class ManagerPage:
    """What the manager's claim page shows and offers."""

    fee_status: ClaimStatus
    travel_status: ClaimStatus
    actions: dict[str, Decision]
    offered: frozenset[str]
    fee: ShownAmount
    travel: ShownAmount
    travel_lines: list[TravelLine] = field(default_factory=list)
    fee_warnings: list = field(default_factory=list)
    # What the agent's financial file lacks for the payment (shown next to the
    # documents the agent sent, with the way to the contributor's file), and the file
    # as every page shows it (masked).
    payment_gaps: list = field(default_factory=list)
    financial_file: dict = field(default_factory=dict)
    # The finance office's answer per part (paid on a date, or rejected and why).
    payments: list = field(default_factory=list)


def manager_actions(claim: ExpenseClaim, computed: amounts.ClaimAmounts) -> dict[str, Decision]:
    return {
        "accept": processing.can_accept(claim, computed),
        "send_back": processing.can_send_back(claim),
        "enter_fee_detail": processing.can_enter_fee_detail(claim),
        "process_fee": processing.can_process_fee(claim),
        "cancel": processing.can_cancel(claim),
        "restore": processing.can_restore(claim),
        "deposit": processing.can_deposit(claim),
        "set_fare": processing.can_set_fare(claim),
    }


def manager_page(session: Session, claim: ExpenseClaim, today: dt.date) -> ManagerPage:
    computed = amounts.compute(session, claim)
    actions = manager_actions(claim, computed)
    offered = set()
    if actions["restore"]:
        offered.add("restore")  # a cancelled claim: restoring it comes first
    elif actions["cancel"]:  # not sent for payment
        offered |= {"accept", "send_back", "process_fee", "cancel"}
        if lifecycle.family_of(claim) in lifecycle.ENTRY_FAMILIES:
            offered.add("enter_fee_detail")
        if actions["deposit"]:
            offered.add("deposit")
    elif processing.returned_by_payment(claim):
        offered.add("accept")  # rejected by the finance office: accepted again
    fee_status, travel_status = lifecycle.shown_statuses(claim, today)
    fee, travel = shown_amounts(claim, computed, for_agent=False)
    agent = claim.assignment.agent
    # Only while the claim is open (not cancelled, not sent for payment).
    open_claim = (bool(actions["cancel"]) and not actions["restore"]) or bool(
        processing.returned_by_payment(claim)
    )
    return ManagerPage(
        fee_status=fee_status,
        travel_status=travel_status,
        actions=actions,
        offered=frozenset(offered),
        fee=fee,
        travel=travel,
        travel_lines=travel_lines(claim, computed, manager=True),
        fee_warnings=lifecycle.fee_warnings(claim),
        payment_gaps=processing.payment_gaps(claim, computed) if open_claim else [],
        financial_file=personal_data.masked(agent),
        payments=payment_outcomes(claim),
    )


# --- The finance office's answer ---------------------------------------------------------


@dataclass(frozen=True)
class PaymentOutcome:
    """One part's answer from the finance office: ``kind`` is "paid" or "rejected"."""

    part: ClaimPart
    kind: str
    text: object


def payment_outcome(claim: ExpenseClaim, part: ClaimPart) -> PaymentOutcome | None:
    """ "Payé le 12/07/2027", or "Rejeté par la liquidation : <motif>" (while the
    part was not exported again)."""
    paid_on = claim.fee_paid_on if part is ClaimPart.FEE else claim.travel_paid_on
    if paid_on is not None:
        return PaymentOutcome(part, "paid", _l("Paid on %(day)s", day=formats.day(paid_on)))
    reason = processing.payment_rejection(claim, part)
    if reason:
        return PaymentOutcome(
            part, "rejected", _l("Rejected by the finance office: %(reason)s", reason=reason)
        )
    return None


def payment_outcomes(claim: ExpenseClaim) -> list[PaymentOutcome]:
    return [
        outcome
        for part in processing.PARTS
        if (outcome := payment_outcome(claim, part)) is not None
    ]


def status_text(claim: ExpenseClaim, part: ClaimPart, shown: ClaimStatus) -> str:
    """A part's status as a list shows it, with the finance office's answer."""
    outcome = payment_outcome(claim, part)
    return f"{shown.label} — {outcome.text}" if outcome else str(shown.label)


# --- Shared by both pages -----------------------------------------------------------------


def recap(claim: ExpenseClaim) -> dict:
    """The Récapitulatif: the fee and trips in words, and the documents per dossier
    (required ones with whether they are missing, deposited ones with whether the
    agent may delete them)."""
    required = documents.required_for(claim)
    missing = set(documents.missing_for(claim))
    dossiers = []
    for dossier in (DocumentDossier.PAY, DocumentDossier.TRAVEL):
        deposited = documents.documents_of(claim, dossier)
        dossiers.append(
            {
                "dossier": dossier,
                "required": [(piece, (dossier, piece) in missing) for piece in required[dossier]],
                "documents": deposited,
                "deletable": {doc.id: documents.can_delete(claim, doc) for doc in deposited},
                "pieces": documents.pieces_of(dossier),
            }
        )
    return {
        "fee_summary": lifecycle.family_of(claim) is not FeeEntryFamily.NONE,
        "fee_lines": claim_summary.fee_lines(claim),
        "travel_lines": travel_lines(claim),
        "dossiers": dossiers,
        "dematerialised": documents.dematerialised(claim),
        "settings": claim.assignment.mission.academy.settings,
        "accept": documents.ACCEPT_ATTRIBUTE,
        "max_documents": documents.MAX_PER_DOSSIER,
    }


def history_rows(session: Session, claim: ExpenseClaim, agent_label=None) -> list[dict]:
    """History rows with who did it: "You" for the agent (or ``agent_label``), the
    manager's name otherwise."""
    ids = {row.by_id for row in claim.history if row.by_id}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    agent_user = claim.assignment.agent.user_id
    rows = []
    for row in claim.history:
        if row.by_id == agent_user:
            by = agent_label or _l("You")
        elif row.by_id in users:
            by = _l("Manager %(name)s", name=users[row.by_id].last_name.upper())
        else:
            by = ""
        rows.append({"row": row, "by": by})
    return rows


def fee_form_values(claim: ExpenseClaim) -> dict[str, str]:
    """The fee form's fields as text, from what is stored."""
    family = lifecycle.family_of(claim)
    values: dict[str, str] = {}
    entries = [e for e in claim.fee_entries if not e.from_correction_system]
    if family is FeeEntryFamily.COPIES and entries:
        values["copies"] = str(entries[0].copies or 0)
    elif family is FeeEntryFamily.CANDIDATES:
        for e in entries:
            if e.day is None:
                values["candidates"] = str(e.candidates or 0)
            else:
                values[f"morning-{e.day.isoformat()}"] = str(e.candidates_morning or 0)
                values[f"afternoon-{e.day.isoformat()}"] = str(e.candidates_afternoon or 0)
    elif family is FeeEntryFamily.HALF_DAY_TIMES:
        days = claim_entry.mission_dates(claim)
        rows = entries or [None for _day in days]
        for index, e in enumerate(rows):
            day = e.day if e is not None else days[index]
            values[f"day-{index}"] = day.isoformat() if day else ""
            if e is not None:
                for key, attr in (
                    ("ms", "morning_start"),
                    ("me", "morning_end"),
                    ("as", "afternoon_start"),
                    ("ae", "afternoon_end"),
                ):
                    value = getattr(e, attr)
                    values[f"{key}-{index}"] = value.isoformat(timespec="minutes") if value else ""
    elif family is FeeEntryFamily.DURATION and entries:
        values["hours"] = str(entries[0].hours or 0)
        values["minutes"] = str(entries[0].minutes or 0)
    return values


def other_academies(session: Session, academy_id: int) -> list[Academy]:
    """The other académies' portals (where the agent may have missions too)."""
    return list(
        session.scalars(
            select(Academy)
            .where(Academy.id != academy_id, Academy.portal_url.is_not(None))
            .order_by(Academy.name)
        )
    )
