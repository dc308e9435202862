"""Tabu search for the job shop (makespan) on the disjunctive graph; numba, no solver.

Why: CP-SAT with one worker proves 10 x 10 job shops quickly, but on 15 x 10 and larger it
improves slowly from a constructive start (10 s: la29 1293, abz7 697, swv01 1515, ta01 1315;
optima 1152, 656, 1407, 1231), where this search reached la29 1181, abz7 659, swv01 1450,
ta01 1262 in the same time (45,000-60,000 iterations of the first, plain-Python version; the
compiled kernel of `tabu_kernel` runs the same iterations 50-100 times faster). Its best
schedule then hints CP-SAT, and its makespan becomes CP-SAT's horizon.

The schedule is one sequence per machine. Each iteration computes heads r (earliest starts) and
tails q (longest path after an operation ends) in topological order, takes one critical path
and its blocks (maximal runs of consecutive critical operations on one machine), and scores
block moves (the N7 neighbourhood of Zhang et al. 2007: swap the first or last two operations
of a block, as in Nowicki-Smutnicki N5, and move an operation to the front or back of its block
or the first or last operation inside it) by the usual estimate: heads and tails recomputed
only for the moved segment. Moves that could close a cycle are filtered by the
Balas-Vazacopoulos condition; a cycle that slips through (zero durations) is undone.

Tabu attributes are machine-order pairs: after moving u behind x, "u before x" is tabu for a
random tenure; a tabu move is allowed when its estimate beats the run's best makespan
(aspiration). After `stall` iterations without improvement a run restarts from its best schedule
with a few random block swaps, and after RUN_PATIENCE_STALLS such periods it ends. Its best
schedule enters an elite pool (ElitePool); the RANDOM_STARTS runs after the first start from random
schedules to spread the pool, and every later run starts part of the way from one elite
schedule towards another (path relinking, as in the TS/PR of Peng, Lü and Cheng 2015: adjacent
swaps that put machine pairs in the target's order). Against restarts from the best schedule
only, at 8 s over ta41, ta21, ta25, ta45, abz7: mean gap 1.32% instead of 2.32% (relinking from
25-50% of the way then; RELINK_SHARE). The pool is kept spread out by crowding
(POOL_MIN_DISTANCE): a run's end close to a member can only replace it. When the pool stops
improving it restarts around its best, and after FRESH_AFTER such restarts without a better schedule
the search starts over from a random schedule (a new trajectory, keeping its best as the result).

Setups (per machine, by job) weigh the machine arcs; release dates bound heads. Jobs visiting a
machine twice are allowed: estimates are then rougher, and every move is checked exactly anyway.
"""

import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solvers.families.scheduling import tabu_kernel as kernel
from solvers.families.scheduling.data import ScheduleData, setup_layers
from solvers.families.scheduling.heuristic import Placement

Improved = Callable[[tuple[Placement, ...], int], None]
"""Called with each better schedule found (placements by operation position) and its makespan."""

TENURE_BASE = 5
"""Tabu tenure: TENURE_BASE + n / 2m iterations, times a random factor in [1, 1.5]. Half the
10 + n/m of Zhang et al.: our attributes forbid every pair a move reverses, so shorter tenures
restrict as much. Mean gap after 10,000 iterations over 8 instances x 2 seeds (ft10, la21, la24,
la29, la38, abz7, orb01, ta01): factor 0.25 of Zhang's 7.98%, 0.35 4.04%, 0.5 2.03%, 0.7 2.62%,
1.0 3.15%, 1.5 3.53%."""
TENURE_FROM_OPS = 450
TENURE_OPS_STEP = 30
"""Above TENURE_FROM_OPS operations, one more iteration of tenure per TENURE_OPS_STEP operations
(30 x 20: 5 -> 10). Compiled runs of 20 s on ta42, ta46, ta48: mean gap 2.54% with 5, 2.07% with
9 and 13; on 225-450 operations (ta01, ta21, ta25, ta31, abz7, 8 s) 9 was worse (1.17% vs 0.77%)."""
STALL_BASE = 1500
"""Iterations without improvement before a restart from the best schedule (plus STALL_PER_OP per op)."""
STALL_PER_OP = 5
KICK_SWAPS = 3
"""Random block moves applied to the best schedule at a restart."""
ELITE_SIZE = 8
"""Schedules kept for path relinking (the best distinct ends of tabu runs)."""
RUN_PATIENCE_STALLS = 2
"""A tabu run ends after this many stall periods without a better schedule of its own."""
RELINK_SHARE = (0.4, 0.6)
"""A new run starts this share (uniform in the range) of the way from one elite schedule to another.
Two searches taking turns, 4,500,000 iterations each (50-56 s), ta41-ta50, seeds 0 and 1000:
with (0.25, 0.5) mean gap 1.61%, worst 2.48% (ta48, its best found by 19 s of 52); with (0.4, 0.6)
1.34%, worst 1.68% (ta48 1.50%); seeds 1 and 1001: 1.45%, worst 2.05% -> 1.49%, worst 2.33% (ta43,
ta46). Over the 20 runs the mean is 1.53% -> 1.42%, within the spread between seeds: a small gain,
not a proven one. Why try it: the best of ta48 stopped improving after 19 s with the shorter share,
and a start nearer the middle of the path is farther from the valleys of both ends."""
POOL_MIN_DISTANCE = 0.01
"""Crowding threshold, as a share of the machine-order pairs (ElitePool.offer). Without it the pool
converged to near-copies (ta47: mean distance between members 371 pairs at 5 s, 7 at 30 s, all at
1928) and path relinking had nowhere to go. Tabu alone, 3,000,000 iterations (about 30 s), ta26,
ta32, ta41, ta43, ta46, ta47, ta48, ta49: mean gap seed 0 2.36% -> 1.90%, seed 1 2.06% -> 1.91%
(never worse on seed 0; ta26 2.80% -> 0.67%); threshold 0.005: 2.17%, 0.02: 2.22% (seed 0); a pool
of 12 instead of 8 with 0.01: no better (ta32 3.36%, ta43 1.46%)."""
POOL_RESTART_RUNS = 50
"""Tabu runs without a better schedule after which the pool keeps only its best and is refilled
(REBUILD_KICKS): in 54 s runs on ta46 and ta49 the converged pool found nothing after 10-24 s."""
REBUILD_KICKS = 20
FRESH_AFTER = 2
"""Pool restarts in a row without a better schedule after which the search starts over from a random
schedule (a new trajectory; 0: never). A search's best is often set early by its trajectory (ta43,
seed 1: found at 300,000 iterations of 4,500,000, then nothing). Two searches taking turns,
4,500,000 iterations each, ta41-ta50, mean / worst gap to the best known: seed 1 1.49% / 2.33% ->
1.38% / 2.25%, seed 2 1.59% / 2.49% -> 1.36% / 2.12%, the largest gains where the old search had
stalled early (ta43 seed 1 2.33% -> 1.19%, ta41 seed 2 2.49% -> 1.60%); starting over after every unproductive
pool restart (1) was worse on the mean (1.60%, 1.69%): trajectories cut short."""
RANDOM_STARTS = 5
"""Tabu runs from random schedules (`random_dispatch`) right after the first run, so the pool starts spread
over several valleys instead of around the one the start schedule leads to (every seed's first run from
the same constructive schedule ended in the same valley: la21 1053 on three seeds of eight, held for
500,000-740,000 iterations, 1.2-1.7 s; la38 1213 on all eight seeds at 500,000 iterations, and on the
three run to 3,000,000). Peng, Lü and Cheng's TS/PR builds its first population from random solutions
improved by tabu search. Tabu search alone from the constructive schedule, the 16 job shops of the CP-
SAT backend's TABU_PATIENCE, seeds 0-5, fixed iterations (the same trajectories whatever the load), mean
gap to the optimum, runs at the optimum of 96, per run better / worse: 500,000 iterations (about 1.2 s
on la21) 0 random starts 0.636% (29), 3 0.555% (37; 37 / 16), 5 0.506% (41; 34 / 20); 1,500,000
iterations: 0 0.434%, 5 0.360% (24 / 14; per run -0.074 points, standard error 0.035). The five runs
cost 36,000 (ft10) to 64,000 (abz7) iterations (about 0.1 s on la21), 174,000 on ta41. Large job shops,
two searches taking turns (`parallel_tabu`, as on one thread), 5,500,000 iterations each, ta41-ta50,
seeds 1 and 2: mean gap to the best known 1.32% -> 1.27% (9 runs better, 7 worse: noise), worst 2.25%
(ta46 seed 1; ta48 seed 2 2.12%) -> 1.90%, none above 2%."""
CHUNK_SECONDS = 0.02
"""Target length of one compiled chunk of iterations: the clock is read, and better schedules
reported, between chunks."""


def applicable(data: ScheduleData) -> bool:
    """A makespan job shop: every operation has exactly one machine (releases and setups allowed)."""
    return data.minimise_makespan and bool(data.ops) and all(len(op.choices) == 1 for op in data.ops)


@dataclass
class TabuResult:
    placements: tuple[Placement, ...]
    makespan: int
    iterations: int
    restarts: int


def block_moves(block_len: int) -> list[tuple[int, int]]:
    """N7 moves within one block as (from, to) block indices."""
    out = np.zeros((4 * block_len + 4, 2), dtype=np.int64)
    count = kernel.block_moves(block_len, out)
    return sorted((int(a), int(b)) for a, b in out[:count])


def sequences_of(data: ScheduleData, placements: tuple[Placement, ...] | list[Placement]) -> list[list[int]]:
    """Machine sequences (operation positions by start time) of a schedule."""
    seqs: list[list[int]] = [[] for _ in range(data.n_machines)]
    for k in sorted(range(len(placements)), key=lambda k: (placements[k].start, placements[k].end)):
        seqs[placements[k].machine].append(k)
    return seqs


Move = tuple[int, int, int]
"""(machine, from index, to index) in that machine's sequence."""


def _operation_rows(data: ScheduleData) -> np.ndarray:
    """The static rows of the kernel's per-operation array: durations, machines, jobs, job links,
    releases, and each operation's slot on its machine (the tabu matrix's column)."""
    n = len(data.ops)
    v = np.zeros((kernel.ROWS, n), dtype=np.int64)
    v[kernel.P] = [op.choices[0].duration for op in data.ops]
    v[kernel.MACH] = [op.choices[0].machine for op in data.ops]
    v[kernel.JOB] = [op.job for op in data.ops]
    v[kernel.REL] = [data.problem.jobs[op.job].release for op in data.ops]
    v[kernel.JP] = v[kernel.JS] = -1
    for ops in data.job_ops:
        for a, b in itertools.pairwise(ops):
            v[kernel.JS, a], v[kernel.JP, b] = b, a
    v[kernel.SINKS] = -1
    sinks = [ops[-1] for ops in data.job_ops if ops]
    v[kernel.SINKS, :len(sinks)] = sinks
    on_machine = [0] * data.n_machines
    for i, op in enumerate(data.ops):
        m = op.choices[0].machine
        v[kernel.SLOT, i], on_machine[m] = on_machine[m], on_machine[m] + 1
    return v


class TabuSearch:
    """The search state (arrays the compiled kernel works on) and its Python-side driver."""

    def __init__(self, data: ScheduleData, start: tuple[Placement, ...] | list[Placement], seed: int = 0) -> None:
        sequences = sequences_of(data, start)
        n, longest = len(data.ops), max((len(s) for s in sequences), default=1)
        self.v = _operation_rows(data)
        self.seq = np.full((data.n_machines, max(longest, 1)), -1, dtype=np.int64)
        self.mlen = np.array([len(s) for s in sequences], dtype=np.int64)
        for m, s in enumerate(sequences):
            self.seq[m, :len(s)] = s
        self._relink_all()
        self.best_seq = self.seq.copy()
        self.setup, self.sidx = setup_layers(data)
        self.tabu = np.zeros((n, max(longest, 1)), dtype=np.int64)
        self.moves_buffer = np.zeros((4 * n + 8, 3), dtype=np.int64)
        self.pairs = np.zeros((4 * longest + 8, 2), dtype=np.int64)
        self.st = np.zeros(kernel.STATE, dtype=np.int64)
        self._configure(data, seed)
        span = kernel.evaluate(self.v, self.setup, self.sidx)
        if span < 0:
            raise ValueError("the start schedule's machine orders contradict the job orders")
        self.st[kernel.MAKESPAN] = span
        kernel.record_best(self.v, self.seq, self.mlen, self.best_seq, self.st)
        self.rng = random.Random(seed)
        self.chunk = 64
        self.run_patience = RUN_PATIENCE_STALLS * int(self.st[kernel.STALL])
        self.elite = ElitePool(self, ELITE_SIZE)
        self.found_at = 0
        """Iteration of the last better schedule (patience counts from it, across calls to `run`)."""
        self.stale_runs = 0
        """Tabu runs ended since the pool's last better schedule (the pool restarts after POOL_RESTART_RUNS)."""
        self.idle_restarts = 0
        """Pool restarts since the last better schedule of the whole search."""
        self.fresh_starts = 0
        """Times the search started over from a random schedule (FRESH_AFTER)."""
        self.job_ops = [list(ops) for ops in data.job_ops]
        self.random_starts = RANDOM_STARTS
        """Runs from random schedules still to come (RANDOM_STARTS, right after the first run)."""
        self.finished = False
        """The search ended for a reason other than time and iterations: bound met, no move left, patience."""

    def _configure(self, data: ScheduleData, seed: int) -> None:
        st = self.st
        st[kernel.RNG] = (seed * 2654435761 + 12345) & 0xFFFFFFFF or 1
        extra = max(0, len(data.ops) - TENURE_FROM_OPS) // TENURE_OPS_STEP
        st[kernel.TENURE] = TENURE_BASE + data.n_jobs // max(1, 2 * data.n_machines) + extra
        st[kernel.STALL] = STALL_BASE + STALL_PER_OP * len(data.ops)
        st[kernel.KICKS] = KICK_SWAPS
        # no setups, no releases: N5's useless end swaps can be left out
        st[kernel.CLASSIC] = int(not data.has_setups and not any(job.release for job in data.problem.jobs))

    @property
    def best(self) -> int:
        return self.elite.best

    @property
    def iterations(self) -> int:
        return int(self.st[kernel.IT])

    @property
    def restarts(self) -> int:
        return int(self.st[kernel.RESTARTS])

    def moves(self) -> list[Move]:
        """The N7 neighbourhood of the current critical path."""
        count = kernel.neighbourhood(self.v, self.seq, self.setup, self.sidx, self.st, self.moves_buffer,
                                     self.pairs)
        return [(int(m), int(a), int(b)) for m, a, b in self.moves_buffer[:count]]

    def trial(self, move: Move) -> tuple[tuple[Placement, ...], int] | None:
        """The schedule and makespan after `move` (None if it closes a cycle); the move is undone."""
        m, a, b = move
        kernel.shift(self.v, self.seq, self.mlen, m, a, b)
        span = kernel.evaluate(self.v, self.setup, self.sidx)
        found = None if span < 0 else (self._placements(self.v[kernel.R]), int(span))
        kernel.shift(self.v, self.seq, self.mlen, m, b, a)
        kernel.evaluate(self.v, self.setup, self.sidx)
        return found

    def placements(self) -> tuple[Placement, ...]:
        """The best schedule found."""
        return self._placements(self.elite.best_heads)

    def _placements(self, start: np.ndarray) -> tuple[Placement, ...]:
        p, machine = self.v[kernel.P], self.v[kernel.MACH]
        return tuple(Placement(int(machine[i]), int(start[i]), int(start[i] + p[i])) for i in range(len(p)))

    def run(self, deadline: float, lower_bound: int = 0, on_improve: Improved | None = None,
            max_iterations: int | None = None, patience: int | None = None,
            halt: threading.Event | None = None, between: Callable[[], None] | None = None) -> TabuResult:
        """Tabu runs from relinked elite schedules until the deadline (time.monotonic), the iteration
        limit or the lower bound, or `patience` iterations without a better schedule; `halt` (checked
        between compiled chunks) lets searches running side by side stop when one meets the bound;
        `between` is called between chunks (a caller that throttles its reports flushes them).
        A run cut by the deadline or the iteration limit goes on at the next call (searches sharing a
        thread take turns)."""
        stop = None if max_iterations is None else self.iterations + max_iterations
        self.finished |= self.best <= lower_bound
        while time.monotonic() < deadline and not self.finished and not (halt and halt.is_set()):
            reason = self._tabu_run(deadline, lower_bound, stop, halt, between)
            local = self.elite.local_best()
            if self.elite.offer(self):
                self.found_at, self.stale_runs, self.idle_restarts = self.iterations, 0, 0
                if on_improve is not None:
                    on_improve(self.placements(), self.best)
            elif self.elite.local_best() < local:
                self.stale_runs = 0
            elif reason != kernel.CONTINUE:
                self.stale_runs += 1
            if self.stale_runs >= POOL_RESTART_RUNS:
                self.idle_restarts += 1
                if FRESH_AFTER and self.idle_restarts >= FRESH_AFTER:
                    self._fresh_start()
                    self.idle_restarts = 0
                else:
                    self.elite.restart()
                self.stale_runs = 0
            out_of_patience = patience is not None and self.iterations - self.found_at > patience
            if reason in (kernel.AT_BOUND, kernel.NO_MOVES) or out_of_patience or self.best <= lower_bound:
                self.finished = True  # bound met, a critical path of job arcs proved the best, or patience out
            if reason == kernel.CONTINUE or self.finished:
                break
            self._next_start()
        return TabuResult(self.placements(), self.best, self.iterations, self.restarts)

    def _tabu_run(self, deadline: float, lower_bound: int, stop: int | None, halt: threading.Event | None,
                  between: Callable[[], None] | None = None) -> int:
        """One tabu run in compiled chunks: the kernel's reason for stopping, or CONTINUE when the
        time or the iteration limit ran out or `halt` is set (the reasons to stop the whole search)."""
        st = self.st
        while (began := time.monotonic()) < deadline and not (halt and halt.is_set()):
            size = self.chunk if stop is None else min(self.chunk, stop - self.iterations)
            if size <= 0:
                return kernel.CONTINUE
            reason = kernel.run_chunk(self.v, self.seq, self.mlen, self.best_seq, self.setup, self.sidx, self.tabu,
                                      st, self.moves_buffer, self.pairs, size, lower_bound, self.run_patience)
            if reason != kernel.CONTINUE:
                return int(reason)
            elapsed = time.monotonic() - began
            self.chunk = max(16, min(1 << 16, int(self.chunk * CHUNK_SECONDS / max(elapsed, 1e-4))))
            if between is not None:
                between()
        return kernel.CONTINUE

    def _next_start(self) -> None:
        """The next run starts from a random schedule while RANDOM_STARTS are left, then part of the
        way from one elite schedule towards another (path relinking), or from the best with random
        moves while the pool has one schedule."""
        st = self.st
        if self.random_starts > 0:
            self.random_starts -= 1
            self._random_schedule()
            return
        start, target = self.elite.pair(self.rng)
        self.seq[:, :] = start
        self._relink_all()
        self.tabu[:, :] = 0
        if target is None:
            self.best_seq[:, :] = start
            st[kernel.KICKS] = REBUILD_KICKS if self.elite.rebuilding else KICK_SWAPS
            kernel.kick(self.v, self.seq, self.mlen, self.best_seq, self.setup, self.sidx, self.tabu, st,
                        self.moves_buffer, self.pairs)
            st[kernel.KICKS] = KICK_SWAPS
        else:
            kernel.evaluate(self.v, self.setup, self.sidx)
            pos_b = _positions(target, self.mlen, self.v.shape[1])
            far = kernel.distance(self.seq, self.mlen, pos_b)
            steps = int(far * self.rng.uniform(RELINK_SHARE[0], RELINK_SHARE[1]))
            kernel.relink_towards(self.v, self.seq, self.mlen, self.setup, self.sidx, st, pos_b, steps)
        kernel.record_best(self.v, self.seq, self.mlen, self.best_seq, st)

    def _fresh_start(self) -> None:
        """A new trajectory: the pool starts over from a random schedule; the best schedule so far
        stays the search's result (and the bar a new schedule must beat to be reported)."""
        self.fresh_starts += 1
        self._random_schedule()
        best, heads = self.elite.best, self.elite.best_heads
        self.elite = ElitePool(self, ELITE_SIZE)
        self.elite.best, self.elite.best_heads = best, heads

    def _random_schedule(self) -> None:
        """The current schedule becomes a random one (`random_dispatch`), the run's best with it."""
        self.mlen[:] = 0
        for op in random_dispatch(self.job_ops, self.rng):
            m = int(self.v[kernel.MACH, op])
            self.seq[m, self.mlen[m]] = op
            self.mlen[m] += 1
        self._relink_all()
        self.tabu[:, :] = 0
        self.st[kernel.MAKESPAN] = kernel.evaluate(self.v, self.setup, self.sidx)
        kernel.record_best(self.v, self.seq, self.mlen, self.best_seq, self.st)

    def _relink_all(self) -> None:
        """Machine links and positions of every operation from `seq` (after replacing it whole)."""
        for m in range(self.seq.shape[0]):
            if self.mlen[m]:
                kernel.relink(self.v, self.seq, self.mlen, m, 0, int(self.mlen[m]) - 1)

    def stall_limit(self) -> int:
        return int(self.st[kernel.STALL])


def random_dispatch(job_ops: list[list[int]], rng: random.Random) -> list[int]:
    """Every operation once, jobs taking turns in random order and each job's operations in its own
    order: appended to their machines' sequences in this order they make an acyclic schedule."""
    order = [j for j, ops in enumerate(job_ops) for _ in ops]
    rng.shuffle(order)
    step = [0] * len(job_ops)
    dispatched = []
    for j in order:
        dispatched.append(job_ops[j][step[j]])
        step[j] += 1
    return dispatched


def _positions(seq: np.ndarray, mlen: np.ndarray, n: int) -> np.ndarray:
    """Each operation's index in its machine's sequence."""
    pos = np.zeros(n, dtype=np.int64)
    for m in range(seq.shape[0]):
        pos[seq[m, :mlen[m]]] = np.arange(mlen[m])
    return pos


class ElitePool:
    """The best distinct schedules of the tabu runs (sequences, makespans), and the best one's heads."""

    def __init__(self, search: TabuSearch, size: int) -> None:
        self.size = size
        self.rebuilding = False
        """After a restart: new runs start from the best with REBUILD_KICKS random moves until full."""
        self.schedules: list[tuple[int, np.ndarray]] = []
        pairs = sum(k * (k - 1) // 2 for k in search.mlen.tolist())
        self.min_distance = int(POOL_MIN_DISTANCE * pairs)
        self.best = int(search.st[kernel.BEST])
        self.best_heads = search.v[kernel.BEST_R].copy()
        self.offer(search)

    def offer(self, search: TabuSearch) -> bool:
        """Takes the run's best schedule into the pool if it is new and good enough; True when it
        is the best so far. Crowding keeps the pool spread out (no two members closer than
        `min_distance`): a schedule near members replaces them only when it is shorter than all of
        them; a schedule far from all replaces the longest member when it is no longer."""
        value, seq = int(search.st[kernel.BEST]), search.best_seq
        better = value < self.best
        if better:
            self.best, self.best_heads = value, search.v[kernel.BEST_R].copy()
        positions = _positions(seq, search.mlen, search.v.shape[1])
        gaps = [int(kernel.distance(s, search.mlen, positions)) for _, s in self.schedules]
        if 0 in gaps:
            return better
        near = [k for k, gap in enumerate(gaps) if gap < self.min_distance]
        if near:
            if value < min(self.schedules[k][0] for k in near):
                self.schedules = [e for k, e in enumerate(self.schedules) if k not in near] + [(value, seq.copy())]
        elif len(self.schedules) < self.size:
            self.schedules.append((value, seq.copy()))
        else:
            worst = max(range(len(self.schedules)), key=lambda k: self.schedules[k][0])
            if value <= self.schedules[worst][0]:
                self.schedules[worst] = (value, seq.copy())
        return better

    def local_best(self) -> int:
        """The shortest schedule in the pool (the search's best, unless it started over)."""
        return min(value for value, _ in self.schedules)

    def restart(self) -> None:
        """Keeps only the best schedule; the pool is refilled from strongly kicked copies of it."""
        self.schedules = [min(self.schedules, key=lambda e: e[0])]
        self.rebuilding = True

    def pair(self, rng: random.Random) -> tuple[np.ndarray, np.ndarray | None]:
        """A start and a target schedule (no target while the pool holds one schedule, or while it
        is being refilled after a restart)."""
        if self.rebuilding and len(self.schedules) >= self.size:
            self.rebuilding = False
        if len(self.schedules) < 2 or self.rebuilding:
            return min(self.schedules, key=lambda e: e[0])[1], None
        a, b = rng.sample(range(len(self.schedules)), 2)
        return self.schedules[a][1], self.schedules[b][1]


def tabu_search(data: ScheduleData, start: tuple[Placement, ...] | list[Placement], seconds: float,
                seed: int = 0, lower_bound: int = 0, on_improve: Improved | None = None,
                max_iterations: int | None = None, patience_restarts: int | None = None,
                halt: threading.Event | None = None, between: Callable[[], None] | None = None) -> TabuResult:
    """Improves a feasible job-shop schedule for `seconds` (see the module docstring); with
    `patience_restarts`, gives up after that many restart periods without a better schedule; with
    `halt`, as soon as it is set (searches side by side: `parallel_tabu`)."""
    search = TabuSearch(data, start, seed)
    patience = None if patience_restarts is None else patience_restarts * search.stall_limit()
    return search.run(time.monotonic() + seconds, lower_bound, on_improve, max_iterations, patience, halt, between)


def warm_up() -> None:
    """Compiles the kernel (a tiny job shop) so no solve pays for it."""
    from models import SchedulingProblem
    from solvers.families.scheduling.data import flatten
    from solvers.families.scheduling.heuristic import best_schedule

    problem = SchedulingProblem.model_validate({"kind": "scheduling", "machines": ["A", "B"], "jobs": [
        {"id": f"J{j}", "operations": [{"machine": m, "duration": 1 + (j + k) % 3} for k, m in
                                       enumerate("AB" if j % 2 else "BA")]} for j in range(4)]})
    data = flatten(problem)
    tabu_search(data, best_schedule(data).placements, 5.0, max_iterations=50)
