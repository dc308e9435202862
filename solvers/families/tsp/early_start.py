"""The nearest-neighbour tour of a large TSP, as the incumbent a MIP backend reports before building.

Why: on 2,000 random cities at a 2 s limit CBC (writing its model file) and Pyomo (building its model)
were killed with `no_solution`; Pyomo alone took 0.43 s to build 400 cities and 1.74 s for 800, where
the tour below takes 0.02-0.07 s. Below EARLY_FROM cities the models build quickly and the backends
report their own start tour (nearest neighbour and 2-opt) once built. The tour carries the Held-Karp
1-tree bound from the same matrix, so an answer cut short still has a gap (the 1-tree of a few
subgradient steps: 0.9 of the optimum or better on random Euclidean instances).
"""

from models import TspProblem, TspSolution
from solvers.contract import Incumbent
from solvers.families.tsp.certified import tsp_lower_bound
from solvers.families.tsp.distance import distance_matrix, tour_length
from solvers.families.tsp.tools import nearest_neighbour_tour

EARLY_FROM = 400
"""Cities from which the tour is reported before the model is built."""


def nearest_neighbour_incumbent(problem: TspProblem, bound_seconds: float) -> Incumbent | None:
    """The nearest-neighbour tour from city 0 of a TSP of EARLY_FROM cities or more, with the 1-tree
    bound of at most `bound_seconds` of subgradient steps; None below."""
    if problem.size < EARLY_FROM:
        return None
    matrix = distance_matrix(problem)
    tour = nearest_neighbour_tour(matrix)
    length = tour_length(matrix, tour)
    bound = tsp_lower_bound(matrix, length, bound_seconds)
    return Incumbent(objective=length, bound=bound.value, bound_source=bound.source,
                     solution=TspSolution(tour=tour))
