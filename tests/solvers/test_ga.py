"""ga: the DEAP genetic-algorithm backend, its encodings, its stopping rules and its bounds.

End-to-end cases go through the dispatcher (child process, deadline, independent verification)
with a `BackendSpec` built here; determinism and warm-start cases call the backend in process.
The first solve may pay the numba compile (seconds, once per checkout); the module fixture
compiles or loads every kernel first (`python -m solvers.backends.ga.backend` does the same).
"""

import itertools
import math
import random
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from models import (
    FacilityLocationProblem,
    KnapsackProblem,
    ProblemKind,
    SchedulingProblem,
    SolveOptions,
    SolveRequest,
    Status,
    Termination,
    TspProblem,
)
from models.problem import Problem
from solvers.backends.ga import backend as ga
from solvers.backends.ga.schedule_decoder import FlatShop
from solvers.contract import BackendSpec, Capabilities, Incumbent, RawResult, SolveContext
from solvers.dispatch import DispatchLimits, solve
from solvers.evaluators import evaluate
from solvers.families.facility import certified as facility_bounds
from solvers.families.facility.mip import FacilityFormulation
from solvers.families.knapsack.certified import knapsack_upper_bound
from solvers.families.scheduling import dispatch_kernel, heuristic
from solvers.families.scheduling.certified import scheduling_lower_bound
from solvers.families.scheduling.data import ScheduleData, flatten
from solvers.families.scheduling.dispatch_kernel import DispatchArrays
from solvers.families.scheduling.generator import random_job_shop
from solvers.families.scheduling.heuristic import Placement
from solvers.families.tsp.certified import tsp_lower_bound
from solvers.formats.manifest import BenchmarkLibrary, load_manifest, select
from solvers.genetic import termination as stop
from solvers.genetic.engine import GaSettings, evolve
from solvers.mip.lp_bound import lp_dual_bound
from solvers.objective import is_maximised
from solvers.registry import Registry
from tests.brute import item_values
from tests.instances import TINY, optimum
from tests.solvers.cases import FT06, FT10, berlin52, brute_force_schedule, jsplib, parallel_with_setups

SPEC = BackendSpec(
    name="ga",
    module="solvers.backends.ga.backend",
    description="Genetic algorithm on DEAP with feasibility-keeping encodings and certified bounds.",
    capabilities=Capabilities(frozenset(ProblemKind), exact=False, reports_bound=True, warm_start=True,
                              deterministic=True),
    requires=("deap", "numba"),
    version_of="deap",
)


@pytest.fixture(scope="module", autouse=True)
def compiled_kernels() -> None:
    """Compile (or load) the kernels once here, so no timed solve below pays the JIT."""
    ga.warm_up()


def _registry() -> Registry:
    registry = Registry()
    registry.register(SPEC)
    return registry


def _in_process(problem: Problem, **options: Any) -> RawResult:
    return ga.solve(problem, SolveContext(options=SolveOptions.model_validate(options)))


def _right_side(problem: Problem, bound: float | None, best: float) -> bool:
    assert bound is not None
    slack = 1e-6 * max(1.0, abs(best))
    return bound >= best - slack if is_maximised(problem) else bound <= best + slack


def _random_knapsack(n: int, dims: int, seed: int) -> KnapsackProblem:
    rng = random.Random(seed)
    items = [{"id": k, "weight": [rng.randint(1, 100) for _ in range(dims)] if dims > 1 else rng.randint(1, 100),
              "value": rng.randint(1, 100)} for k in range(n)]
    capacity: Any = [25 * n for _ in range(dims)] if dims > 1 else 25 * n
    return KnapsackProblem.model_validate({"kind": "knapsack", "items": items, "capacity": capacity})


def _random_tsp(n: int, seed: int) -> TspProblem:
    rng = random.Random(seed)
    coords = [[rng.uniform(0, 1000), rng.uniform(0, 1000)] for _ in range(n)]
    return TspProblem.model_validate({"kind": "tsp", "coordinates": coords, "metric": "euclidean"})


def _random_facility(m: int, n: int, seed: int, single_source: bool = False) -> FacilityLocationProblem:
    rng = random.Random(seed)
    return FacilityLocationProblem.model_validate({
        "kind": "facility_location", "single_source": single_source,
        "facilities": [{"id": f"F{i}", "fixed_cost": rng.randint(200, 600), "capacity": rng.randint(60, 120)}
                       for i in range(m)],
        "customers": [{"id": f"C{j}", "demand": rng.randint(5, 25)} for j in range(n)],
        "costs": [[rng.randint(5, 200) for _ in range(n)] for _ in range(m)],
    })


MEDIUM: dict[str, Problem] = {
    "knapsack": _random_knapsack(300, 1, 1),
    "knapsack_multi": _random_knapsack(80, 3, 2),
    "tsp": _random_tsp(120, 3),
    "facility": _random_facility(20, 60, 4),
    "facility_single_source": _random_facility(12, 40, 5, single_source=True),
    "job_shop": jsplib(FT10),
}
"""Instances a few generations do not solve, so different random streams show."""


# --------------------------------------------------------------------------------------------
# End to end


@pytest.mark.parametrize("instance", list(TINY))
def test_tiny_instances_reach_the_brute_force_optimum(instance: str) -> None:
    problem = TINY[instance]
    request = SolveRequest(problem=problem, solver="ga", options=SolveOptions(time_limit=10, seed=1))
    result = solve(request, _registry(), DispatchLimits(grace=2.0))
    assert result.verified, result.message
    assert result.objective == pytest.approx(optimum(problem), rel=1e-9)
    assert result.status in {Status.optimal, Status.feasible}
    assert result.gap is not None and result.bound_source is not None
    assert _right_side(problem, result.bound, optimum(problem))


def test_flexible_machines_setups_and_releases_give_a_valid_schedule() -> None:
    problem = parallel_with_setups(n_jobs=12, n_machines=3, seed=4)
    data = problem.model_dump()
    for j, job in enumerate(data["jobs"]):
        job["release"] = 7 * (j % 3)
    problem = SchedulingProblem.model_validate(data)
    request = SolveRequest(problem=problem, solver="ga", options=SolveOptions(time_limit=4, seed=0))
    result = solve(request, _registry(), DispatchLimits(grace=2.0))
    assert result.verified, result.message
    assert result.bound is not None and result.bound_source == "machine_job_bound"
    assert result.objective is not None
    assert 0 < result.bound <= result.objective


def test_weighted_tardiness_objective() -> None:
    data = jsplib(FT06).model_dump()
    data["objective"] = "total_weighted_tardiness"
    for j, job in enumerate(data["jobs"]):
        job["due"], job["weight"] = 20 + 5 * j, 1 + j % 3
    problem = SchedulingProblem.model_validate(data)
    result = solve(SolveRequest(problem=problem, solver="ga", options=SolveOptions(time_limit=3, seed=0)),
                   _registry(), DispatchLimits(grace=2.0))
    assert result.verified, result.message
    assert result.objective is not None
    assert result.bound is not None and result.bound <= result.objective


LARGE: dict[str, Problem] = {"tsp": _random_tsp(400, 9), "job_shop": random_job_shop(300, 20, seed=7)}
"""Instances where one evaluation could outlast the limit: on the 6,000-operation job shop the first
genome's critical-path search alone ran 29 s before its decodes were budgeted (a 5 s request was
then killed at the limit plus the grace)."""


@pytest.mark.parametrize("instance", list(LARGE))
def test_the_time_limit_holds_on_a_large_instance(instance: str) -> None:
    problem = LARGE[instance]
    raw = _in_process(problem, time_limit=1.5, seed=0)
    assert raw.termination in {Termination.time_limit, Termination.completed}
    assert raw.build_time + raw.solve_time < 1.5 + 0.25  # the margin kept back, plus building the answer
    check = evaluate(problem, raw.solution)  # type: ignore[arg-type]
    assert check.feasible, check.violations


@pytest.mark.parametrize("shop", ["python", "compiled"])
def test_each_priority_rule_schedule_is_built_once_per_run(shop: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The quick solution and the first genomes come from the same rule schedules (built twice, they
    took 0.9 s of a 1.5 s limit on 300 x 20 with the other core busy, and the run ended at 1.99 s)."""
    problem = jsplib(FT10) if shop == "python" else random_job_shop(100, 20, seed=3)
    built: list[str] = []
    python_pass, compiled_pass = heuristic.build_python, dispatch_kernel.dispatch

    def counted_python(data: ScheduleData, rule: str) -> tuple[Placement, ...]:
        built.append(rule)
        return python_pass(data, rule)

    def counted_compiled(data: ScheduleData, rule: str, arrays: DispatchArrays | None = None) -> NDArray[np.int64]:
        built.append(rule)
        return compiled_pass(data, rule, arrays)

    monkeypatch.setattr(heuristic, "build_python", counted_python)
    monkeypatch.setattr(dispatch_kernel, "dispatch", counted_compiled)
    raw = _in_process(problem, time_limit=2.0, seed=0, iteration_limit=1)
    assert sorted(built) == sorted(heuristic.MAKESPAN_RULES)
    assert raw.objective is not None and raw.objective <= heuristic.best_schedule(flatten(problem)).objective


def test_a_constructive_schedule_at_the_bound_ends_the_run_before_any_search() -> None:
    """One bottleneck machine: the priority rules meet the load bound, so nothing is left to search
    (a 1000 x 20 shop in that case ran to its deadline: the first genome's search took the time)."""
    problem = SchedulingProblem.model_validate({"kind": "scheduling", "machines": ["A", "B"], "jobs": [
        {"id": f"J{j}", "operations": [{"machine": "A", "duration": 1}, {"machine": "B", "duration": 10}]}
        for j in range(50)]})
    raw = _in_process(problem, time_limit=30, seed=0)
    assert raw.status is Status.optimal and raw.termination is Termination.completed
    assert raw.objective == raw.bound == 1 + 50 * 10
    assert raw.native_status.startswith("bound_reached before any generation"), raw.native_status
    assert raw.solve_time < 1.0
    assert evaluate(problem, raw.solution).feasible  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(4))
def test_the_critical_path_search_in_pieces_is_the_search_in_one_call(seed: int) -> None:
    """The GA runs the search in pieces of a few decodes with the clock read between them; resumed
    where each piece stopped, it must end on the genome and value of one unbudgeted call."""
    shop = FlatShop.of(flatten(random_job_shop(30, 10, seed=4)))
    genome = np.random.default_rng(seed).permutation(np.repeat(np.arange(len(shop.job_len)), shop.job_len))
    whole, value, resume = shop.improve(genome, 1000, 1 << 40)
    assert resume == -1
    pieces = 0
    while True:
        genome, piece_value, resume = shop.improve(genome, 1000, 3, resume)
        pieces += 1
        if resume < 0:
            break
    assert pieces > 1 and piece_value == value and (genome == whole).all()


# --------------------------------------------------------------------------------------------
# Determinism and warm starts


@pytest.mark.parametrize("instance", list(MEDIUM))
def test_same_seed_and_iteration_limit_give_the_same_solution(instance: str) -> None:
    problem = MEDIUM[instance]
    first = _in_process(problem, time_limit=60, seed=3, iteration_limit=3)
    second = _in_process(problem, time_limit=60, seed=3, iteration_limit=3)
    assert first.termination is Termination.iteration_limit
    assert first.solution == second.solution and first.objective == second.objective


def test_different_seeds_search_differently() -> None:
    problem = MEDIUM["job_shop"]
    logs = {_in_process(problem, time_limit=60, seed=seed, iteration_limit=1).log for seed in (1, 2, 3)}
    assert len(logs) > 1


@pytest.mark.parametrize("instance", list(MEDIUM))
def test_a_warm_start_is_never_lost(instance: str) -> None:
    problem = MEDIUM[instance]
    good = _in_process(problem, time_limit=30, seed=7, iteration_limit=10)
    assert good.solution is not None and good.objective is not None
    warm = _in_process(problem, time_limit=30, seed=8, iteration_limit=1, warm_start=good.solution)
    assert warm.objective is not None
    if is_maximised(problem):
        assert warm.objective >= good.objective
    else:
        assert warm.objective <= good.objective
    assert evaluate(problem, warm.solution).feasible  # type: ignore[arg-type]


def test_incumbents_are_reported_and_improve() -> None:
    seen: list[Incumbent] = []
    problem = MEDIUM["job_shop"]
    raw = ga.solve(problem, SolveContext(options=SolveOptions(time_limit=60, seed=0, iteration_limit=5),
                                         progress=seen.append))
    values = [inc.objective for inc in seen]
    assert values and all(v is not None for v in values)
    present = [v for v in values if v is not None]  # == values, narrowed for sorting
    assert present == sorted(present, reverse=True)
    assert values[-1] == raw.objective


# --------------------------------------------------------------------------------------------
# Bounds: never past the known optimum


def test_berlin52_bound_and_tour() -> None:
    raw = _in_process(berlin52(), time_limit=10, seed=0)
    assert raw.bound_source == "held_karp_1tree"
    assert raw.bound is not None and raw.bound <= 7542
    assert raw.objective is not None and raw.objective <= 7542 * 1.02


def test_ft06_bound_and_makespan() -> None:
    raw = _in_process(jsplib(FT06), time_limit=10, seed=0, iteration_limit=30)
    assert raw.bound_source == "machine_job_bound"
    assert raw.bound is not None and raw.bound <= 55
    assert raw.objective == 55


def test_cap41_bound_and_cost() -> None:
    try:
        entry = select(load_manifest(), names=["cap41"])[0]
    except (OSError, IndexError):
        pytest.skip("the shared benchmark set is not available")
    instance = BenchmarkLibrary().load(entry)
    assert instance.optimum is not None
    raw = _in_process(instance.problem, time_limit=10, seed=0)
    assert raw.bound_source == "lp_relaxation"
    assert raw.bound is not None and raw.bound <= instance.optimum + 1e-6
    assert raw.objective is not None and raw.objective <= instance.optimum * 1.01


@pytest.mark.parametrize("instance", list(TINY))
def test_certified_bounds_of_tiny_instances(instance: str) -> None:
    problem = TINY[instance]
    best = optimum(problem)
    if isinstance(problem, KnapsackProblem):
        bound, _ = knapsack_upper_bound(problem, 5.0)
    elif isinstance(problem, FacilityLocationProblem):
        bound, _ = facility_bounds.facility_lower_bound(problem, 5.0)
        assert facility_bounds.cheapest_assignment_bound(problem) <= best + 1e-9
        assert facility_bounds.lagrangian_bound(problem, 5.0)[0] <= best + 1e-9
    elif isinstance(problem, SchedulingProblem):
        bound = scheduling_lower_bound(flatten(problem))
    else:
        from solvers.families.tsp.distance import distance_matrix

        assert isinstance(problem, TspProblem)
        bound = tsp_lower_bound(distance_matrix(problem), None, 5.0)
    assert _right_side(problem, bound.value, best)


def test_large_facility_instances_get_the_lagrangian_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = MEDIUM["facility"]
    assert isinstance(problem, FacilityLocationProblem)
    lp, _ = facility_bounds.facility_lower_bound(problem, 10.0)
    monkeypatch.setattr(facility_bounds, "LP_MAX_PAIRS", 0)
    lagrangian, opening = facility_bounds.facility_lower_bound(problem, 2.0)
    assert lp.source == "lp_relaxation" and lagrangian.source == "lagrangian"
    assert facility_bounds.cheapest_assignment_bound(problem) < lagrangian.value
    assert lagrangian.value == pytest.approx(lp.value, rel=0.03)  # a dual of (a strengthened) LP: close to it
    best = _in_process(problem, time_limit=20, seed=0, iteration_limit=30).objective
    assert best is not None and lagrangian.value <= best
    assert opening is not None and opening.shape == (20,)


def test_the_lp_dual_bound_equals_the_lp_optimum() -> None:
    from scipy.optimize import linprog

    problem = MEDIUM["facility"]
    assert isinstance(problem, FacilityLocationProblem)
    mip = FacilityFormulation(problem).mip
    lp = lp_dual_bound(mip, 10.0)
    assert lp is not None
    dense = mip.a.toarray()
    upper = np.isfinite(mip.row_upper) & (mip.row_lower != mip.row_upper)
    lower = np.isfinite(mip.row_lower) & (mip.row_lower != mip.row_upper)
    eq = mip.row_lower == mip.row_upper
    reference = linprog(mip.c, A_ub=np.vstack([dense[upper], -dense[lower]]),
                        b_ub=np.concatenate([mip.row_upper[upper], -mip.row_lower[lower]]),
                        A_eq=dense[eq], b_eq=mip.row_upper[eq], bounds=(0, 1), method="highs")
    assert lp.value <= reference.fun + 1e-9 * abs(reference.fun)
    assert lp.value == pytest.approx(reference.fun, rel=1e-7)


def test_the_multidimensional_lp_bound_is_no_weaker_than_dantzig() -> None:
    problem = MEDIUM["knapsack_multi"]
    assert isinstance(problem, KnapsackProblem)
    bound, lp = knapsack_upper_bound(problem, 10.0)
    assert lp is not None and bound.source == "lp_relaxation"
    from solvers.families.knapsack.bound import upper_bound

    assert bound.value <= upper_bound(problem)
    assert bound.value >= _in_process(problem, time_limit=10, seed=0, iteration_limit=20).objective  # type: ignore[operator]


def _setup_shop(seed: int) -> SchedulingProblem:
    """Two jobs of two operations, one flexible, with releases and per-machine setups."""
    rng = random.Random(seed)
    jobs = []
    for j in range(2):
        fixed = {"machine": "A", "duration": rng.randint(1, 6)}
        flexible = {"alternatives": [{"machine": "A", "duration": rng.randint(1, 6)},
                                     {"machine": "B", "duration": rng.randint(1, 6)}]}
        jobs.append({"id": f"J{j}", "release": rng.randint(0, 4), "operations": [fixed, flexible]})
    jobs.append({"id": "J2", "operations": [{"machine": "B", "duration": rng.randint(1, 6)}]})
    setups = {m: [[rng.randint(0, 5) for _ in range(3)] for _ in range(3)] for m in ("A", "B")}
    return SchedulingProblem.model_validate({"kind": "scheduling", "machines": ["A", "B"], "jobs": jobs,
                                             "setup_times": setups})


@pytest.mark.parametrize("seed", range(12))
def test_the_scheduling_bound_holds_with_setups_and_flexible_machines(seed: int) -> None:
    problem = _setup_shop(seed)
    best = brute_force_schedule(problem)
    assert scheduling_lower_bound(flatten(problem)).value <= best
    raw = _in_process(problem, time_limit=10, seed=seed)
    assert raw.objective is not None and raw.objective >= best
    assert evaluate(problem, raw.solution).feasible  # type: ignore[arg-type]


def test_the_setup_bound_counts_unavoidable_setups() -> None:
    """One machine, three single-operation jobs, every setup 10: two setups cannot be avoided."""
    problem = SchedulingProblem.model_validate({
        "kind": "scheduling", "machines": ["M"], "setup_times": [[0, 10, 10], [10, 0, 10], [10, 10, 0]],
        "jobs": [{"id": j, "operations": [{"machine": "M", "duration": 1}]} for j in range(3)]})
    assert scheduling_lower_bound(flatten(problem)).value == 3 + 20


# --------------------------------------------------------------------------------------------
# The engine and its stopping rules


class _OneMax:
    """Maximise the number of ones; genomes are tuples of bits."""

    maximise = True

    def __init__(self, n: int) -> None:
        self.n = n

    def initial(self, rng: random.Random, count: int) -> list[tuple[int, ...]]:
        return [tuple(rng.randint(0, 1) for _ in range(self.n)) for _ in range(count)]

    def crossover(self, a: tuple[int, ...], b: tuple[int, ...], rng: random.Random) -> tuple[int, ...]:
        return tuple(x if rng.random() < 0.5 else y for x, y in zip(a, b, strict=True))

    def mutate(self, genome: tuple[int, ...], rng: random.Random) -> tuple[int, ...]:
        k = rng.randrange(self.n)
        return (*genome[:k], 1 - genome[k], *genome[k + 1:])

    def evaluate(self, genome: tuple[int, ...]) -> tuple[tuple[int, ...], float]:
        return genome, float(sum(genome))

    def key(self, genome: tuple[int, ...]) -> bytes:
        return bytes(genome)


def test_seeds_join_the_initial_population() -> None:
    seed = tuple([1] * 30)
    found: list[float] = []
    outcome = evolve(_OneMax(30), GaSettings(population=10), random.Random(0), stop.GenerationLimit(0),
                     stop.TimeLimit(float("inf")), lambda _g, v: found.append(v), seeds=[seed])
    assert outcome.generations == 0 and outcome.best.genome == seed and found == [30.0]


def test_the_engine_solves_onemax_and_stops_on_its_generation_limit() -> None:
    outcome = evolve(_OneMax(40), GaSettings(population=30), random.Random(1),
                     stop.AnyOf((stop.BoundReached(40.0), stop.GenerationLimit(500))), stop.TimeLimit(float("inf")),
                     lambda _g, _v: None)
    assert outcome.best.value == 40.0 and outcome.reason is stop.StopReason.bound_reached


@pytest.mark.parametrize(("progress", "expected"), [
    (stop.Progress(generation=10, best=5.0, improved_at=0), stop.StopReason.generations),
    (stop.Progress(generation=3, best=5.0, improved_at=0), stop.StopReason.stagnation),
    (stop.Progress(generation=3, best=5.0, improved_at=2), None),
    (stop.Progress(generation=30, best=5.0, improved_at=20), stop.StopReason.generations),
])
def test_criteria_compose_in_order(progress: stop.Progress, expected: stop.StopReason | None) -> None:
    criterion = stop.AnyOf((stop.GenerationLimit(10), stop.Stagnation(3)))
    assert criterion(progress) is expected


def test_stagnation_waits_as_long_as_the_last_improvement_took() -> None:
    assert stop.Stagnation(5)(stop.Progress(generation=150, improved_at=100)) is None
    assert stop.Stagnation(5)(stop.Progress(generation=200, improved_at=100)) is stop.StopReason.stagnation


def test_every_tiny_knapsack_selection_is_repaired_to_a_maximal_feasible_one() -> None:
    from solvers.backends.ga.knapsack import KnapsackEncoding

    problem = TINY["knapsack_multi"]
    assert isinstance(problem, KnapsackProblem)
    encoding = KnapsackEncoding(problem)
    rows, caps = np.array(problem.weight_rows()), np.array(problem.capacities())
    values = item_values(problem)
    for bits in itertools.islice(itertools.product((0, 1), repeat=encoding.n), 0, None, 7):
        repaired, value = encoding.evaluate(np.array(bits, dtype=np.uint8))
        assert (rows @ repaired <= caps).all()
        for k in np.flatnonzero(repaired == 0):  # maximal: nothing left out still fits
            assert ((rows @ repaired + rows[:, k]) > caps).any()
        assert value == pytest.approx(sum(values[k] for k in np.flatnonzero(repaired)))


def test_the_single_source_heuristic_never_splits_demand() -> None:
    problem = MEDIUM["facility_single_source"]
    raw = _in_process(problem, time_limit=10, seed=0, iteration_limit=10)
    check = evaluate(problem, raw.solution)  # type: ignore[arg-type]
    assert check.feasible, check.violations
    assert any("heuristic" in w for w in raw.warnings), raw.warnings
    assert raw.bound is not None and raw.bound <= raw.objective  # type: ignore[operator]


def test_the_answer_is_not_decoded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each reported improvement is decoded once and the answer reuses it (decoding the final best again
    ran 0.07-0.25 s past the deadline on 300 x 20 with both cores busy, and a CI run ended at 2.05 s
    of 1.5)."""
    from solvers.backends.ga.scheduling import SchedulingEncoding

    decoded: list[object] = []
    solution = SchedulingEncoding.solution

    def counted(self: SchedulingEncoding, genome: Any) -> Any:
        decoded.append(genome)
        return solution(self, genome)

    monkeypatch.setattr(SchedulingEncoding, "solution", counted)
    reported: list[Incumbent] = []
    problem = jsplib(FT10)
    options = SolveOptions(time_limit=10, seed=0, iteration_limit=5)
    raw = ga.solve(problem, SolveContext(options=options, progress=reported.append))
    assert raw.objective is not None and raw.objective == min(found.objective or math.inf for found in reported)
    assert len(decoded) == len(reported) - 1 > 0  # the quick schedule is reported as it was built
