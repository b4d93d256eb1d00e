import pytest

from service import create_app


def test_config_overrides_the_environment(tmp_path):
    app = create_app(config={"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
                             "SECRET_KEY": "s"})  # the keyword SPEC.md names
    assert app.testing
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024


def test_database_url_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h:5432/d")
    app = create_app({"SECRET_KEY": "s"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h:5432/d"


def test_default_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "s"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.instance_path in app.config["SQLALCHEMY_DATABASE_URI"]


def test_healthz(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok"}


def test_healthz_is_503_when_the_database_is_gone(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "s",
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503


def test_rate_limits_are_on_outside_tests(tmp_path):
    served = create_app({"SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert served.config["RATELIMIT_ENABLED"] is True
    tested = create_app({"TESTING": True, "SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert tested.config["RATELIMIT_ENABLED"] is False


LINKS = {"clinic": "/clinic/", "api_docs": "/api/v1/docs", "openapi": "/api/v1/openapi.json", "health": "/healthz"}


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_the_root_points_an_api_client_onwards_in_json(client, accept):
    answer = client.get("/", headers={"Accept": accept} if accept else {})
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    assert answer.json == {"name": "Baclowatch", **LINKS}
    assert answer.headers["Vary"] == "Accept"
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_the_root_gives_a_browser_a_page_of_links(client):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
    answer = client.get("/", headers={"Accept": browser})
    assert answer.status_code == 200
    assert answer.mimetype == "text/html"
    page = answer.get_data(as_text=True)
    for path in LINKS.values():
        assert f'href="{path}"' in page
    assert answer.headers["Vary"] == "Accept"
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert answer.headers["X-Frame-Options"] == "DENY"


def test_the_root_needs_no_token_and_takes_only_get(client):
    assert client.get("/", headers={"Authorization": "Bearer nonsense"}).status_code == 200
    assert client.post("/").status_code == 405
