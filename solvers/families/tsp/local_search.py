"""Iterated local search for the TSP, compiled with numba (solver-free: numpy, scipy and numba).

The kernels: `arraytour` (array tour, edit journal, work queue), `lk` (Lin-Kernighan-style
variable-depth move), `moves` (Or-opt, or-3opt), `kicks` (local search loop, double-bridge ILS),
`construct` (start tours), `metric` (costs from a matrix or on the fly from coordinates). This
module prepares what they need and drives them in short chunks, so the caller can check its clock
and report incumbents between them.

Two kinds of instance:
- an explicit matrix (possibly asymmetric): candidate lists from the matrix rows; asymmetric
  matrices use only the moves that keep every path's direction (Or-opt, or-3opt);
- a `distance.Geometry` (coordinates + metric): no matrix at all, candidates from a KD-tree
  (`candidates`), costs computed on the fly: memory O(n k), so 10^5 cities fit.

Without numba the same code runs as plain Python, correct but about 100 times slower.
`python -m solvers.families.tsp.local_search` compiles the kernels into numba's cache.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from solvers.families.tsp import arraytour, construct, kicks, lk
from solvers.families.tsp.candidates import nearest as nearest_candidates
from solvers.families.tsp.distance import Geometry, Kernel, matrix_kernel

NEIGHBOURS = 10
"""Length of each node's candidate list (k nearest by distance)."""
KICK_SEGMENT = 200
"""Longest segment of the local double bridge, in nodes, while the search is improving. Measured
(`bench.tsp_ls`, 10 s, pr1002, u1060, vm1084, pcb1173, d1291, rl1304, fl1577, seeds 0-3, runs
alternating with the former 30, nice 10, load 3.0-4.1): median gap 0.067% -> 0.022%, mean 0.27% ->
0.12%, shorter in 15 of 28 pairs, longer in 9. With 30 the search sat on one tour for most of the
time (pr1002, seed 0: no improvement from 1.1 s to 7 s, 0.33% above the optimum at the end) while
each kick is cheaper (pr1002: 3,800 kicks/s with segments of at most 30, 2,300 at 120, 1,900 at
333; this is also why a run makes fewer kicks per second the longer it stalls: the segments
double). Screened in-process first (5 s, seeds 0-1, 14 runs each): median 0.074% with 30, 0.084%
with 60, 0.045% with 100, 0.034% with 200 and with 1,000 (i.e. n/3). At 10,000 cities, 30 s
(`bench.tsp_scale --sizes 10000 --time-limits 30`, seed 1, two runs each, alternating, load 3.4-3.8):
71,740,317 and 71,707,333 against 71,734,136 and 71,805,903 with 30, no worse; 100,000 cities, 60 s
(one run each, load 1.0): 227,502,352 against 227,457,917. LK depth 12 instead of 10 with these
kicks (seeds 0-3, load 1.7-3.0): median 0.022% -> 0.028%, longer in 13 of 28 pairs, shorter in 7."""
STALE_ROUNDS_PER_NODE = 1
"""Rounds without improvement, per node, before the kick segments double."""
DESCENT_MOVES = 20_000
"""Improving moves per `descend` call where a caller must read its clock between calls (the
backend's first descent, a side run's or a merged run's descent in `restarts`)."""

Tour = NDArray[np.int32]
local_search = kicks.local_search
ils_kicks = kicks.ils_kicks


def nearest(dist: NDArray[np.float64], k: int) -> Tour:
    """The k nearest other nodes of each node by row (`dist[i, j]` ascending), as int32."""
    n = dist.shape[0]
    k = min(k, n - 1)
    work = np.array(dist, dtype=np.float64, copy=True)
    np.fill_diagonal(work, np.inf)
    part = np.argpartition(work, k - 1, axis=1)[:, :k] if k < n - 1 else np.argsort(work, axis=1)[:, :k]
    rows = np.arange(n)[:, None]
    order = np.argsort(work[rows, part], axis=1, kind="stable")
    return np.ascontiguousarray(part[rows, order], dtype=np.int32)


def is_symmetric(dist: NDArray[np.float64]) -> bool:
    scale = float(np.abs(dist).max()) if dist.size else 0.0
    return bool(np.allclose(dist, dist.T, rtol=1e-12, atol=1e-12 * scale))


def tour_cost(dist: NDArray[np.float64], tour: NDArray[np.integer]) -> float:
    return float(dist[tour, np.roll(tour, -1)].sum())


@dataclass
class SearchStats:
    kicks: int = 0
    improvements: int = 0
    local_optimum: bool = False
    start: str = ""


class Instance:
    """Costs, candidate lists and tolerance of one instance, for the kernels (no tour state)."""

    def __init__(self, source: NDArray[np.float64] | Geometry, neighbours: int = NEIGHBOURS) -> None:
        if isinstance(source, Geometry):
            self.geometry: Geometry | None = source
            self.n = source.n
            self.D: Kernel = source.kernel()
            self.symmetric = True
            cands = nearest_candidates(source, neighbours)
            self.near_out = self.near_in = cands.near
            self.near_cost = cands.cost
        else:
            self.geometry = None
            dist = np.ascontiguousarray(source, dtype=np.float64)
            self.n = dist.shape[0]
            self.D = matrix_kernel(dist)
            self.symmetric = is_symmetric(dist)
            self.near_out = nearest(dist, neighbours)
            self.near_in = self.near_out if self.symmetric else nearest(dist.T, neighbours)
            self.near_cost = dist[np.arange(self.n)[:, None], self.near_out]
        positive = self.near_cost[self.near_cost > 0]
        self.eps = 1e-9 * (float(positive.min()) if positive.size else 1.0)
        work, gains = lk.scratch()
        self.P = (self.D, self.near_in, self.near_out, self.symmetric, self.eps, work, gains, self.near_out)

    def use_lk_candidates(self, near: NDArray[np.int32], depth: int = lk.ALPHA_DEPTH) -> None:
        """From now on the LK move scans `near` (n x k, any order: alpha-nearness lists) up to
        `depth` steps; Or-opt and or-3opt keep the nearest lists, whose distance order they rely on."""
        self.P[5][lk.DEPTH_ROW, 0] = min(depth, lk.MAX_DEPTH)
        self.P = (*self.P[:7], np.ascontiguousarray(near, dtype=np.int32))

    def length(self, tour: NDArray[np.integer]) -> float:
        """The tour's length as the evaluator computes it."""
        if self.geometry is not None:
            return self.geometry.tour_length(tour)
        return tour_cost(self.D[0], np.asarray(tour))

    def start_tour(self) -> tuple[Tour, str]:
        if self.symmetric:
            return construct.greedy_edge_tour(self.D, self.near_out, self.near_cost), "greedy"
        return construct.nearest_neighbour_tour(self.D, self.n, 0), "nearest neighbour"

    def nearest_neighbour(self, start: int) -> Tour:
        return construct.nearest_neighbour_tour(self.D, self.n, start)  # type: ignore[no-any-return]

    def state(self, tour: Tour, queued: NDArray[np.int32] | None = None) -> tuple:  # type: ignore[type-arg]
        """The kernels' S tuple for `tour` (modified in place), with `queued` (default: all) in the
        queue and the journal off."""
        n = self.n
        pos = np.empty(n, np.int32)
        pos[tour] = np.arange(n, dtype=np.int32)
        nodes = tour if queued is None else queued
        queue = np.empty(n, np.int32)
        queue[: len(nodes)] = nodes
        inq = np.zeros(n, np.uint8)
        inq[nodes] = 1
        log = arraytour.new_log()
        log[0, 1] = 1
        return (tour, pos, np.empty(n, np.int32), log, queue, inq, np.array([0, len(nodes)], np.int64))


class IteratedLocalSearch:
    """Holds the state of one ILS run so it can be advanced in short, clock-checked chunks."""

    def __init__(self, source: NDArray[np.float64] | Geometry, *, seed: int = 0, start: Tour | None = None,
                 neighbours: int = NEIGHBOURS, segment: int = KICK_SEGMENT,
                 stale_per_node: float = STALE_ROUNDS_PER_NODE, instance: Instance | None = None) -> None:
        n = source.n if isinstance(source, Geometry) else source.shape[0]
        if n < 4:
            raise ValueError("iterated local search needs at least 4 nodes")
        self.instance = inst = instance or Instance(source, neighbours)
        self.n = n
        self.symmetric = inst.symmetric
        self.near_in, self.near_out, self.eps = inst.near_in, inst.near_out, inst.eps
        stale = max(int(stale_per_node * n), 1) if stale_per_node > 0 else 1 << 62
        self.adapt = np.array([segment, stale, segment, 0], np.int64)
        self.stats = SearchStats()
        if start is None:
            start, self.stats.start = inst.start_tour()
        else:
            self.stats.start = "warm start"
        self.tour = np.ascontiguousarray(start, dtype=np.int32).copy()
        self.S = inst.state(self.tour)
        self.pos = self.S[1]
        # xorshift32 state: never 0
        self.rng = np.array([(seed * 2654435761 + 0x9E3779B9) % 0xFFFFFFFF + 1], np.int64)
        self.lengths = np.array([inst.length(self.tour)], np.float64)
        self.best_tour = self.tour.copy()
        self.best_pos = self.pos.copy()

    @property
    def length(self) -> float:
        return float(self.lengths[0])

    def descend(self, max_moves: int) -> bool:
        """Runs the first local search for at most `max_moves` moves; True at a local optimum."""
        gain = local_search(self.S, self.instance.P, np.int64(max_moves))
        self.lengths[0] -= gain
        self.best_tour[:] = self.tour
        self.best_pos[:] = self.pos
        self.stats.local_optimum = bool(self.S[6][1] == 0)
        return self.stats.local_optimum

    def kick(self, count: int) -> int:
        """`count` ILS rounds (needs a local optimum first); returns rounds that improved."""
        improved = int(ils_kicks(self.S, self.instance.P, self.best_tour, self.best_pos, self.lengths,
                                 self.rng, count, self.adapt))
        self.stats.kicks += count
        self.stats.improvements += improved
        return improved

    def adopt(self, tour: Tour) -> None:
        """Goes on from `tour` (a merged tour): it becomes the current and best tour, every node is
        queued for a new descent (`descend`, before the next kicks), and the kick segments start
        small again."""
        self.tour[:] = tour
        self.S = self.instance.state(self.tour)
        self.pos = self.S[1]
        self.best_tour[:] = self.tour
        self.best_pos[:] = self.pos
        self.lengths[0] = self.instance.length(self.tour)
        self.adapt[2:] = (self.adapt[0], 0)
        self.stats.local_optimum = False

    def best(self) -> Tour:
        """The best tour, rotated to start at node 0."""
        shift = int(self.best_pos[0])
        return np.roll(self.best_tour, -shift)

    def exact_length(self) -> float:
        return self.instance.length(self.best_tour)


def drop_stale_cache() -> None:
    """Deletes this package's numba cache when a module is newer than it: numba checks only the
    file of the cached function itself, so a kernel would keep an older copy of a kernel it calls
    from another module (`lk` inside `kicks`) after an upgrade."""
    folder = Path(__file__).parent
    cached = [*folder.glob("__pycache__/*.nbi"), *folder.glob("__pycache__/*.nbc")]
    if cached and max(p.stat().st_mtime for p in folder.glob("*.py")) > min(p.stat().st_mtime for p in cached):
        for path in cached:
            path.unlink(missing_ok=True)


def warm_up() -> None:
    """Compiles (or loads from the numba cache) every kernel on tiny symmetric, asymmetric and
    coordinate instances, so a first real solve does not pay the JIT."""
    from models import Metric

    drop_stale_cache()

    rng = np.random.default_rng(0)
    points = rng.random((12, 2))
    sym = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    asym = sym + rng.random((12, 12))
    np.fill_diagonal(asym, 0.0)
    for source in (sym, asym, Geometry(points * 100, Metric.euc_2d)):
        search = IteratedLocalSearch(source, seed=1)
        search.descend(1 << 30)
        search.kick(5)
        search.instance.nearest_neighbour(0)
    from solvers.families.tsp.alpha import alpha_candidates
    from solvers.families.tsp.sparse_bound import SparseGraph, sparse_lower_bound

    graph = SparseGraph(Geometry(rng.random((30, 2)) * 100, Metric.euc_2d))
    bound = sparse_lower_bound(graph.geometry, upper=1e9, time_limit=1.0, max_iterations=3, graph=graph)
    alpha_candidates(graph, bound.penalties)


if __name__ == "__main__":  # `python -m solvers.families.tsp.local_search` fills the JIT cache
    import time

    began = time.monotonic()
    warm_up()
    print(f"tsp_local_search kernels ready in {time.monotonic() - began:.2f} s")
