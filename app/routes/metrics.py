"""GET /metrics: Prometheus exposition (an admin key when the service requires keys)."""

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from app.auth.deps import CallerDep
from app.deps import ServicesDep
from app.errors import ApiError
from app.observability.metrics import render
from models import ErrorBody
from models.job import JobStatus

router = APIRouter(tags=["health"])


@router.get("/metrics", operation_id="metrics", response_class=Response, responses={
    200: {"content": {"text/plain": {"schema": {"type": "string"}}},
          "description": "Prometheus text format: requests, solves, queue depth, running jobs, events streamed."},
    401: {"model": ErrorBody, "description": "No or unknown API key (when keys are required)."},
    403: {"model": ErrorBody, "description": "The key is not an admin key."},
    503: {"model": ErrorBody, "description": "The job database is unreachable (job gauges cannot be read)."}})
async def prometheus_metrics(services: ServicesDep, caller: CallerDep) -> Response:
    """Counters and histograms of this deployment; job gauges are read from the store now."""
    if services.settings.auth_required and not (caller.key is not None and caller.key.admin):
        raise ApiError(403, "forbidden", "/metrics needs an admin key (optserve keys create NAME --admin)")
    store = services.store
    body, content_type = await run_in_threadpool(render, lambda status: store.count(JobStatus(status)))
    return Response(body, media_type=content_type)
