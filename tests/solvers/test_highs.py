"""HiGHS backend (`solvers/backends/highs.py`): the shared MIP suite, run through the child-process runner."""

import time

from solvers.formats.manifest import BenchmarkLibrary, load_manifest, select
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
