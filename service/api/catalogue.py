"""The rule catalogue, the symptom vocabulary and the sedatives, for clinicians and the app."""
from __future__ import annotations

from schemas.flag import CatalogueSchema

from .. import rules
from ..extensions import Blueprint

RATE_LIMIT = "RATELIMIT_CLINICIAN"
blp = Blueprint("rules", __name__, role="authenticated", description="The warning signs the service looks for")


@blp.route("/rules")
@blp.response(200, CatalogueSchema)
def catalogue():
    """List every rule, the symptom vocabulary and the sedatives"""
    return {"rules": rules.RULES, "symptoms": [{"code": c, "label": label} for c, label in rules.SYMPTOMS],
            "sedatives": list(rules.SEDATIVES)}
