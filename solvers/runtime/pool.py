"""Solve processes, one-shot or kept warm per backend module.

Starting a process and importing a solver library costs far more than solving a small problem;
a pool keeps processes that finished cleanly and hands them out again for the same module.
A process that was killed (deadline, cancellation) or crashed is never reused.
"""

import contextlib
import multiprocessing.context
import os
import signal
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from solvers.runtime.worker import serve_main

MAX_SOLVES_PER_PROCESS = 200
"""Retire a warm process after this many solves, bounding any slow leak in a native library."""
READINESS = {"warm": 2, "cold": 1, "loading": 0}
"""Preference among idle processes (`SolveProcess.state`)."""


def _context() -> multiprocessing.context.ForkServerContext:
    """A fork server that preloads only the light worker module (never a solver library)."""
    ctx = multiprocessing.context.ForkServerContext()
    ctx.set_forkserver_preload(["solvers.runtime.worker"])
    return ctx


class SolveProcess:
    """One child process serving solves for one backend module over a duplex pipe."""

    def __init__(self, module: str, max_memory: int | None, ahead: bool = False) -> None:
        """`ahead`: started before any request needs it, so it also runs the backend's `warm_up`."""
        self.key = (module, max_memory)
        self.solves = 0
        self.state = "loading"
        """What the process last said between requests (`worker.serve_main`): "loading" (nothing
        yet), "cold" (loaded, its `warm_up` not run) or "warm"."""
        ctx = _context()
        self._conn, child = ctx.Pipe(duplex=True)
        self._process = ctx.Process(target=serve_main, args=(child, module, max_memory, ahead), daemon=True)
        self._process.start()
        child.close()
        self._sender: threading.Thread | None = None

    def send_solve(self, problem_json: str, options_json: str, started: float) -> None:
        """Sends the request from a thread, so the caller goes on watching the clock at once. Why:
        the child reads its pipe only when it is done loading (or done with its post-solve warm-up),
        and a large problem (1 MB for 100 x 1,000 facility location) fills the pipe's buffer, so the
        send blocked the caller until then: a portfolio member handed a process still loading
        answered 0.3-0.9 s past its time limit plus margin (`bench/time_limits.py`)."""
        self.solves += 1
        message = ("solve", problem_json, options_json, started)
        self._sender = threading.Thread(target=self._send_quietly, args=(message,), name="optserve-send", daemon=True)
        self._sender.start()

    def _send_quietly(self, message: tuple[str, str, str, float]) -> None:
        """A send cut short by the child's death (killed at the deadline) has nobody left to tell."""
        with contextlib.suppress(OSError):
            self._conn.send(message)

    def receive(self, timeout: float) -> Any:
        """The next message of a solve, or None if none arrived within `timeout` ("ready" messages
        only update `state`)."""
        deadline = time.monotonic() + timeout
        while self._conn.poll(max(0.0, deadline - time.monotonic())):
            message = self._conn.recv()
            if message[0] != "ready":
                return message
            self.state = message[1]
        return None

    def idle_and_clean(self) -> bool:
        """True when the process is alive and has sent nothing but "ready" since its last answer
        (anything else would be read as the next solve's); reads those."""
        try:
            return self.alive() and self.receive(0.0) is None
        except (EOFError, OSError):
            return False

    @property
    def connection(self) -> Connection:
        return self._conn

    def alive(self) -> bool:
        return self._process.is_alive()

    def exitcode(self) -> int | None:
        self._process.join(timeout=1)
        return self._process.exitcode

    def kill(self) -> None:
        """Kills the process and its group (solver binaries such as CBC run as its children)."""
        pid = self._process.pid
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        if self._process.is_alive():
            self._process.kill()
        self._process.join(timeout=5)
        if self._sender is not None:
            self._sender.join(timeout=5)  # ends with the child's end of the pipe; closing first may hit a reused fd
        self._conn.close()


class WorkerPool:
    """Idle warm processes per (module, memory cap); thread-safe."""

    def __init__(self, max_idle_per_module: int = 2) -> None:
        self.max_idle = max_idle_per_module
        self._idle: dict[tuple[str, int | None], list[SolveProcess]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def acquire(self, module: str, max_memory: int | None) -> SolveProcess:
        """An idle process of `module`, warm ones first, then loaded ones, then the most recently
        released; a new one (started for this request: no warm-up) when none is idle."""
        with self._lock:
            idle = self._idle.get((module, max_memory), [])
            idle[:] = usable = _drop_unclean(idle)
            if usable:
                chosen = max(reversed(usable), key=lambda process: READINESS[process.state])
                idle.remove(chosen)
                return chosen
        return SolveProcess(module, max_memory)

    def release(self, process: SolveProcess) -> None:
        with self._lock:
            idle = self._idle.setdefault(process.key, [])
            reusable = process.alive() and process.solves < MAX_SOLVES_PER_PROCESS
            if not self._closed and reusable and len(idle) < self.max_idle:
                idle.append(process)
                return
        process.kill()

    def loading_modules(self) -> set[str]:
        """Modules with an idle process still loading (its library, or its kernels when started
        ahead). Idle processes that said anything but "ready" are dropped, as `acquire` would."""
        with self._lock:
            loading: set[str] = set()
            for idle in self._idle.values():
                idle[:] = usable = _drop_unclean(idle)
                loading.update(process.key[0] for process in usable if process.state == "loading")
            return loading

    def warm(self, module: str, max_memory: int | None) -> None:
        """Starts a process ahead of the first request (it imports its library and loads its
        compiled kernels meanwhile)."""
        self.release(SolveProcess(module, max_memory, ahead=True))

    def replace(self, killed: SolveProcess) -> None:
        """Starts a fresh process for the module of a process that was just killed (deadline,
        cancellation, crash). Without it the next request for that module starts cold and spends
        its time limit importing: at 1-2 s limits that run was killed in turn, and so was the next
        (bench.anytime lost whole rows to this chain on a loaded machine)."""
        with self._lock:
            full = self._closed or len(self._idle.get(killed.key, [])) >= self.max_idle
        if not full:
            self.warm(*killed.key)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            processes = [p for idle in self._idle.values() for p in idle]
            self._idle.clear()
        for process in processes:
            process.kill()


def _drop_unclean(idle: list[SolveProcess]) -> list[SolveProcess]:
    """The idle processes still fit to hand out; the others (dead, or holding a message that would be
    read as the next solve's) are killed."""
    usable = [process for process in idle if process.idle_and_clean()]
    for process in idle:
        if process not in usable:
            process.kill()
    return usable
