"""Invariants of the repository: what is checked in agrees with the code."""
from __future__ import annotations

from pathlib import Path

import yaml
from alembic.script import ScriptDirectory
from flask_migrate import Migrate

from service.rules.table import BEGIN, END, markdown_table

ROOT = Path(__file__).resolve().parent.parent


def test_openapi_yaml_is_what_the_code_generates(app):
    result = app.test_cli_runner().invoke(args=["openapi", "print", "--format", "yaml"])
    assert result.exit_code == 0, result.output
    generated = yaml.safe_load(result.output)
    checked_in = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    assert checked_in == generated, (
        "openapi.yaml drifted from the code: run `flask --app service openapi write --format yaml openapi.yaml`")


def test_openapi_covers_every_route(app):
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    documented = set(document["paths"])
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/clinic"):
            continue
        if rule.endpoint.startswith("api-docs."):  # the document itself and its reference page
            continue
        path = rule.rule.replace("<uuid:", "{").replace("<", "{").replace(">", "}")
        assert path in documented, f"{rule.rule} is not in openapi.yaml"


def test_every_operation_documents_its_problems():
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert "default" in operation["responses"], f"{method} {path} lacks the default problem"
            for status, response in operation["responses"].items():
                if str(status).startswith(("4", "5")) or status == "default":
                    ref = response.get("$ref", "")
                    assert ref.startswith("#/components/responses/"), (method, path, status)


def test_readme_rule_table_is_the_catalogue():
    readme = (ROOT / "README.md").read_text()
    start, end = readme.index(BEGIN), readme.index(END) + len(END)
    assert readme[start:end] == markdown_table(), "run `flask --app service rules table` into the README"


def test_one_migration_head(app):
    with app.app_context():
        migrate: Migrate = app.extensions["migrate"]
        script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
        assert len(script.get_heads()) == 1


def test_models_and_migrations_agree(app):
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
