"""Scheduling targets: our CP-SAT backend (local search + CP-SAT) against raw CP-SAT, with timings.

    python -m bench.scheduling                                  # ft10, la01-la20, parallel 50x5 (10 s each)
    python -m bench.scheduling --names ft10 --time-limit 5 --repeat 3
    python -m bench.scheduling --names 'la2*,abz7' --no-peer --out bench/out/sched.csv
    python -m bench.scheduling --best-known 300                 # long runs on the parallel instance
    python -m bench.scheduling --names 'random*' --side-by-side  # 300 x 20 and 1000 x 20, generated

Ours goes through the dispatcher (`solvers.dispatch.solve`, child process, verification) and its
progress events give `first` (time of the first incumbent) and `1%` (time of the first incumbent
within 1% of the reference). The raw peer is `python -m bench.peers cpsat NAME` (the OR-Tools
job-shop example with default parameters). The machine load (1-minute average) is printed with
every row: this 2-core machine is shared, and the times move with it.

`parallel50x5` is `tests.solvers.cases.parallel_with_setups()` (50 jobs, 5 unrelated machines,
sequence-dependent setups). It has no published optimum; PARALLEL_BEST_KNOWN is the best value
found by long runs (see there). `setup8x2` ... `setup20x5` (SETUPS) are smaller seeded instances of
the same generator. Their raw peer is `bench.peer_ortools.solve_cpsat_setups` (one circuit per
machine, default parameters) hinted with the service's constructive schedule, run in this process.
Our times include the solve process's start and the OR-Tools import (about 0.5 s: the `first`
column); the peer's exclude the interpreter start.
"""

import argparse
import csv
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.peers import run_peer
from models import SolveOptions, SolveRequest
from models.problem import Problem
from solvers.contract import Incumbent

if TYPE_CHECKING:
    from solvers.dispatch import DispatchLimits
    from solvers.runtime.pool import WorkerPool

PARALLEL = "parallel50x5"
PARALLEL_BEST_KNOWN = 113.0
"""Best makespan known for parallel50x5 (CP-SAT's lower bound: 110). Found by `--best-known`: the
plain-Python iterated greedy, 300 s each, seeds 0-2, twice (two versions of the search): 117, 116,
116, then 114, 114, 114 (CP-SAT, one worker, interleaved, 300 s, hinted with a 114 found nothing
better); the compiled one (`parallel_kernel`), `--best-known 60 --seeds 4` (load 1.0): 113, 114,
113, 113 (6.0-7.1 million steps each)."""
SETUPS = [f"setup{n}x{m}" for n in (8, 20) for m in (2, 3, 4, 5)]
"""`parallel_with_setups(n, m, seed=1)`: n single-operation jobs on m unrelated machines, durations
5-30, sequence-dependent setups 1-15 (seeded, tests/solvers/cases.py). Optimal values, proven by the
service: 72, 41, 27, 20 (8 jobs on 2-5 machines), 151, 86, 66, 52 (20 jobs)."""
RANDOM_SHOPS = ["random300x20", "random1000x20"]
"""`random_job_shop(n, m, seed=1)` (`solvers.families.scheduling.generator`): Taillard's recipe at sizes no public set
has (6,000 and 20,000 operations), where the constructive start and the model build, not the search,
decide whether an answer comes back at all. No reference value: the bound column says how far from
optimal an answer can be. Their raw peer reads the instance from a JSON file written for it."""
DEFAULT_NAMES = ["ft10", *(f"la{k:02d}" for k in range(1, 21)), PARALLEL]
TARGET = 0.01


@dataclass
class BenchRow:
    instance: str
    backend: str
    value: float | None
    reference: float | None
    gap: float | None
    status: str
    bound: float | None
    first: float | None
    within_1pct: float | None
    time: float | None
    load: float
    note: str = ""


def load(name: str) -> tuple[Problem, float | None, str]:
    """The problem, its reference value and the reference's kind."""
    if name == PARALLEL:
        from tests.solvers.cases import parallel_with_setups

        return parallel_with_setups(), PARALLEL_BEST_KNOWN, "best known"
    if name in SETUPS:
        from tests.solvers.cases import parallel_with_setups

        n, m = (int(v) for v in name.removeprefix("setup").split("x"))
        return parallel_with_setups(n, m, seed=1), None, "none"
    if name in RANDOM_SHOPS:
        from solvers.families.scheduling.generator import random_job_shop

        n, m = (int(v) for v in name.removeprefix("random").split("x"))
        return random_job_shop(n, m, seed=1), None, "none"
    from solvers.formats.manifest import BenchmarkLibrary, select

    library = BenchmarkLibrary()
    entries = select(library.entries(), names=[name])
    if not entries:
        raise SystemExit(f"no manifest entry named {name!r}")
    instance = library.load(entries[0])
    reference, kind = instance.reference
    return instance.problem, reference, kind


def names_of(pattern_list: str) -> list[str]:
    from fnmatch import fnmatch

    from solvers.formats.manifest import BenchmarkLibrary

    wanted = [p.strip() for p in pattern_list.split(",") if p.strip()]
    known = [e.name for e in BenchmarkLibrary().entries() if e.problem in ("jobshop", "flowshop")]
    known += [PARALLEL, *SETUPS, *RANDOM_SHOPS]
    return [n for p in wanted for n in known if fnmatch(n, p)] or wanted


def gap(value: float | None, reference: float | None) -> float | None:
    return None if value is None or not reference else (value - reference) / reference


def run_ours(name: str, problem: Problem, reference: float | None, options: SolveOptions,
             pool: "WorkerPool | None" = None) -> BenchRow:
    from solvers.dispatch import solve
    from solvers.registry import load_builtin

    events: list[tuple[float, Incumbent]] = []
    started = time.perf_counter()
    result = solve(SolveRequest(problem=problem, solver="cpsat", options=options), load_builtin(),
                   dispatch_limits(options.time_limit),
                   progress=lambda inc: events.append((time.perf_counter() - started, inc)), pool=pool)
    first = next((t for t, inc in events if inc.objective is not None), None)
    close = next((t for t, inc in events if reference and inc.objective is not None
                  and inc.objective <= reference * (1 + TARGET) + 1e-9), None)
    if close is None and reference and result.objective is not None and result.objective <= reference * (1 + TARGET):
        close = result.timings.total
    status = result.status.value + ("" if result.termination.value == "completed" else f"/{result.termination.value}")
    return BenchRow(name, "cpsat", result.objective, reference, gap(result.objective, reference), status,
                    result.bound, first, close, result.timings.total, os.getloadavg()[0],
                    "" if result.verified else "UNVERIFIED")


def dispatch_limits(time_limit: float) -> "DispatchLimits":
    from solvers.dispatch import DispatchLimits

    return DispatchLimits(max_time_limit=max(300.0, time_limit))


def warm_cpsat_pool(problem: Problem) -> "WorkerPool":
    """`--warm`: a solve process with OR-Tools and the kernels loaded, as the service's prewarmed
    pool keeps it, so that short limits measure the search and not the process start (about 0.8 s,
    see the module docstring); its first solve (1 s, not measured) loads the compiled kernels."""
    from bench.anytime import wait_until_loaded
    from solvers.registry import load_builtin
    from solvers.runtime.pool import WorkerPool

    pool = WorkerPool()
    module = load_builtin().get("cpsat").module
    pool.warm(module, dispatch_limits(1.0).max_memory)
    wait_until_loaded(pool)
    run_ours("warm-up", problem, None, SolveOptions(time_limit=1.0), pool)
    wait_until_loaded(pool)  # a process whose solve ended late is replaced by a fresh one
    return pool


def summary(rows: list[BenchRow]) -> str:
    """Mean and worst gap to the reference and runs proved optimal, over the rows that have one."""
    gaps = [100 * r.gap for r in rows if r.gap is not None]
    proved = sum(r.status.startswith("optimal") for r in rows)
    if not gaps:
        return f"{len(rows)} runs, {proved} proved optimal"
    return (f"{len(rows)} runs: mean gap {sum(gaps) / len(gaps):.3f}%, worst {max(gaps):.2f}%, "
            f"{proved} proved optimal")


def run_raw(name: str, reference: float | None, options: SolveOptions) -> BenchRow:
    instance = name
    if name in RANDOM_SHOPS:  # the peer's process loads manifest names or JSON files
        instance = str(Path(tempfile.gettempdir()) / f"optserve-bench-{name}.json")
        Path(instance).write_text(load(name)[0].model_dump_json())
    outcome = run_peer("cpsat", instance, options.time_limit, options.threads, options.seed)
    close = outcome.time if reference and outcome.value is not None and outcome.value <= reference * 1.01 else None
    return BenchRow(name, "peer:cpsat", outcome.value, reference, gap(outcome.value, reference), outcome.status,
                    outcome.bound, None, close, outcome.time, os.getloadavg()[0], outcome.message[:60])


def run_raw_setups(name: str, problem: Problem, reference: float | None, options: SolveOptions) -> BenchRow:
    """Raw CP-SAT (circuit per machine) hinted with the service's constructive schedule, same time."""
    from bench.peer_ortools import solve_cpsat_setups
    from models import SchedulingProblem
    from solvers.families.scheduling.data import flatten
    from solvers.families.scheduling.heuristic import best_schedule

    assert isinstance(problem, SchedulingProblem)
    data = flatten(problem)
    hint = [(str(data.machine_ids[p.machine]), p.start) for p in best_schedule(data).placements]
    answer = solve_cpsat_setups(problem, options.time_limit, options.threads, options.seed, hint)
    return BenchRow(name, "peer:cpsat", answer.objective, reference, gap(answer.objective, reference), answer.status,
                    answer.bound, None, None, answer.solve_time, os.getloadavg()[0], "circuit model, greedy hint")


def run_pair(name: str, problem: Problem, reference: float | None, options: SolveOptions, with_peer: bool,
             side_by_side: bool, pool: "WorkerPool | None" = None) -> tuple[BenchRow, BenchRow | None]:
    """Ours and (optionally) the raw peer, one after the other or at the same time."""
    def peer() -> BenchRow | None:
        if not with_peer:
            return None
        if name == PARALLEL or name in SETUPS:
            return run_raw_setups(name, problem, reference, options)
        return run_raw(name, reference, options)

    if not side_by_side:
        return run_ours(name, problem, reference, options, pool), peer()
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as threads:
        theirs = threads.submit(peer)
        return run_ours(name, problem, reference, options, pool), theirs.result()


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if float(value).is_integer() and digits == 0 else f"{value:.{digits}f}"


def print_row(row: BenchRow, peer: BenchRow | None) -> None:
    ratio = ""
    if peer is not None and peer.time and row.time and row.status.startswith("optimal") \
            and peer.status == "optimal":
        ratio = f"x{peer.time / row.time:.1f} faster proof"
    elif peer is not None and peer.value is not None and row.value is not None:
        ratio = f"value {row.value - peer.value:+.0f} vs raw"
    print(f"{row.instance:<13} {row.backend:<10} {_fmt(row.value, 0):>6} {_fmt(row.reference, 0):>6} "
          f"{_fmt(None if row.gap is None else 100 * row.gap):>6}% {row.status:<20} {_fmt(row.bound, 0):>6} "
          f"{_fmt(row.first):>6} {_fmt(row.within_1pct):>6} {_fmt(row.time):>6} {row.load:5.2f}  {ratio} {row.note}",
          flush=True)


HEADER = (f"{'instance':<13} {'backend':<10} {'value':>6} {'ref':>6} {'gap':>7} {'status':<20} {'bound':>6} "
          f"{'first':>6} {'1%':>6} {'time':>6} {'load':>5}")


def best_known(seconds: float, seeds: int) -> None:
    """Long iterated-greedy runs on the parallel instance (the PARALLEL_BEST_KNOWN search)."""
    from solvers.families.scheduling.data import flatten
    from solvers.families.scheduling.heuristic import best_schedule
    from solvers.families.scheduling.parallel_search import iterated_greedy
    from tests.solvers.cases import parallel_with_setups

    data = flatten(parallel_with_setups())
    start = best_schedule(data).placements
    for seed in range(seeds):
        found = iterated_greedy(data, start, seconds, seed=seed)
        print(f"{PARALLEL} iterated greedy seed {seed}: {found.objective:.0f} after {seconds:.0f} s "
              f"({found.iterations} iterations, load {os.getloadavg()[0]:.2f})", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scheduling", description=__doc__.split("\n\n")[0])
    parser.add_argument("--names", default=",".join(DEFAULT_NAMES), help="names or patterns, comma-separated")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="runs per instance (seeds seed..seed+repeat-1)")
    parser.add_argument("--no-peer", action="store_true", help="skip the raw CP-SAT peer")
    parser.add_argument("--side-by-side", action="store_true",
                        help="run ours and the raw peer at the same time (one core each on this machine)")
    parser.add_argument("--out", default=None, help="CSV file for every row")
    parser.add_argument("--best-known", type=float, default=None, metavar="SECONDS",
                        help="only run the long best-known search on the parallel instance")
    parser.add_argument("--seeds", type=int, default=3, help="seeds for --best-known")
    parser.add_argument("--warm", action="store_true",
                        help="ours in a warm solve process (as the service's pool), not a fresh one per run")
    args = parser.parse_args(argv)
    if args.best_known is not None:
        best_known(args.best_known, args.seeds)
        return 0
    rows: list[BenchRow] = []
    names = names_of(args.names)
    pool = warm_cpsat_pool(load(names[0])[0]) if args.warm and names else None
    print(HEADER)
    for name in names:
        problem, reference, _ = load(name)
        for k in range(args.repeat):
            options = SolveOptions(time_limit=args.time_limit, threads=args.threads, seed=args.seed + k)
            ours, peer = run_pair(name, problem, reference, options, not args.no_peer, args.side_by_side, pool)
            print_row(ours, peer)
            rows.append(ours)
            if peer is not None:
                print_row(peer, None)
                rows.append(peer)
    if pool is not None:
        pool.close()
    print(f"ours ({args.time_limit:g} s): {summary([r for r in rows if r.backend == 'cpsat'])}")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(asdict(rows[0])))
            writer.writeheader()
            writer.writerows(asdict(r) for r in rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
