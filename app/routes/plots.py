"""Pictures as SVG: of a job (listing and one picture), and of a posted problem and answer.

Rendering takes matplotlib tens to hundreds of milliseconds, so it runs in the thread pool; the
POST draws from data the caller sends, so it passes the same admission as every computing
endpoint (size limit, then one of the synchronous compute slots).
"""

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from app.admission import check_limits, compute_slot
from app.auth.deps import CallerDep
from app.deps import ServicesDep
from app.job_pictures import JobPicture, check_problem, job_svg, listing, load, posted_svg, to_points
from app.services import Services
from models import ErrorBody
from models.plots import PlotList, PlotRequest

router = APIRouter(tags=["plots"])

RENDER_SECONDS = 2.0
"""What a picture is expected to take at most (the Retry-After hint when all slots are busy)."""
SVG: dict[int | str, dict[str, Any]] = {
    200: {"description": "The picture as an SVG document.",
          "content": {"image/svg+xml": {"schema": {"type": "string"}}}},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such job or picture, or the picture does not apply (reason given)."},
}
POST_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Unknown picture name."},
    413: {"model": ErrorBody, "description": "Problem or body too large."},
    422: {"model": ErrorBody, "description": "Invalid problem or result, or a picture that does not fit them."},
    429: {"model": ErrorBody, "description": "All compute slots busy; retry after `Retry-After` seconds."},
}


@router.get("/jobs/{job_id}/plots", response_model=PlotList, operation_id="list_job_plots", responses=NOT_FOUND)
async def list_job_plots(job_id: str, request: Request, services: ServicesDep, caller: CallerDep) -> PlotList:
    """Every picture of the job: its URL when it applies, or the reason it does not."""
    picture = await run_in_threadpool(load, services.store, job_id, caller.scope)
    return listing(picture, request.scope.get("root_path", ""))


@router.get("/jobs/{job_id}/plots/{name}.svg", response_class=Response, operation_id="get_job_plot",
            responses={**SVG, **NOT_FOUND})
async def get_job_plot(job_id: str, name: str, services: ServicesDep, caller: CallerDep) -> Response:
    """One picture of the job as SVG (`convergence` is drawn live while the job runs)."""
    picture = await run_in_threadpool(load, services.store, job_id, caller.scope)
    svg = await run_in_threadpool(job_svg, picture, name)
    return svg_response(svg, picture)


@router.post("/plots/{name}.svg", response_class=Response, operation_id="render_plot",
             responses={**SVG, **POST_ERRORS})
async def render_plot(name: str, body: PlotRequest, services: ServicesDep, caller: CallerDep) -> Response:
    """Draws a picture of the problem and answer sent (e.g. a saved POST /solve answer), synchronously."""
    check_problem(body.problem)
    check_limits(body.problem, None, services, caller)
    svg = await run_in_threadpool(_render_in_slot, services, name, body)
    return svg_response(svg)


def _render_in_slot(services: Services, name: str, body: PlotRequest) -> str:
    with compute_slot(services, RENDER_SECONDS):
        return posted_svg(name, body.problem, body.result, to_points(body.history or []))


def svg_response(svg: str, picture: JobPicture | None = None) -> Response:
    """The SVG; a running job's picture changes, so it is never cached."""
    live = picture is not None and not picture.job.status.finished
    return Response(svg, media_type="image/svg+xml",
                    headers={"Cache-Control": "no-store" if live else "private, max-age=60"})
