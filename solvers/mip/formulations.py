"""MIP formulations as arrays, one module per family; they import no solver library.

`build(problem)` returns the family's `Formulation`: an `ArrayMip` plus a decoder (vector ->
verified-shape wire solution), an encoder (wire solution -> vector, for warm starts) and, for
the TSP, lazy subtour cuts. `mip_loop.CutLoop` runs any formulation on any backend's session.
"""

from models import FacilityLocationProblem, KnapsackProblem, SchedulingProblem, TspProblem
from models.problem import Problem
from solvers.families.facility.mip import FacilityFormulation
from solvers.families.knapsack.mip import KnapsackFormulation
from solvers.families.scheduling.mip import SchedulingFormulation
from solvers.families.tsp.mip import TspFormulation
from solvers.mip.array_mip import ArrayMip, RowBlock
from solvers.mip.formulation import Decoded, Formulation

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
