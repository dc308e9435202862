"""The `ga` backend against the issue's targets, through the dispatcher (child process, verified).

    python -m bench.ga                      # every group below
    python -m bench.ga --groups tsp,jobshop --seed 1 --out bench/out/ga.csv
    python -m bench.ga --versus-routing     # only the large-TSP comparison (see below)

| group | instances | time limit | target gap to the optimum |
|---|---|---|---|
| tsp | TSPLIB, 50 to 200 cities | 10 s | 2 % |
| knapsack | large_scale knapPI_{1,2,3}_1000_1000_1 (1,000 items of each type) | 5 s | 0.5 % |
| jobshop | ft10 | 10 s | 5 % |
| facility | OR-Library cap41 to cap134 (split demand, capacitated) | 10 s | 1 % |

`--versus-routing`: the issue's "GA on ~1,000 cities not worse than OR-Tools routing (guided
local search) given the same time", side by side on `VERSUS_INSTANCES` (10 s each, one seed):
`ga` and our `routing` backend through the dispatcher, and the raw OR-Tools routing example
(`peer:routing`: PATH_CHEAPEST_ARC + GLS). An instance misses when `ga` is worse than either.

One line per run: instance, value, optimum, gap to it, the run's own reported gap (against its
certified bound), status and termination, total time, and whether the target was met. The exit
code is 1 when a target is missed or a run is not verified. Needs `ga` in the built-in registry.
"""

import argparse
import sys
from dataclasses import dataclass

from bench.harness import PEER_PREFIX, Row, run_ours, run_raw
from bench.report import write_csv
from models import SolveOptions
from solvers.dispatch import DispatchLimits, solve
from solvers.formats.manifest import BenchmarkLibrary, ManifestEntry, select
from solvers.registry import Registry, load_builtin


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


VERSUS_INSTANCES = ["rat783", "pr1002", "u1060", "vm1084", "pcb1173"]
VERSUS_TIME_LIMIT = 10.0
VERSUS_BACKENDS = ["ga", "routing", "peer:routing"]


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
    parser.add_argument("--versus-routing", action="store_true",
                        help="only the ~1,000-city comparison of ga with OR-Tools routing")
    args = parser.parse_args(argv)
    library, reg, limits = BenchmarkLibrary(), load_builtin(), DispatchLimits(grace=2.0)
    rows: list[Row] = []
    missed = 0
    groups = [] if args.versus_routing else args.groups.split(",")
    if args.versus_routing:
        versus, missed = versus_routing(library, reg, limits, args.seed)
        rows += versus
    for name in groups:
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
    if groups:
        print(f"\n{len(rows) - missed} of {len(rows)} runs met their target")
    return 1 if missed else 0


def versus_routing(library: BenchmarkLibrary, reg: Registry, limits: DispatchLimits,
                   seed: int) -> tuple[list[Row], int]:
    """Runs every backend of `VERSUS_BACKENDS` on every instance; returns the rows and the number
    of instances where `ga` is worse than another backend (or has no verified value)."""
    print(f"\nga versus OR-Tools routing: {VERSUS_TIME_LIMIT:g} s per run, seed {seed}")
    print(f"{'instance':<10} {'backend':<14} {'value':>10} {'optimum':>10} {'gap':>8} {'time':>7}  status")
    options = SolveOptions(time_limit=VERSUS_TIME_LIMIT, seed=seed)
    by_name = {e.name: e for e in select(library.entries(), problems={"tsp"}, names=VERSUS_INSTANCES)}
    rows: list[Row] = []
    missed = 0
    for name in VERSUS_INSTANCES:
        instance = library.load(by_name[name])
        runs = [run_raw(instance, b[len(PEER_PREFIX):], options, None, 5.0) if b.startswith(PEER_PREFIX)
                else run_ours(instance, b, options, solve, reg, limits) for b in VERSUS_BACKENDS]
        for row in runs:
            gap = "-" if row.gap_to_optimum is None else f"{100 * row.gap_to_optimum:.2f}%"
            value = "-" if row.value is None else f"{row.value:.0f}"
            print(f"{row.instance:<10} {row.backend:<14} {value:>10} {row.reference or 0:>10.0f} {gap:>8} "
                  f"{row.time or 0:>6.2f}s  {row.status}{'' if row.verified else ' (unverified)'}", flush=True)
        ours, others = runs[0], [r.value for r in runs[1:] if r.value is not None]
        missed += ours.value is None or not ours.verified or any(ours.value > v + 1e-9 for v in others)
        rows += runs
    print(f"ga not worse than routing on {len(VERSUS_INSTANCES) - missed} of {len(VERSUS_INSTANCES)} instances")
    return rows, missed


if __name__ == "__main__":
    sys.exit(main())
