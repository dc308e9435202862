"""The committed OpenAPI document matches the app (regenerate with `make openapi`)."""

from pathlib import Path

from app.openapi_doc import render

COMMITTED = Path(__file__).parents[2] / "openapi" / "openapi.json"


def test_committed_openapi_is_current() -> None:
    assert COMMITTED.read_text() == render(), "openapi/openapi.json is stale: run `make openapi`"


def test_openapi_has_stable_operation_ids() -> None:
    import json

    document = json.loads(render())
    ids = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert {"solve", "validate", "list_solvers", "list_problems", "get_problem", "health_live", "health_ready"} <= ids
