"""Multi-objective requests and answers: criteria names per family, Pareto points, hypervolume."""

from pydantic import Field

from models._base import ContractModel
from models.problem import Solution


class ParetoPoint(ContractModel):
    """One non-dominated solution and its objective vector (in the order of `objectives`)."""

    objectives: list[float] = Field(description="Objective values, recomputed by the evaluator.")
    solution: Solution = Field(description="The solution in the family's format.")
