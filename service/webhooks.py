"""Pushing urgent flags to the clinic: an outbox written with the flag, delivered by a worker."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import random
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa
from flask import current_app

from . import clock
from .extensions import db
from .models import Clinic, Flag, Patient, WebhookEvent
from .sealed import InvalidToken, unseal

log = logging.getLogger(__name__)

# Defaults of WEBHOOK_TIMEOUT_SECONDS, WEBHOOK_LEASE_SECONDS and WEBHOOK_CONCURRENCY.
TIMEOUT_SECONDS = 10
# A claimed event is hidden from other workers this long from its claim, renewed while it is sent.
LEASE = dt.timedelta(seconds=60)
CONCURRENCY = 4
RETRY_FOR = dt.timedelta(hours=24)
MAX_BACKOFF_SECONDS = 3600


def enabled(patient: Patient) -> bool:
    """Whether the patient's urgent flags are pushed: their clinic has a receiver, or there is a default one."""
    if current_app.config.get("BACLOWATCH_WEBHOOK_URL"):
        return True
    clinic = db.session.get(Clinic, patient.clinic_id)
    return clinic is not None and clinic.webhook_url is not None


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat()


def record(flag: Flag, patient: Patient, kind: str) -> WebhookEvent | None:
    """Write an event for the flag in the current transaction (the caller commits); the clinic
    it names chooses the receiver when it is sent."""
    if not enabled(patient):
        return None
    now = clock.now()
    event_id = uuid.uuid4()
    body = {"id": str(event_id), "type": kind, "created_at": _iso(now), "data": {
        "flag_id": str(flag.id), "patient_id": str(patient.id), "patient_reference": patient.reference,
        "rule": flag.rule, "severity": flag.severity, "title": flag.title,
        "first_seen_at": _iso(flag.first_seen_at), "last_seen_at": _iso(flag.last_seen_at)}}
    event = WebhookEvent(id=event_id, type=kind, flag_id=flag.id, clinic_id=patient.clinic_id,
                         body=json.dumps(body), status="pending",
                         attempts=0, created_at=now, next_attempt_at=now, give_up_at=now + RETRY_FOR)
    db.session.add(event)
    return event


def escalate_due(now: dt.datetime) -> int:
    """Write `flag.escalated` once for each urgent flag left open past the window."""
    cutoff = now - dt.timedelta(minutes=int(current_app.config["BACLOWATCH_ESCALATE_AFTER_MINUTES"]))
    due = db.session.execute(
        sa.select(Flag, Patient).join(Patient, Patient.id == Flag.patient_id)
        .where(Flag.status == "open", Flag.severity == "urgent", Flag.escalated_at.is_(None),
               Flag.urgent_at <= cutoff)).all()
    made = 0
    for flag, patient in due:
        # The conditional update lets exactly one worker escalate a flag.
        won = db.session.execute(
            sa.update(Flag).where(Flag.id == flag.id, Flag.escalated_at.is_(None))
            .values(escalated_at=now).execution_options(synchronize_session=False)).rowcount
        if won == 1:
            record(flag, patient, "flag.escalated")
            made += 1
    db.session.commit()
    return made


@dataclass
class Claimed:
    """An event a worker holds under its lease: what it sends, and the lease it holds it by."""

    id: uuid.UUID
    type: str
    body: str
    attempts: int
    give_up_at: dt.datetime
    lease_until: dt.datetime  # the event's next_attempt_at while this worker holds it
    receiver: Receiver | None = None  # the clinic's own; None: the default one
    lost: bool = False


def claim(due_by: dt.datetime, lease: dt.timedelta) -> Claimed | None:
    """Take the next event due by `due_by`; others skip it until its lease ends.

    The lease counts from the claim itself: counted from the start of a round, it would already
    have run out for an event claimed after slow deliveries, and another worker could take it.
    """
    found = db.session.execute(
        sa.select(WebhookEvent, Clinic.webhook_url, Clinic.webhook_secret)
        .outerjoin(Clinic, Clinic.id == WebhookEvent.clinic_id)
        .where(WebhookEvent.status == "pending", WebhookEvent.next_attempt_at <= due_by)
        .order_by(WebhookEvent.next_attempt_at, WebhookEvent.id).limit(1)
        .with_for_update(skip_locked=True, of=WebhookEvent)).first()
    claimed = None
    if found is not None:
        event, url, sealed = found
        event.next_attempt_at = clock.now() + lease
        claimed = Claimed(event.id, event.type, event.body, event.attempts, event.give_up_at, event.next_attempt_at,
                          receiver=None if url is None else Receiver.of_clinic(url, sealed))
    db.session.commit()
    return claimed


def _held(claimed: Claimed):
    """The condition that the event is still this worker's: pending, with the lease it stamped."""
    return sa.and_(WebhookEvent.id == claimed.id, WebhookEvent.status == "pending",
                   WebhookEvent.next_attempt_at == claimed.lease_until)


def signature(secret: str, timestamp: int, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is an answer that did not take the event: following it would GET elsewhere


_OPENER = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class Receiver:
    """Where and how events are sent; plain values, so deliveries run outside the app context."""

    url: str | None
    secret: str | None
    timeout: float
    problem: str | None = None  # why nothing can be sent to it

    @classmethod
    def configured(cls) -> Receiver:
        config = current_app.config
        url = config.get("BACLOWATCH_WEBHOOK_URL")
        return cls(url, config.get("BACLOWATCH_WEBHOOK_SECRET"), _timeout(),
                   None if url else "no receiver: the clinic has none and BACLOWATCH_WEBHOOK_URL is not set")

    @classmethod
    def of_clinic(cls, url: str, sealed: str | None) -> Receiver:
        try:
            return cls(url, None if sealed is None else unseal(sealed), _timeout())
        except InvalidToken:
            return cls(url, None, _timeout(), "the clinic's webhook secret cannot be read since SECRET_KEY changed; "
                                              "its admin sets it again with PUT /clinic/webhook")


def _timeout() -> float:
    return float(current_app.config.get("WEBHOOK_TIMEOUT_SECONDS") or TIMEOUT_SECONDS)


def post(receiver: Receiver, event: Claimed) -> str | None:
    """POST the event; return None when the receiver took it, else why not."""
    if receiver.problem:
        return receiver.problem  # kept and retried like a refusal, so fixing the setting sends it
    request = urllib.request.Request(receiver.url, data=event.body.encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("User-Agent", "Baclowatch-Webhooks")
    request.add_header("Baclowatch-Event-Id", str(event.id))
    if receiver.secret:
        request.add_header("Baclowatch-Signature", signature(receiver.secret, int(time.time()), event.body))
    try:
        with _OPENER.open(request, timeout=receiver.timeout) as answer:
            return None if 200 <= answer.status < 300 else f"HTTP {answer.status}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return f"{type(reason).__name__}: {reason}"[:300]


def backoff(attempts: int) -> float:
    """Seconds before the next try: exponential from the base, capped at an hour, with jitter
    that only ever adds (the first retry never comes before the base)."""
    base = float(current_app.config["WEBHOOK_BACKOFF_SECONDS"])
    delay = base * 2 ** max(0, attempts - 1) * random.uniform(1, 1.25)
    # At the cap the jitter goes below it, so events failed together do not retry together.
    return delay if delay <= MAX_BACKOFF_SECONDS else random.uniform(0.8, 1) * MAX_BACKOFF_SECONDS


class Worker:
    """Delivers claimed events on a few threads of its own, so one slow or hanging receiver
    holds up neither the other events nor escalation; keeps their leases while they run.

    Only the thread that owns the worker touches the database. A delivery's outcome is kept until
    it is recorded, so a database that goes away after the receiver took an event costs a late
    record, not a second delivery.
    """

    def __init__(self):
        config = current_app.config
        self.receiver = Receiver.configured()
        self.lease = dt.timedelta(seconds=float(config.get("WEBHOOK_LEASE_SECONDS") or LEASE.total_seconds()))
        self.concurrency = max(1, int(config.get("WEBHOOK_CONCURRENCY") or CONCURRENCY))
        self.pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="webhook")
        self.in_flight: dict[Future, Claimed] = {}
        self.finished: list[tuple[Claimed, str | None, dt.datetime]] = []
        self.counts = {"delivered": 0, "retrying": 0, "failed": 0}

    @property
    def busy(self) -> bool:
        """Deliveries under way, or outcomes not yet recorded."""
        return bool(self.in_flight or self.finished)

    def step(self, due_by: dt.datetime | None, *, claim_more: bool = True) -> None:
        """Record what finished, renew the leases of what runs, and start due events up to the
        bound. A database error leaves every outcome and delivery in hand for the next step."""
        self._collect()
        self._record()
        self._renew()
        while claim_more and len(self.in_flight) < self.concurrency:
            claimed = claim(due_by or clock.now(), self.lease)
            if claimed is None:
                break
            self.in_flight[self.pool.submit(self._deliver, claimed)] = claimed

    def wait(self, seconds: float) -> None:
        """Wait until a delivery finishes, or `seconds`, or the next lease renewal, whichever comes first."""
        if self.in_flight:
            wait(list(self.in_flight), timeout=min(seconds, self.renew_every), return_when=FIRST_COMPLETED)
        else:
            time.sleep(seconds)

    @property
    def renew_every(self) -> float:
        return self.lease.total_seconds() / 4

    def close(self) -> None:
        self.pool.shutdown(wait=True)

    def _deliver(self, claimed: Claimed) -> tuple[str | None, dt.datetime]:
        error = post(claimed.receiver or self.receiver, claimed)
        return error, clock.now()

    def _collect(self) -> None:
        for future in [f for f in self.in_flight if f.done()]:
            claimed = self.in_flight.pop(future)
            error, at = future.result()
            self.finished.append((claimed, error, at))

    def _record(self) -> None:
        """Write every finished delivery's outcome in one transaction; keep them if it fails."""
        if not self.finished:
            return
        logged = []
        try:
            for claimed, error, at in self.finished:
                values = {"attempts": WebhookEvent.attempts + 1, "last_error": error}
                if error is None:
                    values.update(status="delivered", delivered_at=at)
                    outcome = "delivered"
                elif at >= claimed.give_up_at:
                    values.update(status="failed")
                    outcome = "failed"
                else:
                    values.update(next_attempt_at=at + dt.timedelta(seconds=backoff(claimed.attempts + 1)))
                    outcome = "retrying"
                changed = db.session.execute(sa.update(WebhookEvent).where(_held(claimed)).values(**values)
                                             .execution_options(synchronize_session=False)).rowcount
                logged.append((claimed, error, outcome if changed == 1 else "lost"))
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        self.finished.clear()
        for claimed, error, outcome in logged:
            if outcome == "lost":
                log.warning("webhook %s %s: its lease had passed to another worker; this attempt is not recorded",
                            claimed.id, claimed.type)
                continue
            self.counts[outcome] += 1
            log.info("webhook %s %s attempt %d: %s", claimed.id, claimed.type, claimed.attempts + 1,
                     error or "delivered")

    def _renew(self) -> None:
        """Push forward the lease of each delivery under way once a quarter of it has passed, so
        a slow receiver keeps its event, and a renewal or two may come late without losing it."""
        now = clock.now()
        due = [c for c in self.in_flight.values()
               if not c.lost and c.lease_until - now <= self.lease - dt.timedelta(seconds=self.renew_every)]
        if not due:
            return
        renewed = []
        try:
            for claimed in due:
                until = now + self.lease
                changed = db.session.execute(sa.update(WebhookEvent).where(_held(claimed))
                                             .values(next_attempt_at=until)
                                             .execution_options(synchronize_session=False)).rowcount
                renewed.append((claimed, until if changed == 1 else None))
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        for claimed, until in renewed:
            if until is None:
                claimed.lost = True
                log.warning("webhook %s %s: its lease ran out during the delivery", claimed.id, claimed.type)
            else:
                claimed.lease_until = until


def run_round(now: dt.datetime | None = None) -> dict:
    """Escalate what is due, then deliver every event due now, once each, and wait for them all."""
    now = now or clock.now()
    counts = {"escalated": escalate_due(now)}
    worker = Worker()
    try:
        while True:
            worker.step(now)
            if not worker.busy:
                break
            worker.wait(worker.renew_every)
    finally:
        worker.close()
    return counts | worker.counts


# After this many seconds of a database that does not answer, the worker tries again at this pace.
DATABASE_RETRY_CAP = 30.0


def database_away(error: BaseException) -> bool:
    """A failure of the connection (server down, restarting, unreachable), not of a statement."""
    return isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError)) or (
        isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated)


def _drop_connections() -> None:
    try:
        db.session.rollback()
    except sa.exc.DBAPIError:
        pass
    db.session.remove()
    db.engine.dispose()  # every pooled connection is to the server that went away


def _pause(seconds: float, stopping: Callable[[], bool]) -> None:
    """Sleep, in short steps so a stop is seen within a fraction of a second."""
    until = time.monotonic() + seconds
    while not stopping() and (left := until - time.monotonic()) > 0:
        time.sleep(min(left, 0.2))


@dataclass
class Chore:
    """Work a long-running worker does every `every` seconds beside deliveries (the silent-patient
    sweep); `run` commits its own work and returns counts to report."""

    every: float
    run: Callable[[], dict]
    next_at: float = 0.0


def serve(interval: float, stopping: Callable[[], bool], report: Callable[[dict], None],
          chores: tuple[Chore, ...] = ()) -> bool:
    """Deliver and escalate until `stopping()`, riding out database outages with a backoff; then
    start nothing new, finish the deliveries under way and record them. Run each chore when due.

    Returns False only when it stopped with outcomes it could not record (the database stayed
    away for a lease after the stop): those events are sent again once their lease ends.
    """
    worker = Worker()
    next_escalation = 0.0
    failures = 0
    stop_deadline = None
    try:
        while not (stopping() and not worker.busy):
            try:
                counts = {"escalated": 0}
                if not stopping() and time.monotonic() >= next_escalation:
                    counts["escalated"] = escalate_due(clock.now())
                    next_escalation = time.monotonic() + interval
                for chore in chores:
                    if not stopping() and time.monotonic() >= chore.next_at:
                        counts |= chore.run()
                        chore.next_at = time.monotonic() + chore.every
                worker.step(None, claim_more=not stopping())
            except sa.exc.DBAPIError as error:
                if not database_away(error):
                    raise
                _drop_connections()
                failures += 1
                delay = min(DATABASE_RETRY_CAP, 0.5 * 2 ** (failures - 1)) * random.uniform(1, 1.25)
                reason = str(getattr(error, "orig", error)).strip().splitlines()[0][:200]
                log.warning("the database is not answering (%s): %d deliveries under way, %d outcomes to "
                            "record; trying again in %.1f s", reason, len(worker.in_flight), len(worker.finished),
                            delay)
                if stopping():
                    stop_deadline = stop_deadline or time.monotonic() + worker.lease.total_seconds()
                    if time.monotonic() >= stop_deadline and not worker.in_flight:
                        log.error("stopping with %d outcomes not recorded: those events will be sent again",
                                  len(worker.finished))
                        return False
                    time.sleep(min(delay, 1.0))
                else:
                    _pause(delay, stopping)
                continue
            if failures:
                log.warning("the database answers again after %d failed tries", failures)
                failures = 0
            counts |= worker.counts
            if any(counts.values()):
                report(counts)
            worker.counts = dict.fromkeys(worker.counts, 0)
            if worker.in_flight:
                worker.wait(interval)
            elif not stopping():
                _pause(interval, stopping)
        return True
    finally:
        worker.close()


def status() -> dict:
    counts = dict(db.session.execute(
        sa.select(WebhookEvent.status, sa.func.count()).group_by(WebhookEvent.status)).all())
    oldest = db.session.scalars(
        sa.select(WebhookEvent).where(WebhookEvent.status == "pending")
        .order_by(WebhookEvent.created_at).limit(1)).first()
    return {"pending": counts.get("pending", 0), "delivered": counts.get("delivered", 0),
            "failed": counts.get("failed", 0),
            "oldest_pending": None if oldest is None else {
                "id": str(oldest.id), "type": oldest.type, "created_at": _iso(oldest.created_at),
                "attempts": oldest.attempts, "last_error": oldest.last_error}}


def retry(include_failed: bool) -> int:
    """Make pending events due now, and failed ones too with `include_failed` (with 24 h more)."""
    now = clock.now()
    statuses = ("pending", "failed") if include_failed else ("pending",)
    changed = db.session.execute(
        sa.update(WebhookEvent).where(WebhookEvent.status.in_(statuses))
        .values(status="pending", next_attempt_at=now, give_up_at=now + RETRY_FOR)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return changed
