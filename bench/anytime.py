"""Is `auto` anytime? `auto` against every single backend at the same time limits.

For each instance and time limit, every registered backend that takes the problem runs through
the dispatcher (as the service runs it), then `auto`; the table gives each value and the ratio of
`auto` to the best single backend (objective ratio oriented so that > 1 means `auto` is worse:
auto/best when minimising, best/auto when maximising). Issue target: ratio <= 1.001 everywhere.

    python -m bench.anytime                                   # default set, limits 1,2,5,10,30
    python -m bench.anytime --names kroA200,ch150 --limits 2,10 --backends highs,tsp_ls,routing,portfolio
"""

import argparse
import math
import os
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from bench.harness import Row, run_ours, supported_by_ours
from models import SolveOptions
from solvers.dispatch import DispatchLimits, solve
from solvers.formats.manifest import BenchmarkInstance, BenchmarkLibrary, select
from solvers.registry import Registry, load_builtin

DEFAULT_NAMES = ["kroA200", "ch150", "pr76", "tsp225", "knapPI_3_1000_1000_1", "mknapcb1-5.100-00", "cap101",
                 "capa-8000", "ft10", "la21", "ta001"]
DEFAULT_LIMITS = [1.0, 2.0, 5.0, 10.0, 30.0]
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
            limits: DispatchLimits) -> Cell:
    options = SolveOptions(time_limit=limit, threads=1, seed=0)
    singles = [run_ours(instance, name, options, solve, registry, limits) for name in backends
               if supported_by_ours(name, instance, registry)]
    auto = run_ours(instance, "auto", options, solve, registry, limits)
    return Cell(instance, limit, auto, singles)


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
    args = parser.parse_args(argv)
    registry = load_builtin()
    backends = registry.names() if args.backends == "all" else args.backends.split(",")
    library = BenchmarkLibrary(args.root)
    entries = select(library.entries(), names=args.names.split(","))
    limits = DispatchLimits(max_time_limit=600.0, grace=1.0)
    console = Console(width=220)
    cells = []
    for entry in entries:
        instance = library.load(entry)
        for limit in args.limits.split(","):
            cells.append(cell := measure(instance, float(limit), backends, registry, limits))
            ratio = cell.ratio()
            console.print(f"{entry.name} {limit} s: auto {_value(cell.auto.value)}; "
                          + ", ".join(f"{r.backend} {_value(r.value)}" for r in cell.singles)
                          + f"; ratio {'-' if ratio is None else f'{ratio:.4f}'} (load {os.getloadavg()[0]:.1f})")
    console.print(table(cells))
    worst = max((c.ratio() or 1.0 for c in cells), default=1.0)
    console.print(f"worst ratio {worst:.4f} ({'meets' if worst <= TARGET else 'misses'} the {TARGET} target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
