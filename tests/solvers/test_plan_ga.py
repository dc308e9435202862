"""Simulation-optimisation of plans by a GA seeded with the deterministic optimum, then KN selection.

The instances are built so that the deterministic optimum is worse in simulation: a knapsack
packed to capacity loses its last item whenever random weights overflow, and a single facility
serving everyone queues far more than two sharing the load.
"""

import itertools
import random
import time

import numpy as np

from models import FacilityLocationProblem, FacilitySolution, KnapsackProblem, KnapsackSolution, SolveRequest
from models.simulation import KnapsackSimModel, SimulationSpec
from solvers.backends.simopt.crossovers import crossover
from solvers.backends.simopt.facility_moves import with_open
from solvers.backends.simopt.neighbours import neighbours
from solvers.backends.simopt.plan_optimise import optimise_plan
from solvers.backends.simopt.ranking import kn_constant, kn_select
from solvers.dispatch import solve
from solvers.evaluators import evaluate
from solvers.registry import load_builtin
from solvers.simulation.evaluator import Evaluator
from solvers.simulation.sim_knapsack import simulate_knapsack
from solvers.simulation.streams import Streams
from tests.instances import TINY

REGISTRY = load_builtin()

TIGHT = KnapsackProblem.model_validate({"kind": "knapsack", "capacity": 100, "items": [
    {"id": "a", "weight": 50, "value": 55}, {"id": "b", "weight": 50, "value": 55},
    {"id": "c", "weight": 40, "value": 42}, {"id": "d", "weight": 10, "value": 5}]})
"""Optimum {a, b} (value 110) fills the capacity exactly; with 15% weight noise b is often lost."""
NOISE = {"weight": {"distribution": "normal", "cv": 0.15}}


def saturated() -> FacilityLocationProblem:
    """A and B equally cheap to open, A cheaper to serve from: the optimum sends everyone to A,
    whose one server is then busy ~84% of the time."""
    return FacilityLocationProblem.model_validate({
        "kind": "facility_location", "single_source": True,
        "facilities": [{"id": "A", "fixed_cost": 10, "capacity": 100}, {"id": "B", "fixed_cost": 10, "capacity": 100}],
        "customers": [{"id": f"C{j}", "demand": 10} for j in range(6)],
        "costs": [[10] * 6, [20] * 6], "distances": [[1.0] * 6, [2.0] * 6]})


QUEUE = {"service_time": {"distribution": "exponential", "mean": 1.0}, "arrival_rate_per_demand": 0.007,
         "servers_per_capacity": 0.01, "horizon": 300}


def simopt(problem: object, model: dict, seed: int, replications: int = 6, zone: float = 0.05):  # type: ignore[no-untyped-def, type-arg]
    body = {"problem": problem, "options": {"time_limit": 60, "iteration_limit": 8},
            "simulation": {"replications": replications, "seed": seed, "target_half_width": zone, "model": model}}
    return solve(SolveRequest.model_validate(body), REGISTRY)


def test_facility_moves_and_crossovers_keep_plans_feasible() -> None:
    rng = random.Random(3)
    for name in ("facility_capacitated", "facility_single_source", "facility_uncapacitated"):
        problem = TINY[name]
        assert isinstance(problem, FacilityLocationProblem)
        start = with_open(problem, np.array([1, 1, 0, 0], dtype=np.uint8))
        assert isinstance(start, FacilitySolution) and evaluate(problem, start).feasible
        found = neighbours(problem, start, rng, 12)
        assert len(found) >= 3 and all(evaluate(problem, plan).feasible for plan in found)
        plans = [plan for plan in found if isinstance(plan, FacilitySolution)]
        assert len(plans) == len(found)  # every neighbour of a facility plan is a facility plan
        assert any(set(plan.open) != set(start.open) for plan in plans)  # open / close / swap
        assert any(set(plan.open) == set(start.open) and plan != start for plan in plans)  # a customer shifted
        child = crossover(problem, found[0], found[-1], rng)
        assert child is None or evaluate(problem, child).feasible


def test_knapsack_crossover_repairs_to_nominal_capacity() -> None:
    rng = random.Random(1)
    for _ in range(20):
        child = crossover(TIGHT, KnapsackSolution(selected=["a", "b"]), KnapsackSolution(selected=["c", "d", "a"]),
                          rng)
        assert isinstance(child, KnapsackSolution) and evaluate(TIGHT, child).feasible


def test_kn_picks_the_clearly_best_system_and_its_constant_matches_the_formula() -> None:
    # eta = ((2 * 0.05 / 2) ** (-2 / 9) - 1) / 2 for k = 3, n0 = 10
    eta = ((0.05) ** (-2 / 9) - 1) / 2
    assert abs(kn_constant(3, 10, 0.05) - 2 * eta * 9) < 1e-12
    noise = np.random.default_rng(0).normal(size=400)
    means = [0.0, 1.0, 0.2]
    chosen = kn_select(lambda i, r: list(means[i] + noise[:r]), 3, 10, 400, 0.1, 0.05)
    assert chosen.winner == 1 and chosen.guaranteed and chosen.probability_correct == 0.95
    twins = kn_select(lambda i, r: list(noise[:r]), 2, 10, 400, 0.1, 0.05)  # identical: the first is kept
    assert twins.winner == 0 and twins.replications == 10


def best_tight_plan() -> set[str | int]:
    """Brute force over every feasible selection (loaded in id order), 500 replications each."""
    model = KnapsackSimModel.model_validate(NOISE)
    plans = [KnapsackSolution(selected=list(p)) for k in range(1, 5) for p in itertools.combinations("abcd", k)]
    score = {tuple(p.selected): np.mean([simulate_knapsack(TIGHT, p, model, Streams(99, r))["value_kept"]
                                         for r in range(500)]) for p in plans if evaluate(TIGHT, p).feasible}
    best = max(score, key=score.__getitem__)
    return set(best)


def _twins(plan: set[str | int]) -> set[str | int]:
    """a and b are identical items: a plan with either is the same plan."""
    return {"a|b" if item in ("a", "b") else item for item in plan}


def test_ga_replaces_a_knapsack_optimum_that_overflows() -> None:
    result = simopt(TIGHT, NOISE, seed=2, replications=10)
    report = result.simulation
    assert report is not None and report.baseline is not None and result.verified
    assert isinstance(report.baseline.solution, KnapsackSolution) and isinstance(result.solution, KnapsackSolution)
    assert sorted(report.baseline.solution.selected) == ["a", "b"]
    diff = report.difference["value_kept"] if report.difference else None
    assert diff is not None and diff.mean - diff.half_width > 0  # better with paired confidence
    chosen = result.solution.selected
    assert len(chosen) == len(set(chosen)) and _twins(set(chosen)) == _twins(best_tight_plan())
    assert report.selection is not None and "KN" in report.selection.method and report.selection.candidates >= 2


def test_same_seed_same_answer() -> None:
    spec = SimulationSpec.model_validate({"replications": 6, "seed": 5, "target_half_width": 0.05, "model": NOISE})
    optimum = KnapsackSolution(selected=["a", "b"])

    def run() -> tuple[object, ...]:
        evaluator = Evaluator(TIGHT, spec, time.monotonic() + 60, workers=1)
        answer = optimise_plan(TIGHT, spec, evaluator, optimum, generations=4)
        return answer.best, answer.kpis, answer.difference, answer.selection, evaluator.total_replications

    first = run()
    assert first[0] != optimum and first == run()


def test_ga_relieves_a_saturated_facility() -> None:
    first = simopt(saturated(), QUEUE, seed=1, zone=0.1)
    report = first.simulation
    assert report is not None and report.baseline is not None and first.verified
    assert isinstance(report.baseline.solution, FacilitySolution) and isinstance(first.solution, FacilitySolution)
    assert report.baseline.solution.open == ["A"]
    assert set(first.solution.open) == {"A", "B"}
    diff = report.difference["response_mean"] if report.difference else None
    assert diff is not None and diff.mean + diff.half_width < 0  # shorter responses with paired confidence
    assert report.kpis["response_mean"].mean < 0.6 * report.baseline.kpis["response_mean"].mean


def test_quantile_comparison_speaks_of_quantiles_not_means() -> None:
    """Equal means, different tails: the paired bootstrap sees the p90 difference a mean test would miss."""
    from solvers.simulation.stats import paired_difference, paired_quantile_interval

    rng = np.random.default_rng(3)
    base = rng.exponential(1.0, 200)
    steady = np.full(200, float(np.mean(base)))  # same mean, no tail at all
    low, high = paired_quantile_interval(list(steady), list(base), "p90", 0.95, seed=1)
    assert high < 0  # steady's p90 is clearly lower
    mean_diff = paired_difference(list(steady), list(base), 0.95)
    assert abs(mean_diff.mean) < 1e-9 and mean_diff.half_width > 0  # the means cannot tell them apart
    assert (low, high) == paired_quantile_interval(list(steady), list(base), "p90", 0.95, seed=1)
    same = paired_quantile_interval(list(base), list(base + 0.0), "p95", 0.95, seed=1)
    assert same == (0.0, 0.0)
