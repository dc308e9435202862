"""tsp_ls on TSPLIB: value, optimum, gap and time per instance, through `solvers.runtime.runner.run_backend`.

Usage (from the repository root, with the project's virtualenv):

    python -m bench.tsp_ls                                # the default set, 10 s each
    python -m bench.tsp_ls --names 'pr1002,u1060' --time-limit 5 --seed 3
    python -m bench.tsp_ls --names 'kro*' --iteration-limit 20000 --time-limit 60

Each run is a fresh child process (spawn, imports and loading the compiled kernels count against
the time limit, as in the service). The kernels are compiled first, here, so no run pays the JIT.
`time` is the wall clock of the whole run; `gap` is (value - optimum) / optimum; `bound gap` is
(value - bound) / value, the gap the service would report. Results depend on the machine's load.
"""

import argparse
import time

from models import SolveOptions
from solvers.families.tsp.local_search import warm_up
from solvers.formats.manifest import BenchmarkLibrary, benchmark_root, load_manifest, select
from solvers.registry import load_builtin
from solvers.runtime.runner import RunLimits, run_backend

DEFAULT_NAMES = "eil51,berlin52,kroA100,kroA200,pr1002,u1060,pcb1173"




def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--names", default=DEFAULT_NAMES, help="comma-separated names or fnmatch patterns")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--iteration-limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--root", default=None, help="benchmark directory")
    args = parser.parse_args(argv)
    warm_up()
    library = BenchmarkLibrary(benchmark_root(args.root))
    entries = select(load_manifest(library.root), problems={"tsp"}, names=args.names.split(","))
    backend = load_builtin().get("tsp_ls")
    options = SolveOptions(time_limit=args.time_limit, seed=args.seed, threads=args.threads,
                           iteration_limit=args.iteration_limit)
    print(f"{'instance':<10} {'n':>5} {'value':>10} {'optimum':>10} {'gap':>7} {'bound gap':>9} {'time':>6}  "
          "termination")
    gaps = []
    for entry in entries:
        instance = library.load(entry)
        began = time.monotonic()
        raw = run_backend(backend, instance.problem, options, RunLimits(grace=2.0))
        seconds = time.monotonic() - began
        value, optimum = raw.objective, instance.optimum
        gap = (value - optimum) / optimum if value is not None and optimum else None
        bound_gap = (value - raw.bound) / value if value and raw.bound is not None else None
        if gap is not None:
            gaps.append(gap)
        print(f"{entry.name:<10} {entry.scale:>5} {_num(value):>10} {_num(optimum):>10} {_pct(gap):>7} "
              f"{_pct(bound_gap):>9} {seconds:>6.2f}  {raw.termination.value} ({raw.native_status})", flush=True)
    if gaps:
        print(f"mean gap {_pct(sum(gaps) / len(gaps))}, worst {_pct(max(gaps))} over {len(gaps)} instances")
    return 0


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


if __name__ == "__main__":
    raise SystemExit(main())
