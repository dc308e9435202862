"""Parallel machines with setups: the exact cover (families.scheduling.partition) and CP-SAT's
sequence-only model against brute force on tiny instances."""

import numpy as np
import pytest
from ortools.sat.python import cp_model

from solvers.backends.cpsat.schedule_model import SchedulingModel, sequence_only
from solvers.evaluators import evaluate
from solvers.families.scheduling import partition
from solvers.families.scheduling.data import flatten
from solvers.families.scheduling.heuristic import best_schedule, objective, to_solution
from tests.solvers.cases import brute_force_schedule, parallel_with_setups, released_with_due_dates

TINY = [(6, 2, 1), (6, 2, 2), (6, 3, 3), (7, 3, 4), (5, 4, 5)]


@pytest.mark.parametrize(("jobs", "machines", "seed"), TINY)
def test_the_exact_cover_proves_the_brute_force_optimum(jobs: int, machines: int, seed: int) -> None:
    problem = parallel_with_setups(jobs, machines, seed=seed)
    data = flatten(problem)
    start = best_schedule(data)
    found, best, proven = partition.improve(data, round(start.objective), 10.0)
    optimum = brute_force_schedule(problem)
    assert proven and best == optimum
    if found is not None:  # a better schedule than the heuristic's: feasible, with the claimed value
        assert objective(data, found) == best
        assert evaluate(problem, to_solution(data, found)).feasible


def test_columns_are_every_subset_within_the_cap_with_its_cheapest_order() -> None:
    data = flatten(parallel_with_setups(6, 2, seed=1))
    cap = 40
    cols = partition.columns(data, 0, cap, deadline=float("inf"))
    assert cols is not None and cols
    for col in cols:
        durations = sum(data.ops[k].choices[0].duration for k in col.order)
        setups = sum(data.setup(0, a, b) for a, b in zip(col.order, col.order[1:], strict=False))
        assert col.cost == durations + setups <= cap
        assert col.mask == sum(1 << k for k in col.order)
    singles = {col.mask for col in cols if len(col.order) == 1}
    assert singles == {1 << k for k in range(6) if data.ops[k].choices[0].duration <= cap}


def test_only_makespan_single_operation_jobs_without_releases_qualify() -> None:
    assert partition.applicable(flatten(parallel_with_setups(8, 2)))
    assert not partition.applicable(flatten(released_with_due_dates()))
    assert not partition.applicable(flatten(parallel_with_setups(30, 2)))  # above MAX_JOBS


@pytest.mark.parametrize(("jobs", "machines", "seed"), TINY[:3])
def test_the_sequence_only_cpsat_model_matches_brute_force(jobs: int, machines: int, seed: int) -> None:
    problem = parallel_with_setups(jobs, machines, seed=seed)
    data = flatten(problem)
    assert sequence_only(data)
    model = SchedulingModel(data, data.horizon(), 0)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 10
    solver.parameters.num_workers = 1
    assert solver.solve(model.model) == cp_model.OPTIMAL
    placements = model.placements(np.asarray(solver.response_proto.solution, dtype=np.int64))
    assert solver.objective_value == objective(data, placements) == brute_force_schedule(problem)
    assert evaluate(problem, to_solution(data, placements)).feasible
