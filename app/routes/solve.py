"""POST /solve (bounded synchronous solve) and POST /validate (checks only)."""

import time
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from app.checks import check_request
from app.deps import ServicesDep
from app.errors import ApiError, from_selection
from app.services import Services
from models import ErrorBody, Result, SolveRequest
from models.catalog import ValidationReport
from models.size import problem_size
from solvers import dispatch
from solvers.selection import SelectionError, select

router = APIRouter(tags=["solve"])

ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorBody, "description": "Problem or body too large."},
    422: {"model": ErrorBody, "description": "Invalid request: every problem with its JSON path."},
    429: {"model": ErrorBody, "description": "All solve slots busy; retry after `Retry-After` seconds."},
    503: {"model": ErrorBody, "description": "The requested solver is unavailable here."},
}


@router.post("/solve", response_model=Result, operation_id="solve", responses=ERRORS)
async def solve(request: SolveRequest, services: ServicesDep) -> Result:
    """Solves now and waits at most `options.time_limit` (capped by the server) plus a grace period."""
    check_request(request, services.settings)
    return await run_in_threadpool(_solve_in_slot, request, services)


@router.post("/validate", response_model=ValidationReport, operation_id="validate", responses=ERRORS)
async def validate(request: SolveRequest, services: ServicesDep) -> ValidationReport:
    """Checks a request without solving: 200 with warnings, or 422 listing every problem."""
    check_request(request, services.settings)
    try:
        spec = select(services.registry, request.solver, request.problem)
    except SelectionError as exc:
        raise from_selection(exc) from None
    warnings = []
    if request.options.time_limit > services.settings.max_time_limit:
        warnings.append(f"time_limit will be capped to {services.settings.max_time_limit} s")
    return ValidationReport(valid=True, kind=request.problem.kind, size=problem_size(request.problem),
                            solver=spec.name, warnings=warnings)


def _solve_in_slot(request: SolveRequest, services: Services) -> Result:
    waited = time.perf_counter()
    if not services.solve_slots.acquire(timeout=services.settings.solve_slot_wait):
        retry = str(max(1, int(min(request.options.time_limit, services.settings.max_time_limit))))
        raise ApiError(429, "busy", "all solve slots are busy; retry later or submit a job",
                       headers={"Retry-After": retry})
    queued = time.perf_counter() - waited
    try:
        return dispatch.solve(request, services.registry, services.limits, queued=queued, pool=services.pool)
    except SelectionError as exc:
        raise from_selection(exc) from None
    finally:
        services.solve_slots.release()
