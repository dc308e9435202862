"""The problem union, discriminated by `kind`, and the solution formats that go with it."""

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from models.facility import FacilityLocationProblem, FacilitySolution
from models.knapsack import KnapsackProblem, KnapsackSolution
from models.problem_solutions import Solution as Solution  # re-exported: the union lives apart to avoid cycles
from models.scheduling import ScheduleSolution, SchedulingProblem
from models.staffing import StaffingProblem, StaffingSolution
from models.tsp import TspProblem, TspSolution

ProblemModel = KnapsackProblem | TspProblem | FacilityLocationProblem | SchedulingProblem | StaffingProblem
"""Any family's problem model (the union without its discriminator annotation)."""

Problem = Annotated[
    ProblemModel,
    Field(discriminator="kind", description="The problem, one of the families, chosen by `kind`."),
]



class ProblemKind(StrEnum):
    """Problem families the service knows."""

    knapsack = "knapsack"
    tsp = "tsp"
    facility_location = "facility_location"
    scheduling = "scheduling"
    staffing = "staffing"


PROBLEM_MODELS: dict[ProblemKind, type[ProblemModel]] = {
    ProblemKind.knapsack: KnapsackProblem,
    ProblemKind.tsp: TspProblem,
    ProblemKind.facility_location: FacilityLocationProblem,
    ProblemKind.scheduling: SchedulingProblem,
    ProblemKind.staffing: StaffingProblem,
}

SOLUTION_MODELS: dict[ProblemKind, type[Solution]] = {
    ProblemKind.knapsack: KnapsackSolution,
    ProblemKind.tsp: TspSolution,
    ProblemKind.facility_location: FacilitySolution,
    ProblemKind.scheduling: ScheduleSolution,
    ProblemKind.staffing: StaffingSolution,
}

MAXIMISED: frozenset[ProblemKind] = frozenset({ProblemKind.knapsack})
"""Families whose objective is maximised; every other family minimises."""


def is_multi_objective(problem: ProblemModel) -> bool:
    """True when the request asks for a Pareto front (two or more `objectives`)."""
    return bool(problem.objectives)


def problem_kind(problem: ProblemModel) -> ProblemKind:
    return ProblemKind(problem.kind)
