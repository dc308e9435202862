"""The behavioural suite shared by the MIP backends (HiGHS, CBC): subclass it and name the backend.

Every solve goes through `solvers.runtime.runner.run_backend` (a child process), so the test process never
imports a solver library. Answers are re-checked by the independent evaluator and compared with
brute-force optima (tests/brute.py, tests/solvers/cases.py) or published ones.
"""

import math
import time

import pytest

from models import (
    FacilityLocationProblem,
    KnapsackSolution,
    SchedulingProblem,
    SolveOptions,
    Status,
    Termination,
)
from models.problem import Problem
from solvers.contract import RawResult
from solvers.evaluators import evaluate
from solvers.families.facility.certified import cheapest_assignment_bound
from solvers.families.facility.early_start import greedy_incumbent
from solvers.families.facility.generator import cornuejols
from solvers.families.scheduling.certified import scheduling_lower_bound
from solvers.families.scheduling.data import flatten
from solvers.families.scheduling.generator import random_job_shop
from solvers.families.scheduling.heuristic import best_schedule
from solvers.families.tsp.bound import one_tree, symmetric
from solvers.families.tsp.distance import distance_matrix, tour_length
from solvers.families.tsp.generator import random_tsp
from solvers.families.tsp.tools import nearest_neighbour_tour
from solvers.formats.manifest import BenchmarkLibrary, benchmark_root, load_manifest, select
from solvers.registry import load_builtin
from solvers.runtime.runner import RunLimits, run_backend
from tests.instances import TINY, knapsack, optimum
from tests.solvers.cases import FT06, FT10, berlin52, brute_force_schedule, jsplib

REGISTRY = load_builtin()
BENCHMARKS = benchmark_root()
needs_benchmarks = pytest.mark.skipif(not (BENCHMARKS / "manifest.json").exists(),
                                      reason=f"no benchmark set at {BENCHMARKS}")


def scheduling(jobs: list[dict], machines: int = 2, **extra: object) -> SchedulingProblem:  # type: ignore[type-arg]
    return SchedulingProblem.model_validate({"kind": "scheduling", "machines": [f"M{m}" for m in range(machines)],
                                             "jobs": jobs, **extra})


def op(machine: int, duration: int) -> dict[str, object]:
    return {"machine": f"M{machine}", "duration": duration}


def alt(*choices: tuple[int, int]) -> dict[str, object]:
    return {"alternatives": [op(m, d) for m, d in choices]}


FLEXIBLE = scheduling([
    {"id": "A", "operations": [alt((0, 3), (1, 5)), op(2, 2)]},
    {"id": "B", "operations": [alt((0, 4), (2, 3)), alt((1, 2), (2, 4))]},
    {"id": "C", "operations": [op(1, 3), alt((0, 2), (2, 2))]},
], machines=3)

SETUP_JOBS = [{"id": f"J{j}", "operations": [op(0, d0), op(1, d1)]}
              for j, (d0, d1) in enumerate([(3, 2), (2, 4), (4, 1), (1, 3)])]
SETUPS_TRIANGLE = scheduling(SETUP_JOBS, setup_times=[[2 * abs(a - b) for b in range(4)] for a in range(4)])
"""Setups |a - b| * 2 satisfy the triangle inequality: the disjunctive MIP is exact."""
SETUPS_SKEWED = scheduling(SETUP_JOBS, setup_times=[[0, 1, 9, 9], [9, 0, 1, 9], [9, 9, 0, 1], [1, 9, 9, 0]])
"""0 -> 1 -> 2 -> 3 -> 0 cost 1 each, every other pair 9: far from the triangle inequality."""

TARDINESS = scheduling([
    {"id": "A", "operations": [op(0, 4), op(1, 3)], "due": 8, "weight": 2},
    {"id": "B", "operations": [op(1, 2), op(0, 5)], "due": 9, "release": 1},
    {"id": "C", "operations": [op(0, 3), op(1, 2)], "due": 6, "weight": 3},
    {"id": "D", "operations": [op(1, 4)], "due": 5, "release": 2, "weight": 1.5},
], objective="total_weighted_tardiness")

SCHEDULES = {"flexible": FLEXIBLE, "setups_triangle": SETUPS_TRIANGLE, "tardiness": TARDINESS}
INFEASIBLE_FACILITY = FacilityLocationProblem.model_validate({
    "kind": "facility_location",
    "facilities": [{"id": "F1", "fixed_cost": 10, "capacity": 10}, {"id": "F2", "fixed_cost": 10, "capacity": 5}],
    "customers": [{"id": "C1", "demand": 8}, {"id": "C2", "demand": 8}],
    "costs": [[1, 2], [2, 1]],
})


LARGE_SHOP = random_job_shop(300, 20, seed=7)
"""300 jobs x 20 machines: 18 million operation pairs for a disjunctive model to walk."""
LARGE_TSP = random_tsp(2000, seed=5)
"""2,000 cities: 2 million edge columns."""
LARGE_FACILITY = cornuejols(100, 1000, seed=1, single_source=True)
"""100 x 1,000 single-source pairs: HiGHS and CBC found no solution of their own in 2 s."""


class MipBackendSuite:
    """Tests every MIP backend must pass; `backend` is the registry name."""

    backend: str

    def solve(self, problem: Problem, time_limit: float = 30.0, grace: float = 1.0, **options: object) -> RawResult:
        spec = REGISTRY.get(self.backend)
        return run_backend(spec, problem, SolveOptions.model_validate({"time_limit": time_limit, "seed": 1, **options}),
                           RunLimits(grace=grace))

    def verified_objective(self, problem: Problem, raw: RawResult) -> float:
        assert raw.solution is not None, f"{raw.status}: {raw.native_status} {raw.log}"
        check = evaluate(problem, raw.solution)
        assert check.feasible, check.violations
        assert check.objective is not None
        assert raw.objective == pytest.approx(check.objective, rel=1e-9, abs=1e-6)
        return check.objective

    def assert_optimal(self, problem: Problem, raw: RawResult, expected: float) -> None:
        assert raw.status is Status.optimal, f"{raw.native_status} {raw.log}"
        assert raw.termination is Termination.completed
        assert self.verified_objective(problem, raw) == pytest.approx(expected, rel=1e-6)
        assert raw.bound == pytest.approx(expected, rel=1e-6)
        assert raw.bound_source == self.backend

    @pytest.mark.parametrize("name", list(TINY))
    def test_tiny_instances_reach_the_brute_force_optimum(self, name: str) -> None:
        problem = TINY[name]
        self.assert_optimal(problem, self.solve(problem), optimum(problem))

    @pytest.mark.parametrize("name", list(SCHEDULES))
    def test_scheduling_variants_reach_the_brute_force_optimum(self, name: str) -> None:
        problem = SCHEDULES[name]
        self.assert_optimal(problem, self.solve(problem), brute_force_schedule(problem))

    def test_setups_breaking_the_triangle_inequality_claim_no_optimality(self) -> None:
        """The model is not exact here, so its bound is not one: the only bound is the family's
        certified machine and job bound (valid whatever the setups), found beside the solve."""
        raw = self.solve(SETUPS_SKEWED)
        best = brute_force_schedule(SETUPS_SKEWED)
        assert raw.status is Status.feasible
        assert raw.bound_source == "machine_job_bound" and raw.bound is not None and raw.bound <= best
        assert any("triangle" in w for w in raw.warnings)
        assert self.verified_objective(SETUPS_SKEWED, raw) >= best

    def test_total_capacity_below_demand_is_infeasible(self) -> None:
        raw = self.solve(INFEASIBLE_FACILITY)
        assert raw.status is Status.infeasible and raw.solution is None
        assert raw.termination is Termination.completed

    def test_warm_start_is_accepted_and_the_optimum_still_proven(self) -> None:
        problem = knapsack()
        raw = self.solve(problem, warm_start=KnapsackSolution(selected=[problem.items[0].id]))
        self.assert_optimal(problem, raw, optimum(problem))

    def test_berlin52(self) -> None:
        self.assert_optimal(berlin52(), self.solve(berlin52(), time_limit=60), 7542)

    def test_ft06(self) -> None:
        problem = jsplib(FT06)
        self.assert_optimal(problem, self.solve(problem, time_limit=60), 55)

    @needs_benchmarks
    def test_cap41(self) -> None:
        library = BenchmarkLibrary(BENCHMARKS)
        instance = library.load(select(load_manifest(BENCHMARKS), names=["cap41"])[0])
        assert instance.optimum is not None
        self.assert_optimal(instance.problem, self.solve(instance.problem, time_limit=60), instance.optimum)

    def test_a_hard_job_shop_stops_at_one_second_with_a_valid_answer(self) -> None:
        problem = jsplib(FT10)
        started = time.monotonic()
        raw = self.solve(problem, time_limit=1.0, grace=2.0)
        assert time.monotonic() - started < 2.5
        assert raw.native_status != "killed at the service deadline"
        assert raw.termination is Termination.time_limit
        assert raw.status in (Status.feasible, Status.no_solution)
        if raw.solution is not None:
            self.verified_objective(problem, raw)

    def test_a_shop_too_large_to_model_in_time_answers_with_its_constructive_schedule(self) -> None:
        """6,000 operations: the model is not built within the limit and the run is killed; the answer
        is the priority-rule schedule reported before building (before: `no_solution`)."""
        raw = self.solve(LARGE_SHOP, time_limit=2.0, grace=1.0)
        assert raw.status is Status.feasible and raw.termination is Termination.time_limit, raw.native_status
        assert self.verified_objective(LARGE_SHOP, raw) == best_schedule(flatten(LARGE_SHOP)).objective
        certified = scheduling_lower_bound(flatten(LARGE_SHOP))  # with its gap, and said where it came from
        assert (raw.bound, raw.bound_source) == (certified.value, certified.source) == (15697, "machine_job_bound")

    def test_a_tsp_too_large_to_model_in_time_answers_with_at_least_its_nearest_neighbour_tour(self) -> None:
        """2,000 cities at 2 s: CBC (writing its model) was killed with `no_solution`; now the tour
        reported before building is the floor of the answer."""
        raw = self.solve(LARGE_TSP, time_limit=2.0, grace=1.0)
        assert raw.status is Status.feasible and raw.termination is Termination.time_limit, raw.native_status
        matrix = distance_matrix(LARGE_TSP)
        objective = self.verified_objective(LARGE_TSP, raw)
        assert objective <= tour_length(matrix, nearest_neighbour_tour(matrix)) + 1e-6
        # with a bound at least the plain 1-tree's (HiGHS answered its own tour with none, CBC its early
        # tour with none; tests/solvers/test_pyomo.py checks Pyomo)
        plain_one_tree = math.ceil(one_tree(symmetric(matrix))[0] - 1e-6)
        assert raw.bound is not None and plain_one_tree <= raw.bound <= objective, (raw.bound, raw.bound_source)
        assert raw.bound_source is not None

    def test_a_large_single_source_facility_answers_at_least_its_first_fit_plan(self) -> None:
        """HiGHS and CBC answered `no_solution` at 2 s (no start solution; measured with
        `bench/time_limits.py`); the formulation's quick start is now the floor of the answer."""
        raw = self.solve(LARGE_FACILITY, time_limit=2.0, grace=1.0)
        assert raw.status is Status.feasible, raw.native_status
        plan = greedy_incumbent(LARGE_FACILITY)
        assert plan is not None and plan.objective is not None
        objective = self.verified_objective(LARGE_FACILITY, raw)
        assert objective <= plan.objective + 1e-6
        # with a certified bound (CBC's answer had none)
        cheapest = cheapest_assignment_bound(LARGE_FACILITY)
        assert raw.bound is not None and cheapest <= raw.bound <= objective, (raw.bound, raw.bound_source)
        assert raw.bound_source is not None

    def test_tsp_at_the_time_limit_returns_a_valid_tour_and_a_valid_bound(self) -> None:
        problem = random_tsp(150, seed=4)
        started = time.monotonic()
        raw = self.solve(problem, time_limit=3.0, grace=2.0)
        assert time.monotonic() - started < 4.5
        assert raw.status in (Status.feasible, Status.optimal)
        objective = self.verified_objective(problem, raw)
        if raw.bound is not None:
            assert raw.bound <= objective + 1e-6
