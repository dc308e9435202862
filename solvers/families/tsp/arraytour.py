"""The tour as an array (`tour[position]`) with its inverse (`pos[node]`), and its edits.

Two edits change a tour: a path reversal and a swap of two adjacent blocks. Each is recorded in
a journal (`log`, int64 rows: row 0 holds [count, overflowed], then one row per edit
[kind, a, b, c]), so an iterated local search can undo a rejected kick, or replay an accepted
one on the best tour, in time proportional to what changed instead of copying n nodes: that is
what keeps a kick cheap at 10^5 nodes. A full journal sets `overflowed` and the caller falls back
to a copy. Replaying an edit depends only on positions, so it gives the same arrays every time.

The work queue holds the nodes to look at (don't-look bits: `inq[x]` is 0 for a node whose tour
edges did not change since it was last looked at without finding a move).
"""

import numpy as np
from numpy.typing import NDArray

from solvers.families.jit import jit
from solvers.families.xorshift import next_xorshift

Tour = NDArray[np.int32]
LOG_ROWS = 1 << 14
REVERSE = 1
SWAP = 2


def new_log() -> NDArray[np.int64]:
    return np.zeros((LOG_ROWS, 4), dtype=np.int64)


@jit
def _record(log, kind, a, b, c):  # type: ignore[no-untyped-def]
    if log[0, 1] != 0:
        return
    row = log[0, 0] + 1
    if row >= log.shape[0]:
        log[0, 1] = 1
        return
    log[row, 0] = kind
    log[row, 1] = a
    log[row, 2] = b
    log[row, 3] = c
    log[0, 0] = row


@jit
def rand(rng, bound):  # type: ignore[no-untyped-def]
    """A number in [0, bound) from a xorshift32 state (stays below 2**45: no int64 overflow)."""
    return int(next_xorshift(rng, 0) % bound)


@jit
def push(x, queue, inq, qs):  # type: ignore[no-untyped-def]
    if inq[x] == 0:
        n = queue.shape[0]
        inq[x] = 1
        t = qs[0] + qs[1]
        if t >= n:
            t -= n
        queue[t] = x
        qs[1] += 1


@jit
def pop(queue, inq, qs):  # type: ignore[no-untyped-def]
    n = queue.shape[0]
    x = queue[qs[0]]
    qs[0] += 1
    if qs[0] == n:
        qs[0] = 0
    qs[1] -= 1
    inq[x] = 0
    return int(x)


@jit
def succ(tour, pos, x):  # type: ignore[no-untyped-def]
    p = pos[x] + 1
    return tour[p if p < tour.shape[0] else 0]


@jit
def pred(tour, pos, x):  # type: ignore[no-untyped-def]
    p = pos[x]
    return tour[p - 1 if p > 0 else tour.shape[0] - 1]


@jit
def reverse(tour, pos, log, i, j):  # type: ignore[no-untyped-def]
    """Reverses the path at positions i..j (forward, cyclic); symmetric use only, so it reverses
    the complement instead when that is shorter (the same cyclic tour, other orientation)."""
    _record(log, REVERSE, i, j, 0)
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
def swap_blocks(tour, pos, buf, log, start, len_a, len_b):  # type: ignore[no-untyped-def]
    """Positions start.. hold block A (len_a) then block B (len_b), cyclically; makes them B A."""
    _record(log, SWAP, start, len_a, len_b)
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
def rotate3(tour, pos, buf, log, start_x, len_x, len_y):  # type: ignore[no-untyped-def]
    """The tour is X Y Z cyclically (X at start_x); makes it Y X Z at the cost of the cheapest of
    the three equivalent adjacent-block swaps (X Y -> Y X, Y Z -> Z Y, Z X -> X Z)."""
    n = tour.shape[0]
    len_z = n - len_x - len_y
    if len_x + len_y <= len_y + len_z and len_x + len_y <= len_z + len_x:
        swap_blocks(tour, pos, buf, log, start_x, len_x, len_y)
    elif len_y + len_z <= len_z + len_x:
        swap_blocks(tour, pos, buf, log, (start_x + len_x) % n, len_y, len_z)
    else:
        swap_blocks(tour, pos, buf, log, (start_x + len_x + len_y) % n, len_z, len_x)


@jit
def replay(log, tour, pos, buf, nolog, backwards):  # type: ignore[no-untyped-def]
    """Applies the journal's edits to (tour, pos), or undoes them (`backwards`), journaling
    nothing (`nolog` has its overflow flag set)."""
    count = log[0, 0]
    for t in range(count):
        row = count - t if backwards else t + 1
        kind = log[row, 0]
        if kind == REVERSE:
            reverse(tour, pos, nolog, log[row, 1], log[row, 2])
        elif backwards:
            swap_blocks(tour, pos, buf, nolog, log[row, 1], log[row, 3], log[row, 2])
        else:
            swap_blocks(tour, pos, buf, nolog, log[row, 1], log[row, 2], log[row, 3])
