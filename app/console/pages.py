"""The console's pages: jobs list, one job, new job, solvers; plus the file-upload converter.

Server-rendered with Jinja2 from the same services the API uses (no HTTP round trip to itself);
the script in `static/console.js` adds live updates and the actions (submit, cancel, download).
None of these routes is part of the OpenAPI document: they are pages for people, not an API.
"""

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from app.auth.deps import Caller, unauthorized
from app.console.access import ViewerDep, wants_fragment
from app.console.upload import ConvertRequest, convert_upload
from app.console.views import gap_text, job_row, kpi_rows
from app.deps import ServicesDep
from app.errors import ApiError
from app.job_pictures import listing, load
from app.plots.common import fmt
from app.routes.problems import describe as describe_problem
from app.routes.solvers import describe as describe_solver
from models import ProblemKind
from models.job import JobStatus

router = APIRouter(prefix="/ui", include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals["fmt"] = fmt
templates.env.globals["gap_text"] = gap_text


def page(request: Request, template: str, viewer: Caller | None, status_code: int = 200,
         **context: Any) -> HTMLResponse:
    """The full page, or only its content for the console's script; locked when a key is missing."""
    services = request.app.state.services
    context = {"auth_required": services.settings.auth_required, "fragment": wants_fragment(request), **context}
    if viewer is None:
        template, status_code = "locked.html", 401 if context["fragment"] else 200
    return templates.TemplateResponse(request, template, context, status_code=status_code)


@router.get("", response_class=HTMLResponse)
async def jobs_page(request: Request, services: ServicesDep, viewer: ViewerDep,
                    status: Annotated[JobStatus | None, Query()] = None) -> HTMLResponse:
    """Jobs, newest first, optionally only those with one status."""
    if viewer is None:
        return page(request, "jobs.html", viewer)
    jobs = await run_in_threadpool(services.store.page, status, 100, 0, viewer.scope)
    rows = [job_row(job) for job in jobs.items]
    active = any(not job.status.finished for job in jobs.items)
    return page(request, "jobs.html", viewer, rows=rows, total=jobs.total, status=status,
                statuses=[s.value for s in JobStatus], active=active)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
async def job_page(job_id: str, request: Request, services: ServicesDep, viewer: ViewerDep) -> HTMLResponse:
    """One job: live status and progress, its pictures, KPIs, download and cancel."""
    if viewer is None:
        return page(request, "job.html", viewer)
    try:
        picture = await run_in_threadpool(load, services.store, job_id, viewer.scope)
    except ApiError as exc:
        return page(request, "message.html", viewer, status_code=exc.status, heading="No such job",
                    message=exc.message)
    plots = listing(picture, request.scope.get("root_path", ""))
    return page(request, "job.html", viewer, job=picture.job, result=picture.job.result, plots=plots.plots,
                kpis=kpi_rows(picture.job.result.simulation if picture.job.result else None))


@router.get("/new", response_class=HTMLResponse)
async def new_page(request: Request, viewer: ViewerDep) -> HTMLResponse:
    """Start from any family's example or from an uploaded benchmark file."""
    examples = {kind.value: describe_problem(kind).example for kind in ProblemKind}
    return page(request, "new.html", viewer, examples=examples)


@router.get("/solvers", response_class=HTMLResponse)
async def solvers_page(request: Request, services: ServicesDep, viewer: ViewerDep) -> HTMLResponse:
    """Every backend with its families, abilities and whether it runs here."""
    solvers = [describe_solver(spec) for spec in services.registry.specs()]
    return page(request, "solvers.html", viewer, solvers=solvers)


@router.post("/convert")
async def convert(body: ConvertRequest, viewer: ViewerDep) -> JSONResponse:
    """A TSPLIB / OR-Library / JSPLIB / knapsack file (its text) as a ready POST /jobs body."""
    if viewer is None:
        raise unauthorized("this service needs an API key: send `X-API-Key: KEY`")
    return JSONResponse(await run_in_threadpool(convert_upload, body))
