"""POST /evaluate: a robustness check of any plan by simulation."""

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from app.admission import check_limits, compute_slot, max_seconds
from app.auth.deps import CallerDep
from app.deps import ServicesDep
from app.errors import invalid_request
from app.services import Services
from models import ErrorBody
from models.evaluation import EvaluateRequest, EvaluationResult, evaluate_issues
from solvers.simulation.evaluate import evaluate_plan

router = APIRouter(tags=["simulation"])

ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorBody, "description": "Problem or body too large."},
    422: {"model": ErrorBody, "description": "Invalid request: every problem with its JSON path."},
    429: {"model": ErrorBody, "description": "All solve slots busy, or the API key is over its requests per "
          "minute; retry after `Retry-After` seconds."},
}


@router.post("/evaluate", response_model=EvaluationResult, operation_id="evaluate", responses=ERRORS)
async def evaluate(request: EvaluateRequest, services: ServicesDep, caller: CallerDep) -> EvaluationResult:
    """Simulates the given plan (no optimisation): feasibility, deterministic objective, KPI intervals.

    Same limits as /solve: the size limit, a solve slot, and at most the server's (and the API
    key's) largest time limit of simulation.
    """
    issues = evaluate_issues(request)
    if issues:
        raise invalid_request(issues)
    check_limits(request.problem, None, services, caller)
    return await run_in_threadpool(_evaluate_in_slot, request, services, max_seconds(services, caller))


def _evaluate_in_slot(request: EvaluateRequest, services: Services, seconds: float) -> EvaluationResult:
    with compute_slot(services, seconds):
        return evaluate_plan(request, seconds, lambda: False)
