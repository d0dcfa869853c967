"""The API's read resources: the referential, the missions and their convocations
(and convoking, through the convocation rules), the claims, the payment exports (and
the finance office's return), and the corrections SANTORIN sends."""

from __future__ import annotations

from flask import Response

from app.extensions import db
from app.services.interfaces import api

from . import schemas
from .agents import agents
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
corrections = api_blueprint(
    "api_corrections",
    __name__,
    "/api/v1/corrections",
    "Les corrections dématérialisées envoyées par SANTORIN : copies corrigées et état de "
    "correction, par mission et correcteur.",
)


def _referential_route(kind: str, schema):
    page = schemas.page_of(schema, f"{schema.__name__}Page")

    @scoped(referential, "referentiel:lire")
    @referential.arguments(schemas.PageArgs, location="query", error_status_code=400)
    @referential.response(200, page)
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
@scoped(missions, "missions:lire")
@missions.arguments(schemas.SessionFilter, location="query", error_status_code=400)
@missions.response(200, schemas.page_of(schemas.Mission, "MissionPage"))
def list_missions(args, *, academy_id):
    """Les missions de l'académie, avec leurs créneaux."""
    found = api.missions(
        db.session, academy_id, args["page"], args["page_size"], session_id=args.get("session_id")
    )
    return page_body(found)


@missions.route("/missions/<int:mission_id>", methods=["GET"])
@scoped(missions, "missions:lire")
@missions.response(200, schemas.Mission)
def get_mission(mission_id, *, academy_id):
    """Une mission et ses créneaux."""
    return api.mission(db.session, academy_id, mission_id)


@missions.route("/assignments", methods=["GET"])
@scoped(missions, "missions:lire")
@missions.arguments(schemas.IdFilter, location="query", error_status_code=400)
@missions.response(200, schemas.page_of(schemas.Assignment, "AssignmentPage"))
def list_assignments(args, *, academy_id):
    """Les convocations (affectations) de l'académie, ou d'une mission."""
    found = api.assignments(
        db.session, academy_id, args["page"], args["page_size"], mission_id=args.get("mission_id")
    )
    return page_body(found)


@missions.route("/assignments/<int:assignment_id>", methods=["GET"])
@scoped(missions, "missions:lire")
@missions.response(200, schemas.Assignment)
def get_assignment(assignment_id, *, academy_id):
    """Une convocation (affectation)."""
    return api.assignment(db.session, academy_id, assignment_id)


@missions.route("/missions/<int:mission_id>/convocations", methods=["POST"])
@scoped(missions, "missions:ecrire")
@missions.arguments(schemas.Convocation, location="json")
@missions.response(201, schemas.Convoked)
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
@scoped(claims, "etats:lire")
@claims.arguments(schemas.IdFilter, location="query", error_status_code=400)
@claims.response(200, schemas.page_of(schemas.Claim, "ClaimPage"))
def list_claims(args, *, academy_id):
    """Les états de frais de l'académie, avec les statuts affichés (rémunération et
    déplacement) et les montants enregistrés."""
    found = api.claims(
        db.session, academy_id, args["page"], args["page_size"], mission_id=args.get("mission_id")
    )
    return page_body(found)


@claims.route("/<int:claim_id>", methods=["GET"])
@scoped(claims, "etats:lire")
@claims.response(200, schemas.ClaimDetail)
def get_claim(claim_id, *, academy_id):
    """Un état de frais, avec les montants calculés selon le barème."""
    return api.claim(db.session, academy_id, claim_id)


# --- Payments -----------------------------------------------------------------------------


@payments.route("/batches", methods=["GET"])
@scoped(payments, "paiements:lire")
@payments.arguments(schemas.PageArgs, location="query", error_status_code=400)
@payments.response(200, schemas.page_of(schemas.Batch, "BatchPage"))
def list_batches(args, *, academy_id):
    """Les lots de mise en paiement de l'académie, du plus récent au plus ancien."""
    return page_body(api.batches(db.session, academy_id, args["page"], args["page_size"]))


@payments.route("/batches/<int:batch_id>", methods=["GET"])
@scoped(payments, "paiements:lire")
@payments.response(200, schemas.Batch)
def get_batch(batch_id, *, academy_id):
    """Un lot de mise en paiement et ses totaux de contrôle."""
    return api.batch(db.session, academy_id, batch_id)


@payments.route("/batches/<int:batch_id>/file", methods=["GET"])
@scoped(payments, "paiements:lire")
@payments.response(
    200,
    {"type": "string"},
    content_type="text/csv",
    description="Le fichier du lot (CSV, « ; », UTF-8).",
)
def get_batch_file(batch_id, *, academy_id):
    """Le fichier CSV du lot, tel qu'il a été transmis à la liquidation."""
    name, content = api.batch_file(db.session, academy_id, batch_id)
    response = Response(content, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@payments.route("/returns", methods=["POST"])
@scoped(payments, "paiements:ecrire")
@payments.arguments(schemas.ReturnRequest, location="json")
@payments.response(200, schemas.ReturnResult)
def post_return(body, *, academy_id):
    """Le retour de la liquidation : chaque dossier payé (date) ou rejeté (motif),
    enregistré en entier ou pas du tout (les lignes en erreur sont listées)."""
    return api.return_lines(
        db.session, academy_id, body["lignes"], by_user_id=current_client().created_by_id
    )


@corrections.route("", methods=["POST"])
@scoped(corrections, "corrections:ecrire")
@corrections.arguments(schemas.CorrectionsRequest, location="json")
@corrections.response(200, schemas.CorrectionsResult)
def post_corrections(body, *, academy_id):
    """Les copies corrigées et l'état de correction de chaque correcteur : les mêmes
    contrôles que l'import du fichier SANTORIN, les états de frais remplis (regroupés par
    session et vague). Tout ou rien, sauf avec `ignorer_refusees`."""
    return api.push_corrections(
        db.session,
        academy_id,
        body["lignes"],
        skip_refused=body["ignorer_refusees"],
        by_user_id=current_client().created_by_id,
    )


BLUEPRINTS = (referential, missions, claims, payments, corrections, agents)
