"""Scheduling data flattened for solvers: operations as records, setups as arrays, a horizon.

Every backend (MIP, CP-SAT, heuristics) reads the problem through this one view, so machine
ids, job positions and setup lookups are resolved once.
"""

from dataclasses import dataclass

import numpy as np

from models import SchedulingObjective, SchedulingProblem
from models._base import Id


@dataclass(frozen=True)
class OpChoice:
    """One way to run an operation: machine position and duration."""

    machine: int
    duration: int


@dataclass(frozen=True)
class FlatOp:
    """Operation `index` of job position `job`, with its machine choices."""

    job: int
    index: int
    choices: tuple[OpChoice, ...]


@dataclass(frozen=True)
class ScheduleData:
    """The problem in positional form (jobs and machines by position)."""

    problem: SchedulingProblem
    machine_ids: tuple[Id, ...]
    ops: tuple[FlatOp, ...]
    job_ops: tuple[tuple[int, ...], ...]
    """For each job position, the positions in `ops` of its operations, in order."""
    setups: tuple[tuple[tuple[int, ...], ...] | None, ...]
    """For each machine position, its setup matrix (job x job) or None."""

    @property
    def n_jobs(self) -> int:
        return len(self.job_ops)

    @property
    def n_machines(self) -> int:
        return len(self.machine_ids)

    @property
    def has_setups(self) -> bool:
        return any(s is not None for s in self.setups)

    @property
    def minimise_makespan(self) -> bool:
        return self.problem.objective is SchedulingObjective.makespan

    def setup(self, machine: int, job_a: int, job_b: int) -> int:
        matrix = self.setups[machine]
        return 0 if matrix is None else matrix[job_a][job_b]

    def max_setup(self, machine: int) -> int:
        matrix = self.setups[machine]
        return 0 if matrix is None else max((max(row) for row in matrix), default=0)

    def horizon(self) -> int:
        """A safe upper bound on any end time: everything in sequence, worst choices and setups."""
        longest = sum(max(c.duration for c in op.choices) for op in self.ops)
        worst_setup = max((self.max_setup(m) for m in range(self.n_machines)), default=0)
        latest_release = max((job.release for job in self.problem.jobs), default=0)
        return latest_release + longest + worst_setup * len(self.ops)


def flatten(problem: SchedulingProblem) -> ScheduleData:
    """Resolves ids to positions once."""
    position = {str(m): k for k, m in enumerate(problem.machines)}
    ops: list[FlatOp] = []
    job_ops: list[tuple[int, ...]] = []
    for j, job in enumerate(problem.jobs):
        mine: list[int] = []
        for k, op in enumerate(job.operations):
            choices = tuple(OpChoice(position[str(c.machine)], c.duration) for c in op.choices())
            mine.append(len(ops))
            ops.append(FlatOp(j, k, choices))
        job_ops.append(tuple(mine))
    setups = []
    for machine in problem.machines:
        matrix = problem.setup_matrix(machine)
        setups.append(None if matrix is None else tuple(tuple(row) for row in matrix))
    return ScheduleData(problem, tuple(problem.machines), tuple(ops), tuple(job_ops), tuple(setups))


def setup_layers(data: ScheduleData) -> tuple[np.ndarray, np.ndarray]:
    """Setup matrices stacked for the machines that have one, and each machine's layer (-1: none):
    the form the compiled kernels read setups in."""
    layers = [m for m in range(data.n_machines) if data.setups[m] is not None]
    sidx = np.full(data.n_machines, -1, dtype=np.int64)
    if not layers:
        return np.zeros((1, 1, 1), dtype=np.int64), sidx
    for k, m in enumerate(layers):
        sidx[m] = k
    return np.array([data.setups[m] for m in layers], dtype=np.int64), sidx
