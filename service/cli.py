"""Commands for the people who run the service: `flask --app service ...`."""
from __future__ import annotations

import json
import sys

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .clinicians import Misplaced, create_clinic, create_clinician, issue_token, revoke_access, set_password
from .extensions import db
from .models import ROLES, Clinician

clinicians = AppGroup("clinicians", help="Create clinicians, set their passwords, revoke their access.")
MIN_PASSWORD = 12


def _echo_json(obj: dict) -> None:
    click.echo(json.dumps(obj, default=str))


def _clinician(email: str) -> Clinician:
    found = db.session.scalars(sa.select(Clinician).where(Clinician.email == email.strip().lower())).first()
    if found is None:
        raise click.ClickException(f"no clinician with the email {email}")
    return found


@clinicians.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The clinician's name, as colleagues know it.")
@click.option("--clinic", "clinic_id", type=click.UUID, help="Their clinic (default: a clinic and team of their own).")
@click.option("--team", "team_id", type=click.UUID, help="A care team of that clinic to join.")
@click.option("--role", type=click.Choice(ROLES), default="prescriber", show_default=True,
              help="admin manages the clinic's clinicians and teams; only a prescriber sets doses.")
def create_command(email: str, name: str, clinic_id, team_id, role: str) -> None:
    """Create a clinician and print their API token (shown once) as JSON.

    Without --clinic, the clinician gets a clinic and a care team of their own, so two clinicians
    made this way never see each other's patients."""
    if "@" not in email or len(email) > 254:
        raise click.BadParameter("not an email address", param_hint="EMAIL")
    if db.session.scalars(sa.select(Clinician.id).where(Clinician.email == email.strip().lower())).first():
        raise click.ClickException(f"a clinician with the email {email} exists; "
                                   "use `clinicians token` for a new token")
    try:
        clinician, token = create_clinician(email, name, clinic_id, team_id, role)
    except Misplaced as error:
        raise click.BadParameter(str(error)) from None
    db.session.commit()
    _echo_json({"id": str(clinician.id), "email": clinician.email, "name": clinician.name, "token": token})


clinics = AppGroup("clinics", help="Create clinics.")


@clinics.command("create")
@click.argument("name")
def create_clinic_command(name: str) -> None:
    """Create a clinic and its first care team (of the same name); print {"id", "name", "team_id"}.

    Then add its clinicians with `clinicians create EMAIL --name NAME --clinic ID --team TEAM_ID --role ROLE`."""
    if not name.strip() or len(name) > 200:
        raise click.BadParameter("a name of 1 to 200 characters", param_hint="NAME")
    clinic, team = create_clinic(name)
    db.session.commit()
    _echo_json({"id": str(clinic.id), "name": clinic.name, "team_id": str(team.id)})


@clinicians.command("token")
@click.argument("email")
def token_command(email: str) -> None:
    """Issue another API token for a clinician (after a revoke, say); prints JSON."""
    clinician = _clinician(email)
    token = issue_token(clinician)
    db.session.commit()
    _echo_json({"id": str(clinician.id), "email": clinician.email, "token": token})


@clinicians.command("set-password", help=f"""Read a password from standard input and set it for the clinic page.

The password must have at least {MIN_PASSWORD} characters; spaces count and are kept, only the
line break at the end is dropped. It replaces the clinician's password and ends every clinic
session signed in before (API tokens stay; `clinicians revoke` ends those). For example:

\b
  echo 'a long passphrase of yours' | flask --app service clinicians set-password dr.lee@example.org
""")
@click.argument("email")
def set_password_command(email: str) -> None:
    clinician = _clinician(email)
    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"the password must have at least {MIN_PASSWORD} characters")
    # Whoever signed in with the old password (perhaps not the clinician) is signed out.
    ended = set_password(clinician, password)
    db.session.commit()
    _echo_json({"id": str(clinician.id), "email": clinician.email, "password": "set", "ended_sessions": ended})


@clinicians.command("revoke")
@click.argument("email")
def revoke_command(email: str) -> None:
    """Revoke all of a clinician's API tokens and clinic-page sessions, at once."""
    clinician = _clinician(email)
    revoked, ended = revoke_access(clinician)
    db.session.commit()
    _echo_json({"id": str(clinician.id), "email": clinician.email, "revoked_tokens": revoked,
                "ended_sessions": ended})


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
    from . import webhooks

    _say_where_events_go()
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

    _serve(interval)


def _say_where_events_go() -> None:
    if not current_app.config.get("BACLOWATCH_WEBHOOK_URL"):
        click.echo("BACLOWATCH_WEBHOOK_URL is not set: only clinics with a receiver of their own "
                   "(PUT /clinic/webhook) get events", err=True)


def _serve(interval: float, chores: tuple = ()) -> None:
    """Deliver (and run the chores) until SIGTERM or Ctrl-C; a second signal stops at once."""
    import logging
    import signal

    from . import webhooks

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
    recorded = webhooks.serve(interval, lambda: bool(signals), lambda counts: click.echo(json.dumps(counts), err=True),
                              chores)
    if not recorded:
        raise SystemExit(1)


@click.command("worker")
@click.option("--interval", default=2.0, show_default=True, type=click.FloatRange(0.1, 60),
              help="Seconds between delivery rounds.")
@click.option("--sweep-every", default=600.0, show_default=True, type=click.FloatRange(1, 86400),
              help="Seconds between two silent-patient sweeps.")
@with_appcontext
def worker_command(interval: float, sweep_every: float) -> None:
    """Run the service's background work until stopped: deliver webhook events (as `webhooks work`)
    and sweep for silent patients every 10 minutes (as `flags sweep`). Run one or more beside gunicorn."""
    from . import sweep, webhooks

    _say_where_events_go()
    _serve(interval, (webhooks.Chore(sweep_every, sweep.sweep),))


flags_cli = AppGroup("flags", help="Flags that no entry raises: the silent-patient sweep.")


@flags_cli.command("sweep")
def flags_sweep_command() -> None:
    """Open a silent_patient flag for each patient with no entry received for longer than their
    expected_every_days; safe to run often and on several workers at once. Prints what it did."""
    from . import sweep

    _echo_json(sweep.sweep())


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


# ------------------------------------------------------------------ db upgrade, openapi
# Flask-Migrate's `db upgrade` says nothing when it succeeds, and flask-smorest's `openapi write`
# speaks of JSON alone: their groups are rebuilt with the same commands but these two.


def _applied(connection) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    return tuple(MigrationContext.configure(connection).get_current_heads())


@click.command("upgrade", short_help="Create or migrate the schema; print what it did.")
@click.option("-d", "--directory", default=None, help="Migration script directory (default: the package's)")
@click.option("--sql", is_flag=True, help="Don't emit SQL to the database - dump it to standard output instead")
@click.option("--tag", default=None, help='Arbitrary "tag" name - can be used by custom env.py scripts')
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade_command(directory, sql, tag, x_arg, revision) -> None:
    """Create or migrate the schema up to REVISION (default: head); print what it did.

    Names the database (without its password), the revision before and after, and each
    migration applied; on a database already there, says so.
    """
    from alembic.script import ScriptDirectory
    from flask import g
    from flask_migrate import upgrade

    directory = directory or g.directory
    x_arg = x_arg or g.x_arg
    if sql:
        upgrade(directory, revision, sql, tag, x_arg)
        return
    migrate_ext = current_app.extensions["migrate"]
    script = ScriptDirectory.from_config(migrate_ext.migrate.get_config(directory))
    where = db.engine.url.render_as_string(hide_password=True)
    with db.engine.connect() as connection:
        before = _applied(connection)
    upgrade(directory, revision, sql, tag, x_arg)
    with db.engine.connect() as connection:
        after = _applied(connection)

    def name(revisions: tuple[str, ...]) -> str:
        if not revisions:
            return "nothing (an empty database)"
        at_head = set(revisions) == set(script.get_heads())
        return ", ".join(revisions) + (" (the newest)" if at_head else "")

    if before == after:
        click.echo(f"database {where}: already at {name(after)}; nothing to do")
        return
    click.echo(f"database {where}: upgraded from {name(before)} to {name(after)}")
    applied = list(script.iterate_revisions(after, before or "base"))
    for rev in reversed(applied):
        click.echo(f"  applied {rev.revision}: {rev.doc}")


def _db_group() -> click.Group:
    from flask_migrate.cli import db as migrate_db

    group = click.Group("db", callback=migrate_db.callback, params=migrate_db.params, help=migrate_db.help,
                        commands=dict(migrate_db.commands))
    group.add_command(db_upgrade_command)
    return group


def _openapi_group() -> click.Group:
    from flask_smorest.spec import openapi_cli

    def with_format(command: click.Command, help: str) -> click.Command:
        fmt = click.Option(["-f", "--format"], type=click.Choice(["json", "yaml"]), default="json",
                           show_default=True, help="json or yaml.")
        params = [fmt] + [p for p in command.params if p.name != "format"]
        return click.Command(command.name, callback=command.callback, params=params, help=help)

    group = AppGroup("openapi", help="Print or write the OpenAPI document that the code generates.")
    group.add_command(openapi_cli.commands["list-config-prefixes"])
    group.add_command(with_format(openapi_cli.commands["print"], help=(
        "Print the OpenAPI document as JSON (the default) or YAML (--format yaml).")))
    group.add_command(with_format(openapi_cli.commands["write"], help=(
        "Write the OpenAPI document to OUTPUT_FILE as JSON (the default) or YAML (--format yaml); "
        "`-` is standard output. The repository's copy is made with "
        "`flask --app service openapi write --format yaml openapi.yaml`.")))
    return group


def register_cli(app: Flask) -> None:
    from .demo import demo_command
    from .notes_cli import notes_cli

    app.cli.add_command(_db_group())  # in place of Flask-Migrate's, which create_app added before
    app.cli.add_command(_openapi_group())  # in place of flask-smorest's
    app.cli.add_command(clinicians)
    app.cli.add_command(clinics)
    app.cli.add_command(rules)
    app.cli.add_command(webhooks_cli)
    app.cli.add_command(flags_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(notes_cli)
