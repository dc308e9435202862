"""MIP formulations as arrays, one module per family; they import no solver library.

`build(problem)` returns the family's `Formulation`: an `ArrayMip` plus a decoder (vector ->
verified-shape wire solution), an encoder (wire solution -> vector, for warm starts) and, for
the TSP, lazy subtour cuts. `mip_loop.CutLoop` runs any formulation on any backend's session.
"""

from models import FacilityLocationProblem, KnapsackProblem, SchedulingProblem, TspProblem
from models.problem import Problem
from solvers.formulations.array_mip import ArrayMip, RowBlock
from solvers.formulations.base import Decoded, Formulation
from solvers.formulations.facility import FacilityFormulation
from solvers.formulations.knapsack import KnapsackFormulation
from solvers.formulations.scheduling import SchedulingFormulation
from solvers.formulations.tsp import TspFormulation

__all__ = ["ArrayMip", "Decoded", "Formulation", "RowBlock", "build"]


def build(problem: Problem) -> Formulation:
    """The MIP formulation of `problem`."""
    if isinstance(problem, KnapsackProblem):
        return KnapsackFormulation(problem)
    if isinstance(problem, TspProblem):
        return TspFormulation(problem)
    if isinstance(problem, FacilityLocationProblem):
        return FacilityFormulation(problem)
    if isinstance(problem, SchedulingProblem):
        return SchedulingFormulation(problem)
    raise TypeError(f"no MIP formulation for {type(problem).__name__}")
