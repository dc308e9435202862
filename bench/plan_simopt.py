"""Simulation-optimisation of plans: the GA + KN selection against the earlier local search.

For each instance, the deterministic optimum is solved once; then each method gets the same
simulation budget (seconds) from it. The plans each method returns are re-scored on fresh,
independent replications (another seed, `--check` replications, common random numbers between
the plan and the optimum), so the comparison does not reuse the replications a method selected on.

    .venv/bin/python -m bench.plan_simopt [--seconds 30] [--check 200] [--seeds 3] [--only cap41 ...]
"""

import argparse
import time
from dataclasses import dataclass
from typing import Any, Literal

from rich.console import Console
from rich.table import Table

from models import KnapsackProblem, SolveRequest
from models.problem import Problem
from models.problem_solutions import Solution
from models.simulation import SimulationSpec
from solvers.backends.simopt.plan_optimise import optimise_plan
from solvers.backends.simopt.plan_search import PlanSearch
from solvers.dispatch import solve
from solvers.formats.manifest import BenchmarkLibrary
from solvers.registry import load_builtin
from solvers.simulation.evaluator import Evaluator
from solvers.simulation.plan_models import objective_kpi
from solvers.simulation.stats import kpi_stat, paired_difference


@dataclass(frozen=True)
class Case:
    name: str
    model: dict[str, Any]
    objective: Literal["mean", "p90", "p95"] = "mean"


def tight_knapsack(copies: int = 5) -> KnapsackProblem:
    """`copies` of {a: (50, 55), b: (50, 55), c: (40, 42), d: (10, 5)} (weight, value), capacity
    100 per copy: the optimum takes every a and b and fills the capacity exactly, so random
    weights overflow it; lighter mixes keep more value in simulation."""
    kinds = {"a": (50, 55), "b": (50, 55), "c": (40, 42), "d": (10, 5)}
    items = [{"id": f"{k}{i}", "weight": w, "value": v} for i in range(copies) for k, (w, v) in kinds.items()]
    return KnapsackProblem.model_validate({"kind": "knapsack", "capacity": 100 * copies, "items": items})


GENERATED = {"tight_knapsack_x1": lambda: tight_knapsack(1), "tight_knapsack_x5": tight_knapsack}
CASES = (
    Case("tight_knapsack_x1", {"weight": {"distribution": "normal", "cv": 0.15}}),
    Case("tight_knapsack_x5", {"weight": {"distribution": "normal", "cv": 0.15}}),
    Case("knapPI_3_100_1000_1", {"weight": {"distribution": "normal", "cv": 0.1}}),
    Case("knapPI_1_200_1000_1", {"weight": {"distribution": "normal", "cv": 0.2}}),
    Case("cap41", {"service_time": {"distribution": "exponential", "mean": 10.0}, "arrival_rate_per_demand": 1e-5,
                   "servers_per_capacity": 0.0004, "horizon": 2000}),
    Case("ft06", {"processing_time": {"distribution": "lognormal", "cv": 0.3}, "breakdowns": {"mtbf": 40, "mttr": 4}}),
)


def run(method: str, problem: Problem, optimum: Solution, spec: SimulationSpec, seconds: float) -> tuple[Solution, int]:
    evaluator = Evaluator(problem, spec, time.monotonic() + seconds)
    try:
        if method == "local search":
            search = PlanSearch(problem, spec, evaluator, time.monotonic())
            answer = search.final(search.improve(optimum), optimum)
        else:
            answer = optimise_plan(problem, spec, evaluator, optimum)
    finally:
        evaluator.close()
    return answer.best, evaluator.total_replications


def check(problem: Problem, plan: Solution, optimum: Solution, spec: SimulationSpec, n: int) -> tuple[str, str]:
    """The plan's objective KPI and its paired difference with the optimum on fresh replications."""
    fresh = spec.model_copy(update={"seed": spec.seed + 10_000})
    evaluator = Evaluator(problem, fresh, time.monotonic() + 3600)
    kpi = objective_kpi(problem)[0]
    try:
        mine = [r[kpi] for r in evaluator.kpis(plan, n)]
        base = [r[kpi] for r in evaluator.kpis(optimum, n)]
    finally:
        evaluator.close()
    stat, diff = kpi_stat(mine, spec.confidence), paired_difference(mine, base, spec.confidence)
    return f"{stat.mean:.4g} ± {stat.half_width:.2g}", f"{diff.mean:+.4g} ± {diff.half_width:.2g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--check", type=int, default=200)
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--seeds", type=int, default=1, help="repeat each comparison with seeds 1..n")
    args = parser.parse_args()
    library, registry = BenchmarkLibrary(), load_builtin()
    entries = {e.name: e for e in library.entries()}
    table = Table("instance", "KPI", "method", "simulated KPI (fresh reps)", "vs optimum (paired)", "replications")
    for case in CASES:
        if args.only and case.name not in args.only:
            continue
        problem = GENERATED[case.name]() if case.name in GENERATED else library.load(entries[case.name]).problem
        optimum = solve(SolveRequest(problem=problem, options={"time_limit": 30}), registry).solution
        assert optimum is not None
        kpi = f"{case.objective}({objective_kpi(problem)[0]})"
        for seed in range(1, args.seeds + 1):
            spec = SimulationSpec(replications=args.replications, seed=seed, model=case.model,
                                  objective=case.objective)
            table.add_row(case.name, kpi, f"seed {seed}: deterministic optimum",
                          *check(problem, optimum, optimum, spec, args.check), "")
            for method in ("local search", "GA + polish + KN"):
                plan, used = run(method, problem, optimum, spec, args.seconds)
                table.add_row("", "", method, *check(problem, plan, optimum, spec, args.check), str(used))
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
