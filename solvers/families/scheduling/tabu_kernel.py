"""The compiled core of the job-shop tabu search (`jobshop_tabu`): one iteration in numba.

Why compiled: the search lives on iterations (Taillard 20 x 20 and 30 x 20 need millions), and
the plain-Python loop made about 2,000 per second; compiled, the same moves run 50-100 times
faster. The driver in `jobshop_tabu` calls `run_chunk` for a few thousand iterations at a time
(numba cannot read the clock) and reports the best schedule between chunks.

State is a handful of int64 arrays, so nothing is allocated per iteration:
- `v` (ROWS x n): per operation, rows named below (static data, sequence links, heads, tails, a
  topological order ORDER and each operation's place in it OPOS; SINKS lists the last operation of
  each job, then -1);
- `seq`, `best_seq` (machines x longest sequence) and `mlen`: the machine sequences;
- `setup` (K x jobs x jobs) with `sidx[m]` its layer for machine m or -1 (no setups there);
- `tabu` (n x longest machine): iteration until which "row before column" on a machine is
  forbidden, the column being the other operation's SLOT (its fixed index among its machine's
  operations). Only pairs on one machine are ever tabu, so an n x n matrix was mostly empty and
  grew with the square of the operations: 3 GB per search on 1000 jobs x 20 machines (20,000
  operations; two searches run on one thread), against 153 MB for this one (2.9 MB -> 144 KB on
  30 x 20). Same values, same trajectories (ta46, seed 1, 1,000,000 iterations: 2058 both ways);
- `moves` (capacity x 3): scratch for the neighbourhood, (machine, from index, to index);
- `st`: counters (names below); the random stream is xorshift32 in `st[RNG]` (reproducible,
  thread-independent).
"""

import numpy as np
from numpy.typing import NDArray

from solvers.families.jit import jit
from solvers.families.xorshift import next_xorshift

# rows of v
P, MACH, JOB, JP, JS, REL, POS, MP, MS, R, Q, ORDER, INDEG, STACK, BEST_R, PATH, HEADS, OPOS, SINKS, SLOT = range(20)
ROWS = 20
# entries of st
IT, BEST, LAST_IMPROVEMENT, RESTARTS, RNG, MAKESPAN, TENURE, STALL, CLASSIC, BEST_FOUND, KICKS = range(11)
STATE = 11
# reasons run_chunk returns
CONTINUE, AT_BOUND, NO_MOVES, PATIENCE = range(4)

Ints = NDArray[np.int64]


@jit
def rand_below(st, k):  # type: ignore[no-untyped-def]
    """Uniform integer in [0, k) from the xorshift32 stream in st[RNG]."""
    return next_xorshift(st, RNG) % k


@jit
def setup_gap(v, setup, sidx, a, b):  # type: ignore[no-untyped-def]
    """Setup between a and b when b follows a on their machine."""
    layer = sidx[v[MACH, a]]
    if layer < 0:
        return 0
    return setup[layer, v[JOB, a], v[JOB, b]]


@jit
def relink(v, seq, mlen, m, lo, hi):  # type: ignore[no-untyped-def]
    """Machine predecessor/successor and position for sequence entries lo..hi and neighbours."""
    length = mlen[m]
    lo = max(lo - 1, 0)
    hi = min(hi + 1, length - 1)
    for k in range(lo, hi + 1):
        op = seq[m, k]
        v[POS, op] = k
        v[MP, op] = seq[m, k - 1] if k > 0 else -1
        v[MS, op] = seq[m, k + 1] if k + 1 < length else -1


@jit
def evaluate(v, setup, sidx):  # type: ignore[no-untyped-def]
    """Heads, tails and a topological order from scratch; the makespan, or -1 (nothing usable) on a cycle."""
    n = v.shape[1]
    for k in range(n):
        v[ORDER, k] = v[OPOS, k] = k
    if not resort(v, 0, n - 1):
        return -1
    return propagate(v, setup, sidx, 0, n - 1)


@jit
def evaluate_move(v, seq, setup, sidx, m, lo, hi):  # type: ignore[no-untyped-def]
    """Heads, tails and order after entries lo..hi of machine m were permuted (`shift`), from the
    order, heads and tails of the schedule before; the makespan, or -1 on a cycle (then the order
    is spoiled: undo the move and call `evaluate`).

    Why it is enough: only arcs between the permuted operations and their machine neighbours
    changed, so an operation before the first of them in the old order (p0) is no descendant of
    them and one after the last (p1) no ancestor. The old order stays valid outside p0..p1, which
    alone is re-sorted; heads change only from p0 on, tails only up to p1. Against a full evaluation
    per move: 1.8-2.2x the iterations per second on ta32, ta43, ta46, ta48 with the same
    trajectories. Tried and dropped: recomputing past the window only the heads (tails) whose
    predecessor's (successor's) value changed, marked as they change: the same trajectories at
    0.5-0.7x the iterations per second (ta46 207,000 -> 99,000-110,000 per second, la21 395,000 ->
    256,000-270,000), so the marking costs more than the skipped operations save (how many heads change
    per move was not measured)."""
    p0, p1 = v.shape[1], -1
    for k in range(lo, hi + 1):
        at = v[OPOS, seq[m, k]]
        p0, p1 = min(p0, at), max(p1, at)
    if not resort(v, p0, p1):
        return -1
    return propagate(v, setup, sidx, p0, p1)


@jit
def resort(v, p0, p1):  # type: ignore[no-untyped-def]
    """Topological sort (Kahn) of the operations at order positions p0..p1, written back there with
    their OPOS; arcs from before p0 and to after p1 are already satisfied. False on a cycle (the
    window is then spoiled)."""
    top = 0
    for k in range(p0, p1 + 1):
        i = v[ORDER, k]
        d = 0
        j = v[JP, i]
        if j >= 0 and v[OPOS, j] >= p0:
            d += 1
        j = v[MP, i]
        if j >= 0 and v[OPOS, j] >= p0:
            d += 1
        v[INDEG, i] = d
        if d == 0:
            v[STACK, top] = i
            top += 1
    count = p0
    while top > 0:
        top -= 1
        i = v[STACK, top]
        v[ORDER, count] = i
        count += 1
        s = v[JS, i]  # the job arc and the machine arc are written out: a shared helper halved the
        if s >= 0 and v[OPOS, s] <= p1:  # iterations per second (ta41, 8 s: 46,000-53,000/s against 113,000/s)
            v[INDEG, s] -= 1
            if v[INDEG, s] == 0:
                v[STACK, top] = s
                top += 1
        s = v[MS, i]
        if s >= 0 and v[OPOS, s] <= p1:
            v[INDEG, s] -= 1
            if v[INDEG, s] == 0:
                v[STACK, top] = s
                top += 1
    if count <= p1:
        return False
    for k in range(p0, p1 + 1):
        v[OPOS, v[ORDER, k]] = k
    return True


@jit
def propagate(v, setup, sidx, p0, p1):  # type: ignore[no-untyped-def]
    """Heads from order position p0 on and tails up to p1 (the rest is current); the makespan."""
    n = v.shape[1]
    plain = sidx.max() < 0  # no setups anywhere: skip their lookups (the classic job shop)
    for k in range(p0, n):
        i = v[ORDER, k]
        h = v[REL, i]
        j = v[JP, i]
        if j >= 0 and v[R, j] + v[P, j] > h:
            h = v[R, j] + v[P, j]
        j = v[MP, i]
        if j >= 0:
            t = v[R, j] + v[P, j] if plain else v[R, j] + v[P, j] + setup_gap(v, setup, sidx, j, i)
            if t > h:
                h = t
        v[R, i] = h
    for k in range(p1, -1, -1):
        i = v[ORDER, k]
        s = v[JS, i]
        best = v[Q, s] + v[P, s] if s >= 0 else 0
        t = v[MS, i]
        if t >= 0:
            w = v[Q, t] + v[P, t]
            if not plain:
                w += setup_gap(v, setup, sidx, i, t)
            if w > best:
                best = w
        v[Q, i] = best
    last = last_operation(v)
    return v[R, last] + v[P, last]


@jit
def last_operation(v):  # type: ignore[no-untyped-def]
    """An operation that ends last: a job's last one (heads grow along a job)."""
    best, k = v[SINKS, 0], 1
    while k < v.shape[1] and v[SINKS, k] >= 0:
        i = v[SINKS, k]
        if v[R, i] + v[P, i] > v[R, best] + v[P, best]:
            best = i
        k += 1
    return best


@jit
def critical_path(v, setup, sidx):  # type: ignore[no-untyped-def]
    """One longest path into v[PATH] (start first), preferring machine arcs; its length."""
    i = last_operation(v)
    length = 0
    while True:
        v[PATH, length] = i
        length += 1
        m, j = v[MP, i], v[JP, i]
        if m >= 0 and v[R, m] + v[P, m] + setup_gap(v, setup, sidx, m, i) == v[R, i]:
            i = m
        elif j >= 0 and v[R, j] + v[P, j] == v[R, i]:
            i = j
        else:
            break
    for k in range(length // 2):  # reverse in place
        a = v[PATH, k]
        v[PATH, k] = v[PATH, length - 1 - k]
        v[PATH, length - 1 - k] = a
    return length


@jit
def block_moves(length, out):  # type: ignore[no-untyped-def]
    """N7 moves (Zhang et al. 2007) within one block of `length` as (from, to) rows of out; count."""
    k = length - 1
    out[0, 0], out[0, 1] = 0, 1
    if k == 1:
        return 1
    out[1, 0], out[1, 1] = k, k - 1
    c = 2
    for a in range(2, k + 1):  # to the front
        out[c, 0], out[c, 1] = a, 0
        c += 1
    for a in range(0, k - 1):  # to the back
        out[c, 0], out[c, 1] = a, k
        c += 1
    for a in range(2, k):  # the first one inside
        out[c, 0], out[c, 1] = 0, a
        c += 1
    for a in range(1, k - 1):  # the last one inside
        out[c, 0], out[c, 1] = k, a
        c += 1
    return c


@jit
def feasible(v, seq, m, a, b):  # type: ignore[no-untyped-def]
    """Balas-Vazacopoulos: moving entry a to b cannot close a cycle (positive durations)."""
    u, w = seq[m, a], seq[m, b]
    if a < b:  # u goes after w: no path from u's job successor to w
        s = v[JS, u]
        return s < 0 or v[Q, w] + v[P, w] >= v[Q, s] + v[P, s]
    s = v[JP, u]  # u goes before w: no path from w to u's job predecessor
    return s < 0 or v[R, w] + v[P, w] >= v[R, s] + v[P, s]


@jit
def neighbourhood(v, seq, setup, sidx, st, moves, pairs):  # type: ignore[no-untyped-def]
    """The N7 moves of one critical path into `moves` (N5's useless end swaps left out); count."""
    length = critical_path(v, setup, sidx)
    count = 0
    start = 0
    block = 0
    for k in range(1, length + 1):
        if k < length and v[MS, v[PATH, k - 1]] == v[PATH, k]:
            continue
        size = k - start  # path[start:k] is one block
        if size >= 2:
            first = v[PATH, start]
            m, base, last_index = v[MACH, first], v[POS, first], size - 1
            is_first, is_last = st[CLASSIC] == 1 and block == 0, st[CLASSIC] == 1 and k == length
            for e in range(block_moves(size, pairs)):
                a, b = pairs[e, 0], pairs[e, 1]
                swap_first = a == 0 and b == 1
                swap_last = (a == last_index and b == last_index - 1) or (last_index == 1 and swap_first)
                if (is_first and swap_first) or (is_last and swap_last):
                    continue  # cannot shorten the path (Nowicki-Smutnicki)
                if count < moves.shape[0] and feasible(v, seq, m, base + a, base + b):
                    moves[count, 0], moves[count, 1], moves[count, 2] = m, base + a, base + b
                    count += 1
        block += 1
        start = k
    return count


@jit
def estimate(v, seq, mlen, setup, sidx, m, a, b):  # type: ignore[no-untyped-def]
    """Makespan estimate after moving entry a to index b on machine m: heads and tails
    recomputed for the moved segment only (exact for adjacent swaps without setups)."""
    lo, hi = min(a, b), max(a, b)
    width = hi - lo + 1
    prev = seq[m, lo - 1] if lo > 0 else -1
    prev_end = v[R, prev] + v[P, prev] if prev >= 0 else 0
    for k in range(width):
        x = _moved(seq, m, a, b, lo, k)
        j = v[JP, x]
        h = v[R, j] + v[P, j] if j >= 0 else v[REL, x]
        if prev >= 0:
            h = max(h, prev_end + setup_gap(v, setup, sidx, prev, x))
        v[HEADS, k] = h
        prev, prev_end = x, h + v[P, x]
    nxt = seq[m, hi + 1] if hi + 1 < mlen[m] else -1
    nxt_tail = v[Q, nxt] + v[P, nxt] if nxt >= 0 else 0
    best = 0
    for k in range(width - 1, -1, -1):
        x = _moved(seq, m, a, b, lo, k)
        j = v[JS, x]
        t = v[Q, j] + v[P, j] if j >= 0 else 0
        if nxt >= 0:
            t = max(t, nxt_tail + setup_gap(v, setup, sidx, x, nxt))
        best = max(best, v[HEADS, k] + v[P, x] + t)
        nxt, nxt_tail = x, t + v[P, x]
    return best


@jit
def _moved(seq, m, a, b, lo, k):  # type: ignore[no-untyped-def]
    """Entry lo + k of machine m's sequence after moving entry a to index b."""
    if a < b:
        return seq[m, a + k + 1] if k < b - a else seq[m, a]
    return seq[m, a] if k == 0 else seq[m, b + k - 1]


@jit
def is_tabu(v, seq, tabu, st, m, a, b):  # type: ignore[no-untyped-def]
    """Whether any machine order the move creates is forbidden (u after or before each entry it passes)."""
    u = seq[m, a]
    lo, hi = (a + 1, b + 1) if a < b else (b, a)
    forbidden = False
    for k in range(lo, hi):
        x = seq[m, k]
        if (tabu[x, v[SLOT, u]] if a < b else tabu[u, v[SLOT, x]]) > st[IT]:
            forbidden = True
            break
    return forbidden


@jit
def choose(v, seq, mlen, setup, sidx, tabu, st, moves, count):  # type: ignore[no-untyped-def]
    """Best estimate among allowed moves (tabu ones only if they beat the best); random ties; a
    random move when everything is tabu."""
    chosen, best, ties = -1, 0, 0
    for e in range(count):
        m, a, b = moves[e, 0], moves[e, 1], moves[e, 2]
        value = estimate(v, seq, mlen, setup, sidx, m, a, b)
        if value >= st[BEST] and is_tabu(v, seq, tabu, st, m, a, b):
            continue
        if chosen < 0 or value < best:
            chosen, best, ties = e, value, 1
        elif value == best:
            ties += 1
            if rand_below(st, ties) == 0:
                chosen = e
    if chosen < 0:
        chosen = rand_below(st, count)
    return chosen


@jit
def shift(v, seq, mlen, m, a, b):  # type: ignore[no-untyped-def]
    """Moves entry a of machine m's sequence to index b (the others slide)."""
    u = seq[m, a]
    if a < b:
        for k in range(a, b):
            seq[m, k] = seq[m, k + 1]
    else:
        for k in range(a, b, -1):
            seq[m, k] = seq[m, k - 1]
    seq[m, b] = u
    relink(v, seq, mlen, m, min(a, b), max(a, b))


@jit
def apply(v, seq, mlen, setup, sidx, tabu, st, m, a, b):  # type: ignore[no-untyped-def]
    """Applies the move and forbids undoing it; False (move undone) if it closed a cycle."""
    u = seq[m, a]
    expiry = st[IT] + st[TENURE] + rand_below(st, st[TENURE] // 2 + 1)
    shift(v, seq, mlen, m, a, b)
    span = evaluate_move(v, seq, setup, sidx, m, min(a, b), max(a, b))
    if span < 0:
        shift(v, seq, mlen, m, b, a)
        st[MAKESPAN] = evaluate(v, setup, sidx)
        return False
    st[MAKESPAN] = span
    if a < b:  # entries now at a..b-1 came before u: forbid u before them again
        for k in range(a, b):
            tabu[u, v[SLOT, seq[m, k]]] = expiry
    else:  # entries now at a+1.. b+1..a came after u
        for k in range(b + 1, a + 1):
            tabu[seq[m, k], v[SLOT, u]] = expiry
    return True


@jit
def restore(v, seq, mlen, best_seq, setup, sidx, st):  # type: ignore[no-untyped-def]
    """Current schedule := the best one."""
    for m in range(seq.shape[0]):
        for k in range(mlen[m]):
            seq[m, k] = best_seq[m, k]
        if mlen[m] > 0:
            relink(v, seq, mlen, m, 0, mlen[m] - 1)
    st[MAKESPAN] = evaluate(v, setup, sidx)


@jit
def kick(v, seq, mlen, best_seq, setup, sidx, tabu, st, moves, pairs):  # type: ignore[no-untyped-def]
    """Restart from the best schedule with a few random block moves and a clean tabu list."""
    restore(v, seq, mlen, best_seq, setup, sidx, st)
    tabu[:, :] = 0
    st[RESTARTS] += 1
    for _ in range(st[KICKS]):
        count = neighbourhood(v, seq, setup, sidx, st, moves, pairs)
        if count > 0:
            e = rand_below(st, count)
            apply(v, seq, mlen, setup, sidx, tabu, st, moves[e, 0], moves[e, 1], moves[e, 2])


@jit
def record_best(v, seq, mlen, best_seq, st):  # type: ignore[no-untyped-def]
    st[BEST] = st[MAKESPAN]
    st[BEST_FOUND] = st[LAST_IMPROVEMENT] = st[IT]
    for m in range(seq.shape[0]):
        for k in range(mlen[m]):
            best_seq[m, k] = seq[m, k]
    v[BEST_R, :] = v[R, :]


@jit
def run_chunk(v, seq, mlen, best_seq, setup, sidx, tabu, st, moves, pairs,  # type: ignore[no-untyped-def]
              iterations, lower_bound, patience):
    """Up to `iterations` tabu iterations; why it stopped (CONTINUE when the count ran out).
    `patience` < 0: none; else stop after that many iterations without a better schedule."""
    for _ in range(iterations):
        if st[BEST] <= lower_bound:
            return AT_BOUND
        if 0 <= patience < st[IT] - st[BEST_FOUND]:
            return PATIENCE
        count = neighbourhood(v, seq, setup, sidx, st, moves, pairs)
        if count == 0:  # a critical path of job arcs only: no move can shorten it
            if st[MAKESPAN] == st[BEST]:
                return NO_MOVES
            kick(v, seq, mlen, best_seq, setup, sidx, tabu, st, moves, pairs)
            st[LAST_IMPROVEMENT] = st[IT]
            continue
        st[IT] += 1
        e = choose(v, seq, mlen, setup, sidx, tabu, st, moves, count)
        apply(v, seq, mlen, setup, sidx, tabu, st, moves[e, 0], moves[e, 1], moves[e, 2])
        if st[MAKESPAN] < st[BEST]:
            record_best(v, seq, mlen, best_seq, st)
        elif st[IT] - st[LAST_IMPROVEMENT] > st[STALL]:
            kick(v, seq, mlen, best_seq, setup, sidx, tabu, st, moves, pairs)
            st[LAST_IMPROVEMENT] = st[IT]
    return CONTINUE


@jit
def distance(seq, mlen, pos_b):  # type: ignore[no-untyped-def]
    """Machine-order pairs on which `seq` and the schedule with positions `pos_b` disagree."""
    total = 0
    for m in range(seq.shape[0]):
        for x in range(mlen[m]):
            px = pos_b[seq[m, x]]
            for y in range(x + 1, mlen[m]):
                if pos_b[seq[m, y]] < px:
                    total += 1
    return total


@jit
def relink_towards(v, seq, mlen, setup, sidx, st, pos_b, steps):  # type: ignore[no-untyped-def]
    """Path relinking: up to `steps` adjacent swaps, each putting one machine pair in the order of
    the target schedule (positions `pos_b`); swaps that close a cycle are undone and skipped.
    Expects heads, tails and order current and leaves them so; returns the swaps made."""
    done, attempts, machines = 0, 0, seq.shape[0]
    while done < steps and attempts < 20 * steps + 100:
        attempts += 1
        m = rand_below(st, machines)
        inverted = 0
        for k in range(mlen[m] - 1):
            if pos_b[seq[m, k]] > pos_b[seq[m, k + 1]]:
                inverted += 1
        if inverted == 0:
            continue
        pick = rand_below(st, inverted)
        for k in range(mlen[m] - 1):
            if pos_b[seq[m, k]] > pos_b[seq[m, k + 1]]:
                if pick == 0:
                    shift(v, seq, mlen, m, k, k + 1)
                    if evaluate_move(v, seq, setup, sidx, m, k, k + 1) < 0:
                        shift(v, seq, mlen, m, k + 1, k)
                        evaluate(v, setup, sidx)
                    else:
                        done += 1
                    break
                pick -= 1
    st[MAKESPAN] = evaluate(v, setup, sidx)
    return done

