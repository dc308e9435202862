"""Iterated local search for the TSP, compiled with numba (solver-free: numpy and numba only).

The tour is an array of nodes (`tour[position]`) with its inverse (`pos[node]`). Local search
takes nodes from a work queue (don't-look bits: a node is looked at again only when one of its
tour edges changed) and tries, with first improvement and k-nearest neighbour lists:

- 2-opt (symmetric matrices only: it reverses a path), reversing the shorter side;
- Or-opt: move a segment of 1-3 nodes elsewhere, kept in orientation or (symmetric) reversed;
- or-3opt: swap two adjacent segments of any length (the pure 3-opt move that reverses nothing),
  searched from both tour directions when the matrix is symmetric.

Asymmetric matrices use only the moves that keep every path's direction (Or-opt without
reversal and or-3opt), so a gain computed from the changed edges is exact.

The perturbation is a local double bridge (the non-sequential 4-opt move: three consecutive
segments B C D of 1..S nodes each become D C B), followed by local search from the eight touched
nodes; the result is kept if it is no longer than the best tour (accept-if-not-worse), else
undone. S starts at KICK_SEGMENT; after STALE_ROUNDS_PER_NODE * n rounds without improvement it
doubles (up to n/3, then back to the start), and an improvement resets it: small kicks polish,
larger ones get the search out of the long plateaus seen on clustered instances (d1291, fl1577).
Random numbers come from a xorshift32 state held in an array, so a run is reproducible from
its seed and number of kicks, however the kicks are split into calls.

The driver (`IteratedLocalSearch`) calls the compiled kernels in short chunks so the caller can
check its clock and report incumbents between them. Without numba the same code runs as plain
Python, correct but about 100 times slower (pr1002: ~275 rounds/s against 13,000-50,000).
`python -m solvers.families.tsp.local_search` compiles the kernels into numba's cache.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from solvers.families.jit import jit

NEIGHBOURS = 10
"""Length of each node's candidate list (k nearest by distance)."""
KICK_SEGMENT = 30
"""Longest segment of the local double bridge, in nodes, while the search is improving."""
STALE_ROUNDS_PER_NODE = 1
"""Rounds without improvement, per node, before the kick segments double."""

Tour = NDArray[np.int32]


# --------------------------------------------------------------------------------------------
# Small helpers (inlined by LLVM)


@jit
def _rand(rng: NDArray[np.int64], bound: int) -> int:
    """A number in [0, bound) from a xorshift32 state (stays below 2**45: no int64 overflow)."""
    x = rng[0]
    x ^= (x << 13) & 0xFFFFFFFF
    x ^= x >> 17
    x ^= (x << 5) & 0xFFFFFFFF
    rng[0] = x
    return int(x % bound)


@jit
def _push(x: int, queue: Tour, inq: NDArray[np.uint8], qs: NDArray[np.int64]) -> None:
    if inq[x] == 0:
        n = queue.shape[0]
        inq[x] = 1
        t = qs[0] + qs[1]
        if t >= n:
            t -= n
        queue[t] = x
        qs[1] += 1


@jit
def _pop(queue: Tour, inq: NDArray[np.uint8], qs: NDArray[np.int64]) -> int:
    n = queue.shape[0]
    x = queue[qs[0]]
    qs[0] += 1
    if qs[0] == n:
        qs[0] = 0
    qs[1] -= 1
    inq[x] = 0
    return int(x)


@jit
def _reverse(tour: Tour, pos: Tour, i: int, j: int) -> None:
    """Reverses the path at positions i..j (forward, cyclic); symmetric use only, so it reverses
    the complement instead when that is shorter (the same cyclic tour, other orientation)."""
    n = tour.shape[0]
    length = j - i
    if length < 0:
        length += n
    length += 1
    if 2 * length > n:
        i, j = j + 1, i - 1
        if i >= n:
            i -= n
        if j < 0:
            j += n
        length = n - length
    for _ in range(length // 2):
        a = tour[i]
        b = tour[j]
        tour[i] = b
        pos[b] = i
        tour[j] = a
        pos[a] = j
        i += 1
        if i == n:
            i = 0
        j -= 1
        if j < 0:
            j = n - 1


@jit
def _swap_blocks(tour: Tour, pos: Tour, buf: Tour, start: int, len_a: int, len_b: int) -> None:
    """Positions start.. hold block A (len_a) then block B (len_b), cyclically; makes them B A."""
    n = tour.shape[0]
    total = len_a + len_b
    p = start
    for t in range(total):
        buf[t] = tour[p]
        p += 1
        if p == n:
            p = 0
    p = start
    for t in range(total):
        node = buf[(t + len_a) % total]
        tour[p] = node
        pos[node] = p
        p += 1
        if p == n:
            p = 0


@jit
def _rotate3(tour: Tour, pos: Tour, buf: Tour, start_x: int, len_x: int, len_y: int) -> None:
    """The tour is X Y Z cyclically (X at start_x); makes it Y X Z at the cost of the cheapest of
    the three equivalent adjacent-block swaps (X Y -> Y X, Y Z -> Z Y, Z X -> X Z)."""
    n = tour.shape[0]
    len_z = n - len_x - len_y
    if len_x + len_y <= len_y + len_z and len_x + len_y <= len_z + len_x:
        _swap_blocks(tour, pos, buf, start_x, len_x, len_y)
    elif len_y + len_z <= len_z + len_x:
        _swap_blocks(tour, pos, buf, (start_x + len_x) % n, len_y, len_z)
    else:
        _swap_blocks(tour, pos, buf, (start_x + len_x + len_y) % n, len_z, len_x)


# --------------------------------------------------------------------------------------------
# Moves: each returns the gain of the move it applied (0.0 when it found none)


@jit
def _two_opt(a, tour, pos, dist, near, queue, inq, qs, eps):  # type: ignore[no-untyped-def]
    n = tour.shape[0]
    k_max = near.shape[1]
    pa = pos[a]
    for direction in range(2):
        b = tour[pa + 1 if pa + 1 < n else 0] if direction == 0 else tour[pa - 1 if pa > 0 else n - 1]
        d_ab = dist[a, b]
        for k in range(k_max):
            c = near[a, k]
            g1 = d_ab - dist[a, c]
            if g1 <= eps:
                break
            pc = pos[c]
            d = tour[pc + 1 if pc + 1 < n else 0] if direction == 0 else tour[pc - 1 if pc > 0 else n - 1]
            if c == b or d == a:
                continue
            gain = g1 + dist[c, d] - dist[b, d]
            if gain > eps:
                if direction == 0:
                    _reverse(tour, pos, pos[b], pc)
                else:
                    _reverse(tour, pos, pa, pos[d])
                _push(a, queue, inq, qs)
                _push(b, queue, inq, qs)
                _push(c, queue, inq, qs)
                _push(d, queue, inq, qs)
                return gain
    return 0.0


@jit
def _move_segment(tour, pos, buf, ps, length, c, reverse):  # type: ignore[no-untyped-def]
    """Moves the segment at positions ps..ps+length-1 between c and succ(c) (c outside it)."""
    n = tour.shape[0]
    len_b1 = (pos[c] - ps - length) % n + 1
    len_b2 = n - length - len_b1
    if len_b1 <= len_b2:
        _swap_blocks(tour, pos, buf, ps, length, len_b1)
        start = (ps + len_b1) % n
    else:
        start = (pos[c] + 1) % n
        _swap_blocks(tour, pos, buf, start, len_b2, length)
    if reverse and length > 1:
        _reverse(tour, pos, start, (start + length - 1) % n)


@jit
def _or_opt(a, tour, pos, buf, dist, near_in, near_out, symmetric, queue, inq, qs, eps):  # type: ignore[no-untyped-def]
    n = tour.shape[0]
    k_max = near_in.shape[1]
    for length in range(1, 4):
        if length + 3 > n:
            break
        for side in range(2 if length > 1 else 1):
            pa = pos[a]
            ps = pa if side == 0 else (pa - length + 1) % n
            s1 = tour[ps]
            s2 = tour[(ps + length - 1) % n]
            p = tour[ps - 1 if ps > 0 else n - 1]
            nx = tour[(ps + length) % n]
            removal = dist[p, s1] + dist[s2, nx] - dist[p, nx]
            if removal <= eps:
                continue
            # c -> s1 ... s2 -> e, between c and e = succ(c)
            for k in range(k_max):
                c = near_in[s1, k]
                g = removal - dist[c, s1]
                if g <= eps:
                    break
                if (pos[c] - ps) % n < length or c == p:
                    continue
                e = tour[(pos[c] + 1) % n]
                gain = g + dist[c, e] - dist[s2, e]
                if gain > eps:
                    _move_segment(tour, pos, buf, ps, length, c, False)
                    for x in (p, nx, s1, s2, c, e):
                        _push(x, queue, inq, qs)
                    return gain
            # c -> s1 ... s2 -> e, between c = pred(e) and e
            for k in range(k_max):
                e = near_out[s2, k]
                g = removal - dist[s2, e]
                if g <= eps:
                    break
                if (pos[e] - ps) % n < length or e == nx:
                    continue
                c = tour[pos[e] - 1 if pos[e] > 0 else n - 1]
                gain = g + dist[c, e] - dist[c, s1]
                if gain > eps:
                    _move_segment(tour, pos, buf, ps, length, c, False)
                    for x in (p, nx, s1, s2, c, e):
                        _push(x, queue, inq, qs)
                    return gain
            if not symmetric or length == 1:
                continue
            # reversed: c -> s2 ... s1 -> e
            for k in range(k_max):
                c = near_out[s2, k]
                g = removal - dist[c, s2]
                if g <= eps:
                    break
                if (pos[c] - ps) % n < length or c == p:
                    continue
                e = tour[(pos[c] + 1) % n]
                gain = g + dist[c, e] - dist[s1, e]
                if gain > eps:
                    _move_segment(tour, pos, buf, ps, length, c, True)
                    for x in (p, nx, s1, s2, c, e):
                        _push(x, queue, inq, qs)
                    return gain
            for k in range(k_max):
                e = near_out[s1, k]
                g = removal - dist[s1, e]
                if g <= eps:
                    break
                if (pos[e] - ps) % n < length or e == nx:
                    continue
                c = tour[pos[e] - 1 if pos[e] > 0 else n - 1]
                gain = g + dist[c, e] - dist[c, s2]
                if gain > eps:
                    _move_segment(tour, pos, buf, ps, length, c, True)
                    for x in (p, nx, s1, s2, c, e):
                        _push(x, queue, inq, qs)
                    return gain
    return 0.0


@jit
def _or3(a, tour, pos, buf, dist, near_in, near_out, symmetric, queue, inq, qs, eps):  # type: ignore[no-untyped-def]
    """Segment swap: a -> [b..c] [d..e] -> f becomes a -> [d..e] [b..c] -> f (no reversal).

    New edges a->d (d a near neighbour of a), e->b (e a near in-neighbour of b), c->f. With a
    symmetric matrix the same move is also searched in the mirrored tour (b = pred(a))."""
    n = tour.shape[0]
    k_max = near_in.shape[1]
    if n < 5:
        return 0.0
    for direction in range(2 if symmetric else 1):
        step = 1 if direction == 0 else n - 1
        pa = pos[a]
        b = tour[(pa + step) % n]
        pb = pos[b]
        d_ab = dist[a, b] if direction == 0 else dist[b, a]
        for k in range(k_max):
            d = near_out[a, k]
            g1 = d_ab - (dist[a, d] if direction == 0 else dist[d, a])
            if g1 <= eps:
                break
            if d == b:
                continue
            pd = pos[d]
            c = tour[(pd + n - step) % n]
            g1c = g1 + (dist[c, d] if direction == 0 else dist[d, c])
            # e lies between d and the node before a (in this direction): `span` steps from d
            span = ((pa - pd) * (1 if direction == 0 else -1) - 1) % n
            for k2 in range(k_max):
                e = near_in[b, k2]
                g2 = g1c - (dist[e, b] if direction == 0 else dist[b, e])
                if g2 <= eps:
                    break
                off = ((pos[e] - pd) * (1 if direction == 0 else -1)) % n
                if off > span:
                    continue
                f = tour[(pos[e] + step) % n]
                gain = g2 + (dist[e, f] - dist[c, f] if direction == 0 else dist[f, e] - dist[f, c])
                if gain > eps:
                    len_bc = ((pos[c] - pb) * (1 if direction == 0 else -1)) % n + 1
                    len_de = off + 1
                    if direction == 0:
                        _rotate3(tour, pos, buf, pb, len_bc, len_de)
                    else:  # forward order is [e..d] [c..b]: swap them
                        _rotate3(tour, pos, buf, pos[e], len_de, len_bc)
                    for x in (a, b, c, d, e, f):
                        _push(x, queue, inq, qs)
                    return gain
    return 0.0


@jit
def _improve(a, tour, pos, buf, dist, near_in, near_out, symmetric, queue, inq, qs, eps):  # type: ignore[no-untyped-def]
    if symmetric:
        gain = _two_opt(a, tour, pos, dist, near_out, queue, inq, qs, eps)
        if gain > 0.0:
            return gain
    gain = _or_opt(a, tour, pos, buf, dist, near_in, near_out, symmetric, queue, inq, qs, eps)
    if gain > 0.0:
        return gain
    return _or3(a, tour, pos, buf, dist, near_in, near_out, symmetric, queue, inq, qs, eps)


@jit
def local_search(tour, pos, buf, dist, near_in, near_out, symmetric, queue, inq, qs, eps, max_moves):  # type: ignore[no-untyped-def]
    """Improves until the queue is empty or `max_moves` moves were made; returns the total gain.

    `qs[1]` (nodes still queued) is 0 when the tour is a local optimum."""
    total = 0.0
    moves = 0
    while qs[1] > 0 and moves < max_moves:
        a = _pop(queue, inq, qs)
        gain = _improve(a, tour, pos, buf, dist, near_in, near_out, symmetric, queue, inq, qs, eps)
        if gain > 0.0:
            total += gain
            moves += 1
    return total


@jit
def _double_bridge(tour, pos, buf, dist, queue, inq, qs, rng, max_segment):  # type: ignore[no-untyped-def]
    """Three consecutive segments B C D (each 1..max_segment nodes) become D C B; returns the
    length change and queues the eight end nodes."""
    n = tour.shape[0]
    top = max(min(max_segment, (n - 1) // 3), 1)
    l1 = 1 + _rand(rng, top)
    l2 = 1 + _rand(rng, top)
    l3 = 1 + _rand(rng, top)
    s = _rand(rng, n)
    a = tour[(s + n - 1) % n]
    b1 = tour[s]
    b2 = tour[(s + l1 - 1) % n]
    c1 = tour[(s + l1) % n]
    c2 = tour[(s + l1 + l2 - 1) % n]
    d1 = tour[(s + l1 + l2) % n]
    d2 = tour[(s + l1 + l2 + l3 - 1) % n]
    e = tour[(s + l1 + l2 + l3) % n]
    delta = (dist[a, d1] + dist[d2, c1] + dist[c2, b1] + dist[b2, e]
             - dist[a, b1] - dist[b2, c1] - dist[c2, d1] - dist[d2, e])
    _swap_blocks(tour, pos, buf, s, l1, l2 + l3)  # B C D -> C D B
    _swap_blocks(tour, pos, buf, s, l2, l3)  # C D B -> D C B
    for x in (a, b1, b2, c1, c2, d1, d2, e):
        _push(x, queue, inq, qs)
    return delta


@jit
def ils_kicks(tour, pos, best_tour, best_pos, lengths, buf, dist, near_in, near_out, symmetric,  # type: ignore[no-untyped-def]
              queue, inq, qs, rng, eps, kicks, adapt):
    """`kicks` rounds of double bridge + local search from a local optimum `best_tour`.

    `tour`/`pos` equal `best_tour`/`best_pos` on entry and exit; `lengths[0]` is the best length.
    `adapt` = [base segment, stale limit, current segment, rounds since the last improvement]:
    after `stale limit` rounds without improvement the kick segments double (back to the base
    after n/3, or at once on an improvement). Returns how many rounds improved the best length."""
    n = tour.shape[0]
    improved = 0
    big = np.int64(1) << 60
    cap = max((n - 1) // 3, 1)
    for _ in range(kicks):
        length = lengths[0] + _double_bridge(tour, pos, buf, dist, queue, inq, qs, rng, adapt[2])
        length -= local_search(tour, pos, buf, dist, near_in, near_out, symmetric, queue, inq, qs, eps, big)
        if length <= lengths[0] + eps:
            if length < lengths[0] - eps:
                improved += 1
                adapt[2] = adapt[0]
                adapt[3] = 0
            lengths[0] = length
            for i in range(n):
                best_tour[i] = tour[i]
                best_pos[i] = pos[i]
        else:
            for i in range(n):
                tour[i] = best_tour[i]
                pos[i] = best_pos[i]
        adapt[3] += 1
        if adapt[3] >= adapt[1]:
            adapt[3] = 0
            adapt[2] = adapt[0] if adapt[2] >= cap else min(2 * adapt[2], cap)
    return improved


# --------------------------------------------------------------------------------------------
# Start tours


@jit
def _greedy_edge_tour(dist, near_out, order):  # type: ignore[no-untyped-def]
    """Greedy matching on the candidate edges (`order`: flat indices into `near_out`, shortest
    first; degree <= 2, no subtour), then the fragments are chained by nearest free end."""
    n = dist.shape[0]
    k_max = near_out.shape[1]
    adj = np.full((n, 2), -1, np.int32)
    deg = np.zeros(n, np.int32)
    parent = np.arange(n)
    for idx in order:
        i = idx // k_max
        j = near_out[i, idx % k_max]
        if deg[i] >= 2 or deg[j] >= 2:
            continue
        ri = i
        while parent[ri] != ri:
            parent[ri] = parent[parent[ri]]
            ri = parent[ri]
        rj = j
        while parent[rj] != rj:
            parent[rj] = parent[parent[rj]]
            rj = parent[rj]
        if ri == rj:
            continue
        parent[ri] = rj
        adj[i, deg[i]] = j
        deg[i] += 1
        adj[j, deg[j]] = i
        deg[j] += 1
    # walk fragments, joining each fragment's end to the nearest free end of another fragment
    tour = np.empty(n, np.int32)
    used = np.zeros(n, np.uint8)
    ends = np.empty(n, np.int32)
    n_ends = 0
    for i in range(n):
        if deg[i] < 2:
            ends[n_ends] = i
            n_ends += 1
    t = 0
    current = ends[0] if n_ends > 0 else 0
    while True:
        # walk the fragment from `current`
        prev = -1
        x = current
        while True:
            tour[t] = x
            t += 1
            used[x] = 1
            nxt = -1
            for s in range(deg[x]):
                y = adj[x, s]
                if y != prev and used[y] == 0:
                    nxt = y
                    break
            if nxt < 0:
                break
            prev = x
            x = nxt
        if t >= n:
            break
        best = -1
        best_d = np.inf
        for q in range(n_ends):
            y = ends[q]
            if used[y] == 0 and dist[x, y] < best_d:
                best_d = dist[x, y]
                best = y
        current = best
    return tour


def greedy_edge_tour(dist: NDArray[np.float64], near_out: Tour) -> Tour:
    """Greedy edge start tour for a symmetric matrix, from the candidate edges."""
    rows = np.arange(dist.shape[0])[:, None]
    order = np.argsort(dist[rows, near_out].ravel(), kind="stable").astype(np.int64)
    return _greedy_edge_tour(dist, near_out, order)  # type: ignore[no-any-return]


@jit
def nearest_neighbour_tour(dist, start):  # type: ignore[no-untyped-def]
    n = dist.shape[0]
    tour = np.empty(n, np.int32)
    used = np.zeros(n, np.uint8)
    x = start
    for t in range(n):
        tour[t] = x
        used[x] = 1
        best = -1
        best_d = np.inf
        for y in range(n):
            if used[y] == 0 and dist[x, y] < best_d:
                best_d = dist[x, y]
                best = y
        x = best
    return tour


# --------------------------------------------------------------------------------------------
# Driver


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


class IteratedLocalSearch:
    """Holds the state of one ILS run so it can be advanced in short, clock-checked chunks."""

    def __init__(self, dist: NDArray[np.float64], *, seed: int = 0, start: Tour | None = None,
                 neighbours: int = NEIGHBOURS, segment: int = KICK_SEGMENT,
                 stale_per_node: float = STALE_ROUNDS_PER_NODE) -> None:
        n = dist.shape[0]
        if n < 4:
            raise ValueError("iterated local search needs at least 4 nodes")
        self.dist = np.ascontiguousarray(dist, dtype=np.float64)
        self.n = n
        self.symmetric = is_symmetric(self.dist)
        self.near_out = nearest(self.dist, neighbours)
        self.near_in = self.near_out if self.symmetric else nearest(self.dist.T, neighbours)
        positive = self.dist[self.dist > 0]
        self.eps = 1e-9 * (float(positive.min()) if positive.size else 1.0)
        stale = max(int(stale_per_node * n), 1) if stale_per_node > 0 else 1 << 62
        self.adapt = np.array([segment, stale, segment, 0], np.int64)
        self.stats = SearchStats()
        if start is None:
            if self.symmetric:
                start = greedy_edge_tour(self.dist, self.near_out)
                self.stats.start = "greedy"
            else:
                start = nearest_neighbour_tour(self.dist, 0)
                self.stats.start = "nearest neighbour"
        else:
            self.stats.start = "warm start"
        self.tour = np.ascontiguousarray(start, dtype=np.int32).copy()
        self.pos = np.empty(n, np.int32)
        self.pos[self.tour] = np.arange(n, dtype=np.int32)
        self.buf = np.empty(n, np.int32)
        self.queue = self.tour.copy()  # every node queued, in tour order
        self.inq = np.ones(n, np.uint8)
        self.qs = np.array([0, n], np.int64)
        # xorshift32 state: never 0
        self.rng = np.array([(seed * 2654435761 + 0x9E3779B9) % 0xFFFFFFFF + 1], np.int64)
        self.lengths = np.array([tour_cost(self.dist, self.tour)], np.float64)
        self.best_tour = self.tour.copy()
        self.best_pos = self.pos.copy()

    @property
    def length(self) -> float:
        return float(self.lengths[0])

    def descend(self, max_moves: int) -> bool:
        """Runs the first local search for at most `max_moves` moves; True at a local optimum."""
        gain = local_search(self.tour, self.pos, self.buf, self.dist, self.near_in, self.near_out, self.symmetric,
                            self.queue, self.inq, self.qs, self.eps, np.int64(max_moves))
        self.lengths[0] -= gain
        self.best_tour[:] = self.tour
        self.best_pos[:] = self.pos
        self.stats.local_optimum = bool(self.qs[1] == 0)
        return self.stats.local_optimum

    def kick(self, count: int) -> int:
        """`count` ILS rounds (needs a local optimum first); returns rounds that improved."""
        improved = int(ils_kicks(self.tour, self.pos, self.best_tour, self.best_pos, self.lengths, self.buf,
                                 self.dist, self.near_in, self.near_out, self.symmetric, self.queue, self.inq,
                                 self.qs, self.rng, self.eps, count, self.adapt))
        self.stats.kicks += count
        self.stats.improvements += improved
        return improved

    def best(self) -> Tour:
        """The best tour, rotated to start at node 0."""
        shift = int(self.best_pos[0])
        return np.roll(self.best_tour, -shift)

    def exact_length(self) -> float:
        return tour_cost(self.dist, self.best_tour)


def warm_up() -> None:
    """Compiles (or loads from the numba cache) every kernel on a tiny symmetric and asymmetric
    instance, so a first real solve does not pay the JIT."""
    rng = np.random.default_rng(0)
    points = rng.random((12, 2))
    sym = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    asym = sym + rng.random((12, 12))
    np.fill_diagonal(asym, 0.0)
    for matrix in (sym, asym):
        search = IteratedLocalSearch(matrix, seed=1)
        search.descend(1 << 30)
        search.kick(5)


if __name__ == "__main__":  # `python -m solvers.families.tsp.local_search` fills the JIT cache
    import time

    began = time.monotonic()
    warm_up()
    print(f"tsp_local_search kernels ready in {time.monotonic() - began:.2f} s")
