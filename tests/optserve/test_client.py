"""The SDK against a real server: `optserve serve` in a thread on a free local port."""


import pytest

from optserve import APIError, Client
from tests.instances import job_shop, knapsack, optimum


def test_plain_call_with_a_dict_and_with_a_model(server_url: str) -> None:
    problem = knapsack()
    with Client(server_url) as client:
        from_dict = client.solve(problem.model_dump(mode="json"), solver="auto", time_limit=10)
        from_model = client.solve(job_shop(), time_limit=10, seed=3)
    assert from_dict.status.value == "optimal" and from_dict.objective == optimum(problem)
    assert from_dict.gap == 0 and from_dict.solution is not None
    assert from_model.objective == optimum(job_shop()) and from_model.seed == 3


def test_server_errors_become_api_errors_with_details(server_url: str) -> None:
    with Client(server_url) as client, pytest.raises(APIError) as raised:
        client.solve(knapsack(), solver="nonexistent")
    assert raised.value.status_code == 422
    assert raised.value.details[0]["loc"] == ["body", "solver"]
