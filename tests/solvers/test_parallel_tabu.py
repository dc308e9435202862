"""Independent tabu searches side by side or taking turns (`parallel_tabu`), and the CP-SAT backend
running them when a request asks for `threads` >= 2 or, on one thread, for a large job shop."""

import threading
import time

import pytest

from models import ScheduleSolution, SolveOptions, Status
from solvers.families.scheduling import jobshop_tabu, parallel_search, parallel_tabu
from solvers.families.scheduling import search as schedule_search
from solvers.families.scheduling.data import flatten
from solvers.families.scheduling.heuristic import Placement, best_schedule, to_solution
from solvers.registry import load_builtin
from solvers.runtime.runner import RunLimits, run_backend
from tests.solvers.cases import FT10, jsplib, schedule_objective, schedule_violations

LA31 = """30 10
4 21 7 26 9 16 2 34 3 55 8 52 5 95 6 71 1 21 0 53
8 77 5 98 1 42 7 66 2 31 3 39 6 77 9 79 4 55 0 12
2 64 4 92 3 34 1 19 8 62 6 54 7 43 0 83 9 79 5 37
0 93 8 24 3 69 7 38 5 77 2 87 4 60 6 41 1 87 9 83
9 77 0 44 4 96 8 79 6 75 2 98 5 25 3 17 7 43 1 49
3 76 2 35 5 28 0 95 7 95 4 61 8 35 1  7 6  9 9 10
1 91 7 27 8 50 3 16 4 28 5 59 6 52 0 46 2 59 9 43
1 45 7 71 2 39 0 87 8 14 6 54 3 41 9 43 5  9 4 20
2 37 3 26 4 33 9 42 0 78 6 89 7  8 8 66 1 28 5 33
1 74 0 69 5 84 3 27 9 81 7 45 8 69 2 94 6 78 4 96
5 76 7 32 6 18 0 20 3 87 2 17 9 25 4 24 1 31 8 81
9 97 8 90 5 28 7 86 0 58 1 72 2 23 6 76 3 99 4 45
9 48 5 27 6 67 7 62 4 98 0 42 1 46 8 27 3 48 2 17
9 80 3 19 5 28 1 12 4 94 6 63 7 98 8 50 0 80 2 50
2 50 1 41 4 61 8 79 5 14 9 72 7 18 3 55 6 37 0 75
9 22 5 57 4 75 2 14 7 65 3 96 1 71 0 47 8 79 6 60
3 32 2 69 4 44 1 31 9 51 0 33 6 34 5 58 7 47 8 58
8 66 7 40 2 17 0 62 9 38 5  8 6 15 3 29 1 44 4 97
3 50 2 58 6 21 4 63 7 57 8 32 5 20 9 87 0 57 1 39
4 20 6 67 1 85 2 90 7 70 0 84 8 30 5 56 3 61 9 15
6 29 0 82 4 18 3 38 7 21 8 50 1 23 5 84 2 45 9 41
3 54 9 37 6 62 5 16 0 52 8 57 4 54 2 38 7 74 1 52
4 79 1 61 8 11 0 81 7 89 6 89 5 57 3 68 9 81 2 30
9 24 1 66 4 32 3 33 8  8 2 20 6 84 0 91 7 55 5 20
3 54 2 64 6 83 9 40 7  8 0  7 4 19 5 56 1 39 8  7
1  6 4 74 0 63 2 64 9 15 6 42 7 98 8 61 5 40 3 91
1 80 3 75 0 26 2 87 9 22 7 39 8 24 4 75 6 44 5  6
5  8 3 79 6 61 1 15 0 12 7 43 8 26 9 22 2 20 4 80
1 36 0 63 7 10 4 22 3 96 5 40 9  5 8 18 6 33 2 62
4  8 8 15 2 64 3 95 1 96 6 38 7 18 9 23 5 64 0 89
"""
LA31_OPTIMUM = 1784
"""Lawrence 30 x 10: 300 operations, so no CP-SAT probe (tabu search runs at once), and the machine
loads prove the optimum, so the search that reaches it stops the other one."""


def test_each_search_runs_with_its_own_seed_and_the_best_is_returned() -> None:
    """Seed 2 on ft10, 3,000 iterations each: search 0 ends at 952, search 1 at 935 (asserted below,
    so the test keeps telling the best from the first search)."""
    problem = jsplib(FT10)
    data = flatten(problem)
    start = best_schedule(data).placements
    alone = [jobshop_tabu.tabu_search(data, start, 30.0, seed=2 + 1000 * k, max_iterations=3000) for k in range(2)]
    assert alone[1].makespan < alone[0].makespan

    together = parallel_tabu.tabu_searches(data, start, 30.0, 2, seed=2, max_iterations=3000)
    assert [r.iterations for r in together.runs] == [3000, 3000]
    assert [r.placements for r in together.runs] == [r.placements for r in alone]  # search 0: today's search

    found = schedule_search.improve(data, start, 30.0, seed=2, max_iterations=3000, searches=2)
    assert found is not None and found.searches == 2 and found.iterations == 6000
    assert found.objective == min(r.makespan for r in alone)
    solution = to_solution(data, found.placements)
    assert schedule_violations(problem, solution) == []
    assert schedule_objective(problem, solution) == found.objective


def test_improvements_reach_the_callback_one_thread_at_a_time() -> None:
    data = flatten(jsplib(FT10))
    start = best_schedule(data).placements
    inside, overlaps, seen = threading.Lock(), [], []

    def slow(placements: tuple[Placement, ...], makespan: int) -> None:
        if not inside.acquire(blocking=False):
            overlaps.append(makespan)
            return
        seen.append(makespan)
        time.sleep(0.05)
        inside.release()

    found = parallel_tabu.tabu_searches(data, start, 30.0, 2, seed=0, on_improve=slow, max_iterations=20_000)
    assert overlaps == [] and len(seen) >= 2
    assert min(seen) == found.best.makespan


def test_halt_stops_a_search_between_chunks() -> None:
    data = flatten(jsplib(FT10))
    search = jobshop_tabu.TabuSearch(data, best_schedule(data).placements, seed=0)
    halt = threading.Event()
    threading.Timer(0.2, halt.set).start()
    started = time.monotonic()
    search.run(started + 30.0, halt=halt)
    assert time.monotonic() - started < 5.0 and search.iterations > 0
    again = search.iterations
    search.run(time.monotonic() + 30.0, halt=halt)
    assert search.iterations == again


def test_searches_follow_threads_up_to_four() -> None:
    assert [parallel_tabu.searches(t) for t in (1, 2, 3, 4, 8, 64)] == [1, 2, 3, 4, 4, 4]
    assert [parallel_tabu.searches(t, large=True) for t in (1, 2, 8)] == [parallel_tabu.ONE_THREAD_SEARCHES, 2, 4]


def test_searches_sharing_a_thread_take_turns_and_keep_their_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two searches on one thread, in turns far shorter than their iteration limit: both run on the
    same thread, each goes on where it stopped (exactly its limit in the end, over many turns), the
    same seed gives the same schedules, and the best one is feasible."""
    monkeypatch.setattr(parallel_tabu, "TURN_ITERATIONS", 7_000)
    problem = jsplib(FT10)
    data = flatten(problem)
    names, turns = set(), []
    run = jobshop_tabu.TabuSearch.run

    def counted(search: jobshop_tabu.TabuSearch, *args: object, **kwargs: object) -> jobshop_tabu.TabuResult:
        names.add(threading.current_thread().name)
        turns.append(id(search))
        return run(search, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jobshop_tabu.TabuSearch, "run", counted)
    found = parallel_tabu.tabu_searches(data, best_schedule(data).placements, 60.0, 2, seed=1,
                                        max_iterations=150_000, threads=1)
    assert [r.iterations for r in found.runs] == [150_000, 150_000]
    assert len(names) == 1 and len(set(turns)) == 2 and len(turns) == 2 * 22  # 21 turns of 7,000, one of 3,000
    again = parallel_tabu.tabu_searches(data, best_schedule(data).placements, 60.0, 2, seed=1,
                                        max_iterations=150_000, threads=1)
    assert [r.placements for r in again.runs] == [r.placements for r in found.runs]  # turns counted, not timed
    solution = to_solution(data, found.best.placements)
    assert schedule_violations(problem, solution) == []
    assert schedule_objective(problem, solution) == found.best.makespan


def test_searches_taking_turns_stop_at_once_when_the_start_meets_the_bound() -> None:
    """Nothing to search for: both searches are finished before their first turn (no busy loop
    until the deadline)."""
    data = flatten(jsplib(FT10))
    start = best_schedule(data)
    began = time.monotonic()
    found = parallel_tabu.tabu_searches(data, start.placements, 30.0, 2, lower_bound=int(start.objective),
                                        threads=1)
    assert time.monotonic() - began < 5.0
    assert [r.iterations for r in found.runs] == [0, 0] and found.best.makespan == start.objective


CPSAT = load_builtin().get("cpsat")


@pytest.mark.parametrize("threads", [2, 1])
def test_the_backend_runs_two_searches_on_a_large_job_shop(threads: int) -> None:
    problem = jsplib(LA31)
    started = time.monotonic()
    raw = run_backend(CPSAT, problem, SolveOptions(time_limit=20.0, threads=threads), RunLimits(grace=1.0))
    assert time.monotonic() - started < 15, "the search that met the bound should have stopped the other"
    assert raw.status is Status.optimal and raw.objective == LA31_OPTIMUM
    assert isinstance(raw.solution, ScheduleSolution)
    assert schedule_violations(problem, raw.solution) == []
    assert schedule_objective(problem, raw.solution) == LA31_OPTIMUM
    together = "in parallel" if threads == 2 else "taking turns on one thread"  # 300 operations: large
    assert f"2 tabu searches {together}" in raw.native_status, raw.native_status


@pytest.mark.parametrize(("shape", "searches"), [("job shop", 1), ("job shop", 2), ("parallel machines", 1)])
def test_every_schedule_search_calls_between_during_its_run(shape: str, searches: int) -> None:
    """The CP-SAT backend flushes its throttled reports there; a search that never called it held
    its last improvement back until its phase ended."""
    from tests.solvers.cases import parallel_with_setups

    data = flatten(jsplib(FT10) if shape == "job shop" else parallel_with_setups(20, 3, seed=1))
    inside, overlaps, calls = threading.Lock(), [], []

    def between() -> None:
        if not inside.acquire(blocking=False):
            overlaps.append(1)
            return
        calls.append(time.monotonic())
        inside.release()

    start = best_schedule(data).placements
    jobshop_tabu.warm_up()  # the kernels loaded before the clock starts: their first load in a process
    parallel_search.warm_up()  # took 0.94 s in CI on a slow day, and the test is about the calls
    started = time.monotonic()
    found = schedule_search.improve(data, start, 0.6, seed=0, searches=searches, between=between)
    assert found is not None and overlaps == []
    assert len(calls) >= 2 and calls[0] - started < 0.4
