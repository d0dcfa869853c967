"""The demo académie's data, as tables (used by ``app.seeds.demo``)."""

from __future__ import annotations

from dataclasses import dataclass

from models.enums import (
    AssignmentQuality,
    ClaimStatus,
    EstablishmentCategory,
    FeeEntryFamily,
    Service,
    SlotDuration,
)

Cat = EstablishmentCategory

ESTABLISHMENTS = (
    # (UAI body, name, category, postcode, town, academy)
    ("0350024", "LGT EMILE ZOLA", Cat.LGT, "35044", "RENNES CEDEX", "RENNES"),
    ("0560026", "LGT JOSEPH LOTH", Cat.LGT, "56306", "PONTIVY CEDEX", "RENNES"),
    ("0220056", "LP ROSA PARKS", Cat.LP, "22110", "ROSTRENEN", "RENNES"),
    ("0221595", "CLG JULES FERRY", Cat.COLLEGE, "22390", "BOURBRIAC", "RENNES"),
    ("0350042", "LGT JOLIOT-CURIE", Cat.LGT, "35703", "RENNES CEDEX 7", "RENNES"),
    ("0560051", "LPO JEAN MACE", Cat.LPO, "56325", "LANESTER CEDEX", "RENNES"),
    ("0351907", "CLG ROSA PARKS", Cat.COLLEGE, "35064", "RENNES CEDEX", "RENNES"),
    ("0350710", "LGT VICTOR ET HELENE BASCH", Cat.LGT, "35043", "RENNES CEDEX", "RENNES"),
    ("0351122", "CLG LA ROCHE AUX FEES", Cat.COLLEGE, "35240", "RETIERS", "RENNES"),
    (
        "0352686",
        "DEXACO DIV. DES EXAMENS ET CONCOURS",
        Cat.ADMINISTRATION,
        "35042",
        "RENNES",
        "RENNES",
    ),
    ("0650012", "LG MICHELET", Cat.LGT, "65300", "LANNEMEZAN CEDEX", "TOULOUSE"),
)

EXAMS = (
    # code, name, short, categories, specialties: (code, name, papers: (code, name, copy, hour))
    (
        "BTS",
        "BREVET DE TECHNICIEN SUPERIEUR",
        "BTS",
        (Cat.LGT, Cat.LPO, Cat.LP),
        (
            (
                "31210",
                "BANQUE OPT.A MARCHE PARTICULIER",
                (("E4-A", "GESTION RELATION CLIENT", 4, 3),),
            ),
            ("31406", "COMPTA&GEST. DES ORGANISATIONS", (("U3", "MATHEMATIQUES", 4, 3),)),
        ),
    ),
    (
        "BCG",
        "BACCALAUREAT GENERAL",
        "BG",
        (Cat.LGT, Cat.LPO),
        (
            ("L", "LITTERAIRE", (("LV3A", "LANGUE VIVANTE 3 ANGLAIS", 5, 3),)),
            (
                "ES",
                "ECONOMIQUE ET SOCIALE",
                (
                    ("MATS", "MATHEMATIQUES SPECIALISTE", 5, 3),
                    ("MATNS", "MATHEMATIQUES NON SPECIALISTE", 5, 3),
                ),
            ),
            ("TOUTES", "TOUTES SERIES", (("003", "HISTOIRE ET GEOGRAPHIE", 5, 3),)),
        ),
    ),
    (
        "EA",
        "EPREUVES ANTICIPEES DU BCG",
        "EA",
        (Cat.LGT, Cat.LPO),
        (("ES", "ECONOMIQUE ET SOCIALE", (("1-003-1", "SCIENCES", 5, 3),)),),
    ),
    (
        "DNB",
        "DIPLOME NATIONAL DU BREVET",
        "DNB",
        (Cat.COLLEGE,),
        (("GEN", "SERIE GENERALE", (("ORAL", "SOUTENANCE ORALE", 1, 1),)),),
    ),
    (
        "CAP",
        "CERTIFICAT D'APTITUDE PROFESSIONNELLE",
        "CAP",
        (Cat.LP, Cat.LPO),
        (
            (
                "50023",
                "MAINTENANCE BATIMENTS DE COLLECT.",
                (("EP2A", "MISE OEUVRE EP DYSF PR CO SECU", 3, 2),),
            ),
        ),
    ),
    (
        "BCP",
        "BACCALAUREAT PROFESSIONNEL",
        "BCP",
        (Cat.LP, Cat.LPO),
        (("TOUTES", "TOUTES SPECIALITES BCP", (("ECODR", "ECONOMIE-DROIT", 4, 3),)),),
    ),
    (
        "DDEEAS",
        "DIPL. DIRECTEUR ETA. D'EDUCATION ADAPTEE A SPECIAL",
        "DDEEAS",
        (Cat.HIGHER,),
        (("DDEEAS", "DIRECTEUR D'ETABLISSEMENT", (("MEM", "MEMOIRE", 5, 4),)),),
    ),
)

# The budget imputation (fee, travel) of the mission types that differ from the
# default (programme 141, titre 2 for the fees, titre 3 for the travel): the VAE and
# the recruitment interviews are charged to programme 214.
IMPUTATIONS = {
    "VAE": ("0214-05-T2-VAE", "0214-05-T3-VAE"),
    "RECRUT": ("0214-08-T2-RECRUTEMENT", "0214-08-T3-RECRUTEMENT"),
    "CORRDOM": ("0141-02-T2-CORRECTION", "0141-02-T3-DEPLACEMENTS"),
    "CORR": ("0141-02-T2-CORRECTION", "0141-02-T3-DEPLACEMENTS"),
}

MISSION_TYPES = (
    # code, name, family, has_fee, travel
    ("CORR", "Correction de copies", FeeEntryFamily.COPIES, True, True),
    ("CORRDOM", "CORRECTION A DOMICILE", FeeEntryFamily.COPIES, True, False),
    ("INTERRO", "Interrogation orale", FeeEntryFamily.CANDIDATES, True, True),
    ("ORAUXPRO", "ORAUX PROFESSIONNELS", FeeEntryFamily.CANDIDATES, True, True),
    ("ORAL2", "Oral 2nd groupe", FeeEntryFamily.CANDIDATES, True, True),
    ("VAE", "VAE", FeeEntryFamily.CANDIDATES, True, True),
    ("EPRAT", "EPREUVE PRATIQUE", FeeEntryFamily.HALF_DAY_TIMES, True, True),
    ("EPS", "EPREUVES EPS", FeeEntryFamily.HALF_DAY_TIMES, True, True),
    (
        "EOPCC",
        "Epreuve orale ponctuelle (contrôle continu)",
        FeeEntryFamily.HALF_DAY_TIMES,
        True,
        True,
    ),
    ("MEMOIRE", "LECTURE DE MEMOIRE", FeeEntryFamily.DURATION, True, True),
    ("RECRUT", "ENTRETIEN DE RECRUTEMENT SANS CONCOURS", FeeEntryFamily.DURATION, True, True),
    (
        "EEPCC",
        "Epreuve écrite ponctuelle (contrôle continu)",
        FeeEntryFamily.AUTOMATIC,
        True,
        False,
    ),
    ("SURV", "SURVEILLANCE", FeeEntryFamily.NONE, True, True),
    ("TRAVADM", "TRAVAUX ADMINISTRATIFS", FeeEntryFamily.NONE, True, True),
    ("AIDE", "AIDE AU DEROULEMENT DES EPREUVES", FeeEntryFamily.NONE, True, True),
    ("JURY", "Jury de délibération", FeeEntryFamily.NONE, False, True),
    ("HARMO", "REUNION D'HARMONISATION", FeeEntryFamily.NONE, False, True),
    ("REUNION", "REUNION", FeeEntryFamily.NONE, True, False),
    ("PRATPRO", "PRATIQUE PROFESSIONNELLE", FeeEntryFamily.NONE, False, True),
)

WELCOME = {
    Service.TEACHER: (
        "## Bienvenue sur IMAG'IN\n\n"
        "Vous ne remplissez plus d'état de frais papier : vous complétez en ligne les "
        "informations nécessaires au calcul de vos indemnités de vacation et de vos frais "
        "de déplacement au titre des travaux de jury d'examens et de concours.\n\n"
        "- **Consultation missions** : les missions auxquelles vous êtes convoqué(e) ;\n"
        "- **Saisie état de frais mission** : vos états de frais, à valider après la mission.\n\n"
        "La division des examens et concours vérifie et valide votre dossier."
    ),
    Service.EXTERNAL: (
        "## Bienvenue sur IMAG'IN\n\n"
        "Ce service vous permet de compléter vos états de frais et de vérifier vos "
        "informations personnelles. Votre identifiant figure en en-tête de votre convocation."
    ),
    Service.HEAD: (
        "## Bienvenue sur IMAG'IN\n\n"
        "Vous confirmez ou invalidez les compétences des personnels de votre établissement."
    ),
    Service.MANAGER: (
        "## Division des examens et concours\n\n"
        "Gérez le référentiel, les missions et les convocations, puis traitez les états "
        "de frais jusqu'à leur mise en paiement."
    ),
}

CONDITIONS = (
    "*** RAPPEL *** LES FRAIS D'AUTOROUTE NE SONT PAS REMBOURSES.\n\n"
    "Les pièces justificatives du dossier de prise en charge financière et du dossier de "
    "déplacement sont déposées en version dématérialisée (de préférence au format PDF) "
    "sur l'espace réservé à cet effet lors de la saisie des frais.\n\n"
    "Si vous avez utilisé votre véhicule personnel, la prise en charge du déplacement est "
    "effectuée forfaitairement sur la base du tarif kilométrique SNCF 2e classe : ne "
    "saisissez pas les frais de péage."
)


@dataclass(frozen=True)
class DemoMission:
    number: int
    exam: str
    mission_type: str
    centre: str | None
    slots: tuple[tuple[int, str, SlotDuration], ...]  # (days from today, HH:MM, duration)
    paper: tuple[str, str, str] | None = None
    observations: str | None = None


H, D = SlotDuration.HALF_DAY, SlotDuration.DAY
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

MISSIONS = (
    DemoMission(
        52525,
        "BTS",
        "ORAUXPRO",
        "0560026",
        ((-20, "07:45", H), (-20, "13:30", H), (-19, "08:00", H)),
        ("BTS", "31210", "E4-A"),
        "Accueil des examinateurs à 07:30 en salle des professeurs.",
    ),
    DemoMission(52531, "BTS", "INTERRO", "0560026", ((-20, "16:00", H),), ("BTS", "31210", "E4-A")),
    DemoMission(77508, "BCG", "CORR", "0350024", ((-35, "09:00", D),), ("BCG", "ES", "MATS")),
    DemoMission(
        77642,
        "EA",
        "CORRDOM",
        None,
        ((-50, "09:00", D), (-45, "09:00", D)),
        ("EA", "ES", "1-003-1"),
    ),
    DemoMission(77286, "BTS", "TRAVADM", "0352686", ((-12, "08:30", D),)),
    DemoMission(77844, "BTS", "SURV", "0350710", ((-9, "08:00", H),)),
    DemoMission(77847, "DNB", "INTERRO", "0351907", ((-60, "08:00", D),), ("DNB", "GEN", "ORAL")),
    DemoMission(68607, "CAP", "PRATPRO", "0220056", ((25, "08:00", D),), ("CAP", "50023", "EP2A")),
    DemoMission(77842, "EA", "CORR", "0221595", ((-70, "09:00", D),), ("EA", "ES", "1-003-1")),
    DemoMission(71103, "BTS", "HARMO", "0350710", ((-80, "14:00", H),), ("BTS", "31406", "U3")),
    DemoMission(69163, "BCG", "EPS", "0560051", ((-90, "08:00", D),)),
    DemoMission(68640, "BCG", "REUNION", None, ((-100, "14:00", H),)),
    DemoMission(
        99685,
        "BCG",
        "ORAL2",
        "0350024",
        ((-1, "08:00", D), (0, "08:00", D), (1, "08:00", D)),
        ("BCG", "TOUTES", "003"),
    ),
    DemoMission(
        77742, "DDEEAS", "MEMOIRE", "0350042", ((-120, "09:00", D),), ("DDEEAS", "DDEEAS", "MEM")
    ),
    DemoMission(218280, "EA", "EEPCC", None, ((-40, "09:00", D),), ("EA", "ES", "1-003-1")),
    DemoMission(77824, "BCG", "CORR", "0350024", ((40, "09:00", D),), ("BCG", "ES", "MATNS")),
    DemoMission(176629, "BTS", "JURY", "0350024", ((-30, "14:00", H),)),
    DemoMission(
        86373,
        "BCG",
        "CORR",
        "0352686",
        ((-14, "09:00", D), (-7, "09:00", D)),
        ("BCG", "ES", "MATS"),
        "Correction des copies au centre d'examen ; retrait des lots à 09:00.",
    ),
)

# (agent key, mission number, quality, jury, fee status, travel status)
V, NV, A, C = (
    ClaimStatus.VALIDATED,
    ClaimStatus.NOT_VALIDATED,
    ClaimStatus.ACCEPTED,
    ClaimStatus.CANCELLED,
)
Q = AssignmentQuality
ASSIGNMENTS = (
    ("teacher", 52525, Q.EXAMINER, "0315", None, None),
    ("teacher", 52531, Q.EXAMINER, None, None, ClaimStatus.NOT_VALIDATABLE),
    ("teacher", 77508, Q.CORRECTOR, None, V, V),
    ("teacher", 77642, Q.CORRECTOR, None, None, None),
    ("teacher", 77286, None, None, None, None),
    ("teacher", 77847, Q.EXAMINER, None, A, A),
    ("teacher", 68607, Q.JURY_MEMBER, None, None, None),
    ("teacher", 77842, Q.CORRECTOR, None, C, C),
    ("teacher", 71103, Q.CORRECTOR, None, None, A),
    ("teacher", 69163, Q.EXAMINER, None, ClaimStatus.PROCESSED_BY_MANAGER, None),
    ("teacher", 68640, None, None, ClaimStatus.PROCESSED_BY_MANAGER, None),
    ("teacher", 99685, Q.EXAMINER, "0412", None, None),
    (
        "teacher",
        77742,
        Q.JURY_MEMBER,
        None,
        ClaimStatus.SENT_FOR_PAYMENT,
        ClaimStatus.SENT_FOR_PAYMENT,
    ),
    ("teacher", 218280, Q.CORRECTOR, None, None, None),
    ("teacher", 77824, Q.CORRECTOR, None, None, None),
    ("external", 52525, Q.PROFESSIONAL_MEMBER, "0315", None, None),
    ("external", 77844, Q.INVIGILATOR, None, None, None),
    ("external", 68607, Q.PROFESSIONAL_MEMBER, None, None, None),
    ("external", 176629, Q.PROFESSIONAL_MEMBER, None, None, V),
    ("teacher", 86373, Q.CORRECTOR, None, None, None),
    ("external", 86373, Q.CORRECTOR, None, None, None),
    # Validated, but her financial file is not active: the manager cannot accept it yet.
    ("colleague0", 77508, Q.CORRECTOR, None, V, V),
    ("colleague1", 52525, Q.EXAMINER, "0315", None, None),
)
