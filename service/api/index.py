"""The root: where to go from here, for a browser or an API client."""
from __future__ import annotations

from flask import Response, request
from marshmallow import fields

from schemas.base import Schema

from ..extensions import Blueprint

blp = Blueprint("index", __name__, role="public", description="Where to go from the root")

LINKS = {"clinic": "/clinic/", "api_docs": "/api/v1/docs", "openapi": "/api/v1/openapi.json", "health": "/healthz"}
PAGE = """<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Baclowatch</title>
<h1>Baclowatch</h1>
<ul>
<li><a href="/clinic/">The clinic page</a>: the review queue and patients, for clinicians</li>
<li><a href="/api/v1/docs">The API's documentation</a> (<a href="/api/v1/openapi.json">OpenAPI document</a>)</li>
<li><a href="/healthz">Health</a></li>
</ul>
</html>
"""


class IndexSchema(Schema):
    name = fields.String(metadata={"description": "Baclowatch"})
    clinic = fields.String(metadata={"description": "The clinic page, for clinicians"})
    api_docs = fields.String(metadata={"description": "The API's documentation"})
    openapi = fields.String(metadata={"description": "The OpenAPI document"})
    health = fields.String(metadata={"description": "GET /healthz"})


@blp.route("/")
@blp.response(200, IndexSchema)
def index():
    """Point to the clinic page, the API's documentation and the health check

    A browser (that prefers text/html) gets a small page of links; any other client this JSON.
    """
    vary = {"Vary": "Accept"}  # one URL, two shapes: caches must tell them apart
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        return Response(PAGE, mimetype="text/html", headers=vary)
    return {"name": "Baclowatch", **LINKS}, 200, vary
