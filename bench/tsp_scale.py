"""tsp_ls at scale: uniform random coordinate TSPs of 1k-100k cities through the child-process runner.

Usage (from the repository root, with the project's virtualenv):

    python -m bench.tsp_scale                                  # 1k, 2k, 5k, 10k, 100k
    python -m bench.tsp_scale --sizes 10000 --time-limits 60 --metric euc_2d --seed 3

Each run is a fresh child process, as in the service (loading the compiled kernels counts). Columns:
`value` (tour length), `bound` (the certified sparse Held-Karp 1-tree bound), `gap`
((value - bound) / value, what the service reports), `first` (seconds from the start to the first
incumbent received), `rss` (peak resident memory of the child, plus this process's own resident
memory: the service's footprint), `load` (1-minute load average at the start: the machine is
shared). Instances are uniform in [0, 10^6]^2 with the given seed: no known optimum, so compare
`value` across runs and against the bound.
"""

import argparse
import os
import resource
import time

import numpy as np

from models import SolveOptions, TspProblem
from models.problem import Problem
from solvers.contract import Incumbent
from solvers.families.tsp.local_search import warm_up
from solvers.registry import load_builtin
from solvers.runtime.runner import RunLimits, run_backend

SIZES = "1000,2000,5000,10000,100000"
TIME_LIMITS = "10,10,30,60,60"


def random_problem(n: int, seed: int, metric: str) -> TspProblem:
    coords = np.random.default_rng(seed).random((n, 2)) * 1e6
    return TspProblem.model_validate({"kind": "tsp", "coordinates": coords.round(1).tolist(), "metric": metric})


def own_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run(problem: Problem, time_limit: float, seed: int) -> dict[str, float]:
    spec = load_builtin().get("tsp_ls")
    started = time.monotonic()
    first: list[float] = []

    def progress(incumbent: Incumbent) -> None:
        if not first:
            first.append(time.monotonic() - started)

    limits = RunLimits(grace=5.0, answer_margin=5.0)
    raw = run_backend(spec, problem, SolveOptions(time_limit=time_limit, seed=seed), limits, progress)
    elapsed = time.monotonic() - started
    value = raw.objective if raw.objective is not None else float("nan")
    bound = raw.bound if raw.bound is not None else float("nan")
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"value": value, "bound": bound, "gap": (value - bound) / value, "time": elapsed,
            "first": first[0] if first else float("nan"), "rss": child_mb + own_rss_mb()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=SIZES)
    parser.add_argument("--time-limits", default=TIME_LIMITS)
    parser.add_argument("--metric", default="euc_2d")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    warm_up()
    sizes = [int(v) for v in args.sizes.split(",")]
    limits = [float(v) for v in args.time_limits.split(",")]
    print(f"{'n':>7} {'limit':>6} {'value':>12} {'bound':>12} {'gap':>7} {'time':>6} {'first':>6} {'rss MB':>7} load")
    for n, limit in zip(sizes, limits, strict=True):
        load = os.getloadavg()[0]
        row = run(random_problem(n, args.seed, args.metric), limit, args.seed)
        print(f"{n:>7} {limit:>6.0f} {row['value']:>12.0f} {row['bound']:>12.0f} {100 * row['gap']:>6.2f}% "
              f"{row['time']:>6.1f} {row['first']:>6.2f} {row['rss']:>7.0f} {load:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
