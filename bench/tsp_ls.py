"""tsp_ls on TSPLIB: value, optimum, gap and time per instance, through `solvers.runtime.runner.run_backend`.

Usage (from the repository root, with the project's virtualenv):

    python -m bench.tsp_ls                                # the default set, 10 s each
    python -m bench.tsp_ls --names 'pr1002,u1060' --time-limit 5 --seed 3
    python -m bench.tsp_ls --names 'kro*' --iteration-limit 20000 --time-limit 60
    python -m bench.tsp_ls --names pr1002,rl1304 --peers routing --random 1000:2

Each run is a fresh child process (spawn, imports and loading the compiled kernels count against
the time limit, as in the service). The kernels are compiled first, here, so no run pays the JIT.
`time` is the wall clock of the whole run; `gap` is (value - optimum) / optimum; `bound gap` is
(value - bound) / value, the gap the service would report. Results depend on the machine's load.

`--peers routing` runs the raw OR-Tools peer (`bench.peers`: PATH_CHEAPEST_ARC + guided local
search, its own process, same time limit) right after tsp_ls on each instance; its rows give
`ratio` = tsp_ls value / peer value (< 1: tsp_ls shorter). `--random N:K` adds K uniform
N-city euc_2d instances (`bench.tsp_scale.random_problem`, seeds 1..K): no optimum is known, so
their `gap` is '-'; compare values and the bound gap.
"""

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.peers import run_peer
from bench.tsp_scale import random_problem
from models import SolveOptions, TspProblem
from solvers.families.tsp.local_search import warm_up
from solvers.formats.manifest import BenchmarkLibrary, benchmark_root, load_manifest, select
from solvers.registry import load_builtin
from solvers.runtime.runner import RunLimits, run_backend

DEFAULT_NAMES = "eil51,berlin52,kroA100,kroA200,pr1002,u1060,pcb1173"


@dataclass(frozen=True)
class Case:
    name: str
    problem: TspProblem
    optimum: float | None
    peer_instance: str
    """What `bench.peers` loads: the manifest name, or a JSON file of the problem."""


def cases(args: argparse.Namespace, scratch: Path) -> list[Case]:
    library = BenchmarkLibrary(benchmark_root(args.root))
    found = []
    if args.names:
        for entry in select(load_manifest(library.root), problems={"tsp"}, names=args.names.split(",")):
            instance = library.load(entry)
            assert isinstance(instance.problem, TspProblem)
            found.append(Case(entry.name, instance.problem, instance.optimum, entry.name))
    if args.random:
        size, count = (int(v) for v in args.random.split(":"))
        for seed in range(1, count + 1):
            problem = random_problem(size, seed, "euc_2d")
            path = scratch / f"rand{size}_{seed}.json"
            path.write_text(json.dumps({"problem": problem.model_dump(mode="json")}))
            found.append(Case(f"rand{size}_{seed}", problem, None, str(path)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--names", default=DEFAULT_NAMES, help="names or fnmatch patterns, comma-separated")
    parser.add_argument("--random", default="", help="N:K, K uniform random N-city instances")
    parser.add_argument("--peers", default="", help="comma-separated raw peers of bench.peers (e.g. routing)")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--iteration-limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--root", default=None, help="benchmark directory")
    args = parser.parse_args(argv)
    warm_up()
    backend = load_builtin().get("tsp_ls")
    options = SolveOptions(time_limit=args.time_limit, seed=args.seed, threads=args.threads,
                           iteration_limit=args.iteration_limit)
    peers = [p for p in args.peers.split(",") if p]
    print(f"{'instance':<10} {'n':>5} {'backend':<8} {'value':>10} {'optimum':>10} {'gap':>7} {'bound gap':>9} "
          f"{'time':>6} {'ratio':>6}  termination")
    gaps: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for case in cases(args, Path(scratch)):
            began = time.monotonic()
            raw = run_backend(backend, case.problem, options, RunLimits(grace=2.0, answer_margin=2.0))
            seconds = time.monotonic() - began
            ours = raw.objective
            bound_gap = (ours - raw.bound) / ours if ours and raw.bound is not None else None
            _row(case, "tsp_ls", ours, bound_gap, seconds, None, f"{raw.termination.value} ({raw.native_status})", gaps)
            for peer in peers:
                outcome = run_peer(peer, case.peer_instance, args.time_limit, args.threads, args.seed, args.root)
                ratio = ours / outcome.value if ours is not None and outcome.value else None
                _row(case, peer, outcome.value, None, outcome.wall, ratio,
                     f"{outcome.status} ({outcome.native_status or outcome.message})", gaps)
    for backend_name, values in gaps.items():
        print(f"{backend_name}: mean gap {_pct(statistics.mean(values))}, median {_pct(statistics.median(values))}, "
              f"worst {_pct(max(values))} over {len(values)} instances")
    return 0


def _row(case: Case, backend: str, value: float | None, bound_gap: float | None, seconds: float | None,
         ratio: float | None, note: str, gaps: dict[str, list[float]]) -> None:
    optimum = case.optimum
    gap = (value - optimum) / optimum if value is not None and optimum else None
    if gap is not None:
        gaps.setdefault(backend, []).append(gap)
    time_text = "-" if seconds is None else f"{seconds:.2f}"
    ratio_text = "-" if ratio is None else f"{ratio:.4f}"
    print(f"{case.name:<10} {case.problem.size:>5} {backend:<8} {_num(value):>10} {_num(optimum):>10} {_pct(gap):>7} "
          f"{_pct(bound_gap):>9} {time_text:>6} {ratio_text:>6}  {note}", flush=True)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


if __name__ == "__main__":
    raise SystemExit(main())
