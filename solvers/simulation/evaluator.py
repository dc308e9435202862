"""Scores candidates by replications, in parallel worker processes, with common random numbers.

Replication r of every candidate uses the same streams (under CRN), so results are comparable
pair by pair; the evaluator remembers every replication it ran so adding replications to a
candidate never repeats or wastes work.
"""

import concurrent.futures
import multiprocessing.context
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from models.problem import Problem
from models.problem_solutions import Solution
from models.simulation import SimulationSpec
from solvers.simulation.tasks import PROBLEM, run_batch


class SimulationStopped(Exception):
    """The deadline passed or the caller cancelled while replications were running."""


@dataclass
class Evaluator:
    """Replications of candidates, cached per candidate key."""

    problem: Problem
    spec: SimulationSpec
    deadline: float
    cancelled: Callable[[], bool] = lambda: False
    workers: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    results: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    total_replications: int = 0
    _keys: dict[str, int] = field(default_factory=dict)
    _pool: concurrent.futures.ProcessPoolExecutor | None = None

    def __post_init__(self) -> None:
        self._problem_json = PROBLEM.dump_json(self.problem).decode()
        self._model_json = __import__("json").dumps(self.spec.model)

    def kpis(self, solution: Solution, replications: int) -> list[dict[str, float]]:
        """At least `replications` replications of `solution` (runs only the missing ones)."""
        key = solution.model_dump_json()
        done = self.results.setdefault(key, [])
        missing = list(range(len(done), replications))
        if missing:
            self._check_time()
            candidate = None if self.spec.common_random_numbers else self._keys.setdefault(key, len(self._keys))
            done.extend(self._run(key, missing, candidate))
            self.total_replications += len(missing)
        return done[:replications]

    def _run(self, solution_json: str, replications: list[int], candidate: int | None) -> list[dict[str, float]]:
        if self.workers <= 1 or len(replications) < 4:
            return run_batch(self._problem_json, solution_json, self._model_json, self.spec.seed, replications,
                             candidate)
        chunks = [replications[k::self.workers] for k in range(self.workers)]
        futures = [self._executor().submit(run_batch, self._problem_json, solution_json, self._model_json,
                                           self.spec.seed, chunk, candidate) for chunk in chunks if chunk]
        by_rep: dict[int, dict[str, float]] = {}
        for chunk, future in zip(chunks, futures, strict=False):
            by_rep.update(zip(chunk, self._wait(future), strict=True))
        return [by_rep[r] for r in replications]

    def _wait(self, future: concurrent.futures.Future[list[dict[str, float]]]) -> list[dict[str, float]]:
        while True:
            self._check_time()
            try:
                return future.result(timeout=0.1)
            except concurrent.futures.TimeoutError:
                continue

    def _check_time(self) -> None:
        if self.cancelled() or time.monotonic() >= self.deadline:
            raise SimulationStopped

    def _executor(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.context.ForkServerContext()
            self._pool = concurrent.futures.ProcessPoolExecutor(self.workers, mp_context=context)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            processes = list((getattr(self._pool, "_processes", None) or {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.kill()
                process.join(timeout=5)
            self._pool = None
