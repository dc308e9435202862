"""Is `auto` anytime? `auto` against every single backend at the same time limits.

For each instance and time limit, every registered backend that takes the problem runs through
the dispatcher (as the service runs it), then `auto`; the table gives each value and the ratio of
`auto` to the best single backend (objective ratio oriented so that > 1 means `auto` is worse:
auto/best when minimising, best/auto when maximising). Issue target: ratio <= 1.001 everywhere.

    python -m bench.anytime                                   # default set, limits 1,2,5,10,30
    python -m bench.anytime --names kroA200,ch150 --limits 2,10 --backends highs,tsp_ls,routing,portfolio
    python -m bench.anytime --names none --fronts 50,100 --staffing    # generated rows only

Solves run in a pool of warm solve processes, as the service runs them (`--cold`: one fresh
process per solve). Multi-objective and staffing rows come from `bench.anytime_generated`.
"""

import argparse
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from rich.console import Console
from rich.table import Table

from bench.anytime_generated import GeneratedCell, front_cell, staffing_cell
from bench.harness import Row, run_ours, supported_by_ours
from models import Result, SolveOptions, SolveRequest
from solvers.dispatch import DispatchLimits, solve
from solvers.formats.manifest import BenchmarkInstance, BenchmarkLibrary, select
from solvers.registry import Registry, load_builtin
from solvers.runtime.pool import WorkerPool

DEFAULT_NAMES = ["kroA200", "ch150", "pr76", "tsp225", "knapPI_3_1000_1000_1", "mknapcb1-5.100-00", "cap101",
                 "capa-8000", "ft10", "la21", "ta001"]
DEFAULT_LIMITS = [1.0, 2.0, 5.0, 10.0, 30.0]
BENCH_GRACE = 2.0
"""Seconds past the limit before a solve process is killed. A solve process imports the parent's
main module (multiprocessing does), here this one with rich and the dispatcher: a fresh cpsat
process answered its first tiny solve after 1.8-2.1 s at load 1 (1.4 s under a light main module),
so with the service's 1 s grace a 1 s request after a kill met a process still starting, was killed
in turn, and so on (ft10 at 1 s: cpsat returned its first schedule, 1124, in most runs). Every
backend still answers by its own clock, which starts at the request: the grace only decides when an
unready process is killed."""
TARGET = 1.001


@dataclass
class Cell:
    """One (instance, limit): auto's row and the single backends' rows."""

    instance: BenchmarkInstance
    limit: float
    auto: Row
    singles: list[Row]

    def best(self) -> Row | None:
        valued = [r for r in self.singles if r.value is not None]
        if not valued:
            return None
        sign = -1.0 if self.instance.maximise else 1.0
        return min(valued, key=lambda r: sign * float(r.value))  # type: ignore[arg-type]

    def ratio(self) -> float | None:
        best = self.best()
        if best is None or best.value is None:
            return None
        if self.auto.value is None:
            return math.inf  # a single backend answered, auto did not
        a, b = float(self.auto.value), float(best.value)
        if self.instance.maximise:
            return b / a if a else None
        return a / b if b else None


def measure(instance: BenchmarkInstance, limit: float, backends: list[str], registry: Registry,
            limits: DispatchLimits, pool: WorkerPool | None, repeats: int = 1) -> Cell:
    """Each backend and `auto` `repeats` times in turn (rounds, so load drifts hit all alike); each
    row is the run with the median value."""
    options = SolveOptions(time_limit=limit, threads=1, seed=0)
    solve_here = partial(solve, pool=pool)
    names = [name for name in backends if supported_by_ours(name, instance, registry)] + ["auto"]
    runs: dict[str, list[Row]] = {name: [] for name in names}
    for _ in range(repeats):
        for name in names:
            runs[name].append(run_ours(instance, name, options, solve_here, registry, limits))
    rows = [_median(runs[name], instance.maximise) for name in names]
    return Cell(instance, limit, rows[-1], rows[:-1])


def _median(rows: list[Row], maximise: bool) -> Row:
    """The median run by value (a run without a value counts as the worst)."""
    worst = -math.inf if maximise else math.inf
    ordered = sorted(rows, key=lambda r: worst if r.value is None else float(r.value))
    return ordered[len(ordered) // 2]


def warm_pool(registry: Registry, limits: DispatchLimits) -> WorkerPool:
    """Solve processes started ahead for every backend module, as the service keeps them (its
    `prewarm_backends` and the processes it reuses): a cold start (process, solver import) costs
    0.7-1.0 s, which would decide 1-2 s cells by start-up noise rather than by the search. Every
    module is warmed, so `auto` finds its choice warm whatever `--backends` lists."""
    pool = WorkerPool()
    modules = {registry.get(name).module for name in registry.names()}
    for module in sorted(m for m in modules if m):
        pool.warm(module, limits.max_memory)
    wait_until_loaded(pool)
    return pool


def wait_until_loaded(pool: WorkerPool, at_most: float = 120.0) -> None:
    """As a service's readiness waits for its prewarmed processes. Why: 14 processes loading at once
    kept both cores busy for 5 s (34 s when the kernels had to be compiled), and the first cells
    measured meanwhile (pr76 at 1 s) got the CP-SAT backend's nearest-neighbour tour or `tsp_ls`'s
    first tour, 41% above the optimum, by start-up contention rather than by the search."""
    deadline = time.monotonic() + at_most
    while pool.loading_modules() and time.monotonic() < deadline:
        time.sleep(0.1)


def table(cells: list[Cell]) -> Table:
    out = Table(title=f"auto vs the best single backend (target ratio <= {TARGET}); load {os.getloadavg()[0]:.1f}")
    for column in ("instance", "family", "size", "limit", "auto", "auto value", "best single", "best value",
                   "ratio", "optimum", "others"):
        out.add_column(column)
    for cell in cells:
        best, ratio = cell.best(), cell.ratio()
        others = ", ".join(f"{r.backend}={_value(r.value)}" for r in cell.singles if r is not best)
        out.add_row(cell.instance.entry.name, cell.instance.entry.problem, str(cell.instance.entry.size),
                    f"{cell.limit:g}", cell.auto.backend, _value(cell.auto.value),
                    best.backend if best else "-", _value(best.value if best else None),
                    f"{ratio:.4f}" if ratio is not None else "-", _value(cell.instance.reference[0]), others)
    return out


def _value(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.anytime", description=__doc__.split("\n\n")[0])
    parser.add_argument("--names", default=",".join(DEFAULT_NAMES))
    parser.add_argument("--limits", default=",".join(f"{v:g}" for v in DEFAULT_LIMITS))
    parser.add_argument("--backends", default="all", help="comma-separated backend names, or `all`")
    parser.add_argument("--root", default=None)
    parser.add_argument("--fronts", default="50,100", help="bi-objective knapsack sizes ('' for none)")
    parser.add_argument("--staffing", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--repeats", type=int, default=1,
                        help="runs per backend and cell; the table shows each backend's median run")
    parser.add_argument("--cold", action="store_true",
                        help="a fresh solve process per run (start-up inside the time limit) instead of a warm pool")
    args = parser.parse_args(argv)
    registry = load_builtin()
    backends = registry.names() if args.backends == "all" else args.backends.split(",")
    library = BenchmarkLibrary(args.root)
    entries = select(library.entries(), names=args.names.split(","))
    limits = DispatchLimits(max_time_limit=600.0, grace=BENCH_GRACE)
    console = Console(width=220)
    pool = None if args.cold else warm_pool(registry, limits)
    cells = []
    for entry in entries:
        instance = library.load(entry)
        if pool is not None:  # the first solve of a process also loads compiled kernels: not measured
            measure(instance, 1.0, backends, registry, limits, pool)
        for limit in args.limits.split(","):
            cells.append(cell := measure(instance, float(limit), backends, registry, limits, pool, args.repeats))
            ratio = cell.ratio()
            console.print(f"{entry.name} {limit} s: auto {_value(cell.auto.value)}; "
                          + ", ".join(f"{r.backend} {_value(r.value)}" for r in cell.singles)
                          + f"; ratio {'-' if ratio is None else f'{ratio:.4f}'} (load {os.getloadavg()[0]:.1f})")
    console.print(table(cells))
    worst = max((c.ratio() or 1.0 for c in cells), default=1.0)
    generated = generated_cells(args, pool, registry, limits, console)
    if pool is not None:
        pool.close()
    worst = max([worst, *(c.ratio() or 1.0 for c in generated)])
    console.print(f"worst ratio {worst:.4f} ({'meets' if worst <= TARGET else 'misses'} the {TARGET} target)")
    return 0


def generated_cells(args: argparse.Namespace, pool: WorkerPool | None, registry: Registry, limits: DispatchLimits,
                    console: Console) -> list[GeneratedCell]:
    """The multi-objective and staffing rows (`bench.anytime_generated`), printed as they come."""
    def solve_here(request: SolveRequest) -> Result:
        return solve(request, registry, limits, pool=pool)

    runs: list[Callable[[float], GeneratedCell]] = [partial(front_cell, int(v), solve=solve_here)
                                                    for v in args.fronts.split(",") if v]
    if args.staffing:
        runs.append(partial(staffing_cell, solve=solve_here))
    cells: list[GeneratedCell] = []
    for run in runs:
        if pool is not None:
            run(3.0)  # as for the manifest's instances: the first solve of each process is not measured
        cells.extend(run(float(limit)) for limit in args.limits.split(","))
    for cell in cells:
        ratio = cell.ratio()
        console.print(f"{cell.name} {cell.limit:g} s ({cell.measure}): auto {_value(cell.auto)}; "
                      + ", ".join(f"{name} {_value(v)}" for name, v in cell.singles.items())
                      + f"; ratio {'-' if ratio is None else f'{ratio:.4f}'}")
    return cells


if __name__ == "__main__":
    raise SystemExit(main())
