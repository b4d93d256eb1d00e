"""Rate limits as SPEC.md sets them; with REDIS_URL, every worker shares the counters."""
from __future__ import annotations

import os
import uuid

import pytest

from conftest import IN_CI
from service import create_app

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_or_skip() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as error:
        reason = f"Redis is not reachable at {REDIS_URL} ({type(error).__name__})"
        if IN_CI:
            pytest.fail(f"{reason}; under CI=true the Redis tests must run", pytrace=False)
        pytest.skip(reason)
    return REDIS_URL


def limited_app(tmp_path, **settings):
    config = {"TESTING": True, "SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/limits.db",
              "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}", "RATELIMIT_ENABLED": True}
    config.update(settings)
    app = create_app(config)
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    return app


def test_enroll_is_limited_per_address_with_retry_after(tmp_path):
    app = limited_app(tmp_path, RATELIMIT_ENROLL="3 per minute")
    client = app.test_client()
    statuses = [client.post("/api/v1/enroll", json={"code": "AAAA-BBBB-CCCC"}).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    answer = client.post("/api/v1/enroll", json={"code": "AAAA-BBBB-CCCC"})
    assert answer.status_code == 429
    assert answer.content_type == "application/problem+json"
    assert answer.json["status"] == 429
    assert int(answer.headers["Retry-After"]) > 0
    other_address = client.post("/api/v1/enroll", json={"code": "AAAA-BBBB-CCCC"},
                                environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other_address.status_code == 401, "another client address has its own budget"
    with_made_up_tokens = [client.post("/api/v1/enroll", json={"code": "AAAA-BBBB-CCCC"},
                                       headers={"Authorization": f"Bearer made-up-{n}"}).status_code for n in range(3)]
    assert with_made_up_tokens == [429] * 3, "a bearer header does not buy an address a fresh budget"


def test_a_clinic_enrolling_many_phones_is_not_limited(tmp_path):
    """Only failed attempts count: a clinic enrolling its patients from one address is never refused."""
    app = limited_app(tmp_path, RATELIMIT_ENROLL="3 per minute")
    import json

    runner, client = app.test_cli_runner(), app.test_client()
    token = json.loads(runner.invoke(args=["clinicians", "create", "c@example.org", "--name", "C"]).output)["token"]
    statuses = []
    for n in range(6):
        created = client.post("/api/v1/patients", json={"reference": f"R{n}", "treatment_start": "2026-01-01"},
                              headers={"Authorization": f"Bearer {token}"})
        statuses.append(client.post("/api/v1/enroll", json={"code": created.json["enrollment"]["code"]}).status_code)
    assert statuses == [201] * 6


def test_clinician_limit_is_per_token(tmp_path):
    app = limited_app(tmp_path, RATELIMIT_CLINICIAN="2 per minute")
    runner, client = app.test_cli_runner(), app.test_client()
    import json

    tokens = [json.loads(runner.invoke(args=["clinicians", "create", f"c{i}@example.org", "--name", "C"]).output)["token"]
              for i in range(2)]
    first = [client.get("/api/v1/patients", headers={"Authorization": f"Bearer {tokens[0]}"}).status_code
             for _ in range(3)]
    assert first == [200, 200, 429]
    assert client.get("/api/v1/patients", headers={"Authorization": f"Bearer {tokens[1]}"}).status_code == 200


def test_redis_counters_are_shared_by_workers(tmp_path):
    url = _redis_or_skip()
    prefix = f"test-{uuid.uuid4().hex}"
    # Two apps stand for two gunicorn workers: separate processes' memory, one Redis.
    workers = [limited_app(tmp_path, REDIS_URL=url, RATELIMIT_ENROLL="4 per minute", RATELIMIT_KEY_PREFIX=prefix)
               for _ in range(2)]
    statuses = [workers[n % 2].test_client().post("/api/v1/enroll", json={"code": "X"}).status_code
                for n in range(6)]
    assert statuses[:4] == [401] * 4
    assert statuses[4:] == [429, 429]
    import redis

    assert redis.Redis.from_url(url).keys(f"*{prefix}*"), "the counters are not in Redis"


def test_enrollment_codes_cannot_be_guessed(app, clinician):
    from service.enrollment import ALPHABET, CODE_LENGTH

    # 31^12 codes against 10 tries a minute per address: ~10^10 years to find one by chance.
    assert len(ALPHABET) ** CODE_LENGTH > 2 ** 58
    answer = clinician.post("/patients", json={"reference": "R1", "treatment_start": "2026-01-01"})
    code = answer.json["enrollment"]["code"]
    assert len(code.replace("-", "")) == CODE_LENGTH


def test_one_budget_across_the_patient_endpoints(tmp_path):
    app = limited_app(tmp_path, RATELIMIT_PATIENT="3 per minute")
    import json

    runner, client = app.test_cli_runner(), app.test_client()
    token = json.loads(runner.invoke(args=["clinicians", "create", "c@example.org", "--name", "C"]).output)["token"]
    created = client.post("/api/v1/patients", json={"reference": "R", "treatment_start": "2026-01-01"},
                          headers={"Authorization": f"Bearer {token}"})
    phone = client.post("/api/v1/enroll", json={"code": created.json["enrollment"]["code"]}).json["token"]
    auth = {"Authorization": f"Bearer {phone}"}
    statuses = [client.get("/api/v1/me", headers=auth).status_code,
                client.get("/api/v1/entries", headers=auth).status_code,
                client.get("/api/v1/me", headers=auth).status_code,
                client.get("/api/v1/entries", headers=auth).status_code]
    assert statuses == [200, 200, 200, 429]


def test_only_a_refusal_says_when_to_retry(tmp_path):
    """Retry-After on a 429 only: a phone that honours it must not wait after a success or a 409."""
    app = limited_app(tmp_path, RATELIMIT_CLINICIAN="2 per minute")
    import json

    token = json.loads(app.test_cli_runner().invoke(
        args=["clinicians", "create", "c@example.org", "--name", "C"]).output)["token"]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    fine = client.get("/api/v1/patients", headers=headers)
    assert fine.status_code == 200 and fine.headers["X-RateLimit-Remaining"] == "1"
    assert "Retry-After" not in fine.headers
    missing = client.get(f"/api/v1/patients/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404 and "Retry-After" not in missing.headers
    refused = client.get("/api/v1/patients", headers=headers)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def _clinician_and_phone(app):
    import json

    runner, client = app.test_cli_runner(), app.test_client()
    made = runner.invoke(args=["clinicians", "create", f"c-{uuid.uuid4().hex[:6]}@example.org", "--name", "C"])
    token = json.loads(made.output.strip().splitlines()[-1])["token"]
    created = client.post("/api/v1/patients", json={"reference": "R", "treatment_start": "2026-01-01"},
                          headers={"Authorization": f"Bearer {token}"})
    phone = client.post("/api/v1/enroll", json={"code": created.json["enrollment"]["code"]}).json["token"]
    return client, {"Authorization": f"Bearer {phone}"}


def test_only_a_refusal_by_the_limiter_carries_its_retry_after(tmp_path):
    from conftest import entry
    from reliability_kit import FailingWrites

    app = limited_app(tmp_path, RATELIMIT_PATIENT="3 per minute")
    client, auth = _clinician_and_phone(app)
    stored = client.post("/api/v1/entries", json=entry(), headers=auth)
    assert stored.status_code == 201
    assert "Retry-After" not in stored.headers, "a 201 has nothing to retry"
    assert stored.headers["X-RateLimit-Limit"] == "3"
    assert stored.headers["X-RateLimit-Remaining"] == "2"
    with FailingWrites(app, "entries"):
        failed = client.post("/api/v1/entries", json=entry(), headers=auth)
    assert failed.status_code == 503
    assert failed.headers["Retry-After"] == "5", "the app's own Retry-After is kept"
    client.post("/api/v1/entries", json=entry(), headers=auth)
    refused = client.post("/api/v1/entries", json=entry(), headers=auth)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_healthz_503_says_when_to_try_again(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "RATELIMIT_ENABLED": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/folder/x.db"})
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.content_type == "application/problem+json"
    assert answer.headers["Retry-After"] == "5"


@pytest.mark.parametrize("proxies", [0, 1])
def test_enroll_limit_is_per_forwarded_client_only_behind_trusted_proxies(tmp_path, proxies):
    app = limited_app(tmp_path, RATELIMIT_ENROLL="2 per minute", TRUSTED_PROXIES=proxies)
    client = app.test_client()

    def attempt(forwarded_for: str) -> int:
        return client.post("/api/v1/enroll", json={"code": "AAAA-BBBB-CCCC"}, headers={"X-Forwarded-For": forwarded_for},
                           environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code  # the proxy's address

    assert [attempt("203.0.113.5"), attempt("203.0.113.5"), attempt("203.0.113.5")] == [401, 401, 429]
    # A client cannot buy a fresh budget by writing its own X-Forwarded-For: the proxy appends
    # the address it saw, and only the last `proxies` entries are trusted.
    spoofed = attempt("198.51.100.9, 203.0.113.5")
    another_client = attempt("203.0.113.6")
    if proxies:
        assert spoofed == 429
        assert another_client == 401, "behind one trusted proxy, each forwarded client has its own budget"
    else:
        assert spoofed == 429
        assert another_client == 429, "with no trusted proxy, X-Forwarded-For is ignored"
