"""Independent evaluators: they accept what is feasible, reject what is not, recompute objectives."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from models import (
    Assignment,
    FacilitySolution,
    KnapsackProblem,
    KnapsackSolution,
    ScheduledOperation,
    ScheduleSolution,
    SchedulingProblem,
    TspProblem,
    TspSolution,
)
from solvers.evaluators import evaluate
from tests.instances import facility, job_shop

items = st.lists(st.tuples(st.integers(0, 50), st.integers(0, 100)), min_size=1, max_size=10)


@given(items, st.integers(0, 200), st.data())
def test_knapsack_objective_and_feasibility(pairs: list[tuple[int, int]], capacity: int, data: st.DataObject) -> None:
    problem = KnapsackProblem.model_validate({
        "kind": "knapsack", "capacity": capacity,
        "items": [{"id": k, "weight": w, "value": v} for k, (w, v) in enumerate(pairs)],
    })
    chosen = data.draw(st.sets(st.integers(0, len(pairs) - 1)))
    check = evaluate(problem, KnapsackSolution(selected=sorted(chosen)))
    assert check.objective == sum(pairs[k][1] for k in chosen)
    assert check.feasible == (sum(pairs[k][0] for k in chosen) <= capacity)


def test_knapsack_rejects_unknown_and_repeated_items() -> None:
    problem = KnapsackProblem.model_validate({"kind": "knapsack", "capacity": 10,
                                              "items": [{"id": "a", "weight": 1, "value": 1}]})
    assert not evaluate(problem, KnapsackSolution(selected=["a", "a"])).feasible
    assert not evaluate(problem, KnapsackSolution(selected=["zz"])).feasible


coordinates = st.lists(st.tuples(st.integers(-50, 50), st.integers(-50, 50)), min_size=3, max_size=7)


@given(coordinates, st.randoms(use_true_random=False))
@settings(max_examples=50)
def test_tsp_length_is_rotation_and_reversal_invariant(points: list[tuple[int, int]], rnd) -> None:  # type: ignore[no-untyped-def]
    problem = TspProblem.model_validate({"kind": "tsp", "coordinates": [list(p) for p in points], "metric": "euc_2d"})
    rest = list(range(1, len(points)))
    rnd.shuffle(rest)
    tour = [0, *rest]
    forward = evaluate(problem, TspSolution(tour=tour)).objective
    backward = evaluate(problem, TspSolution(tour=[0, *reversed(rest)])).objective
    assert forward == backward
    by_hand = sum(int(((points[a][0] - points[b][0]) ** 2 + (points[a][1] - points[b][1]) ** 2) ** 0.5 + 0.5)
                  for a, b in itertools.pairwise([*tour, 0]))
    assert forward == by_hand


def test_tsp_rejects_non_permutations() -> None:
    problem = TspProblem.model_validate({"kind": "tsp", "distances": [[0, 1, 2], [1, 0, 3], [2, 3, 0]]})
    assert evaluate(problem, TspSolution(tour=[0, 1, 2])).objective == 6
    for bad in ([0, 1], [0, 1, 1], [1, 0, 2], [0, 1, 2, 3]):
        assert not evaluate(problem, TspSolution(tour=bad)).feasible


def test_facility_cost_capacity_and_coverage() -> None:
    problem = facility()
    everyone = [c.id for c in problem.customers]
    first, second = problem.facilities[0], problem.facilities[1]
    split = [Assignment(customer=c, facility=f, fraction=0.5) for c in everyone for f in (first.id, second.id)]
    check = evaluate(problem, FacilitySolution(open=[first.id, second.id], assignments=split))
    expected = first.fixed_cost + second.fixed_cost + sum(
        0.5 * (problem.costs[0][j] + problem.costs[1][j]) for j in range(len(everyone)))
    assert abs(check.objective - expected) < 1e-9  # type: ignore[operator]
    half_served = [Assignment(customer=c, facility=first.id, fraction=0.5) for c in everyone]
    assert not evaluate(problem, FacilitySolution(open=[first.id], assignments=half_served)).feasible
    to_closed = [Assignment(customer=c, facility=second.id) for c in everyone]
    assert not evaluate(problem, FacilitySolution(open=[first.id], assignments=to_closed)).feasible


def _sequential_schedule(problem: SchedulingProblem) -> list[ScheduledOperation]:
    """Everything one after another: always feasible."""
    clock, placed = 0, []
    for job in problem.jobs:
        for k, op in enumerate(job.operations):
            assert op.duration is not None and op.machine is not None
            placed.append(ScheduledOperation(job=job.id, index=k, machine=op.machine, start=clock,
                                             end=clock + op.duration))
            clock += op.duration
    return placed


def test_scheduling_accepts_feasible_and_names_each_violation() -> None:
    problem = job_shop()
    ops = _sequential_schedule(problem)
    check = evaluate(problem, ScheduleSolution(operations=ops))
    assert check.feasible and check.objective == sum(
        op.duration or 0 for job in problem.jobs for op in job.operations)
    overlapping = [op.model_copy(update={"start": 0, "end": op.end - op.start}) for op in ops]
    assert not evaluate(problem, ScheduleSolution(operations=overlapping)).feasible
    assert not evaluate(problem, ScheduleSolution(operations=ops[1:])).feasible
    stretched = [ops[0].model_copy(update={"end": ops[0].end + 1}), *ops[1:]]
    assert not evaluate(problem, ScheduleSolution(operations=stretched)).feasible


def test_scheduling_counts_setup_times() -> None:
    problem = SchedulingProblem.model_validate({
        "kind": "scheduling", "machines": ["M"],
        "jobs": [{"id": "a", "operations": [{"machine": "M", "duration": 2}]},
                 {"id": "b", "operations": [{"machine": "M", "duration": 3}]}],
        "setup_times": [[0, 4], [1, 0]],
    })
    tight = [ScheduledOperation(job="a", index=0, machine="M", start=0, end=2),
             ScheduledOperation(job="b", index=0, machine="M", start=2, end=5)]
    assert not evaluate(problem, ScheduleSolution(operations=tight)).feasible
    spaced = [tight[0], tight[1].model_copy(update={"start": 6, "end": 9})]
    assert evaluate(problem, ScheduleSolution(operations=spaced)).objective == 9
