"""Marshmallow schemas of the HTTP API: what comes in and what goes out."""
