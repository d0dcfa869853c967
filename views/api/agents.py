"""One agent's missions, by numen: what the portal of another académie reads to show
the agent a tab of the missions they have here (``app.services.interfaces.peers``)."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.extensions import db
from app.problems import ApiError
from app.services.interfaces import api

from . import schemas
from .common import api_blueprint, page_body, scoped

agents = api_blueprint(
    "api_agents",
    __name__,
    "/api/v1/agents",
    "Les missions d'un intervenant, par son numen : ce que lit le portail d'une autre "
    "académie pour lui montrer ses missions dans celle-ci.",
)


class AgentMissionCentre(Schema):
    uai = fields.String(required=True)
    name = fields.String(required=True)
    town = fields.String(required=True)


class AgentMission(Schema):
    """A convocation as Consultation missions shows it (names, not ids: the reader
    is another académie's portal, which knows none of our ids)."""

    number = fields.Integer(required=True)
    exam = fields.String(required=True)
    session = fields.String(required=True)
    specialty = fields.String(required=True, allow_none=True)
    paper = fields.String(required=True, allow_none=True)
    mission_type = fields.String(required=True)
    first_day = fields.Date(required=True, allow_none=True)
    last_day = fields.Date(required=True, allow_none=True)
    centre = fields.Nested(AgentMissionCentre, required=True, allow_none=True)
    quality = fields.Nested(schemas.Labelled, required=True, allow_none=True)
    correction_state = fields.Nested(
        schemas.Labelled,
        required=True,
        allow_none=True,
        metadata={"description": "L'état de correction envoyé par SANTORIN."},
    )


@agents.route("/<string:numen>/missions", methods=["GET"])
@scoped(agents, "missions:lire")
@agents.arguments(schemas.PageArgs, location="query", error_status_code=400)
@agents.response(200, schemas.page_of(AgentMission, "AgentMissionPage"))
def list_agent_missions(args, numen, *, academy_id):
    """Les missions auxquelles l'intervenant de ce numen est convoqué dans l'académie
    (examen, spécialité, épreuve, type, numéro, dates, centre, qualité, état de
    correction SANTORIN), les plus récentes d'abord ; un numen inconnu n'en a aucune."""
    if len(numen) > api.NUMEN_MAX:
        raise ApiError(404)
    found = api.agent_missions(db.session, academy_id, numen, args["page"], args["page_size"])
    return page_body(found)
