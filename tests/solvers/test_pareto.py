"""Pareto utilities: non-dominated filtering, hypervolume, reference and compromise points; and the
multi-objective branch of `finalize` (every point verified, infeasible ones dropped)."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import KnapsackProblem, KnapsackSolution, Result, SolveOptions, SolverInfo, Status, Termination, Timings
from solvers import pareto
from solvers.contract import FrontPoint, RawResult
from solvers.finalize import finalize

SENSES = st.lists(st.sampled_from(["min", "max"]), min_size=2, max_size=3)


def vectors(k: int, min_size: int = 1) -> st.SearchStrategy[list[list[int]]]:
    return st.lists(st.lists(st.integers(0, 12), min_size=k, max_size=k), min_size=min_size, max_size=25)


@st.composite
def fronts(draw: st.DrawFn) -> tuple[list[list[int]], list[str]]:
    senses = draw(SENSES)
    return draw(vectors(len(senses))), senses


@given(fronts())
def test_non_dominated_keeps_exactly_the_undominated_vectors_once(case: tuple[list[list[int]], list[str]]) -> None:
    points, senses = case
    keep = pareto.non_dominated(points, senses)
    kept = [points[i] for i in keep]
    for a, b in itertools.permutations(kept, 2):
        assert not pareto.dominates(a, b, senses)
        assert a != b
    for i, p in enumerate(points):
        if i not in keep:
            assert any(pareto.dominates(q, p, senses) or q == p for q in kept)


@given(fronts(), st.data())
def test_hypervolume_grows_when_a_dominating_point_is_added(case: tuple[list[list[int]], list[str]],
                                                            data: st.DataObject) -> None:
    points, senses = case
    reference = pareto.default_reference_point(points, senses)
    before = pareto.hypervolume(points, reference, senses)
    anything = data.draw(st.lists(st.integers(-2, 14), min_size=len(senses), max_size=len(senses)))
    assert pareto.hypervolume([*points, anything], reference, senses) >= before - 1e-9
    victim = data.draw(st.sampled_from([points[i] for i in pareto.non_dominated(points, senses)]))
    better = [v - 1 if sense == "min" else v + 1 for v, sense in zip(victim, senses, strict=True)]
    assert pareto.hypervolume([*points, better], reference, senses) > before


@given(vectors(2), st.sampled_from([["min", "min"], ["max", "min"], ["max", "max"]]))
def test_two_dimensional_hypervolume_matches_a_brute_force_grid(points: list[list[int]], senses: list[str]) -> None:
    reference = [13 if s == "min" else -1 for s in senses]
    flip = [1 if s == "min" else -1 for s in senses]
    low = [[v * f for v, f in zip(p, flip, strict=True)] for p in points]  # minimisation form
    ref = [r * f for r, f in zip(reference, flip, strict=True)]
    covered = sum(
        1 for x, y in itertools.product(range(-13, 13), repeat=2)  # the unit cell [x, x+1] x [y, y+1]
        if x + 1 <= ref[0] and y + 1 <= ref[1] and any(p[0] <= x and p[1] <= y for p in low)
    )
    assert pareto.hypervolume(points, reference, senses) == pytest.approx(covered)


@settings(max_examples=30)
@given(vectors(3))
def test_three_dimensional_hypervolume_agrees_with_inclusion_exclusion(points: list[list[int]]) -> None:
    senses = ["min", "min", "min"]
    reference = [13.0, 13.0, 13.0]
    points = points[:6]
    total = 0.0
    for r in range(1, len(points) + 1):
        for subset in itertools.combinations(points, r):
            corner = [max(p[k] for p in subset) for k in range(3)]
            total += (-1) ** (r + 1) * (13 - corner[0]) * (13 - corner[1]) * (13 - corner[2])
    assert pareto.hypervolume(points, reference, senses) == pytest.approx(total)


def test_reference_point_lies_beyond_the_worst_values() -> None:
    points = [[1.0, 10.0], [3.0, 6.0], [5.0, 10.0]]
    assert pareto.default_reference_point(points, ["min", "max"]) == pytest.approx([5.4, 5.6])
    assert pareto.default_reference_point([[2.0, 2.0]], ["min", "max"]) == pytest.approx([3.0, 1.0])


def test_compromise_is_the_balanced_point() -> None:
    points = [[0.0, 10.0], [4.0, 4.0], [10.0, 0.0], [6.0, 6.0]]
    assert pareto.compromise(points, ["min", "min"]) == 1
    assert pareto.compromise([[10.0, 0.0], [6.0, 6.0], [0.0, 10.0]], ["max", "max"]) == 1


def _problem() -> KnapsackProblem:
    items = [{"id": "a", "weight": 4, "values": [5, 1]}, {"id": "b", "weight": 4, "values": [1, 5]},
             {"id": "c", "weight": 4, "values": [3, 3]}]
    return KnapsackProblem.model_validate({"kind": "knapsack", "capacity": 5, "items": items,
                                           "objectives": ["value_0", "value_1"]})


def _finalize(points: list[list[str]], status: Status = Status.feasible) -> Result:
    front = [FrontPoint(objectives=[], solution=KnapsackSolution(selected=s)) for s in points]
    raw = RawResult(status=status, termination=Termination.completed, front=front)
    return finalize(_problem(), SolveOptions(), raw, SolverInfo(name="test"), Timings(total=0.0), [])


def test_finalize_verifies_every_point_and_drops_the_infeasible_and_dominated() -> None:
    result = _finalize([["a"], ["b"], ["a", "b"], ["c"], ["c"], []], status=Status.optimal)
    assert result.status is Status.feasible  # a point failed: the front is no longer proven
    assert result.pareto_front is not None
    assert [p.objectives for p in result.pareto_front] == [[5.0, 1.0], [3.0, 3.0], [1.0, 5.0]]
    assert result.objectives == ["value_0", "value_1"]
    assert result.reference_point == pytest.approx([0.6, 0.6])
    assert result.hypervolume == pytest.approx(pareto.hypervolume([[5, 1], [3, 3], [1, 5]], [0.6, 0.6], ["max"] * 2))
    assert result.compromise == 1 and result.solution == result.pareto_front[1].solution
    assert result.verified and any("fail the independent check" in w for w in result.warnings)


def test_finalize_keeps_optimal_for_a_clean_complete_front_and_errors_when_nothing_passes() -> None:
    assert _finalize([["a"], ["b"], ["c"]], status=Status.optimal).status is Status.optimal
    result = _finalize([["a", "b"], ["a", "c"]])
    assert result.status is Status.error and result.pareto_front is None
