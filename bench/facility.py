"""The `facility` backend (Lagrangian + reduced MIP) on OR-Library facility location, beside raw HiGHS.

Usage (from the repository root, with the project's virtualenv):

    python -m bench.facility                                  # cap41-cap134 and capa/b/c, 60 s each
    python -m bench.facility --names 'capa-*' --time-limit 60 --peer-time-limit 60
    python -m bench.facility --names 'cap4*,cap13*' --no-peer --out bench/out/facility.csv

Our runs go through `solvers.dispatch.solve` (child process, hard deadline, independent check of
every answer), exactly as `python -m bench.run` does; `facility` is added to the registry here
when `solvers/builtin.py` does not declare it yet. The peer is `python -m bench.peers highs NAME`
(the textbook MIP through highspy, default settings). Columns are those of `bench.run`: value
(recomputed by the evaluator), known optimum, gap to it, the gap the run reports, status, time
(ours: `Result.timings.total`, including the child process start). The numba kernel is loaded
(or compiled into its cache) first, so no run pays the JIT.

Single sourcing (generated Cornuejols instances, cap41-cap134 as single-source variants) has its
own bench: `python -m bench.facility_single`.
"""

import argparse
import sys
import time

from bench.harness import Row, run_ours, run_raw
from bench.report import print_report, wide_console, write_csv
from models import SolveOptions
from solvers.formats.manifest import BenchmarkLibrary, select
from solvers.registry import load_builtin

DEFAULT_NAMES = "cap4*,cap5*,cap6*,cap7?,cap8*,cap9*,cap10?,cap11?,cap12?,cap13?,capa-[0-9]*,capb-[0-9]*,capc-[0-9]*"
"""Every capacitated OR-Library instance (cap41-cap134, capa/capb/capc at four capacities each)."""




def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--names", default=DEFAULT_NAMES, help="comma-separated names or fnmatch patterns")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--peer-time-limit", type=float, default=None, help="default: --time-limit")
    parser.add_argument("--no-peer", action="store_true", help="skip raw HiGHS")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="CSV file for every row")
    parser.add_argument("--root", default=None, help="benchmark directory")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from solvers.dispatch import DispatchLimits, solve
    from solvers.families.facility.transport import warm_up

    args = parse_args(argv)
    warm_up()
    library = BenchmarkLibrary(args.root)
    entries = select(library.entries(), {"facility"}, [n.strip() for n in args.names.split(",") if n.strip()])
    found = load_builtin()
    options = SolveOptions(time_limit=args.time_limit, threads=args.threads, seed=args.seed)
    peer_options = options.model_copy(update={"time_limit": args.peer_time_limit or args.time_limit})
    limits = DispatchLimits(max_time_limit=max(args.time_limit, DispatchLimits().max_time_limit))
    log = wide_console(stderr=True)
    rows: list[Row] = []
    started = time.perf_counter()
    for entry in entries:
        instance = library.load(entry)
        batch = [run_ours(instance, "facility", options, solve, found, limits)]
        if not args.no_peer:
            batch.append(run_raw(instance, "highs", peer_options, args.root, grace=30.0))
        for row in batch:
            log.log(f"{row.instance:<12} {row.backend:<11} value={row.value} optimum={row.reference} "
                    f"gap={_pct(row.gap_to_optimum)} time={_sec(row.time)} {row.status}")
        rows += batch
    console = wide_console()
    summaries = print_report(rows, console)
    console.print(f"{len(rows)} runs in {time.perf_counter() - started:.1f} s")
    if args.out:
        write_csv(rows, args.out)
    return 1 if any(s.wrong_optimal for s in summaries) else 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.4f}%"


def _sec(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


if __name__ == "__main__":
    sys.exit(main())
