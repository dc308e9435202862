"""Liveness (the process answers) and readiness (every family has a usable backend)."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.deps import ServicesDep
from models import ProblemKind
from solvers.registry import availability

router = APIRouter(tags=["health"])


@router.get("/health/live", operation_id="health_live")
async def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/health/ready", operation_id="health_ready")
async def ready(services: ServicesDep) -> JSONResponse:
    """Ready when every family has at least one available backend."""
    missing = [
        kind.value for kind in ProblemKind
        if not any(availability(spec).usable for spec in services.registry.for_family(kind))
    ]
    body = {"status": "ready" if not missing else "not_ready", "families_without_backend": missing}
    return JSONResponse(body, status_code=200 if not missing else 503)
