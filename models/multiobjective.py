"""Multi-objective requests and answers: criteria names per family, Pareto points, hypervolume."""

from pydantic import Field

from models._base import ContractModel
from models.problem import Solution
from models.simulation import KpiStat


class ParetoPoint(ContractModel):
    """One non-dominated solution and its objective vector (in the order of `objectives`)."""

    objectives: list[float] = Field(description="Objective values, recomputed by the evaluator.")
    solution: Solution = Field(description="The solution in the family's format.")
    kpis: dict[str, KpiStat] | None = Field(
        default=None, description="Simulated fronts (staffing): every KPI of this point with its confidence "
        "interval; the simulated entries of `objectives` are these means.",
    )
