"""The API's interactive reference: Swagger UI over /api/v1/openapi.json.

Swagger UI's script and styles are the files the flask-swagger-ui package installs (its `dist`
folder); the app serves them itself, so the page loads nothing from elsewhere. Only the files are
used: the package's own page starts Swagger UI with an inline script, which the page's CSP refuses.
"""
from __future__ import annotations

from importlib.metadata import version
from importlib.resources import files

from flask import current_app, make_response, render_template, send_from_directory, url_for

ASSETS = files("flask_swagger_ui") / "dist"
ASSETS_VERSION = version("flask-swagger-ui")
ASSETS_MAX_AGE = 7 * 24 * 3600  # their URLs carry the package's version, so a new one is fetched anew

# Exactly what the page uses: its own scripts and styles, the document (connect), Swagger UI's
# icons (some drawn as data: URIs by its styles). No inline script or style, no other origin.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def page(blueprint: str):
    """The reference page, with a CSP of its own instead of the API's default-src 'none'."""
    html = render_template("api/docs.html", title=current_app.config["API_TITLE"],
                           spec_url=url_for(f"{blueprint}.openapi_json"),
                           asset=lambda name: url_for(f"{blueprint}.swagger_ui_asset", filename=name,
                                                      v=ASSETS_VERSION))
    response = make_response(html)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return response


def asset(filename: str):
    """One of Swagger UI's files, from the installed package (a path outside it is a 404)."""
    return send_from_directory(ASSETS, filename, max_age=ASSETS_MAX_AGE)


def add_asset_rule(blueprint, page_path: str) -> None:
    """Serve Swagger UI's files beside the page, at /api/v1/docs/assets/<file>."""
    blueprint.add_url_rule(f"/{page_path.strip('/')}/assets/<path:filename>", endpoint="swagger_ui_asset",
                           view_func=asset)
