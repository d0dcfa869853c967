"""Every closed list of values of the domain, as Python enums.

A status or a category is never a free string: columns use ``enum_column`` (a
VARCHAR with a CHECK constraint, so that adding a value is a plain migration on
PostgreSQL and SQLite alike). Labels are msgids in English; the French wording of the
seeds comes from the French catalogue.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class LabelledEnum(enum.Enum):
    """An enum whose members carry a translatable label (``member.label``)."""

    @property
    def label(self):
        return LABELS[self]

    def __str__(self) -> str:  # used by WTForms / FAB when rendering values
        return str(self.label)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.name, str(member.label)) for member in cls]


class Service(LabelledEnum):
    """A service of the portal: the population it serves, with its own menu."""

    TEACHER = "enseignant"
    HEAD = "chef_etablissement"
    MANAGER = "gestionnaire"
    EXTERNAL = "intervenant_exterieur"
    ADMIN = "admin"


class EstablishmentCategory(LabelledEnum):
    COLLEGE = "CLG"
    LGT = "LGT"
    LP = "LP"
    LPO = "LPO"
    EREA = "EREA"
    HIGHER = "SUP"
    ADMINISTRATION = "ADM"
    OTHER = "AUT"


class EstablishmentLinkType(LabelledEnum):
    """How an agent is attached to an establishment ("Type établissement")."""

    PRINCIPAL = "PRINCIPAL"
    SECONDARY = "SECONDAIRE"
    HEAD = "DIRECTION"


class LodgingZone(LabelledEnum):
    """Night allowance zone of a town (arrêté of 3 July 2006 as amended)."""

    STANDARD = "standard"
    LARGE_CITY = "grande_ville"
    PARIS = "paris"


class AgentKind(LabelledEnum):
    TEACHER = "enseignant"
    HEAD = "chef"
    INSPECTOR = "inspecteur"
    ADMINISTRATIVE = "administratif"
    EXTERNAL = "exterieur"


class AgentStatus(LabelledEnum):
    """Whether the staff import still lists an agent (``Agent.active``)."""

    ACTIVE = "actif"
    INACTIVE = "inactif"


class Civility(LabelledEnum):
    MR = "M."
    MRS = "Mme"


class EndorsementAuthor(LabelledEnum):
    """Who confirmed or invalidated a competence (the "Auteurs" column)."""

    SYSTEM = "SYS"
    ESTABLISHMENT = "UAI"
    AGENT = "NUMEN"
    MANAGER = "GEST"


class EndorsementVerdict(LabelledEnum):
    CONFIRMED = "C"
    INVALIDATED = "I"


class FeeEntryFamily(LabelledEnum):
    """What the agent enters for the fee part of a claim (DESIGN.md §4)."""

    COPIES = "copies"
    CANDIDATES = "candidats"
    HALF_DAY_TIMES = "horaires"
    DURATION = "duree"
    AUTOMATIC = "automatique"
    NONE = "aucune"


class JobState(LabelledEnum):
    """Where a background job is: waiting for a worker, running, finished or failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportState(LabelledEnum):
    """Where an import of a file is: its dry run being made or shown, being applied,
    applied, refused (a file or lines that cannot be read) or failed."""

    PLANNING = "planning"
    PLANNED = "planned"
    APPLYING = "applying"
    APPLIED = "applied"
    REFUSED = "refused"
    FAILED = "failed"


class MailState(LabelledEnum):
    """An outgoing mail: waiting for a worker, sent, or never sent (no address known)."""

    PENDING = "pending"
    SENT = "sent"
    NO_ADDRESS = "no_address"


class DocumentKind(LabelledEnum):
    """A PDF document the portal renders once and stores (``StoredDocument``)."""

    CLAIM_RECAP = "recapitulatif"  # owner: the expense claim
    CONVOCATION = "convocation"  # owner: the assignment


class SlotDuration(LabelledEnum):
    HALF_DAY = "demi_journee"
    DAY = "journee"


class DayPart(LabelledEnum):
    """The part of each day an unavailability covers (« Journée », « Matin »,
    « Après-midi »)."""

    DAY = "journee"
    MORNING = "matin"
    AFTERNOON = "apres_midi"


class AssignmentUnit(LabelledEnum):
    """What a place of a mission weighs towards an agent's load cap in a session
    (automatic assignment): copies, candidates or half-days."""

    COPIES = "copies"
    CANDIDATES = "candidats"
    HALF_DAYS = "demi_journees"


class AssignmentRunState(LabelledEnum):
    """Where an automatic assignment (a proposal) is."""

    PROPOSING = "proposing"
    PROPOSED = "proposed"
    CONVOKING = "convoking"
    CONVOKED = "convoked"
    FAILED = "failed"
    DISCARDED = "discarded"


class GapReason(LabelledEnum):
    """Why places of a mission stay empty in a proposal."""

    NO_COMPETENT = "no_competent"
    NONE_FREE = "none_free"
    TAKEN_ELSEWHERE = "taken_elsewhere"
    REMOVED = "removed"


class AssignmentQuality(LabelledEnum):
    CORRECTOR = "correcteur"
    EXAMINER = "interrogateur"
    JURY_MEMBER = "membre_jury"
    PRESIDENT = "president"
    VICE_PRESIDENT = "vice_president"
    INVIGILATOR = "surveillant"
    TEACHING_MEMBER = "membre_enseignement"
    PROFESSIONAL_MEMBER = "membre_professionnel"
    ASSISTANT = "aide"
    DELIBERATION_LEAD = "responsable_deliberation"


class ClaimStatus(LabelledEnum):
    """Status of the fee part or of the travel part of an expense claim.

    NOT_STARTED, IN_PROGRESS and NOT_VALIDATED are one stored state: the stored value
    is NOT_VALIDATED and the displayed one follows from the mission dates
    (``app.services.claims.displayed_status``).
    """

    NO_FEE = "pas_de_frais"
    CANCELLED = "annule"
    NOT_STARTED = "mission_non_effectuee"
    IN_PROGRESS = "mission_en_cours"
    NOT_VALIDATED = "non_valide"
    VALIDATED = "valide"
    ACCEPTED = "valide_gestionnaire"
    NOT_VALIDATABLE = "invalidable"
    PROCESSED_BY_MANAGER = "traite_gestionnaire"
    TO_BE_PROCESSED = "a_traiter_gestionnaire"
    SENT_FOR_PAYMENT = "transmis_liquidation"


class ClaimPart(LabelledEnum):
    FEE = "remuneration"
    TRAVEL = "deplacement"


class TransportMode(LabelledEnum):
    CAR = "automobile"
    TRAIN = "train_2e_classe"
    PUBLIC_TRANSPORT = "transport_en_commun"
    TRAVEL_VOUCHER = "bon_de_transport"
    PASSENGER = "passager"


class DocumentDossier(LabelledEnum):
    PAY = "paie"
    TRAVEL = "deplacement"


class DocumentPiece(LabelledEnum):
    """Which supporting document a file is (the agent says it when uploading)."""

    RIB = "rib"
    HEALTH_CARD = "carte_vitale"
    HOTEL_INVOICE = "facture_hotel"
    TRANSPORT_TICKET = "billet"
    MISC_RECEIPT = "justificatif_divers"
    OTHER = "autre"


class RateKind(LabelledEnum):
    """Lines of a barème."""

    FEE_PER_COPY = "copie"
    FEE_PER_HOUR = "heure"
    MEAL = "repas"
    NIGHT = "nuitee"
    KILOMETRE = "kilometre"


class MessageKind(LabelledEnum):
    WELCOME = "accueil"
    CONDITIONS = "conditions"


class CorrectionStatus(LabelledEnum):
    """Where a corrector's dematerialised correction is, as SANTORIN last sent it (the
    access portal's "Etat correction"); values are the codes of the SANTORIN file."""

    TO_CORRECT = "A_CORRIGER"
    TO_DIGITISE = "A_NUMERISER"
    DONE = "SERVICE_FAIT"


class DcsSituation(LabelledEnum):
    """Enquête DCS, step 1 « Activité »: the teacher's current situation."""

    ACTIVE = "en_activite"
    PART_TIME = "temps_partiel"
    RETIRED = "retraite"
    OTHER = "autre"


class DcsPart(LabelledEnum):
    """Enquête DCS: the step a chosen paper belongs to."""

    TEACHING = "enseignement"
    WRITTEN = "ecrit"
    ORAL = "oral"


class DcsAnswerState(LabelledEnum):
    """Enquête DCS: where a teacher's answers are (computed, not stored)."""

    NOT_STARTED = "non_commencee"
    IN_PROGRESS = "en_cours"
    VALIDATED = "validee"


LABELS = {
    Service.TEACHER: _l("Teacher"),
    Service.HEAD: _l("School head"),
    Service.MANAGER: _l("Manager"),
    Service.EXTERNAL: _l("External contributor"),
    Service.ADMIN: _l("Administrator"),
    EstablishmentCategory.COLLEGE: _l("Lower secondary school"),
    EstablishmentCategory.LGT: _l("General and technological upper secondary school"),
    EstablishmentCategory.LP: _l("Vocational upper secondary school"),
    EstablishmentCategory.LPO: _l("Multi-purpose upper secondary school"),
    EstablishmentCategory.EREA: _l("Regional adapted education school"),
    EstablishmentCategory.HIGHER: _l("Higher education"),
    EstablishmentCategory.ADMINISTRATION: _l("Administrative service"),
    EstablishmentCategory.OTHER: _l("Other establishment"),
    EstablishmentLinkType.PRINCIPAL: _l("MAIN"),
    EstablishmentLinkType.SECONDARY: _l("SECONDARY"),
    EstablishmentLinkType.HEAD: _l("MANAGEMENT"),
    LodgingZone.STANDARD: _l("Standard rate"),
    LodgingZone.LARGE_CITY: _l("City of 200,000 inhabitants or more"),
    LodgingZone.PARIS: _l("Paris"),
    AgentKind.TEACHER: _l("Teacher"),
    AgentKind.HEAD: _l("School head"),
    AgentKind.INSPECTOR: _l("Inspector"),
    AgentKind.ADMINISTRATIVE: _l("Administrative staff"),
    AgentKind.EXTERNAL: _l("External professional"),
    AgentStatus.ACTIVE: _l("Active"),
    AgentStatus.INACTIVE: _l("Inactive"),
    Civility.MR: _l("Mr"),
    Civility.MRS: _l("Mrs"),
    EndorsementAuthor.SYSTEM: _l("System"),
    EndorsementAuthor.ESTABLISHMENT: _l("Establishment"),
    EndorsementAuthor.AGENT: _l("Agent"),
    EndorsementAuthor.MANAGER: _l("Manager"),
    EndorsementVerdict.CONFIRMED: _l("Confirmed"),
    EndorsementVerdict.INVALIDATED: _l("Invalidated"),
    FeeEntryFamily.COPIES: _l("Number of copies"),
    FeeEntryFamily.CANDIDATES: _l("Number of candidates"),
    FeeEntryFamily.HALF_DAY_TIMES: _l("Times per half-day"),
    FeeEntryFamily.DURATION: _l("Hours and minutes"),
    FeeEntryFamily.AUTOMATIC: _l("Filled in by the correction system"),
    FeeEntryFamily.NONE: _l("Nothing to enter"),
    SlotDuration.HALF_DAY: _l("half-day"),
    SlotDuration.DAY: _l("day"),
    AssignmentUnit.COPIES: _l("copies"),
    AssignmentUnit.CANDIDATES: _l("candidates"),
    AssignmentUnit.HALF_DAYS: _l("half-days"),
    AssignmentRunState.PROPOSING: _l("Proposal in progress"),
    AssignmentRunState.PROPOSED: _l("Proposed"),
    AssignmentRunState.CONVOKING: _l("Convocation in progress"),
    AssignmentRunState.CONVOKED: _l("Convocations made"),
    AssignmentRunState.FAILED: _l("Proposal failed"),
    AssignmentRunState.DISCARDED: _l("Discarded"),
    GapReason.NO_COMPETENT: _l("No competent contributor"),
    GapReason.NONE_FREE: _l("No competent contributor free within the rules"),
    GapReason.TAKEN_ELSEWHERE: _l("The competent contributors free are proposed elsewhere"),
    GapReason.REMOVED: _l("Removed by the manager"),
    AssignmentQuality.CORRECTOR: _l("CORRECTOR"),
    AssignmentQuality.EXAMINER: _l("EXAMINER"),
    AssignmentQuality.JURY_MEMBER: _l("JURY MEMBER"),
    AssignmentQuality.PRESIDENT: _l("PRESIDENT"),
    AssignmentQuality.VICE_PRESIDENT: _l("VICE-PRESIDENT"),
    AssignmentQuality.INVIGILATOR: _l("INVIGILATOR"),
    AssignmentQuality.TEACHING_MEMBER: _l("TEACHING MEMBER"),
    AssignmentQuality.PROFESSIONAL_MEMBER: _l("PROFESSIONAL MEMBER"),
    AssignmentQuality.ASSISTANT: _l("EXAM ASSISTANT"),
    AssignmentQuality.DELIBERATION_LEAD: _l("DELIBERATION LEAD"),
    ClaimStatus.NO_FEE: _l("No expenses"),
    ClaimStatus.CANCELLED: _l("Cancelled"),
    ClaimStatus.NOT_STARTED: _l("Mission not carried out"),
    ClaimStatus.IN_PROGRESS: _l("Mission in progress"),
    ClaimStatus.NOT_VALIDATED: _l("Not validated"),
    ClaimStatus.VALIDATED: _l("Validated"),
    ClaimStatus.ACCEPTED: _l("Validated by manager"),
    ClaimStatus.NOT_VALIDATABLE: _l("Not validatable"),
    ClaimStatus.PROCESSED_BY_MANAGER: _l("Processed by the manager"),
    ClaimStatus.TO_BE_PROCESSED: _l("To be processed by the manager"),
    ClaimStatus.SENT_FOR_PAYMENT: _l("Sent for payment"),
    ClaimPart.FEE: _l("Fee"),
    ClaimPart.TRAVEL: _l("Travel"),
    TransportMode.CAR: _l("CAR"),
    TransportMode.TRAIN: _l("TRAIN 2ND CLASS"),
    TransportMode.PUBLIC_TRANSPORT: _l("PUBLIC TRANSPORT"),
    TransportMode.TRAVEL_VOUCHER: _l("TRAVEL VOUCHER PLANE, TRAIN OR BOAT"),
    TransportMode.PASSENGER: _l("PASSENGER"),
    DocumentDossier.PAY: _l("pay file"),
    DocumentDossier.TRAVEL: _l("travel file"),
    DocumentPiece.RIB: _l("Bank details (IBAN)"),
    DocumentPiece.HEALTH_CARD: _l("Copy of the health insurance card"),
    DocumentPiece.HOTEL_INVOICE: _l("Hotel invoices"),
    DocumentPiece.TRANSPORT_TICKET: _l("Transport tickets"),
    DocumentPiece.MISC_RECEIPT: _l("Miscellaneous receipts"),
    DocumentPiece.OTHER: _l("Other document"),
    RateKind.FEE_PER_COPY: _l("Fee per copy"),
    RateKind.FEE_PER_HOUR: _l("Fee per hour"),
    RateKind.MEAL: _l("Meal"),
    RateKind.NIGHT: _l("Night"),
    RateKind.KILOMETRE: _l("Kilometre allowance"),
    MessageKind.WELCOME: _l("Welcome message"),
    MessageKind.CONDITIONS: _l("Conditions of use"),
    CorrectionStatus.TO_CORRECT: _l("To be corrected in SANTORIN"),
    CorrectionStatus.TO_DIGITISE: _l("To be digitised in SANTORIN"),
    CorrectionStatus.DONE: _l("Service done SANTORIN"),
    JobState.QUEUED: _l("Queued"),
    JobState.RUNNING: _l("Running"),
    JobState.DONE: _l("Done"),
    JobState.FAILED: _l("Failed"),
    ImportState.PLANNING: _l("Dry run in progress"),
    ImportState.PLANNED: _l("Dry run shown"),
    ImportState.APPLYING: _l("Being applied"),
    ImportState.APPLIED: _l("Applied"),
    ImportState.REFUSED: _l("Refused"),
    ImportState.FAILED: _l("Failed"),
    MailState.PENDING: _l("To be sent"),
    MailState.SENT: _l("Sent"),
    MailState.NO_ADDRESS: _l("No e-mail address"),
    DocumentKind.CLAIM_RECAP: _l("Summary of the expense claim"),
    DocumentKind.CONVOCATION: _l("Convocation"),
    DcsSituation.ACTIVE: _l("In activity"),
    DcsSituation.PART_TIME: _l("Part-time"),
    DcsSituation.RETIRED: _l("Retired"),
    DcsSituation.OTHER: _l("Other situation"),
    DcsPart.TEACHING: _l("Teaching units"),
    DcsPart.WRITTEN: _l("Written papers"),
    DcsPart.ORAL: _l("Oral papers"),
    DcsAnswerState.NOT_STARTED: _l("Not started"),
    DcsAnswerState.IN_PROGRESS: _l("In progress"),
    DcsAnswerState.VALIDATED: _l("Answers confirmed"),
    DayPart.DAY: _l("Whole day"),
    DayPart.MORNING: _l("Morning"),
    DayPart.AFTERNOON: _l("Afternoon"),
}
