"""Does every backend answer within its time limit on large instances? One instance per family.

Why: the anytime tables (`bench/anytime.py`) measure values on the public sets, where models build
in milliseconds; a backend whose model build or first phase outlasts a short limit was killed at
the limit plus the grace and answered `no_solution` (found by hand in the thirteenth session on
300 x 20 shops, 2,000 cities and 100 x 1,000 single-source facility location). This prints, for
every registered backend of each family at `--time-limit`: status, value, bound, verified, the wall time
of the solve through `solvers.dispatch.solve` (warm pool, as the service runs), and `late`, the
seconds past the limit (the grace is `DispatchLimits.grace`).

    python -m bench.time_limits [--time-limit 2] [--size large|medium] [--families tsp,scheduling,facility,knapsack]
"""

import argparse
import random
import time
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from bench.anytime import warm_pool
from models import KnapsackProblem, SolveOptions, SolveRequest
from models.problem import Problem
from solvers.dispatch import DispatchLimits, solve
from solvers.families.facility.generator import cornuejols
from solvers.families.scheduling.generator import random_job_shop
from solvers.families.tsp.generator import random_tsp
from solvers.registry import Registry, load_builtin
from solvers.runtime.pool import WorkerPool
from solvers.selection import supports


def random_knapsack(n: int, seed: int) -> KnapsackProblem:
    """Weakly correlated items (value = weight + U[-10, 10]), capacity half the total weight."""
    rng = random.Random(seed)
    weights = [rng.randint(10, 100) for _ in range(n)]
    items = [{"id": k, "weight": w, "value": max(1, w + rng.randint(-10, 10))} for k, w in enumerate(weights)]
    return KnapsackProblem.model_validate({"kind": "knapsack", "capacity": sum(weights) // 2, "items": items})


INSTANCES: dict[str, tuple[str, Callable[[], Problem], Problem]] = {
    "tsp": ("2,000 random cities", lambda: random_tsp(2000, seed=5), random_tsp(30, seed=5)),
    "scheduling": ("job shop 300 x 20", lambda: random_job_shop(300, 20, seed=7), random_job_shop(5, 3, seed=7)),
    "facility": ("single-source 100 x 1,000", lambda: cornuejols(100, 1000, seed=1, single_source=True),
                 cornuejols(5, 20, seed=1, single_source=True)),
    "knapsack": ("5,000 items", lambda: random_knapsack(5000, seed=1), random_knapsack(30, seed=1)),
}
"""Per family: label, the large instance, and a small one solved first by every backend, unmeasured,
so that each measured run finds a solve process that has finished loading (a pool's processes load
their libraries and compiled kernels in the background; measured before that, every 2,000-city run
was killed)."""
MEDIUM: dict[str, tuple[str, Callable[[], Problem], Problem]] = {
    "tsp": ("300 random cities", lambda: random_tsp(300, seed=11), random_tsp(30, seed=5)),
    "scheduling": ("job shop 20 x 15", lambda: random_job_shop(20, 15, seed=3), random_job_shop(5, 3, seed=7)),
    "facility": ("single-source 50 x 200", lambda: cornuejols(50, 200, seed=3, single_source=True),
                 cornuejols(5, 20, seed=1, single_source=True)),
    "facility-split": ("split demand 50 x 200", lambda: cornuejols(50, 200, seed=3), cornuejols(5, 20, seed=1)),
}
"""`--size medium`: instances below the sizes from which a MIP backend reports a quick solution
before building (`solvers.mip.early_start`), where its answer's bound is found beside the solve."""
SIZES = {"large": INSTANCES, "medium": MEDIUM}


def scan(family: str, limit: float, pool: WorkerPool, table: Table, registry: Registry, limits: DispatchLimits,
         size: str = "large") -> None:
    """Every backend of `family`, then `auto`, on its instance of `size` at `limit`."""
    label, make, small = SIZES[size][family]
    problem = make()
    options = SolveOptions(time_limit=limit, seed=0)
    names = [spec.name for spec in registry.specs() if supports(spec, SolveRequest(problem=problem, options=options))]
    for name in names:
        warm_up = SolveRequest(problem=small, solver=name, options=SolveOptions(time_limit=10.0))
        solve(warm_up, registry, limits, pool=pool)
    for name in [*names, "auto"]:
        request = SolveRequest(problem=problem, solver=name, options=options)
        began = time.perf_counter()
        result = solve(request, registry, limits, pool=pool)
        wall = time.perf_counter() - began
        table.add_row(label, name if name != "auto" else f"auto ({result.solver.name})", result.status.value,
                      "-" if result.objective is None else f"{result.objective:.6g}",
                      "-" if result.bound is None else f"{result.bound:.6g} ({result.bound_source})",
                      str(result.verified),
                      f"{wall:.2f}", f"{max(0.0, wall - limit):.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--families", help=f"comma-separated; default: every family of the size (large: "
                        f"{', '.join(INSTANCES)}; medium: {', '.join(MEDIUM)})")
    args = parser.parse_args(argv)
    registry, limits = load_builtin(), DispatchLimits()
    pool = warm_pool(registry, limits)
    table = Table(title=f"every backend at time_limit {args.time_limit:g} s (grace {limits.grace:g} s)")
    for column in ("instance", "backend", "status", "value", "bound (source)", "verified", "wall s", "late s"):
        table.add_column(column)
    try:
        for family in (args.families or ",".join(SIZES[args.size])).split(","):
            scan(family, args.time_limit, pool, table, registry, limits, args.size)
    finally:
        pool.close()
    Console(width=140).print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
