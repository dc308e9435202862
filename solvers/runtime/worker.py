"""The solve worker: runs one backend in a child process and reports over a pipe.

This module is what the child imports first; it must stay light (no solver library at top
level) because the fork server preloads it. The backend module is imported by name only here.
"""

import contextlib
import ctypes
import ctypes.util
import importlib
import os
import resource
import signal
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection

from pydantic import TypeAdapter

from models import SolveOptions
from models.problem import Problem
from solvers.contract import Incumbent, SolveContext
from solvers.runtime.best_bound import BestBound

PROBLEM_ADAPTER: TypeAdapter[Problem] = TypeAdapter(Problem)
PR_SET_PDEATHSIG = 1
MIN_SEND_INTERVAL = 0.05
"""Seconds between incumbent messages; the latest one is always sent before the result."""


class IncumbentSender:
    """Forwards improved incumbents to the parent, throttled, never losing the latest, each with the
    tightest bound reported so far (an incumbent replaced before it was sent may have carried it). A
    bound reported without a solution is sent with the latest solution, so every message after the
    first solution carries one.

    An incumbent held back by the throttle is sent by a timer when its turn comes. Why: it used to wait
    for the next report or the result, and a backend that reported twice and then built a model for
    seconds (a quick solution, then a better one, then the build) left the parent with the first one
    when the deadline came."""

    def __init__(self, conn: Connection, bound: BestBound) -> None:
        self._conn = conn
        self._last_sent = 0.0
        self._pending: Incumbent | None = None
        self._latest: Incumbent | None = None
        """The latest incumbent with a solution: what a bound reported alone is sent with."""
        self._bound = bound
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._closed = False

    def __call__(self, incumbent: Incumbent) -> None:
        with self._lock:
            if self._closed:
                return
            self._bound.offer(incumbent)
            if incumbent.solution is not None:
                self._latest = incumbent
            elif self._latest is not None:
                incumbent = self._latest  # a bound alone (`solvers.mip.family_bound`): never drop the solution
            self._pending = incumbent.model_copy(update={"bound": self._bound.value,
                                                         "bound_source": self._bound.source})
            wait = MIN_SEND_INTERVAL - (time.monotonic() - self._last_sent)
            if wait <= 0:
                self._send()
            elif self._timer is None:
                self._timer = threading.Timer(wait, self._send_held_back)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        """Sends the incumbent held back, if any (before the result)."""
        with self._lock:
            self._send()

    def close(self) -> None:
        """Drops the incumbent held back and stops the timer: nothing of this solve may reach the
        parent after its answer (the process may be reused, and a late incumbent would be read as the
        next solve's)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._pending, self._closed = None, True

    def _send_held_back(self) -> None:
        with self._lock, contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._timer = None
            self._send()

    def _send(self) -> None:
        if self._pending is not None:
            self._conn.send(("incumbent", self._pending.model_dump_json()))
            self._pending = None
            self._last_sent = time.monotonic()


def die_with_parent() -> None:
    """Asks Linux to kill this process when its parent (the fork server) dies, so a killed service
    or worker leaves no orphan solver burning CPU."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def limit_memory(max_bytes: int | None) -> None:
    """Caps the child's address space so a runaway model fails here, not the machine."""
    if max_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


def serve_main(conn: Connection, module: str, max_memory: int | None, ahead: bool = False) -> None:
    """Entry point of a solve process: import the backend once, then answer solve requests.
    A process started `ahead` of any request (a warm pool's) also calls the module's `warm_up()`
    if it has one, which loads compiled kernels from numba's cache: 0.3 s for the job-shop tabu
    search, which a 1 s request otherwise paid inside its time limit.

    Each request is `("solve", problem_json, options_json, started)`; the answer is any number of
    `("incumbent", json)` followed by `("result", json)` or `("error", text)`. The process is
    reused by a warm pool only after a clean answer; a timed-out or cancelled one is killed.

    Between requests the process says `("ready", "warm" | "cold")`: once loaded, and again once a
    process started for a request has run its `warm_up` after answering it, while idle. Why: such a
    process (the warm one was still busy) answered every later request without its kernels (the
    Lagrangian and sparse 1-tree bounds of its quick solutions fell back to the weakest ones through
    `make run`), and the pool could not tell it from a warm one (`pool.WorkerPool.acquire`).
    """
    os.setsid()  # own process group: a kill also reaches solver binaries it starts (CBC)
    die_with_parent()
    limit_memory(max_memory)
    try:
        backend = importlib.import_module(module)
    except Exception as exc:
        _answer(conn, ("ready", "cold"))  # loaded as far as it goes: it answers every request with the error
        _answer_errors_forever(conn, f"cannot load backend module {module!r}: {type(exc).__name__}: {exc}")
        return
    found = getattr(backend, "warm_up", None)
    warm_up: Callable[[], object] | None = found if callable(found) else None  # still to run; None: done or none
    if ahead and warm_up is not None:
        _warm(warm_up)
        warm_up = None
    _answer(conn, ("ready", "cold" if warm_up is not None else "warm"))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message[0] != "solve":
            return
        _solve_one(conn, backend, *message[1:])
        if warm_up is not None:
            _warm(warm_up)
            warm_up = None
            _answer(conn, ("ready", "warm"))


def _warm(warm_up: Callable[[], object]) -> None:
    """Runs the backend's `warm_up`, once; a failure is ignored (only a head start: a solve loads or
    compiles what it uses itself)."""
    with contextlib.suppress(Exception):
        warm_up()


def _solve_one(conn: Connection, backend: object, problem_json: str, options_json: str, started: float) -> None:
    from solvers.objective import is_maximised  # after the backend: this module stays light

    try:
        problem = PROBLEM_ADAPTER.validate_json(problem_json)
        sender = IncumbentSender(conn, BestBound(is_maximised(problem), backend=None))
        options = SolveOptions.model_validate_json(options_json)
        try:
            raw = backend.solve(problem, SolveContext(options=options, progress=sender, started=started))  # type: ignore[attr-defined]
            sender.flush()
        finally:
            sender.close()  # before any answer, an error's too
        _answer(conn, ("result", raw.model_dump_json()))
    except MemoryError:
        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        _answer(conn, ("error", f"the solve ran out of its memory limit of {limit / 1024**2:.0f} MiB "
                                "(OPTSERVE_MAX_SOLVER_MEMORY)"))
    except Exception as exc:
        _answer(conn, ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-3)}"))


def _answer(conn: Connection, message: tuple[str, str]) -> None:
    """Sends the solve's answer unless the parent has hung up (it gave up on this solve: time
    limit, cancel): then nobody is listening, and the next `recv` ends the process quietly. Why
    not let it raise: the process died printing two BrokenPipeError tracebacks (an incumbent's,
    then the error's) for every solve the parent abandoned mid-report."""
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        conn.send(message)


def _answer_errors_forever(conn: Connection, text: str) -> None:
    while True:
        try:
            conn.recv()
            conn.send(("error", text))
        except (EOFError, OSError):
            return
