"""A MIP run's answer carries the family's certified bound on every instance, not only large ones
(`solvers.mip.family_bound`): found beside the solve, reported alone, merged with the solution."""

import threading
import time
from multiprocessing import Pipe

import pytest

from models import SolveOptions, Status, Termination, TspProblem, TspSolution
from solvers.contract import Incumbent, RawResult, SolveContext
from solvers.families.tsp import certified
from solvers.families.tsp.generator import random_tsp
from solvers.mip.early_start import wait_for_bound
from solvers.mip.family_bound import start_family_bound
from solvers.objective import is_maximised
from solvers.registry import load_builtin
from solvers.runtime.best_bound import BestBound
from solvers.runtime.runner import _Watch, run_backend
from solvers.runtime.worker import MIN_SEND_INTERVAL, IncumbentSender
from tests.instances import TINY, optimum

SOURCES = {"tsp_coordinates": "held_karp_1tree", "tsp_asymmetric": "held_karp_1tree",
           "facility_capacitated": "lagrangian", "facility_uncapacitated": "lagrangian",
           "facility_single_source": "lagrangian", "job_shop": "machine_job_bound"}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_family_with_a_certified_bound_reports_it_alone(name: str) -> None:
    certified.warm_up()  # coordinate TSPs then take the candidate graph's bound, down to these 8 cities
    problem = TINY[name]
    reported: list[Incumbent] = []
    thread = start_family_bound(problem, 1.0, reported.append)
    assert thread is not None
    thread.join(10)
    assert len(reported) == 1 and reported[0].solution is None and reported[0].objective is None
    bound = reported[0].bound
    assert bound is not None and 0 < bound <= optimum(problem) + 1e-6
    assert reported[0].bound_source == SOURCES[name]


@pytest.mark.parametrize("name", ["knapsack", "knapsack_multi"])
def test_knapsack_has_no_family_bound_to_add(name: str) -> None:
    assert start_family_bound(TINY[name], 1.0, lambda _incumbent: None) is None


def _solution_of(problem: TspProblem) -> Incumbent:
    """Any tour will do (the cities in their order)."""
    return Incumbent(objective=1000.0, solution=TspSolution(tour=list(range(problem.size))))


def test_a_bound_reported_alone_is_sent_with_the_latest_solution() -> None:
    """Before, the sender replaced the solution held back with the bound alone: a run answered at
    the margin then had no solution."""
    problem = TINY["tsp_coordinates"]
    assert isinstance(problem, TspProblem)
    found = _solution_of(problem)
    parent, child = Pipe()
    sender = IncumbentSender(child, BestBound(is_maximised(problem), backend=None))
    sender(found)
    sender(Incumbent(bound=100.0, bound_source="held_karp_1tree"))  # within the throttle: held back
    time.sleep(2 * MIN_SEND_INTERVAL)
    sender.flush()
    messages = []
    while parent.poll(0.5):
        messages.append(Incumbent.model_validate_json(parent.recv()[1]))
    assert messages[-1].solution == found.solution and messages[-1].objective == found.objective
    assert messages[-1].bound == 100.0 and messages[-1].bound_source == "held_karp_1tree"


def test_the_runner_keeps_the_solution_when_a_bound_comes_alone() -> None:
    problem = TINY["tsp_coordinates"]
    assert isinstance(problem, TspProblem)
    found = _solution_of(problem)
    watch = _Watch(load_builtin().get("cbc"), None, BestBound(is_maximised(problem), "cbc"))
    watch._handle(("incumbent", found.model_dump_json()))
    watch._handle(("incumbent", Incumbent(bound=100.0, bound_source="held_karp_1tree").model_dump_json()))
    raw = watch._stopped(Termination.time_limit, "deadline")
    assert raw.solution == found.solution and raw.bound == 100.0 and raw.bound_source == "held_karp_1tree"


@pytest.mark.parametrize("backend", ["cbc", "pyomo"])
def test_a_mip_run_cut_short_on_300_cities_has_a_certified_bound(backend: str) -> None:
    """Below the 400 cities from which the quick tour is reported ahead, CBC and Pyomo answered 300
    random cities at 2 s with no bound at all."""
    problem = random_tsp(300, seed=11)
    assert isinstance(problem, TspProblem)
    raw = run_backend(load_builtin().get(backend), problem, SolveOptions(time_limit=2.0))
    assert raw.solution is not None and raw.objective is not None
    assert raw.bound is not None and 0 < raw.bound <= raw.objective


@pytest.mark.parametrize("status", [Status.feasible, Status.no_solution, Status.optimal, Status.error])
def test_an_answer_that_is_not_proven_waits_for_the_bound_beside_the_solve(status: Status) -> None:
    """A bound reported after the answer is dropped; an optimal answer has nothing to gain from it."""
    reported = threading.Event()

    def find_bound() -> None:
        time.sleep(0.3)
        reported.set()

    bound = threading.Thread(target=find_bound, daemon=True)
    bound.start()
    raw = RawResult(status=status, termination=Termination.time_limit)
    context = SolveContext(options=SolveOptions(time_limit=5.0))
    assert wait_for_bound(bound, raw, context) is raw
    assert reported.is_set() is (status in (Status.feasible, Status.no_solution))


def test_waiting_for_the_bound_ends_before_the_time_limit() -> None:
    bound = threading.Thread(target=time.sleep, args=(3.0,), daemon=True)
    bound.start()
    began = time.monotonic()
    wait_for_bound(bound, RawResult(status=Status.feasible, termination=Termination.time_limit),
                   SolveContext(options=SolveOptions(time_limit=0.5)))
    # the join's timeout is 0.45 s; slack for a loaded machine, far below the bound thread's 3 s
    assert bound.is_alive() and time.monotonic() - began < 0.75
