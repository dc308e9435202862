"""Liveness (the process answers) and readiness (database, broker, a usable backend per family, and the
prewarmed solve processes loaded)."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.deps import ServicesDep
from app.errors import error_response
from app.observability.readiness import dependency_problem
from models import ProblemKind
from models.health import Readiness
from solvers.registry import availability

router = APIRouter(tags=["health"])


@router.get("/health/live", operation_id="health_live")
async def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/health/ready", operation_id="health_ready", responses={
    200: {"model": Readiness, "description": "Every family has a usable backend, and the backends started with "
          "the server have loaded."},
    503: {"description": "The database or the broker does not answer (the standard error body, its code "
          "naming which), some family has no usable backend (listed), or backends started with the server are "
          "still loading (listed; `Retry-After: 1`).",
          "content": {"application/json": {"schema": {"anyOf": [{"$ref": "#/components/schemas/ErrorBody"},
                                                                 {"$ref": "#/components/schemas/Readiness"}]}}}}})
async def ready(services: ServicesDep) -> JSONResponse:
    """Ready when the database and the broker (if any) answer, every family has an available backend, and
    the solve processes started with the server have loaded (see app/observability/prewarm.py)."""
    settings = services.settings
    problem = await run_in_threadpool(dependency_problem, lambda: services.store.ping(), settings.broker_url,
                                      settings.broker_timeout)
    if problem is not None:
        return error_response(503, problem.code, problem.message, headers={"Retry-After": "5"})
    missing = [
        kind.value for kind in ProblemKind
        if not any(availability(spec).usable for spec in services.registry.for_family(kind))
    ]
    loading = await run_in_threadpool(services.prewarm_watch.loading)
    ready = not missing and not loading
    body = Readiness(status="ready" if ready else "not_ready", families_without_backend=missing,
                     loading_backends=loading)
    headers = {"Retry-After": "1"} if loading and not missing else None
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if ready else 503, headers=headers)
