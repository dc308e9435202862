"""Runs a backend in a child process under a hard deadline, relaying incumbents.

Solver time limits are soft (measured overruns of several seconds) and CBC counts CPU time, so
the service enforces its own wall-clock deadline: at `time_limit + answer_margin` a child that has
reported an incumbent is answered for with that incumbent (`termination: time_limit`), and left to
finish until `time_limit + grace` in the background when it belongs to a pool (then reused), else
killed; a child with nothing to show gets until `time_limit + grace`, when it is killed and answers
`no_solution`. The same path serves cancellation. With a `WorkerPool`, processes that answered
cleanly are kept warm for the next solve of the same backend (no process start, no library import
on the hot path).
"""

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from models import SolveOptions, Status, Termination
from models.problem import Problem
from solvers.contract import BackendSpec, Incumbent, ProgressSink, RawResult
from solvers.objective import is_maximised
from solvers.runtime.best_bound import BestBound
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
    """Seconds past the time limit before a child that has reported an incumbent is answered for
    with it (`_settle` says what becomes of the child). Why: a model build cannot be interrupted, and
    a child still building at the limit (CP-SAT's circuit over 2,000 cities, HiGHS's, CBC's and
    Pyomo's disjunctive model of a 300 x 20 shop) was waited for until the full grace, answering
    1.04-1.13 s late with the incumbent it had reported before building (`bench/time_limits.py`).
    Backends that hold their limit answer within 0.1 s of it. The price: a child slowed down (a
    fresh process loading its kernels) is answered for with what it has, where the grace often let
    it finish (the GA on cap101 at 1 s, meeting a process still loading just after the pool started:
    1,248,142.9 at 1.65 s, 57% above the optimum; warm: the optimum in 0.01 s)."""


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
    ending = Ending.stopped
    hard_deadline = started + options.time_limit + limits.grace
    try:
        if not _wait_until_loaded(process, hard_deadline, cancelled):
            ending = Ending.clean if process.alive() else Ending.stopped  # nothing sent: still reusable
            return _never_started(process, cancelled())
        process.send_solve(PROBLEM_ADAPTER.dump_json(problem).decode(), options.model_dump_json(), started)
        watch = _Watch(spec, progress, BestBound(is_maximised(problem), spec.name))
        deadlines = (started + options.time_limit + min(limits.answer_margin, limits.grace), hard_deadline)
        raw, ending = watch.follow(process, deadlines, cancelled)
        return raw
    finally:
        _settle(process, ending, pool, hard_deadline)


def _wait_until_loaded(process: SolveProcess, deadline: float, cancelled: Callable[[], bool]) -> bool:
    """Waits, watching the deadline and the caller's cancel, until a process still loading its solver
    library says it is ready; False if it was not by then (or died). Why not send at once: a request
    sent to a loading process is read only once it is loaded, and if the run is given up before the
    process answers, the process must be killed (its answer would be read as the next request's); the
    replacement then loads in turn, and the next request met it loading too. Right after start-up, 1 s
    GA requests on pr76 and cap101 answered `no_solution` four times in a row so. Unsent, a process
    still loading goes back to the pool."""
    try:
        while process.state == "loading":
            if cancelled() or time.monotonic() >= deadline or not process.alive():
                return False
            process.receive(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
    except (EOFError, OSError):
        return False
    return True


def _never_started(process: SolveProcess, cancelled: bool) -> RawResult:
    if not process.alive():
        why = "solver process died while loading its solver library"
        return RawResult(status=Status.error, termination=Termination.error, native_status=why, log=why)
    why = "the solve process was still loading its solver library; the request was never sent to it"
    termination = Termination.cancelled if cancelled else Termination.time_limit
    return RawResult(status=Status.no_solution, termination=termination, native_status=why)


class Ending(Enum):
    """How a child's run ended, which decides what becomes of its process."""

    clean = "clean"
    """It answered: reusable."""
    early = "early"
    """Answered for it at the margin while it still runs: it may still answer before the grace."""
    stopped = "stopped"
    """Killed: the grace passed, the caller cancelled, or it crashed."""


def _settle(process: SolveProcess, ending: Ending, pool: WorkerPool | None, hard_deadline: float) -> None:
    """Returns the process to the pool, kills it, or (answered early, with a pool) lets it finish in
    the background until the grace. Why the last: killed at the margin, a process is replaced by a
    fresh one that loads its libraries and kernels; a request meeting it still loading ran late and
    was killed at the margin in turn (the GA on cap101 at 1 s answered its first individual, 57% above
    the optimum, run after run), where a process left to finish is warm for the next request."""
    if pool is not None and ending is Ending.clean:
        pool.release(process)
    elif pool is not None and ending is Ending.early and time.monotonic() < hard_deadline:
        threading.Thread(target=_finish_in_background, args=(process, pool, hard_deadline),
                         name="optserve-finish", daemon=True).start()
    else:
        process.kill()
        if pool is not None:
            pool.replace(process)


def _finish_in_background(process: SolveProcess, pool: WorkerPool, hard_deadline: float) -> None:
    """Drains the process's messages until it answers (then it is reused) or the grace passes."""
    try:
        while time.monotonic() < hard_deadline:
            message = process.receive(min(POLL_SECONDS, max(0.0, hard_deadline - time.monotonic())))
            if message is not None and message[0] in ("result", "error"):
                pool.release(process)
                return
            if message is None and not process.alive():
                break
    except (EOFError, OSError):
        pass
    process.kill()
    pool.replace(process)


class _Watch:
    """Parent-side state of one child run: the latest incumbent and how the run ended."""

    def __init__(self, spec: BackendSpec, progress: ProgressSink | None, bound: BestBound) -> None:
        self.spec = spec
        self.progress = progress
        self.best: Incumbent | None = None
        self.bound = bound
        """The tightest bound of all incumbents: the answer's, when the result has none or a weaker one."""

    def follow(self, process: SolveProcess, deadlines: tuple[float, float],
               cancelled: Callable[[], bool]) -> tuple[RawResult, Ending]:
        """The run's outcome, and how it ended (see `Ending`).
        `deadlines`: when to answer with an incumbent, when to give up without one."""
        with_incumbent, without = deadlines
        while True:
            if cancelled():
                return self._stopped(Termination.cancelled, "cancelled by the caller"), Ending.stopped
            now = time.monotonic()
            if now >= with_incumbent and self.best is not None and self.best.solution is not None:
                return self._stopped(Termination.time_limit, "answered past the time limit with the last incumbent "
                                     "the solver reported, the solver still running"), Ending.early
            if now >= without:
                return self._stopped(Termination.time_limit, "killed at the service deadline"), Ending.stopped
            try:
                message = process.receive(POLL_SECONDS)
            except (EOFError, OSError):
                return self._crashed(process.exitcode()), Ending.stopped
            if message is None:
                if not process.alive():
                    return self._crashed(process.exitcode()), Ending.stopped
                continue
            done = self._handle(message)
            if done is not None:
                return done, Ending.clean

    def _handle(self, message: tuple[str, str]) -> RawResult | None:
        kind, payload = message
        if kind == "incumbent":
            incumbent = Incumbent.model_validate_json(payload)
            self.bound.offer(incumbent)
            if incumbent.solution is not None or self.best is None:  # a bound alone keeps the solution held
                self.best = incumbent
            if self.progress is not None:
                self.progress(incumbent)
            return None
        if kind == "result":
            return self.bound.complete(RawResult.model_validate_json(payload))
        return RawResult(status=Status.error, termination=Termination.error, native_status="exception",
                         log=payload[-4000:])

    def _stopped(self, termination: Termination, why: str) -> RawResult:
        best = self.best
        bound, source = self.bound.value, self.bound.source
        if best is None or best.solution is None:
            return RawResult(status=Status.no_solution, termination=termination, native_status=why,
                             bound=bound, bound_source=source)
        return RawResult(status=Status.feasible, termination=termination, solution=best.solution,
                         objective=best.objective, bound=bound, bound_source=source, native_status=why)

    def _crashed(self, exitcode: int | None) -> RawResult:
        why = f"solver process died (exit code {exitcode})"
        if exitcode is not None and exitcode < 0:
            why = f"solver process crashed (killed by {signal.Signals(-exitcode).name})"
        raw = self._stopped(Termination.error, why)
        if raw.solution is None:
            raw.status = Status.error
        raw.log = why
        return raw
