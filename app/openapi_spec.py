"""What the generated OpenAPI document says beyond the routes: tag descriptions and the real 422 body.

FastAPI documents a failed path/query/header parameter as `HTTPValidationError` (`{"detail":
[...]}`), but `app/errors.py` answers every validation failure with the one error body
(`ErrorBody`). Documenting FastAPI's default would make generated clients parse a body the
service never sends, so the document is corrected once, here, for every operation.
"""

import json
from typing import Any

from fastapi import FastAPI
from pydantic.json_schema import models_json_schema

from models import ErrorBody

TAGS: list[dict[str, Any]] = [
    {"name": "solve", "description": "Solve a problem now (bounded by its time limit), or validate a request "
     "without solving it."},
    {"name": "jobs", "description": "Long solves as persisted jobs: submit (202), poll, follow the server-sent "
     "event stream, cancel."},
    {"name": "simulation", "description": "Simulate a plan you supply under uncertainty (SimPy replications, "
     "confidence intervals)."},
    {"name": "catalogue", "description": "What this server offers: problem families with schema and "
     "ready-to-run example, and the solver backends with capabilities and availability."},
    {"name": "plots", "description": "Pictures of answers as SVG: tours, Gantt charts, facilities, items, Pareto "
     "fronts, convergence, simulation intervals."},
    {"name": "health", "description": "Liveness and readiness probes for orchestrators and load balancers."},
]

FASTAPI_422 = "#/components/schemas/HTTPValidationError"
ERROR_BODY = "#/components/schemas/ErrorBody"
INVALID = "Invalid request: every problem with its JSON path (`loc`), in the standard error body."


def install_openapi(app: FastAPI) -> None:
    """Wraps `app.openapi` so the cached document references the real error body in every 422."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        use_error_body_for_422(document)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def use_error_body_for_422(document: dict[str, Any]) -> None:
    """Replaces FastAPI's default 422 (and its two schemas) with `ErrorBody`; idempotent."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            schema = responses.get("422", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("$ref") == FASTAPI_422:
                responses["422"] = {"description": INVALID,
                                    "content": {"application/json": {"schema": {"$ref": ERROR_BODY}}}}
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _, error_schemas = models_json_schema([(ErrorBody, "serialization")], ref_template="#/components/schemas/{model}")
    for name, schema in error_schemas["$defs"].items():
        schemas.setdefault(name, schema)
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's, once nothing refers to them
        if f'"#/components/schemas/{name}"' not in json.dumps(document):
            schemas.pop(name, None)
