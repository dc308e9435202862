"""The `ga` backend against the issue's targets, through the dispatcher (child process, verified).

    python -m bench.ga                      # every group below
    python -m bench.ga --groups tsp,jobshop --seed 1 --out bench/out/ga.csv

| group | instances | time limit | target gap to the optimum |
|---|---|---|---|
| tsp | TSPLIB, 50 to 200 cities | 10 s | 2 % |
| knapsack | large_scale knapPI_{1,2,3}_1000_1000_1 (1,000 items of each type) | 5 s | 0.5 % |
| jobshop | ft10 | 10 s | 5 % |
| facility | OR-Library cap41 to cap134 (split demand, capacitated) | 10 s | 1 % |

One line per run: instance, value, optimum, gap to it, the run's own reported gap (against its
certified bound), status and termination, total time, and whether the target was met. The exit
code is 1 when a target is missed or a run is not verified. Needs `ga` in the built-in registry.
"""

import argparse
import sys
from dataclasses import dataclass

from bench.harness import Row, run_ours
from bench.report import write_csv
from models import SolveOptions
from solvers.dispatch import DispatchLimits, solve
from solvers.formats.manifest import BenchmarkLibrary, ManifestEntry, select
from solvers.registry import load_builtin


@dataclass(frozen=True)
class Group:
    problems: set[str]
    names: list[str]
    time_limit: float
    target: float
    min_size: int = 0
    max_size: int | None = None


GROUPS = {
    "tsp": Group({"tsp"}, ["*"], 10.0, 0.02, min_size=50, max_size=200),
    "knapsack": Group({"knapsack"}, ["knapPI_1_1000_1000_1", "knapPI_2_1000_1000_1", "knapPI_3_1000_1000_1"],
                      5.0, 0.005),
    "jobshop": Group({"jobshop"}, ["ft10"], 10.0, 0.05),
    "facility": Group({"facility"}, ["cap4?", "cap5?", "cap6?", "cap7?", "cap8?", "cap9?", "cap1[0-3]?"],
                      10.0, 0.01),
}


def entries(library: BenchmarkLibrary, group: Group) -> list[ManifestEntry]:
    chosen = select(library.entries(), problems=group.problems, names=group.names, max_size=group.max_size)
    return [e for e in chosen if e.scale >= group.min_size and e.variant != "uncapacitated"]


def line(row: Row, target: float) -> tuple[str, bool]:
    ok = bool(row.verified) and row.gap_to_optimum is not None and row.gap_to_optimum <= target + 1e-9

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{100 * value:.3f}%"

    status = row.status + (f"/{row.termination}" if row.termination and row.termination != "completed" else "")
    def number(value: float | None) -> str:
        return "-" if value is None else f"{value:.10g}"

    text = (f"{row.instance:<24} {number(row.value):>16} {number(row.reference):>16} "
            f"{pct(row.gap_to_optimum):>9} {pct(row.reported_gap):>9} {status:<22} "
            f"{row.time or 0:>6.2f}s  {'ok' if ok else 'MISSED'}")
    return text, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ga", description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", default=",".join(GROUPS), help="comma-separated: " + ", ".join(GROUPS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="", help="also write every row to this CSV file")
    args = parser.parse_args(argv)
    library, reg, limits = BenchmarkLibrary(), load_builtin(), DispatchLimits(grace=2.0)
    rows: list[Row] = []
    missed = 0
    for name in args.groups.split(","):
        group = GROUPS[name]
        print(f"\n{name}: {group.time_limit:g} s per run, target {100 * group.target:g}% of the optimum")
        print(f"{'instance':<24} {'value':>16} {'optimum':>16} {'gap':>9} {'reported':>9} {'status':<22} "
              f"{'time':>7}")
        for entry in entries(library, group):
            options = SolveOptions(time_limit=group.time_limit, seed=args.seed)
            row = run_ours(library.load(entry), "ga", options, solve, reg, limits)
            text, ok = line(row, group.target)
            print(text, flush=True)
            missed += not ok
            rows.append(row)
    if args.out:
        write_csv(rows, args.out)
    print(f"\n{len(rows) - missed} of {len(rows)} runs met their target")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
