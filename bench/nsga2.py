"""NSGA-II's front against the exact epsilon-constraint front on bi-objective knapsacks.

    python -m bench.nsga2                          # 50 and 100 items, seeds 1 and 2, 10 s for NSGA-II
    python -m bench.nsga2 --sizes 100 --seeds 1,2,3 --time-limit 5 --out bench/out/nsga2.csv

Instances are generated (seeded): uncorrelated values in 10..100 for each criterion, weights in
10..100, capacity half the total weight (the usual multi-objective knapsack setting). Both
backends run through the dispatcher (child process, every front point verified). The exact front
gets `--exact-limit` seconds; the hypervolume of both is measured against the reference point of
the exact front (its worst values less 10% of its range), so the ratio is NSGA-II's share of the
exact front's hypervolume. Target: at least 98%. The exit code is 1 when a target is missed.
"""

import argparse
import csv
import random
import sys
from typing import TypedDict

from models import KnapsackProblem, SolveOptions, SolveRequest, Status
from models.result import Result
from solvers import pareto
from solvers.dispatch import DispatchLimits, solve
from solvers.evaluators.vector import senses
from solvers.registry import load_builtin

TARGET = 0.98


class ItemSpec(TypedDict):
    """One generated item as its JSON body, typed so the capacity sum stays an int."""

    id: str
    weight: int
    values: list[int]


class Row(TypedDict):
    """One CSV line of the comparison (also what the summary counts)."""

    items: int
    seed: int
    exact_points: int
    exact_time: float
    exact_status: str
    nsga2_points: int
    nsga2_time: float
    nsga2_termination: str
    hv_ratio: float


def instance(n: int, seed: int) -> KnapsackProblem:
    rng = random.Random(seed)
    items: list[ItemSpec] = [
        {"id": f"i{k}", "weight": rng.randint(10, 100), "values": [rng.randint(10, 100), rng.randint(10, 100)]}
        for k in range(n)
    ]
    return KnapsackProblem.model_validate({"kind": "knapsack", "capacity": sum(i["weight"] for i in items) // 2,
                                           "items": items, "objectives": ["value_0", "value_1"]})


def run(problem: KnapsackProblem, solver: str, time_limit: float, seed: int) -> Result:
    request = SolveRequest(problem=problem, solver=solver, options=SolveOptions(time_limit=time_limit, seed=seed))
    return solve(request, load_builtin(), DispatchLimits(max_time_limit=3600, grace=2.0))


def vectors(result: Result) -> list[list[float]]:
    return [point.objectives for point in result.pareto_front or []]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.nsga2", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50,100")
    parser.add_argument("--seeds", default="1,2", help="instance seeds (NSGA-II runs with seed 0)")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds for NSGA-II")
    parser.add_argument("--exact-limit", type=float, default=600.0, help="seconds for the exact front")
    parser.add_argument("--out", default="")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    print(f"{'items':>5} {'seed':>4} {'exact pts':>9} {'exact s':>8} {'status':<8} {'nsga2 pts':>9} "
          f"{'nsga2 s':>8} {'termination':<15} {'HV ratio':>9}")
    for n in (int(v) for v in args.sizes.split(",")):
        for seed in (int(v) for v in args.seeds.split(",")):
            problem = instance(n, seed)
            exact = run(problem, "epsilon", args.exact_limit, 0)
            found = run(problem, "nsga2", args.time_limit, 0)
            directions = senses(problem)
            reference = pareto.default_reference_point(vectors(exact), directions)
            ratio = (pareto.hypervolume(vectors(found), reference, directions)
                     / pareto.hypervolume(vectors(exact), reference, directions))
            row: Row = {"items": n, "seed": seed, "exact_points": len(vectors(exact)),
                        "exact_time": exact.timings.total, "exact_status": exact.status.value,
                        "nsga2_points": len(vectors(found)), "nsga2_time": found.timings.total,
                        "nsga2_termination": found.termination.value, "hv_ratio": ratio}
            rows.append(row)
            print(f"{n:>5} {seed:>4} {row['exact_points']:>9} {exact.timings.total:>8.2f} {exact.status.value:<8} "
                  f"{row['nsga2_points']:>9} {found.timings.total:>8.2f} {found.termination.value:<15} "
                  f"{100 * ratio:>8.2f}%", flush=True)
            if exact.status is not Status.optimal:
                print("      (exact front incomplete: the ratio is against a partial front)")
    if args.out:
        with open(args.out, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    missed = sum(row["hv_ratio"] < TARGET for row in rows)
    print(f"\n{len(rows) - missed} of {len(rows)} runs reached {100 * TARGET:g}% of the exact hypervolume")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
