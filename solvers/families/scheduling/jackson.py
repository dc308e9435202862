"""Jackson's preemptive schedule: the one-machine relaxation's bound with heads and tails.

Why: a machine's load between the smallest head and the smallest tail of its operations is the
classic job-shop bound, but it ignores that operations with late heads or long tails cannot fill
the machine's start or end. Scheduling one machine alone, operations preemptible, each available
from its head and followed by its tail, gives the optimum of 1|r_j, pmtn, q_j|C_max exactly (serve
the available operation with the longest tail, Jackson's rule; Carlier 1982), and that optimum is a
lower bound on every schedule of the whole shop. On Taillard's 30 x 20 instances it lifts the bound
reported at 60 s (the load bound, or CP-SAT's within its time share) on ta45, ta48 and ta49 by 54,
74 and 58 and equals it on the other seven (ta41-ta50; `bench/RESULTS.md`).
"""

import heapq
from collections.abc import Sequence


def preemptive_bound(heads: Sequence[int], durations: Sequence[int], tails: Sequence[int]) -> int:
    """max over operations of (completion + tail) in Jackson's preemptive schedule: the optimum of
    the preemptive one-machine problem with heads and tails (0 without operations)."""
    order = sorted(range(len(heads)), key=heads.__getitem__)
    ready: list[tuple[int, int]] = []  # (-tail, operation), the longest tail first
    left = list(durations)
    clock, bound, k = 0, 0, 0
    while k < len(order) or ready:
        if not ready:
            clock = max(clock, heads[order[k]])
        while k < len(order) and heads[order[k]] <= clock:
            heapq.heappush(ready, (-tails[order[k]], order[k]))
            k += 1
        _, op = ready[0]
        next_head = heads[order[k]] if k < len(order) else None
        run = left[op] if next_head is None else min(left[op], next_head - clock)
        clock += run
        left[op] -= run
        if left[op] == 0:
            heapq.heappop(ready)
            bound = max(bound, clock + tails[op])
    return bound
