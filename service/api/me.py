"""Patient endpoints: the patient's own profile and entries."""
from __future__ import annotations

from flask import request
from flask.views import MethodView

from schemas.base import PageArgs
from schemas.examples import refs
from schemas.entry import BatchAnswerSchema, BatchCreateSchema, EntryCreateSchema, EntryPageSchema, EntrySchema
from schemas.patient import ProfileSchema

from .. import auth, entries, flags, patients
from ..extensions import Blueprint

RATE_LIMIT = "RATELIMIT_PATIENT"
blp = Blueprint("me", __name__, role="patient", description="What the patient's app reads and writes")


@blp.route("/me")
@blp.response(200, ProfileSchema)
def me():
    """Show the patient's own profile and current prescription"""
    return patients.profile(auth.current_patient())


@blp.route("/entries")
class Entries(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, EntryPageSchema)
    def get(self, args):
        """List the patient's own entries, newest first"""
        items, cursor = entries.list_entries(auth.current_patient(), args["limit"], args["cursor"])
        return {"items": flags.with_flags(items), "next_cursor": cursor}

    @blp.arguments(EntryCreateSchema, examples=refs("EntryRequest"))
    @blp.response(201, EntrySchema, examples=refs("EntryWithFlags"))
    @blp.alt_response(200, schema=EntrySchema, description="The same entry was already stored",
                      examples=refs("EntryWithFlags"))
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Log an entry; the answer carries its flags and what to do"""
        entry, status = entries.record_entry(auth.current_patient(), request.get_json(), data, alone=True)
        if status == "duplicate":
            return flags.with_flags([entry])[0], 200
        return entry


@blp.route("/entries/batch", methods=["POST"])
@blp.arguments(BatchCreateSchema, examples=refs("BatchRequest"))
@blp.response(200, BatchAnswerSchema, examples=refs("BatchResults"))
def batch(data):
    """Log up to 200 entries at once (an offline phone syncing); each stands alone"""
    results = entries.record_batch(auth.current_patient(), data["entries"])
    flags.with_flags([r["entry"] for r in results if r.get("status") == "duplicate"])
    return {"results": results}
