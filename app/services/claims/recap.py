"""The recap PDF of an expense claim ("Récapitulatif"), from its first validation on:
rendered when the claim is validated, again only when what it shows changes, and
served from storage (``app.services.documents.store``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.services import DomainError
from app.services.claims import amounts
from app.services.claims import page as claim_page
from app.services.documents import store
from models import ExpenseClaim
from models.enums import DocumentKind

TEMPLATE = "imagin/pdf/claim_recap.html"
NOT_YET = _l("The PDF summary is available once the expense claim is validated.")


def context(session: Session, claim: ExpenseClaim) -> dict:
    """What the recap shows (the agent's view of the amounts)."""
    mission = claim.assignment.mission
    agent = claim.assignment.agent
    principal = next(
        (link.establishment for link in agent.establishments if link.link_type.name == "PRINCIPAL"),
        None,
    )
    values = claim_page.recap(claim)
    fee, travel = claim_page.shown_amounts(claim, amounts.compute(session, claim), for_agent=True)
    values.update(
        claim=claim,
        mission=mission,
        agent=agent,
        principal=principal,
        fee=fee,
        travel=travel,
        slots=mission.slots,
    )
    return values


def source(session: Session, claim: ExpenseClaim) -> store.Source:
    return store.Source(
        kind=DocumentKind.CLAIM_RECAP,
        owner_id=claim.id,
        academy_id=claim.assignment.mission.academy_id,
        template=TEMPLATE,
        context=lambda: context(session, claim),
    )


def exists(claim: ExpenseClaim) -> bool:
    """The recap exists once the claim has its dossier number (first validation)."""
    return claim.number is not None


def recap_pdf(session: Session, claim: ExpenseClaim) -> bytes:
    """The claim's recap PDF: the stored one, or rendered now (once) and stored. A
    claim never validated has none (``DomainError``)."""
    if not exists(claim):
        raise DomainError(NOT_YET)
    return store.pdf_of(session, source(session, claim))


def file_name(claim: ExpenseClaim) -> str:
    return f"etat-de-frais-{claim.number}.pdf"
