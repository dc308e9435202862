"""Lin-Kernighan-style variable-depth move, built from 2-opt steps on the array tour.

From t1 and a tour neighbour t2, each step adds an edge (t2, t3) to a candidate t3 of t2 and
removes (t3, t4), t4 the neighbour of t3 that keeps a Hamiltonian path: one path reversal. The
edge (t1, t4) closes the tour; the cumulative gain G (removed minus added, the closing edge
aside) must stay positive (so candidates, sorted by distance, are scanned only while
G - d(t2, t3) > 0), and an added edge is never removed again in the same move. The first level
tries up to BREADTH[0] choices of t3, the second BREADTH[1], deeper levels the one choice that
maximises G - d(t2, t3) + d(t3, t4) (LK's look-ahead), up to MAX_DEPTH steps: every sequential
2-, 3-, ... MAX_DEPTH-opt move reachable this way. Once a closed tour is shorter, the chain goes
on greedily and the move is cut back to its best depth. A move that fails is undone exactly (its
journal entries are dropped too: they cancel).

`work` (int64, (MAX_DEPTH + 2) x 6) and `gains` (float64, MAX_DEPTH + 2) are scratch arrays:
columns t2, t3, reversal start, reversal end, next candidate index, choices tried; the last row
holds the depth limit and the two breadths.
"""

import numpy as np
from numpy.typing import NDArray

from solvers.families.jit import jit
from solvers.families.tsp.arraytour import pred, push, reverse, succ
from solvers.families.tsp.metric import cost

MAX_DEPTH = 10
"""Rows of the scratch arrays: the largest depth limit a run may set."""
DEPTH = 6
BREADTH = (5, 1)
"""Choices of t3 tried at the first levels; deeper levels take the single best. Measured on
uniform random points (ILS, euc_2d): at 10,000 cities and 20 s, depth 6 breadth (5, 1) ends
0.3% shorter than plain 2-opt moves (depth 1) and ahead of (10, (3, 1)); at 1,000 cities
and 5 s the cheaper 2-opt rounds (2.3x more kicks) are as good or 0.05% better."""
ALPHA_DEPTH = MAX_DEPTH
"""Depth limit once the move scans the 5 alpha-nearest neighbours (`alpha`) instead of the 10
nearest. Measured (tsp_ls, 10 s, pr1002, u1060, vm1084, pcb1173, d1291, rl1304, fl1577, alternating
with depth 6, load 1.4-3): depth 10 throughout, seeds 0-3, mean gap 0.48% -> 0.15%, median 0.11% ->
0.05% (fl1577 2.76/1.85/2.76/2.76% -> 1.60/0.00/0.02/0.00%); depth 10 only on the alpha lists (this
setting: the first descent keeps depth 6), seeds 0-1, mean 0.38% -> 0.18%, median 0.135% -> 0.06%.
Not measured beyond 1,577 cities."""
DEPTH_ROW = MAX_DEPTH + 1
"""Row of `work` holding the settings: [depth limit, breadth 0, breadth 1] (tunable per run)."""


def scratch(depth: int = DEPTH, breadth: tuple[int, int] = BREADTH) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    work = np.zeros((MAX_DEPTH + 2, 6), dtype=np.int64)
    work[DEPTH_ROW, :3] = (min(depth, MAX_DEPTH), *breadth)
    return work, np.zeros(MAX_DEPTH + 2)


@jit
def _breadth(work, depth):  # type: ignore[no-untyped-def]
    if depth == 0:
        return work[DEPTH_ROW, 1]
    if depth == 1:
        return work[DEPTH_ROW, 2]
    return 1


@jit
def _valid(t1, t2, t3, t4, work, depth):  # type: ignore[no-untyped-def]
    if t3 == t1 or t3 == t2 or t4 == t2 or t4 == t1:  # noqa: SIM109 (plain compares compile best)
        return False
    for level in range(depth):  # never remove an edge this move added
        a = work[level, 0]
        b = work[level, 1]
        if (a == t3 and b == t4) or (a == t4 and b == t3):
            return False
    return True


@jit
def _choose(t1, depth, tour, pos, D, near, work, gains, eps):  # type: ignore[no-untyped-def]
    """The next t3 at this level (-1: none left); advances the level's scan state."""
    t2 = work[depth, 0]
    big_g = gains[depth]
    fwd = succ(tour, pos, t1) == t2
    k_max = near.shape[1]
    if _breadth(work, depth) > 1:
        for q in range(work[depth, 4], k_max):
            t3 = near[t2, q]
            if big_g - cost(D, t2, t3) <= eps:
                continue
            t4 = pred(tour, pos, t3) if fwd else succ(tour, pos, t3)
            if _valid(t1, t2, t3, t4, work, depth):
                work[depth, 4] = q + 1
                return t3
        work[depth, 4] = k_max
        return -1
    best = -1
    best_value = -np.inf
    for q in range(k_max):
        t3 = near[t2, q]
        g = big_g - cost(D, t2, t3)
        if g <= eps:
            continue
        t4 = pred(tour, pos, t3) if fwd else succ(tour, pos, t3)
        if _valid(t1, t2, t3, t4, work, depth) and g + cost(D, t3, t4) > best_value:
            best_value = g + cost(D, t3, t4)
            best = t3
    return best


@jit
def _apply(t1, depth, t3, tour, pos, log, D, work, gains):  # type: ignore[no-untyped-def]
    """Takes the step at `depth` towards t3; returns the closed tour's gain."""
    t2 = work[depth, 0]
    if succ(tour, pos, t1) == t2:
        t4 = pred(tour, pos, t3)
        i, j = pos[t2], pos[t4]
    else:
        t4 = succ(tour, pos, t3)
        i, j = pos[t4], pos[t2]
    work[depth, 1] = t3
    work[depth, 2] = i
    work[depth, 3] = j
    reverse(tour, pos, log, i, j)
    gains[depth + 1] = gains[depth] - cost(D, t2, t3) + cost(D, t3, t4)
    work[depth + 1, 0] = t4
    work[depth + 1, 4] = 0
    work[depth + 1, 5] = 0
    return gains[depth + 1] - cost(D, t4, t1)


@jit
def _undo(depth, tour, pos, log, work):  # type: ignore[no-untyped-def]
    reverse(tour, pos, log, work[depth, 2], work[depth, 3])
    if log[0, 1] == 0:
        log[0, 0] -= 2  # the step and its undo cancel: forget both


@jit
def _finish(t1, depth, gain, tour, pos, log, D, near, work, gains, queue, inq, qs, eps):  # type: ignore[no-untyped-def]
    """Extends an improving chain greedily, cuts it back to its best depth, queues its nodes."""
    best, best_depth = gain, depth
    while depth < work[DEPTH_ROW, 0]:
        t3 = _choose(t1, depth, tour, pos, D, near, work, gains, eps)
        if t3 < 0:
            break
        closing = _apply(t1, depth, t3, tour, pos, log, D, work, gains)
        depth += 1
        if closing > best:
            best, best_depth = closing, depth
    while depth > best_depth:
        depth -= 1
        _undo(depth, tour, pos, log, work)
    push(t1, queue, inq, qs)
    for level in range(best_depth):
        push(work[level, 0], queue, inq, qs)
        push(work[level, 1], queue, inq, qs)
    push(work[best_depth, 0], queue, inq, qs)
    return best


@jit
def lk_move(t1, tour, pos, log, D, near, queue, inq, qs, eps, work, gains):  # type: ignore[no-untyped-def]
    """Searches an improving variable-depth move from t1; applies it and returns its gain (0.0:
    none found, the tour unchanged)."""
    for direction in range(2):
        t2 = succ(tour, pos, t1) if direction == 0 else pred(tour, pos, t1)
        depth = 0
        work[0, 0] = t2
        work[0, 4] = 0
        work[0, 5] = 0
        gains[0] = cost(D, t1, t2)
        while True:
            t3 = -1
            if depth < work[DEPTH_ROW, 0] and work[depth, 5] < _breadth(work, depth):
                t3 = _choose(t1, depth, tour, pos, D, near, work, gains, eps)
            if t3 < 0:
                if depth == 0:
                    break
                depth -= 1
                _undo(depth, tour, pos, log, work)
                continue
            work[depth, 5] += 1
            closing = _apply(t1, depth, t3, tour, pos, log, D, work, gains)
            depth += 1
            if closing > eps:
                return _finish(t1, depth, closing, tour, pos, log, D, near, work, gains, queue, inq, qs, eps)
    return 0.0
