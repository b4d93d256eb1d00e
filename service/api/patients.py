"""Clinician endpoints: patients, prescriptions, enrollment, entries, summary, devices, audit."""
from __future__ import annotations

import datetime as dt

from flask.views import MethodView

from schemas.base import PageArgs
from schemas.entry import EntryListArgs, EntryPageSchema, SummaryArgs
from schemas.questionnaire import SummaryWithOutcomesSchema
from schemas.patient import (AuditPageSchema, DeviceListSchema, EnrollmentSchema, PatientCreatedSchema,
                             PatientCreateSchema, PatientDetailSchema, PatientPageSchema, PatientUpdateSchema,
                             PrescriptionCreateSchema, PrescriptionSchema)

from .. import audit, auth, enrollment, entries, flags, patients, summary
from ..extensions import Blueprint
from ..measures import outcomes

RATE_LIMIT = "RATELIMIT_CLINICIAN"
blp = Blueprint("patients", __name__, role="clinician", description="Your patients and their records")


@blp.route("/patients")
class Patients(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, PatientPageSchema)
    def get(self, args):
        """List your patients with their open flags by severity"""
        items, cursor = patients.list_patients(args["limit"], args["cursor"])
        counts = patients.open_flag_counts([p.id for p in items])
        for p in items:
            auth.audit(p.id)
        return {"items": [patients.with_context(p, counts) for p in items], "next_cursor": cursor}

    @blp.arguments(PatientCreateSchema)
    @blp.response(201, PatientCreatedSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Enrol a patient; the answer carries a one-time enrollment code"""
        patient = patients.create_patient(auth.current_clinician(), data)
        shaped = patients.with_context(patient)
        shaped["enrollment"] = enrollment.issue_code(patient)
        return shaped


@blp.route("/patients/<uuid:patient_id>")
class PatientDetail(MethodView):
    @blp.response(200, PatientDetailSchema)
    def get(self, patient_id):
        """Show a patient, the current prescription and its history"""
        return patients.with_context(auth.load_patient(patient_id))

    @blp.arguments(PatientUpdateSchema)
    @blp.response(200, PatientDetailSchema)
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, patient_id):
        """Change a patient's context"""
        patient = patients.update_patient(auth.load_patient(patient_id, for_update=True), data,
                                          auth.current_clinician())
        return patients.with_context(patient)


@blp.route("/patients/<uuid:patient_id>/prescriptions", methods=["POST"])
@blp.only("prescriber")
@blp.arguments(PrescriptionCreateSchema)
@blp.response(201, PrescriptionSchema)
def add_prescription(data, patient_id):
    """Record a prescription; earlier ones stay in the history"""
    return patients.add_prescription(auth.load_patient(patient_id), data, auth.current_clinician())


@blp.route("/patients/<uuid:patient_id>/enrollment", methods=["POST"])
@blp.response(201, EnrollmentSchema)
def new_enrollment(patient_id):
    """Make a new one-time enrollment code (older unused codes stop working)"""
    return enrollment.issue_code(auth.load_patient(patient_id))


@blp.route("/patients/<uuid:patient_id>/entries")
@blp.arguments(EntryListArgs, location="query")
@blp.response(200, EntryPageSchema)
def patient_entries(args, patient_id):
    """List a patient's entries, newest first, each with its flags"""
    patient = auth.load_patient(patient_id)
    items, cursor = entries.list_entries(patient, args["limit"], args["cursor"], args["from_"], args["to"])
    return {"items": flags.with_flags(items), "next_cursor": cursor}


@blp.route("/patients/<uuid:patient_id>/summary")
@blp.arguments(SummaryArgs, location="query")
@blp.response(200, SummaryWithOutcomesSchema)
def patient_summary(args, patient_id):
    """Show one row per local day (baclofen, craving, drinks, symptoms, flags) and the days' drinking outcomes"""
    patient = auth.load_patient(patient_id)
    last = patients.local_today(patient)
    return {"patient_id": patient.id, "timezone": patient.timezone,
            "items": summary.daily_summary(patient, args["days"]), "next_cursor": None,
            "outcomes": outcomes.outcomes_of(patient, last - dt.timedelta(days=args["days"] - 1), last)}


@blp.route("/patients/<uuid:patient_id>/devices")
@blp.response(200, DeviceListSchema)
def patient_devices(patient_id):
    """List the patient's enrolled devices"""
    return {"items": enrollment.list_devices(auth.load_patient(patient_id)), "next_cursor": None}


@blp.route("/patients/<uuid:patient_id>/devices/<uuid:device_id>", methods=["DELETE"])
@blp.response(204)
def revoke_device(patient_id, device_id):
    """Revoke a device (a lost phone): its token stops working at once"""
    enrollment.revoke_device(auth.load_patient(patient_id), device_id)


@blp.route("/patients/<uuid:patient_id>/audit")
@blp.arguments(PageArgs, location="query")
@blp.response(200, AuditPageSchema)
def patient_audit(args, patient_id):
    """List who read or changed this patient's record, newest first"""
    items, cursor = audit.trail(auth.load_patient(patient_id), args["limit"], args["cursor"])
    return {"items": items, "next_cursor": cursor}
