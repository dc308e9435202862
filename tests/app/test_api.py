"""The HTTP contract, in process: answers, error bodies with JSON paths, limits."""

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from models import PROBLEM_MODELS, ProblemKind, StaffingProblem
from solvers.simulation.queueing import mmc_mean_wait
from tests.brute import facility_optimum, job_shop_makespan, knapsack_optimum, tsp_optimum
from tests.conftest import wait_until_ready

KNAPSACK: dict[str, Any] = {"kind": "knapsack", "capacity": 10, "items": [
    {"id": "A", "weight": 5, "value": 10}, {"id": "B", "weight": 4, "value": 40},
    {"id": "C", "weight": 6, "value": 30}, {"id": "D", "weight": 3, "value": 50}]}


def locs(response: Any) -> list[list[str | int]]:
    return [d["loc"] for d in response.json()["error"]["details"]]


def test_solve_returns_a_verified_optimum(client: TestClient) -> None:
    response = client.post("/solve", json={"problem": KNAPSACK, "options": {"time_limit": 5}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "optimal" and body["objective"] == 90 and body["gap"] == 0
    assert sorted(body["solution"]["selected"]) == ["B", "D"]
    assert body["verified"] is True and body["bound"] == 90 and body["bound_source"]
    assert body["timings"]["total"] >= body["timings"]["solve"] >= 0


def test_every_structural_error_is_listed_with_its_json_path(client: TestClient) -> None:
    bad = {"problem": {"kind": "knapsack", "capacity": -1, "items": [{"id": "A", "weight": -5, "value": 1, "x": 2}]},
           "options": {"time_limit": 0, "colour": "red"}}
    response = client.post("/solve", json=bad)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert sorted(map(str, locs(response))) == sorted(map(str, [
        ["body", "problem", "capacity"], ["body", "problem", "items", 0, "weight"],
        ["body", "problem", "items", 0, "x"], ["body", "options", "time_limit"], ["body", "options", "colour"]]))


def test_semantic_errors_are_listed_together(client: TestClient) -> None:
    problem = {**KNAPSACK, "items": [*KNAPSACK["items"], {"id": "A", "weight": [1], "value": 1}]}
    response = client.post("/validate", json={"problem": problem})
    assert response.status_code == 422
    assert locs(response) == [["body", "problem", "items", 4, "id"], ["body", "problem", "items", 4, "weight"]]


def test_unknown_solver_and_unsupported_family(client: TestClient) -> None:
    response = client.post("/solve", json={"problem": KNAPSACK, "solver": "gurobi"})
    assert response.status_code == 422 and locs(response) == [["body", "solver"]]
    assert "highs" in response.json()["error"]["message"]
    response = client.post("/solve", json={"problem": KNAPSACK, "solver": "cpsat"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "unsupported_problem"


def test_validate_reports_the_backend_auto_would_use(client: TestClient) -> None:
    response = client.post("/validate", json={"problem": KNAPSACK, "options": {"time_limit": 999}})
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] and body["solver"] != "auto" and body["size"] == {"items": 4, "dimensions": 1}
    assert body["warnings"]


def test_not_found_and_oversized_bodies_use_the_error_body(client: TestClient) -> None:
    response = client.get("/problems/bin_packing")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    big = {"problem": {"kind": "tsp", "coordinates": [[i, i] for i in range(20_000)]}}
    response = client.post("/solve", json=big)
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"


def test_the_time_limit_holds_through_http_even_for_a_stubborn_solver(client: TestClient) -> None:
    started = time.monotonic()
    response = client.post("/solve", json={"problem": KNAPSACK, "solver": "stubborn", "options": {"time_limit": 1}})
    assert time.monotonic() - started < 2.5
    body = response.json()
    assert body["termination"] == "time_limit" and body["status"] == "feasible" and body["verified"]
    assert body["gap"] is None and body["objective"] == 10


def test_a_full_house_answers_429_with_retry_after(settings: Any) -> None:
    from app.main import create_app
    from app.services import Services
    from tests.conftest import registry_with_stubborn

    tight = settings.model_copy(update={"max_concurrent_solves": 1, "solve_slot_wait": 0.1})
    app = create_app(tight, Services(settings=tight, registry=registry_with_stubborn()))
    with TestClient(app) as client:
        slow = threading.Thread(target=client.post, args=("/solve",),
                                kwargs={"json": {"problem": KNAPSACK, "solver": "stubborn",
                                                 "options": {"time_limit": 2}}})
        slow.start()
        time.sleep(0.5)
        response = client.post("/solve", json={"problem": KNAPSACK})
        slow.join()
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1


def test_problem_size_limit_is_a_413_naming_the_setting(settings: Any) -> None:
    from app.main import create_app

    small = settings.model_copy(update={"max_problem_size": 10})
    with TestClient(create_app(small)) as client:
        response = client.post("/solve", json={"problem": {"kind": "tsp", "coordinates": [[i, 0] for i in range(5)]}})
    assert response.status_code == 413 and "OPTSERVE_MAX_PROBLEM_SIZE" in response.json()["error"]["message"]


def erlang_staffing_optimum(problem: StaffingProblem) -> float:
    """Single M/M/c station with a mean-wait limit: the smallest c that Erlang C allows, times its cost."""
    (station,) = problem.stations
    (limit,) = problem.constraints
    rate, service_rate = 1 / problem.arrivals.mean, 1 / station.service.mean  # type: ignore[union-attr, operator]
    servers = next(c for c in range(1, 100) if mmc_mean_wait(c, rate, service_rate) <= limit.max)  # type: ignore[union-attr]
    return servers * station.cost_per_server


# Each checker takes its own family's problem; the test looks one up by the kind it validated.
BRUTE: dict[ProblemKind, Callable[[Any], float]] = {
    ProblemKind.knapsack: knapsack_optimum, ProblemKind.tsp: tsp_optimum,
    ProblemKind.facility_location: facility_optimum, ProblemKind.scheduling: job_shop_makespan,
    ProblemKind.staffing: erlang_staffing_optimum,
}


@pytest.fixture(scope="module")
def examples_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One running service for the five examples, as a user meets it once it has started: its solve
    processes warm. A new service per example started three processes each time, and on a loaded
    2-core machine the scheduling example's 10 s went by while its process was still starting."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("examples") / "data", database_url=None, broker_url=None)
    with TestClient(create_app(settings)) as test_client:
        scheduling = test_client.get("/problems/scheduling").json()["example"]  # a first request waits for
        test_client.post("/solve", json=scheduling)  # its process to start (answer unused): with the solver
        yield test_client  # tests beside it, that start ran past the example's 10 s twice in CI


@pytest.mark.parametrize("kind", list(ProblemKind))
def test_each_shipped_example_solves_as_is_to_its_optimum(examples_client: TestClient, kind: ProblemKind) -> None:
    client = examples_client
    described = client.get(f"/problems/{kind.value}").json()
    assert described["schema"]["title"] == PROBLEM_MODELS[kind].__name__
    response = client.post("/solve", json=described["example"])
    assert response.status_code == 200, response.text
    body = response.json()
    problem = PROBLEM_MODELS[kind].model_validate(described["example"]["problem"])
    expected = "feasible" if kind is ProblemKind.staffing else "optimal"
    assert body["verified"] and body["status"] == expected, {k: body.get(k) for k in (
        "status", "termination", "objective", "bound", "message", "timings", "solver", "warnings")}
    assert body["objective"] == pytest.approx(BRUTE[kind](problem))


def test_catalogue_and_health(client: TestClient) -> None:
    names = {s["name"] for s in client.get("/solvers").json()}
    assert {"highs", "cbc", "cpsat", "routing", "knapsack_exact", "pyomo"} <= names
    assert len(client.get("/problems").json()) == len(ProblemKind)
    assert client.get("/health/live").json() == {"status": "ok"}
    wait_until_ready(client)


def test_evaluate_simulates_a_plan_and_locates_a_wrong_solution(client: TestClient) -> None:
    problem = {"kind": "knapsack", "capacity": 10, "items": KNAPSACK["items"]}
    body = {"problem": problem, "solution": {"selected": ["B", "D"]},
            "simulation": {"replications": 5, "model": {"weight": {"distribution": "uniform", "low": 0.9,
                                                                   "high": 1.1, "relative": True}}}}
    response = client.post("/evaluate", json=body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["feasible"] and result["objective"] == 90
    assert result["simulation"]["kpis"]["overflow"]["mean"] == 0 and result["simulation"]["replications"] == 5
    wrong = client.post("/evaluate", json={**body, "problem": problem, "solution": {"tour": [0, 1]}})
    assert wrong.status_code == 422 and locs(wrong) == [["body", "solution"]]


def test_swagger_ui_is_served_without_a_cdn(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/swagger/swagger-ui.css").status_code == 200
