"""The pure rules engine: plain values in, matches out; no Flask, no database."""
from service.rules.catalogue import (
    RULES,
    RULES_BY_CODE,
    SEDATIVES,
    SEVERITY_RANK,
    SYMPTOM_CODES,
    SYMPTOMS,
    Rule,
    is_sedative,
)
from service.rules.engine import judge, window
from service.rules.model import (
    Day,
    Dose,
    Entry,
    History,
    Match,
    PatientContext,
    Prescription,
    Response,
    Silence,
    Substance,
    Symptom,
)

__all__ = [
    "RULES",
    "RULES_BY_CODE",
    "SEDATIVES",
    "SEVERITY_RANK",
    "SYMPTOMS",
    "SYMPTOM_CODES",
    "Day",
    "Dose",
    "Entry",
    "History",
    "Match",
    "PatientContext",
    "Prescription",
    "Response",
    "Rule",
    "Silence",
    "Substance",
    "Symptom",
    "is_sedative",
    "judge",
    "window",
]
