"""The OpenAPI document as committed in openapi/openapi.json (stable key order, trailing newline)."""

import json

from app.main import create_app
from app.settings import Settings


def render() -> str:
    document = create_app(Settings()).openapi()
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
