"""What the picture routes and the console share: a job's problem, answer and progress history, and
one rendering call whose failures become client errors (never a 500).

A job that has not finished yet has no Result; it gets a provisional one built from its latest
progress, so the convergence picture can be drawn (and refreshed) while the solve runs. The other
pictures wait for the answer and say so in the listing.
"""

from dataclasses import dataclass

from app.errors import ApiError, invalid_request
from app.jobs.store import JobStore
from app.plots import PLOT_NAMES, PlotNotApplicable, ProgressPoint, UnknownPlot, applicable, render
from models.errors import ErrorDetail
from models.issues import IssueList
from models.job import EventType, Job, JobRequest, JobStatus, Progress
from models.plots import PlotEntry, PlotList
from models.problem import ProblemModel
from models.result import Result, SolverInfo, Status, Termination, Timings
from solvers.gap import relative_gap

LIVE = frozenset({"convergence"})
"""Pictures that make sense before a job has finished."""
PROGRESS_EVENTS = frozenset({EventType.progress.value, EventType.incumbent.value})


@dataclass(frozen=True)
class JobPicture:
    """Everything a picture of one job is drawn from."""

    job: Job
    problem: ProblemModel
    result: Result
    history: list[ProgressPoint]


def to_points(progress: list[Progress]) -> list[ProgressPoint]:
    return [ProgressPoint(elapsed=p.elapsed, incumbent=p.incumbent, bound=p.bound) for p in progress]


def load(store: JobStore, job_id: str, owner: str | None) -> JobPicture:
    """The job's inputs for a picture, or 404 when there is no such job (or it is another caller's)."""
    job = store.get(job_id, owner)
    request = store.request(job_id) if job is not None else None
    if job is None or request is None:
        raise ApiError(404, "not_found", f"no job {job_id!r}")
    history = [Progress.model_validate(e.data) for e in store.events_after(job_id, 0) if e.type in PROGRESS_EVENTS]
    result = job.result or provisional(job, request)
    return JobPicture(job=job, problem=request.problem, result=result, history=to_points(history))


def provisional(job: Job, request: JobRequest) -> Result:
    """A stand-in Result for a job without one: its latest progress, or the reason it failed."""
    progress = job.progress
    if job.status is JobStatus.failed:
        status, message = Status.error, job.error.message if job.error else "the job failed"
    else:
        status, message = (Status.feasible if progress.incumbent is not None else Status.no_solution), None
    termination = Termination.error if job.status is JobStatus.failed else Termination.completed
    return Result(status=status, termination=termination, objective=progress.incumbent, bound=progress.bound,
                  gap=relative_gap(progress.incumbent, progress.bound), timings=Timings(total=progress.elapsed),
                  solver=SolverInfo(name=job.solver), seed=request.options.seed, message=message)


def listing(picture: JobPicture, base_url: str) -> PlotList:
    """Every picture of the job: a URL when it applies, the reason when it does not."""
    job = picture.job
    entries = []
    for info in applicable(picture.problem, picture.result, picture.history):
        reason = info.reason
        if reason is None and not job.status.finished and info.name not in LIVE:
            reason = f"{info.name}: the job is {job.status.value}; this picture comes with its answer"
        url = f"{base_url}/jobs/{job.id}/plots/{info.name}.svg" if reason is None else None
        entries.append(PlotEntry(name=info.name, title=info.title, available=reason is None, url=url, reason=reason))
    return PlotList(job_id=job.id, status=job.status.value, plots=entries)


def job_svg(picture: JobPicture, name: str) -> str:
    """One picture of a job; 404 for an unknown name or a picture that does not apply (with the reason)."""
    check_name(name)
    if not picture.job.status.finished and name not in LIVE:
        raise ApiError(404, "not_found", f"{name}: the job is {picture.job.status.value}; this picture comes "
                       "with its answer")
    try:
        return render(name, picture.problem, picture.result, picture.history)
    except PlotNotApplicable as exc:
        raise ApiError(404, "not_applicable", exc.reason) from None


def check_name(name: str) -> None:
    if name not in PLOT_NAMES:
        raise ApiError(404, "not_found", f"unknown picture {name!r}; known: {', '.join(PLOT_NAMES)}")


def posted_svg(name: str, problem: ProblemModel, result: Result, history: list[ProgressPoint]) -> str:
    """A picture of a posted problem and answer; 422 (located in the body) when they do not fit together."""
    check_name(name)
    try:
        return render(name, problem, result, history)
    except PlotNotApplicable as exc:
        raise unfit(exc.reason) from None
    except UnknownPlot as exc:  # pragma: no cover - check_name ran first
        raise ApiError(404, "not_found", str(exc)) from None
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise unfit(f"{name}: the result does not fit the problem ({type(exc).__name__}: {exc})") from None


def check_problem(problem: ProblemModel) -> None:
    """422 listing every semantic problem of a posted problem (what the schema alone cannot see)."""
    issues = IssueList()
    problem.check(issues.under("problem"))
    if issues.items:
        raise invalid_request(issues.items)


def unfit(message: str) -> ApiError:
    return ApiError(422, "validation_error", message, [ErrorDetail(loc=["body", "result"], msg=message)])
