#!/usr/bin/env python3
"""Measure Baclowatch in one run, on a database of its own (SPEC.md, "Benchmarks").

Run from the project's root with its environment:

    .venv/bin/python tests/bench.py                  # a fresh temporary SQLite file, full scale
    .venv/bin/python tests/bench.py --quick          # smaller seeds, under a minute (CI runs this)
    .venv/bin/python tests/bench.py --db postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python tests/bench.py --db ... --load  # and a load test under gunicorn
    .venv/bin/python tests/bench.py --quick --profile  # and where POST /entries spends its time

Progress goes to stderr. Standard output gets a table of each figure beside its baseline, then,
as its last line, one JSON object:

    entry_vs_bare      requests/s of POST /entries (every rule) over those of a bare endpoint that
                       stores the same rows and nothing else (tests/bench_app.py): same entries,
                       same database, short blocks by turns; the median of the rounds' ratios
                       (entry_rps, bare_rps: the medians of each)
    note_ms            one POST /entries with a 300-character note, less the same entry without it
                       (the note reader's cost), same patient, by turns; medians (note_post_ms,
                       plain_post_ms)
    history_10y_vs_1w  one POST /entries for a patient with ten years of entries (two with --quick)
                       over one for a patient with one week; both get the same entries, by turns
                       (post_ms_10y, post_ms_1w)
    queue_teams_vs_empty  one clinician's first queue page (GET /flags, 50 open flags in their team)
                       after 1,000 other teams with 100,000 open flags were stored, over the same
                       page before (queue_ms_teams, queue_ms_empty; medians; --quick: 10,000 flags)
    batch200_vs_one    one POST /entries/batch of 200 over one POST /entries around it, for the same
                       patient; the median of the rounds' ratios (batch200_ms, one_ms: medians)
    reevaluate_per_s   entries judged per second by `rules reevaluate` over the seeded history
    sweep_s            one silent-patient sweep (`flags sweep`) over 100,000 enrolled patients (10,000
                       with --quick), 5% of them silent: it opens their flags (sweep_opened); then
                       the same sweep again, which opens nothing (sweep_again_s)
    queries_per_entry  SQL statements (and commits) of one POST /entries; queries_by_kind splits them
    load_*             with --load: gunicorn on the same database, clients in another process

The in-process figures go through Flask's test client: they time the service's own work, without
sockets, the same way for a figure and its baseline.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import cProfile
import datetime as dt
import gc
import http.client
import json
import multiprocessing
import os
import pstats
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import sqlalchemy as sa  # noqa: E402

from bench_app import BARE_PATH, make_app  # noqa: E402
from service.entries import body_hash  # noqa: E402
from service.extensions import db  # noqa: E402
from service.models import Dose, Entry  # noqa: E402
from throwaway_database import make_database  # noqa: E402

API = "/api/v1"
SECRET_KEY = "baclowatch-bench-secret"
TIMEZONE = "Europe/Paris"  # a zone with summer time, so local days are worth computing
BULK_ROWS = 5000
BATCH_SIZE = 200
THROUGHPUT_BLOCK = 20  # requests of one endpoint before the other takes its turn
# Seeded days: when a patient logs, in local time (never in the hour summer time skips).
SLOTS = ((8, 0), (10, 30), (13, 0), (16, 0), (19, 30), (22, 0), (7, 0), (11, 30), (15, 0), (21, 0))
COMMON_SYMPTOMS = ("drowsiness", "dizziness", "nausea", "headache", "insomnia", "muscle_weakness",
                   "anxiety", "low_mood", "sweating", "tremor")
NOTES = ("Tired after lunch.", "Slept badly.", "Felt dizzy standing up.", "Craving in the evening, went for a walk.",
         "Good day.", "Dinner with friends, stuck to two glasses.")
# Ordinary notes of 300 characters, as patients write them: what the note reader reads in full.
LONG_NOTES = (
    "Craving was about a 6 most of the afternoon, worst around 5 when I drove past the pub. Had two beers "
    "with dinner which I know I shouldn't. Took my 20mg at 8am and 20mg at 2pm, forgot the evening one until "
    "late. Bit tired and a headache after lunch, probably the heat. Walked the dog and called my sister after.",
    "slept badly again, up at 3 and couldnt get back off so just lay there thinking about work. cravings low "
    "in the morning, stronger in the evening, maybe a 5. no drinks today!! took baclofen as usual with food. "
    "felt a bit dizzy getting up from the sofa but it passed. going to try the meeting on thursday x",
    "Good day overall. Went to the gym for the first time in weeks and felt great after, craving basically "
    "zero until dinner. Partner had wine and I had sparkling water instead. Dose taken 10mg x3. Some nausea "
    "after the second dose which the GP said might happen. Watching a film now and heading to bed early.",
)
LOAD_LIMIT = "1000000 per minute"  # rate limits are on in a served app; the load test is one address
LOAD_MAX_REQUESTS_PER_CLIENT = 1_000_000
LOAD_TIMEOUT = 10.0  # seconds a client waits for one answer
LOAD_WARMUP = 5  # requests each load client sends before the clock starts


@dataclass(frozen=True)
class Scale:
    name: str
    history_years: int  # of the long-history patient
    entries_per_day: int  # seeded, for the long-history and the one-week patient
    pool: int  # patients the throughput rounds spread their entries over, per endpoint
    rounds: int  # throughput rounds, each endpoint once per round
    requests_per_round: int
    history_posts: int  # per patient
    batch_rounds: int
    singles_per_round: int
    queries_posts: int
    profile_posts: int
    load_seconds: float
    note_posts: int  # pairs of POST /entries, with and without a note
    other_teams: int  # stored for the queue's figure, each with patients_per_team × flags_per_patient open flags
    patients_per_team: int
    sweep_patients: int  # enrolled patients with a last entry, for the silent-patient sweep


FULL = Scale("full", history_years=10, entries_per_day=6, pool=8, rounds=7, requests_per_round=200,
             history_posts=150, batch_rounds=7, singles_per_round=20, queries_posts=20, profile_posts=300,
             load_seconds=30.0, note_posts=150, other_teams=1000, patients_per_team=10,
             sweep_patients=100_000)
QUICK = Scale("quick", history_years=2, entries_per_day=6, pool=4, rounds=3, requests_per_round=80,
              history_posts=60, batch_rounds=3, singles_per_round=10, queries_posts=10, profile_posts=300,
              load_seconds=5.0, note_posts=40, other_teams=100, patients_per_team=10,
              sweep_patients=10_000)


class BenchError(RuntimeError):
    pass


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ realistic entries


def recent_moment(rng: random.Random, zone: ZoneInfo, days: float) -> dt.datetime:
    """Return a time in the last `days` days (at least ten minutes ago), in the patient's zone."""
    return dt.datetime.now(zone) - dt.timedelta(seconds=rng.uniform(600, days * 86400))


def entry_body(rng: random.Random, at: dt.datetime) -> dict:
    """Return what a phone sends for an entry recorded at `at`: a fresh client_id, a typical mix."""
    body: dict = {"client_id": str(uuid.uuid4()), "recorded_at": at.isoformat()}
    if rng.random() < 0.7:
        body["craving"] = rng.choice((0, 1, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8, 9))
    if rng.random() < 0.5:
        taken = at - dt.timedelta(minutes=rng.randint(0, 45))
        body["doses"] = [{"amount_mg": rng.choice((10, 20, 20, 30)), "taken_at": taken.isoformat()}]
    if rng.random() < 0.12:
        body["alcohol_drinks"] = rng.choice((1, 2, 2, 3, 4, 6))
    if rng.random() < 0.2:
        codes = rng.sample(COMMON_SYMPTOMS, rng.choice((1, 1, 2)))
        body["symptoms"] = [{"code": code, "severity": rng.choice((1, 1, 2, 2, 3))} for code in codes]
    if rng.random() < 0.1:
        body["note"] = rng.choice(NOTES)
    if len(body) == 2:
        body["craving"] = rng.randint(0, 5)
    return body


def dumps(body: dict) -> bytes:
    return json.dumps(body).encode()


# ------------------------------------------------------------------ the database of the run


class Database:
    """A fresh database for one run: a temporary SQLite file, or a new database on a PostgreSQL server."""

    def __init__(self, url: str, backend: str, drop=lambda: None):
        self.url, self.backend, self._drop = url, backend, drop

    @classmethod
    def fresh(cls, given: str | None, tmp: str) -> Database:
        if not given or given == "sqlite" or given.startswith("sqlite:"):
            return cls(f"sqlite:///{Path(tmp) / 'bench.db'}", "sqlite")
        server = sa.engine.make_url(given)
        if server.get_backend_name() != "postgresql":
            raise BenchError(f"--db must be a PostgreSQL server URL or sqlite, not {server.get_backend_name()}")
        if server.drivername == "postgresql":
            server = server.set(drivername="postgresql+psycopg")  # psycopg 3 is the service's driver
        admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT",
                                 connect_args={"connect_timeout": 5})
        name, drop = make_database(admin, "baclowatch_bench")
        say(f"made database {name} on {server.host}:{server.port or 5432}")
        return cls(server.set(database=name).render_as_string(hide_password=False), "postgresql", drop)

    def drop(self) -> None:
        self._drop()


def upgrade(app) -> None:
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    if result.exit_code != 0:
        raise BenchError(f"flask db upgrade failed: {result.output}")


# ------------------------------------------------------------------ people


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def make_clinician(app) -> str:
    email = f"bench-{uuid.uuid4().hex[:8]}@example.org"
    result = app.test_cli_runner().invoke(args=["clinicians", "create", email, "--name", "Dr Bench"])
    if result.exit_code != 0:
        raise BenchError(f"clinicians create failed: {result.output}")
    return json.loads(result.output.strip().splitlines()[-1])["token"]


@dataclass(frozen=True)
class Phone:
    patient_id: str
    token: str


def make_patient(client, clinician_token: str, treatment_start: dt.date) -> Phone:
    """Create a patient through the API and enrol a phone, as the clinic and the app would."""
    created = client.post(f"{API}/patients", headers=auth(clinician_token), json={
        "reference": f"B-{uuid.uuid4().hex[:10]}", "timezone": TIMEZONE, "treatment_start": treatment_start.isoformat(),
        "depression": False, "anxiety": True,
        "prescription": {"daily_dose_mg": 60, "max_daily_mg": 90, "approach": "flexible",
                         "effective_from": treatment_start.isoformat()}})
    if created.status_code != 201:
        raise BenchError(f"POST /patients answered {created.status_code}: {created.get_data(as_text=True)}")
    enrolled = client.post(f"{API}/enroll", json={"code": created.json["enrollment"]["code"], "device_name": "bench"})
    if enrolled.status_code != 201:
        raise BenchError(f"POST /enroll answered {enrolled.status_code}: {enrolled.get_data(as_text=True)}")
    return Phone(created.json["id"], enrolled.json["token"])


# ------------------------------------------------------------------ seeding


def _rows(body: dict, patient_id: uuid.UUID, zone: ZoneInfo) -> tuple[dict, list[dict]]:
    """Return the entry row and dose rows the service would store for a body (see service/entries.py)."""
    at = dt.datetime.fromisoformat(body["recorded_at"])
    entry_id = uuid.uuid4()
    entry = {"id": entry_id, "patient_id": patient_id, "client_id": uuid.UUID(body["client_id"]), "body": body,
             "body_hash": body_hash(body), "recorded_at": at, "local_date": at.astimezone(zone).date(),
             "received_at": at + dt.timedelta(minutes=2), "craving": body.get("craving"),
             "alcohol_drinks": body.get("alcohol_drinks"), "symptoms": body.get("symptoms"),
             "substances": body.get("substances"), "note": body.get("note")}
    doses = []
    for dose in body.get("doses") or ():
        taken = dt.datetime.fromisoformat(dose.get("taken_at", body["recorded_at"]))
        doses.append({"entry_id": entry_id, "patient_id": patient_id, "amount_mg": dose["amount_mg"],
                      "taken_at": taken, "local_date": taken.astimezone(zone).date()})
    return entry, doses


def seed_history(app, phone: Phone, days: int, per_day: int, label: str) -> int:
    """Insert `days` days of entries up to yesterday in bulk (the API refuses entries over 90 days old).

    A day's entries depend only on the date, so two patients seeded over the same days log the same.
    """
    zone = ZoneInfo(TIMEZONE)
    today = dt.datetime.now(zone).date()
    patient_id = uuid.UUID(phone.patient_id)
    total, done = days * per_day, 0
    entries: list[dict] = []
    doses: list[dict] = []

    def flush(engine) -> None:
        nonlocal done
        with engine.begin() as conn:
            conn.execute(sa.insert(Entry.__table__), entries)
            if doses:
                conn.execute(sa.insert(Dose.__table__), doses)
        done += len(entries)
        entries.clear()
        doses.clear()
        say(f"seeding {label}: {done}/{total} entries")

    with app.app_context():
        engine = db.engine
        for back in range(days, 0, -1):
            day = today - dt.timedelta(days=back)
            rng = random.Random(day.toordinal())
            for hour, minute in SLOTS[:per_day]:
                at = dt.datetime.combine(day, dt.time(hour, minute + rng.randint(0, 25)), tzinfo=zone)
                entry, its_doses = _rows(entry_body(rng, at), patient_id, zone)
                entries.append(entry)
                doses.extend(its_doses)
            if len(entries) >= BULK_ROWS:
                flush(engine)
        if entries:
            flush(engine)
    return done


# ------------------------------------------------------------------ measuring


def post(client, path: str, token: str, payload: bytes, expect=(200, 201)):
    """POST a JSON body; return the seconds it took and the response."""
    started = time.perf_counter()
    response = client.post(path, data=payload, headers=auth(token))
    elapsed = time.perf_counter() - started
    if response.status_code not in expect:
        raise BenchError(f"POST {path} answered {response.status_code}: {response.get_data(as_text=True)[:500]}")
    return elapsed, response


def timed_run(client, path: str, jobs: list[tuple[str, bytes]]) -> float:
    gc.collect()
    started = time.perf_counter()
    for token, payload in jobs:
        post(client, path, token, payload)
    return time.perf_counter() - started


def measure_throughput(client, rules_phones: list[Phone], bare_phones: list[Phone], scale: Scale,
                       rng: random.Random) -> tuple[float, float, float]:
    """Return requests/s of POST /entries and of the bare endpoint, and their ratio (medians of rounds).

    Within a round the two take turns in short blocks, on the same entries (but for their
    client_ids), so a slow spell of a shared machine slows both alike.
    """
    zone = ZoneInfo(TIMEZONE)
    n = scale.requests_per_round

    def twins(count: int) -> tuple[list, list]:
        # Sixty days across the pool keeps a few entries per patient-day, as on a real phone.
        bodies = [entry_body(rng, recent_moment(rng, zone, 60)) for _ in range(count)]
        return ([(rules_phones[i % len(rules_phones)].token, dumps(body)) for i, body in enumerate(bodies)],
                [(bare_phones[i % len(bare_phones)].token, dumps(dict(body, client_id=str(uuid.uuid4()))))
                 for i, body in enumerate(bodies)])

    warm_rules, warm_bare = twins(10)
    timed_run(client, f"{API}/entries", warm_rules)
    timed_run(client, BARE_PATH, warm_bare)
    rules_rps, bare_rps, ratios = [], [], []
    for round_ in range(scale.rounds):
        rules_jobs, bare_jobs = twins(n)
        spent = {"entries": 0.0, "bare": 0.0}
        for block, start in enumerate(range(0, n, THROUGHPUT_BLOCK)):
            turns = [("entries", f"{API}/entries", rules_jobs), ("bare", BARE_PATH, bare_jobs)]
            for name, path, jobs in (turns if (round_ + block) % 2 == 0 else turns[::-1]):
                spent[name] += timed_run(client, path, jobs[start:start + THROUGHPUT_BLOCK])
        rules_rps.append(n / spent["entries"])
        bare_rps.append(n / spent["bare"])
        ratios.append(rules_rps[-1] / bare_rps[-1])
        say(f"throughput round {round_ + 1}/{scale.rounds}: entries {rules_rps[-1]:.1f} req/s, "
            f"bare {bare_rps[-1]:.1f} req/s, ratio {ratios[-1]:.3f}")
    return statistics.median(rules_rps), statistics.median(bare_rps), statistics.median(ratios)


def measure_history(client, long: Phone, short: Phone, scale: Scale, rng: random.Random) -> tuple[float, float]:
    """Return the median ms of one POST /entries for the long-history and the one-week patient."""
    zone = ZoneInfo(TIMEZONE)
    times: dict[str, list[float]] = {long.token: [], short.token: []}
    for phone in (long, short, long, short):  # warm-up, not counted
        post(client, f"{API}/entries", phone.token, dumps(entry_body(rng, recent_moment(rng, zone, 6))))
    for i in range(scale.history_posts):
        # Both get the same entry (but for its client_id), so they differ only in what is stored.
        body = entry_body(rng, recent_moment(rng, zone, 6))
        twins = {long.token: dumps(body), short.token: dumps(dict(body, client_id=str(uuid.uuid4())))}
        for phone in ((long, short) if i % 2 == 0 else (short, long)):
            times[phone.token].append(post(client, f"{API}/entries", phone.token, twins[phone.token])[0] * 1000)
        if (i + 1) % 20 == 0 or i + 1 == scale.history_posts:
            say(f"history posts: {i + 1}/{scale.history_posts} per patient")
    return statistics.median(times[long.token]), statistics.median(times[short.token])


def measure_note(client, phone: Phone, scale: Scale, rng: random.Random) -> tuple[float, float]:
    """Return the median ms of one POST /entries with a 300-character note and without it."""
    zone = ZoneInfo(TIMEZONE)
    times: dict[bool, list[float]] = {True: [], False: []}
    for note in LONG_NOTES:  # warm-up, not counted: the model loads on the first note
        post(client, f"{API}/entries", phone.token, dumps(dict(entry_body(rng, recent_moment(rng, zone, 6)), note=note)))
    for i in range(scale.note_posts):
        body = {k: v for k, v in entry_body(rng, recent_moment(rng, zone, 6)).items() if k != "note"}
        if len(body) == 2:  # the note was all it carried
            body["craving"] = rng.randint(0, 5)
        # Each note differs (the service reads a note it has read before from memory; patients'
        # long notes do not repeat), and keeps to 300 characters.
        note = f"{LONG_NOTES[i % len(LONG_NOTES)][:292]} day {i:03d}"
        twins = {True: dict(body, note=note), False: dict(body, client_id=str(uuid.uuid4()))}
        for with_note in ((True, False) if i % 2 == 0 else (False, True)):
            times[with_note].append(post(client, f"{API}/entries", phone.token, dumps(twins[with_note]))[0] * 1000)
        if (i + 1) % 20 == 0 or i + 1 == scale.note_posts:
            say(f"note posts: {i + 1}/{scale.note_posts} pairs")
    return statistics.median(times[True]), statistics.median(times[False])


QUEUE_FLAGS_PER_PATIENT = 10  # open flags of distinct rules (one open flag per patient and rule)
QUEUE_PAGES = 60  # first pages read for each figure


def queue_page_ms(client, token: str) -> float:
    times = []
    for _ in range(QUEUE_PAGES):
        began = time.perf_counter()
        answer = client.get(f"{API}/flags?status=open&limit=50", headers=auth(token))
        times.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200 or len(answer.json["items"]) != 50:
            raise BenchError(f"GET /flags answered {answer.status_code} with {len(answer.get_json().get('items', []))}")
    return statistics.median(times)


def seed_other_teams(app, scale: Scale) -> int:
    """Store `scale.other_teams` clinics' teams, each with its clinician, patients and open flags, in bulk."""
    from service.flags import QUEUE_RANK
    from service.models import CareTeam, Clinic, Clinician, Flag, Patient, TeamMember
    from service.rules.catalogue import RULES

    now = dt.datetime.now(dt.timezone.utc)
    rules = RULES[:QUEUE_FLAGS_PER_PATIENT]
    stored = 0
    with app.app_context():
        engine = db.engine
        for first in range(0, scale.other_teams, 100):
            clinics, teams, clinicians, members, patients, flags = [], [], [], [], [], []
            for n in range(first, min(first + 100, scale.other_teams)):
                clinic_id, team_id, clinician_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
                clinics.append({"id": clinic_id, "name": f"Clinic {n}", "created_at": now})
                teams.append({"id": team_id, "clinic_id": clinic_id, "name": f"Team {n}", "created_at": now})
                clinicians.append({"id": clinician_id, "email": f"queue-{n}-{clinician_id.hex[:6]}@example.org",
                                   "name": f"Dr {n}", "created_at": now, "clinic_id": clinic_id,
                                   "role": "prescriber", "active": True})
                members.append({"clinician_id": clinician_id, "team_id": team_id, "added_at": now})
                for m in range(scale.patients_per_team):
                    patient_id = uuid.uuid4()
                    patients.append({"id": patient_id, "clinician_id": clinician_id, "team_id": team_id,
                                     "clinic_id": clinic_id, "reference": f"Q-{n}-{m}", "timezone": TIMEZONE,
                                     "treatment_start": now.date(), "renal_impairment": False, "depression": False,
                                     "anxiety": False, "created_at": now, "updated_at": now})
                    for k, rule in enumerate(rules):
                        seen = now - dt.timedelta(minutes=n * 97 + m * 7 + k)
                        flags.append({"id": uuid.uuid4(), "patient_id": patient_id, "team_id": team_id,
                                      "rule": rule.code, "rule_version": rule.version, "severity": rule.severity,
                                      "severity_rank": QUEUE_RANK[rule.severity],
                                      "status": "open", "title": rule.title, "guidance": rule.guidance,
                                      "evidence": {}, "source": dict(rule.source), "occurrences": 1,
                                      "first_seen_at": seen, "last_seen_at": seen, "created_at": now,
                                      "updated_at": now})
            with engine.begin() as conn:
                for model, rows in ((Clinic, clinics), (CareTeam, teams), (Clinician, clinicians),
                                    (TeamMember, members), (Patient, patients), (Flag, flags)):
                    conn.execute(sa.insert(model.__table__), rows)
            stored += len(flags)
            say(f"other teams: {min(first + 100, scale.other_teams)}/{scale.other_teams} ({stored} open flags)")
    return stored


def measure_queue(app, client, clinician: str, scale: Scale, rng: random.Random) -> tuple[float, float, int]:
    """Return the ms of the clinician's first queue page before and after other teams' flags are
    stored, and how many those were. The clinician's own 50 open flags come from real entries."""
    start = dt.date.today() - dt.timedelta(days=120)
    zone = ZoneInfo(TIMEZONE)
    for _ in range(25):  # two urgent rules each: 50 open flags
        phone = make_patient(client, clinician, start)
        body = dict(entry_body(rng, recent_moment(rng, zone, 2)), note=None,
                    symptoms=[{"code": "slow_breathing", "severity": 3}, {"code": "seizure", "severity": 3}])
        post(client, f"{API}/entries", phone.token, dumps({k: v for k, v in body.items() if v is not None}))
    empty = queue_page_ms(client, clinician)
    stored = seed_other_teams(app, scale)
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # as autovacuum would, after a bulk load
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    return empty, queue_page_ms(client, clinician), stored


SILENT_SHARE = 20  # one patient in 20 has gone quiet


def seed_watched_patients(app, count: int) -> int:
    """Store `count` enrolled patients in one team, each with a phone and a last entry: most logged
    yesterday, one in SILENT_SHARE five days ago (past the default of 3 days). Returns the silent."""
    from service.clinicians import create_clinic, create_clinician
    from service.models import Device, Patient

    now = dt.datetime.now(dt.timezone.utc)
    silent = 0
    with app.app_context():
        clinic, team = create_clinic("Sweep clinic")
        clinician, _ = create_clinician(f"sweep-{uuid.uuid4().hex[:8]}@example.org", "Dr Sweep", clinic.id, team.id)
        clinic_id, team_id, clinician_id = clinic.id, team.id, clinician.id
        db.session.commit()
        db.session.close()  # the bulk inserts below go through connections of their own
        for first in range(0, count, BULK_ROWS):
            patients, devices, entries = [], [], []
            for n in range(first, min(first + BULK_ROWS, count)):
                patient_id = uuid.uuid4()
                quiet = n % SILENT_SHARE == 0
                silent += quiet
                last = now - dt.timedelta(days=5 if quiet else 1)
                patients.append({"id": patient_id, "clinician_id": clinician_id, "team_id": team_id,
                                 "clinic_id": clinic_id, "reference": f"S-{n}", "timezone": TIMEZONE,
                                 "treatment_start": now.date(), "renal_impairment": False, "depression": False,
                                 "anxiety": False, "sex": "unspecified", "standard_drink_g": 10.0,
                                 "expected_every_days": 3, "created_at": now,
                                 "updated_at": now})
                devices.append({"id": uuid.uuid4(), "patient_id": patient_id, "device_name": "phone",
                                "token_hash": uuid.uuid4().hex + uuid.uuid4().hex, "enrolled_at": last})
                entries.append({"id": uuid.uuid4(), "patient_id": patient_id, "client_id": uuid.uuid4(),
                                "body": {"craving": 2}, "body_hash": "0" * 64, "recorded_at": last,
                                "local_date": last.date(), "received_at": last, "craving": 2})
            with db.engine.begin() as conn:
                for model, rows in ((Patient, patients), (Device, devices), (Entry, entries)):
                    conn.execute(sa.insert(model.__table__), rows)
            say(f"watched patients: {min(first + BULK_ROWS, count)}/{count}")
    return silent


def measure_sweep(app, scale: Scale) -> dict:
    """Time one sweep over the watched patients (it opens the silent ones' flags), then another."""
    from service import sweep

    silent = seed_watched_patients(app, scale.sweep_patients)
    with app.app_context():
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
        began = time.perf_counter()
        first = sweep.sweep()
        first_s = time.perf_counter() - began
        began = time.perf_counter()
        again = sweep.sweep()
        again_s = time.perf_counter() - began
    if first["opened"] < silent or again["opened"] != 0:
        raise BenchError(f"the sweep opened {first['opened']} flags for {silent} silent patients, then {again}")
    return {"sweep_s": round(first_s, 2), "sweep_again_s": round(again_s, 2), "sweep_opened": first["opened"],
            "sweep_patients": scale.sweep_patients}


def measure_batch(client, phones: list[Phone], scale: Scale, rng: random.Random) -> tuple[float, float, float]:
    """Return the ms of a 200-entry batch, of one POST /entries, and their ratio (medians of rounds).

    Each round is one patient: half its single posts, then the batch, then the other half.
    """
    zone = ZoneInfo(TIMEZONE)
    batch_ms: list[float] = []
    one_ms: list[float] = []
    ratios: list[float] = []
    for round_, phone in enumerate(phones):
        post(client, f"{API}/entries", phone.token, dumps(entry_body(rng, recent_moment(rng, zone, 60))))  # warm
        items = [entry_body(rng, recent_moment(rng, zone, 60)) for _ in range(BATCH_SIZE)]
        singles = [dumps(entry_body(rng, recent_moment(rng, zone, 60))) for _ in range(scale.singles_per_round)]
        half = len(singles) // 2
        gc.collect()
        ones = [post(client, f"{API}/entries", phone.token, payload)[0] * 1000 for payload in singles[:half]]
        gc.collect()
        elapsed, response = post(client, f"{API}/entries/batch", phone.token, dumps({"entries": items}))
        statuses = collections.Counter(r["status"] for r in response.json["results"])
        if statuses != {"created": BATCH_SIZE}:
            raise BenchError(f"the batch was not all created: {dict(statuses)}")
        gc.collect()
        ones += [post(client, f"{API}/entries", phone.token, payload)[0] * 1000 for payload in singles[half:]]
        batch_ms.append(elapsed * 1000)
        one_ms.extend(ones)
        ratios.append(batch_ms[-1] / statistics.median(ones))
        say(f"batch round {round_ + 1}/{len(phones)}: {batch_ms[-1]:.0f} ms for {BATCH_SIZE}, "
            f"one entry {statistics.median(ones):.2f} ms, ratio {ratios[-1]:.1f}")
    return statistics.median(batch_ms), statistics.median(one_ms), statistics.median(ratios)


@contextlib.contextmanager
def statements_of(app):
    """Collect the SQL statements the app sends while the block runs, and its commits.

    PostgreSQL's BEGIN is sent by the driver itself and is not seen here; SQLite's is.
    """
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    def commit(conn):
        seen.append("COMMIT")  # a round trip too, though not through a cursor

    sa.event.listen(engine, "before_cursor_execute", note)
    sa.event.listen(engine, "commit", commit)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
        sa.event.remove(engine, "commit", commit)


def count_queries(app, client, path: str, phones: list[Phone], posts: int, rng: random.Random) -> tuple[float, dict]:
    """Return the median number of SQL statements per POST, and how often each kind was sent."""
    zone = ZoneInfo(TIMEZONE)
    counts = []
    kinds: collections.Counter = collections.Counter()
    for i in range(posts):
        payload = dumps(entry_body(rng, recent_moment(rng, zone, 60)))
        with statements_of(app) as seen:
            post(client, path, phones[i % len(phones)].token, payload)
        counts.append(len(seen))
        kinds.update(_kind(statement) for statement in seen)
    return statistics.median(counts), {kind: round(n / posts, 2) for kind, n in kinds.most_common()}


def _kind(statement: str) -> str:
    words = statement.split()
    head = words[0].upper() if words else "?"
    if head in ("SELECT", "INSERT", "UPDATE", "DELETE"):
        target = {"SELECT": "FROM", "INSERT": "INTO", "UPDATE": head, "DELETE": "FROM"}[head]
        upper = [w.upper() for w in words]
        if target in upper[1:] or head == "UPDATE":
            at = 1 if head == "UPDATE" else upper.index(target, 1) + 1
            if at < len(words):
                return f"{head} {words[at].strip(',')}"
    return " ".join(words[:2]).upper()


def measure_reevaluate(app) -> tuple[float, dict]:
    """Run `rules reevaluate` over everything stored; return entries judged per second and its summary."""
    from service.reevaluate import reevaluate

    last = [0]

    def progress(done: int, total: int) -> None:
        if done - last[0] >= 2000 or done == total:
            last[0] = done
            say(f"reevaluating: {done}/{total} entries")

    with app.app_context():
        gc.collect()
        started = time.perf_counter()
        summary = reevaluate(progress=progress)
        elapsed = time.perf_counter() - started
        db.session.remove()
    return summary["entries"] / elapsed, summary


def profile_entries(client, phones: list[Phone], posts: int, rng: random.Random) -> None:
    """Profile POST /entries in this process and print where the time goes, to stderr."""
    zone = ZoneInfo(TIMEZONE)
    payloads = [(phones[i % len(phones)].token, dumps(entry_body(rng, recent_moment(rng, zone, 60))))
                for i in range(posts)]
    profiler = cProfile.Profile()
    profiler.enable()
    for token, payload in payloads:
        post(client, f"{API}/entries", token, payload)
    profiler.disable()
    say(f"\n--- profile of {posts} POST /entries (cProfile; times include the profiler's own cost) ---")
    stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


# ------------------------------------------------------------------ load under gunicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(url: str, workers: int, log_path: Path, env_extra: dict | None = None):
    """Serve the service with its own gunicorn settings on 127.0.0.1; stop it cleanly afterwards.

    `env_extra` adds to, or overrides, the environment gunicorn gets (settings, GUNICORN_CMD_ARGS).
    """
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers),
               SECRET_KEY=SECRET_KEY, RATELIMIT_PATIENT=LOAD_LIMIT, RATELIMIT_CLINICIAN=LOAD_LIMIT,
               RATELIMIT_ENROLL=LOAD_LIMIT)
    env.update(env_extra or {})
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:service.gunicorn_conf", "service:create_app()"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited with {process.returncode}:\n{_tail(log_path)}")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            with contextlib.suppress(OSError, http.client.HTTPException), contextlib.closing(conn):
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not answer /healthz within a minute:\n{_tail(log_path)}")
            time.sleep(0.2)
        say(f"gunicorn serves on 127.0.0.1:{port} with {workers} workers (pid {process.pid})")
        yield port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # graceful: workers finish their requests
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def drive_load(port: int, tokens: list[str], seconds: float, out_path: str, seed: int) -> None:
    """In a process of its own: one thread per phone POSTs entries until the time is up; write the tally."""
    window = {"started": 0.0, "deadline": 0.0, "acked": 0}

    def open_window() -> None:
        window["started"] = time.perf_counter()
        window["deadline"] = time.monotonic() + seconds

    ready = threading.Barrier(len(tokens), action=open_window)
    lock = threading.Lock()
    acked: list[str] = []
    latencies: list[float] = []
    failures: collections.Counter = collections.Counter()

    def phone(index: int, token: str) -> None:
        rng = random.Random(seed + index)
        zone = ZoneInfo(TIMEZONE)
        headers = auth(token)
        # HTTP/1.1 keep-alive; gunicorn closes after each answer (keepalive 0) and http.client reconnects.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=LOAD_TIMEOUT)
        mine_acked, mine_latencies, mine_failures = [], [], collections.Counter()

        def send() -> tuple[float, bool]:
            body = entry_body(rng, recent_moment(rng, zone, 30))
            payload = dumps(body)
            started = time.perf_counter()
            try:
                conn.request("POST", f"{API}/entries", body=payload, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                conn.close()
            elapsed = (time.perf_counter() - started) * 1000
            if status in (200, 201):
                mine_acked.append(body["client_id"])
                return elapsed, True
            mine_failures[str(status)] += 1
            return elapsed, False

        # Warm-up: the workers' first requests load code and fill caches. What it stores counts
        # (acknowledged, lost, errors); its times do not.
        for _ in range(LOAD_WARMUP):
            send()
        try:
            ready.wait(LOAD_TIMEOUT * (LOAD_WARMUP + 1))
        except threading.BrokenBarrierError:  # a client stuck in its warm-up: go on without it
            with lock:
                if not window["deadline"]:
                    open_window()
        sent = answered = 0
        while sent < LOAD_MAX_REQUESTS_PER_CLIENT and time.monotonic() < window["deadline"]:
            elapsed, ok = send()
            mine_latencies.append(elapsed)
            sent += 1
            answered += ok
        conn.close()
        with lock:
            window["acked"] += answered
            acked.extend(mine_acked)
            latencies.extend(mine_latencies)
            failures.update(mine_failures)

    threads = [threading.Thread(target=phone, args=(i, token), daemon=True) for i, token in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + LOAD_TIMEOUT * (LOAD_WARMUP + 2) + 30)
    elapsed = time.perf_counter() - window["started"]
    with open(out_path, "w") as out:
        json.dump({"elapsed": elapsed, "cpu": time.process_time(), "acked": acked, "latencies_ms": latencies,
                   "failures": failures, "acked_in_window": window["acked"]}, out)


def measure_load(app, client, database: Database, clinician: str, clients: int, seconds: float,
                 tmp: Path) -> dict:
    """Serve the run's database with gunicorn, drive it from another process, count what was lost."""
    start = dt.date.today() - dt.timedelta(days=120)
    phones = [make_patient(client, clinician, start) for _ in range(clients)]
    log_path, out_path = tmp / "gunicorn.log", tmp / "load.json"
    with gunicorn(database.url, 2, log_path) as port:
        say(f"load: {clients} clients POST /entries for {seconds:.0f} s")
        driver = multiprocessing.get_context("spawn").Process(
            target=drive_load, args=(port, [p.token for p in phones], seconds, str(out_path), 7), daemon=True)
        driver.start()
        try:
            driver.join(seconds + LOAD_TIMEOUT * (LOAD_WARMUP + 2) + 90)
        finally:
            if driver.is_alive():  # late, or this run is being stopped: stop the traffic first
                driver.terminate()
                driver.join(10)
        if driver.exitcode != 0:
            raise BenchError(f"the load driver failed or was stopped (exit code {driver.exitcode})")
    tally = json.loads(out_path.read_text())
    with app.app_context():
        stored = {str(c) for c in db.session.scalars(
            sa.select(Entry.client_id).where(Entry.patient_id.in_([uuid.UUID(p.patient_id) for p in phones])))}
        db.session.remove()
    acked = set(tally["acked"])
    errors = sum(tally["failures"].values())
    latencies = sorted(tally["latencies_ms"])
    if errors:
        say(f"load errors by status: {tally['failures']}\n{_tail(log_path)}")
    return {
        # Acknowledged entries per second in the timed window (warm-up requests left out).
        "load_rps": round(tally["acked_in_window"] / tally["elapsed"], 1),
        "load_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "load_p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1) if latencies else None,
        "load_errors": errors,
        "load_lost": len(acked - stored),
        "load_requests": len(latencies),
        "load_clients": clients,
        "load_seconds": round(tally["elapsed"], 1),
        # The driver shares the machine with gunicorn and the database: its own CPU time tells how much.
        "load_driver_cpu_s": round(tally["cpu"], 1),
    }


# ------------------------------------------------------------------ the run


@contextlib.contextmanager
def phase(name: str):
    started = time.perf_counter()
    yield
    say(f"{name}: done in {time.perf_counter() - started:.1f} s")


def run(database: Database, scale: Scale, args, tmp: Path) -> dict:
    rng = random.Random(20240601)
    app = make_app(database.url, SECRET_KEY)
    try:
        with phase("seeding"):
            upgrade(app)
            client = app.test_client()
            clinician = make_clinician(app)
            today = dt.date.today()
            # Both history patients started treatment on the same day, so the same rules apply to
            # both; they differ only in how many entries are stored.
            long_start = today - dt.timedelta(days=scale.history_years * 365 + 1)
            long_phone = make_patient(client, clinician, long_start)
            short_phone = make_patient(client, clinician, long_start)
            seeded = seed_history(app, long_phone, scale.history_years * 365, scale.entries_per_day,
                                  f"{scale.history_years}-year history")
            seed_history(app, short_phone, 7, scale.entries_per_day, "1-week history")
            if database.backend == "postgresql":
                # A live database has planner statistics (autovacuum sees to it); a bulk load has none yet.
                with app.app_context(), db.engine.connect() as conn:
                    conn.exec_driver_sql("ANALYZE")
                    conn.commit()
        with phase("history"):
            # Before re-evaluation, so neither patient has flags yet: the two differ only in history.
            post_ms_long, post_ms_short = measure_history(client, long_phone, short_phone, scale, rng)
        with phase("reevaluate"):
            reevaluate_per_s, summary = measure_reevaluate(app)
        recent_start = today - dt.timedelta(days=120)
        with phase("throughput"):
            rules_phones = [make_patient(client, clinician, recent_start) for _ in range(scale.pool)]
            bare_phones = [make_patient(client, clinician, recent_start) for _ in range(scale.pool)]
            entry_rps, bare_rps, entry_vs_bare = measure_throughput(client, rules_phones, bare_phones, scale, rng)
        with phase("note"):
            note_post_ms, plain_post_ms = measure_note(client, make_patient(client, clinician, recent_start), scale, rng)
        with phase("queue"):
            queue_clinician = make_clinician(app)
            queue_ms_empty, queue_ms_teams, other_flags = measure_queue(app, client, queue_clinician, scale, rng)
        with phase("batch"):
            batch_phones = [make_patient(client, clinician, recent_start) for _ in range(scale.batch_rounds)]
            batch_ms, one_ms, batch200_vs_one = measure_batch(client, batch_phones, scale, rng)
        with phase("sweep"):
            swept = measure_sweep(app, scale)
        queries, kinds = count_queries(app, client, f"{API}/entries", rules_phones, scale.queries_posts, rng)
        bare_queries, _ = count_queries(app, client, BARE_PATH, bare_phones, scale.queries_posts, rng)

        results = {
            "entry_vs_bare": round(entry_vs_bare, 3),
            "queue_teams_vs_empty": round(queue_ms_teams / queue_ms_empty, 3),
            "queue_ms_teams": round(queue_ms_teams, 2),
            "queue_ms_empty": round(queue_ms_empty, 2),
            "queue_other_flags": other_flags,
            "note_ms": round(note_post_ms - plain_post_ms, 2),
            "note_post_ms": round(note_post_ms, 2),
            "plain_post_ms": round(plain_post_ms, 2),
            "history_10y_vs_1w": round(post_ms_long / post_ms_short, 3),
            "batch200_vs_one": round(batch200_vs_one, 2),
            "reevaluate_per_s": round(reevaluate_per_s, 1),
            "bare_rps": round(bare_rps, 1),
            "entry_rps": round(entry_rps, 1),
            "post_ms_1w": round(post_ms_short, 2),
            "post_ms_10y": round(post_ms_long, 2),
            "batch200_ms": round(batch_ms, 1),
            "one_ms": round(one_ms, 2),
            "queries_per_entry": queries,
            "queries_per_bare_entry": bare_queries,
            "queries_by_kind": kinds,
            "history_entries": seeded,
            "history_years": scale.history_years,
            "reevaluated_entries": summary["entries"],
            **swept,
        }
        if args.load:
            with phase("load"):
                results.update(measure_load(app, client, database, clinician, args.load_clients,
                                            args.load_seconds or scale.load_seconds, tmp))
        if args.profile:
            profile_entries(client, rules_phones, scale.profile_posts, rng)
        return results
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def revision() -> str | None:
    """Return the checked-out commit, so figures can be compared across runs (read-only)."""
    try:
        found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                               text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None


def table(results: dict, scale: Scale, backend: str, seconds: float) -> str:
    years = f"{results['history_years']}-year"
    rows = [
        ("POST /entries, every rule", f"{results['entry_rps']:.1f} req/s",
         f"bare store {results['bare_rps']:.1f} req/s", f"{results['entry_vs_bare']:.3f}", "entry_vs_bare"),
        ("one POST /entries with a 300-character note", f"{results['note_post_ms']:.2f} ms",
         f"without the note {results['plain_post_ms']:.2f} ms", f"+{results['note_ms']:.2f} ms", "note_ms"),
        (f"first queue page, {results['queue_other_flags']:,} other teams' flags", f"{results['queue_ms_teams']:.2f} ms",
         f"before them {results['queue_ms_empty']:.2f} ms", f"{results['queue_teams_vs_empty']:.3f}",
         "queue_teams_vs_empty"),
        (f"one POST /entries, {years} history", f"{results['post_ms_10y']:.2f} ms",
         f"1-week history {results['post_ms_1w']:.2f} ms", f"{results['history_10y_vs_1w']:.3f}", "history_10y_vs_1w"),
        (f"POST /entries/batch, {BATCH_SIZE} entries", f"{results['batch200_ms']:.1f} ms",
         f"one POST /entries {results['one_ms']:.2f} ms", f"{results['batch200_vs_one']:.2f}", "batch200_vs_one"),
        ("rules reevaluate", f"{results['reevaluate_per_s']:.0f} entries/s",
         f"over {results['reevaluated_entries']} entries", "", "reevaluate_per_s"),
        (f"silent-patient sweep, {results['sweep_patients']:,} enrolled patients", f"{results['sweep_s']:.2f} s",
         f"opened {results['sweep_opened']:,}; again {results['sweep_again_s']:.2f} s", "", "sweep_s"),
        ("SQL statements per POST /entries", f"{results['queries_per_entry']:g}",
         f"bare store {results['queries_per_bare_entry']:g}", "", "queries_per_entry"),
    ]
    if "load_rps" in results:
        rows += [
            (f"load: gunicorn 2 workers, {results['load_clients']} clients", f"{results['load_rps']:.1f} req/s",
             f"{results['load_requests']} requests in {results['load_seconds']:.0f} s "
             f"(driver used {results['load_driver_cpu_s']:.1f} s of CPU)", "", "load_rps"),
            ("load: latency p99 (p50)", f"{results['load_p99_ms']} ms", f"p50 {results['load_p50_ms']} ms", "",
             "load_p99_ms"),
            ("load: errors / acknowledged but lost", f"{results['load_errors']} / {results['load_lost']}", "", "",
             "load_errors, load_lost"),
        ]
    head = ("figure", "measured", "baseline", "ratio", "key")
    widths = [max(len(str(row[i])) for row in [head, *rows]) for i in range(len(head))]
    lines = [f"Baclowatch benchmark at {results['commit'] or 'an unknown commit'} on {backend}, {scale.name} "
             f"scale ({years} history of {results['history_entries']} entries, {scale.entries_per_day} a day), "
             f"{seconds:.0f} s", ""]
    for row in [head, *rows]:
        lines.append("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
    lines.append("")
    lines.append("statements per POST /entries by kind: "
                 + ", ".join(f"{kind} {n:g}" for kind, n in results["queries_by_kind"].items()))
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Measure Baclowatch on a fresh database of its own: the cost of the rules beside "
                    "storing an entry, of a long history, of a batch, of re-evaluation, and optionally "
                    "of load under gunicorn. Progress goes to stderr; stdout gets a table, then one "
                    "JSON line with the figures.")
    parser.add_argument("--db", metavar="URL",
                        help="a PostgreSQL server, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres: "
                             "the run creates a database of its own on that server (through its `postgres` "
                             "database) and drops it at the end; the database named in the URL is not touched. "
                             "Default, or `sqlite`: a temporary SQLite file, removed at the end.")
    parser.add_argument("--quick", action="store_true",
                        help="smaller seeds and fewer rounds (a 2-year history instead of 10), under a minute; "
                             "the JSON keys stay the same, the table names the scale")
    parser.add_argument("--load", action="store_true",
                        help="also serve the run's database with gunicorn (2 workers, rate limits raised) and "
                             "drive it from another process for 30 s (5 s with --quick); adds load_rps, "
                             "load_p99_ms, load_errors and load_lost")
    parser.add_argument("--load-clients", type=int, default=8, metavar="N",
                        help="concurrent clients of the load test, each its own enrolled patient (default 8)")
    parser.add_argument("--load-seconds", type=float, metavar="S",
                        help="how long the load test runs (default 30, or 5 with --quick)")
    parser.add_argument("--profile", action="store_true",
                        help="at the end, profile POST /entries in-process with cProfile and print the top "
                             "functions to stderr")
    args = parser.parse_args(argv)
    if not 1 <= args.load_clients <= 64:
        parser.error("--load-clients must be between 1 and 64")
    if args.load_seconds is not None and not 1 <= args.load_seconds <= 600:
        parser.error("--load-seconds must be between 1 and 600")
    return args


def _stop(signum, _frame) -> None:
    raise SystemExit(128 + signum)  # unwinds through every `finally`: the run's database is dropped


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    scale = QUICK if args.quick else FULL
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="baclowatch-bench-") as tmp:
        try:
            database = Database.fresh(args.db, tmp)
        except sa.exc.OperationalError as error:
            say(f"bench: cannot reach the PostgreSQL server of --db: {error.orig}")
            return 2
        except BenchError as error:
            say(f"bench: {error}")
            return 2
        try:
            results = run(database, scale, args, Path(tmp))
        except BenchError as error:
            say(f"bench: {error}")
            return 1
        finally:
            database.drop()
    seconds = time.perf_counter() - started
    results = {"backend": database.backend, "scale": scale.name, "commit": revision(), **results,
               "seconds": round(seconds, 1)}
    print(table(results, scale, database.backend, seconds))
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
