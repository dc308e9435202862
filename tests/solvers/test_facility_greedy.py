"""The first-fit plan (`solvers.families.facility.greedy`): feasible, capacity-respecting, honest
when it finds no room, and reported by the MIP formulation as its quick start."""

import numpy as np
import pytest

from models import FacilityLocationProblem
from solvers.contract import Incumbent
from solvers.evaluators import evaluate
from solvers.families.facility.certified import cheapest_assignment_bound
from solvers.families.facility.data import FacilityData, serving, to_solution
from solvers.families.facility.early_start import EARLY_FROM, greedy_incumbent, report_first_fit_plan
from solvers.families.facility.generator import cornuejols
from solvers.families.facility.greedy import cheapest_cover, greedy_shares
from solvers.families.facility.mip import FacilityFormulation


def tight_bins(with_spare: bool = True) -> FacilityLocationProblem:
    """Demands 4, 4, 3, 3, 3, 3 into two cheap facilities of capacity 10 (they fit as 4+3+3 twice),
    and, `with_spare`, an expensive third. First fit decreasing puts 4 and 4 together and is left with
    one 3 that fits nowhere: it must open the spare, or, without one, give up."""
    facilities = [{"id": "A", "fixed_cost": 1, "capacity": 10}, {"id": "B", "fixed_cost": 2, "capacity": 10},
                  {"id": "C", "fixed_cost": 50, "capacity": 10}]
    costs = [[1] * 6, [2] * 6, [3] * 6]
    count = 3 if with_spare else 2
    return FacilityLocationProblem.model_validate({
        "kind": "facility_location", "single_source": True, "facilities": facilities[:count],
        "customers": [{"id": f"C{k}", "demand": d} for k, d in enumerate([4, 4, 3, 3, 3, 3])],
        "costs": costs[:count],
    })


@pytest.mark.parametrize(("m", "n", "ratio", "seed"), [(25, 100, 3.0, 1), (50, 200, 5.0, 2), (100, 1000, 5.0, 1)])
def test_the_plan_is_a_feasible_single_source_solution_costed_as_the_evaluator_costs_it(
        m: int, n: int, ratio: float, seed: int) -> None:
    problem = cornuejols(m, n, ratio=ratio, seed=seed, single_source=True)
    data = FacilityData.from_problem(problem)
    shares = greedy_shares(data)
    assert shares is not None
    assert np.array_equal(shares.sum(axis=0), np.ones(n)) and set(np.unique(shares)) <= {0.0, 1.0}
    assert np.all(shares @ data.demand <= data.capacity)
    check = evaluate(problem, to_solution(problem, shares))
    assert check.feasible, check.violations
    assert check.objective == pytest.approx(data.cost(serving(shares), shares))


def test_first_fit_opens_another_facility_when_the_open_ones_are_full() -> None:
    problem = tight_bins()
    data = FacilityData.from_problem(problem)
    assert cheapest_cover(data).tolist() == [True, True, False]  # 10 + 10 hold the 20 of demand
    shares = greedy_shares(data)
    assert shares is not None
    assert shares.tolist() == [[1, 1, 0, 0, 0, 0], [0, 0, 1, 1, 1, 0], [0, 0, 0, 0, 0, 1]]
    assert evaluate(problem, to_solution(problem, shares)).feasible


def test_no_plan_is_claimed_when_first_fit_finds_no_room() -> None:
    """Feasible (4+3+3 twice), but not by first fit: None, not a plan breaking a capacity."""
    assert greedy_shares(FacilityData.from_problem(tight_bins(with_spare=False))) is None


def test_the_formulation_reports_the_plan_as_its_quick_start() -> None:
    problem = cornuejols(25, 100, ratio=3.0, seed=1, single_source=True)
    quick = FacilityFormulation(problem).quick_start()
    assert quick is not None
    check = evaluate(problem, quick.solution)
    assert check.feasible and quick.objective == pytest.approx(check.objective)


def test_only_large_instances_are_reported_before_building() -> None:
    small = cornuejols(25, 100, seed=1, single_source=True)
    large = cornuejols(100, EARLY_FROM // 100, seed=1, single_source=True)
    assert greedy_incumbent(small) is None
    found = greedy_incumbent(large)
    assert found is not None and found.solution is not None and found.objective is not None
    check = evaluate(large, found.solution)
    assert check.feasible and found.objective == pytest.approx(check.objective)


def test_the_plan_is_reported_then_reported_again_with_a_certified_bound() -> None:
    """So that an answer cut short has a gap, and a slow bound never holds the plan back: the plan,
    then with the quick cheapest-assignment bound, then with the family's bound."""
    large = cornuejols(100, EARLY_FROM // 100, seed=1, single_source=True)
    reported: list[Incumbent] = []
    report_first_fit_plan(large, 0.1, reported.append)
    plan = greedy_incumbent(large)
    assert plan is not None and plan.objective is not None
    assert [(found.objective, found.bound_source) for found in reported][:2] == [
        (plan.objective, None), (plan.objective, "cheapest_assignment")]
    assert len(reported) == 3 and reported[2].objective == plan.objective
    cheap = cheapest_assignment_bound(large)
    assert reported[1].bound == cheap
    bound = reported[2].bound
    assert bound is not None and cheap <= bound <= plan.objective
    assert reported[2].bound_source in ("lagrangian", "cheapest_assignment")
