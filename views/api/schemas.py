"""The API's request and response schemas (marshmallow): they validate what a client
sends, shape what it gets, and are the OpenAPI specification (flask-smorest)."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from app.services.interfaces import api
from app.services.payments import returns
from models.enums import AssignmentQuality


def french(value) -> str:
    with force_locale("fr"):
        return str(value)


def Money(**kwargs):  # noqa: N802 - a field factory, named like the fields
    """An amount in euros, as a decimal string (``"12.50"``): never a float."""
    return fields.Decimal(
        places=2,
        as_string=True,
        allow_none=True,
        metadata={"type": "string", "format": "decimal", "example": "12.50"},
        **kwargs,
    )


class UtcDateTime(fields.DateTime):
    """A moment stored in UTC without its zone, given with it (``…Z``)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.isoformat().replace("+00:00", "Z")


class Labelled(Schema):
    """A status or a kind: its code and its French label."""

    code = fields.Function(lambda member: member.name, metadata={"type": "string"})
    label = fields.Function(lambda member: french(member.label), metadata={"type": "string"})


# --- Problems and pages ------------------------------------------------------------------


class FieldProblem(Schema):
    field = fields.String(required=True)
    message = fields.String(required=True)


class Problem(Schema):
    """``application/problem+json`` (RFC 9457): ``detail`` is in French."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldProblem))


class PageArgs(Schema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(
            1, api.MAX_PAGE, error=_l("A page number from 1 to {max} is expected.")
        ),
        metadata={"description": "Numéro de page, à partir de 1."},
    )
    page_size = fields.Integer(
        load_default=api.DEFAULT_PAGE_SIZE,
        validate=validate.Range(
            1, api.MAX_PAGE_SIZE, error=_l("A page size from 1 to {max} is expected.")
        ),
        metadata={"description": "Lignes par page (100 au plus)."},
    )


class IdFilter(PageArgs):
    """A page, optionally of one mission's records."""

    mission_id = fields.Integer(
        validate=validate.Range(1, 2**31 - 1, error=_l("An identifier is expected.")),
        metadata={"description": "Seulement les enregistrements de cette mission."},
    )


class SessionFilter(PageArgs):
    session_id = fields.Integer(
        validate=validate.Range(1, 2**31 - 1, error=_l("An identifier is expected.")),
        metadata={"description": "Seulement les missions de cette session."},
    )


class Links(Schema):
    self = fields.String(required=True)
    next = fields.String(allow_none=True, required=True)
    prev = fields.String(allow_none=True, required=True)


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """The schema of a page of ``item``: the items, the total and the links."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "total": fields.Integer(required=True),
            "page": fields.Integer(required=True),
            "page_size": fields.Integer(required=True),
            "links": fields.Nested(Links, required=True),
        },
        name=name,
    )


# --- Referential ----------------------------------------------------------------------


class Exam(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(allow_none=True)


class Specialty(Schema):
    id = fields.Integer(required=True)
    exam_id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)


class Paper(Schema):
    id = fields.Integer(required=True)
    specialty_id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)


class ExamSession(Schema):
    id = fields.Integer(required=True)
    exam_id = fields.Integer(required=True)
    name = fields.String(required=True)
    year = fields.Integer(required=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)


class MissionType(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    fee_family = fields.Nested(Labelled, required=True)
    has_fee = fields.Boolean(required=True)
    reimburses_travel = fields.Boolean(required=True)
    active = fields.Boolean(required=True)


class Establishment(Schema):
    id = fields.Integer(required=True)
    uai = fields.String(required=True)
    name = fields.String(required=True)
    category = fields.Nested(Labelled, required=True)
    address = fields.String(allow_none=True)
    postcode = fields.String(required=True)
    town = fields.String(required=True)
    is_exam_centre = fields.Boolean(required=True)


REFERENTIAL_SCHEMAS = {
    "exams": Exam,
    "specialties": Specialty,
    "papers": Paper,
    "sessions": ExamSession,
    "mission-types": MissionType,
    "establishments": Establishment,
}


# --- Missions ---------------------------------------------------------------------------


class Slot(Schema):
    id = fields.Integer(required=True)
    day = fields.Date(required=True)
    start_time = fields.Time(required=True, metadata={"example": "08:00:00"})
    duration = fields.Nested(Labelled, required=True)


class Mission(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    mission_type_id = fields.Integer(required=True)
    session_id = fields.Integer(required=True)
    specialty_id = fields.Integer(allow_none=True)
    paper_id = fields.Integer(allow_none=True)
    centre_id = fields.Integer(allow_none=True)
    first_day = fields.Date(allow_none=True)
    last_day = fields.Date(allow_none=True)
    observations = fields.String(allow_none=True)
    slots = fields.List(fields.Nested(Slot), required=True)


class Agent(Schema):
    id = fields.Integer(required=True)
    last_name = fields.String(required=True)
    first_name = fields.String(required=True)
    numen = fields.String(allow_none=True)
    external_id = fields.String(allow_none=True)


class Assignment(Schema):
    id = fields.Integer(required=True)
    mission_id = fields.Integer(required=True)
    agent = fields.Nested(Agent, required=True)
    quality = fields.Nested(Labelled, allow_none=True)
    jury = fields.String(allow_none=True)
    convoked_at = UtcDateTime(required=True)
    service_done_on = fields.Date(allow_none=True)
    cancelled_at = UtcDateTime(allow_none=True)
    claim_id = fields.Function(
        lambda assignment: assignment.claim.id if assignment.claim else None,
        metadata={"type": "integer", "nullable": True},
    )


class Convocation(Schema):
    """Convoke contributors to the mission, under the rules of the manager's screen
    (competence, dates, not already convoked)."""

    agent_ids = fields.List(
        fields.Integer(
            validate=validate.Range(1, 2**31 - 1, error=_l("An identifier is expected."))
        ),
        required=True,
        validate=validate.Length(
            1, api.MAX_CONVOKED, error=_l("From 1 to {max} contributors at once.")
        ),
    )
    quality = fields.String(
        allow_none=True,
        validate=validate.OneOf(
            [member.name for member in AssignmentQuality], error=_l("Unknown quality.")
        ),
    )
    jury = fields.String(
        allow_none=True,
        validate=validate.Length(max=40, error=_l("{max} characters at most.")),
    )


class Convoked(Schema):
    items = fields.List(fields.Nested(Assignment), required=True)


# --- Claims -----------------------------------------------------------------------------


class Claim(Schema):
    id = fields.Integer(attribute="claim.id", required=True)
    number = fields.String(attribute="claim.number", allow_none=True)
    assignment_id = fields.Integer(attribute="claim.assignment_id", required=True)
    fee_status = fields.Nested(Labelled, required=True)
    travel_status = fields.Nested(Labelled, required=True)
    fee_amount = Money(attribute="claim.fee_amount")
    travel_amount = Money(attribute="claim.travel_amount")
    validated_at = UtcDateTime(attribute="claim.validated_at", allow_none=True)
    accepted_at = UtcDateTime(attribute="claim.accepted_at", allow_none=True)
    fee_paid_on = fields.Date(attribute="claim.fee_paid_on", allow_none=True)
    travel_paid_on = fields.Date(attribute="claim.travel_paid_on", allow_none=True)
    fee_payment_rejection = fields.String(attribute="claim.fee_payment_rejection", allow_none=True)
    travel_payment_rejection = fields.String(
        attribute="claim.travel_payment_rejection", allow_none=True
    )
    payment_batch_id = fields.Integer(attribute="claim.payment_batch_id", allow_none=True)


class ClaimDetail(Claim):
    """One claim, with the amounts the barème gives now (``null`` when the barème lacks
    a rate, or when the manager prices the fee)."""

    computed_fee_amount = Money(attribute="fee_computed")
    computed_travel_amount = Money(attribute="travel_computed")
    incomplete_rates = fields.Boolean(attribute="incomplete_rates", allow_none=True)


# --- Payments ---------------------------------------------------------------------------


class Batch(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    created_at = UtcDateTime(required=True)
    file_name = fields.String(allow_none=True)
    claim_count = fields.Integer(required=True)
    fee_rows = fields.Integer(required=True)
    fee_total = Money()
    travel_rows = fields.Integer(required=True)
    travel_total = Money()


class ReturnLine(Schema):
    """A line of the finance office's return file (its columns, see the README)."""

    numero_dossier = fields.String(
        required=True, validate=validate.Length(1, 20, error=_l("From 1 to 20 characters."))
    )
    nature = fields.String(
        required=True,
        validate=validate.OneOf(
            ["REMUNERATION", "DEPLACEMENT"], error=_l("REMUNERATION or DEPLACEMENT expected.")
        ),
    )
    resultat = fields.String(
        required=True,
        validate=validate.OneOf(
            [returns.PAID, returns.REJECTED], error=_l("PAYE or REJETE expected.")
        ),
    )
    date_paiement = fields.Date(allow_none=True, metadata={"description": "Si PAYE."})
    motif_rejet = fields.String(
        allow_none=True,
        validate=validate.Length(max=returns.MAX_REASON, error=_l("{max} characters at most.")),
        metadata={"description": "Si REJETE."},
    )


class ReturnRequest(Schema):
    lignes = fields.List(
        fields.Nested(ReturnLine),
        required=True,
        validate=validate.Length(1, api.MAX_RETURN_LINES, error=_l("From 1 to {max} lines.")),
    )


class ReturnResult(Schema):
    paid = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    message = fields.Function(lambda result: french(result.message), metadata={"type": "string"})


# Text a person or a system types: no control character (PostgreSQL refuses NUL in text).
PRINTABLE = validate.Regexp(
    r"^[^\x00-\x1f\x7f]*$", error=_l("Control characters are not accepted.")
)


class CorrectionLine(Schema):
    """A corrector's copies on a mission, as SANTORIN sends them (the columns of the
    corrections file, see the README)."""

    numero_mission = fields.Integer(
        required=True,
        validate=validate.Range(1, 2**31 - 1, error=_l("From {min} to {max}.")),
    )
    identifiant = fields.String(
        required=True,
        validate=[validate.Length(1, 20, error=_l("From 1 to 20 characters.")), PRINTABLE],
        metadata={"description": "Numen ou identifiant de l'intervenant extérieur."},
    )
    copies = fields.Integer(
        required=True, validate=validate.Range(0, 10_000, error=_l("From {min} to {max}."))
    )
    etat = fields.String(
        required=True,
        validate=[validate.Length(1, 40, error=_l("From 1 to 40 characters.")), PRINTABLE],
        metadata={
            "description": "A_CORRIGER, A_NUMERISER ou SERVICE_FAIT (ou les libellés : "
            "« A corriger dans SANTORIN »…)."
        },
    )
    session = fields.String(
        allow_none=True,
        validate=[validate.Length(max=40, error=_l("{max} characters at most.")), PRINTABLE],
        metadata={"description": "Vide : la session de la mission."},
    )
    vague = fields.String(
        allow_none=True,
        validate=[validate.Length(max=20, error=_l("{max} characters at most.")), PRINTABLE],
    )


class CorrectionsRequest(Schema):
    lignes = fields.List(
        fields.Nested(CorrectionLine),
        required=True,
        validate=validate.Length(1, api.MAX_CORRECTION_LINES, error=_l("From 1 to {max} lines.")),
    )
    ignorer_refusees = fields.Boolean(
        load_default=False,
        metadata={"description": "Enregistrer les lignes valides et ignorer les autres."},
    )


class CorrectionRefusal(Schema):
    ligne = fields.Integer(required=True, attribute="line")
    colonne = fields.String(required=True, attribute="column")
    valeur = fields.String(required=True, attribute="value")
    motif = fields.Function(lambda refusal: french(refusal.reason), metadata={"type": "string"})


class CorrectionsResult(Schema):
    lignes = fields.Function(lambda plan: plan.lines, metadata={"type": "integer"})
    nouvelles = fields.Function(lambda plan: plan.new.count, metadata={"type": "integer"})
    modifiees = fields.Function(lambda plan: plan.changed.count, metadata={"type": "integer"})
    inchangees = fields.Function(lambda plan: plan.unchanged.count, metadata={"type": "integer"})
    refusees = fields.Function(lambda plan: plan.refused_count, metadata={"type": "integer"})
    lignes_refusees = fields.Function(
        lambda plan: CorrectionRefusal(many=True).dump(plan.refusals),
        metadata={"type": "array", "items": {"type": "object"}},
    )
