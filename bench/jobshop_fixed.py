"""Job-shop tabu search at a fixed iteration count: the screening behind the fixed-count rows of
`bench/RESULTS.md` (issue 12 item 4).

Why a fixed count: the searches of `parallel_tabu.take_turns` count their turns in iterations, so a
seed gives the same values on any machine and under any load; a change to the search is then
measured alone, not mixed with the machine's speed as the 60 s service runs are. Runs the searches
as the service does on one thread (ONE_THREAD_SEARCHES taking turns, seeds seed + SEED_STRIDE * k),
without the CP-SAT phases around them.

    python -m bench.jobshop_fixed --names 'ta4[1-9],ta50' --iterations 4500000 --seeds 1,2
"""

import argparse
import threading
import time

from bench.scheduling import gap, load, names_of
from models import SchedulingProblem
from solvers.families.scheduling import parallel_tabu
from solvers.families.scheduling.data import flatten
from solvers.families.scheduling.heuristic import best_schedule
from solvers.families.scheduling.jobshop_tabu import TabuSearch


def run(name: str, iterations: int, seed: int, searches: int) -> tuple[int, float | None, float]:
    """The best makespan of `searches` searches taking turns, `iterations` each; its best known; seconds."""
    problem, reference, _ = load(name)
    if not isinstance(problem, SchedulingProblem):
        raise SystemExit(f"{name} is not a scheduling instance")
    data = flatten(problem)
    start = tuple(best_schedule(data).placements)
    began = time.monotonic()
    group = [TabuSearch(data, start, seed + parallel_tabu.SEED_STRIDE * k) for k in range(searches)]
    parallel_tabu.take_turns(group, float("inf"), 0, lambda _p, _m: None, iterations, None, threading.Event(),
                             lambda: None)
    return min(search.best for search in group), reference, time.monotonic() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--names", required=True, help="comma-separated instance names or patterns")
    parser.add_argument("--iterations", type=int, default=4_500_000, help="per search")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds")
    parser.add_argument("--searches", type=int, default=parallel_tabu.ONE_THREAD_SEARCHES)
    args = parser.parse_args(argv)
    print(f"{'instance':8} {'seed':>4} {'value':>7} {'ref':>7} {'gap':>7} {'time':>7}")
    for seed in (int(s) for s in args.seeds.split(",")):
        gaps = []
        for name in names_of(args.names):
            value, reference, seconds = run(name, args.iterations, seed, args.searches)
            g = gap(value, reference)
            g = None if g is None else 100 * g
            gaps.append(g)
            print(f"{name:8} {seed:>4} {value:>7} {reference or '-':>7} "
                  f"{'-' if g is None else f'{g:.2f}%':>7} {seconds:>6.1f}s", flush=True)
        known = [g for g in gaps if g is not None]
        if known:
            print(f"seed {seed}: mean {sum(known) / len(known):.2f}%, worst {max(known):.2f}%", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
