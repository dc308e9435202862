"""The compiled search loop: local search from a work queue, and iterated local search kicks.

Arguments come in two tuples so every kernel has the same short signature:
- `S = (tour, pos, buf, log, queue, inq, qs)`: the array tour and its inverse, a scratch buffer,
  the edit journal (`arraytour`), the work queue with its membership bytes and [head, count];
- `P = (D, near_in, near_out, symmetric, eps, work, gains, near_lk)`: the costs (`metric`),
  candidate lists (nearest first; `near_in` by incoming cost for asymmetric matrices), tolerance,
  LK scratch, and the LK move's own lists (`near_out`, or alpha-nearness lists: `alpha`).

Local search takes nodes from the queue and tries, first improvement: the LK-style move (`lk`,
symmetric costs only: it reverses paths), Or-opt and or-3opt (`moves`).

A kick is a local double bridge (the non-sequential 4-opt move: three consecutive segments B C D
of 1..S nodes each become D C B), then local search from the eight touched nodes; the result is
kept if it is no longer than the best tour, else undone from the journal (or copied back when the
journal overflowed). S starts at the base segment; after `stale limit` rounds without improvement
it doubles (up to n/3, then back to the base), and an improvement resets it: small kicks polish,
larger ones leave the long plateaus of clustered instances. Random numbers come from a xorshift32
state held in an array, so a run is reproducible from its seed and number of kicks.
"""

import numpy as np

from solvers.families.jit import jit
from solvers.families.tsp.arraytour import pop, push, rand, replay, swap_blocks
from solvers.families.tsp.lk import lk_move
from solvers.families.tsp.metric import cost
from solvers.families.tsp.moves import or3, or_opt


@jit
def improve(a, S, P):  # type: ignore[no-untyped-def]
    tour, pos, buf, log, queue, inq, qs = S
    D, near_in, near_out, symmetric, eps, work, gains, near_lk = P
    if symmetric:
        gain = lk_move(a, tour, pos, log, D, near_lk, queue, inq, qs, eps, work, gains)
        if gain > 0.0:
            return gain
    gain = or_opt(a, tour, pos, buf, log, D, near_in, near_out, symmetric, queue, inq, qs, eps)
    if gain > 0.0:
        return gain
    return or3(a, tour, pos, buf, log, D, near_in, near_out, symmetric, queue, inq, qs, eps)


@jit
def local_search(S, P, max_moves):  # type: ignore[no-untyped-def]
    """Improves until the queue is empty or `max_moves` moves were made; returns the total gain.

    `qs[1]` (nodes still queued) is 0 when the tour is a local optimum."""
    queue, inq, qs = S[4], S[5], S[6]
    total = 0.0
    moves = 0
    while qs[1] > 0 and moves < max_moves:
        a = pop(queue, inq, qs)
        gain = improve(a, S, P)
        if gain > 0.0:
            total += gain
            moves += 1
    return total


@jit
def double_bridge(S, D, rng, max_segment):  # type: ignore[no-untyped-def]
    """Three consecutive segments B C D (each 1..max_segment nodes) become D C B; returns the
    length change and queues the eight end nodes."""
    tour, pos, buf, log, queue, inq, qs = S
    n = tour.shape[0]
    top = max(min(max_segment, (n - 1) // 3), 1)
    l1 = 1 + rand(rng, top)
    l2 = 1 + rand(rng, top)
    l3 = 1 + rand(rng, top)
    s = rand(rng, n)
    a = tour[(s + n - 1) % n]
    b1 = tour[s]
    b2 = tour[(s + l1 - 1) % n]
    c1 = tour[(s + l1) % n]
    c2 = tour[(s + l1 + l2 - 1) % n]
    d1 = tour[(s + l1 + l2) % n]
    d2 = tour[(s + l1 + l2 + l3 - 1) % n]
    e = tour[(s + l1 + l2 + l3) % n]
    delta = (cost(D, a, d1) + cost(D, d2, c1) + cost(D, c2, b1) + cost(D, b2, e)
             - cost(D, a, b1) - cost(D, b2, c1) - cost(D, c2, d1) - cost(D, d2, e))
    swap_blocks(tour, pos, buf, log, s, l1, l2 + l3)  # B C D -> C D B
    swap_blocks(tour, pos, buf, log, s, l2, l3)  # C D B -> D C B
    for x in (a, b1, b2, c1, c2, d1, d2, e):
        push(x, queue, inq, qs)
    return delta


@jit
def _settle(S, best_tour, best_pos, nolog, keep):  # type: ignore[no-untyped-def]
    """After a kick: the best tour becomes the current one (`keep`), or the current one goes back
    to the best; from the journal when it is complete, else by copying."""
    tour, pos, buf, log = S[0], S[1], S[2], S[3]
    if log[0, 1] == 0:
        if keep:
            replay(log, best_tour, best_pos, buf, nolog, False)
        else:
            replay(log, tour, pos, buf, nolog, True)
    elif keep:
        best_tour[:] = tour
        best_pos[:] = pos
    else:
        tour[:] = best_tour
        pos[:] = best_pos


@jit
def ils_kicks(S, P, best_tour, best_pos, lengths, rng, kicks, adapt):  # type: ignore[no-untyped-def]
    """`kicks` rounds of double bridge + local search from a local optimum.

    The current tour equals `best_tour`/`best_pos` on entry and exit; `lengths[0]` is its length.
    `adapt` = [base segment, stale limit, current segment, rounds since the last improvement].
    Returns how many rounds improved the best length."""
    log = S[3]
    eps = P[4]
    n = S[0].shape[0]
    nolog = np.ones((1, 4), np.int64)
    improved = 0
    big = np.int64(1) << 60
    cap = max((n - 1) // 3, 1)
    for _ in range(kicks):
        log[0, 0] = 0
        log[0, 1] = 0
        length = lengths[0] + double_bridge(S, P[0], rng, adapt[2])
        length -= local_search(S, P, big)
        keep = length <= lengths[0] + eps
        if keep:
            if length < lengths[0] - eps:
                improved += 1
                adapt[2] = adapt[0]
                adapt[3] = 0
            lengths[0] = length
        _settle(S, best_tour, best_pos, nolog, keep)
        adapt[3] += 1
        if adapt[3] >= adapt[1]:
            adapt[3] = 0
            adapt[2] = adapt[0] if adapt[2] >= cap else min(2 * adapt[2], cap)
    log[0, 0] = 0
    log[0, 1] = 1
    return improved
