"""`finalize` never passes a backend's claim on unchecked: lying results are corrected or refused."""

import pytest

from models import KnapsackProblem, KnapsackSolution, SolveOptions, SolverInfo, Status, Termination, Timings
from solvers.contract import FrontPoint, RawResult
from solvers.finalize import finalize

PROBLEM = KnapsackProblem.model_validate({"kind": "knapsack", "capacity": 10, "items": [
    {"id": "A", "weight": 5, "value": 10}, {"id": "B", "weight": 4, "value": 40},
    {"id": "C", "weight": 6, "value": 30}, {"id": "D", "weight": 3, "value": 50}]})
OPTIMUM = KnapsackSolution(selected=["B", "D"])  # value 90, weight 7
WORSE = KnapsackSolution(selected=["A", "D"])  # value 60, weight 8
OVERWEIGHT = KnapsackSolution(selected=["A", "B", "C"])  # weight 15 > 10


def run(raw: RawResult, relative_gap: float = 0.0, problem: KnapsackProblem = PROBLEM):  # type: ignore[no-untyped-def]
    return finalize(problem, SolveOptions(relative_gap=relative_gap), raw, SolverInfo(name="liar"), Timings(total=0),
                    [])


def test_an_objective_that_disagrees_with_the_solution_is_an_error() -> None:
    result = run(RawResult(status=Status.optimal, termination=Termination.completed, solution=OPTIMUM,
                           objective=95.0, bound=95.0))
    assert result.status is Status.error and result.termination is Termination.error
    assert "objective mismatch" in (result.message or "") and result.objective is None


def test_an_infeasible_solution_is_an_error_never_returned() -> None:
    result = run(RawResult(status=Status.optimal, termination=Termination.completed, solution=OVERWEIGHT,
                           objective=80.0, bound=80.0))
    assert result.status is Status.error and result.solution is None
    assert "fails the independent check" in (result.message or "")


def test_a_bound_on_the_wrong_side_is_discarded_with_a_warning() -> None:
    # maximisation: an upper bound below the verified objective is impossible
    result = run(RawResult(status=Status.optimal, termination=Termination.completed, solution=OPTIMUM,
                           objective=90.0, bound=70.0, bound_source="liar"))
    assert result.status is Status.feasible and result.bound is None and result.gap is None
    assert result.bound_source is None
    assert any("contradicts the verified objective" in w for w in result.warnings)


def test_optimal_with_a_gap_is_downgraded_to_feasible() -> None:
    result = run(RawResult(status=Status.optimal, termination=Termination.completed, solution=WORSE,
                           objective=60.0, bound=90.0, bound_source="liar"))
    assert result.status is Status.feasible and result.objective == 60.0
    assert result.gap == pytest.approx(0.5)
    assert any("does not prove it" in w for w in result.warnings)


def test_a_closed_gap_is_optimal_even_if_the_backend_was_modest() -> None:
    result = run(RawResult(status=Status.feasible, termination=Termination.completed, solution=OPTIMUM,
                           objective=90.0, bound=90.0, bound_source="dantzig"))
    assert result.status is Status.optimal and result.gap == 0.0 and result.verified


def test_a_gap_within_the_requested_target_is_reported_as_gap_limit() -> None:
    result = run(RawResult(status=Status.feasible, termination=Termination.completed, solution=OPTIMUM,
                           objective=90.0, bound=91.0), relative_gap=0.05)
    assert result.status is Status.feasible and result.termination is Termination.gap_limit


def test_a_claimed_solution_status_without_a_solution_is_an_error() -> None:
    result = run(RawResult(status=Status.optimal, termination=Termination.completed))
    assert result.status is Status.error and result.solution is None


def test_front_points_are_verified_remeasured_and_filtered() -> None:
    problem = KnapsackProblem.model_validate({"kind": "knapsack", "capacity": 10, "objectives": ["value_0", "value_1"],
                                              "items": [{"id": "A", "weight": 5, "values": [10, 1]},
                                                        {"id": "B", "weight": 5, "values": [1, 10]},
                                                        {"id": "C", "weight": 6, "values": [5, 5]}]})
    front = [FrontPoint(objectives=[11, 11], solution=KnapsackSolution(selected=["A", "B"])),  # true
             FrontPoint(objectives=[99, 99], solution=KnapsackSolution(selected=["A", "C"])),  # infeasible
             FrontPoint(objectives=[5, 5], solution=KnapsackSolution(selected=["C"])),  # dominated
             FrontPoint(objectives=[50, 0], solution=KnapsackSolution(selected=["A"]))]  # lies: really [10, 1]
    result = run(RawResult(status=Status.optimal, termination=Termination.completed, front=front), problem=problem)
    assert result.status is Status.feasible, "a front with dropped points is not proven complete"
    assert result.pareto_front is not None
    assert [p.objectives for p in result.pareto_front] == [[11.0, 11.0]]
    assert any("fail the independent check" in w for w in result.warnings)
    assert any("disagree with the recomputed" in w for w in result.warnings)
