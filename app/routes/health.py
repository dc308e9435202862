"""Liveness (the process answers) and readiness (every family has a usable backend)."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.deps import ServicesDep
from models import ProblemKind
from models.health import Readiness
from solvers.registry import availability

router = APIRouter(tags=["health"])


@router.get("/health/live", operation_id="health_live")
async def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/health/ready", operation_id="health_ready", responses={
    200: {"model": Readiness, "description": "Every family has a usable backend."},
    503: {"model": Readiness, "description": "Some family has no usable backend; it is listed."}})
async def ready(services: ServicesDep) -> JSONResponse:
    """Ready when every family has at least one available backend."""
    missing = [
        kind.value for kind in ProblemKind
        if not any(availability(spec).usable for spec in services.registry.for_family(kind))
    ]
    body = Readiness(status="ready" if not missing else "not_ready", families_without_backend=missing)
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if not missing else 503)
