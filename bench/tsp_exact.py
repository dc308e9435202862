"""The exact TSP backend on TSPLIB up to 200 cities: is each instance proven optimal, how fast?

Usage (from the repository root, with the project's virtualenv):

    python -m bench.tsp_exact                              # the 13 instances, highs, 30 s each
    python -m bench.tsp_exact --names 'kroA200' --time-limit 60
    python -m bench.tsp_exact --backends highs,cbc --peers highs

Each of our runs is a fresh child process through `solvers.runtime.runner.run_backend` (as in the
service: imports, the start tour's local search and the cut rounds all count against the time
limit). `--peers highs` adds the raw peer of `bench.peers` (HiGHS on a Miller-Tucker-Zemlin
model; there is no raw subtour-loop peer). `gap` is (value - optimum) / optimum, `bound gap`
(value - bound) / value, `proven` says whether the run ended `optimal`. Timings depend on the
machine's load, so the load average is printed first.
"""

import argparse
import os
import time

from bench.peers import run_peer
from models import SolveOptions
from solvers.formats.manifest import BenchmarkLibrary, benchmark_root, load_manifest, select
from solvers.registry import load_builtin
from solvers.runtime.runner import RunLimits, run_backend

DEFAULT_NAMES = "eil51,berlin52,st70,eil76,pr76,kroA100,kroC100,rd100,eil101,lin105,ch130,ch150,kroA200"
HEADER = (f"{'instance':<10} {'n':>4} {'backend':<11} {'value':>9} {'optimum':>9} {'gap':>7} {'bound gap':>9} "
          f"{'proven':>6} {'time':>6}  native status")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--names", default=DEFAULT_NAMES, help="comma-separated names or fnmatch patterns")
    parser.add_argument("--backends", default="highs", help="our backends, comma-separated")
    parser.add_argument("--peers", default="", help="raw peers of bench.peers, comma-separated (e.g. highs)")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--root", default=None, help="benchmark directory")
    args = parser.parse_args(argv)
    library = BenchmarkLibrary(benchmark_root(args.root))
    entries = select(load_manifest(library.root), problems={"tsp"}, names=args.names.split(","))
    registry = load_builtin()
    options = SolveOptions(time_limit=args.time_limit, seed=args.seed, threads=args.threads)
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores")
    print(HEADER)
    proven = total = 0
    for entry in entries:
        instance = library.load(entry)
        for name in filter(None, args.backends.split(",")):
            began = time.monotonic()
            raw = run_backend(registry.get(name), instance.problem, options, RunLimits(grace=2.0, answer_margin=2.0))
            optimal = raw.status.value == "optimal"
            proven, total = proven + optimal, total + 1
            _row(entry.name, entry.scale, name, raw.objective, instance.optimum, raw.bound, optimal,
                 time.monotonic() - began, f"{raw.status.value}: {raw.native_status}")
        for peer in filter(None, args.peers.split(",")):
            outcome = run_peer(peer, entry.name, args.time_limit, args.threads, args.seed, args.root, grace=5.0)
            _row(entry.name, entry.scale, f"peer:{peer}", outcome.value, instance.optimum, outcome.bound,
                 outcome.status == "optimal", outcome.wall, f"{outcome.status}: {outcome.native_status}")
    print(f"proven optimal: {proven} of {total} runs of our backends "
          f"(load average now {os.getloadavg()[0]:.2f})")
    return 0


def _row(name: str, n: int, backend: str, value: float | None, optimum: float | None, bound: float | None,
         optimal: bool, seconds: float | None, native: str) -> None:
    gap = (value - optimum) / optimum if value is not None and optimum else None
    bound_gap = (value - bound) / value if value and bound is not None else None
    print(f"{name:<10} {n:>4} {backend:<11} {_num(value):>9} {_num(optimum):>9} {_pct(gap):>7} {_pct(bound_gap):>9} "
          f"{'yes' if optimal else 'no':>6} {_sec(seconds):>6}  {native[:70]}", flush=True)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def _sec(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


if __name__ == "__main__":
    raise SystemExit(main())
