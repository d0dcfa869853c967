"""The data model of IMAG'IN, one module per context, on ``flask_appbuilder.Model``.

Importing this package registers every table on ``Model.metadata`` (which Alembic
reads, see migrations/env.py).
"""

from flask_appbuilder.security.sqla.models import Role, User  # noqa: F401

from .accounts import AccountSecurity, LoginThrottle, PasswordResetToken  # noqa: F401
from .applications import Application, ApplicationAccess  # noqa: F401
from .assignment import (  # noqa: F401
    AssignmentConflict,
    AssignmentGap,
    AssignmentProposal,
    AssignmentRun,
    MissionNeed,
)
from .base import metadata  # noqa: F401
from .claims import (  # noqa: F401
    ClaimStatusHistory,
    ClaimSummary,
    ExpenseClaim,
    FeeEntry,
    NumberCounter,
    PaymentBatch,
    SupportingDocument,
    TravelLeg,
)
from .competences import Competence, CompetenceEndorsement  # noqa: F401
from .corrections import CorrectionState  # noqa: F401
from .dcs import DcsAnswer, DcsChoice  # noqa: F401
from .documents import StoredDocument  # noqa: F401
from .interfaces import ApiClient, ImportRun  # noqa: F401
from .jobs import Job  # noqa: F401
from .mails import OutgoingMail  # noqa: F401
from .missions import Assignment, Mission, MissionSlot, Unavailability  # noqa: F401
from .people import Agent, AgentEstablishment, Manager, Teaching  # noqa: F401
from .portal import (  # noqa: F401
    Activity,
    ActivityOpening,
    ConditionsAcceptance,
    PortalMessage,
)
from .referential import (  # noqa: F401
    Academy,
    AcademySettings,
    Commune,
    Discipline,
    Establishment,
    Exam,
    ExamCategory,
    ExamSession,
    Mef,
    MissionType,
    Paper,
    PaperTeachingRule,
    RateLine,
    RateTable,
    Specialty,
    Subject,
)
