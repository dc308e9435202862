"""A schedule executed on the shop floor: the plan's machine sequences are kept, times are random.

Each machine runs its operations in the planned order; an operation starts when its job's
previous operation is done and the machine is free (plus setup). Breakdowns follow an
exponential clock per machine (busy or idle) and interrupt processing, which resumes after the
repair (preempt-resume) — the classic SimPy machine-shop pattern.
"""

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from models import ScheduleSolution, SchedulingProblem
from models.simulation import SchedulingSimModel
from solvers.families.scheduling.data import ScheduleData, flatten
from solvers.simulation.sampling import Sampler
from solvers.simulation.streams import Streams


class Machine:
    """One machine: its planned sequence, its failure clock, its busy time."""

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.broken = False
        self.repaired = env.event()
        self.busy = 0.0
        self.process: simpy.Process | None = None
        self.processing = False


class ShopSim:
    """One replication of a schedule."""

    def __init__(self, problem: SchedulingProblem, solution: ScheduleSolution, model: SchedulingSimModel,
                 streams: Streams) -> None:
        self.data: ScheduleData = flatten(problem)
        self.model, self.streams = model, streams
        self.env = simpy.Environment()
        self.machines = [Machine(self.env) for _ in self.data.machine_ids]
        self.done = {(j, k): self.env.event() for j, ops in enumerate(self.data.job_ops) for k in range(len(ops))}
        self.finish: dict[tuple[int, int], float] = {}
        self.sequences = self._sequences(solution)

    def _sequences(self, solution: ScheduleSolution) -> list[list[tuple[int, int, float]]]:
        """Per machine: (job, op index, sampled duration) in the planned order."""
        job_pos = {str(job.id): j for j, job in enumerate(self.data.problem.jobs)}
        machine_pos = {str(m): k for k, m in enumerate(self.data.machine_ids)}
        sequences: list[list[tuple[float, int, int, float]]] = [[] for _ in self.machines]
        for op in solution.operations:
            j, m = job_pos[str(op.job)], machine_pos[str(op.machine)]
            sampler = Sampler(self.model.processing_time, self.streams.rng("op", str(op.job), op.index))
            sequences[m].append((op.start, j, op.index, sampler.draw(float(op.end - op.start))))
        return [[(j, k, d) for _, j, k, d in sorted(seq)] for seq in sequences]

    def run(self) -> dict[str, float]:
        for m, machine in enumerate(self.machines):
            machine.process = self.env.process(self._operate(m))
            if self.model.breakdowns is not None:
                self.env.process(self._fail(m))
        self.env.run(until=simpy.AllOf(self.env, list(self.done.values())))
        return self._kpis()

    def _operate(self, m: int) -> Generator[simpy.Event, Any, None]:
        machine, previous = self.machines[m], None
        for j, k, duration in self.sequences[m]:
            release = self.data.problem.jobs[j].release if k == 0 else 0
            waits = [self.done[(j, k - 1)]] if k > 0 else []
            yield simpy.AllOf(self.env, waits) if waits else self.env.timeout(max(0.0, release - self.env.now))
            if previous is not None:
                yield self.env.timeout(self.data.setup(m, previous, j))
            yield from self._process(machine, duration)
            self.finish[(j, k)] = self.env.now
            self.done[(j, k)].succeed()
            previous = j

    def _process(self, machine: Machine, duration: float) -> Generator[simpy.Event, Any, None]:
        remaining = duration
        while remaining > 1e-12:
            if machine.broken:
                yield machine.repaired
            started = self.env.now
            machine.processing = True
            try:
                yield self.env.timeout(remaining)
                remaining = 0.0
            except simpy.Interrupt:
                remaining -= self.env.now - started
            finally:
                machine.processing = False
                machine.busy += self.env.now - started

    def _fail(self, m: int) -> Generator[simpy.Event, Any, None]:
        machine = self.machines[m]
        breakdowns = self.model.breakdowns
        assert breakdowns is not None
        rng = self.streams.rng("breakdown", str(self.data.machine_ids[m]))
        while True:
            yield self.env.timeout(rng.exponential(breakdowns.mtbf))
            machine.broken = True
            if machine.processing and machine.process is not None:
                machine.process.interrupt()
            yield self.env.timeout(rng.exponential(breakdowns.mttr))
            machine.broken = False
            machine.repaired.succeed()
            machine.repaired = self.env.event()

    def _kpis(self) -> dict[str, float]:
        jobs = self.data.problem.jobs
        completion = [self.finish[(j, len(ops) - 1)] for j, ops in enumerate(self.data.job_ops)]
        makespan = max(completion)
        tardiness = sum(job.weight * max(0.0, c - job.due) for job, c in zip(jobs, completion, strict=True)
                        if job.due is not None)
        kpis = {"makespan": makespan, "total_weighted_tardiness": float(tardiness),
                "total_completion_time": float(np.sum(completion)),
                "utilisation": sum(m.busy for m in self.machines) / (len(self.machines) * makespan or 1.0)}
        if self.model.due is not None:
            kpis["on_time"] = float(makespan <= self.model.due)
        return kpis


def simulate_schedule(problem: SchedulingProblem, solution: ScheduleSolution, model: SchedulingSimModel,
                      streams: Streams) -> dict[str, float]:
    return ShopSim(problem, solution, model, streams).run()
