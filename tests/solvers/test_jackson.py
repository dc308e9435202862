"""Jackson's preemptive schedule (the one-machine bound) and the certified job-shop bound built on it."""

import itertools
import random

import pytest

from models import SchedulingProblem
from solvers.families.scheduling.certified import scheduling_lower_bound
from solvers.families.scheduling.data import flatten
from solvers.families.scheduling.jackson import preemptive_bound
from tests.brute import job_shop_makespan
from tests.solvers.cases import FT06, FT10, LA01, jsplib


def _subset_bound(heads: list[int], durations: list[int], tails: list[int]) -> int:
    """Carlier's characterisation of the preemptive optimum: max over non-empty subsets S of
    min head + total duration + min tail (every subset's work fits between its earliest head and
    its smallest tail)."""
    best = 0
    n = len(heads)
    for size in range(1, n + 1):
        for subset in itertools.combinations(range(n), size):
            best = max(best, min(heads[i] for i in subset) + sum(durations[i] for i in subset)
                       + min(tails[i] for i in subset))
    return best


def _sequenced(heads: list[int], durations: list[int], tails: list[int]) -> int:
    """The non-preemptive one-machine optimum, by trying every order."""
    best = None
    for order in itertools.permutations(range(len(heads))):
        clock, value = 0, 0
        for i in order:
            clock = max(clock, heads[i]) + durations[i]
            value = max(value, clock + tails[i])
        best = value if best is None else min(best, value)
    return best or 0


@pytest.mark.parametrize("seed", range(40))
def test_the_preemptive_schedule_meets_the_subset_bound_and_stays_below_sequencing(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 7)
    heads = [rng.randint(0, 30) for _ in range(n)]
    durations = [rng.randint(0 if seed % 5 == 0 else 1, 12) for _ in range(n)]
    tails = [rng.randint(0, 30) for _ in range(n)]
    value = preemptive_bound(heads, durations, tails)
    assert value == _subset_bound(heads, durations, tails)
    assert value <= _sequenced(heads, durations, tails)


def test_late_heads_with_long_tails_lift_the_bound_above_the_load_and_every_single_operation() -> None:
    # load bound: min head 0 + load 12 + min tail 0 = 12; any one operation alone: at most 1 + 4 + 6 =
    # 11. The last two arrive at 1 and both need 6 after them: the first to run ends at 5 at the
    # earliest, the second at 9, then 6 more: 15 (the first operation waits, preempted, until 9)
    assert preemptive_bound([0, 1, 1], [4, 4, 4], [0, 6, 6]) == 15


def test_nothing_to_schedule_gives_zero() -> None:
    assert preemptive_bound([], [], []) == 0


@pytest.mark.parametrize(("text", "optimum"), [(FT06, 55), (LA01, 666), (FT10, 930)])
def test_the_certified_bound_stays_below_the_optimum(text: str, optimum: int) -> None:
    assert 0 < scheduling_lower_bound(flatten(jsplib(text))).value <= optimum


def test_the_one_machine_relaxation_beats_the_load_bound_and_holds() -> None:
    """The job chains and each machine's load between its smallest head and smallest tail say 15 at
    most (machine A: 2 + 13 + 0). Machine C alone with heads
    and tails: J0 and J1 both start at 0 with tails of 7 and 8, so whichever goes second ends at 11
    at the earliest and is followed by at least 7: 18, which a brute force over every machine order
    shows is the optimum."""
    problem = SchedulingProblem.model_validate({"kind": "scheduling", "machines": ["A", "B", "C"], "jobs": [
        {"id": "J0", "operations": [{"machine": "C", "duration": 6}, {"machine": "B", "duration": 3},
                                    {"machine": "A", "duration": 4}]},
        {"id": "J1", "operations": [{"machine": "C", "duration": 5}, {"machine": "B", "duration": 4},
                                    {"machine": "A", "duration": 4}]},
        {"id": "J2", "operations": [{"machine": "B", "duration": 2}, {"machine": "A", "duration": 5},
                                    {"machine": "C", "duration": 1}]},
    ]})
    bound = scheduling_lower_bound(flatten(problem)).value
    assert bound == 18 == job_shop_makespan(problem)
