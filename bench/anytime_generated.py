"""Anytime rows for requests the benchmark manifest holds no instances of: multi-objective
knapsacks (fronts compared by hypervolume) and staffing (simulated cost), generated and seeded.

Fronts: `auto`, `nsga2` and `epsilon` at the same limit; each hypervolume is measured against one
reference point per cell (the union of the three fronts' worst values, pushed out by 10% of the
range), and the ratio is best single hypervolume / auto's (> 1: auto is worse), as for values.
Staffing has one backend (`simopt`); its row checks that `auto` reaches it and answers the same.
"""

from collections.abc import Callable
from dataclasses import dataclass

from bench.nsga2 import instance as bi_objective_knapsack
from bench.simulation import station
from models import Result, SolveOptions, SolveRequest
from models.problem import Problem
from solvers import pareto
from solvers.evaluators.vector import senses

Solve = Callable[[SolveRequest], Result]
FRONT_BACKENDS = ("nsga2", "epsilon")
STAFFING_SIMULATION = {"replications": 10, "seed": 1}


@dataclass
class GeneratedCell:
    """One (generated instance, limit): auto's score, each single backend's, and how they compare."""

    name: str
    limit: float
    measure: str
    auto: float | None
    singles: dict[str, float | None]
    maximise: bool

    def ratio(self) -> float | None:
        valued = [v for v in self.singles.values() if v is not None]
        if not valued or self.auto in (None, 0.0):
            return None
        best = max(valued) if self.maximise else min(valued)
        return best / self.auto if self.maximise else self.auto / best


def front_cell(items: int, limit: float, *, solve: Solve) -> GeneratedCell:
    problem = bi_objective_knapsack(items, seed=1)
    fronts = {name: _front(solve(_request(problem, name, limit))) for name in (*FRONT_BACKENDS, "auto")}
    directions = senses(problem)
    union = [point for front in fronts.values() for point in front]
    reference = pareto.default_reference_point(union, directions) if union else []
    volume = {name: (pareto.hypervolume(front, reference, directions) if front else None)
              for name, front in fronts.items()}
    auto = volume.pop("auto")
    return GeneratedCell(f"bi-objective knapsack {items}", limit, "hypervolume", auto, volume, maximise=True)


def staffing_cell(limit: float, *, solve: Solve) -> GeneratedCell:
    problem = station(4.0, 2000, 200, constraints=[{"kpi": "wait_mean", "max": 0.2}])
    values = {name: solve(_request(problem, name, limit, STAFFING_SIMULATION)).objective for name in ("simopt", "auto")}
    auto = values.pop("auto")
    return GeneratedCell("staffing M/M/c a=4, Wq<=0.2", limit, "cost", auto, values, maximise=False)


def _request(problem: Problem, solver: str, limit: float, simulation: dict[str, int] | None = None) -> SolveRequest:
    return SolveRequest.model_validate({"problem": problem, "solver": solver, "simulation": simulation,
                                        "options": SolveOptions(time_limit=limit, threads=1, seed=0)})


def _front(result: Result) -> list[list[float]]:
    return [point.objectives for point in result.pareto_front or []]
