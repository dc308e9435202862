"""Benchmark harness: manifest instances through our dispatcher and through raw peers, one table.

Usage (from the repository root, with the project's virtualenv):

    python -m bench.run                                   # the quick preset, every backend and peer
    python -m bench.run --family knapsack --max-size 1000 --backends knapsack_exact,cbc,highs
    python -m bench.run --family tsp --names 'berlin52,kroA*' --backends highs,routing,peer:routing,peer:cpsat
    python -m bench.run --family jobshop --names 'ft*,la0*' --backends cpsat,peer:cpsat --time-limit 30
    python -m bench.run --family facility --max-size 1250 --backends highs,cbc,peers --out bench/out/fl.csv
    python -m bench.run --list --family flowshop          # show the selected instances, solve nothing

Options:
  --family      manifest problems (tsp, facility, knapsack, jobshop, flowshop) or families
                (facility_location, scheduling), comma-separated; default all.
  --names       comma-separated names or fnmatch patterns (`cap4*`); default: all, or the quick
                preset when neither --family, --names nor --max-size is given.
  --max-size    skip instances above this scale (cities; items; facilities x customers; jobs x machines).
  --limit       at most this many instances (after filtering, in manifest order).
  --backends    comma-separated: our backend names (`highs`, `cbc`, `cpsat`, `routing`, `knapsack_exact`,
                `pyomo`, ...), `auto`, `peer:cbc`, `peer:highs`, `peer:cpsat`, `peer:routing`, or the groups
                `all` (every registered backend) and `peers` (every raw peer). Default `all,peers`.
                Pairs where the backend does not take the problem are skipped.
  --time-limit  seconds per run (default 10); --threads (default 1), --seed (default 0) and
                --relative-gap (default 0) apply to our backends and peers alike.
  --out         also write every row (including skipped pairs) to this CSV file.
  --root        benchmark directory (default: $OPTSERVE_BENCHMARKS_DIR or ../shared/benchmarks next to the checkout).

Each of our runs goes through `solvers.dispatch.solve`, so the backend runs in its own child process
under the service's deadline and its answer is verified; raw peers run as `python -m bench.peers`
subprocesses (ortools and highspy cannot share a process). The exit code is 1 when a run claims
`optimal` but misses a known optimum (a correctness bug), else 0. Results depend on the machine and
its load; compare backends within one run.
"""

import argparse
import sys
import time

from rich.console import Console

from bench.harness import PEER_PREFIX, Row, run_ours, run_raw, supported_by_ours
from bench.peers import PEERS
from bench.report import print_report, wide_console, write_csv
from models import SolveOptions
from solvers.formats.manifest import BenchmarkInstance, BenchmarkLibrary, select

QUICK = [
    "eil51", "berlin52", "st70", "kroA100",
    "cap41", "cap71-uncap", "cap101",
    "f1_l-d_kp_10_269", "knapPI_1_100_1000_1", "knapPI_3_1000_1000_1", "knapPI_1_50_1000_1",
    "jooken_n_400_c_1000000_g_10_f_0.3_eps_0_s_100", "mknap1-4", "mknapcb1-5.100-00",
    "ft06", "la01", "abz5", "ta001",
]
"""A few instances per family that a laptop runs in minutes."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", default="", help="tsp, facility, knapsack, jobshop, flowshop (comma-separated)")
    parser.add_argument("--names", default="", help="names or fnmatch patterns, comma-separated")
    parser.add_argument("--max-size", type=int, default=None, help="largest instance scale to run")
    parser.add_argument("--limit", type=int, default=None, help="at most this many instances")
    parser.add_argument("--backends", default="all,peers", help="our backends, auto, peer:NAME, all, peers")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--relative-gap", type=float, default=0.0)
    parser.add_argument("--grace", type=float, default=30.0, help="seconds past the limit before a peer is killed")
    parser.add_argument("--out", default=None, help="CSV file for every row")
    parser.add_argument("--root", default=None, help="benchmark directory")
    parser.add_argument("--list", action="store_true", help="list the selected instances and exit")
    return parser.parse_args(argv)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def backends(spec: str, registry_names: list[str]) -> list[str]:
    """Expands `all` and `peers`; keeps the order given, without duplicates."""
    chosen: list[str] = []
    for name in _split(spec):
        if name == "all":
            chosen += registry_names
        elif name == "peers":
            chosen += [PEER_PREFIX + p for p in PEERS]
        else:
            if name.startswith(PEER_PREFIX) and name[len(PEER_PREFIX):] not in PEERS:
                raise SystemExit(f"unknown peer {name!r}; peers: {', '.join(PEERS)}")
            chosen.append(name)
    return list(dict.fromkeys(chosen))


def instances(args: argparse.Namespace, library: BenchmarkLibrary) -> list[BenchmarkInstance]:
    names = _split(args.names)
    if not names and not args.family and args.max_size is None:
        names = QUICK
    entries = select(library.entries(), set(_split(args.family)) or None, names or None, args.max_size)
    if args.limit is not None:
        entries = entries[: args.limit]
    return [library.load(entry) for entry in entries]


def run_all(args: argparse.Namespace, chosen: list[BenchmarkInstance], names: list[str], console: Console) -> list[Row]:
    from solvers.dispatch import DispatchLimits, solve
    from solvers.registry import load_builtin

    registry = load_builtin()
    limits = DispatchLimits(max_time_limit=max(args.time_limit, DispatchLimits().max_time_limit))
    options = SolveOptions(time_limit=args.time_limit, threads=args.threads, seed=args.seed,
                           relative_gap=args.relative_gap)
    rows: list[Row] = []
    for instance in chosen:
        for name in names:
            if name.startswith(PEER_PREFIX):
                row = run_raw(instance, name[len(PEER_PREFIX):], options, args.root, args.grace)
            elif supported_by_ours(name, instance, registry):
                row = run_ours(instance, name, options, solve, registry, limits)
            else:
                continue
            rows.append(row)
            if row.status != "unsupported":
                console.log(f"{row.instance:<24} {row.backend:<16} {row.status:<12} value={row.value} "
                            f"time={row.time if row.time is None else round(row.time, 2)}")
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = wide_console()
    library = BenchmarkLibrary(args.root)
    chosen = instances(args, library)
    if args.list or not chosen:
        for instance in chosen:
            reference, kind = instance.reference
            console.print(f"{instance.entry.name:<48} {instance.entry.problem:<9} size={instance.entry.size} "
                          f"{kind}={reference}")
        if not chosen:
            console.print("no instance matches the filters")
        return 0
    from solvers.registry import load_builtin

    names = backends(args.backends, load_builtin().names())
    started = time.perf_counter()
    rows = run_all(args, chosen, names, wide_console(stderr=True))
    summaries = print_report(rows, console)
    console.print(f"{len(rows)} runs in {time.perf_counter() - started:.1f} s")
    if args.out:
        write_csv(rows, args.out)
        console.print(f"rows written to {args.out}")
    return 1 if any(s.wrong_optimal for s in summaries) else 0


if __name__ == "__main__":
    sys.exit(main())
