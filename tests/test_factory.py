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
