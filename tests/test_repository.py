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


def _exclusive_bounds():
    """Yield (component, property, validator) for every Range of our schemas that excludes a bound."""
    import inspect

    import marshmallow as ma
    from marshmallow import validate

    import schemas.entry
    import schemas.flag
    import schemas.patient

    for module in (schemas.entry, schemas.flag, schemas.patient):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, ma.Schema) and cls.__module__ == module.__name__ and name.endswith("Schema"):
                for field_name, field in cls._declared_fields.items():
                    for rule in field.validators:
                        if isinstance(rule, validate.Range) and not (rule.min_inclusive and rule.max_inclusive):
                            yield name.removesuffix("Schema"), field_name, rule


def test_openapi_says_which_bounds_are_exclusive():
    """A bound the server refuses (amount_mg > 0) is exclusiveMinimum, not minimum, in OpenAPI 3.1."""
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    assert document["openapi"].startswith("3.1")
    found = list(_exclusive_bounds())
    assert {(c, p) for c, p, _ in found} >= {("DoseIn", "amount_mg"), ("PrescriptionCreate", "daily_dose_mg"),
                                             ("PrescriptionCreate", "max_daily_mg")}
    for component, name, rule in found:
        documented = document["components"]["schemas"][component]["properties"][name]
        if not rule.min_inclusive:
            assert documented.get("exclusiveMinimum") == rule.min and "minimum" not in documented, (name, documented)
        if not rule.max_inclusive:
            assert documented.get("exclusiveMaximum") == rule.max and "maximum" not in documented, (name, documented)


def test_an_openapi_3_0_document_flags_the_exclusive_bound():
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    from schemas.entry import DoseInSchema
    from service.extensions import exclusive_bounds

    plugin = MarshmallowPlugin()
    spec = APISpec("t", "1", "3.0.3", plugins=[plugin])
    plugin.converter.add_attribute_function(exclusive_bounds)
    spec.components.schema("DoseIn", schema=DoseInSchema)
    amount = spec.to_dict()["components"]["schemas"]["DoseIn"]["properties"]["amount_mg"]
    assert amount["minimum"] == 0 and amount["exclusiveMinimum"] is True
