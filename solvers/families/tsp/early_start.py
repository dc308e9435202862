"""The nearest-neighbour tour of a large TSP, as the incumbent a MIP backend reports before building.

Why: on 2,000 random cities at a 2 s limit CBC (writing its model file) and Pyomo (building its model)
were killed with `no_solution`; Pyomo alone took 0.43 s to build 400 cities and 1.74 s for 800, where
the tour below takes 0.02-0.07 s. The tour is reported again with the Held-Karp 1-tree bound
(`certified.problem_lower_bound`), so that an answer cut short still has a gap; first without, so that
a bound slow to come (its kernels loading in a process started on demand) never holds the tour back.

Below EARLY_FROM cities the tour is reported alone, polished by 2-opt when the distances are symmetric
(as the formulations' own start tour; 3-35 ms for 100-399 random cities, 6-19% shorter than nearest
neighbour alone), and the bound is found beside the solve (`mip.family_bound`). Why before building:
the backends report their own start tour once built, and in a process started for the request that
can come after the limit. Pyomo's 300 random cities at 2 s: loading the module and Pyomo, building
and handing the model to HiGHS brought its first tour at 2.39-2.55 s (idle machine), past the
runner's answer margin, and a clean-clone test run answered `no_solution`.
"""

import numpy as np

from models import TspProblem, TspSolution
from solvers.contract import Incumbent, ProgressSink
from solvers.families.tsp.certified import problem_lower_bound
from solvers.families.tsp.distance import distance_matrix, tour_length
from solvers.families.tsp.mip import two_opt
from solvers.families.tsp.tools import nearest_neighbour_tour

EARLY_FROM = 400
"""Cities from which the tour's bound is computed before the model is built (below: beside the solve)."""


def report_nearest_neighbour_tour(problem: TspProblem, bound_seconds: float, progress: ProgressSink) -> bool:
    """Reports the nearest-neighbour tour from city 0 (below EARLY_FROM cities with 2-opt, alone), from
    EARLY_FROM cities then again with the 1-tree bound of at most `bound_seconds` of subgradient steps.
    True when it reported the bound."""
    matrix = distance_matrix(problem)
    tour = nearest_neighbour_tour(matrix)
    small = problem.size < EARLY_FROM
    if small and problem.size >= 3 and np.array_equal(matrix, matrix.T):
        tour = two_opt(matrix, tour)
    found = Incumbent(objective=tour_length(matrix, tour), solution=TspSolution(tour=tour))
    progress(found)
    if small:
        return False
    bound = problem_lower_bound(problem, matrix, found.objective, bound_seconds)
    progress(found.model_copy(update={"bound": bound.value, "bound_source": bound.source}))
    return True
