"""Seeded random Euclidean TSPs, for tests and benchmarks (no downloads).

Cities uniform in the square [0, 1000]^2 drawn by Python's `random.Random(seed)`, metric `euc_2d`
(TSPLIB's rounded distances), so an (n, seed) pair always gives the same instance.
"""

import random

from models import TspProblem


def random_tsp(n: int, seed: int) -> TspProblem:
    """`n` random cities (see the module docstring)."""
    rng = random.Random(seed)
    coords = [[rng.uniform(0, 1000), rng.uniform(0, 1000)] for _ in range(n)]
    return TspProblem.model_validate({"kind": "tsp", "coordinates": coords, "metric": "euc_2d"})
