"""Every route of the application, read from its url_map, and the URL of each one filled
with real values from the demo data (as seen by a given demo account) or with any value:
shared by the route × role matrix and the fuzz test, so a new route is covered by both
without anyone listing it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import select

PARAM_RE = re.compile(r"<(?:(?P<converter>[a-zA-Z_]+)(?:\([^)]*\))?:)?(?P<name>[a-zA-Z_]+)>")
IGNORED_METHODS = {"HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Route:
    rule: str
    endpoint: str
    methods: tuple[str, ...]
    params: tuple[tuple[str, str], ...]  # (converter, name)

    @property
    def view(self) -> str:
        return self.endpoint.split(".")[0]

    def url(self, values: dict[str, object]) -> str:
        """The rule with each parameter replaced by ``values[name]`` (quoted)."""

        def replace(match):
            value = str(values[match.group("name")])
            if match.group("converter") == "path":
                return quote(value, safe="/")
            return quote(value, safe="")

        return PARAM_RE.sub(replace, self.rule)


def routes(app) -> list[Route]:
    found = []
    for rule in app.url_map.iter_rules():
        params = tuple(
            (match.group("converter") or "default", match.group("name"))
            for match in PARAM_RE.finditer(rule.rule)
        )
        found.append(
            Route(
                rule=rule.rule,
                endpoint=rule.endpoint,
                methods=tuple(sorted(set(rule.methods) - IGNORED_METHODS)),
                params=params,
            )
        )
    return sorted(found, key=lambda r: (r.rule, r.endpoint))


def real_values(app, username: str | None) -> dict[str, object]:
    """A real value for every route parameter name, chosen among the records the demo
    account ``username`` may see (its own claim, competence, mission…; any record for
    the managers and the administrator). Per FAB view: ``pk:<ViewName>``."""
    from app.extensions import db
    from models import (
        Academy,
        ActivityOpening,
        Agent,
        ApiClient,
        Assignment,
        AssignmentConflict,
        Competence,
        ExpenseClaim,
        ImportRun,
        Job,
        PasswordResetToken,
        PaymentBatch,
        User,
    )

    session = db.session
    user = session.scalar(select(User).where(User.username == username)) if username else None
    teacher = session.scalar(
        select(Agent).join(User, Agent.user_id == User.id).where(User.username == "enseignant")
    )
    # Claims, missions…: the account's own; for the others, the teacher's (whom the head
    # and the managers may see).
    agent = session.scalar(select(Agent).where(Agent.user_id == user.id)) if user else None
    agent = agent or teacher
    claims = list(
        session.scalars(
            select(ExpenseClaim)
            .join(Assignment)
            .where(Assignment.agent_id == agent.id)
            .order_by(ExpenseClaim.id)
        )
    )
    # The claim with the most documents and travel legs, so that theirs belong to it.
    claim = max(claims, key=lambda c: len(c.documents) + len(c.travel_legs), default=None)
    leg = claim.travel_legs[0] if claim and claim.travel_legs else None
    document = claim.documents[0] if claim and claim.documents else None
    competence = session.scalar(
        select(Competence).where(Competence.agent_id == teacher.id).order_by(Competence.id)
    )
    assignment = claim.assignment if claim else None
    batch = session.scalar(select(PaymentBatch).order_by(PaymentBatch.id))
    opening = session.scalar(select(ActivityOpening).order_by(ActivityOpening.id))
    job = session.scalar(select(Job).order_by(Job.id))
    run = session.scalar(select(ImportRun).order_by(ImportRun.id))
    token = session.scalar(select(PasswordResetToken).order_by(PasswordResetToken.id))
    values: dict[str, object] = {
        "agent_id": teacher.id,
        "claim_id": claim.id if claim else 1,
        "assignment_id": assignment.id if assignment else 1,
        "mission_id": assignment.mission_id if assignment else 1,
        "competence_id": competence.id if competence else 1,
        "leg_id": leg.id if leg else 1,
        "document_id": document.id if document else 1,
        "batch_id": batch.id if batch else 1,
        "opening_id": opening.id if opening else 1,
        "job_id": job.id if job else 1,
        "run_id": run.id if run else 1,
        "verdict": "confirmer",
        "tab": "suivi",
        "service": "teacher",
        "kind": "welcome",
        "token": getattr(token, "token", "no-such-token"),
        "locale": "fr",
        "group_by": "username",
        "name": "resetpasswords",
        "filename": "css/imagin.css",
        "asset": "swagger-ui.css",
        "client_id": session.scalar(select(ApiClient.id).order_by(ApiClient.id)) or 1,
        # The demo's recorded conflict of interest (issue 17).
        "conflict_id": session.scalar(select(AssignmentConflict.id).order_by(AssignmentConflict.id))
        or 1,
        # Another académie than the served one (Rennes): a peer of the administrator's screen.
        "academy_id": session.scalar(select(Academy.id).where(Academy.code == "NANTES")) or 1,
        "numen": teacher.numen,
        "step": 1,
    }
    # A head without claims: a mission of an exam centre they head (issue 16).
    from app.services.common.scope import headed_establishment_ids
    from models import Mission

    held = select(Mission.id).where(Mission.centre_id.in_(headed_establishment_ids(agent.id)))
    if claim is None and (centre_mission := session.scalar(held.order_by(Mission.id))):
        values["mission_id"] = centre_mission
    values.update(_availability_values(session, agent))
    values.update(_assignment_values(session))
    for view in app.appbuilder.baseviews:
        datamodel = getattr(view, "datamodel", None)
        if datamodel is None:
            continue
        first = session.scalar(select(datamodel.obj).order_by(datamodel.get_pk()))
        values[f"pk:{type(view).__name__}"] = datamodel.get_pk_value(first) if first else 1
    session.remove()
    return values


def _availability_values(session, agent) -> dict[str, object]:
    """The account's own unavailability (the teacher's for the others) and the session
    open to declarations."""
    from models import ExamSession, Unavailability

    unavailability = session.scalar(
        select(Unavailability.id).where(Unavailability.agent_id == agent.id)
    ) or session.scalar(select(Unavailability.id).order_by(Unavailability.id))
    exam_session = session.scalar(
        select(ExamSession.id).where(ExamSession.unavailability_closes_on.is_not(None))
    )
    return {"unavailability_id": unavailability or 1, "session_id": exam_session or 1}


def _assignment_values(session) -> dict[str, object]:
    """The first automatic assignment's run and one of its lines (issue 17)."""
    from models.assignment import AssignmentProposal, AssignmentRun

    run_id = session.scalar(select(AssignmentRun.id).order_by(AssignmentRun.id))
    line_id = session.scalar(
        select(AssignmentProposal.id)
        .where(AssignmentProposal.run_id == run_id)
        .order_by(AssignmentProposal.id)
    )
    return {"assignment_run_id": run_id or 1, "line_id": line_id or 1}


def values_for(route: Route, values: dict[str, object]) -> dict[str, object]:
    """``values`` with the ``pk`` of the route's own view."""
    return values | {"pk": values.get(f"pk:{route.view}", 1)}
