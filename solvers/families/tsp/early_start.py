"""The nearest-neighbour tour of a large TSP, as the incumbent a MIP backend reports before building.

Why: on 2,000 random cities at a 2 s limit CBC (writing its model file) and Pyomo (building its model)
were killed with `no_solution`; Pyomo alone took 0.43 s to build 400 cities and 1.74 s for 800, where
the tour below takes 0.02-0.07 s. The tour is reported again with the Held-Karp 1-tree bound
(`certified.problem_lower_bound`), so that an answer cut short still has a gap; first without, so that
a bound slow to come (its kernels loading in a process started on demand) never holds the tour back.

Below EARLY_FROM cities the tour is reported alone (under 5 ms at 300 cities) and the bound is found
beside the solve (`mip.family_bound`): the backends report their own start tour (nearest neighbour and
2-opt) once built, but in a process started for the request that can come after the limit. Pyomo's
300 random cities at 2 s: loading the module and Pyomo, building and handing the model to HiGHS
brought its first tour at 2.39-2.55 s (idle machine), past the runner's answer margin, and a
clean-clone test run answered `no_solution`.
"""

from models import TspProblem, TspSolution
from solvers.contract import Incumbent, ProgressSink
from solvers.families.tsp.certified import problem_lower_bound
from solvers.families.tsp.distance import distance_matrix, tour_length
from solvers.families.tsp.tools import nearest_neighbour_tour

EARLY_FROM = 400
"""Cities from which the tour's bound is computed before the model is built (below: beside the solve)."""


def report_nearest_neighbour_tour(problem: TspProblem, bound_seconds: float, progress: ProgressSink) -> bool:
    """Reports the nearest-neighbour tour from city 0, then, from EARLY_FROM cities, the same with the
    1-tree bound of at most `bound_seconds` of subgradient steps. True when it reported the bound."""
    matrix = distance_matrix(problem)
    tour = nearest_neighbour_tour(matrix)
    found = Incumbent(objective=tour_length(matrix, tour), solution=TspSolution(tour=tour))
    progress(found)
    if problem.size < EARLY_FROM:
        return False
    bound = problem_lower_bound(problem, matrix, found.objective, bound_seconds)
    progress(found.model_copy(update={"bound": bound.value, "bound_source": bound.source}))
    return True
