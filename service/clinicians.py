"""Operations on clinicians and their API tokens: they flush, the caller commits."""
from __future__ import annotations

import secrets
import uuid

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from . import auth, clock, sealed
from .errors import Conflict, NotFound
from .extensions import db
from .models import ROLES, CareTeam, Clinic, Clinician, ClinicianToken, TeamMember


# A printed password is read off paper and typed: no 0/o, 1/l/i to mistake for each other.
PRINTED_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
PRINTED_GROUPS = 4  # of four characters: about 79 bits


class Misplaced(ValueError):
    """A clinic, team or role that cannot take the clinician; the message says which."""


def issue_token(clinician: Clinician) -> str:
    """Store a new API token's hash for the clinician; return the token, shown once."""
    token, hashed = auth.new_token(auth.CLINICIAN_PREFIX)
    db.session.add(ClinicianToken(clinician_id=clinician.id, token_hash=hashed, created_at=clock.now()))
    return token


def revoke_access(clinician: Clinician) -> tuple[int, int]:
    """End all the clinician's API tokens and clinic sessions at once; return how many of each."""
    from .clinic import signin

    revoked = db.session.execute(
        sa.update(ClinicianToken)
        .where(ClinicianToken.clinician_id == clinician.id, ClinicianToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())).rowcount
    return revoked, signin.end_sessions_of(clinician.id)


def set_password(clinician: Clinician, password: str) -> int:
    """Store the hash of a new clinic-page password; every session signed in with the old one ends.

    Return how many sessions ended.
    """
    from .clinic import signin

    clinician.password_hash = generate_password_hash(password)
    return signin.end_sessions_of(clinician.id)


def _join(clinician_id: uuid.UUID, team_id: uuid.UUID) -> None:
    db.session.add(TeamMember(clinician_id=clinician_id, team_id=team_id, added_at=clock.now()))


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
        _join(clinician.id, team_id)
    return clinician, issue_token(clinician)


def clinic_of(clinician: Clinician) -> dict:
    """The clinician's clinic, their role there and their care teams, by name."""
    clinic = db.session.get(Clinic, clinician.clinic_id)
    teams = db.session.execute(
        sa.select(CareTeam.id, CareTeam.name).join(TeamMember, TeamMember.team_id == CareTeam.id)
        .where(TeamMember.clinician_id == clinician.id).order_by(CareTeam.name, CareTeam.id)).all()
    return {"id": clinic.id, "name": clinic.name, "role": clinician.role,
            "teams": [{"id": team_id, "name": name} for team_id, name in teams]}


# -- the clinic's clinicians and teams, as its admin manages them (the routes check the role)


def _team_ids(clinician_ids) -> dict:
    found: dict = {cid: [] for cid in clinician_ids}
    for cid, team_id in db.session.execute(sa.select(TeamMember.clinician_id, TeamMember.team_id)
                                           .where(TeamMember.clinician_id.in_(list(found)))
                                           .order_by(TeamMember.team_id)):
        found[cid].append(team_id)
    return found


def shaped(clinicians: list[Clinician]) -> list[dict]:
    teams = _team_ids([c.id for c in clinicians])
    return [{"id": c.id, "email": c.email, "name": c.name, "role": c.role, "team_ids": teams[c.id],
             "active": c.active} for c in clinicians]


def list_clinicians(caller: Clinician) -> list[dict]:
    """An admin sees the clinic's clinicians; anyone else, the members of their own teams."""
    query = sa.select(Clinician).where(Clinician.clinic_id == caller.clinic_id)
    if caller.role != "admin":
        query = query.join(TeamMember, TeamMember.clinician_id == Clinician.id).where(
            TeamMember.team_id.in_(auth.teams_of(caller.id))).distinct()
    return shaped(db.session.scalars(query.order_by(Clinician.name, Clinician.id)).all())


def _team_of_clinic(caller: Clinician, team_id: uuid.UUID) -> CareTeam:
    team = db.session.get(CareTeam, team_id)
    if team is None or team.clinic_id != caller.clinic_id:
        raise NotFound("No such team.")
    return team


def _colleague(caller: Clinician, clinician_id: uuid.UUID) -> Clinician:
    found = db.session.get(Clinician, clinician_id)
    if found is None or found.clinic_id != caller.clinic_id:
        raise NotFound("No such clinician.")
    return found


def add_clinician(caller: Clinician, data: dict) -> dict:
    """A new clinician of the caller's clinic, in the teams named; with their token, shown once."""
    for team_id in data.get("team_ids", []):
        _team_of_clinic(caller, team_id)
    email = data["email"].strip().lower()
    if db.session.scalar(sa.select(sa.func.count()).select_from(Clinician).where(Clinician.email == email)):
        raise Conflict("A clinician with this email exists.")
    clinician, token = create_clinician(email, data["name"], caller.clinic_id, None, data["role"])
    for team_id in dict.fromkeys(data.get("team_ids", [])):
        _join(clinician.id, team_id)
    db.session.flush()
    return {**shaped([clinician])[0], "token": token}


def change_clinician(caller: Clinician, clinician_id: uuid.UUID, data: dict) -> dict:
    """Change a colleague's role, or deactivate them: their tokens and clinic sessions end at once."""
    clinician = _colleague(caller, clinician_id)
    stops_admin = data.get("role", "admin") != "admin" or data.get("active") is False
    if clinician.role == "admin" and clinician.active and stops_admin and not _other_admins(clinician):
        raise Conflict("A clinic keeps at least one active admin: make someone else admin first.")
    if "role" in data:
        clinician.role = data["role"]
    if data.get("active") is False and clinician.active:
        clinician.active = False
        revoke_access(clinician)
    elif data.get("active") is True:
        clinician.active = True
    db.session.flush()
    return shaped([clinician])[0]


def _other_admins(clinician: Clinician) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Clinician).where(
        Clinician.clinic_id == clinician.clinic_id, Clinician.role == "admin", Clinician.active.is_(True),
        Clinician.id != clinician.id))


def list_teams(caller: Clinician) -> list[dict]:
    teams = db.session.scalars(sa.select(CareTeam).where(CareTeam.clinic_id == caller.clinic_id)
                               .order_by(CareTeam.name, CareTeam.id)).all()
    members: dict = {t.id: [] for t in teams}
    for team_id, cid in db.session.execute(sa.select(TeamMember.team_id, TeamMember.clinician_id)
                                           .where(TeamMember.team_id.in_(list(members)))
                                           .order_by(TeamMember.clinician_id)):
        members[team_id].append(cid)
    return [{"id": t.id, "name": t.name, "member_ids": members[t.id]} for t in teams]


def add_team(caller: Clinician, name: str) -> dict:
    name = name.strip()
    if db.session.scalar(sa.select(sa.func.count()).select_from(CareTeam).where(
            CareTeam.clinic_id == caller.clinic_id, CareTeam.name == name)):
        raise Conflict("Your clinic has a team of this name.")
    team = CareTeam(id=uuid.uuid4(), clinic_id=caller.clinic_id, name=name, created_at=clock.now())
    db.session.add(team)
    db.session.flush()
    return {"id": team.id, "name": team.name, "member_ids": []}


def set_member(caller: Clinician, team_id: uuid.UUID, clinician_id: uuid.UUID,
               member: bool) -> tuple[CareTeam, Clinician]:
    """Add a colleague to a team of the clinic, or take them out; doing it twice changes nothing."""
    team = _team_of_clinic(caller, team_id)
    colleague = _colleague(caller, clinician_id)
    held = db.session.get(TeamMember, (clinician_id, team_id))
    if member and held is None:
        _join(clinician_id, team_id)
    elif not member and held is not None:
        db.session.delete(held)
    db.session.flush()
    return team, colleague


def issue_password(caller: Clinician, clinician_id: uuid.UUID) -> str:
    """Give a colleague of the caller's clinic a generated password; return it, to be shown once."""
    colleague = _colleague(caller, clinician_id)
    password = "-".join("".join(secrets.choice(PRINTED_ALPHABET) for _ in range(4)) for _ in range(PRINTED_GROUPS))
    set_password(colleague, password)
    db.session.flush()
    return password


def team_members(team_id: uuid.UUID) -> list[dict]:
    """The active members of a care team, by name: whom a flag of its patients can be handed to."""
    rows = db.session.execute(
        sa.select(Clinician.id, Clinician.name).join(TeamMember, TeamMember.clinician_id == Clinician.id)
        .where(TeamMember.team_id == team_id, Clinician.active.is_(True)).order_by(Clinician.name, Clinician.id))
    return [{"id": cid, "name": name} for cid, name in rows]


def names_of(clinician_ids) -> dict:
    """Clinicians' names by id (who handles a flag, say), active or not."""
    wanted = {cid for cid in clinician_ids if cid is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(sa.select(Clinician.id, Clinician.name).where(Clinician.id.in_(wanted))).all())


# -- the clinic's own receiver of urgent flags (admin)


def webhook_of(caller: Clinician) -> dict:
    """Where the clinic's urgent flags go; the secret itself is never shown again."""
    clinic = db.session.get(Clinic, caller.clinic_id)
    return {"url": clinic.webhook_url, "secret_set": clinic.webhook_secret is not None,
            "updated_at": clinic.webhook_updated_at}


def set_webhook(caller: Clinician, url: str | None, secret: str | None) -> dict:
    """Send the clinic's events to `url`, signed with `secret`; None for both: back to the default receiver.

    Events waiting to be sent take the new receiver too: each is sent where its clinic says when it goes.
    """
    clinic = db.session.get(Clinic, caller.clinic_id)
    clinic.webhook_url = url
    clinic.webhook_secret = None if secret is None else sealed.seal(secret)
    clinic.webhook_updated_at = clock.now()
    db.session.flush()
    return webhook_of(caller)
