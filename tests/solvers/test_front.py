"""The Pareto local search after NSGA-II, and backend `front` (NSGA-II, then the exact sweep)."""

import numpy as np
import pytest

from models import KnapsackProblem, SolveOptions, SolveRequest, Status, Termination
from models.result import Result
from solvers.backends.nsga2.archive import Archive
from solvers.backends.nsga2.encodings import KnapsackEncoding
from solvers.backends.nsga2.pareto_local import pareto_local_search
from solvers.dispatch import solve
from solvers.registry import load_builtin
from tests.solvers.multiobjective_cases import biobjective_knapsack, check_front, knapsack_front

REGISTRY = load_builtin()


def run(problem: KnapsackProblem, solver: str, time_limit: float = 30.0) -> Result:
    request = SolveRequest(problem=problem, solver=solver, options=SolveOptions(time_limit=time_limit, seed=0))
    return solve(request, REGISTRY)


def test_neighbours_are_the_feasible_flips_and_swaps_and_their_fills() -> None:
    encoding = KnapsackEncoding(biobjective_knapsack(10, seed=4))
    start = encoding.repair(np.zeros((1, encoding.n_var), dtype=bool))[0]
    found = {tuple(row) for row in encoding.neighbours(start)}
    loads = encoding.weights @ np.array(list(found), dtype=np.float64).T
    assert (loads <= encoding.capacities[:, None] + 1e-9).all()
    inside, outside = np.flatnonzero(start), np.flatnonzero(~start)
    for i in inside:
        for j in outside:
            swapped = start.copy()
            swapped[i], swapped[j] = False, True
            if (encoding.weights @ swapped <= encoding.capacities + 1e-9).all():
                assert tuple(swapped) in found
                assert tuple(encoding.repair(swapped[None, :])[0]) in found
    dropped = start.copy()
    dropped[inside[0]] = False
    assert tuple(dropped) in found


@pytest.mark.parametrize("seed", [1, 5])
def test_the_search_ends_at_a_pareto_local_optimum(seed: int) -> None:
    """From one greedy selection: when it ends, no neighbour of an archived genome is better than the archive."""
    encoding = KnapsackEncoding(biobjective_knapsack(14, seed=seed))
    archive = Archive(encoding.n_obj)
    start = encoding.repair(np.zeros((1, encoding.n_var), dtype=bool))
    archive.offer(start, encoding.evaluate(start)[0], 0)
    assert pareto_local_search(encoding, archive, float("inf"), 0)
    assert len(archive.x) > 1
    for x in archive.x:
        f = encoding.evaluate(encoding.neighbours(x))[0]
        covered = np.any(np.all(archive.f[None, :, :] <= f[:, None, :], axis=2), axis=1)
        assert bool(np.all(covered))


def test_front_is_exact_and_complete_when_the_sweep_finishes() -> None:
    problem = biobjective_knapsack(16, seed=3)
    result = run(problem, "front")
    assert result.status is Status.optimal and result.termination is Termination.completed
    assert check_front(problem, result) == knapsack_front(problem)
    assert result.solver.name == "front"


def test_auto_answers_bi_objective_knapsacks_with_front() -> None:
    problem = biobjective_knapsack(12, seed=7)
    result = run(problem, "auto", time_limit=20.0)
    assert result.solver.name == "front" and result.status is Status.optimal
    assert check_front(problem, result) == knapsack_front(problem)


def test_without_time_for_the_sweep_the_answer_is_nsga2s_and_says_so() -> None:
    problem = biobjective_knapsack(100, seed=2)
    result = run(problem, "front", time_limit=1.0)
    assert result.status is Status.feasible and result.termination is Termination.time_limit
    check_front(problem, result)


def test_front_passes_its_members_incumbents_on() -> None:
    from solvers.contract import Incumbent

    problem = biobjective_knapsack(40, seed=2)
    seen: list[Incumbent] = []
    request = SolveRequest(problem=problem, solver="front", options=SolveOptions(time_limit=3.0, seed=0))
    result = solve(request, REGISTRY, progress=seen.append)
    assert result.pareto_front and seen and all(i.solution is not None for i in seen)
