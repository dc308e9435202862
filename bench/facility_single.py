"""Single-source facility location: the `facility` backend beside raw HiGHS, on generated instances
and on OR-Library cap41-cap134 read as single-source variants.

    python -m bench.facility_single                          # generated instances (10 s / 30 s)
    python -m bench.facility_single --cap --time-limit 10    # cap41-cap134, single source
    python -m bench.facility_single --reference 300          # long HiGHS runs: best known values
    python -m bench.facility_single --backend ga --split     # the GA on the split-demand variants

Generated instances come from `solvers.families.facility.generator.cornuejols` (seeded; nothing is
stored): `INSTANCES` names them. Our runs go through `solvers.dispatch.solve` (child process, hard
deadline, verified); the peer is `bench.peer_mip.solve_highs` (the textbook single-source model
through highspy, default settings) in a fresh process killed `GRACE` s past its limit. Both get
the same time limit, in the same run, one after the other. `--reference S` runs HiGHS on the strong
formulation (`solvers.families.facility.mip`) for S seconds per instance and prints its value and
proven bound: the best known values of `BEST_KNOWN` come from those runs (and from ours when
better; see bench/RESULTS.md).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass

from models import FacilityLocationProblem, SolveOptions, SolveRequest
from solvers.families.facility.generator import cornuejols

GRACE = 20.0
RESULT_MARK = "RESULT "


@dataclass(frozen=True)
class Generated:
    name: str
    m: int
    n: int
    ratio: float
    seed: int
    time_limit: float

    def problem(self, single_source: bool = True) -> FacilityLocationProblem:
        return cornuejols(self.m, self.n, self.ratio, self.seed, single_source=single_source)


INSTANCES = [
    Generated("cor25x100-r3-s1", 25, 100, 3.0, 1, 10.0),
    Generated("cor25x100-r5-s2", 25, 100, 5.0, 2, 10.0),
    Generated("cor50x200-r3-s1", 50, 200, 3.0, 1, 10.0),
    Generated("cor50x200-r5-s2", 50, 200, 5.0, 2, 10.0),
    Generated("cor100x1000-r5-s1", 100, 1000, 5.0, 1, 30.0),
]
BEST_KNOWN: dict[str, float] = {
    "cor25x100-r3-s1": 14648.0,  # proven optimal by HiGHS (strong formulation, 300 s)
    "cor25x100-r5-s2": 13668.0,  # proven optimal by HiGHS
    "cor50x200-r3-s1": 28124.0,  # facility, 10 s (HiGHS 300 s: 28424, bound 27842)
    "cor50x200-r5-s2": 24059.0,  # proven optimal by facility in 91 s (HiGHS 300 s: 24064, bound 23941)
    "cor100x1000-r5-s1": 76385.0,  # facility, 30 s (HiGHS 300 s: 92353, bound 75888)
}
"""Best known single-source values (bench/RESULTS.md tells where each comes from)."""


CAP_NAMES = ["cap4?", "cap5?", "cap6?", "cap7?", "cap8?", "cap9?", "cap1[0-3]?"]
"""OR-Library cap41-cap134, read as single-source variants."""


def by_name(name: str) -> Generated:
    return next(g for g in INSTANCES if g.name == name)


def cap_problems() -> list[tuple[str, FacilityLocationProblem]]:
    """cap41-cap134 from the benchmark library, `single_source=True`."""
    from solvers.formats.manifest import BenchmarkLibrary, select

    library = BenchmarkLibrary()
    chosen = [e for e in select(library.entries(), {"facility"}, CAP_NAMES) if e.variant != "uncapacitated"]
    out = []
    for entry in chosen:
        problem = library.load(entry).problem
        assert isinstance(problem, FacilityLocationProblem)
        out.append((entry.name, problem.model_copy(update={"single_source": True})))
    return out


def child_problem(name: str, split: bool) -> FacilityLocationProblem:
    if name.startswith("cap"):
        return dict(cap_problems())[name]
    return by_name(name).problem(not split)


def reference(problem: FacilityLocationProblem, seconds: float) -> dict[str, float | str | None]:
    """HiGHS on the strong formulation (in this process), for `seconds`."""
    from solvers.backends.facility import _direct
    from solvers.contract import SolveContext

    context = SolveContext(options=SolveOptions(time_limit=seconds), progress=lambda _i: None)
    raw = _direct(problem, context, time.monotonic())
    return {"value": raw.objective, "bound": raw.bound, "status": raw.status.value}


def raw_highs(problem: FacilityLocationProblem, seconds: float) -> dict[str, float | str | None]:
    """The textbook model through highspy (`bench.peer_mip.solve_highs`), value re-checked."""
    from bench.peer_mip import solve_highs
    from solvers.evaluators import evaluate

    started = time.perf_counter()
    answer = solve_highs(problem, seconds, 1, 0)
    wall = time.perf_counter() - started
    value = None
    if answer.solution is not None:
        check = evaluate(problem, answer.solution)
        value = check.objective if check.feasible else None
    return {"value": value, "bound": answer.bound, "status": answer.status, "time": wall}


def in_child(mode: str, name: str, seconds: float, split: bool) -> dict[str, float | str | None]:
    """Runs `mode` (raw or reference) on a generated instance in a fresh process, killed past GRACE."""
    command = [sys.executable, "-m", "bench.facility_single", "--child", mode, "--names", name,
               "--time-limit", str(seconds)] + (["--split"] if split else [])
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + GRACE,
                              cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    except subprocess.TimeoutExpired:
        return {"value": None, "bound": None, "status": "killed"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            answer: dict[str, float | str | None] = json.loads(line[len(RESULT_MARK):])
            return answer
    return {"value": None, "bound": None, "status": f"error: {done.stderr.strip().splitlines()[-1:]}"}


def ours(problem: FacilityLocationProblem, backend: str, seconds: float) -> dict[str, float | str | None]:
    from solvers.dispatch import DispatchLimits, solve
    from solvers.registry import load_builtin

    request = SolveRequest(problem=problem, solver=backend, options=SolveOptions(time_limit=seconds))
    result = solve(request, load_builtin(), DispatchLimits(max_time_limit=max(seconds, 60.0)))
    return {"value": result.objective if result.verified else None, "bound": result.bound,
            "status": result.status.value, "time": result.timings.total}


def run_cap(args: argparse.Namespace) -> None:
    """cap41-cap134 single-source: ours and raw HiGHS at the same limit; best = the better of the two
    unless `--reference` (then only HiGHS's long run, with its proven bound)."""
    seconds = args.time_limit or 10.0
    for name, problem in cap_problems():
        if args.reference:
            got = in_child("reference", name, args.reference, False)
            print(f"{name} reference {args.reference:g}s: {json.dumps(got)} load={os.getloadavg()[0]:.1f}", flush=True)
            continue
        mine = ours(problem, args.backend, seconds)
        peer: dict[str, float | str | None] = {"value": None}
        if not args.no_peer:
            peer = in_child("raw", name, seconds, False)
        values = [v for v in (mine["value"], peer["value"]) if isinstance(v, float)]
        best = min(values) if values else None
        print(f"{name:<8} {seconds:g}s {args.backend}={mine['value']} ({pct(mine['value'], best)}) [{mine['status']}, "  # type: ignore[arg-type]
              f"bound {mine['bound']}, {seconds_of(mine)}] raw_highs={peer['value']} ({pct(peer['value'], best)}) "  # type: ignore[arg-type]
              f"[{peer.get('status')}, {seconds_of(peer)}] load={os.getloadavg()[0]:.1f}", flush=True)


def seconds_of(answer: dict[str, float | str | None]) -> str:
    value = answer.get("time")
    return f"{value:.2f} s" if isinstance(value, float) else "-"


def pct(value: float | None, best: float | None) -> str:
    if value is None or best is None:
        return "-"
    return f"{100 * (value - best) / best:.3f}%"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--names", default=None, help="comma-separated instance names (default: all)")
    parser.add_argument("--time-limit", type=float, default=None, help="default: each instance's own")
    parser.add_argument("--backend", default="facility")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--split", action="store_true", help="split demand instead of single source")
    parser.add_argument("--cap", action="store_true", help="OR-Library cap41-cap134 as single-source variants")
    parser.add_argument("--reference", type=float, default=None, help="long HiGHS runs of this many seconds")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        problem = child_problem(args.names, args.split)
        run = raw_highs if args.child == "raw" else reference
        print(RESULT_MARK + json.dumps(run(problem, args.time_limit)), flush=True)
        return 0
    if args.cap:
        run_cap(args)
        return 0
    chosen = [by_name(n) for n in args.names.split(",")] if args.names else INSTANCES
    for generated in chosen:
        seconds = args.time_limit or generated.time_limit
        if args.reference:
            got = in_child("reference", generated.name, args.reference, args.split)
            print(f"{generated.name} reference {args.reference:g}s: {json.dumps(got)} load={os.getloadavg()[0]:.1f}",
                  flush=True)
            continue
        best = None if args.split else BEST_KNOWN.get(generated.name)
        mine = ours(generated.problem(not args.split), args.backend, seconds)
        line = (f"{generated.name:<20} {seconds:>4g}s {args.backend}={mine['value']} ({pct(mine['value'], best)}) "  # type: ignore[arg-type]
                f"[{mine['status']}, bound {mine['bound']}, {seconds_of(mine)}]")
        if not args.no_peer:
            peer = in_child("raw", generated.name, seconds, args.split)
            line += (f" raw_highs={peer['value']} ({pct(peer['value'], best)}) "  # type: ignore[arg-type]
                     f"[{peer['status']}, bound {peer['bound']}, {seconds_of(peer)}]")
        print(f"{line} load={os.getloadavg()[0]:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
