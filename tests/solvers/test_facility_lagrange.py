"""facility: the Lagrangian bound, heuristic and reduction (in process), the backend (child process).

The bound is checked where it matters most: never above a known optimum (every OR-Library
cap41-cap134 instance, tiny instances against brute force), and the reduced-cost fixings never
exclude an optimal solution. The backend runs through `solvers.runtime.runner.run_backend`, as the
service runs it; `SPEC` is its declaration in `solvers/builtin.py`.
"""

import itertools
import math
import time

import numpy as np
import pytest
from scipy.optimize import linprog

from models import FacilityLocationProblem, FacilitySolution, SolveOptions, Status
from solvers.contract import RawResult
from solvers.evaluators import evaluate
from solvers.families.facility.bound import continuous_knapsacks, lagrangian, min_cover
from solvers.families.facility.data import FacilityData
from solvers.families.facility.reduce import reduce
from solvers.families.facility.search import LagrangeSearch, SearchLimits, improve
from solvers.families.facility.transport import transport, warm_up
from solvers.formats.manifest import BenchmarkLibrary, load_manifest, select
from solvers.registry import load_builtin
from solvers.runtime.runner import RunLimits, run_backend
from tests import brute, instances

SPEC = load_builtin().get("facility")

SMALL = [f"cap{k}" for k in (41, 42, 43, 44, 51, 61, 62, 63, 64, 71, 72, 73, 74, 81, 82, 83, 84, 91, 92, 93, 94,
                              101, 102, 103, 104, 111, 112, 113, 114, 121, 122, 123, 124, 131, 132, 133, 134)]
TOL = 1e-6


@pytest.fixture(scope="module", autouse=True)
def compiled_kernel() -> None:
    """Loads (or compiles into numba's cache) the transportation kernel once, before any timing."""
    warm_up()


def _manifest(name: str) -> tuple[FacilityLocationProblem, float]:
    entry = select(load_manifest(), problems={"facility"}, names=[name])[0]
    instance = BenchmarkLibrary().load(entry)
    assert isinstance(instance.problem, FacilityLocationProblem) and instance.optimum is not None
    return instance.problem, instance.optimum


def _solve(problem: FacilityLocationProblem, **options: object) -> RawResult:
    return run_backend(SPEC, problem, SolveOptions.model_validate(options), RunLimits(grace=2.0))


def _check(problem: FacilityLocationProblem, raw: RawResult, optimum: float | None = None) -> float:
    """The answer is feasible, its objective is the recomputed one, its bound is below it (and
    below the known optimum); returns the objective."""
    assert isinstance(raw.solution, FacilitySolution) and raw.objective is not None
    check = evaluate(problem, raw.solution)
    assert check.feasible, check.violations[:3]
    assert check.objective == pytest.approx(raw.objective, rel=1e-9)
    assert raw.bound is not None and raw.bound <= raw.objective * (1 + 1e-9)
    if optimum is not None:
        assert raw.bound <= optimum * (1 + 1e-9)
        assert raw.objective >= optimum * (1 - 1e-9)
    return raw.objective


def _random(m: int, n: int, seed: int, single_source: bool = False, uncapacitated: float = 0.2,
            zero_demand: float = 0.05) -> FacilityLocationProblem:
    """Points in the unit square, costs proportional to distance x demand, mixed capacities."""
    rng = np.random.default_rng(seed)
    sites, points = rng.random((m, 2)), rng.random((n, 2))
    distance = np.hypot(*(sites[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    demand = rng.integers(1, 50, n) * (rng.random(n) >= zero_demand)
    share = int(demand.sum()) // m
    facilities = [{"id": f"F{i}", "fixed_cost": float(rng.integers(500, 1500)),
                   **({} if rng.random() < uncapacitated else {"capacity": float(rng.integers(2 * share, 4 * share))})}
                  for i in range(m)]
    return FacilityLocationProblem.model_validate({
        "kind": "facility_location", "facilities": facilities, "single_source": single_source,
        "customers": [{"id": f"C{j}", "demand": float(d)} for j, d in enumerate(demand)],
        "costs": (distance * np.maximum(demand, 1)[None, :] * 10).round(2).tolist(),
    })


# --------------------------------------------------------------------------------------------
# The pieces, in process


def test_min_cover_matches_brute_force() -> None:
    rng = np.random.default_rng(1)
    for trial in range(300):
        m = int(rng.integers(1, 8))
        values = rng.integers(-5, 30, m).astype(float)
        weights = rng.uniform(0, 6, m) if trial % 3 == 2 else rng.integers(0, 6, m).astype(float) * 7
        need, at_least_one = float(rng.uniform(0, 30)), trial % 4 != 0
        best = math.inf
        for bits in itertools.product([False, True], repeat=m):
            y = np.array(bits)
            if (y.any() or not at_least_one) and weights[y].sum() >= need:
                best = min(best, float(values[y].sum()))
        value, chosen = min_cover(values, weights, need, at_least_one)
        assert value == pytest.approx(best, abs=1e-9) or value == best
        if math.isfinite(best):
            assert values[chosen].sum() == pytest.approx(best) and weights[chosen].sum() >= need


def test_continuous_knapsacks_match_the_lp() -> None:
    rng = np.random.default_rng(2)
    reduced = rng.normal(0, 10, (6, 15))
    demand = rng.integers(0, 8, 15).astype(float)
    capacity = np.array([0.0, 5.0, 13.5, 30.0, np.inf, 1000.0])
    values, x = continuous_knapsacks(reduced, demand, capacity)
    for i in range(6):
        a_ub = None if math.isinf(capacity[i]) else demand[None, :]
        b_ub = None if math.isinf(capacity[i]) else [capacity[i]]
        lp = linprog(reduced[i], A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs")
        assert values[i] == pytest.approx(lp.fun, abs=1e-9)
        assert (reduced[i] * x[i]).sum() == pytest.approx(values[i]) and demand @ x[i] <= capacity[i] + 1e-9


def test_transport_is_optimal_and_its_prices_make_the_bound_tight() -> None:
    for seed in range(12):
        problem = _random(5, 30, seed, uncapacitated=0.3, zero_demand=0.2)
        data = FacilityData.from_problem(problem)
        opened = np.random.default_rng(seed).random(5) < 0.7
        found = transport(data, opened)
        if not data.feasible_capacity(opened):
            assert found is None
            continue
        assert found is not None
        rows = np.flatnonzero(opened)
        limited = [i for i in range(len(rows)) if math.isfinite(data.capacity[rows[i]])]
        a_ub = np.zeros((len(limited), len(rows) * data.n))
        for r, i in enumerate(limited):
            a_ub[r, i * data.n:(i + 1) * data.n] = data.demand
        lp = linprog(data.costs[rows].ravel(), A_ub=a_ub if limited else None,
                     b_ub=data.capacity[rows][limited] if limited else None,
                     A_eq=np.tile(np.eye(data.n), len(rows)), b_eq=np.ones(data.n), bounds=(0, None), method="highs")
        service = float((data.costs * found.shares).sum())
        assert service == pytest.approx(lp.fun, rel=1e-9)
        point = lagrangian(data, found.prices)
        at_set = found.prices.sum() + point.values[opened].sum()
        assert at_set == pytest.approx(service + data.fixed[opened].sum(), rel=1e-9)


def test_lagrangian_bound_never_exceeds_the_optimum_on_cap41_to_cap134() -> None:
    for name in SMALL:
        problem, optimum = _manifest(name)
        search = LagrangeSearch(problem, FacilityData.from_problem(problem))
        search.warm(None)
        improve(search, SearchLimits(deadline=time.monotonic() + 5, iterations=3000))
        assert search.bound <= optimum * (1 + 1e-12), name
        assert search.bound >= optimum * 0.99, name  # and strong
        assert search.best_cost >= optimum * (1 - 1e-9), name


@pytest.mark.parametrize("single_source", [False, True])
def test_tiny_bounds_and_heuristics_against_brute_force(single_source: bool) -> None:
    for seed in range(6):
        problem = _random(4, 6, 100 + seed, single_source, uncapacitated=0.25, zero_demand=0.1)
        optimum = brute.facility_optimum(problem)
        search = LagrangeSearch(problem, FacilityData.from_problem(problem))
        search.warm(None)
        improve(search, SearchLimits(deadline=time.monotonic() + 2, iterations=300))
        assert search.bound <= optimum * (1 + 1e-12)
        assert search.best_cost >= optimum * (1 - 1e-9) or math.isinf(optimum)
        solution = search.solution()
        if solution is not None:
            assert evaluate(problem, solution).feasible


@pytest.mark.parametrize("name", ["cap41", "cap81", "cap131"])
def test_reduction_keeps_the_optimal_facilities(name: str) -> None:
    """Fixings are proven for every solution better than the incumbent: an optimal solution (the
    backend's, checked against the manifest) must respect them when the incumbent is a bit worse."""
    problem, optimum = _manifest(name)
    raw = _solve(problem, time_limit=10)
    assert raw.status is Status.optimal and _check(problem, raw, optimum) == pytest.approx(optimum, rel=TOL)
    assert isinstance(raw.solution, FacilitySolution)
    ids = [f.id for f in problem.facilities]
    optimal_open = np.isin(ids, raw.solution.open)
    data = FacilityData.from_problem(problem)
    search = LagrangeSearch(problem, data)
    search.warm(None)
    improve(search, SearchLimits(deadline=time.monotonic() + 5, iterations=3000))
    assert search.best_point is not None
    reduction = reduce(data, search.best_point, optimum * (1 + 1e-5))
    assert reduction.keep[optimal_open].all() and optimal_open[reduction.forced_open].all()
    assert reduction.n_closed > 0


# --------------------------------------------------------------------------------------------
# The backend, in a child process


def test_capa_14000_is_proven_optimal_through_the_lagrangian_path() -> None:
    problem, optimum = _manifest("capa-14000")
    incumbents: list[float] = []
    raw = run_backend(SPEC, problem, SolveOptions(time_limit=20), RunLimits(grace=2.0),
                      progress=lambda incumbent: incumbents.append(incumbent.objective or math.inf))
    assert raw.status is Status.optimal and "Lagrangian phase" in raw.native_status
    assert _check(problem, raw, optimum) == pytest.approx(optimum, rel=TOL)
    assert incumbents and incumbents == sorted(incumbents, reverse=True)


def test_capa_8000_is_within_one_percent_under_a_short_time_limit() -> None:
    problem, optimum = _manifest("capa-8000")
    began = time.monotonic()
    raw = _solve(problem, time_limit=10)  # the issue asks for 1% in 60 s; measured here: the optimum in 8-10 s
    assert time.monotonic() - began < 10 + 2.0
    assert _check(problem, raw, optimum) <= optimum * 1.01


def test_uncapacitated_and_single_source_answers_are_feasible_with_valid_bounds() -> None:
    problem, optimum = _manifest("capa-uncap")
    raw = _solve(problem, time_limit=20)
    assert raw.status is Status.optimal and _check(problem, raw, optimum) == pytest.approx(optimum, rel=TOL)
    single = _random(20, 300, 2, single_source=True)
    reference = run_backend(load_builtin().get("highs"), single, SolveOptions(time_limit=20), RunLimits(grace=2.0))
    assert reference.status is Status.optimal and reference.objective is not None
    ours = _solve(single, time_limit=10)
    assert _check(single, ours, reference.objective) <= reference.objective * 1.01


def test_tiny_problems_take_the_direct_mip() -> None:
    for single_source, capacitated in [(False, True), (True, True), (False, False)]:
        problem = instances.facility(single_source, capacitated)
        raw = _solve(problem, time_limit=10)
        assert raw.status is Status.optimal
        assert _check(problem, raw, brute.facility_optimum(problem)) == pytest.approx(
            brute.facility_optimum(problem), rel=TOL)


def test_a_warm_start_is_kept_and_infeasibility_is_reported() -> None:
    problem = _random(20, 300, 1)
    first = _solve(problem, time_limit=10)
    assert first.status is Status.optimal and first.objective is not None
    again = _solve(problem, time_limit=10, iteration_limit=1, warm_start=first.solution)
    assert _check(problem, again) == pytest.approx(first.objective, rel=1e-9)
    short = problem.model_copy(update={"facilities": [f.model_copy(update={"capacity": 1.0})
                                                      for f in problem.facilities]})
    assert _solve(short, time_limit=5).status is Status.infeasible
