"""Clinician endpoints: the caller's clinic, its clinicians and its care teams."""
from __future__ import annotations

from flask.views import MethodView

from schemas.clinic import (ClinicianCreatedSchema, ClinicianCreateSchema, ClinicianListSchema, ClinicianSchema,
                            ClinicianUpdateSchema, ClinicSchema, ClinicWebhookSchema, ClinicWebhookShownSchema,
                            TeamCreateSchema, TeamListSchema, TeamWithMembersSchema)

from .. import auth, clinicians
from ..extensions import Blueprint

RATE_LIMIT = "RATELIMIT_CLINICIAN"
blp = Blueprint("clinics", __name__, role="clinician", description="Your clinic, its clinicians and care teams")


@blp.route("/clinic")
@blp.response(200, ClinicSchema)
def clinic():
    """Show your clinic, your role there and your care teams"""
    return clinicians.clinic_of(auth.current_clinician())


@blp.route("/clinic/webhook")
class ClinicWebhook(MethodView):
    @blp.only("admin")
    @blp.response(200, ClinicWebhookShownSchema)
    def get(self):
        """Show where your clinic's urgent flags are sent (admin); the secret is never shown"""
        return clinicians.webhook_of(auth.current_clinician())

    @blp.only("admin")
    @blp.arguments(ClinicWebhookSchema)
    @blp.response(200, ClinicWebhookShownSchema)
    def put(self, data):
        """Send your clinic's urgent flags to your own receiver, signed with your secret (admin)"""
        return clinicians.set_webhook(auth.current_clinician(), data["url"], data["secret"])

    @blp.only("admin")
    @blp.response(204)
    def delete(self):
        """Stop using your own receiver: events go to the service's default one, if any (admin)"""
        clinicians.set_webhook(auth.current_clinician(), None, None)


@blp.route("/clinicians")
class Clinicians(MethodView):
    @blp.response(200, ClinicianListSchema)
    def get(self):
        """List the clinic's clinicians (an admin) or the members of your teams (anyone else)"""
        return {"items": clinicians.list_clinicians(auth.current_clinician())}

    @blp.only("admin")
    @blp.arguments(ClinicianCreateSchema)
    @blp.response(201, ClinicianCreatedSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Add a clinician to your clinic (admin); the answer carries their token, shown once"""
        return clinicians.add_clinician(auth.current_clinician(), data)


@blp.route("/clinicians/<uuid:clinician_id>", methods=["PATCH"])
@blp.only("admin")
@blp.arguments(ClinicianUpdateSchema)
@blp.response(200, ClinicianSchema)
@blp.alt_response(409, response="CONFLICT")
def change_clinician(data, clinician_id):
    """Change a clinician's role, or deactivate them at once (admin)"""
    return clinicians.change_clinician(auth.current_clinician(), clinician_id, data)


@blp.route("/teams")
class Teams(MethodView):
    @blp.response(200, TeamListSchema)
    def get(self):
        """List the clinic's care teams with their members"""
        return {"items": clinicians.list_teams(auth.current_clinician())}

    @blp.only("admin")
    @blp.arguments(TeamCreateSchema)
    @blp.response(201, TeamWithMembersSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Add a care team to your clinic (admin)"""
        return clinicians.add_team(auth.current_clinician(), data["name"])


@blp.route("/teams/<uuid:team_id>/members/<uuid:clinician_id>")
class TeamMember(MethodView):
    @blp.only("admin")
    @blp.response(204)
    def put(self, team_id, clinician_id):
        """Add a clinician of your clinic to a team (admin)"""
        clinicians.set_member(auth.current_clinician(), team_id, clinician_id, True)

    @blp.only("admin")
    @blp.response(204)
    def delete(self, team_id, clinician_id):
        """Take a clinician out of a team (admin)"""
        clinicians.set_member(auth.current_clinician(), team_id, clinician_id, False)
