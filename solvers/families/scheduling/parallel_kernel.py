"""The compiled core of the parallel-machine iterated greedy (`parallel_search`), makespan without
releases: one destroy-rebuild-local-search step in numba.

Why compiled: the search lives on steps (a step's local search scores every insertion and swap
of the last-ending machine's jobs, several passes), and the plain-Python loop made about 2,000
steps per CPU second on 50 jobs x 5 machines; the compiled one's figures are in `parallel_search`.
The driver there calls `run_chunk` for a number of steps at a time (numba cannot read the clock)
and reports each better schedule (the kernel returns IMPROVED as soon as it has one).

Without releases a machine's end is the sum of its durations and setups, so inserting, removing
or swapping a job changes it by the setups around the gap: every move is scored exactly in O(1).

State is int64 arrays, so nothing is allocated per step:
- `dur` (machines x n): duration of each job (operation position) on each machine, -1 = not allowed;
- `pad` (machines x (n+1) x (n+1)): setups, index n the empty machine start and end (zero), and
  `into` its transpose per machine (into[m, k, a] = pad[m, a, k], read as one contiguous row);
- `seqs` (LAYERS x machines x n), `lens` (LAYERS x machines), `ends` (LAYERS x machines): the
  current, trial and best schedules (one job sequence per machine) and their machine ends;
- `scratch` (ROWS x n): buffers of a step; `cfg`: settings (names below, then the TAKE table:
  jobs taken from the last-ending machine per number destroyed); `st`: counters, and the random
  stream, xorshift32 in `st[RNG]` (a seed gives the same run on any machine and in any thread).
"""

import math

from solvers.families.jit import jit
from solvers.families.xorshift import next_xorshift

# layers of seqs, lens, ends
CUR, TRIAL, BEST = range(3)
LAYERS = 3
# rows of scratch
ORDER, REMOVED, POOL, FLAG = range(4)
ROWS = 4
# entries of st
IT, LAST_BETTER, RNG = range(3)
STATE = 3
# entries of cfg; cfg[TAKE + count]: how many of `count` destroyed jobs come from the last-ending machine
DESTROY_LO, DESTROY_HI, STALL, LOWER_BOUND, TAKE = range(5)
# reasons run_chunk returns
CONTINUE, AT_BOUND, STALLED, IMPROVED = range(4)


@jit
def next_random(st):  # type: ignore[no-untyped-def]
    """The next value of the xorshift32 stream in st[RNG]."""
    return next_xorshift(st, RNG)


@jit
def rand_below(st, k):  # type: ignore[no-untyped-def]
    """Uniform integer in [0, k)."""
    return next_random(st) % k


@jit
def shuffle(values, count, st):  # type: ignore[no-untyped-def]
    """Fisher-Yates on values[:count]."""
    for i in range(count - 1, 0, -1):
        j = rand_below(st, i + 1)
        values[i], values[j] = values[j], values[i]


@jit
def less(span_a, total_a, span_b, total_b):  # type: ignore[no-untyped-def]
    """Lexicographic (makespan, sum of machine ends): shorter machines leave room for moves."""
    return span_a < span_b or (span_a == span_b and total_a < total_b)


@jit
def machine_end(seq, mlen, dur, pad, m):  # type: ignore[no-untyped-def]
    """End of machine m from scratch (the moves keep it up to date in O(1))."""
    t, last = 0, pad.shape[1] - 1
    for p in range(mlen[m]):
        k = seq[m, p]
        t += pad[m, last, k] + dur[m, k]
        last = k
    return t


@jit
def evaluate(seqs, lens, ends, dur, pad, layer):  # type: ignore[no-untyped-def]
    for m in range(ends.shape[1]):
        ends[layer, m] = machine_end(seqs[layer], lens[layer], dur, pad, m)


@jit
def copy_layer(seqs, lens, ends, source, target):  # type: ignore[no-untyped-def]
    for m in range(lens.shape[1]):
        for p in range(lens[source, m]):
            seqs[target, m, p] = seqs[source, m, p]
        lens[target, m] = lens[source, m]
        ends[target, m] = ends[source, m]


@jit
def entry(seq, mlen, m, p, none):  # type: ignore[no-untyped-def]
    """The job at position p of machine m, or `none` (the padded index) outside the sequence."""
    return seq[m, p] if 0 <= p < mlen[m] else none


@jit
def locate(seq, mlen, k):  # type: ignore[no-untyped-def]
    """(machine, position) of job k."""
    for m in range(mlen.shape[0]):
        for p in range(mlen[m]):
            if seq[m, p] == k:
                return m, p
    return -1, -1


@jit
def remove_at(seq, mlen, ends, dur, pad, m, p):  # type: ignore[no-untyped-def]
    """Takes out the job at position p of machine m; returns it."""
    n = pad.shape[1] - 1
    k = seq[m, p]
    a, b = entry(seq, mlen, m, p - 1, n), entry(seq, mlen, m, p + 1, n)
    ends[m] -= dur[m, k] + pad[m, a, k] + pad[m, k, b] - pad[m, a, b]
    for q in range(p, mlen[m] - 1):
        seq[m, q] = seq[m, q + 1]
    mlen[m] -= 1
    return k


@jit
def insert_at(seq, mlen, ends, m, p, k, end):  # type: ignore[no-untyped-def]
    for q in range(mlen[m], p, -1):
        seq[m, q] = seq[m, q - 1]
    seq[m, p] = k
    mlen[m] += 1
    ends[m] = end


@jit
def cheapest_gap(seq, mlen, pad, into, m, k):  # type: ignore[no-untyped-def]
    """(setup time added, position) of the first cheapest place for k on machine m (hot loop)."""
    n = pad.shape[1] - 1
    to_k, from_k, row = into[m, k], pad[m, k], pad[m]
    a, best, where = n, 1 << 62, 0
    for p in range(mlen[m] + 1):
        b = seq[m, p] if p < mlen[m] else n
        added = to_k[a] + from_k[b] - row[a, b]
        if added < best:
            best, where = added, p
        a = b
    return best, where


@jit
def best_insertion(seq, mlen, ends, dur, pad, into, k):  # type: ignore[no-untyped-def]
    """(makespan, total, machine, position, machine end) of the cheapest place for k (not in the schedule)."""
    first = ends.argmax()
    second = 0
    for m in range(ends.shape[0]):
        if m != first and ends[m] > second:
            second = ends[m]
    total = ends.sum()
    best_span, best_total, best_m, best_p, best_end = 1 << 62, 1 << 62, -1, -1, 0
    for m in range(ends.shape[0]):
        d = dur[m, k]
        if d < 0:
            continue
        added, p = cheapest_gap(seq, mlen, pad, into, m, k)
        end = ends[m] + d + added
        span = max(second if m == first else ends[first], end)
        if less(span, total + d + added, best_span, best_total):
            best_span, best_total, best_m, best_p, best_end = span, total + d + added, m, p, end
    return best_span, best_total, best_m, best_p, best_end


@jit
def insertion_pass(seq, mlen, ends, dur, pad, into, scratch, st):  # type: ignore[no-untyped-def]
    """Best reinsertion of each job of the machine that ends last (only those moves can shorten
    it), in random order; True if any job moved."""
    crit = ends.argmax()
    order = scratch[ORDER]
    count = mlen[crit]
    for p in range(count):
        order[p] = seq[crit, p]
    shuffle(order, count, st)
    improved = False
    for i in range(count):
        k = order[i]
        span, total = ends.max(), ends.sum()
        m0, p0 = locate(seq, mlen, k)
        end0 = ends[m0]
        remove_at(seq, mlen, ends, dur, pad, m0, p0)
        new_span, new_total, m, p, end = best_insertion(seq, mlen, ends, dur, pad, into, k)
        if less(new_span, new_total, span, total):
            insert_at(seq, mlen, ends, m, p, k, end)
            improved = True
        else:
            insert_at(seq, mlen, ends, m0, p0, k, end0)
    return improved


@jit
def max_except(ends, a, b):  # type: ignore[no-untyped-def]
    """Latest end among the machines other than a and b (0 if none)."""
    latest = 0
    for m in range(ends.shape[0]):
        if m != a and m != b and ends[m] > latest:
            latest = ends[m]
    return latest


@jit
def swap_pass(seq, mlen, ends, dur, pad):  # type: ignore[no-untyped-def]
    """Applies the best improving exchange of a job on the last-ending machine with a job on
    another machine; True if there was one."""
    n = pad.shape[1] - 1
    crit = ends.argmax()
    span, total = ends[crit], ends.sum()
    best_span, best_total, best_i, best_m, best_j, best_c, best_2 = span, total, -1, -1, -1, 0, 0
    for i in range(mlen[crit]):
        x = seq[crit, i]
        a, b = entry(seq, mlen, crit, i - 1, n), entry(seq, mlen, crit, i + 1, n)
        without_x = span - dur[crit, x] - pad[crit, a, x] - pad[crit, x, b] + pad[crit, a, b]
        for m2 in range(ends.shape[0]):
            dx = dur[m2, x]
            if m2 == crit or dx < 0:
                continue
            rest, base = max_except(ends, crit, m2), total - span - ends[m2]
            for j in range(mlen[m2]):
                y = seq[m2, j]
                dy = dur[crit, y]
                if dy < 0:
                    continue
                new_c = without_x + dy + pad[crit, a, y] + pad[crit, y, b] - pad[crit, a, b]
                if new_c > span:
                    continue
                c, d = entry(seq, mlen, m2, j - 1, n), entry(seq, mlen, m2, j + 1, n)
                new_2 = ends[m2] - dur[m2, y] - pad[m2, c, y] - pad[m2, y, d] + dx + pad[m2, c, x] + pad[m2, x, d]
                cost_span = max(rest, new_c, new_2)
                if less(cost_span, base + new_c + new_2, best_span, best_total):
                    best_span, best_total = cost_span, base + new_c + new_2
                    best_i, best_m, best_j, best_c, best_2 = i, m2, j, new_c, new_2
    if best_i < 0:
        return False
    seq[crit, best_i], seq[best_m, best_j] = seq[best_m, best_j], seq[crit, best_i]
    ends[crit], ends[best_m] = best_c, best_2
    return True


@jit
def local_search(seq, mlen, ends, dur, pad, into, scratch, st):  # type: ignore[no-untyped-def]
    """Insertion passes and swaps off the last machine until neither improves."""
    while True:
        improved = insertion_pass(seq, mlen, ends, dur, pad, into, scratch, st)
        while swap_pass(seq, mlen, ends, dur, pad):
            improved = True
        if not improved:
            return


@jit
def destroy(seq, mlen, ends, dur, pad, scratch, st, cfg):  # type: ignore[no-untyped-def]
    """Takes out random jobs (cfg's TAKE share of them from the last-ending machine) into
    scratch[REMOVED], in random order; their count."""
    n = pad.shape[1] - 1
    count = min(n - 1, cfg[DESTROY_LO] + rand_below(st, cfg[DESTROY_HI] - cfg[DESTROY_LO] + 1))
    crit = ends.argmax()
    pool, removed, flag = scratch[POOL], scratch[REMOVED], scratch[FLAG]
    size = mlen[crit]
    for p in range(size):
        pool[p] = seq[crit, p]
    chosen = 0
    for i in range(min(size, cfg[TAKE + count])):  # a partial Fisher-Yates draw from the last machine
        j = i + rand_below(st, size - i)
        pool[i], pool[j] = pool[j], pool[i]
        removed[chosen], flag[pool[i]] = pool[i], 1
        chosen += 1
    while chosen < count:
        k = rand_below(st, n)
        if flag[k] == 0:
            removed[chosen], flag[k] = k, 1
            chosen += 1
    shuffle(removed, count, st)
    for i in range(count):
        k = removed[i]
        flag[k] = 0
        m, p = locate(seq, mlen, k)
        remove_at(seq, mlen, ends, dur, pad, m, p)
    return count


@jit
def step(dur, pad, into, seqs, lens, ends, scratch, st, cfg, temperature):  # type: ignore[no-untyped-def]
    """One iterated-greedy step: destroy and greedily rebuild a copy of the current schedule,
    local search, accept it if better or with probability exp(-makespan increase / temperature)."""
    copy_layer(seqs, lens, ends, CUR, TRIAL)
    seq, mlen, trial = seqs[TRIAL], lens[TRIAL], ends[TRIAL]
    count = destroy(seq, mlen, trial, dur, pad, scratch, st, cfg)
    for i in range(count):
        k = scratch[REMOVED, i]
        _, _, m, p, end = best_insertion(seq, mlen, trial, dur, pad, into, k)
        insert_at(seq, mlen, trial, m, p, k, end)
    local_search(seq, mlen, trial, dur, pad, into, scratch, st)
    span, current = trial.max(), ends[CUR].max()
    if less(span, trial.sum(), current, ends[CUR].sum()) or \
            next_random(st) / 4294967296.0 < math.exp(-max(span - current, 0) / temperature):
        copy_layer(seqs, lens, ends, TRIAL, CUR)


@jit
def descend(dur, pad, into, seqs, lens, ends, scratch, st):  # type: ignore[no-untyped-def]
    """Local search on the current schedule, which becomes the best one (the search's start)."""
    local_search(seqs[CUR], lens[CUR], ends[CUR], dur, pad, into, scratch, st)
    copy_layer(seqs, lens, ends, CUR, BEST)


@jit
def run_chunk(dur, pad, into, seqs, lens, ends, scratch, st, cfg, temperature,  # type: ignore[no-untyped-def]
              iterations):
    """Up to `iterations` steps; why it stopped (CONTINUE when the count ran out, IMPROVED right
    after a better schedule, so the caller reports each one). cfg[STALL] < 0: no stall limit."""
    for _ in range(iterations):
        best = ends[BEST].max()
        if best <= cfg[LOWER_BOUND]:
            return AT_BOUND
        if 0 <= cfg[STALL] <= st[IT] - st[LAST_BETTER]:
            return STALLED
        st[IT] += 1
        step(dur, pad, into, seqs, lens, ends, scratch, st, cfg, temperature)
        span = ends[CUR].max()
        if less(span, ends[CUR].sum(), best, ends[BEST].sum()):
            if span < best:
                st[LAST_BETTER] = st[IT]
            copy_layer(seqs, lens, ends, CUR, BEST)
            return IMPROVED
    return CONTINUE
