"""The clinic's pages: thin views over the same operations, scoping and audit trail as the API."""
from __future__ import annotations

import datetime as dt
import functools
import logging
import posixpath
import uuid
from typing import Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from schemas.base import PatientSearchArgs
from schemas.entry import EntryListArgs
from schemas.flag import SEVERITIES, STATUSES, QueueArgs, ReviewCreateSchema
from schemas.patient import PatientUpdateSchema
from schemas.questionnaire import ScheduleChangeSchema

from .. import auth, clinicians, clock, entries, feedback, flags, patients, queue, summary
from ..errors import TRY_AGAIN_SOON, Conflict, Invalid, NotFound, ServiceError, flatten_errors
from ..measures import outcomes, responses, schedule
from ..measures.instruments import INSTRUMENTS, SEXES
from ..models import QuestionnaireResponse
from ..rules.catalogue import RULES_BY_CODE
from ..rules.model import in_effect
from . import bp, chart, csrf, forms, present, scores, signin

log = logging.getLogger(__name__)

CHART_DAYS = 28  # the daily chart, and the drinking outcomes beside the baseline
SCORE_DAYS = 90  # the questionnaires' scores
SPARK_DAYS = 14
PUBLIC = {"clinic.sign_in", "clinic.static"}  # every other page needs a signed-in clinician
REVIEWED = {"acknowledge": "Acknowledged", "resolve": "Resolved", "dismiss": "Dismissed"}
NO_ONE_CHOSEN = "Choose the member of the care team who takes the flag."
QUEUE_FILTERS = ("status", "severity", "patient_id", "reference", "sort", "team_id", "assignee")
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


class BadQuery(Exception):
    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


# ------------------------------------------------------------------ every request


@bp.before_request
def before_clinic_request():
    csrf.protect()  # every form of the clinic, sign-in included, carries the token
    clinician = signin.signed_in_clinician()
    if clinician is None:
        if signin.has_session():  # expired, ended elsewhere, or its clinician is gone
            signin.end_session()
            flash("Your session has ended; sign in again.", "info")
        if request.endpoint in PUBLIC:
            return None
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("clinic.sign_in", next=_safe_next(target)))
    # The API's scoping, audit trail and review operations read the caller from here.
    g.caller = auth.Caller("clinician", clinician=clinician)
    return None


@bp.after_request
def clinic_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["Cache-Control"] = "no-store"  # patients' records stay out of caches
    # Same-origin referrers only: Flask-WTF checks the referrer of form posts over HTTPS.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.app_template_global()
def clinician():
    who = g.get("caller")
    return who.clinician if who is not None else None


def _safe_next(target: str | None) -> str | None:
    """Keep a place to come back to only when it is one of the clinic's own pages."""
    if not target:
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        # urlsplit drops tabs and line breaks before it looks, but a redirect's Location keeps
        # them, and a header cannot carry them: such a place is no page of ours.
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or not parts.path.startswith("/clinic/"):
        return None
    if not posixpath.normpath(parts.path).startswith("/clinic"):  # no /clinic/../ elsewhere
        return None
    return target.rstrip("?")


def _load(schema: ma.Schema, values) -> dict:
    """Parse a query string with the API's own schema; a blank field means no filter."""
    try:
        return schema.load({k: v for k, v in values.items() if v.strip()})
    except ma.ValidationError as error:
        raise BadQuery(flatten_errors(error.messages)) from None


# ------------------------------------------------------------------ errors as pages


def _error_page(status: int, title: str, message: str, errors: dict | None = None, headers=None):
    return render_template("clinic/error.html", status=status, title=title, message=message,
                           errors=errors or {}), status, headers or {}


@bp.errorhandler(CSRFError)
def csrf_failed(error):
    return _error_page(400, "The form has expired",
                       "This form was not sent from the page you had open, or it has expired. "
                       "Go back, reload the page and send it again.")


@bp.errorhandler(BadQuery)
def bad_query(error):
    return _error_page(400, "Those filters are not valid", "Change them and try again.", error.errors)


@bp.errorhandler(ServiceError)
def service_error(error: ServiceError):
    if error.status == 404:
        return _error_page(404, "Not found", "There is no such page, or it is not one of your patients' records.")
    return _error_page(error.status, present.status_phrase(error.status), error.detail or "", error.errors)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return _error_page(error.code or 500, present.status_phrase(error.code or 500), error.description or "")


@bp.errorhandler(OperationalError)
def database_unavailable(error):
    log.error("database unavailable in request %s: %s", g.get("request_id"), type(error).__name__)
    return _error_page(503, "Try again shortly", "The database is unavailable; nothing was saved.",
                       headers=TRY_AGAIN_SOON)


@bp.errorhandler(Exception)
def unexpected(error):
    log.exception("unhandled error in request %s", g.get("request_id"))  # never its text to the page
    return _error_page(500, "Something went wrong", "The page could not be shown. Try again.")


@bp.route("/<path:unknown>", methods=["GET", "POST"])
def not_found(unknown):
    """Answer a path the clinic does not have with its own page, not the API's problem+json."""
    raise NotFound()


# ------------------------------------------------------------------ signing in and out


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if g.get("caller") is not None:
        return redirect(url_for("clinic.queue_page"))
    next_page = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("clinic/sign_in.html", next_page=next_page, email="")
    email = request.form.get("email", "").strip()
    try:
        clinician = signin.authenticate(email, request.form.get("password", ""))
    except signin.LockedOut as locked:
        retry = locked.retry_after(clock.now())
        return render_template("clinic/sign_in.html", next_page=next_page, email=email, locked=True,
                               minutes=max(1, -(-retry // 60))), 429, {"Retry-After": str(retry)}
    if clinician is None:
        # 200: the failed attempt is recorded, and the request commits only what answers below 400.
        return render_template("clinic/sign_in.html", next_page=next_page, email=email, failed=True)
    signin.start_session(clinician)
    return redirect(next_page or url_for("clinic.queue_page"))


@bp.route("/sign-out", methods=["GET", "POST"])
def sign_out():
    if request.method == "GET":  # a page with the button, so a link can never sign anyone out
        return render_template("clinic/sign_out.html")
    signin.end_session()
    flash("You are signed out.", "info")
    return redirect(url_for("clinic.sign_in"))


# ------------------------------------------------------------------ the review queue


def _my_teams() -> dict:
    """The caller's care teams' names by id: every patient and flag the caller sees is in one of them."""
    return {team["id"]: team["name"] for team in clinicians.clinic_of(auth.current_clinician())["teams"]}


def _patient_choices() -> list:
    """The clinician's patients for the queue's filter (a list of patients is audited like the API's)."""
    items, _ = patients.list_patients(200, None)
    for patient in items:
        auth.audit(patient.id)
    return items


@bp.get("/")
def queue_page():
    args = _load(QueueArgs(), request.args)
    items, next_cursor = queue.list_flags(args)
    filters = {name: args.get(name) for name in QUEUE_FILTERS}
    # The handler of each flag shown, and the one the queue is filtered by when it is neither me nor none.
    named = filters["assignee"] if isinstance(filters["assignee"], uuid.UUID) else None
    handlers = clinicians.names_of([f["assignee_id"] for f in items] + [named])
    return render_template("clinic/queue.html", flags=items, next_cursor=next_cursor, filters=filters,
                           statuses=STATUSES, severities=SEVERITIES, patients=_patient_choices(),
                           teams=_my_teams(), handlers=handlers,
                           timezones=queue.timezones([f["patient_id"] for f in items]), now=clock.now(),
                           here=request.full_path.rstrip("?"))


def _render_flag(found, *, status: int = 200, errors: dict | None = None, note: str = "", back: str | None = None,
                 reason: str | None = None, assign_errors: dict | None = None, assign_note: str = "",
                 chosen: str = ""):
    detail = queue.flag_detail(*found)
    # A flag found in notes alone may be dismissed with a reason: the note reader learns from it.
    reasons = present.REASON_LABELS if feedback.found_in_note_alone(
        zip(detail["occurrence_evidence"], detail["entries"])) else {}
    patient = auth.load_patient(detail["patient_id"])  # its time zone and clinical context
    last_day = detail["last_seen_at"].astimezone(ZoneInfo(patient.timezone)).date()
    # Who handles it, and whom each assignment in its history handed it to.
    names = clinicians.names_of([detail["assignee_id"]] + [r.assignee_id for r in detail["reviews"]])
    answered = flags.occurrences_of(found[0], QuestionnaireResponse) if detail["response_ids"] else []
    return render_template("clinic/flag.html", flag=detail, patient=patient, errors=errors or {}, note=note,
                           back=back, actions=present.actions_for(detail["status"]), now=clock.now(),
                           reasons=reasons, reason=reason,
                           context=patients.with_context(patient), last_day=last_day,
                           prescription_then=in_effect(patient.prescriptions, last_day),
                           team=_my_teams().get(patient.team_id), members=clinicians.team_members(patient.team_id),
                           names=names, responses=answered, instruments=INSTRUMENTS,
                           # what raised it: entries, questionnaires, a sweep
                           judges=getattr(RULES_BY_CODE.get(detail["rule"]), "judges", ()),
                           assign_errors=assign_errors or {}, assign_note=assign_note, chosen=chosen), status


@bp.get("/flags/<uuid:flag_id>")
def flag_page(flag_id):
    return _render_flag(auth.load_flag(flag_id), back=_safe_next(request.args.get("back")))


@bp.route("/flags/<uuid:flag_id>/review", methods=["GET", "POST"])
def review(flag_id):
    if request.method == "GET":
        return redirect(url_for("clinic.flag_page", flag_id=flag_id))
    found = auth.load_flag(flag_id)
    note = request.form.get("note", "").strip()
    reason = request.form.get("reason", "").strip() or None
    back = _safe_next(request.form.get("back"))
    kept = {"note": note, "back": back, "reason": reason}
    try:
        data = ReviewCreateSchema().load({"action": request.form.get("action", ""), "note": note or None,
                                          "reason": reason})
        reviewed = queue.review_flag(found, data, auth.current_clinician())
    except ma.ValidationError as error:
        return _render_flag(found, status=422, errors=flatten_errors(error.messages), **kept)
    except Invalid as error:
        return _render_flag(found, status=422, errors=error.errors, **kept)
    except Conflict as error:
        return _render_flag(found, status=409, errors={"body": [error.detail]}, **kept)
    flash(f"{REVIEWED[data['action']]}: {reviewed['title']} ({reviewed['patient_reference']}).", "success")
    if data["action"] == "acknowledge":
        return redirect(url_for("clinic.flag_page", flag_id=flag_id, back=back))
    return redirect(back or url_for("clinic.queue_page"))


@bp.route("/flags/<uuid:flag_id>/assign", methods=["GET", "POST"])
def assign(flag_id):
    """Hand the flag to a member of its patient's care team, with a note if one is given."""
    if request.method == "GET":
        return redirect(url_for("clinic.flag_page", flag_id=flag_id))
    found = auth.load_flag(flag_id)
    whom = request.form.get("clinician_id", "").strip()
    note = request.form.get("note", "").strip()
    back = _safe_next(request.form.get("back"))
    kept = {"assign_note": note, "chosen": whom, "back": back}
    if not whom:  # nobody chosen: said in the page's words, where the API's schema would name its field
        return _render_flag(found, status=422, assign_errors={"clinician_id": [NO_ONE_CHOSEN]}, **kept)
    try:
        data = ReviewCreateSchema().load({"action": "assign", "clinician_id": whom, "note": note or None})
        assigned = queue.review_flag(found, data, auth.current_clinician())
    except ma.ValidationError as error:
        return _render_flag(found, status=422, assign_errors=flatten_errors(error.messages), **kept)
    except Invalid as error:
        return _render_flag(found, status=422, assign_errors=error.errors, **kept)
    except Conflict as error:
        return _render_flag(found, status=409, assign_errors={"body": [error.detail]}, **kept)
    name = clinicians.names_of([assigned["assignee_id"]])[assigned["assignee_id"]]
    flash(f"Assigned to {name}: {assigned['title']} ({assigned['patient_reference']}).", "success")
    return redirect(url_for("clinic.flag_page", flag_id=flag_id, back=back))


# ------------------------------------------------------------------ patients


@bp.get("/patients")
def patients_page():
    args = _load(PatientSearchArgs(), request.args)
    items, next_cursor = patients.list_patients(args["limit"], args["cursor"], args["reference"])
    ids = [p.id for p in items]
    counts, last = patients.open_flag_counts(ids), summary.last_entries(ids)
    recent = summary.recent_days(items, SPARK_DAYS)
    for patient in items:
        auth.audit(patient.id)
    shown = [dict(patients.with_context(p, counts), last_entry_at=last.get(p.id), silent_since=p.silent_since,
                  sparkline=chart.sparkline(recent[p.id])) for p in items]
    return render_template("clinic/patients.html", patients=shown, next_cursor=next_cursor, teams=_my_teams(),
                           reference=args["reference"] or "", spark_days=SPARK_DAYS, geometry=chart)


def _render_patient(patient, *, status: int = 200, failed: str | None = None, errors: dict | None = None,
                    kept: dict | None = None):
    """The patient's page; `failed` names the form whose `errors` it shows beside what was typed (`kept`)."""
    args = _load(EntryListArgs(), request.args)
    rows = summary.daily_summary(patient, CHART_DAYS)
    drawn = chart.layout(rows, lambda day: present.max_mg(in_effect(patient.prescriptions, day)))
    first, last = rows[0]["date"], rows[-1]["date"]
    score_first = last - dt.timedelta(days=SCORE_DAYS - 1)
    answered = scores.score_charts(responses.responses_between(patient, score_first, last), score_first, last,
                                   patient.sex)
    asked = schedule.schedule_of(patient)
    items, next_cursor = entries.list_entries(patient, args["limit"], args["cursor"], args["from_"], args["to"])
    return render_template("clinic/patient.html", patient=patients.with_context(patient), record=patient,
                           chart=drawn, geometry=chart, rows=rows, entries=flags.with_flags(items),
                           next_cursor=next_cursor, days_of_treatment=present.days_of_treatment(patient),
                           team=_my_teams().get(patient.team_id),
                           outcomes=outcomes.outcomes_of(patient, first, last), outcome_rows=present.outcome_rows,
                           heavy_day_g=outcomes.HEAVY_DAY_G[patient.sex],
                           score_charts=answered, score_days=SCORE_DAYS, score_geometry=scores,
                           schedule=asked,
                           due={d["instrument"]: d["due_since"] for d in schedule.due(patient, asked=asked)},
                           instruments=INSTRUMENTS, sexes=SEXES, failed=failed, errors=errors or {},
                           kept={**forms.shown(asked, patient), **(kept or {})}), status


@bp.get("/patients/<uuid:patient_id>")
def patient_page(patient_id):
    return _render_patient(auth.load_patient(patient_id))


def patient_form(name: str, read: Callable, schema: type[ma.Schema]):
    """Register a form of the patient's page at /patients/<id>/<name>: a GET goes back to the page; what
    `read` makes of the form is loaded with the API's `schema`, and a refusal comes back on the page
    (422) at its fields with what was typed; the view gets the patient and the loaded data."""
    def register(view):
        @bp.route(f"/patients/<uuid:patient_id>/{name}", methods=["GET", "POST"], endpoint=view.__name__)
        @functools.wraps(view)
        def posted(patient_id):
            if request.method == "GET":
                return redirect(url_for("clinic.patient_page", patient_id=patient_id))
            patient = auth.load_patient(patient_id, for_update=True)
            reading = read(request.form)
            try:
                data = schema().load(reading.values)
            except ma.ValidationError as error:
                return _render_patient(patient, status=422, failed=name, errors=reading.errors(error.messages),
                                       kept=reading.kept)
            view(patient, data)
            return redirect(url_for("clinic.patient_page", patient_id=patient_id))

        return posted

    return register


@patient_form("schedule", forms.schedule_form, ScheduleChangeSchema)
def change_schedule(patient, data):
    """Change how often each questionnaire is asked; only what differs from the schedule now is set."""
    now = schedule.schedule_of(patient)
    changes = {code: days for code, days in data.items() if days != now[code]}
    if not changes:
        flash(f"The questionnaires for {patient.reference} were already asked so: nothing changed.", "info")
        return
    schedule.set_schedule(patient, changes)
    said = ", ".join(f"{INSTRUMENTS[code].abbreviation} {present.every(days)}" for code, days in changes.items())
    flash(f"Questionnaires for {patient.reference} changed: {said}.", "success")


@patient_form("monitoring", forms.monitoring_form, PatientUpdateSchema)
def change_monitoring(patient, data):
    """Change when a silence is flagged, and the sex and standard drink the drinking outcomes count with."""
    patients.update_patient(patient, data, auth.current_clinician())
    silence = (f"a silence of more than {present.days_words(patient.expected_every_days)} flagged"
               if patient.expected_every_days else "no silence flagged")
    flash(f"Saved for {patient.reference}: {silence}; sex {patient.sex}; a standard drink of "
          f"{patient.standard_drink_g:g} g.", "success")
