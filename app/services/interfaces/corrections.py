"""The correction state SANTORIN last sent for assignments (the access portal's
« Etat correction »), as the corrections import stored it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CorrectionState

CHUNK = 500


def correction_state(session: Session, assignment_ids: Iterable[int]) -> dict[int, CorrectionState]:
    """{assignment id: its ``CorrectionState``} for the assignments SANTORIN sent (the
    others are absent): ``.state.label`` is « A corriger dans SANTORIN », « A numériser
    dans SANTORIN » or « Service fait SANTORIN »; ``.copies``, ``.session_label``,
    ``.wave`` and ``.updated_at`` say the rest."""
    ids = sorted(set(assignment_ids))
    found: dict[int, CorrectionState] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for state in session.scalars(
            select(CorrectionState).where(CorrectionState.assignment_id.in_(chunk))
        ):
            found[state.assignment_id] = state
    return found
