"""HiGHS backend (`solvers/backends/highs.py`): the shared MIP suite, run through the child-process runner."""

import time

import pytest

from models import FacilityLocationProblem, SolveOptions
from solvers.contract import SolveContext
from solvers.families.facility.mip import FacilityFormulation
from solvers.formats.manifest import BenchmarkLibrary, load_manifest, select
from solvers.mip.cut_loop import CutLoop, MipState
from solvers.mip.highs_session import HighsSession
from tests.solvers.mip_suite import BENCHMARKS, MipBackendSuite, needs_benchmarks


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
