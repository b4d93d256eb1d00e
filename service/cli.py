"""Commands for the people who run the service: `flask --app service ...`."""
from __future__ import annotations

import json
import sys

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup
from werkzeug.security import generate_password_hash

from . import auth, clock
from .extensions import db
from .models import Clinician, ClinicianToken

clinicians = AppGroup("clinicians", help="Create clinicians, set their passwords, revoke their access.")
MIN_PASSWORD = 12


def _echo_json(obj: dict) -> None:
    click.echo(json.dumps(obj, default=str))


def _clinician(email: str) -> Clinician:
    found = db.session.scalars(sa.select(Clinician).where(Clinician.email == email.strip().lower())).first()
    if found is None:
        raise click.ClickException(f"no clinician with the email {email}")
    return found


def issue_token(clinician: Clinician) -> str:
    token, hashed = auth.new_token(auth.CLINICIAN_PREFIX)
    db.session.add(ClinicianToken(clinician_id=clinician.id, token_hash=hashed, created_at=clock.now()))
    return token


def create_clinician(email: str, name: str) -> tuple[Clinician, str]:
    clinician = Clinician(email=email.strip().lower(), name=name.strip(), created_at=clock.now())
    db.session.add(clinician)
    db.session.flush()
    return clinician, issue_token(clinician)


@clinicians.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The clinician's name, as colleagues know it.")
def create_command(email: str, name: str) -> None:
    """Create a clinician and print their API token (shown once) as JSON."""
    if "@" not in email or len(email) > 254:
        raise click.BadParameter("not an email address", param_hint="EMAIL")
    if db.session.scalars(sa.select(Clinician.id).where(Clinician.email == email.strip().lower())).first():
        raise click.ClickException(f"a clinician with the email {email} exists; "
                                   "use `clinicians token` for a new token")
    clinician, token = create_clinician(email, name)
    db.session.commit()
    _echo_json({"id": str(clinician.id), "email": clinician.email, "name": clinician.name, "token": token})


@clinicians.command("token")
@click.argument("email")
def token_command(email: str) -> None:
    """Issue another API token for a clinician (after a revoke, say); prints JSON."""
    clinician = _clinician(email)
    token = issue_token(clinician)
    db.session.commit()
    _echo_json({"id": str(clinician.id), "email": clinician.email, "token": token})


@clinicians.command("set-password")
@click.argument("email")
def set_password_command(email: str) -> None:
    """Read a password from standard input and set it for the clinic page."""
    clinician = _clinician(email)
    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"the password must have at least {MIN_PASSWORD} characters")
    clinician.password_hash = generate_password_hash(password)
    db.session.commit()
    _echo_json({"id": str(clinician.id), "email": clinician.email, "password": "set"})


@clinicians.command("revoke")
@click.argument("email")
def revoke_command(email: str) -> None:
    """Revoke all of a clinician's API tokens and clinic-page sessions, at once."""
    clinician = _clinician(email)
    now = clock.now()
    revoked = db.session.execute(
        sa.update(ClinicianToken)
        .where(ClinicianToken.clinician_id == clinician.id, ClinicianToken.revoked_at.is_(None))
        .values(revoked_at=now)).rowcount
    clinician.sessions_valid_after = now
    db.session.commit()
    _echo_json({"id": str(clinician.id), "email": clinician.email, "revoked_tokens": revoked})


rules = AppGroup("rules", help="Work with the warning-sign rules.")


@rules.command("reevaluate")
@click.option("--patient", "patient_id", type=click.UUID, help="Only this patient's entries.")
def reevaluate_command(patient_id) -> None:
    """Run the current rules over stored entries again; never duplicates a flag or an occurrence."""
    from .models import Patient
    from .reevaluate import reevaluate

    if patient_id is not None and db.session.get(Patient, patient_id) is None:
        raise click.ClickException(f"no patient with the id {patient_id}")

    def progress(done: int, total: int) -> None:
        click.echo(f"reevaluated {done}/{total} entries", err=True)

    _echo_json(reevaluate(patient_id, progress))


@rules.command("table")
def table_command() -> None:
    """Print the rule catalogue as the README's Markdown table."""
    from .rules.table import markdown_table

    click.echo(markdown_table())


webhooks_cli = AppGroup("webhooks", help="Deliver urgent flags to BACLOWATCH_WEBHOOK_URL.")


@webhooks_cli.command("work")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--interval", default=2.0, show_default=True, type=click.FloatRange(0.1, 60),
              help="Seconds between rounds.")
def webhooks_work_command(once: bool, interval: float) -> None:
    """Deliver due webhook events until stopped (SIGTERM, Ctrl-C), riding out database outages;
    a stop finishes the deliveries under way. With --once, deliver what is due now and exit."""
    import logging
    import signal

    from flask import current_app

    from . import webhooks

    if not current_app.config.get("BACLOWATCH_WEBHOOK_URL"):
        raise click.ClickException("BACLOWATCH_WEBHOOK_URL is not set: there is nowhere to deliver to")
    if once:
        try:
            counts = webhooks.run_round()
        except sa.exc.DBAPIError as error:
            if not webhooks.database_away(error):
                raise
            raise click.ClickException("the database is not answering; nothing was delivered that is not "
                                       "recorded, and events under way are sent again after their lease")
        if any(counts.values()):
            click.echo(json.dumps(counts), err=True)
        return

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    signals = []

    def stop(number, _frame):
        if signals:
            raise SystemExit(128 + number)  # a second signal: stop now, deliveries under way or not
        signals.append(number)
        webhooks.log.info("stopping: finishing the deliveries under way")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    recorded = webhooks.serve(interval, lambda: bool(signals), lambda counts: click.echo(json.dumps(counts), err=True))
    if not recorded:
        raise SystemExit(1)


@webhooks_cli.command("status")
def webhooks_status_command() -> None:
    """Print counts of pending, delivered and failed events, and the oldest pending, as JSON."""
    from . import webhooks

    _echo_json(webhooks.status())


@webhooks_cli.command("retry")
@click.option("--failed", "include_failed", is_flag=True, help="Also make failed events due again.")
def webhooks_retry_command(include_failed: bool) -> None:
    """Make waiting events due now; with --failed, failed ones too (with another 24 hours)."""
    from . import webhooks

    _echo_json({"due_again": webhooks.retry(include_failed)})


def register_cli(app: Flask) -> None:
    from .demo import demo_command

    app.cli.add_command(clinicians)
    app.cli.add_command(rules)
    app.cli.add_command(webhooks_cli)
    app.cli.add_command(demo_command)
