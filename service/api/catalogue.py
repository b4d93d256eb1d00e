"""The rule catalogue, the symptom vocabulary and the sedatives, for clinicians and the app."""
from __future__ import annotations

from schemas.flag import CatalogueSchema
from schemas.questionnaire import InstrumentListSchema

from .. import rules
from ..extensions import Blueprint
from ..measures.instruments import INSTRUMENTS

RATE_LIMIT = "RATELIMIT_CLINICIAN"
blp = Blueprint("rules", __name__, role="authenticated",
                description="The warning signs the service looks for, and the questionnaires it asks")


@blp.route("/rules")
@blp.response(200, CatalogueSchema)
def catalogue():
    """List every rule, the symptom vocabulary and the sedatives"""
    return {"rules": rules.RULES, "symptoms": [{"code": c, "label": label} for c, label in rules.SYMPTOMS],
            "sedatives": list(rules.SEDATIVES)}


@blp.route("/questionnaires")
@blp.response(200, InstrumentListSchema)
def questionnaires():
    """List the questionnaires: items, answers, recall period, source and licence of each"""
    return {"items": list(INSTRUMENTS.values())}
