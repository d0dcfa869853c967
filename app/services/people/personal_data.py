"""The agent's financial file (INSEE number, IBAN, BIC): how it is shown, and the
rotation of the keys that encrypt it at rest (``app.crypto``, ``models.base.EncryptedString``).

Shown masked everywhere (the agent's "Informations personnelles", the managers'
contributor detail): only a few characters are kept, enough to recognise the value.
Whole only where it is needed: the manager's edit form of a contributor (to correct
it) and the payment CSV (the finance system pays with it). Never logged.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, literal, select, type_coerce, update
from sqlalchemy.orm import Session

from app import crypto
from app.services.referential import rules
from models import Agent

DOT = "•"
FIELDS = ("insee_number", "iban", "bic")


def _compact(value: str | None) -> str:
    return (value or "").replace(" ", "").upper()


def mask_iban(value: str | None) -> str | None:
    """``FR76 •••• •••• •••• •••• •••0 189``: the country and check digits and the last
    four characters, in the IBAN's groups of four."""
    iban = _compact(value)
    if not iban:
        return None
    shown = iban[:4] + DOT * max(len(iban) - 8, 0) + iban[max(len(iban) - 4, 4) :]
    return " ".join(shown[i : i + 4] for i in range(0, len(shown), 4))


def mask_insee(value: str | None) -> str | None:
    """``1 78 •• •• ••• ••• 26``: sex and year of birth, and the key."""
    nir = _compact(value)
    if not nir:
        return None
    if len(nir) != 15:
        return DOT * max(len(nir) - 2, 0) + nir[-2:]
    return f"{nir[0]} {nir[1:3]} {DOT * 2} {DOT * 2} {DOT * 3} {DOT * 3} {nir[13:]}"


def mask_bic(value: str | None) -> str | None:
    """``AGRI •••••••``: the bank's code only."""
    bic = _compact(value)
    if not bic:
        return None
    return f"{bic[:4]} {DOT * (len(bic) - 4)}"


MASKS = {"insee_number": mask_insee, "iban": mask_iban, "bic": mask_bic}


def masked(agent: Agent) -> dict[str, str | None]:
    """The agent's financial file as every page shows it."""
    return {name: MASKS[name](getattr(agent, name)) for name in FIELDS}


# --- What the finance office needs to pay the agent -----------------------------------


def payment_gaps(agent: Agent) -> list:
    """What the agent's financial file lacks for a payment, each in French: the file
    active, an IBAN and a BIC that are valid, an INSEE number (NIR with its key).
    Empty: the agent can be paid."""
    gaps = []
    if not agent.financial_file_active:
        gaps.append(_l("financial file not active"))
    for value, valid, absent, wrong in (
        (agent.iban, rules.iban_is_valid, _l("no IBAN"), _l("IBAN not valid")),
        (agent.bic, rules.bic_is_valid, _l("no BIC"), _l("BIC not valid")),
        (
            agent.insee_number,
            rules.insee_is_valid,
            _l("no INSEE number"),
            _l("INSEE number not valid"),
        ),
    ):
        if not (value or "").strip():
            gaps.append(absent)
        elif not valid(value):
            gaps.append(wrong)
    return gaps


def payment_gaps_text(agent: Agent, gaps: list):
    """``gaps`` in one phrase naming the agent: « dossier financier non actif, IBAN
    manquant pour MARTIN Paul »."""
    return _l(
        "%(gaps)s for %(name)s",
        gaps=", ".join(str(gap) for gap in gaps),
        name=agent.full_name,
    )


def rotate_keys(session: Session, *, chunk: int = 1000) -> int:
    """Re-encrypt every stored value with the first key of ``DATA_ENCRYPTION_KEYS``
    (any configured key may open the old token); returns how many agents were
    rewritten. The tokens are read and written as they are stored (no clear value
    leaves this function)."""
    table = Agent.__table__
    columns = [type_coerce(table.c[name], String).label(name) for name in FIELDS]
    rewritten = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(table.c.id, *columns)
            .where(table.c.id > last_id)
            .where(
                table.c.insee_number.is_not(None)
                | table.c.iban.is_not(None)
                | table.c.bic.is_not(None)
            )
            .order_by(table.c.id)
            .limit(chunk)
        ).all()
        if not rows:
            return rewritten
        for row in rows:
            values = {
                name: crypto.rotate(getattr(row, name))
                for name in FIELDS
                if getattr(row, name) is not None
            }
            session.execute(
                update(table)
                .where(table.c.id == row.id)
                # Literals typed String: written as they are, not encrypted again.
                .values({name: literal(token, String) for name, token in values.items()})
            )
            rewritten += 1
        last_id = rows[-1].id
