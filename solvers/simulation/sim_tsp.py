"""A tour driven with random travel times: duration, and the chance of returning in time."""

import numpy as np

from models import TspProblem, TspSolution
from models.simulation import TspSimModel
from solvers.families.tsp.distance import distance_matrix, geometry
from solvers.simulation.sampling import Sampler
from solvers.simulation.streams import Streams


def simulate_tour(problem: TspProblem, solution: TspSolution, model: TspSimModel,
                  streams: Streams) -> dict[str, float]:
    tour = solution.tour
    order = np.asarray(tour, dtype=np.int64)
    after = np.roll(order, -1)
    geo = geometry(problem)  # coordinates: only the tour's n edges, no n x n matrix
    lengths = distance_matrix(problem)[order, after] if geo is None else geo.edges(order, after)
    duration = 0.0
    for k, a in enumerate(tour):
        b = tour[(k + 1) % len(tour)]
        duration += Sampler(model.travel_time, streams.rng("edge", min(a, b), max(a, b))).draw(float(lengths[k]))
    kpis = {"tour_duration": duration}
    if model.deadline is not None:
        kpis["on_time"] = float(duration <= model.deadline)
    return kpis
