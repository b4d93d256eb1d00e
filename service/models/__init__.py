"""The stored records, one module per aggregate."""
from .audit import AuditRecord
from .clinic import ROLES, CareTeam, Clinic, TeamMember
from .clinician import Clinician, ClinicianToken
from .entry import Dose, Entry
from .flag import OPEN_STATUSES, Flag, Occurrence, Review
from .patient import Device, EnrollmentCode, Patient, Prescription
from .questionnaire import QuestionnaireResponse, QuestionnaireSchedule
from .webhook import WebhookEvent

__all__ = ["ROLES", "CareTeam", "Clinic", "TeamMember", "AuditRecord", "Clinician", "ClinicianToken", "Device", "Dose", "EnrollmentCode", "Entry", "Flag",
           "OPEN_STATUSES", "Occurrence", "Patient", "Prescription", "QuestionnaireResponse",
           "QuestionnaireSchedule", "Review", "WebhookEvent"]
