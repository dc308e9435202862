"""A minimal synchronous client for the optserve HTTP API (the full SDK grows here).

It needs only `models` and httpx: no solver library is imported on the client side.
"""

from typing import Any

import httpx

from models import Result, SolveRequest

DEFAULT_TIMEOUT_MARGIN = 30.0
"""Seconds the HTTP timeout allows beyond the solve's own time limit (queueing, kill grace)."""


class OptserveError(Exception):
    """Base of every error this client raises."""


class APIError(OptserveError):
    """The server answered with an error body."""

    def __init__(self, status_code: int, body: dict[str, Any]) -> None:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        super().__init__(f"{status_code} {error.get('code', '')}: {error.get('message', body)}")
        self.status_code = status_code
        self.body = body
        self.details = error.get("details", [])


class Client:
    """`Client("http://127.0.0.1:8000").solve(problem, solver="auto", time_limit=10)`."""

    def __init__(self, base_url: str = "http://127.0.0.1:8000", transport: httpx.BaseTransport | None = None) -> None:
        self._http = httpx.Client(base_url=base_url, transport=transport)

    def solve(self, problem: dict[str, Any] | Any, solver: str = "auto", **options: Any) -> Result:
        """Solves synchronously; keyword arguments are SolveOptions fields (time_limit, seed, ...)."""
        problem_data = problem.model_dump(mode="json") if hasattr(problem, "model_dump") else problem
        request = SolveRequest.model_validate({"problem": problem_data, "solver": solver, "options": options})
        return self.solve_request(request)

    def solve_request(self, request: SolveRequest) -> Result:
        timeout = request.options.time_limit + DEFAULT_TIMEOUT_MARGIN
        response = self._http.post("/solve", json=request.model_dump(mode="json", exclude_none=True), timeout=timeout)
        if response.status_code >= 400:
            raise APIError(response.status_code, response.json())
        return Result.model_validate(response.json())

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
