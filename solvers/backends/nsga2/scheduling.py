"""NSGA-II encoding for scheduling: an operation-based permutation decoded into an active schedule.

Genome: a permutation of 0..N-1 over the N operations; token t stands for its job only
(`token_job[t]`), and the k-th token of a job met while reading the genome is that job's k-th
operation, so every permutation is a valid order (job precedence holds by construction).

Decoding places operations in genome order, each on the machine choice where it finishes
first, at the earliest time its job allows, inserted into the first idle gap of that machine
that can hold it together with the setups before and after it (else after the machine's last
operation). Gap insertion makes the schedules active: no operation could start earlier without
delaying another. Order crossover and inversion mutation keep permutations valid. Seeds:
dispatching orders (earliest due date, shortest and longest work, release, weighted work) and
the caller's warm start, read back into a permutation by start times.
"""

import bisect

import numpy as np
from numpy.typing import NDArray
from pymoo.operators.crossover.ox import OrderCrossover
from pymoo.operators.mutation.inversion import InversionMutation

from models import ScheduledOperation, ScheduleSolution, SchedulingProblem
from models.problem import Solution
from solvers.backends.nsga2.encodings import Encoding, FloatArray
from solvers.families.scheduling.data import ScheduleData, flatten

CACHE_SIZE = 100_000
Slot = tuple[int, int, int]
"""(start, end, job position) of one operation on a machine."""


class ScheduleEncoding(Encoding):
    """See the module docstring."""

    vtype = int

    def __init__(self, problem: SchedulingProblem) -> None:
        super().__init__(problem)
        self.data: ScheduleData = flatten(problem)
        self.criteria = problem.criteria()
        self.token_job = np.array([j for j, ops in enumerate(self.data.job_ops) for _ in ops], dtype=np.int64)
        self.first_token = np.concatenate([[0], np.cumsum([len(ops) for ops in self.data.job_ops])[:-1]])
        self.n_var = len(self.token_job)
        self.lower, self.upper = 0, self.n_var - 1
        self._cache: dict[bytes, tuple[list[tuple[int, int, int]], list[float]]] = {}

    def operators(self) -> dict[str, object]:
        return {"crossover": OrderCrossover(), "mutation": InversionMutation(), "eliminate_duplicates": True}

    def schedule(self, genome: FloatArray) -> tuple[list[tuple[int, int, int]], list[float]]:
        """(machine, start, end) per entry of `data.ops`, and the objective vector."""
        genes = np.asarray(genome, dtype=np.int64)
        key = genes.tobytes()
        hit = self._cache.get(key)
        if hit is None:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            placements = self._decode(genes)
            hit = (placements, self._vector(placements))
            self._cache[key] = hit
        return hit

    def _decode(self, genes: NDArray[np.int64]) -> list[tuple[int, int, int]]:
        data = self.data
        next_op = [0] * data.n_jobs
        job_ready = [job.release for job in data.problem.jobs]
        timelines: list[list[Slot]] = [[] for _ in range(data.n_machines)]
        placements: list[tuple[int, int, int]] = [(0, 0, 0)] * len(data.ops)
        for token in genes:
            j = int(self.token_job[token])
            op = data.job_ops[j][next_op[j]]
            next_op[j] += 1
            best: tuple[int, int, int, int] | None = None
            for choice in data.ops[op].choices:
                start = self._earliest(timelines[choice.machine], choice.machine, job_ready[j], choice.duration, j)
                candidate = (start + choice.duration, start, choice.machine, choice.duration)
                if best is None or candidate < best:
                    best = candidate
            assert best is not None, "an operation without machine choices"
            end, start, machine, _ = best
            bisect.insort(timelines[machine], (start, end, j))
            placements[op] = (machine, start, end)
            job_ready[j] = end
        return placements

    def _earliest(self, timeline: list[Slot], machine: int, ready: int, duration: int, job: int) -> int:
        """Earliest start on `machine` at or after `ready`: in the first idle gap that fits, else at the end."""
        setup = self.data.setup
        prev_end, prev_job = 0, -1
        for start_b, end_b, job_b in timeline:
            start = max(ready, prev_end + (setup(machine, prev_job, job) if prev_job >= 0 else 0))
            if start + duration + setup(machine, job, job_b) <= start_b:
                return start
            prev_end, prev_job = end_b, job_b
        return max(ready, prev_end + (setup(machine, prev_job, job) if prev_job >= 0 else 0))

    def _vector(self, placements: list[tuple[int, int, int]]) -> list[float]:
        jobs = self.data.problem.jobs
        completion = [max(placements[o][2] for o in ops) if ops else 0 for ops in self.data.job_ops]
        values = {
            "makespan": float(max(completion, default=0)),
            "total_completion_time": float(sum(completion)),
            "total_weighted_tardiness": float(sum(job.weight * max(0, c - job.due)
                                                  for job, c in zip(jobs, completion, strict=True)
                                                  if job.due is not None)),
        }
        return [values[name] for name in self.criteria]

    def evaluate(self, x: FloatArray) -> tuple[FloatArray, None]:
        return np.array([self.schedule(genome)[1] for genome in x], dtype=np.float64), None

    def decode(self, x: FloatArray) -> ScheduleSolution:
        placements, _ = self.schedule(x)
        jobs, machines = self.data.problem.jobs, self.data.machine_ids
        return ScheduleSolution(operations=[
            ScheduledOperation(job=jobs[op.job].id, index=op.index, machine=machines[m], start=s, end=e)
            for op, (m, s, e) in zip(self.data.ops, placements, strict=True)
        ])

    def initial(self, count: int, rng: np.random.Generator, warm: Solution | None) -> FloatArray:
        seeds = [self._interleaved(key) for key in self._rule_keys()]
        seeds += [self._sequential(key) for key in self._rule_keys()]
        if isinstance(warm, ScheduleSolution):
            read = self._from_solution(warm)
            if read is not None:
                seeds.append(read)
        randoms = [rng.permutation(self.n_var) for _ in range(max(0, count - len(seeds)))]
        return np.array(seeds + randoms, dtype=np.int64)[: max(count, len(seeds))]

    def _rule_keys(self) -> list[NDArray[np.float64]]:
        jobs, data = self.data.problem.jobs, self.data
        work = np.array([sum(min(c.duration for c in data.ops[o].choices) for o in ops) for ops in data.job_ops],
                        dtype=np.float64)
        due = np.array([np.inf if job.due is None else job.due for job in jobs], dtype=np.float64)
        release = np.array([job.release for job in jobs], dtype=np.float64)
        weight = np.array([max(job.weight, 1e-9) for job in jobs])
        return [due, work, -work, release, work / weight]

    def _interleaved(self, key: NDArray[np.float64]) -> NDArray[np.int64]:
        """Round by round: every job's k-th operation, jobs ordered by `key`."""
        order = np.lexsort((np.arange(len(key)), key))
        rounds = max(len(ops) for ops in self.data.job_ops)
        return np.array([self.first_token[j] + k for k in range(rounds) for j in order
                         if k < len(self.data.job_ops[j])], dtype=np.int64)

    def _sequential(self, key: NDArray[np.float64]) -> NDArray[np.int64]:
        """Job after job, ordered by `key`."""
        order = np.lexsort((np.arange(len(key)), key))
        return np.array([self.first_token[j] + k for j in order for k in range(len(self.data.job_ops[j]))],
                        dtype=np.int64)

    def _from_solution(self, solution: ScheduleSolution) -> NDArray[np.int64] | None:
        position = {str(job.id): j for j, job in enumerate(self.data.problem.jobs)}
        ordered = sorted(solution.operations, key=lambda op: (op.start, op.end))
        jobs = [position.get(str(op.job)) for op in ordered]
        if None in jobs or len(jobs) != self.n_var:
            return None
        used = [0] * self.data.n_jobs
        genome = []
        for j in jobs:
            assert j is not None
            if used[j] >= len(self.data.job_ops[j]):
                return None
            genome.append(int(self.first_token[j]) + used[j])
            used[j] += 1
        return np.array(genome, dtype=np.int64)
