"""The clinic's admin page: its clinicians and care teams, on the same operations as the API's."""
from __future__ import annotations

import functools
import uuid

import marshmallow as ma
from flask import flash, redirect, render_template, request, url_for

from schemas.clinic import ClinicianCreateSchema, ClinicianUpdateSchema, TeamCreateSchema

from .. import auth, clinicians
from ..errors import Conflict, Invalid, flatten_errors
from ..models import ROLES
from . import bp, present

NO_ONE_CHOSEN = "Choose a clinician of the clinic."


def admin_route(rule: str, **options):
    """Register a page of the admin's: every one of them refuses any other role first (403)."""
    def register(view):
        @functools.wraps(view)
        def checked(**kwargs):
            auth.require_clinic_role("admin")
            return view(**kwargs)

        return bp.route("/admin" + rule, **options)(checked)

    return register


def _page(status: int = 200, *, failed: str | None = None, errors: dict | None = None, kept: dict | None = None,
          password: str | None = None, added: dict | None = None):
    """The admin page; `failed` names the form whose `errors` it shows beside what was typed (`kept`)."""
    caller = auth.current_clinician()
    people, teams = present.staff(clinicians.list_clinicians(caller), clinicians.list_teams(caller))
    return render_template("clinic/admin.html", clinic=clinicians.clinic_of(caller), people=people, teams=teams,
                           roles=ROLES, failed=failed, errors=errors or {}, kept=kept or {}, password=password,
                           added=added), status


def _at_fields(messages: dict) -> dict:
    """The schema's messages by form field: those of the third team chosen ("team_ids.2") are the field's."""
    errors: dict = {}
    for name, found in flatten_errors(messages).items():
        errors.setdefault(name.split(".")[0], []).extend(found)
    return errors


def _back():
    return redirect(url_for("clinic.admin_page"))


def _chosen_clinician() -> uuid.UUID:
    try:
        return uuid.UUID(request.form.get("clinician_id", "").strip())
    except ValueError:
        raise Invalid({"clinician_id": [NO_ONE_CHOSEN]}) from None


@admin_route("", methods=["GET"])
def admin_page():
    return _page()


@admin_route("/clinicians", methods=["POST"])
def add_clinician():
    """Add a clinician, and show the password they sign in with: on this answer only."""
    kept = {name: request.form.get(name, "").strip() for name in ("email", "name", "role")}
    kept["team_ids"] = request.form.getlist("team_ids")
    caller = auth.current_clinician()
    try:
        data = ClinicianCreateSchema().load({name: value for name, value in kept.items() if value})
        added = clinicians.add_clinician(caller, data)
    except ma.ValidationError as error:
        return _page(422, failed="add-clinician", errors=_at_fields(error.messages), kept=kept)
    except Conflict as error:
        return _page(409, failed="add-clinician", errors={"email": [error.detail]}, kept=kept)
    password = clinicians.issue_password(caller, added["id"])
    flash(f"Added {added['name']} ({added['role']}).", "success")
    # Never in a flash message: those travel in the session cookie.
    return _page(201, password=password, added=added)


@admin_route("/clinicians/<uuid:clinician_id>/role", methods=["POST"])
def change_role(clinician_id):
    try:
        data = ClinicianUpdateSchema().load({"role": request.form.get("role", "").strip()})
    except ma.ValidationError as error:
        return _page(422, failed=f"role-{clinician_id}", errors=flatten_errors(error.messages))
    changed = clinicians.change_clinician(auth.current_clinician(), clinician_id, data)
    flash(f"{changed['name']} is now {present.role_words(changed['role'])}.", "success")
    return _back()


@admin_route("/clinicians/<uuid:clinician_id>/deactivate", methods=["POST"])
def deactivate(clinician_id):
    """Deactivate a clinician: their clinic sessions and API tokens end at once."""
    changed = clinicians.change_clinician(auth.current_clinician(), clinician_id, {"active": False})
    flash(f"{changed['name']} is deactivated: signed out everywhere, their API tokens revoked.", "success")
    return _back()


@admin_route("/clinicians/<uuid:clinician_id>/reactivate", methods=["POST"])
def reactivate(clinician_id):
    changed = clinicians.change_clinician(auth.current_clinician(), clinician_id, {"active": True})
    flash(f"{changed['name']} is active again and signs in with their password; "
          "their old API tokens stay revoked.", "success")
    return _back()


@admin_route("/teams", methods=["POST"])
def add_team():
    kept = {"team_name": request.form.get("name", "").strip()}
    try:
        data = TeamCreateSchema().load({"name": kept["team_name"]} if kept["team_name"] else {})
        team = clinicians.add_team(auth.current_clinician(), data["name"])
    except ma.ValidationError as error:
        return _page(422, failed="add-team", errors=flatten_errors(error.messages), kept=kept)
    except Conflict as error:
        return _page(409, failed="add-team", errors={"name": [error.detail]}, kept=kept)
    flash(f"Added the care team {team['name']}.", "success")
    return _back()


@admin_route("/teams/<uuid:team_id>/members", methods=["POST"])
def add_member(team_id):
    try:
        team, colleague = clinicians.set_member(auth.current_clinician(), team_id, _chosen_clinician(), True)
    except Invalid as error:
        return _page(422, failed=f"member-{team_id}", errors=error.errors)
    flash(f"{colleague.name} is a member of {team.name}.", "success")
    return _back()


@admin_route("/teams/<uuid:team_id>/members/<uuid:clinician_id>/remove", methods=["POST"])
def remove_member(team_id, clinician_id):
    team, colleague = clinicians.set_member(auth.current_clinician(), team_id, clinician_id, False)
    flash(f"{colleague.name} is no longer a member of {team.name}.", "success")
    return _back()
