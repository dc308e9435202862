"""Single-source facility location: the seeded generator, the knapsack Lagrangian bound, the
generalized-assignment heuristic and the `facility` backend on a generated 25 x 100 instance.

`OPTIMUM_25x100` and `OPTIMUM_25x100_R5` were proven optimal by HiGHS (strong formulation,
`python -m bench.facility_single --reference 300`: value = bound), so asserting against them is
asserting against the truth.
"""

import itertools
import math

import numpy as np
import pytest

from models import FacilityLocationProblem, FacilitySolution, SolveOptions, Status
from solvers.backends import facility as facility_backend
from solvers.backends.facility import solve
from solvers.contract import SolveContext
from solvers.evaluators import evaluate
from solvers.families.facility.assign import assign_single, warm_up
from solvers.families.facility.bound import Subgradient, forced_bounds, lagrangian
from solvers.families.facility.data import FacilityData
from solvers.families.facility.generator import cornuejols
from solvers.families.facility.reduce import reduce
from solvers.families.facility.single import Knapsacks, pair_bounds, single_lagrangian
from solvers.registry import load_builtin
from solvers.runtime.runner import RunLimits, run_backend

OPTIMUM_25x100 = 14648.0
"""cornuejols(25, 100, ratio=3, seed=1, single_source=True): proven optimal by HiGHS."""
OPTIMUM_25x100_R5 = 13668.0
"""cornuejols(25, 100, ratio=5, seed=2, single_source=True): proven optimal by HiGHS."""


@pytest.fixture(scope="module", autouse=True)
def compiled_kernels() -> None:
    warm_up()


def _brute_single(problem: FacilityLocationProblem) -> float:
    """Every single-source assignment (m ** n of them): the exact optimum of a tiny instance."""
    data = FacilityData.from_problem(problem)
    best = math.inf
    for where in itertools.product(range(data.m), repeat=data.n):
        load = np.bincount(where, weights=data.demand, minlength=data.m)
        if (load <= data.capacity + 1e-9).all():
            opened = load > 0
            best = min(best, float(data.fixed[opened].sum() + data.costs[list(where), range(data.n)].sum()))
    return best


def _ascend(data: FacilityData, target: float, iterations: int = 300) -> float:
    """The best single-source Lagrangian bound over `iterations` Polyak steps aimed at `target`."""
    method, knapsacks = Subgradient(data), Knapsacks(data)
    multipliers, best = method.start(), -math.inf
    for _ in range(iterations):
        point = single_lagrangian(data, knapsacks, multipliers)
        best = max(best, point.bound)
        step = method.step(point, target)
        if step is None:
            break
        multipliers = step
    return best


def test_the_generator_is_seeded_and_follows_cornuejols() -> None:
    a, b = cornuejols(10, 30, 5.0, seed=7), cornuejols(10, 30, 5.0, seed=7)
    assert a == b
    assert cornuejols(10, 30, 5.0, seed=8) != a
    demand = np.array([c.demand for c in a.customers])
    capacity = np.array([f.capacity for f in a.facilities], dtype=float)
    assert demand.min() >= 5 and demand.max() <= 35
    assert capacity.sum() / demand.sum() == pytest.approx(5.0, rel=0.02)
    fixed = np.array([f.fixed_cost for f in a.facilities])
    assert ((fixed >= 100 * np.sqrt(capacity) - 1) & (fixed <= 90 + 110 * np.sqrt(capacity) + 1)).all()
    with pytest.raises(ValueError):
        cornuejols(0, 5)


def test_knapsacks_are_exact_on_integer_demands() -> None:
    rng = np.random.default_rng(3)
    data = FacilityData.from_problem(cornuejols(4, 12, 3.0, seed=3, single_source=True))
    knapsacks = Knapsacks(data)
    for _ in range(20):
        reduced = rng.normal(-20, 40, (data.m, data.n))
        values, x = knapsacks.solve(reduced)
        for i in range(data.m):
            best = 0.0
            for bits in itertools.product([0, 1], repeat=data.n):
                take = np.array(bits, dtype=bool)
                if data.demand[take].sum() <= data.capacity[i]:
                    best = min(best, float(reduced[i, take].sum()))
            assert values[i] == pytest.approx(best)
            assert set(np.unique(x[i])) <= {0.0, 1.0} and data.demand @ x[i] <= data.capacity[i]


@pytest.mark.parametrize("seed", range(6))
def test_the_single_source_bound_is_below_brute_force(seed: int) -> None:
    problem = cornuejols(3, 7, 1.6 + 0.2 * seed, seed=seed, single_source=True)
    optimum = _brute_single(problem)
    data = FacilityData.from_problem(problem)
    bound = _ascend(data, optimum)
    assert bound <= optimum + 1e-6
    assert bound >= lagrangian(data, Subgradient(data).start()).bound - 1e-6  # no weaker than its start


def test_the_bound_is_tight_and_valid_on_25x100() -> None:
    data = FacilityData.from_problem(cornuejols(25, 100, 3.0, seed=1, single_source=True))
    bound = _ascend(data, OPTIMUM_25x100, 600)
    assert bound <= OPTIMUM_25x100
    assert bound >= 0.995 * OPTIMUM_25x100  # the split-demand LP-like bounds are about 1-2% lower


def test_assign_single_is_feasible_and_locally_optimal() -> None:
    data = FacilityData.from_problem(cornuejols(6, 40, 1.5, seed=4, single_source=True))
    where = assign_single(data.costs, data.demand, data.capacity)
    assert where is not None
    load = np.bincount(where, weights=data.demand, minlength=data.m)
    assert (load <= data.capacity + 1e-9).all()
    room = data.capacity - load
    for j in range(data.n):  # no improving shift is left
        better = (data.costs[:, j] < data.costs[where[j], j] - 1e-9) & (room >= data.demand[j])
        assert not better.any()
    assert assign_single(data.costs[:1], data.demand, data.capacity[:1]) is None


def test_the_backend_is_within_0_3_percent_of_the_optimum_of_a_25x100_in_10_s() -> None:
    problem = cornuejols(25, 100, 3.0, seed=1, single_source=True)
    raw = run_backend(load_builtin().get("facility"), problem, SolveOptions(time_limit=10.0), RunLimits(grace=5.0))
    assert isinstance(raw.solution, FacilitySolution) and raw.objective is not None
    check = evaluate(problem, raw.solution)
    assert check.feasible and check.objective == pytest.approx(raw.objective)
    assert all(sum(a.customer == c.id for a in raw.solution.assignments) == 1 for c in problem.customers)
    assert raw.objective <= OPTIMUM_25x100 * 1.003
    assert raw.bound is not None and raw.bound <= OPTIMUM_25x100 + 1e-6
    assert raw.status in (Status.optimal, Status.feasible)


def test_the_ga_is_within_1_percent_of_the_optimum_of_a_single_source_25x100_in_10_s() -> None:
    problem = cornuejols(25, 100, 5.0, seed=2, single_source=True)
    raw = run_backend(load_builtin().get("ga"), problem, SolveOptions(time_limit=10.0), RunLimits(grace=5.0))
    assert isinstance(raw.solution, FacilitySolution) and raw.objective is not None
    assert evaluate(problem, raw.solution).feasible
    assert raw.objective <= OPTIMUM_25x100_R5 * 1.01
    assert raw.bound is not None and OPTIMUM_25x100_R5 * 0.99 <= raw.bound <= OPTIMUM_25x100_R5 + 1e-6


def test_a_customer_larger_than_every_facility_is_infeasible_at_once() -> None:
    problem = cornuejols(3, 6, 3.0, seed=1, single_source=True)
    problem.customers[2].demand = 1 + max(f.capacity or 0.0 for f in problem.facilities)
    context = SolveContext(options=SolveOptions(time_limit=5.0), progress=lambda _incumbent: None)
    raw = solve(problem, context)
    assert raw.status is Status.infeasible and "C3" in raw.native_status
    assert solve(problem.model_copy(update={"single_source": False}), context).status is not Status.infeasible


@pytest.mark.parametrize("seed", range(4))
def test_pair_bounds_never_exceed_the_best_solution_using_the_pair(seed: int) -> None:
    problem = cornuejols(3, 7, 1.8, seed=seed, single_source=True)
    data = FacilityData.from_problem(problem)
    best = np.full((data.m, data.n), np.inf)
    for where in itertools.product(range(data.m), repeat=data.n):
        load = np.bincount(where, weights=data.demand, minlength=data.m)
        if (load <= data.capacity + 1e-9).all():
            cost = float(data.fixed[load > 0].sum() + data.costs[list(where), range(data.n)].sum())
            rows = np.array(where)
            best[rows, np.arange(data.n)] = np.minimum(best[rows, np.arange(data.n)], cost)
    knapsacks, method = Knapsacks(data), Subgradient(data)
    multipliers = method.start()
    for _ in range(30):  # bounds at several multipliers, not only the first
        point = single_lagrangian(data, knapsacks, multipliers)
        opened_bound = np.where(point.opened, point.bound, forced_bounds(data, point))
        bounds = pair_bounds(data, knapsacks, point, opened_bound)
        assert (bounds <= best + 1e-6).all()
        step = method.step(point, float(best.min()))
        if step is None:
            break
        multipliers = step


def test_pair_fixing_is_skipped_when_the_mip_could_not_run_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """At a 2 s limit on 100 x 1,000 the search ended at 1.4 s, facility fixing took 0.40 s and pair
    fixing 0.41 s, and the run answered at 2.2 s without a MIP: with less time left than the MIP's
    minimum plus what fixing took, pair fixing is not started."""
    problem = cornuejols(25, 100, ratio=3, seed=1, single_source=True)
    data = FacilityData.from_problem(problem)
    called: list[bool] = []
    monkeypatch.setattr(facility_backend, "allowed_pairs", lambda *args: called.append(True))
    context = SolveContext(options=SolveOptions(time_limit=2.0))  # 2 s left, of which 0.16 s kept back
    point = single_lagrangian(data, Knapsacks(data), np.zeros(data.n))
    reduction = reduce(data, point, math.inf)
    best = facility_backend.Best(context)
    completed, note = facility_backend._single_mip(problem, data, reduction, point, best, context, 1.7)
    assert not completed and "no time left for a MIP" in note and not called
