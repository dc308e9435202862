"""Scores candidates by replications, in parallel, with common random numbers.

Replication r of every candidate uses the same streams (under CRN), so results are comparable
pair by pair; the evaluator remembers every replication it ran so adding replications to a
candidate never repeats or wastes work. Where batches run (local processes, Celery workers) is
the injected runner's business: see solvers/simulation/runners.py.
"""

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from models.problem import Problem
from models.problem_solutions import Solution
from models.simulation import SimulationSpec
from models.staffing import StaffingProblem
from solvers.simulation.runners import Batch, BatchRunner, default_runner
from solvers.simulation.tasks import PROBLEM, run_batch

INLINE_BELOW = 4
"""Fewer missing replications than this run in the calling process: a hand-off would cost more."""
POLL_SECONDS = 0.1
"""Longest wait on a batch between two looks at the deadline and the cancel flag."""


def model_payload(problem: Problem, spec: SimulationSpec) -> dict[str, Any]:
    """What a replication needs besides problem and solution: the plan family's randomness
    (`spec.model`), or for staffing (whose randomness is in the problem) the warm-up rule."""
    if isinstance(problem, StaffingProblem):
        return {"warmup": spec.warmup}
    return spec.model


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
    stopped: bool = False
    """Set once a deadline or a cancel interrupted replications: the caller's answer is then cut short."""
    runner: BatchRunner[Any] | None = None
    _keys: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._problem_json = PROBLEM.dump_json(self.problem).decode()
        self._model_json = json.dumps(model_payload(self.problem, self.spec))
        self._runner: BatchRunner[Any] = self.runner if self.runner is not None else default_runner(self.workers)

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
        if len(replications) < INLINE_BELOW:
            return run_batch(self._problem_json, solution_json, self._model_json, self.spec.seed, replications,
                             candidate)
        batches = [Batch(self._problem_json, solution_json, self._model_json, self.spec.seed, chunk, candidate)
                   for chunk in self._runner.split(replications)]
        expires_in = max(1.0, self.deadline - time.monotonic())
        handles = [self._runner.submit(batch, expires_in) for batch in batches]
        by_rep: dict[int, dict[str, float]] = {}
        collected = 0
        try:
            for batch, handle in zip(batches, handles, strict=True):
                by_rep.update(zip(batch.replications, self._wait(handle), strict=True))
                collected += 1
        finally:
            if collected < len(handles):  # stopped or failed: outstanding batches are not wanted
                self._runner.cancel(handles[collected:])
        return [by_rep[r] for r in replications]

    def _wait(self, handle: Any) -> list[dict[str, float]]:
        while True:
            self._check_time()
            kpis = self._runner.poll(handle, POLL_SECONDS)
            if kpis is not None:
                return kpis

    def _check_time(self) -> None:
        if self.cancelled() or time.monotonic() >= self.deadline:
            self.stopped = True
            raise SimulationStopped

    def close(self) -> None:
        self._runner.close()
