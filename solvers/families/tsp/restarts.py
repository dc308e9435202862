"""Restarts with tour merging: when the main iterated local search stalls, a side run from a
new start searches until it stalls too (sooner), and partition crossover (`merge`) keeps the
better regions of both tours; the main run goes on from the child (or from the side run's tour
when that one is shorter everywhere that can be exchanged).

Why: on clustered instances (d1291, rl1304, fl1577) one run spends most of a 10 s limit on a
plateau its kicks cannot leave, while an independent run ends in a different basin that is
better in some regions. The side run starts from a greedy tour on randomly stretched candidate
costs (different from the main start, O(n k log n), no n^2 pass).

Determinism: decisions are taken only at block boundaries of `block` kicks (the caller's chunks
never cross one), so with a seed and an iteration limit a run is the same whatever the clock.
"""

import numpy as np

from solvers.families.tsp import construct
from solvers.families.tsp.local_search import DESCENT_MOVES, IteratedLocalSearch, Tour
from solvers.families.tsp.merge import partition_crossover

STALE_KICKS_PER_NODE = 3.0
"""Kicks without improvement, per node, after which the main run counts as stalled."""
SIDE_STALE_KICKS_PER_NODE = 1.0
"""The same for a side run: it ends (and is merged) sooner, so the main run gets most of the time.
Measured (`bench.tsp_ls`, 10 s, pr1002, u1060, vm1084, pcb1173, d1291, rl1304, fl1577, seeds
0-3, load 2-5: an LKH-3 reference run and a helper shared the machine): mean gap over the 7
instances 0.15/0.10/0.16/0.05% without restarts, 0.04/0.05/0.07/0.05% with side runs ending after
3n stale kicks, 0.04/0.05/0.06/0.04% after 1n (shipped); main stall 2n with side 1n:
0.14/0.03/0.05/0.05%. The median stays 0.01-0.03% throughout: restarts cut the outliers (d1291
seed 2: 0.92% -> 0.24%; fl1577 seed 0: 0.76% -> 0.05%). Most of the gain is the side run itself
ending in a better basin (then the main run goes on from it); a merge gave a tour shorter than
both parents in 5 of 36 side runs (`bench/RESULTS.md`), because a side run stops 0.5-2% above the
main run and rarely wins an exchangeable piece."""
BLOCKS_PER_STALL = 8
"""Stall checks per stall length (the block size is the stall length over this)."""
START_NOISE = 0.2
"""Side-run starts: candidate costs multiplied by uniform factors in [1, 1 + START_NOISE]."""


class Restarts:
    """The main run, the side run in progress (if any), and when to start and merge them."""

    def __init__(self, main: IteratedLocalSearch, seed: int) -> None:
        self.main = main
        self.enabled = main.symmetric
        self.stall = max(int(STALE_KICKS_PER_NODE * main.n), BLOCKS_PER_STALL)
        self.block = self.stall // BLOCKS_PER_STALL
        self.side_stall = max(int(SIDE_STALE_KICKS_PER_NODE * main.n) // self.block, 1) * self.block
        self.side: IteratedLocalSearch | None = None
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.kicks = 0
        self.side_runs = 0
        self.merges = 0
        """Merges whose child was shorter than both parents."""
        self._stale = 0
        self._improved_in_block = False

    @property
    def current(self) -> IteratedLocalSearch:
        """The run the next kicks go to."""
        return self.side if self.side is not None else self.main

    def room(self) -> int:
        """Kicks left in the current block (a chunk must not cross a block boundary)."""
        return self.block - self.kicks % self.block if self.enabled else 1 << 62

    def kick(self, count: int) -> int:
        """`count` kicks on the current run; returns how many improved it. A run that is not at a
        local optimum yet (a new side run, a merged main run) instead descends by at most
        DESCENT_MOVES moves and makes no kick, so the caller's clock checks stay frequent even when
        a side run starts on 10^5 nodes."""
        run = self.current
        if not run.stats.local_optimum:
            run.descend(DESCENT_MOVES)
            return 0
        improved = run.kick(count)
        self.kicks += count
        self._improved_in_block |= improved > 0
        if self.enabled and self.kicks % self.block == 0:
            self._end_of_block()
        return improved

    def best(self) -> IteratedLocalSearch:
        """The run with the shortest tour so far."""
        side = self.side
        return side if side is not None and side.length < self.main.length else self.main

    def finish(self) -> None:
        """At the deadline: a side run in progress is merged too (its tour may be the better one;
        O(n), no descent after the merge)."""
        if self.side is not None and self.side.stats.local_optimum:
            self._merge()

    def describe(self) -> str:
        if not self.enabled:
            return "no restarts (asymmetric)"
        return f"{self.side_runs} side runs, {self.merges} merges better than both parents"

    def _end_of_block(self) -> None:
        self._stale = 0 if self._improved_in_block else self._stale + self.block
        self._improved_in_block = False
        if self._stale < (self.stall if self.side is None else self.side_stall):
            return
        self._stale = 0
        if self.side is None:
            self._start_side_run()
        else:
            self._merge()

    def _start_side_run(self) -> None:
        inst = self.main.instance
        stretched = inst.near_cost * (1.0 + START_NOISE * self.rng.random(inst.near_cost.shape))
        start = construct.greedy_edge_tour(inst.D, inst.near_out, stretched)
        self.side_runs += 1
        self.side = IteratedLocalSearch(inst.geometry if inst.geometry is not None else inst.D[0],
                                        seed=self.seed + self.side_runs, start=start, instance=inst)

    def _merge(self) -> None:
        side, main = self.side, self.main
        assert side is not None
        self.side = None
        base, other = (main, side) if main.length <= side.length else (side, main)
        child, taken = partition_crossover(base.best(), other.best(), main.instance.D)
        child_length = main.instance.length(child)
        if taken and child_length < base.length:
            self.merges += 1
        if child_length < main.length:
            main.adopt(child)

    def tour(self) -> Tour:
        """The best tour found by any run, rotated to node 0."""
        return self.best().best()
