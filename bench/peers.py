"""Raw peers: plain solver calls on the same instances, each in its own process.

    python -m bench.peers cbc berlin52 --time-limit 10      # one run; prints one JSON result line
    python -m bench.peers highs cap41
    python -m bench.peers cpsat ft06 --threads 8
    python -m bench.peers routing pr1002
    python -m bench.peers cbc my_problem.json               # a {"problem": ...} or bare problem file

Peers: `cbc` (PuLP + CBC, naive model), `highs` (highspy array API, default options), `cpsat`
(OR-Tools CP-SAT example models), `routing` (OR-Tools routing, PATH_CHEAPEST_ARC + GLS).
`ortools` and `highspy` cannot share a process, so the harness (bench/run.py) starts
`python -m bench.peers ...` per run via `run_peer` and reads the line marked `RESULT_MARK`.
The reported `value` is recomputed from the peer's solution by our independent evaluator, so raw
peers and our backends are scored the same way. `time` covers importing the solver library,
building the model and solving (not the interpreter start or reading the instance file).
"""

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.peer_mip import PeerAnswer, Unsupported, mip_support
from bench.peer_ortools import cpsat_support, routing_support
from models import SolveRequest
from models.problem import Problem

RESULT_MARK = "BENCH_PEER_RESULT "
REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Peer:
    """A raw solver call: which problems it takes (checked without importing it) and how to run it."""

    name: str
    library: str
    support: Callable[[Problem], str | None]
    entry: str
    """`module:function` run in the child process."""


PEERS: dict[str, Peer] = {
    "cbc": Peer("cbc", "pulp", mip_support, "bench.peer_mip:solve_cbc"),
    "highs": Peer("highs", "highspy", mip_support, "bench.peer_mip:solve_highs"),
    "cpsat": Peer("cpsat", "ortools", cpsat_support, "bench.peer_ortools:solve_cpsat"),
    "routing": Peer("routing", "ortools", routing_support, "bench.peer_ortools:solve_routing"),
}


@dataclass
class PeerOutcome:
    """One raw run as the harness sees it."""

    status: str
    value: float | None = None
    native_objective: float | None = None
    bound: float | None = None
    verified: bool | None = None
    time: float | None = None
    wall: float | None = None
    native_status: str = ""
    message: str = ""


# child side -----------------------------------------------------------------------------------


def _load_problem(instance: str, root: str | None) -> Problem:
    if instance.endswith(".json") and Path(instance).is_file():
        data = json.loads(Path(instance).read_text())
        return SolveRequest.model_validate(data if "problem" in data else {"problem": data}).problem
    from solvers.formats.manifest import BenchmarkLibrary, select

    library = BenchmarkLibrary(root)
    matches = [e for e in select(library.entries(), names=[instance]) if e.name == instance]
    if not matches:
        raise SystemExit(f"no manifest entry named {instance!r}")
    return library.load(matches[0]).problem


def run_here(peer: Peer, problem: Problem, time_limit: float, threads: int, seed: int) -> PeerOutcome:
    """Runs the peer in this process (the CLI does this in its own process) and re-checks its answer."""
    import importlib

    from solvers.evaluators import evaluate

    reason = peer.support(problem)
    if reason:
        return PeerOutcome("unsupported", message=reason)
    module, function = peer.entry.split(":")
    started = time.perf_counter()
    try:
        answer: PeerAnswer = getattr(importlib.import_module(module), function)(problem, time_limit, threads, seed)
    except Unsupported as exc:
        return PeerOutcome("unsupported", message=str(exc))
    elapsed = time.perf_counter() - started
    outcome = PeerOutcome(answer.status, None, answer.objective, answer.bound, None, elapsed,
                          native_status=answer.native_status)
    if answer.solution is not None:
        check = evaluate(problem, answer.solution)
        outcome.verified = check.feasible
        outcome.value = check.objective if check.feasible else None
        if not check.feasible:
            outcome.message = "infeasible answer: " + "; ".join(check.violations[:3])
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers", description="One raw peer run, JSON out.")
    parser.add_argument("peer", choices=sorted(PEERS))
    parser.add_argument("instance", help="manifest entry name, or a .json problem/request file")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--root", help="benchmark directory (default: $OPTSERVE_BENCHMARKS_DIR)")
    args = parser.parse_args(argv)
    problem = _load_problem(args.instance, args.root)
    outcome = run_here(PEERS[args.peer], problem, args.time_limit, args.threads, args.seed)
    print(RESULT_MARK + json.dumps(asdict(outcome)), flush=True)
    return 0


# harness side ---------------------------------------------------------------------------------


def run_peer(peer: str, instance: str, time_limit: float, threads: int = 1, seed: int = 0,
             root: str | None = None, grace: float = 30.0) -> PeerOutcome:
    """Runs `python -m bench.peers` in a fresh process; killed at time_limit + grace (`killed`)."""
    command = [sys.executable, "-m", "bench.peers", peer, instance, "--time-limit", str(time_limit),
               "--threads", str(threads), "--seed", str(seed)]
    if root:
        command += ["--root", str(root)]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=time_limit + grace)
    except subprocess.TimeoutExpired:
        return PeerOutcome("killed", wall=time.perf_counter() - started,
                           message=f"no answer {grace:g} s past the time limit")
    wall = time.perf_counter() - started
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            outcome = PeerOutcome(**json.loads(line[len(RESULT_MARK):]))
            outcome.wall = wall
            return outcome
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    return PeerOutcome("error", wall=wall, message=f"exit code {done.returncode}: {' | '.join(tail)}")


if __name__ == "__main__":
    sys.exit(main())
