"""Operations on clinicians and their API tokens: they flush, the caller commits."""
from __future__ import annotations

import uuid

import sqlalchemy as sa

from . import auth, clock
from .extensions import db
from .models import ROLES, CareTeam, Clinic, Clinician, ClinicianToken, TeamMember


class Misplaced(ValueError):
    """A clinic, team or role that cannot take the clinician; the message says which."""


def issue_token(clinician: Clinician) -> str:
    """Store a new API token's hash for the clinician; return the token, shown once."""
    token, hashed = auth.new_token(auth.CLINICIAN_PREFIX)
    db.session.add(ClinicianToken(clinician_id=clinician.id, token_hash=hashed, created_at=clock.now()))
    return token


def create_clinic(name: str) -> tuple[Clinic, CareTeam]:
    """Make a clinic and its first care team, of the same name."""
    now = clock.now()
    clinic = Clinic(id=uuid.uuid4(), name=name.strip(), created_at=now)
    team = CareTeam(id=uuid.uuid4(), clinic_id=clinic.id, name=name.strip(), created_at=now)
    db.session.add(clinic)
    db.session.flush()  # the team refers to it, and the two are not related objects
    db.session.add(team)
    db.session.flush()
    return clinic, team


def create_clinician(email: str, name: str, clinic_id: uuid.UUID | None = None, team_id: uuid.UUID | None = None,
                     role: str = "prescriber") -> tuple[Clinician, str]:
    """Make a clinician with a first API token.

    Without a clinic, the clinician gets a clinic and a team of their own, so that clinicians made
    this way never see each other's patients. With one, they join its `team_id` if given (a team
    of that clinic), else no team yet.
    """
    if role not in ROLES:
        raise Misplaced(f"role must be one of {', '.join(ROLES)}")
    if clinic_id is None:
        if team_id is not None:
            raise Misplaced("a team is given with its clinic")
        clinic, team = create_clinic(name)
        clinic_id, team_id = clinic.id, team.id
    else:
        if db.session.get(Clinic, clinic_id) is None:
            raise Misplaced(f"no clinic {clinic_id}")
        if team_id is not None and db.session.scalar(
                sa.select(CareTeam.clinic_id).where(CareTeam.id == team_id)) != clinic_id:
            raise Misplaced(f"no team {team_id} in clinic {clinic_id}")
    clinician = Clinician(email=email.strip().lower(), name=name.strip(), created_at=clock.now(),
                          clinic_id=clinic_id, role=role, active=True)
    db.session.add(clinician)
    db.session.flush()
    if team_id is not None:
        db.session.add(TeamMember(clinician_id=clinician.id, team_id=team_id, added_at=clock.now()))
    return clinician, issue_token(clinician)


def clinic_of(clinician: Clinician) -> dict:
    """The clinician's clinic, their role there and their care teams, by name."""
    clinic = db.session.get(Clinic, clinician.clinic_id)
    teams = db.session.execute(
        sa.select(CareTeam.id, CareTeam.name).join(TeamMember, TeamMember.team_id == CareTeam.id)
        .where(TeamMember.clinician_id == clinician.id).order_by(CareTeam.name, CareTeam.id)).all()
    return {"id": clinic.id, "name": clinic.name, "role": clinician.role,
            "teams": [{"id": team_id, "name": name} for team_id, name in teams]}
