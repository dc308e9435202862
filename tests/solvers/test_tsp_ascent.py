"""The sparse 1-tree ascents (`sparse_bound.sparse_held_karp`, `lkh_held_karp`): their certified
bounds never exceed a known optimum, and are close to the Held-Karp bound on small TSPLIB instances."""

import numpy as np
import pytest

from models import Metric, TspProblem
from solvers.families.tsp import local_search as ls
from solvers.families.tsp.distance import geometry
from solvers.families.tsp.sparse_bound import (
    SparseGraph,
    certified_value,
    lkh_held_karp,
    sparse_held_karp,
    sparse_lower_bound,
)
from solvers.formats.manifest import BenchmarkLibrary, load_manifest, select
from tests import brute

SMALL = ["eil51", "berlin52", "st70", "eil76", "pr76", "kroA100", "rd100", "lin105", "ch130", "kroA200", "a280"]
HELD_KARP_GAP = {"pr76": 0.035, "kroA100": 0.02}
"""The Held-Karp bound itself is 2.8% (pr76) and 1.6% (kroA100) below the optimum; the others
are within 1.2% (measured with the Polyak ascent alone: 0.0-1.12%, kroA200 the largest; the
LKH-style one was never weaker on these)."""


@pytest.fixture(scope="module", autouse=True)
def compiled_kernels() -> None:
    ls.warm_up()


@pytest.mark.parametrize("name", SMALL)
def test_bound_is_below_the_tsplib_optimum_and_close_to_it(name: str) -> None:
    """Aimed at the optimum itself (the ascent may reach it, never pass it) and 10% above it."""
    entry = select(load_manifest(), problems={"tsp"}, names=[name])[0]
    instance = BenchmarkLibrary().load(entry)
    assert isinstance(instance.problem, TspProblem) and instance.optimum is not None
    optimum = float(instance.optimum)
    shape = geometry(instance.problem)
    assert shape is not None
    for upper in (optimum, 1.1 * optimum):
        bound = sparse_lower_bound(shape, upper, time_limit=5.0, max_iterations=2000)
        assert bound.value <= optimum, (name, upper, bound.value)
        assert bound.value >= (1.0 - HELD_KARP_GAP.get(name, 0.012)) * optimum, (name, upper, bound.value)


@pytest.mark.parametrize("metric", list(Metric))
def test_bound_never_exceeds_the_brute_force_optimum(metric: Metric) -> None:
    rng = np.random.default_rng(5)
    for _ in range(3):
        scale = 80.0 if metric is Metric.geo else 500.0
        points = np.round(rng.random((9, 2)) * scale, 1).tolist()
        problem = TspProblem.model_validate({"kind": "tsp", "coordinates": points, "metric": metric.value})
        optimum = brute.tsp_optimum(problem)
        shape = geometry(problem)
        assert shape is not None
        graph = SparseGraph(shape)
        for upper in (optimum, 2.0 * optimum):
            for ascent in (sparse_held_karp, lkh_held_karp):
                _, pi, _ = ascent(graph, upper, 2.0, 500)
                value, _ = certified_value(graph, pi)
                assert value <= optimum * (1.0 + 1e-12), (ascent.__name__, metric, upper, value, optimum)
                assert value >= 0.8 * optimum
