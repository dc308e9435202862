"""TSP check: a permutation of all nodes starting at 0; length of the closed tour."""

from models import TspProblem, TspSolution
from solvers.evaluators.base import Evaluation
from solvers.families.tsp.distance import problem_tour_length


def evaluate(problem: TspProblem, solution: TspSolution) -> Evaluation:
    result = Evaluation()
    n = problem.size
    tour = solution.tour
    if sorted(tour) != list(range(n)):
        missing = sorted(set(range(n)) - set(tour))
        result.violate(f"tour must visit each of the {n} nodes exactly once (missing {missing[:10]}, "
                       f"length {len(tour)})")
        return result
    if tour[0] != 0:
        result.violate("tour must start at node 0")
    result.objective = problem_tour_length(problem, tour)
    return result
