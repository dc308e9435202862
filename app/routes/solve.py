"""POST /solve (bounded synchronous solve) and POST /validate (checks only)."""

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from app.admission import admit_request, compute_slot
from app.auth.deps import CallerDep
from app.deps import ServicesDep
from app.errors import from_selection
from app.observability.metrics import metrics
from app.services import Services
from models import ErrorBody, Result, SolveRequest
from models.catalog import ValidationReport
from models.size import problem_size
from solvers import dispatch
from solvers.selection import SelectionError, select

router = APIRouter(tags=["solve"])

ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorBody, "description": "Problem or body too large."},
    422: {"model": ErrorBody, "description": "Invalid request (every problem with its JSON path), or a time limit "
          "over the API key's quota."},
    429: {"model": ErrorBody, "description": "All solve slots busy, or the API key is over its requests per "
          "minute; retry after `Retry-After` seconds."},
    503: {"model": ErrorBody, "description": "The requested solver is unavailable here."},
}


@router.post("/solve", response_model=Result, operation_id="solve", responses=ERRORS)
async def solve(request: SolveRequest, services: ServicesDep, caller: CallerDep) -> Result:
    """Solves now and waits at most `options.time_limit` (capped by the server) plus a grace period."""
    admit_request(request, services, caller)
    return await run_in_threadpool(_solve_in_slot, request, services)


@router.post("/validate", response_model=ValidationReport, operation_id="validate", responses=ERRORS)
async def validate(request: SolveRequest, services: ServicesDep, caller: CallerDep) -> ValidationReport:
    """Checks a request without solving: 200 with warnings, or 422 listing every problem."""
    admit_request(request, services, caller)
    try:
        spec = select(services.registry, request)
    except SelectionError as exc:
        raise from_selection(exc) from None
    warnings = []
    if request.options.time_limit > services.settings.max_time_limit:
        warnings.append(f"time_limit will be capped to {services.settings.max_time_limit} s")
    return ValidationReport(valid=True, kind=request.problem.kind, size=problem_size(request.problem),
                            solver=spec.name, warnings=warnings)


def _solve_in_slot(request: SolveRequest, services: Services) -> Result:
    with compute_slot(services, request.options.time_limit) as queued:
        try:
            result = dispatch.solve(request, services.registry, services.limits, queued=queued, pool=services.pool)
        except SelectionError as exc:
            raise from_selection(exc) from None
    metrics().record_solve(result)
    return result
