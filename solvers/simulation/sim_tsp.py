"""A tour driven with random travel times: duration, and the chance of returning in time."""

from models import TspProblem, TspSolution
from models.simulation import TspSimModel
from solvers.families.tsp.distance import distance_matrix
from solvers.simulation.sampling import Sampler
from solvers.simulation.streams import Streams


def simulate_tour(problem: TspProblem, solution: TspSolution, model: TspSimModel,
                  streams: Streams) -> dict[str, float]:
    matrix = distance_matrix(problem)
    tour = solution.tour
    duration = 0.0
    for k, a in enumerate(tour):
        b = tour[(k + 1) % len(tour)]
        duration += Sampler(model.travel_time, streams.rng("edge", min(a, b), max(a, b))).draw(float(matrix[a, b]))
    kpis = {"tour_duration": duration}
    if model.deadline is not None:
        kpis["on_time"] = float(duration <= model.deadline)
    return kpis
