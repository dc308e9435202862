"""Segment moves of the local search: Or-opt and or-3opt (pure 3-opt moves, no long reversal).

- Or-opt: move a segment of 1-3 nodes elsewhere, kept in orientation or (symmetric) reversed;
- or-3opt: swap two adjacent segments of any length (the pure 3-opt move that reverses nothing),
  searched from both tour directions when the costs are symmetric.

Both keep every path's direction unless told to reverse, so they also serve asymmetric matrices.
Each returns the gain of the move it applied (0.0 when it found none) and queues the end nodes.
"""

from solvers.families.jit import jit
from solvers.families.tsp.arraytour import push, reverse, rotate3, swap_blocks
from solvers.families.tsp.metric import cost


@jit
def move_segment(tour, pos, buf, log, ps, length, c, flip):  # type: ignore[no-untyped-def]
    """Moves the segment at positions ps..ps+length-1 between c and succ(c) (c outside it)."""
    n = tour.shape[0]
    len_b1 = (pos[c] - ps - length) % n + 1
    len_b2 = n - length - len_b1
    if len_b1 <= len_b2:
        swap_blocks(tour, pos, buf, log, ps, length, len_b1)
        start = (ps + len_b1) % n
    else:
        start = (pos[c] + 1) % n
        swap_blocks(tour, pos, buf, log, start, len_b2, length)
    if flip and length > 1:
        reverse(tour, pos, log, start, (start + length - 1) % n)


@jit
def or_opt(a, tour, pos, buf, log, D, near_in, near_out, symmetric, queue, inq, qs, eps):  # type: ignore[no-untyped-def]
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
            removal = cost(D, p, s1) + cost(D, s2, nx) - cost(D, p, nx)
            if removal <= eps:
                continue
            # c -> s1 ... s2 -> e, between c and e = succ(c)
            for k in range(k_max):
                c = near_in[s1, k]
                g = removal - cost(D, c, s1)
                if g <= eps:
                    break
                if (pos[c] - ps) % n < length or c == p:
                    continue
                e = tour[(pos[c] + 1) % n]
                gain = g + cost(D, c, e) - cost(D, s2, e)
                if gain > eps:
                    move_segment(tour, pos, buf, log, ps, length, c, False)
                    for x in (p, nx, s1, s2, c, e):
                        push(x, queue, inq, qs)
                    return gain
            # c -> s1 ... s2 -> e, between c = pred(e) and e
            for k in range(k_max):
                e = near_out[s2, k]
                g = removal - cost(D, s2, e)
                if g <= eps:
                    break
                if (pos[e] - ps) % n < length or e == nx:
                    continue
                c = tour[pos[e] - 1 if pos[e] > 0 else n - 1]
                gain = g + cost(D, c, e) - cost(D, c, s1)
                if gain > eps:
                    move_segment(tour, pos, buf, log, ps, length, c, False)
                    for x in (p, nx, s1, s2, c, e):
                        push(x, queue, inq, qs)
                    return gain
            if not symmetric or length == 1:
                continue
            # reversed: c -> s2 ... s1 -> e
            for k in range(k_max):
                c = near_out[s2, k]
                g = removal - cost(D, c, s2)
                if g <= eps:
                    break
                if (pos[c] - ps) % n < length or c == p:
                    continue
                e = tour[(pos[c] + 1) % n]
                gain = g + cost(D, c, e) - cost(D, s1, e)
                if gain > eps:
                    move_segment(tour, pos, buf, log, ps, length, c, True)
                    for x in (p, nx, s1, s2, c, e):
                        push(x, queue, inq, qs)
                    return gain
            for k in range(k_max):
                e = near_out[s1, k]
                g = removal - cost(D, s1, e)
                if g <= eps:
                    break
                if (pos[e] - ps) % n < length or e == nx:
                    continue
                c = tour[pos[e] - 1 if pos[e] > 0 else n - 1]
                gain = g + cost(D, c, e) - cost(D, c, s2)
                if gain > eps:
                    move_segment(tour, pos, buf, log, ps, length, c, True)
                    for x in (p, nx, s1, s2, c, e):
                        push(x, queue, inq, qs)
                    return gain
    return 0.0


@jit
def or3(a, tour, pos, buf, log, D, near_in, near_out, symmetric, queue, inq, qs, eps):  # type: ignore[no-untyped-def]
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
        d_ab = cost(D, a, b) if direction == 0 else cost(D, b, a)
        for k in range(k_max):
            d = near_out[a, k]
            g1 = d_ab - (cost(D, a, d) if direction == 0 else cost(D, d, a))
            if g1 <= eps:
                break
            if d == b:
                continue
            pd = pos[d]
            c = tour[(pd + n - step) % n]
            g1c = g1 + (cost(D, c, d) if direction == 0 else cost(D, d, c))
            # e lies between d and the node before a (in this direction): `span` steps from d
            span = ((pa - pd) * (1 if direction == 0 else -1) - 1) % n
            for k2 in range(k_max):
                e = near_in[b, k2]
                g2 = g1c - (cost(D, e, b) if direction == 0 else cost(D, b, e))
                if g2 <= eps:
                    break
                off = ((pos[e] - pd) * (1 if direction == 0 else -1)) % n
                if off > span:
                    continue
                f = tour[(pos[e] + step) % n]
                gain = g2 + (cost(D, e, f) - cost(D, c, f) if direction == 0 else cost(D, f, e) - cost(D, f, c))
                if gain > eps:
                    len_bc = ((pos[c] - pb) * (1 if direction == 0 else -1)) % n + 1
                    len_de = off + 1
                    if direction == 0:
                        rotate3(tour, pos, buf, log, pb, len_bc, len_de)
                    else:  # forward order is [e..d] [c..b]: swap them
                        rotate3(tour, pos, buf, log, pos[e], len_de, len_bc)
                    for x in (a, b, c, d, e, f):
                        push(x, queue, inq, qs)
                    return gain
    return 0.0
