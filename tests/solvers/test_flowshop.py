"""The permutation iterated greedy for flow shops (`families.scheduling.flowshop`) and the CP-SAT
backend running it before its job-shop phases."""

import itertools
import time

import pytest

from models import SchedulingProblem, SolveOptions
from solvers.families.scheduling import flowshop
from solvers.families.scheduling.data import flatten
from solvers.families.scheduling.heuristic import to_solution
from solvers.registry import load_builtin
from solvers.runtime.runner import RunLimits, run_backend
from tests.solvers.cases import FT10, jsplib, schedule_objective, schedule_violations

TA001_SEED = 873654221
TA001_OPTIMUM = 1278
"""Taillard (1993) 20 x 5 instance 1 and its permutation optimum (solved in the literature)."""


def taillard_flowshop(seed: int, n_jobs: int, n_machines: int) -> SchedulingProblem:
    """Taillard's published generator (Lehmer's generator, durations uniform in 1..99, machine by
    machine), so the test holds the real ta001 without reading any benchmark file."""
    durations = [[0] * n_jobs for _ in range(n_machines)]
    for machine in range(n_machines):
        for job in range(n_jobs):
            seed = 16807 * (seed % 127773) - (seed // 127773) * 2836
            seed += 2147483647 if seed < 0 else 0
            durations[machine][job] = 1 + int(seed / 2147483647 * 99)
    jobs = [{"id": j, "operations": [{"machine": m, "duration": durations[m][j]} for m in range(n_machines)]}
            for j in range(n_jobs)]
    return SchedulingProblem(kind="scheduling", machines=list(range(n_machines)), jobs=jobs)


def permutation_optimum(problem: SchedulingProblem) -> int:
    """Brute force over every job order."""
    times = [[op.duration or 0 for op in job.operations] for job in problem.jobs]
    best = None
    for order in itertools.permutations(range(len(times))):
        ends = [0] * len(times[0])
        for job in order:
            for stage, duration in enumerate(times[job]):
                ends[stage] = max(ends[stage], ends[stage - 1] if stage else 0) + duration
        best = ends[-1] if best is None else min(best, ends[-1])
    assert best is not None
    return best


def test_only_plain_flow_shops_qualify() -> None:
    assert flowshop.machine_route(flatten(taillard_flowshop(TA001_SEED, 6, 3))) == (0, 1, 2)
    assert not flowshop.applicable(flatten(jsplib(FT10)))  # jobs take different routes
    released = taillard_flowshop(TA001_SEED, 6, 3).model_copy(deep=True)
    released.jobs[2].release = 5
    assert not flowshop.applicable(flatten(released))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_small_flow_shops_reach_the_brute_forced_optimum(seed: int) -> None:
    problem = taillard_flowshop(seed * 7919, 7, 4)
    data = flatten(problem)
    found = flowshop.iterated_greedy(data, 30.0, seed=seed, max_iterations=200)
    assert found.makespan == permutation_optimum(problem)
    solution = to_solution(data, found.placements)
    assert schedule_violations(problem, solution) == []
    assert schedule_objective(problem, solution) == found.makespan


def test_ta001_needs_the_greedy_steps_and_gets_its_optimum() -> None:
    data = flatten(taillard_flowshop(TA001_SEED, 20, 5))
    neh = flowshop.iterated_greedy(data, 30.0, seed=0, max_iterations=0)
    assert neh.makespan > TA001_OPTIMUM and neh.iterations == 0
    reports: list[int] = []
    found = flowshop.iterated_greedy(data, 30.0, seed=0, on_improve=lambda _p, v: reports.append(v),
                                     max_iterations=300)
    assert found.makespan == TA001_OPTIMUM and found.iterations == 300
    assert reports[0] == neh.makespan and reports[-1] == TA001_OPTIMUM and reports == sorted(reports, reverse=True)
    again = flowshop.iterated_greedy(data, 30.0, seed=0, max_iterations=300)
    assert again.placements == found.placements  # seeded: reproducible


def test_the_search_stops_at_the_lower_bound() -> None:
    data = flatten(taillard_flowshop(TA001_SEED, 20, 5))
    found = flowshop.iterated_greedy(data, 30.0, seed=0, lower_bound=TA001_OPTIMUM, max_iterations=100_000)
    assert found.makespan == TA001_OPTIMUM and found.iterations < 100_000


def test_large_flow_shops_keep_to_the_time_limit() -> None:
    data = flatten(taillard_flowshop(TA001_SEED, 300, 20))
    started = time.monotonic()
    found = flowshop.iterated_greedy(data, 0.5, seed=0)
    assert time.monotonic() - started < 1.5 and found.iterations >= 1


def test_the_backend_answers_ta001_at_its_optimum() -> None:
    """Before the iterated greedy, the job-shop phases ended at 1290-1295 on ta001 within 1-5 s.
    3 s: a fresh solve process spends most of a second importing OR-Tools and loading kernels."""
    problem = taillard_flowshop(TA001_SEED, 20, 5)
    raw = run_backend(load_builtin().get("cpsat"), problem, SolveOptions(time_limit=3.0), RunLimits(grace=1.0))
    assert raw.objective is not None and raw.objective <= TA001_OPTIMUM
    assert raw.solution is not None and schedule_violations(problem, raw.solution) == []  # type: ignore[arg-type]


def test_a_throttled_improvement_is_reported_when_the_search_flushes() -> None:
    """The tracker sends at most one report per REPORT_EVERY; an improvement inside that wait used
    to stay unreported until the phase ended (seconds later for the flow-shop search)."""
    from solvers.backends.cpsat.common import REPORT_EVERY, Tracker
    from solvers.contract import Incumbent, SolveContext

    sent: list[Incumbent] = []
    context = SolveContext(options=SolveOptions(time_limit=10.0), progress=sent.append)
    tracker: Tracker[int] = Tracker(context, lambda v: None, 10, 10.0, "start", 0.0)  # type: ignore[arg-type,return-value]
    tracker.offer(9, 9.0, "search")
    tracker.offer(8, 8.0, "search")
    assert [i.objective for i in sent] == [10.0]  # both improvements within the wait
    tracker.flush()
    assert [i.objective for i in sent] == [10.0]
    time.sleep(REPORT_EVERY + 0.05)
    tracker.flush()
    assert [i.objective for i in sent] == [10.0, 8.0]
    tracker.flush()
    assert len(sent) == 2
