"""POST /evaluate: simulate a plan the user supplies (a robustness check), without optimising."""

from typing import Any

from pydantic import ConfigDict, Field

from models._base import ContractModel
from models.issues import Issue, IssueList
from models.problem import SOLUTION_MODELS, Problem, problem_kind
from models.problem_solutions import Solution
from models.simulation import SimulationReport, SimulationSpec


def _solution_matches_problem(schema: dict[str, Any]) -> None:
    """Says in the schema what the validation checks: the solution has the problem's family's fields."""
    schema["anyOf"] = [
        {"properties": {"problem": {"properties": {"kind": {"const": kind.value}}},
                        "solution": {"required": model.model_json_schema()["required"]}}}
        for kind, model in SOLUTION_MODELS.items()
    ]


class EvaluateRequest(ContractModel):
    """A problem, a solution of it, and how to simulate."""

    model_config = ConfigDict(json_schema_extra=_solution_matches_problem)

    problem: Problem
    solution: Solution = Field(description="The plan to evaluate, in the family's solution format.")
    simulation: SimulationSpec = Field(default_factory=SimulationSpec, description="Replications and randomness.")


class EvaluationResult(ContractModel):
    """The independent check of the plan and its simulated KPIs."""

    feasible: bool = Field(description="The plan passes the family's feasibility check.")
    violations: list[str] = Field(default_factory=list, description="Every broken constraint.")
    objective: float | None = Field(default=None, description="Deterministic objective recomputed from the plan.")
    simulation: SimulationReport | None = Field(default=None, description="KPIs over replications.")
    seconds: float = Field(description="Wall-clock time spent.")
    warnings: list[str] = Field(default_factory=list, description="Things worth knowing.")


def evaluate_issues(request: EvaluateRequest) -> list[Issue]:
    """The plan must be of the problem's family; the simulation model must fit the family."""
    from models.request import SolveRequest, semantic_issues

    issues = IssueList()
    expected = SOLUTION_MODELS[problem_kind(request.problem)]
    if not isinstance(request.solution, expected):
        issues.add(("solution",), f"expected a {request.problem.kind} solution ({', '.join(expected.model_fields)})")
    as_solve = SolveRequest(problem=request.problem, simulation=request.simulation)
    issues.items.extend(semantic_issues(as_solve))
    return list(issues.items)
