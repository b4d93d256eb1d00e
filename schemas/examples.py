"""The examples of the OpenAPI document, in one place.

Each is registered once under components/examples and referred to by name from the routes and the
problem answers. They are answers the service really gave (ids and times made fixed): one patient,
P-017 in Europe/Paris, on 60 mg a day at most, logging an evening with a dose and two drinks.
tests/test_api_docs.py checks that each validates against its schema in the document and that the
problems say what the service says.
"""
from __future__ import annotations

ENTRY_ID = "8714e565-eba5-4d30-9c5c-d8f48d27b437"
CLIENT_ID = "0b6f7d5e-3f4a-4c1e-9a43-5d0f6c1e2b7a"
PATIENT_ID = "7c68469e-efea-492e-b069-7794e950ca56"
FLAG_ID = "8ed76150-8927-4005-93cf-5811e3dcb18d"
SIDE_EFFECT_FLAG_ID = "fb2f226b-9667-4d8e-8aef-454ec577b22b"
CLINICIAN_ID = "660ebeb3-4433-4171-bee3-386306224bfb"
REQUEST_ID = "74b10e9682164be1b76bb1789744b12a"

ENTRY_REQUEST = {
    "client_id": CLIENT_ID,
    "recorded_at": "2026-11-24T21:30:00+01:00",
    "craving": 6,
    "doses": [{"amount_mg": 20, "taken_at": "2026-11-24T20:00:00+01:00"}],
    "alcohol_drinks": 2,
    "symptoms": [{"code": "dizziness", "severity": 2}],
    "note": "tired",
}

ALCOHOL_FLAG_BRIEF = {
    "id": FLAG_ID,
    "rule": "alcohol_with_baclofen",
    "rule_version": 1,
    "severity": "moderate",
    "status": "open",
    "title": "Alcohol with baclofen",
    "guidance": "Mixing alcohol with baclofen is not safe. Tell your care team how much you drank.",
}

ENTRY_FIELDS = {
    "id": ENTRY_ID,
    "client_id": CLIENT_ID,
    "recorded_at": "2026-11-24T20:30:00+00:00",
    "local_date": "2026-11-24",
    "received_at": "2026-11-24T20:30:04.512390+00:00",
    "craving": 6,
    "doses": [{"amount_mg": 20.0, "taken_at": "2026-11-24T19:00:00+00:00", "local_date": "2026-11-24"}],
    "alcohol_drinks": 2.0,
    "symptoms": [{"code": "dizziness", "severity": 2}],
    "substances": None,
    "note": "tired",
}

ENTRY = {
    **ENTRY_FIELDS,
    "flags": [
        ALCOHOL_FLAG_BRIEF,
        {
            "id": SIDE_EFFECT_FLAG_ID,
            "rule": "side_effect",
            "rule_version": 1,
            "severity": "moderate",
            "status": "open",
            "title": "Side effect",
            "guidance": "Tell your prescriber about this side effect.",
        },
    ],
}

MORNING_ENTRY_REQUEST = {"client_id": "6c1d8f0e-2b4a-4f7e-8d21-0a9b3c5e7f11",
                         "recorded_at": "2026-11-25T08:10:00+01:00", "craving": 4}
CONFLICTING_ENTRY_REQUEST = {**ENTRY_REQUEST, "craving": 7}
INVALID_ENTRY_REQUEST = {"client_id": "9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4",
                         "recorded_at": "2026-11-25T08:15:00+01:00", "craving": 12}

BATCH_REQUEST = {"entries": [MORNING_ENTRY_REQUEST, ENTRY_REQUEST, CONFLICTING_ENTRY_REQUEST, INVALID_ENTRY_REQUEST]}

ENTRY_CONFLICT = "This client_id was already used for an entry with another body."

BATCH_RESULTS = {"results": [
    {"client_id": MORNING_ENTRY_REQUEST["client_id"], "status": "created", "entry": {
        "id": "665bfd35-86ec-4056-ba5a-7639f00d6bb7",
        "client_id": MORNING_ENTRY_REQUEST["client_id"],
        "recorded_at": "2026-11-25T07:10:00+00:00",
        "local_date": "2026-11-25",
        "received_at": "2026-11-25T07:41:52.104733+00:00",
        "craving": 4,
        "doses": [],
        "alcohol_drinks": None,
        "symptoms": None,
        "substances": None,
        "note": None,
        "flags": [],
    }},
    {"client_id": CLIENT_ID, "status": "duplicate", "entry": ENTRY},
    {"client_id": CLIENT_ID, "status": "conflict", "errors": {"client_id": [ENTRY_CONFLICT]}},
    {"client_id": INVALID_ENTRY_REQUEST["client_id"], "status": "invalid",
     "errors": {"craving": ["Must be greater than or equal to 0 and less than or equal to 10."]}},
]}

ALCOHOL_EVIDENCE = {"days": [{"date": "2026-11-24", "drinks": 2, "daily_total_mg": 20}], "heavy_drinking_day": False}

FLAG = {
    "id": FLAG_ID,
    "patient_id": PATIENT_ID,
    "assignee_id": None,
    "patient_reference": "P-017",
    "rule": "alcohol_with_baclofen",
    "rule_version": 1,
    "severity": "moderate",
    "status": "open",
    "title": "Alcohol with baclofen",
    "guidance": ALCOHOL_FLAG_BRIEF["guidance"],
    "evidence": ALCOHOL_EVIDENCE,
    "source": {"document": "baclofen-aud.txt",
               "quote": "it is not safe to take baclofen ... or to mix it with other drugs or alcohol"},
    "entry_ids": [ENTRY_ID],
    "response_ids": [],
    "occurrences": 1,
    "first_seen_at": "2026-11-24T20:30:00+00:00",
    "last_seen_at": "2026-11-24T20:30:00+00:00",
    "reviews": [],
}

REVIEW_REQUEST = {"action": "resolve", "note": "Called her; dose back to 60 mg."}

DISMISS_REQUEST = {"action": "dismiss", "note": "She wrote about her brother's seizure, not hers.",
                   "reason": "not_about_patient"}

RESOLVED_FLAG = {**FLAG, "status": "resolved", "reviews": [
    {**REVIEW_REQUEST, "reason": None, "clinician_id": CLINICIAN_ID, "clinician_name": "Dr Ana Ruiz",
     "assignee_id": None, "at": "2026-11-25T09:12:40.276113+00:00"},
]}

FLAG_DETAIL = {
    **FLAG,
    "entries": [ENTRY_FIELDS],
    "occurrence_evidence": [{"entry_id": ENTRY_ID, "severity": "moderate", "evidence": ALCOHOL_EVIDENCE,
                             "matched_at": "2026-11-24T20:30:04.519842+00:00"}],
}


def _problem(status: int, title: str, detail: str, **more) -> dict:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail, **more,
            "request_id": REQUEST_ID}


# name: (summary, value), as components/examples holds them.
EXAMPLES = {
    "EntryRequest": ("An evening's entry: a dose, two drinks, dizziness", ENTRY_REQUEST),
    "EntryWithFlags": ("Stored, with the flags it raised and what to tell the patient", ENTRY),
    "BatchRequest": ("A phone syncing: a new entry, one sent before, the same client_id with another body, "
                     "a craving out of range", BATCH_REQUEST),
    "BatchResults": ("One result per entry, in the order sent", BATCH_RESULTS),
    "FlagPage": ("The queue: one open flag", {"items": [FLAG], "next_cursor": None}),
    "FlagDetail": ("An open flag with its entry and evidence", FLAG_DETAIL),
    "ReviewRequest": ("Resolving a flag, with the note it needs", REVIEW_REQUEST),
    "DismissRequest": ("Dismissing a flag found in a note alone, saying why the note did not mean it",
                       DISMISS_REQUEST),
    "ResolvedFlag": ("The flag after its review", RESOLVED_FLAG),
    "BadRequest": ("The body is not JSON", _problem(400, "Bad Request", "The body is not valid JSON.")),
    "Unauthorized": ("No token, or a revoked one",
                     _problem(401, "Unauthorized", "A valid bearer token is required.")),
    "Forbidden": ("A phone's token on a clinician's path",
                  _problem(403, "Forbidden", "This path is for clinician tokens.")),
    "NotFound": ("No such patient, or another clinician's",
                 _problem(404, "Not Found", "No such patient.")),
    "EntryConflict": ("An entry's client_id sent again with another body",
                      _problem(409, "Conflict", ENTRY_CONFLICT)),
    "ReferenceConflict": ("A patient reference you already use",
                          _problem(409, "Conflict", "Your clinic already has a patient with this reference.")),
    "ClosedFlag": ("Reviewing a flag already resolved",
                   _problem(409, "Conflict", "This flag is already resolved; the next match opens a new flag.")),
    "TooLarge": ("A body over 1 MiB", _problem(413, "Request Entity Too Large",
                                                "The data value transmitted exceeds the capacity limit.")),
    "NotJson": ("A form post instead of JSON",
                _problem(415, "Unsupported Media Type", "Send the body as application/json.")),
    "InvalidFields": ("Fields that break the schema", _problem(422, "Unprocessable Entity",
                                                              "The request has invalid fields.", errors={
        "client_id": ["Not a valid UUID."],
        "recorded_at": ["The time must carry a UTC offset, e.g. 2026-11-24T08:30:00+01:00."],
        "craving": ["Must be greater than or equal to 0 and less than or equal to 10."],
    })),
    "TooManyRequests": ("A phone over its budget", _problem(
        429, "Too Many Requests", "Too many requests (120 per 1 minute); try again after Retry-After seconds.")),
}

# The problem examples of each status's shared answer.
PROBLEMS = {
    400: ["BadRequest"],
    401: ["Unauthorized"],
    403: ["Forbidden"],
    404: ["NotFound"],
    409: ["EntryConflict", "ReferenceConflict", "ClosedFlag"],
    413: ["TooLarge"],
    415: ["NotJson"],
    422: ["InvalidFields"],
    429: ["TooManyRequests"],
}


def component(name: str) -> dict:
    summary, value = EXAMPLES[name]
    return {"summary": summary, "value": value}


def refs(*names: str) -> dict:
    """The `examples` of a body or answer: each name refers to components/examples."""
    unknown = [name for name in names if name not in EXAMPLES]
    if unknown:
        raise KeyError(f"no such examples: {unknown}")
    return {name: name for name in names}
