"""Clinician endpoints: the review queue, one flag, and its review."""
from __future__ import annotations

from flask.views import MethodView

from schemas.examples import refs
from schemas.flag import FlagDetailSchema, FlagPageSchema, FlagQueryArgs, FlagSchema, ReviewCreateSchema

from .. import auth, queue
from ..extensions import Blueprint

RATE_LIMIT = "RATELIMIT_CLINICIAN"
blp = Blueprint("flags", __name__, role="clinician", description="The review queue")


@blp.route("/flags")
@blp.arguments(FlagQueryArgs, location="query")
@blp.response(200, FlagPageSchema, examples=refs("FlagPage"))
def list_flags(args):
    """List the review queue: urgent first, then high, then moderate; oldest first within each"""
    items, cursor = queue.list_flags(args)
    return {"items": items, "next_cursor": cursor}


@blp.route("/flags/<uuid:flag_id>")
class FlagDetail(MethodView):
    @blp.response(200, FlagDetailSchema, examples=refs("FlagDetail"))
    def get(self, flag_id):
        """Show a flag with its evidence, source passage, entries and review history"""
        return queue.flag_detail(*auth.load_flag(flag_id))


@blp.route("/flags/<uuid:flag_id>/review", methods=["POST"])
@blp.arguments(ReviewCreateSchema, examples=refs("ReviewRequest", "DismissRequest"))
@blp.response(200, FlagSchema, examples=refs("ResolvedFlag"))
@blp.alt_response(409, response="CONFLICT")
def review_flag(data, flag_id):
    """Acknowledge, resolve or dismiss a flag; resolving and dismissing need a note

    Dismissing a flag found in the patient's notes alone may say why (`reason`); elsewhere it is 422.
    """
    return queue.review_flag(auth.load_flag(flag_id), data, auth.current_clinician())
