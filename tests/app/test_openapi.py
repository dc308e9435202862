"""The committed OpenAPI document matches the app (regenerate with `make openapi`)."""

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.openapi_doc import render
from models import ErrorBody

COMMITTED = Path(__file__).parents[2] / "openapi" / "openapi.json"


def test_committed_openapi_is_current() -> None:
    assert COMMITTED.read_text() == render(), "openapi/openapi.json is stale: run `make openapi`"


def test_openapi_has_stable_operation_ids() -> None:
    document = json.loads(render())
    ids = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert {"solve", "validate", "list_solvers", "list_problems", "get_problem", "health_live", "health_ready"} <= ids


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render())
    return document


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def test_no_schema_has_input_output_twins() -> None:
    """Twins appear when two models share a name or a model differs between request and response."""
    twins = [name for name in _document()["components"]["schemas"] if name.endswith(("-Input", "-Output"))]
    assert twins == []
    assert {"SchedulingJob", "Job"} <= set(_document()["components"]["schemas"])


def test_every_tag_used_is_described() -> None:
    document = _document()
    described = {tag["name"]: tag.get("description", "") for tag in document.get("tags", [])}
    used = {tag for _, _, op in _operations(document) for tag in op.get("tags", [])}
    assert used and used <= set(described), f"undescribed tags: {sorted(used - set(described))}"
    assert all(len(described[tag]) > 20 for tag in used)


def test_every_422_references_the_real_error_body() -> None:
    document = _document()
    with_422 = [(m, p, op["responses"]["422"]) for m, p, op in _operations(document) if "422" in op["responses"]]
    assert ("get", "/jobs") in {(m, p) for m, p, _ in with_422}  # query parameters can fail
    for method, path, response in with_422:
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}, \
            (method, path)
    assert not {"HTTPValidationError", "ValidationError"} & set(document["components"]["schemas"])


def test_a_bad_query_parameter_answers_the_documented_error_body(client: TestClient) -> None:
    response = client.get("/jobs", params={"limit": 0})
    assert response.status_code == 422
    body = ErrorBody.model_validate(response.json())
    assert body.error.code == "validation_error"
    assert [detail.loc for detail in body.error.details] == [["query", "limit"]]


def test_event_stream_and_readiness_are_documented() -> None:
    paths = _document()["paths"]
    assert list(paths["/jobs/{job_id}/events"]["get"]["responses"]["200"]["content"]) == ["text/event-stream"]
    ready = paths["/health/ready"]["get"]["responses"]
    assert '"#/components/schemas/Readiness"' in json.dumps(ready["503"]["content"]["application/json"]["schema"])
