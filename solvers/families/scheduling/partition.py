"""Exact makespan for parallel machines with setups and few jobs per machine: machine sequences
enumerated as columns, then an exact cover of the jobs by one column per machine.

Why: with about four jobs per machine (20 jobs on 4-5 machines) CP-SAT's circuit model has a weak
LP (jobs split over machines borrow cheap setups from each other) and did not prove 20 x 4 or
20 x 5 in 40 s, one worker, even from the optimal schedule; here every subset a machine can run
within `cap` is enumerated with its cheapest order (a Held-Karp layer by layer, pruned at `cap`:
2,300-6,500 subsets on those instances, 0.1 s), and the search below decides whether `cap` is
reachable. Repeated with `cap` = best - 1 until no cover exists, this proves the optimum.

Valid only when a machine's end is its durations plus its setups: makespan, one operation per job,
no release dates (`applicable`). Solver-free (numpy), so any backend can call it.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from solvers.families.scheduling.data import ScheduleData
from solvers.families.scheduling.heuristic import Placement

MAX_JOBS = 22
"""Pair tables hold 2^jobs entries per machine pair (4 bytes each: 16 MB at 22 jobs)."""
MAX_COLUMNS = 5_000
"""Subsets per machine beyond which enumeration is abandoned (many jobs per machine: CP-SAT's case)."""
MAX_STATES = 5_000
"""(subset, last job) states of one layer beyond which it is abandoned too (20 x 2 and 20 x 3 took
1.5-11 s to reach a column limit without it; 20 x 4 and 20 x 5 stay below 1,200 on machine 0).
Both limits also keep a pair table's construction (columns x columns masks) within ~25M entries."""


class OutOfTime(Exception):
    """The deadline passed during the search."""


@dataclass
class Column:
    mask: int
    cost: int
    order: tuple[int, ...]


def applicable(data: ScheduleData) -> bool:
    return (data.minimise_makespan and 0 < len(data.ops) <= MAX_JOBS and all(len(o) == 1 for o in data.job_ops)
            and not any(job.release for job in data.problem.jobs))


def columns(data: ScheduleData, machine: int, cap: int, deadline: float) -> list[Column] | None:
    """Every subset of operations `machine` can run within `cap`, with its cheapest order; None when
    there are more than MAX_COLUMNS."""
    dur = {k: c.duration for k, op in enumerate(data.ops) for c in op.choices if c.machine == machine}
    layer: dict[tuple[int, int], tuple[int, tuple[int, ...]]] = {
        (1 << k, k): (d, (k,)) for k, d in dur.items() if d <= cap}
    best: dict[int, tuple[int, tuple[int, ...]]] = {}
    while layer:
        if time.monotonic() > deadline:
            raise OutOfTime
        following: dict[tuple[int, int], tuple[int, tuple[int, ...]]] = {}
        for (mask, last), (cost, order) in layer.items():
            if len(following) > MAX_STATES:
                return None
            if mask not in best or best[mask][0] > cost:
                best[mask] = (cost, order)
            for k, d in dur.items():
                step = cost + data.setup(machine, data.ops[last].job, data.ops[k].job) + d
                if not mask >> k & 1 and step <= cap:
                    key = (mask | 1 << k, k)
                    if key not in following or following[key][0] > step:
                        following[key] = (step, (*order, k))
        layer = following
        if len(best) > MAX_COLUMNS:
            return None
    return [Column(mask, cost, order) for mask, (cost, order) in best.items()]


class Cover:
    """Exact cover of all jobs by at most one column per machine (see the module docstring)."""

    def __init__(self, n: int, cols: Sequence[list[Column]], deadline: float) -> None:
        self.full, self.cols, self.deadline = (1 << n) - 1, cols, deadline
        self.by_mask = [{c.mask: c for c in cs} for cs in cols]
        self.masks = [np.array([0, *(c.mask for c in cs)], dtype=np.int64) for cs in cols]
        self.pairs: dict[tuple[int, int], np.ndarray] = {}
        self.failed: set[tuple[int, frozenset[int]]] = set()

    def _pair(self, a: int, b: int) -> np.ndarray:
        """For every mask: index (a-column, b-column) packed as i * len_b + j of a disjoint pair, or -1."""
        if (a, b) not in self.pairs:
            ma, mb = self.masks[a], self.masks[b]
            ii, jj = np.nonzero((ma[:, None] & mb[None, :]) == 0)
            table = np.full(self.full + 1, -1, dtype=np.int64)
            table[ma[ii] | mb[jj]] = ii * len(mb) + jj
            self.pairs[a, b] = table
        return self.pairs[a, b]

    def search(self, rest: int, left: frozenset[int]) -> dict[int, int] | None:
        """Machine -> column mask covering exactly `rest` with the machines in `left`, or None."""
        if rest == 0:
            return {}
        if time.monotonic() > self.deadline:
            raise OutOfTime
        if not left or (rest, left) in self.failed:
            return None
        found = self._finish(rest, sorted(left)) if len(left) <= 3 else self._branch(rest, left)
        if found is None:
            self.failed.add((rest, left))
        return found

    def _finish(self, rest: int, left: list[int]) -> dict[int, int] | None:
        if len(left) == 1:
            return {left[0]: rest} if rest in self.by_mask[left[0]] else None
        a, b = left[-2], left[-1]
        table, mb = self._pair(a, b), self.masks[b]
        firsts = self.masks[left[0]] if len(left) == 3 else np.zeros(1, dtype=np.int64)
        fits = firsts[(firsts & ~rest) == 0]
        hits = np.nonzero(table[rest ^ fits] >= 0)[0]
        if not len(hits):
            return None
        first = int(fits[hits[0]])
        packed = int(table[rest ^ first])
        out = {a: int(self.masks[a][packed // len(mb)]), b: int(mb[packed % len(mb)])}
        return out | ({left[0]: first} if len(left) == 3 else {})

    def _branch(self, rest: int, left: frozenset[int]) -> dict[int, int] | None:
        """The lowest job still to cover goes on some machine left, with some of its columns."""
        low = rest & -rest
        for m in sorted(left):
            masks = self.masks[m]
            for mask in masks[((masks & low) != 0) & ((masks & ~rest) == 0)].tolist():
                found = self.search(rest ^ mask, left - {m})
                if found is not None:
                    return found | {m: mask}
        return None


def improve(data: ScheduleData, best: int, seconds: float) -> tuple[tuple[Placement, ...] | None, int, bool]:
    """(best schedule found or None, its makespan, proven optimal) by covers below `best`, repeated
    until none exists (proof) or time runs out. Raises nothing: out of time means not proven."""
    deadline = time.monotonic() + seconds
    found: tuple[Placement, ...] | None = None
    try:
        cols = [columns(data, m, best - 1, deadline) for m in range(data.n_machines)]
        while True:
            if any(c is None for c in cols):
                return found, best, False
            usable = [[c for c in cs if c.cost < best] for cs in cols if cs is not None]
            cover = Cover(len(data.ops), usable, deadline).search((1 << len(data.ops)) - 1,
                                                                  frozenset(range(data.n_machines)))
            if cover is None:
                return found, best, True
            chosen = {m: next(c for c in usable[m] if c.mask == mask) for m, mask in cover.items() if mask}
            found, best = _schedule(data, chosen), max(c.cost for c in chosen.values())
    except OutOfTime:
        return found, best, False


def _schedule(data: ScheduleData, chosen: dict[int, Column]) -> tuple[Placement, ...]:
    """Back-to-back placements of each machine's order (no releases: nothing waits)."""
    out: list[Placement | None] = [None] * len(data.ops)
    for m, col in chosen.items():
        t, last = 0, -1
        for k in col.order:
            d = next(c.duration for c in data.ops[k].choices if c.machine == m)
            start = t + (data.setup(m, data.ops[last].job, data.ops[k].job) if last >= 0 else 0)
            out[k] = Placement(m, start, start + d)
            t, last = start + d, k
    return tuple(p for p in out if p is not None)
