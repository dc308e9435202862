"""Tabu search for the job shop (makespan) on the disjunctive graph; plain Python, no solver.

Why: CP-SAT with one worker proves 10 x 10 job shops quickly, but on 15 x 10 and larger it
improves slowly from a constructive start (10 s: la29 1293, abz7 697, swv01 1515, ta01 1315;
optima 1152, 656, 1407, 1231), where this search reached la29 1181, abz7 659, swv01 1450,
ta01 1262 in the same time (45,000-60,000 iterations). Its best schedule then hints CP-SAT,
and its makespan becomes CP-SAT's horizon.

The schedule is one sequence per machine. Each iteration computes heads r (earliest starts) and
tails q (longest path after an operation ends) in topological order, takes one critical path
and its blocks (maximal runs of consecutive critical operations on one machine), and scores
block moves (the N7 neighbourhood of Zhang et al. 2007: swap the first or last two operations
of a block, as in Nowicki-Smutnicki N5, and move an operation to the front or back of its block
or the first or last operation inside it) by the usual estimate: heads and tails recomputed
only for the moved segment. Moves that could close a cycle are filtered by the
Balas-Vazacopoulos condition; a cycle that slips through (zero durations) is undone.

Tabu attributes are machine-order pairs: after moving u behind x, "u before x" is tabu for a
random tenure; a tabu move is allowed when its estimate beats the best makespan (aspiration).
After `stall` iterations without improvement the search restarts from the best schedule with
a few random block swaps. Setups (per machine, by job) weigh the machine arcs; release dates
bound heads. Jobs visiting a machine twice are allowed: estimates are then rougher, and every
move is checked exactly anyway.
"""

import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from solvers.families.scheduling.data import ScheduleData
from solvers.families.scheduling.heuristic import Placement

Improved = Callable[[tuple[Placement, ...], int], None]
"""Called with each better schedule found (placements by operation position) and its makespan."""

TENURE_BASE = 5
"""Tabu tenure: TENURE_BASE + n / 2m iterations, times a random factor in [1, 1.5]. Half the
10 + n/m of Zhang et al.: our attributes forbid every pair a move reverses, so shorter tenures
restrict as much. Mean gap after 10,000 iterations over 8 instances x 2 seeds (ft10, la21, la24,
la29, la38, abz7, orb01, ta01): factor 0.25 of Zhang's 7.98%, 0.35 4.04%, 0.5 2.03%, 0.7 2.62%,
1.0 3.15%, 1.5 3.53%."""
STALL_BASE = 1500
"""Iterations without improvement before a restart from the best schedule (plus STALL_PER_OP per op)."""
STALL_PER_OP = 5
KICK_SWAPS = 3
"""Random block swaps applied to the best schedule at a restart."""
CLOCK_EVERY = 32
"""Iterations between clock reads."""


def applicable(data: ScheduleData) -> bool:
    """A makespan job shop: every operation has exactly one machine (releases and setups allowed)."""
    return data.minimise_makespan and bool(data.ops) and all(len(op.choices) == 1 for op in data.ops)


@dataclass
class TabuResult:
    placements: tuple[Placement, ...]
    makespan: int
    iterations: int
    restarts: int


class _Graph:
    """Disjunctive graph of one schedule: machine sequences, heads, tails, topological order."""

    def __init__(self, data: ScheduleData, sequences: list[list[int]]) -> None:
        n = len(data.ops)
        self.n = n
        self.p = [op.choices[0].duration for op in data.ops]
        self.machine = [op.choices[0].machine for op in data.ops]
        self.job = [op.job for op in data.ops]
        self.release = [data.problem.jobs[op.job].release for op in data.ops]
        self.jp, self.js = [-1] * n, [-1] * n
        for ops in data.job_ops:
            for a, b in itertools.pairwise(ops):
                self.js[a], self.jp[b] = b, a
        self.jdeg = [int(j >= 0) for j in self.jp]
        self.srow = [None if data.setups[m] is None else list(data.setups[m][j])  # type: ignore[index]
                     for m, j in zip(self.machine, self.job, strict=True)]
        """Per operation: the setup row (by next job) of its machine, or None."""
        self.seq = [list(s) for s in sequences]
        self.mp, self.ms, self.pos = [-1] * n, [-1] * n, [0] * n
        for m in range(len(self.seq)):
            self.relink(m, 0, len(self.seq[m]) - 1)
        self.r, self.q, self.order = [0] * n, [0] * n, list(range(n))
        self.makespan = 0

    def relink(self, m: int, lo: int, hi: int) -> None:
        """Machine predecessor/successor and position for sequence entries lo..hi (and neighbours)."""
        seq = self.seq[m]
        lo, hi = max(lo - 1, 0), min(hi + 1, len(seq) - 1)
        for k in range(lo, hi + 1):
            op = seq[k]
            self.pos[op] = k
            self.mp[op] = seq[k - 1] if k > 0 else -1
            self.ms[op] = seq[k + 1] if k + 1 < len(seq) else -1

    def gap(self, a: int, b: int) -> int:
        """Setup between a and b when b follows a on their machine."""
        row = self.srow[a]
        return row[self.job[b]] if row is not None else 0

    def evaluate(self) -> bool:
        """Heads, tails and makespan; False (and nothing updated) when the graph has a cycle.

        The hot loop of the search: setups are looked up inline and `max` is avoided on purpose.
        """
        p, js, ms, srow, job = self.p, self.js, self.ms, self.srow, self.job
        indeg = [a + (b >= 0) for a, b in zip(self.jdeg, self.mp, strict=True)]
        r = list(self.release)
        stack = [i for i in range(self.n) if not indeg[i]]
        order: list[int] = []
        push, record = stack.append, order.append
        while stack:
            i = stack.pop()
            record(i)
            end = r[i] + p[i]
            s = js[i]
            if s >= 0:
                if r[s] < end:
                    r[s] = end
                indeg[s] -= 1
                if not indeg[s]:
                    push(s)
            s = ms[i]
            if s >= 0:
                row = srow[i]
                t = end + row[job[s]] if row is not None else end
                if r[s] < t:
                    r[s] = t
                indeg[s] -= 1
                if not indeg[s]:
                    push(s)
        if len(order) < self.n:
            return False
        self.r, self.q, self.order = r, self._tails(order), order
        self.makespan = max(map(int.__add__, r, p))
        return True

    def _tails(self, order: list[int]) -> list[int]:
        p, js, ms, srow, job = self.p, self.js, self.ms, self.srow, self.job
        q = [0] * self.n
        for i in reversed(order):
            s, t = js[i], ms[i]
            v = q[s] + p[s] if s >= 0 else 0
            if t >= 0:
                row = srow[i]
                w = q[t] + p[t] + (row[job[t]] if row is not None else 0)
                if w > v:
                    v = w
            q[i] = v
        return q

    def critical_path(self) -> list[int]:
        """One longest path, preferring machine arcs (longer blocks) when both are tight."""
        r, p, jp, mp = self.r, self.p, self.jp, self.mp
        i = max(range(self.n), key=lambda k: r[k] + p[k])
        path = [i]
        while True:
            m, j = mp[i], jp[i]
            if m >= 0 and r[m] + p[m] + self.gap(m, i) == r[i]:
                i = m
            elif j >= 0 and r[j] + p[j] == r[i]:
                i = j
            else:
                break
            path.append(i)
        path.reverse()
        return path

    def blocks(self, path: list[int]) -> list[list[int]]:
        """Maximal runs of machine-linked operations on the path, in path order (singletons too)."""
        blocks, current = [], [path[0]]
        for a, b in itertools.pairwise(path):
            if self.ms[a] == b:
                current.append(b)
            else:
                blocks.append(current)
                current = [b]
        blocks.append(current)
        return blocks

    def estimate(self, m: int, a: int, b: int) -> int:
        """Makespan estimate after moving sequence entry a to index b on machine m."""
        seq, r, q, p, jp, js, gap = self.seq[m], self.r, self.q, self.p, self.jp, self.js, self.gap
        lo, hi = min(a, b), max(a, b)
        seg = seq[lo:hi + 1]
        new = [*seg[1:], seg[0]] if a < b else [seg[-1], *seg[:-1]]
        prev = seq[lo - 1] if lo > 0 else -1
        prev_end = r[prev] + p[prev] if prev >= 0 else 0
        heads = []
        for x in new:
            h = r[jp[x]] + p[jp[x]] if jp[x] >= 0 else self.release[x]
            if prev >= 0:
                h = max(h, prev_end + gap(prev, x))
            heads.append(h)
            prev, prev_end = x, h + p[x]
        nxt = seq[hi + 1] if hi + 1 < len(seq) else -1
        nxt_tail = q[nxt] + p[nxt] if nxt >= 0 else 0
        best = 0
        for k in range(len(new) - 1, -1, -1):
            x = new[k]
            t = q[js[x]] + p[js[x]] if js[x] >= 0 else 0
            if nxt >= 0:
                t = max(t, nxt_tail + gap(x, nxt))
            best = max(best, heads[k] + p[x] + t)
            nxt, nxt_tail = x, t + p[x]
        return best

    def feasible(self, m: int, a: int, b: int) -> bool:
        """Balas-Vazacopoulos: moving entry a to b cannot close a cycle (positive durations)."""
        seq, r, q, p = self.seq[m], self.r, self.q, self.p
        u, v = seq[a], seq[b]
        if a < b:  # u goes after v: no path from u's job successor to v
            s = self.js[u]
            return s < 0 or q[v] + p[v] >= q[s] + p[s]
        s = self.jp[u]  # u goes before v: no path from v to u's job predecessor
        return s < 0 or r[v] + p[v] >= r[s] + p[s]

    def move(self, m: int, a: int, b: int) -> None:
        seq = self.seq[m]
        seq.insert(b, seq.pop(a))
        self.relink(m, min(a, b), max(a, b))

    def reset(self, sequences: list[list[int]]) -> None:
        self.seq = [list(s) for s in sequences]
        for m in range(len(self.seq)):
            self.relink(m, 0, len(self.seq[m]) - 1)
        ok = self.evaluate()
        assert ok, "a stored schedule has a cycle"

    def placements(self) -> tuple[Placement, ...]:
        return tuple(Placement(self.machine[i], self.r[i], self.r[i] + self.p[i]) for i in range(self.n))


def block_moves(block_len: int) -> list[tuple[int, int]]:
    """N7 moves within one block as (from, to) block indices."""
    k = block_len - 1
    if k == 1:
        return [(0, 1)]
    moves = {(0, 1), (k, k - 1)}
    moves.update((a, 0) for a in range(2, k + 1))
    moves.update((a, k) for a in range(0, k - 1))
    moves.update((0, a) for a in range(2, k))
    moves.update((k, a) for a in range(1, k - 1))
    return sorted(moves)


def sequences_of(data: ScheduleData, placements: tuple[Placement, ...] | list[Placement]) -> list[list[int]]:
    """Machine sequences (operation positions by start time) of a schedule."""
    seqs: list[list[int]] = [[] for _ in range(data.n_machines)]
    for k in sorted(range(len(placements)), key=lambda k: (placements[k].start, placements[k].end)):
        seqs[placements[k].machine].append(k)
    return seqs


Move = tuple[int, int, int]
"""(machine, from index, to index) in that machine's sequence."""


class TabuSearch:
    """The search state: current graph, best schedule, tabu pairs, random stream."""

    def __init__(self, data: ScheduleData, start: tuple[Placement, ...] | list[Placement], seed: int = 0) -> None:
        self.g = _Graph(data, sequences_of(data, start))
        if not self.g.evaluate():
            raise ValueError("the start schedule's machine orders contradict the job orders")
        self.rng = random.Random(seed)
        self.tabu: dict[int, int] = {}
        self.tenure = TENURE_BASE + data.n_jobs // max(1, 2 * data.n_machines)
        self.classic = not data.has_setups and not any(job.release for job in data.problem.jobs)
        """No setups, no releases: N5's useless end swaps can be left out."""
        self.best = self.g.makespan
        self.best_seq = [list(s) for s in self.g.seq]
        self.best_placements = self.g.placements()
        self.iterations = 0
        self.restarts = 0

    def moves(self) -> list[Move]:
        """The N7 neighbourhood of the current critical path (N5's useless end swaps left out)."""
        g = self.g
        path = g.critical_path()
        blocks = g.blocks(path)
        out = []
        for index, block in enumerate(blocks):
            if len(block) < 2:
                continue
            m, base, k = g.machine[block[0]], g.pos[block[0]], len(block) - 1
            first, last = self.classic and index == 0, self.classic and index == len(blocks) - 1
            for a, b in block_moves(len(block)):
                swap_first, swap_last = (a, b) == (0, 1), (a, b) == (k, k - 1) or (k == 1 and (a, b) == (0, 1))
                if (first and swap_first) or (last and swap_last):
                    continue  # cannot shorten the path (Nowicki-Smutnicki)
                if g.feasible(m, base + a, base + b):
                    out.append((m, base + a, base + b))
        return out

    def pairs(self, move: Move) -> list[int]:
        """Machine-order pairs (first * n + second) the move creates."""
        m, a, b = move
        seq, n = self.g.seq[m], self.g.n
        u = seq[a]
        if a < b:
            return [x * n + u for x in seq[a + 1:b + 1]]
        return [u * n + x for x in seq[b:a]]

    def choose(self, moves: list[Move]) -> Move:
        """Best estimate among allowed moves (tabu ones only if they beat the best); random tie-break."""
        it, tabu = self.iterations, self.tabu
        best_key: tuple[int, float] | None = None
        chosen = moves[0]
        for move in moves:
            value = self.g.estimate(*move)
            if value >= self.best and any(tabu.get(pair, -1) > it for pair in self.pairs(move)):
                continue
            key = (value, self.rng.random())
            if best_key is None or key < best_key:
                best_key, chosen = key, move
        if best_key is None:  # everything tabu: a random move keeps the search going
            chosen = self.rng.choice(moves)
        return chosen

    def apply(self, move: Move) -> bool:
        """Applies the move and makes undoing it tabu; False (move undone) if it closed a cycle."""
        m, a, b = move
        n, g = self.g.n, self.g
        expiry = self.iterations + self.rng.randint(self.tenure, self.tenure * 3 // 2)
        created = self.pairs(move)
        g.move(m, a, b)
        if not g.evaluate():
            g.move(m, b, a)
            g.evaluate()
            return False
        for pair in created:  # forbid the reverse orders again
            first, second = divmod(pair, n)
            self.tabu[second * n + first] = expiry
        return True

    def kick(self) -> None:
        """Restart from the best schedule with a few random block moves."""
        self.g.reset(self.best_seq)
        self.tabu.clear()
        self.restarts += 1
        for _ in range(KICK_SWAPS):
            moves = self.moves()
            if moves:
                self.apply(self.rng.choice(moves))

    def stall_limit(self) -> int:
        return STALL_BASE + STALL_PER_OP * self.g.n

    def run(self, deadline: float, lower_bound: int = 0, on_improve: Improved | None = None,
            max_iterations: int | None = None, patience: int | None = None) -> TabuResult:
        """Searches until the deadline (time.monotonic), the iteration limit or the lower bound,
        or `patience` iterations without a better schedule."""
        stall_limit = self.stall_limit()
        last_improvement = best_found = self.iterations
        stop = self.iterations + max_iterations if max_iterations is not None else None
        while self.best > lower_bound and (stop is None or self.iterations < stop):
            if self.iterations % CLOCK_EVERY == 0 and time.monotonic() >= deadline:
                break
            if patience is not None and self.iterations - best_found > patience:
                break
            moves = self.moves()
            if not moves:  # a critical path of job arcs only: no move can shorten it
                if self.g.makespan == self.best:
                    break
                self.kick()
                continue
            self.iterations += 1
            self.apply(self.choose(moves))
            if self.g.makespan < self.best:
                self.best, last_improvement = self.g.makespan, self.iterations
                best_found = self.iterations
                self.best_seq = [list(s) for s in self.g.seq]
                self.best_placements = self.g.placements()
                if on_improve is not None:
                    on_improve(self.best_placements, self.best)
            elif self.iterations - last_improvement > stall_limit:
                self.kick()
                last_improvement = self.iterations
        return TabuResult(self.best_placements, self.best, self.iterations, self.restarts)


def tabu_search(data: ScheduleData, start: tuple[Placement, ...] | list[Placement], seconds: float,
                seed: int = 0, lower_bound: int = 0, on_improve: Improved | None = None,
                max_iterations: int | None = None, patience_restarts: int | None = None) -> TabuResult:
    """Improves a feasible job-shop schedule for `seconds` (see the module docstring); with
    `patience_restarts`, gives up after that many restart periods without a better schedule."""
    search = TabuSearch(data, start, seed)
    patience = None if patience_restarts is None else patience_restarts * search.stall_limit()
    return search.run(time.monotonic() + seconds, lower_bound, on_improve, max_iterations, patience)
