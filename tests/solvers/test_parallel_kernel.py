"""The compiled iterated greedy for parallel machines (`parallel_kernel`, driven by
`parallel_search` on makespan without releases): exact move costs, feasible schedules whose
makespan is what the kernel says, brute-forced optima, reproducibility and the stopping rules."""

import itertools
import random
import threading
from collections.abc import Callable

import numpy as np
import pytest

from models import SchedulingProblem
from solvers.families.scheduling import parallel_kernel as kernel
from solvers.families.scheduling import parallel_search
from solvers.families.scheduling.data import ScheduleData, flatten
from solvers.families.scheduling.heuristic import Placement, best_schedule, to_solution
from tests.solvers.cases import brute_force_schedule, parallel_with_setups, schedule_objective, schedule_violations


def restricted_mixed_setups(n_jobs: int = 12, seed: int = 4) -> SchedulingProblem:
    """Jobs allowed on some machines only, setups on two machines of three (none on the third)."""
    rng = random.Random(seed)
    machines = ["A", "B", "C"]
    jobs = [{"id": f"J{j}", "operations": [{"alternatives": [
        {"machine": m, "duration": rng.randint(3, 20)} for m in machines if m == machines[j % 3] or rng.random() < 0.6
    ]}]} for j in range(n_jobs)]
    setups = {m: [[0 if a == b else rng.randint(1, 9) for b in range(n_jobs)] for a in range(n_jobs)] for m in "AB"}
    return SchedulingProblem.model_validate({"kind": "scheduling", "machines": machines, "jobs": jobs,
                                             "setup_times": setups})


def machine_ends(problem: SchedulingProblem, data: ScheduleData, seqs: list[list[int]]) -> list[int]:
    """Each machine's end from its job sequence, read from the problem itself (not the kernel's arrays)."""
    ends = []
    for m, seq in enumerate(seqs):
        machine = problem.machines[m]
        matrix = problem.setup_matrix(machine)
        t, last = 0, None
        for k in seq:
            job = data.ops[k].job
            duration = next(c.duration for c in problem.jobs[job].operations[0].choices() if c.machine == machine)
            t += (0 if matrix is None or last is None else matrix[last][job]) + duration
            last = job
        ends.append(t)
    return ends


def started(problem: SchedulingProblem, seed: int = 0, shuffled: bool = False) -> parallel_search.CompiledSearch:
    """The compiled search from the heuristic's schedule, or from random machines and orders."""
    data = flatten(problem)
    shop = parallel_search._Shop(data)
    assert shop.fast
    seqs = parallel_search.sequences_of(data, best_schedule(data).placements)
    if shuffled:
        rng = random.Random(seed)
        seqs = [[] for _ in range(data.n_machines)]
        for k in rng.sample(range(len(data.ops)), len(data.ops)):
            seqs[rng.choice(data.ops[k].choices).machine].append(k)
    return parallel_search.CompiledSearch(shop, seqs, seed)


def steps(search: parallel_search.CompiledSearch, count: int) -> None:
    """Runs the kernel until `count` steps are done (it returns after each better schedule)."""
    while search.iterations < count and search.run(count - search.iterations) in (kernel.CONTINUE, kernel.IMPROVED):
        pass


INSTANCES = [parallel_with_setups, lambda: parallel_with_setups(20, 3, seed=2), restricted_mixed_setups]
IDS = ["50x5", "20x3", "restricted"]


@pytest.mark.parametrize("make", INSTANCES, ids=IDS)
def test_kept_machine_ends_match_a_recomputation_of_every_layer(make: Callable[[], SchedulingProblem]) -> None:
    problem = make()
    data = flatten(problem)
    search = started(problem, seed=7)
    search.descend()
    for k in range(1, 11):
        steps(search, 50 * k)
        for layer in (kernel.CUR, kernel.TRIAL, kernel.BEST):
            seqs = search.sequences(layer)
            assert sorted(k for seq in seqs for k in seq) == list(range(len(data.ops)))
            assert search.ends[layer].tolist() == machine_ends(problem, data, seqs)


@pytest.mark.parametrize("make", INSTANCES, ids=IDS)
def test_the_result_is_feasible_and_ends_when_the_kernel_says(make: Callable[[], SchedulingProblem]) -> None:
    problem = make()
    data = flatten(problem)
    found = parallel_search.iterated_greedy(data, best_schedule(data).placements, 30.0, seed=1, max_iterations=2000)
    solution = to_solution(data, found.placements)
    assert schedule_violations(problem, solution) == []
    assert found.objective == schedule_objective(problem, solution)
    search = started(problem, seed=1)
    search.descend()
    steps(search, 2000)
    ends = [max((p.end for p in search.placements() if p.machine == m), default=0) for m in range(data.n_machines)]
    assert ends == search.ends[kernel.BEST].tolist()
    assert search.placements() == found.placements  # the driver runs the same steps in chunks


def cost(problem: SchedulingProblem, data: ScheduleData, seqs: list[list[int]]) -> tuple[int, int]:
    ends = machine_ends(problem, data, seqs)
    return max(ends), sum(ends)


@pytest.mark.parametrize("seed", range(5))
def test_best_insertion_costs_every_place_exactly(seed: int) -> None:
    problem = restricted_mixed_setups(seed=seed)
    data = flatten(problem)
    search = started(problem, seed)
    search.descend()
    steps(search, 20)
    seq, mlen, ends = search.seqs[kernel.CUR], search.lens[kernel.CUR], search.ends[kernel.CUR]
    for k in range(len(data.ops)):
        m0, p0 = kernel.locate(seq, mlen, k)
        kernel.remove_at(seq, mlen, ends, search.dur, search.pad, m0, p0)
        rest = search.sequences(kernel.CUR)
        places = [cost(problem, data, [[*s[:p], k, *s[p:]] if i == m else s for i, s in enumerate(rest)])
                  for m in range(len(rest)) if search.dur[m, k] >= 0 for p in range(len(rest[m]) + 1)]
        span, total, m, p, end = kernel.best_insertion(seq, mlen, ends, search.dur, search.pad, search.into, k)
        assert (span, total) == min(places)
        kernel.insert_at(seq, mlen, ends, m, p, k, end)
        assert ends.tolist() == machine_ends(problem, data, search.sequences(kernel.CUR))


def best_swap(problem: SchedulingProblem, search: parallel_search.CompiledSearch) -> tuple[int, int] | None:
    """The cost of the best improving exchange of a job on the last-ending machine with a job on
    another machine, every schedule simulated from the problem; None if no exchange improves."""
    data = flatten(problem)
    seqs = search.sequences(kernel.CUR)
    before = cost(problem, data, seqs)
    crit = int(np.argmax(search.ends[kernel.CUR]))
    swaps = []
    for (i, x), (m2, other) in itertools.product(enumerate(seqs[crit]), enumerate(seqs)):
        for j, y in enumerate(other):
            if m2 != crit and search.dur[m2, x] >= 0 and search.dur[crit, y] >= 0:
                trial = [list(s) for s in seqs]
                trial[crit][i], trial[m2][j] = y, x
                swaps.append(cost(problem, data, trial))
    return min((c for c in swaps if c < before), default=None)


def test_swap_pass_applies_the_best_improving_exchange() -> None:
    applied = 0
    for seed in range(8):
        problem = restricted_mixed_setups(seed=seed)
        data = flatten(problem)
        search = started(problem, seed, shuffled=True)
        seq, mlen, ends = search.seqs[kernel.CUR], search.lens[kernel.CUR], search.ends[kernel.CUR]
        while (expected := best_swap(problem, search)) is not None:
            assert kernel.swap_pass(seq, mlen, ends, search.dur, search.pad)
            assert ends.tolist() == machine_ends(problem, data, search.sequences(kernel.CUR))
            assert cost(problem, data, search.sequences(kernel.CUR)) == expected
            applied += 1
        assert not kernel.swap_pass(seq, mlen, ends, search.dur, search.pad)
    assert applied >= 5  # random schedules leave exchanges to make


@pytest.mark.parametrize(("jobs", "machines", "seed"), [(6, 2, 1), (6, 2, 4), (6, 3, 2), (7, 2, 3), (7, 2, 5)])
def test_small_instances_reach_the_brute_forced_optimum(jobs: int, machines: int, seed: int) -> None:
    problem = parallel_with_setups(jobs, machines, seed=seed)
    data = flatten(problem)
    found = parallel_search.iterated_greedy(data, best_schedule(data).placements, 30.0, seed=0, max_iterations=500)
    assert schedule_violations(problem, to_solution(data, found.placements)) == []
    assert found.objective == brute_force_schedule(problem)


def test_a_seed_gives_the_same_run_in_any_thread() -> None:
    data = flatten(parallel_with_setups())
    start = best_schedule(data).placements
    runs = [parallel_search.iterated_greedy(data, start, 30.0, seed=5, max_iterations=3000) for _ in range(2)]
    threaded: list[parallel_search.SearchResult] = []
    worker = threading.Thread(target=lambda: threaded.append(
        parallel_search.iterated_greedy(data, start, 30.0, seed=5, max_iterations=3000)))
    worker.start()
    worker.join()
    assert runs[0].placements == runs[1].placements == threaded[0].placements
    assert runs[0].iterations == 3000
    other = parallel_search.iterated_greedy(data, start, 30.0, seed=6, max_iterations=3000)
    assert other.placements != runs[0].placements


def test_each_better_schedule_is_reported_and_the_limits_stop_the_search() -> None:
    problem = parallel_with_setups(20, 3, seed=2)
    data = flatten(problem)
    start = best_schedule(data).placements
    reports: list[tuple[tuple[Placement, ...], float]] = []
    calls = [0]

    def between() -> None:
        calls[0] += 1

    found = parallel_search.iterated_greedy(data, start, 30.0, seed=0, max_iterations=3000,
                                            on_improve=lambda p, v: reports.append((p, v)), between=between)
    values = [v for _, v in reports]
    assert values == sorted(values, reverse=True) and reports[-1] == (found.placements, found.objective)
    assert all(v == schedule_objective(problem, to_solution(data, p)) for p, v in reports)
    assert calls[0] >= 1 and found.iterations == 3000
    at_bound = parallel_search.iterated_greedy(data, start, 30.0, seed=0, max_iterations=3000,
                                               lower_bound=found.objective)
    assert at_bound.objective == found.objective and at_bound.iterations < 3000
    stalled = parallel_search.iterated_greedy(data, start, 30.0, seed=0, max_iterations=100_000, stall=200)
    assert stalled.iterations < 100_000
    search = started(problem)
    search.descend()
    reason = kernel.IMPROVED
    while reason == kernel.IMPROVED:
        reason = search.run(100_000, stall=200)
    assert reason == kernel.STALLED
    assert search.iterations - int(search.st[kernel.LAST_BETTER]) == 200
