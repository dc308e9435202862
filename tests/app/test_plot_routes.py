"""Pictures over HTTP: every applicable picture of every family's example, jobs' pictures, errors.

Each family's example comes from `GET /problems/{kind}` and is solved by `POST /solve` at a short
time limit; the answer is then drawn by `POST /plots/{name}.svg`. The SVG's title (also stored as
its `dc:title`) states family, solver and status, which is what is checked besides XML validity.
"""

import time
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.plots import PLOT_NAMES, applicable
from models.problem import PROBLEM_MODELS, ProblemKind
from models.result import Result

DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
TOUR = {"kind": "tsp", "coordinates": [[0, 0], [4, 0], [4, 3], [0, 3], [2, 5]], "metric": "euclidean"}


def svg_title(text: str) -> str:
    """Parses the document (it must be XML with an <svg> root) and returns its dc:title."""
    root = ET.fromstring(text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    titles = [node.text or "" for node in root.iter(DC_TITLE)]
    assert titles, "the SVG has no dc:title"
    return titles[0]


def solved(client: TestClient, body: dict[str, Any], time_limit: float = 2.0) -> dict[str, Any]:
    body = {**body, "options": {**body.get("options", {}), "time_limit": time_limit}}
    response = client.post("/solve", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


@pytest.mark.parametrize("kind", [k.value for k in ProblemKind])
def test_every_applicable_picture_of_every_example_renders(client: TestClient, kind: str) -> None:
    example = client.get(f"/problems/{kind}").json()["example"]
    result = solved(client, example)
    problem = PROBLEM_MODELS[ProblemKind(kind)].model_validate(example["problem"])
    infos = applicable(problem, Result.model_validate(result))
    expected = {info.name for info in infos if info.available}
    assert expected - {"convergence"}, f"no picture applies to the {kind} example"
    for name in PLOT_NAMES:
        response = client.post(f"/plots/{name}.svg", json={"problem": example["problem"], "result": result})
        if name in expected:
            assert response.status_code == 200, (name, response.text)
            assert response.headers["content-type"] == "image/svg+xml"
            title = svg_title(response.text)
            assert title.startswith(f"{kind} · {result['solver']['name']} · {result['status']}"), title
        else:
            error = assert_error(response, 422, "validation_error")
            assert error["details"][0]["loc"] == ["body", "result"] and name in error["message"]


def test_an_infeasible_answer_draws_a_card_that_says_so(client: TestClient) -> None:
    problem = {"kind": "facility_location", "single_source": False,
               "facilities": [{"id": "F1", "fixed_cost": 10, "capacity": 5},
                              {"id": "F2", "fixed_cost": 12, "capacity": 4}],
               "customers": [{"id": "C1", "demand": 6}, {"id": "C2", "demand": 7}],
               "costs": [[1, 2], [2, 1]]}
    result = solved(client, {"problem": problem, "solver": "auto"}, time_limit=10.0)  # proved at once once its
    assert result["status"] == "infeasible" and result["solution"] is None  # process runs; 2 s went by cold in CI
    response = client.post("/plots/facilities.svg", json={"problem": problem, "result": result})
    assert response.status_code == 200, response.text
    assert "· infeasible ·" in svg_title(response.text)


def test_a_no_solution_answer_draws_a_card_too(client: TestClient) -> None:
    result = {"status": "no_solution", "termination": "time_limit", "timings": {"total": 1.0},
              "solver": {"name": "routing"}, "seed": 0, "message": "stopped before a first tour"}
    response = client.post("/plots/tour.svg", json={"problem": TOUR, "result": result})
    assert response.status_code == 200 and "· no_solution ·" in svg_title(response.text)


def test_posted_pictures_reject_bad_names_and_data_with_the_standard_body(client: TestClient) -> None:
    result = solved(client, {"problem": TOUR, "solver": "auto"})
    assert_error(client.post("/plots/map.svg", json={"problem": TOUR, "result": result}), 404, "not_found")
    wrong = {**result, "solution": {"tour": [0, 1, 2, 3, 9]}}
    error = assert_error(client.post("/plots/tour.svg", json={"problem": TOUR, "result": wrong}), 422,
                         "validation_error")
    assert "node 9" in error["message"]
    bad_problem = {**TOUR, "coordinates": [[0, 0]], "metric": "euclidean", "distances": [[0]]}
    assert_error(client.post("/plots/tour.svg", json={"problem": bad_problem, "result": result}), 422,
                 "validation_error")
    assert_error(client.post("/plots/tour.svg", json={"problem": TOUR}), 422, "validation_error")


def wait_finished(client: TestClient, job_id: str, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/jobs/{job_id}").json()
        if job["status"] in {"succeeded", "failed", "cancelled"}:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


def test_a_jobs_pictures_are_listed_and_drawn_with_its_progress_history(client: TestClient) -> None:
    job_id = client.post("/jobs", json={"problem": TOUR, "solver": "tsp_ls", "options": {"time_limit": 1}}).json()["id"]
    assert wait_finished(client, job_id)["status"] == "succeeded"
    listing = client.get(f"/jobs/{job_id}/plots").json()
    entries = {entry["name"]: entry for entry in listing["plots"]}
    assert list(entries) == list(PLOT_NAMES) and listing["job_id"] == job_id
    assert entries["tour"]["available"] and entries["tour"]["url"] == f"/jobs/{job_id}/plots/tour.svg"
    assert not entries["gantt"]["available"] and "scheduling" in entries["gantt"]["reason"]
    assert entries["convergence"]["available"], entries["convergence"]["reason"]
    tour = client.get(f"/jobs/{job_id}/plots/tour.svg")
    assert tour.status_code == 200 and tour.headers["content-type"] == "image/svg+xml"
    assert svg_title(tour.text).startswith("tsp · tsp_ls · ")
    assert client.get(f"/jobs/{job_id}/plots/convergence.svg").status_code == 200
    error = assert_error(client.get(f"/jobs/{job_id}/plots/gantt.svg"), 404, "not_applicable")
    assert "scheduling" in error["message"]
    assert_error(client.get(f"/jobs/{job_id}/plots/nope.svg"), 404, "not_found")
    assert_error(client.get("/jobs/no-such-job/plots"), 404, "not_found")
    assert_error(client.get("/jobs/no-such-job/plots/tour.svg"), 404, "not_found")


def test_a_running_jobs_answer_pictures_wait_for_its_answer(client: TestClient) -> None:
    knapsack = client.get("/problems/knapsack").json()["example"]["problem"]
    job_id = client.post("/jobs", json={"problem": knapsack, "solver": "stubborn",
                                        "options": {"time_limit": 30}}).json()["id"]
    try:
        deadline = time.monotonic() + 10
        while client.get(f"/jobs/{job_id}").json()["status"] != "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        items = {e["name"]: e for e in client.get(f"/jobs/{job_id}/plots").json()["plots"]}["items"]
        assert not items["available"] and "running" in items["reason"]
        assert_error(client.get(f"/jobs/{job_id}/plots/items.svg"), 404, "not_found")
    finally:
        client.post(f"/jobs/{job_id}/cancel")
