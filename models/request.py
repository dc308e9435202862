"""The body of POST /solve, POST /validate and POST /jobs, and its whole-request checks."""

from pydantic import Field

from models._base import ContractModel
from models.issues import Issue, IssueList
from models.options import SolveOptions
from models.problem import SOLUTION_MODELS, Problem, problem_kind


class SolveRequest(ContractModel):
    """A problem, which backend to use (`auto` picks), and options."""

    problem: Problem
    solver: str = Field(default="auto", description="`auto` or a backend name from GET /solvers.")
    options: SolveOptions = Field(default_factory=SolveOptions, description="Limits, tolerances, seed, start.")
    simulation: None = Field(
        default=None, description="Reserved for simulation-evaluated solves (not yet available; must be null)."
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "problem": {
                        "kind": "knapsack",
                        "capacity": 10,
                        "items": [
                            {"id": "A", "weight": 5, "value": 10},
                            {"id": "B", "weight": 4, "value": 40},
                            {"id": "C", "weight": 6, "value": 30},
                            {"id": "D", "weight": 3, "value": 50},
                        ],
                    },
                    "solver": "auto",
                    "options": {"time_limit": 10, "relative_gap": 0.0, "seed": 0, "threads": 1},
                }
            ]
        }
    }


def semantic_issues(request: SolveRequest) -> list[Issue]:
    """Every whole-request problem the schema cannot see, with paths relative to the body."""
    issues = IssueList()
    request.problem.check(issues.under("problem"))
    warm = request.options.warm_start
    expected = SOLUTION_MODELS[problem_kind(request.problem)]
    if warm is not None and not isinstance(warm, expected):
        issues.add(
            ("options", "warm_start"),
            f"warm_start must be a {request.problem.kind} solution ({', '.join(expected.model_fields)})",
        )
    return list(issues.items)
