"""The job-shop lower bounds the service certifies without a solver, instance by instance.

Columns: the job-chain and machine-load bounds (`heuristic.makespan_lower_bound` and each machine's
smallest head + load + smallest tail), Jackson's preemptive one-machine bound with heads and tails
(`jackson.preemptive_bound`, the best machine), the certified bound the service reports before any
solver runs (`certified.scheduling_lower_bound`, the largest of them), the best known makespan, the
gap that bound leaves to it, and the time to compute it.

    python -m bench.jobshop_bounds --names 'ta2*,ta3*,ta4*,ta50'
"""

import argparse
import time

from bench.scheduling import load, names_of
from models import SchedulingProblem
from solvers.families.scheduling import certified
from solvers.families.scheduling.data import flatten
from solvers.families.scheduling.heuristic import makespan_lower_bound


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--names", default="ft10,la21,ta2*,ta3*,ta4*,ta50", help="names or patterns, comma-separated")
    args = parser.parse_args(argv)
    print(f"{'instance':8} {'chains':>7} {'loads':>7} {'jackson':>7} {'bound':>7} {'best':>7} {'gap':>7} {'ms':>6}")
    for name in names_of(args.names):
        problem, reference, _ = load(name)
        if not isinstance(problem, SchedulingProblem):
            continue
        data = flatten(problem)
        began = time.perf_counter()
        bound = certified.scheduling_lower_bound(data).value
        elapsed = 1000 * (time.perf_counter() - began)
        gap = f"{100 * (reference - bound) / reference:.2f}%" if reference else "-"
        loads, jackson = certified.machine_bounds(data)
        print(f"{name:8} {makespan_lower_bound(data):>7} {loads:>7} {jackson:>7} {bound:>7.0f} {reference or '-':>7} "
              f"{gap:>7} {elapsed:>6.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
