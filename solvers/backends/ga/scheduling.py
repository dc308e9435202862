"""Scheduling encoding: operation-based permutations decoded into active schedules.

Genome: job positions, each job once per operation (see `schedule_decoder`). Every genome is a
valid schedule, whatever the operators do, so nothing is penalised. Operators: job-order
crossover (JOX: a random subset of jobs keeps its positions from the first parent, the other jobs
fill the remaining positions in the second parent's order) and mutation by moving one entry
elsewhere (insertion) or swapping two. The decoder's scheduling order replaces the genome
(Lamarckian), so genomes that decode to the same schedule look the same to the engine.

Makespan genomes are improved before they are scored by `schedule_decoder.critical_search`
(moves of operations adjacent on a critical machine block, each decoded): a memetic GA. Each search
runs in pieces of at most PIECE_SECONDS of trial decodes (sized at the pace of the last piece), with
the clock read between pieces: the engine reads it between evaluations only.

The initial population holds the priority-rule schedules of `schedule_heuristic` (as genomes:
operations by start time) and random permutations.
"""

import random
import time
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from models import ScheduleSolution
from models.problem import Solution
from solvers.backends.ga.schedule_decoder import FlatShop
from solvers.families.scheduling.data import ScheduleData
from solvers.families.scheduling.heuristic import MAKESPAN_RULES, TARDINESS_RULES, Placement, build_each, to_solution

Genome = NDArray[np.int64]
NO_TRIAL_LIMIT = 1 << 40
TIMED_DECODES = 3
PIECE_SECONDS = 0.1
"""Longest budgeted piece of a critical-path search. One piece sized to all the time left (the first
version) ended 0.55 s past its deadline at a 1.5 s limit on 300 x 20 in a CI run, the other test worker
slowing the decodes below the pace timed alone; pieces of 0.05 s that restarted their walk re-decoded
their start (a tenth of the decodes on 300 x 20) and left the 5 s answer at the heuristic's 16121.
Resumed pieces of 0.25 s at the pace timed first still ended 0.49 s past it in a later CI run (the
browser tests beside it); now pieces of 0.1 s, each sized at the pace of the last one."""


class SchedulingEncoding:
    """See the module docstring."""

    maximise = False

    def __init__(self, data: ScheduleData, deadline: float | None = None, search_rounds: int = 1000) -> None:
        self.data = data
        self.starts: Sequence[tuple[Placement, ...]] | None = None
        """The priority rules' schedules (`rules`), when the caller has built them already (the GA backend
        builds them for its quick solution: on 300 x 20 building them twice took 0.9 s of a 1.5 s
        limit with the other core busy)."""
        self.deadline = deadline
        """When evaluations must be over (time.monotonic); None: no limit on a search's decodes."""
        self.search_rounds = search_rounds
        self.decode_seconds, self.timed = float("inf"), 0
        self.shop = FlatShop.of(data)
        self.base = np.repeat(np.arange(data.n_jobs, dtype=np.int64), self.shop.job_len)
        self._job = {str(job.id): j for j, job in enumerate(data.problem.jobs)}

    # -- the encoding protocol

    def initial(self, rng: random.Random, count: int) -> list[Genome]:
        starts = self.starts if self.starts is not None else build_each(self.data, self.rules())
        genomes = [self._by_start([(p.start, p.end) for p in placements]) for placements in starts]
        while len(genomes) < count:
            genome = list(self.base)
            rng.shuffle(genome)
            genomes.append(np.array(genome, dtype=np.int64))
        return genomes[:max(count, 1)]

    def rules(self) -> tuple[str, ...]:
        """The priority rules whose schedules start the population."""
        return tuple(MAKESPAN_RULES if self.data.minimise_makespan else TARDINESS_RULES)

    def crossover(self, a: Genome, b: Genome, rng: random.Random) -> Genome:
        """JOX: the kept jobs stay where `a` has them; the rest follow `b`'s order."""
        bits = rng.getrandbits(self.data.n_jobs)
        keep = np.array([(bits >> j) & 1 for j in range(self.data.n_jobs)], dtype=bool)
        child = a.copy()
        child[~keep[a]] = b[~keep[b]]
        return child

    def mutate(self, genome: Genome, rng: random.Random) -> Genome:
        """Swaps two entries, or moves one entry elsewhere (insertion), with equal chance."""
        n = len(genome)
        if n < 2:
            return genome
        i, j = rng.sample(range(n), 2)
        child = genome.copy()
        if rng.random() < 0.5:
            child[i], child[j] = child[j], child[i]
        elif i < j:
            child[i:j] = genome[i + 1:j + 1]
            child[j] = genome[i]
        else:
            child[j + 1:i + 1] = genome[j:i]
            child[j] = genome[i]
        return child

    def evaluate(self, genome: Genome) -> tuple[Genome, float]:
        """Makespan: decoded and improved by the critical-path search; tardiness: decoded."""
        if self.shop.makespan:
            return self._improve(genome)
        decoded = self.shop.decode(genome)
        return decoded.order, decoded.value

    def _improve(self, genome: Genome) -> tuple[Genome, float]:
        """The critical-path search, in pieces of trial decodes until it ends or the deadline passes."""
        if self.deadline is None:
            improved, value, _ = self.shop.improve(genome, self.search_rounds, NO_TRIAL_LIMIT)
            return improved, value
        if time.monotonic() >= self.deadline:  # an evaluation the engine asks for after the deadline
            decoded = self.shop.decode(genome)
            return decoded.order, decoded.value
        resume = -1
        while True:
            budget, began = self._piece(genome), time.monotonic()
            genome, value, resume = self.shop.improve(genome, self.search_rounds, budget, resume)
            if resume >= 0:  # the budget was spent: its pace is the machine's pace now
                self.decode_seconds = max((time.monotonic() - began) / budget, 1e-7)
            if resume < 0 or time.monotonic() >= self.deadline:
                return genome, value

    def _piece(self, genome: Genome) -> int:
        """Trial decodes in PIECE_SECONDS or the time left if shorter (at least one), at the pace of the
        last piece that spent its budget, or before any did, of the fastest of the first TIMED_DECODES
        decodes (a first one in a fresh process also loads the kernel)."""
        if self.timed < TIMED_DECODES:
            began = time.monotonic()
            self.shop.decode(genome)
            self.timed += 1
            self.decode_seconds = min(self.decode_seconds, max(time.monotonic() - began, 1e-7))
        seconds = min(PIECE_SECONDS, self.deadline - time.monotonic())  # type: ignore[operator]
        return max(1, int(seconds / self.decode_seconds))

    def key(self, genome: Genome) -> bytes:
        return genome.tobytes()

    # -- wire formats

    def solution(self, genome: Genome) -> ScheduleSolution:
        decoded = self.shop.decode(genome)
        placements = [Placement(int(m), int(s), int(e))
                      for m, s, e in zip(decoded.machine, decoded.start, decoded.end, strict=True)]
        return to_solution(self.data, placements)

    def from_solution(self, solution: Solution) -> Genome | None:
        """The operations of a schedule by start time (then end time), as a genome."""
        if not isinstance(solution, ScheduleSolution):
            return None
        times = [(0, 0)] * len(self.data.ops)
        for op in solution.operations:
            j = self._job.get(str(op.job))
            if j is None or op.index >= len(self.data.job_ops[j]):
                return None
            times[self.data.job_ops[j][op.index]] = (op.start, op.end)
        return self._by_start(times)

    def _by_start(self, times: list[tuple[int, int]]) -> Genome:
        """Operations sorted by (start, end, job, index) as a job sequence; within a job the
        operation order is kept whatever the times say."""
        keyed = sorted(range(len(times)), key=lambda o: (times[o], self.data.ops[o].job, self.data.ops[o].index))
        return np.array([self.data.ops[o].job for o in keyed], dtype=np.int64)
