"""GET /problems and GET /problems/{kind}: schemas and ready-to-run examples per family."""

from typing import Any

from fastapi import APIRouter

from app.errors import ApiError
from models import MAXIMISED, PROBLEM_MODELS, SOLUTION_MODELS, ErrorBody, ProblemKind
from models.catalog import ProblemDescription

router = APIRouter(tags=["catalogue"])

TITLES = {
    ProblemKind.knapsack: ("0/1 knapsack", "Choose items maximising value within one or more capacities."),
    ProblemKind.tsp: ("Travelling salesman", "Shortest closed tour through all nodes (TSPLIB metrics or a matrix)."),
    ProblemKind.facility_location: (
        "Facility location", "Open facilities and assign customers at minimum fixed plus service cost."),
    ProblemKind.scheduling: (
        "Scheduling", "Job shop with flexible machines, setups, releases; makespan or weighted tardiness."),
    ProblemKind.staffing: (
        "Staffing", "Servers per station at minimum cost subject to simulated service levels (needs simulation)."),
}


@router.get("/problems", response_model=list[ProblemDescription], operation_id="list_problems")
async def list_problems() -> list[ProblemDescription]:
    """Every family with its schema and an example request."""
    return [describe(kind) for kind in ProblemKind]


@router.get("/problems/{kind}", response_model=ProblemDescription, operation_id="get_problem",
            responses={404: {"model": ErrorBody, "description": "Unknown family."}})
async def get_problem(kind: str) -> ProblemDescription:
    """One family's schema and an example request that solves as-is."""
    try:
        family = ProblemKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in ProblemKind)
        raise ApiError(404, "not_found", f"unknown problem kind {kind!r}; known: {known}") from None
    return describe(family)


def example_request(kind: ProblemKind) -> dict[str, Any]:
    """A complete POST /solve body built from the family model's own example."""
    extra = PROBLEM_MODELS[kind].model_config.get("json_schema_extra")
    assert isinstance(extra, dict)
    examples = extra["examples"]
    assert isinstance(examples, list)
    if kind is ProblemKind.staffing:
        return {"problem": examples[0], "solver": "auto", "options": {"time_limit": 60, "seed": 0},
                "simulation": {"replications": 20, "confidence": 0.95, "seed": 0}}
    return {"problem": examples[0], "solver": "auto", "options": {"time_limit": 10, "seed": 0}}


def describe(kind: ProblemKind) -> ProblemDescription:
    title, text = TITLES[kind]
    return ProblemDescription(
        kind=kind.value, title=title, description=text, maximise=kind in MAXIMISED,
        json_schema=PROBLEM_MODELS[kind].model_json_schema(), solution_schema=SOLUTION_MODELS[kind].model_json_schema(),
        example=example_request(kind),
    )
