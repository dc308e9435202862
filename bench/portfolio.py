"""The portfolio against each of its members alone, at the same time limit, through the dispatcher.

    python -m bench.portfolio                                  # the default instances, 10 s each
    python -m bench.portfolio --names kroA200,ft10 --time-limit 20 --out bench/out/portfolio.csv

For each instance the members are the ones the portfolio would pick (`portfolio_members`), each
run alone and then the portfolio, one after the other so no run shares the CPU with another
bench run. `gap` is the distance to the manifest's optimum or best known value (positive =
worse); `reported` is the run's own certified gap. The portfolio should never be worse than its
best member alone: the exit code is 1 when it is (beyond 1e-6 relative).
"""

import argparse
import sys

from bench.harness import Row, run_ours
from bench.report import write_csv
from models import ProblemKind, SolveOptions
from solvers.backends.portfolio.members import members
from solvers.contract import BackendSpec, Capabilities
from solvers.dispatch import DispatchLimits, solve
from solvers.formats.manifest import BenchmarkLibrary, select
from solvers.registry import Registry, load_builtin

DEFAULT_NAMES = "kroA100,ch150,kroA200,ft10,la21,abz7,cap131,cap134"
TOL = 1e-6


HEURISTICS = (
    BackendSpec(name="ga", module="solvers.backends.ga.backend", description="genetic algorithm (DEAP)",
                capabilities=Capabilities(frozenset(ProblemKind) - {ProblemKind.staffing}, exact=False,
                                          reports_bound=True, warm_start=True, deterministic=True),
                requires=("deap", "numba"), version_of="deap"),
    BackendSpec(name="tsp_ls", module="solvers.backends.tsp_ls", description="iterated local search for the TSP",
                capabilities=Capabilities(frozenset({ProblemKind.tsp}), exact=False, reports_bound=True,
                                          warm_start=True, deterministic=True),
                requires=("numba",), version_of="numba"),
)
"""Used only while these backends are not in `solvers/builtin.py`."""


def registry() -> Registry:
    """The built-in backends, plus `ga` and `tsp_ls` while they are not registered yet."""
    found = load_builtin()
    for spec in HEURISTICS:
        if spec.name not in found.names():
            found.register(spec)
    return found


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.3f}%"


def line(row: Row) -> str:
    status = row.status + (f"/{row.termination}" if row.termination not in ("", "completed") else "")
    return (f"  {row.backend:<15} {row.value if row.value is not None else '-':>12} {pct(row.gap_to_optimum):>9} "
            f"{pct(row.reported_gap):>9} {status:<22} {row.time or 0:>6.2f}s  {row.found_by}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.portfolio", description=__doc__.split("\n\n")[0])
    parser.add_argument("--names", default=DEFAULT_NAMES)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="")
    args = parser.parse_args(argv)
    library, reg, limits = BenchmarkLibrary(), registry(), DispatchLimits(grace=2.0)
    options = SolveOptions(time_limit=args.time_limit, seed=args.seed)
    rows: list[Row] = []
    worse = 0
    for entry in select(library.entries(), names=args.names.split(",")):
        loaded = library.load(entry)
        names = [spec.name for spec in members(reg, loaded.problem)]
        print(f"\n{entry.name} ({entry.problem}, optimum {loaded.optimum}); members: {', '.join(names)}")
        alone = [run_ours(loaded, name, options, solve, reg, limits) for name in names]
        for row in alone:
            print(line(row), flush=True)
        race = run_ours(loaded, "portfolio", options, solve, reg, limits)
        print(line(race), flush=True)
        rows += [*alone, race]
        best = min((r.gap_to_optimum for r in alone if r.gap_to_optimum is not None), default=None)
        if best is not None and (race.gap_to_optimum is None or race.gap_to_optimum > best + TOL):
            worse += 1
            print("  -> the portfolio is worse than its best member alone")
    if args.out:
        write_csv(rows, args.out)
    print(f"\nportfolio worse than its best member on {worse} instance(s)")
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
