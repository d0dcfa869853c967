"""The API's read resources: the referential, the missions and their convocations
(and convoking, through the convocation rules), the claims, the payment exports (and
the finance office's return)."""

from __future__ import annotations

from flask import Response

from app.extensions import db
from app.services.interfaces import api

from . import schemas
from .auth import current_client
from .common import api_blueprint, page_body, scoped

referential = api_blueprint(
    "api_referential",
    __name__,
    "/api/v1/referential",
    "Le référentiel : examens, spécialités, épreuves, sessions, types de mission "
    "(nationaux) et établissements de l'académie du client.",
)
missions = api_blueprint(
    "api_missions",
    __name__,
    "/api/v1",
    "Les missions, leurs créneaux et les convocations (affectations).",
)
claims = api_blueprint(
    "api_claims", __name__, "/api/v1/claims", "Les états de frais, leurs statuts et montants."
)
payments = api_blueprint(
    "api_payments",
    __name__,
    "/api/v1/payments",
    "Les lots de mise en paiement et le fichier retour de la liquidation.",
)


def _referential_route(kind: str, schema):
    page = schemas.page_of(schema, f"{schema.__name__}Page")

    @referential.arguments(schemas.PageArgs, location="query", error_status_code=400)
    @referential.response(200, page)
    @scoped(referential, "referentiel:lire")
    def listing(args, *, academy_id):
        found = api.referential(db.session, academy_id, kind, args["page"], args["page_size"])
        return page_body(found)

    listing.__name__ = listing.__qualname__ = f"list_{kind.replace('-', '_')}"
    listing.__doc__ = f"Liste paginée : {kind}."
    referential.route(f"/{kind}", endpoint=listing.__name__, methods=["GET"])(listing)


for _kind, _schema in schemas.REFERENTIAL_SCHEMAS.items():
    _referential_route(_kind, _schema)


# --- Missions -----------------------------------------------------------------------------


@missions.route("/missions", methods=["GET"])
@missions.arguments(schemas.SessionFilter, location="query", error_status_code=400)
@missions.response(200, schemas.page_of(schemas.Mission, "MissionPage"))
@scoped(missions, "missions:lire")
def list_missions(args, *, academy_id):
    """Les missions de l'académie, avec leurs créneaux."""
    found = api.missions(
        db.session, academy_id, args["page"], args["page_size"], session_id=args.get("session_id")
    )
    return page_body(found)


@missions.route("/missions/<int:mission_id>", methods=["GET"])
@missions.response(200, schemas.Mission)
@scoped(missions, "missions:lire")
def get_mission(mission_id, *, academy_id):
    """Une mission et ses créneaux."""
    return api.mission(db.session, academy_id, mission_id)


@missions.route("/assignments", methods=["GET"])
@missions.arguments(schemas.IdFilter, location="query", error_status_code=400)
@missions.response(200, schemas.page_of(schemas.Assignment, "AssignmentPage"))
@scoped(missions, "missions:lire")
def list_assignments(args, *, academy_id):
    """Les convocations (affectations) de l'académie, ou d'une mission."""
    found = api.assignments(
        db.session, academy_id, args["page"], args["page_size"], mission_id=args.get("mission_id")
    )
    return page_body(found)


@missions.route("/assignments/<int:assignment_id>", methods=["GET"])
@missions.response(200, schemas.Assignment)
@scoped(missions, "missions:lire")
def get_assignment(assignment_id, *, academy_id):
    """Une convocation (affectation)."""
    return api.assignment(db.session, academy_id, assignment_id)


@missions.route("/missions/<int:mission_id>/convocations", methods=["POST"])
@missions.arguments(schemas.Convocation, location="json")
@missions.response(201, schemas.Convoked)
@scoped(missions, "missions:ecrire")
def convoke(body, mission_id, *, academy_id):
    """Convoquer des intervenants à la mission : mêmes règles que l'écran du
    gestionnaire (compétence, dates, pas déjà convoqué) ; un refus ne convoque
    personne."""
    created = api.convoke(
        db.session,
        academy_id,
        mission_id,
        body["agent_ids"],
        quality=body.get("quality"),
        jury=body.get("jury"),
        by_user_id=current_client().created_by_id,
    )
    return {"items": created}


# --- Claims -------------------------------------------------------------------------------


@claims.route("", methods=["GET"])
@claims.arguments(schemas.IdFilter, location="query", error_status_code=400)
@claims.response(200, schemas.page_of(schemas.Claim, "ClaimPage"))
@scoped(claims, "etats:lire")
def list_claims(args, *, academy_id):
    """Les états de frais de l'académie, avec les statuts affichés (rémunération et
    déplacement) et les montants enregistrés."""
    found = api.claims(
        db.session, academy_id, args["page"], args["page_size"], mission_id=args.get("mission_id")
    )
    return page_body(found)


@claims.route("/<int:claim_id>", methods=["GET"])
@claims.response(200, schemas.ClaimDetail)
@scoped(claims, "etats:lire")
def get_claim(claim_id, *, academy_id):
    """Un état de frais, avec les montants calculés selon le barème."""
    return api.claim(db.session, academy_id, claim_id)


# --- Payments -----------------------------------------------------------------------------


@payments.route("/batches", methods=["GET"])
@payments.arguments(schemas.PageArgs, location="query", error_status_code=400)
@payments.response(200, schemas.page_of(schemas.Batch, "BatchPage"))
@scoped(payments, "paiements:lire")
def list_batches(args, *, academy_id):
    """Les lots de mise en paiement de l'académie, du plus récent au plus ancien."""
    return page_body(api.batches(db.session, academy_id, args["page"], args["page_size"]))


@payments.route("/batches/<int:batch_id>", methods=["GET"])
@payments.response(200, schemas.Batch)
@scoped(payments, "paiements:lire")
def get_batch(batch_id, *, academy_id):
    """Un lot de mise en paiement et ses totaux de contrôle."""
    return api.batch(db.session, academy_id, batch_id)


@payments.route("/batches/<int:batch_id>/file", methods=["GET"])
@payments.response(
    200,
    {"type": "string"},
    content_type="text/csv",
    description="Le fichier du lot (CSV, « ; », UTF-8).",
)
@scoped(payments, "paiements:lire")
def get_batch_file(batch_id, *, academy_id):
    """Le fichier CSV du lot, tel qu'il a été transmis à la liquidation."""
    name, content = api.batch_file(db.session, academy_id, batch_id)
    response = Response(content, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@payments.route("/returns", methods=["POST"])
@payments.arguments(schemas.ReturnRequest, location="json")
@payments.response(200, schemas.ReturnResult)
@scoped(payments, "paiements:ecrire")
def post_return(body, *, academy_id):
    """Le retour de la liquidation : chaque dossier payé (date) ou rejeté (motif),
    enregistré en entier ou pas du tout (les lignes en erreur sont listées)."""
    return api.return_lines(
        db.session, academy_id, body["lignes"], by_user_id=current_client().created_by_id
    )


BLUEPRINTS = (referential, missions, claims, payments)
