"""The array formulations on their own (they import no solver): cuts, repairs, encoders, big-M."""

import random

import numpy as np
import pytest

from models import KnapsackSolution, SchedulingObjective, TspSolution
from solvers.evaluators import evaluate
from solvers.families.schedule_heuristic import objective, to_solution
from solvers.families.scheduling_data import flatten
from solvers.formulations import build
from solvers.formulations.facility import FacilityFormulation
from solvers.formulations.scheduling import SchedulingFormulation, left_shift
from solvers.formulations.tsp import TspFormulation, merge_cycles
from tests.instances import TINY, facility, knapsack
from tests.solvers.mip_suite import FLEXIBLE, SETUPS_SKEWED, SETUPS_TRIANGLE, TARDINESS, random_tsp


@pytest.mark.parametrize("name", ["tsp_coordinates", "tsp_asymmetric"])
def test_tsp_subtours_get_one_violated_cut_each_and_a_tour_none(name: str) -> None:
    formulation = build(TINY[name])
    assert isinstance(formulation, TspFormulation)
    n = formulation.n
    halves = [list(range(0, n // 2)), list(range(n // 2, n))]
    x = np.zeros(formulation.mip.n_cols)
    for cycle in halves:
        order = np.array(cycle)
        x[formulation.index[order, np.roll(order, -1)]] = 1.0
    cuts = formulation.separate(x)
    assert cuts is not None and cuts.n_rows >= 1
    assert ((cuts.a @ x) > cuts.upper).all()
    tour = formulation.encode(TspSolution(tour=list(range(n))))
    assert tour is not None and formulation.separate(tour) is None
    assert formulation.mip.violation(tour) == 0.0


@pytest.mark.parametrize("symmetric", [True, False])
def test_subtours_decode_to_a_valid_tour(symmetric: bool) -> None:
    problem = random_tsp(30, seed=2)
    if not symmetric:
        problem = problem.model_copy(update={"coordinates": None, "metric": None,
                                             "distances": (np.triu(np.ones((30, 30))) * 7 + 1).tolist()})
    formulation = build(problem)
    assert isinstance(formulation, TspFormulation) and formulation.symmetric is symmetric
    x = np.zeros(formulation.mip.n_cols)
    for cycle in (range(0, 10), range(10, 13), range(13, 30)):
        order = np.array(cycle)
        x[formulation.index[order, np.roll(order, -1)]] = 1.0
    decoded = formulation.decode(x)
    check = evaluate(problem, decoded.solution)
    assert check.feasible and check.objective == pytest.approx(decoded.objective)


def test_merge_cycles_keeps_every_node_once() -> None:
    d = np.random.default_rng(0).uniform(1, 9, (12, 12))
    tour = merge_cycles(d, [[3, 4, 5], [0, 1, 2], [6, 7], [8, 9, 10, 11]], symmetric=False)
    assert sorted(tour) == list(range(12))


def test_knapsack_encoder_rejects_an_overfull_selection() -> None:
    problem = knapsack()
    formulation = build(problem)
    assert formulation.encode(KnapsackSolution(selected=[item.id for item in problem.items])) is None
    assert formulation.encode(KnapsackSolution(selected=["no such item"])) is None


def test_facility_decoder_cleans_noise_and_round_trips() -> None:
    formulation = build(facility(capacitated=False))
    assert isinstance(formulation, FacilityFormulation)
    x = np.zeros(formulation.mip.n_cols)
    x[0] = 1.0
    x[formulation.xcol[0]] = 1.0 - 1e-9
    x[formulation.xcol[1]] = 1e-9  # noise on a closed facility
    decoded = formulation.decode(x)
    assert all(a.facility == "F0" and a.fraction == 1.0 for a in decoded.solution.assignments)
    again = formulation.encode(decoded.solution)
    assert again is not None and formulation.decode(again) == decoded


@pytest.mark.parametrize("problem", [FLEXIBLE, SETUPS_TRIANGLE, TARDINESS], ids=["flexible", "setups", "tardiness"])
def test_every_semi_active_schedule_within_the_bounds_fits_the_big_m_model(problem) -> None:  # type: ignore[no-untyped-def]
    formulation = build(problem)
    assert isinstance(formulation, SchedulingFormulation) and formulation.exact
    data = flatten(problem)
    rng = random.Random(1)
    fitted = 0
    for _ in range(200):
        machines = [rng.choice(op.choices).machine for op in data.ops]
        placements, _ = left_shift(data, machines, np.array([rng.random() for _ in data.ops]))
        longest = max(p.end for p in placements)
        if problem.objective is SchedulingObjective.makespan and longest > formulation.end_ub:
            continue  # beyond the heuristic's makespan the model rightly excludes it
        x = formulation.encode(to_solution(data, placements))
        assert x is not None, "a valid schedule was cut off by the big-M model"
        assert formulation.mip.objective(x) == pytest.approx(objective(data, placements))
        fitted += 1
    assert fitted > 0


def test_setups_breaking_the_triangle_inequality_make_the_model_inexact() -> None:
    formulation = build(SETUPS_SKEWED)
    assert not formulation.exact and formulation.warnings
