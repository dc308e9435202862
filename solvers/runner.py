"""Runs a backend in a child process under a hard deadline, relaying incumbents.

Solver time limits are soft (measured overruns of several seconds) and CBC counts CPU time, so
the service enforces its own wall-clock deadline: at `time_limit + grace` the child is killed
and the best incumbent it reported is returned with `termination: time_limit`. The same path
serves cancellation.
"""

import multiprocessing
import multiprocessing.context
import time
from collections.abc import Callable
from dataclasses import dataclass

from models import SolveOptions, Status, Termination
from models.problem import Problem
from solvers.base import BackendSpec, Incumbent, ProgressSink, RawResult
from solvers.worker import PROBLEM_ADAPTER, child_main

POLL_SECONDS = 0.05


@dataclass(frozen=True)
class RunLimits:
    """Service-side limits for one child solve."""

    grace: float = 1.0
    """Seconds past the time limit before the child is killed."""
    max_memory: int | None = 8 * 1024**3


def _context() -> multiprocessing.context.ForkServerContext:
    """A fork server that preloads only the light worker module (never a solver library)."""
    ctx = multiprocessing.context.ForkServerContext()
    ctx.set_forkserver_preload(["solvers.worker"])
    return ctx


def run_backend(
    spec: BackendSpec,
    problem: Problem,
    options: SolveOptions,
    limits: RunLimits = RunLimits(),
    progress: ProgressSink | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> RawResult:
    """Solves in a fresh child process; always returns, whatever the child does."""
    started = time.monotonic()
    receiver, sender = _context().Pipe(duplex=False)
    process = _context().Process(
        target=child_main,
        args=(sender, spec.module, PROBLEM_ADAPTER.dump_json(problem).decode(), options.model_dump_json(),
              started, limits.max_memory),
        daemon=True,
    )
    process.start()
    sender.close()
    watch = _Watch(spec, progress)
    deadline = started + options.time_limit + limits.grace
    try:
        return watch.follow(receiver, process, deadline, cancelled)
    finally:
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
        receiver.close()


class _Watch:
    """Parent-side state of one child run: the latest incumbent and how the run ended."""

    def __init__(self, spec: BackendSpec, progress: ProgressSink | None) -> None:
        self.spec = spec
        self.progress = progress
        self.best: Incumbent | None = None

    def follow(self, receiver, process, deadline: float, cancelled: Callable[[], bool]) -> RawResult:  # type: ignore[no-untyped-def]
        while True:
            if cancelled():
                return self._stopped(Termination.cancelled, "cancelled by the caller")
            if time.monotonic() >= deadline:
                return self._stopped(Termination.time_limit, "killed at the service deadline")
            try:
                ready = receiver.poll(POLL_SECONDS)
                message = receiver.recv() if ready else None
            except (EOFError, OSError):
                message = None
                ready = True
            if message is not None:
                done = self._handle(message)
                if done is not None:
                    return done
            elif ready or not process.is_alive():
                process.join(timeout=1)
                return self._crashed(process.exitcode)

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
        if best is None or best.solution is None:
            return RawResult(status=Status.no_solution, termination=termination, native_status=why,
                             bound=best.bound if best else None, bound_source=self.spec.name)
        return RawResult(status=Status.feasible, termination=termination, solution=best.solution,
                         objective=best.objective, bound=best.bound, bound_source=self.spec.name,
                         native_status=why)

    def _crashed(self, exitcode: int | None) -> RawResult:
        why = f"solver process died (exit code {exitcode})"
        raw = self._stopped(Termination.error, why)
        if raw.solution is None:
            raw.status = Status.error
        raw.log = why
        return raw
