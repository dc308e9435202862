"""POST /evaluate: a robustness check of any plan by simulation."""

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from app.deps import ServicesDep
from app.errors import invalid_request
from models import ErrorBody
from models.evaluation import EvaluateRequest, EvaluationResult, evaluate_issues
from solvers.simulation.evaluate import evaluate_plan

router = APIRouter(tags=["simulation"])

ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "Invalid request: every problem with its JSON path."},
}


@router.post("/evaluate", response_model=EvaluationResult, operation_id="evaluate", responses=ERRORS)
async def evaluate(request: EvaluateRequest, services: ServicesDep) -> EvaluationResult:
    """Simulates the given plan (no optimisation): feasibility, deterministic objective, KPI intervals."""
    issues = evaluate_issues(request)
    if issues:
        raise invalid_request(issues)
    return await run_in_threadpool(evaluate_plan, request, services.settings.max_time_limit, lambda: False)
