"""Runs a backend in a child process under a hard deadline, relaying incumbents.

Solver time limits are soft (measured overruns of several seconds) and CBC counts CPU time, so
the service enforces its own wall-clock deadline: at `time_limit + answer_margin` a child that has
reported an incumbent is killed and that incumbent is returned with `termination: time_limit`; a
child with nothing to show gets until `time_limit + grace`, when it is killed and answers
`no_solution`. The same path serves cancellation. With a `WorkerPool`, processes that answered
cleanly are kept warm for the next solve of the same backend (no process start, no library import
on the hot path).
"""

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

from models import SolveOptions, Status, Termination
from models.problem import Problem
from solvers.contract import BackendSpec, Incumbent, ProgressSink, RawResult
from solvers.runtime.pool import SolveProcess, WorkerPool
from solvers.runtime.worker import PROBLEM_ADAPTER

POLL_SECONDS = 0.05


@dataclass(frozen=True)
class RunLimits:
    """Service-side limits for one child solve."""

    grace: float = 1.0
    """Seconds past the time limit before a child that has reported nothing is killed."""
    max_memory: int | None = 8 * 1024**3
    answer_margin: float = 0.25
    """Seconds past the time limit before a child that has reported an incumbent is killed and the
    incumbent answered. Why: a model build cannot be interrupted, and a child still building at the
    limit (CP-SAT's circuit over 2,000 cities, HiGHS's, CBC's and Pyomo's disjunctive model of a 300 x
    20 shop) was waited for until the full grace, answering 1.04-1.13 s late with the incumbent it had
    reported before building (`bench/time_limits.py`). Backends that hold their limit answer within
    0.1 s of it, so this cuts short only runs that would have been killed anyway."""


def run_backend(
    spec: BackendSpec,
    problem: Problem,
    options: SolveOptions,
    limits: RunLimits = RunLimits(),
    progress: ProgressSink | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    pool: WorkerPool | None = None,
) -> RawResult:
    """Solves in a child process (warm from `pool` if given); always returns, whatever the child does."""
    started = time.monotonic()
    process = pool.acquire(spec.module, limits.max_memory) if pool else SolveProcess(spec.module, limits.max_memory)
    clean = False
    try:
        process.send_solve(PROBLEM_ADAPTER.dump_json(problem).decode(), options.model_dump_json(), started)
        watch = _Watch(spec, progress)
        deadlines = (started + options.time_limit + min(limits.answer_margin, limits.grace),
                     started + options.time_limit + limits.grace)
        raw, clean = watch.follow(process, deadlines, cancelled)
        return raw
    finally:
        if pool is not None and clean:
            pool.release(process)
        else:
            process.kill()
            if pool is not None:
                pool.replace(process)


class _Watch:
    """Parent-side state of one child run: the latest incumbent and how the run ended."""

    def __init__(self, spec: BackendSpec, progress: ProgressSink | None) -> None:
        self.spec = spec
        self.progress = progress
        self.best: Incumbent | None = None

    def follow(self, process: SolveProcess, deadlines: tuple[float, float],
               cancelled: Callable[[], bool]) -> tuple[RawResult, bool]:
        """The run's outcome, and whether the child answered cleanly (and may be reused).
        `deadlines`: when to answer with an incumbent, when to give up without one."""
        with_incumbent, without = deadlines
        while True:
            if cancelled():
                return self._stopped(Termination.cancelled, "cancelled by the caller"), False
            now = time.monotonic()
            if now >= with_incumbent and self.best is not None and self.best.solution is not None:
                return self._stopped(Termination.time_limit, "answered past the time limit with the last incumbent "
                                     "the solver reported; the solver was still running and was killed"), False
            if now >= without:
                return self._stopped(Termination.time_limit, "killed at the service deadline"), False
            try:
                message = process.receive(POLL_SECONDS)
            except (EOFError, OSError):
                return self._crashed(process.exitcode()), False
            if message is None:
                if not process.alive():
                    return self._crashed(process.exitcode()), False
                continue
            done = self._handle(message)
            if done is not None:
                return done, True

    def _handle(self, message: tuple[str, str]) -> RawResult | None:
        kind, payload = message
        if kind == "incumbent":
            self.best = Incumbent.model_validate_json(payload)
            if self.progress is not None:
                self.progress(self.best)
            return None
        if kind == "result":
            return RawResult.model_validate_json(payload)
        return RawResult(status=Status.error, termination=Termination.error, native_status="exception",
                         log=payload[-4000:])

    def _stopped(self, termination: Termination, why: str) -> RawResult:
        best = self.best
        source = (best.bound_source if best else None) or self.spec.name
        if best is None or best.solution is None:
            return RawResult(status=Status.no_solution, termination=termination, native_status=why,
                             bound=best.bound if best else None, bound_source=source)
        return RawResult(status=Status.feasible, termination=termination, solution=best.solution,
                         objective=best.objective, bound=best.bound, bound_source=source, native_status=why)

    def _crashed(self, exitcode: int | None) -> RawResult:
        why = f"solver process died (exit code {exitcode})"
        if exitcode is not None and exitcode < 0:
            why = f"solver process crashed (killed by {signal.Signals(-exitcode).name})"
        raw = self._stopped(Termination.error, why)
        if raw.solution is None:
            raw.status = Status.error
        raw.log = why
        return raw
