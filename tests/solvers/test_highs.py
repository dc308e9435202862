"""HiGHS backend (`solvers/backends/highs.py`): the shared MIP suite, run through the child-process runner."""

import time

import pytest

from models import FacilityLocationProblem, SolveOptions
from solvers.contract import SolveContext
from solvers.families.facility.mip import FacilityFormulation
from solvers.families.tsp.distance import distance_matrix, tour_length
from solvers.families.tsp.generator import random_tsp
from solvers.families.tsp.start import ils_tour
from solvers.formats.manifest import BenchmarkLibrary, load_manifest, select
from solvers.mip.cut_loop import CutLoop, MipState
from solvers.mip.highs_session import HighsSession
from solvers.registry import load_builtin
from solvers.runtime.pool import WorkerPool
from solvers.runtime.runner import RunLimits, run_backend
from tests.solvers.mip_suite import BENCHMARKS, MipBackendSuite, needs_benchmarks

HIGHS = load_builtin().get("highs")


class TestHighs(MipBackendSuite):
    backend = "highs"

    @needs_benchmarks
    def test_st70_is_proven_optimal_in_seconds(self) -> None:
        """Exact subtour separation, the local-search start and reduced-cost fixing together: the
        subtour loop alone took several rounds; now st70 is proven in about 2 s on a loaded machine."""
        library = BenchmarkLibrary(BENCHMARKS)
        instance = library.load(select(load_manifest(BENCHMARKS), problems={"tsp"}, names=["st70"])[0])
        assert instance.optimum == 675
        started = time.monotonic()
        raw = self.solve(instance.problem, time_limit=30)
        assert time.monotonic() - started < 10
        self.assert_optimal(instance.problem, raw, instance.optimum)


@needs_benchmarks
def test_an_answer_whose_objective_is_not_its_solutions_cost_is_solved_again() -> None:
    """HiGHS 1.16 given the first-fit plan of OR-Library cap131 as its start answered "Optimal" at
    608,704.4, below the true optimum 793,439.6, with the start itself as its solution (cost
    1,248,142.9); the session re-runs it without presolve and gets the optimum."""
    library = BenchmarkLibrary(BENCHMARKS)
    instance = library.load(select(load_manifest(BENCHMARKS), problems={"facility"}, names=["cap131"])[0])
    assert isinstance(instance.problem, FacilityLocationProblem) and instance.optimum is not None
    formulation = FacilityFormulation(instance.problem)
    context = SolveContext(options=SolveOptions(time_limit=20))
    session = HighsSession(formulation, context, CutLoop(formulation, context, "highs"))
    quick = formulation.quick_start()
    assert quick is not None
    outcome = session.solve(20, formulation.encode(quick.solution))
    assert outcome.state is MipState.optimal and outcome.x is not None
    assert formulation.decode(outcome.x).objective == pytest.approx(instance.optimum, rel=1e-6)
    assert outcome.bound == pytest.approx(instance.optimum, rel=1e-6)


def test_a_warm_process_starts_a_short_tsp_from_the_local_search_tour() -> None:
    """Below 2 s limits the start tour's local search was skipped in every process (its kernels might
    have to load): a warm process answered kroA200 at 1-2 s with the 2-opt start, 3.1% above the
    optimum. A process that has loaded them (started ahead, as the service's are) runs it."""
    problem = random_tsp(200, seed=3)
    matrix = distance_matrix(problem)
    reference = ils_tour(matrix, 0, 5.0)
    assert reference is not None
    pool = WorkerPool()
    try:
        pool.warm(HIGHS.module, None)  # says it is loaded once its warm_up has run
        waited = time.monotonic()
        while pool.loading_modules() and time.monotonic() - waited < 60:
            time.sleep(0.05)
        raw = run_backend(HIGHS, problem, SolveOptions(time_limit=1.5), RunLimits(max_memory=None), pool=pool)
    finally:
        pool.close()
    assert raw.objective is not None and raw.solution is not None
    assert raw.objective <= 1.01 * tour_length(matrix, reference)
