"""Pictures of an answer on the wire: the listing of GET /jobs/{id}/plots and the body of POST /plots/{name}.svg."""

from pydantic import Field

from models._base import ContractModel
from models.job import Progress
from models.problem import Problem
from models.result import Result


class PlotEntry(ContractModel):
    """One picture: where to get it, or why it does not apply to this answer."""

    name: str = Field(description="tour | gantt | facilities | items | pareto | convergence | simulation.")
    title: str = Field(description="What the picture shows.")
    available: bool = Field(description="True when the picture applies and `url` draws it.")
    url: str | None = Field(default=None, description="GET this for the SVG; null when not available.")
    reason: str | None = Field(default=None, description="Why the picture does not apply; null when available.")


class PlotList(ContractModel):
    """Every picture of a job, in a fixed order, each available or with the reason it is not."""

    job_id: str = Field(description="The job these pictures belong to.")
    status: str = Field(description="The job's status when listed (answer pictures come once it has finished).")
    plots: list[PlotEntry] = Field(description="One entry per picture name.")


class PlotRequest(ContractModel):
    """A problem and an answer to draw (e.g. a Result saved from POST /solve)."""

    problem: Problem
    result: Result = Field(description="The answer to draw, as POST /solve or GET /jobs/{id} returned it.")
    history: list[Progress] | None = Field(
        default=None, description="Optional progress history (elapsed, incumbent, bound) for `convergence`.")

    model_config = {
        "json_schema_extra": {
            "examples": [{
                "problem": {"kind": "tsp", "coordinates": [[0, 0], [3, 0], [3, 4], [0, 4]], "metric": "euclidean"},
                "result": {"status": "optimal", "termination": "completed", "objective": 14.0, "bound": 14.0,
                           "gap": 0.0, "solution": {"tour": [0, 1, 2, 3]}, "verified": True,
                           "timings": {"total": 0.01}, "solver": {"name": "tsp_exact"}, "seed": 0},
            }]
        }
    }
