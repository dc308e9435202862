"""The array formulations on their own (they import no solver): cuts, repairs, encoders, big-M."""

import random

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from models import FacilitySolution, KnapsackSolution, SchedulingObjective, TspSolution
from solvers.evaluators import evaluate
from solvers.families.facility.mip import FacilityFormulation
from solvers.families.scheduling.data import flatten
from solvers.families.scheduling.heuristic import objective, to_solution
from solvers.families.scheduling.mip import SchedulingFormulation, left_shift
from solvers.families.tsp.blossom import blossoms
from solvers.families.tsp.generator import random_tsp
from solvers.families.tsp.mincut import violated_sets
from solvers.families.tsp.mip import TspFormulation, merge_cycles
from solvers.mip.array_mip import FloatArray, RowCollector, make_mip
from solvers.mip.formulations import build
from solvers.mip.rc_fixing import reduced_cost_fixing
from tests.instances import TINY, facility, knapsack
from tests.solvers.mip_suite import FLEXIBLE, SETUPS_SKEWED, SETUPS_TRIANGLE, TARDINESS


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
    assert isinstance(decoded.solution, FacilitySolution)
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


def _two_groups_point() -> tuple[TspFormulation, FloatArray]:
    """An LP point on 8 nodes satisfying every degree row, whose cut between A = {0..3} and
    B = {4..7} weighs 1.2 < 2, although the support is connected and the edges above 0.5 form
    the components {1,2,3}, {5,6,7}, {0,4}, none of which violates its subtour cut."""
    formulation = build(random_tsp(8, seed=3))
    assert isinstance(formulation, TspFormulation)
    x = np.zeros(formulation.mip.n_cols)
    for group, cross in (((0, 1, 2, 3), (0.6, 0.2, 0.2, 0.2)), ((4, 5, 6, 7), None)):
        hub, *rest = group
        for node in rest:
            x[formulation.index[hub, node]] = 1.4 / 3
        for i, a in enumerate(rest):
            for b in rest[i + 1:]:
                x[formulation.index[a, b]] = 2 / 3
        if cross is not None:
            for a, value in zip(group, cross, strict=True):
                x[formulation.index[a, a + 4]] = value
    return formulation, x


def test_min_cut_separation_finds_a_cut_the_component_heuristic_misses() -> None:
    formulation, x = _two_groups_point()
    assert np.allclose(formulation.mip.a @ x, 2.0)  # every degree row holds
    for threshold in (1e-6, 0.5):
        count, labels = connected_components(
            coo_matrix((np.ones(int((x > threshold).sum())), (formulation.tails[x > threshold],
                                                               formulation.heads[x > threshold])), shape=(8, 8)),
            directed=False)
        for label in range(count if count > 1 else 0):
            nodes = np.flatnonzero(labels == label)
            assert x[formulation.inside(nodes)].sum() <= len(nodes) - 1 + 1e-9
    support = x > 0
    sets = violated_sets(8, formulation.tails[support], formulation.heads[support], x[support], 1e-6)
    assert any(sorted(s.tolist()) in ([0, 1, 2, 3], [4, 5, 6, 7]) for s in sets)
    cuts = formulation.separate(x)
    assert cuts is not None and ((cuts.a @ x) > cuts.upper + 1e-6).any()


def test_min_cut_separation_finds_nothing_on_a_tour() -> None:
    ring = np.arange(8)
    assert violated_sets(8, ring, np.roll(ring, -1), np.ones(8), 1e-6) == []
    halves = np.array([0, 1, 2, 3, 4, 5, 6, 7]), np.array([1, 2, 3, 0, 5, 6, 7, 4])
    sets = violated_sets(8, *halves, np.ones(8), 1e-6)
    assert [sorted(s.tolist()) for s in sets] in ([[0, 1, 2, 3]], [[4, 5, 6, 7]])


def test_reduced_cost_fixing_on_a_two_column_model() -> None:
    """min x1 + 5 x2  s.t.  x1 + x2 >= 1, binaries; y = 1 proves 1 and prices x2 at 1 + 4 = 5."""
    rows = RowCollector(2)
    rows.add([0, 1], 1.0, 1.0, np.inf)
    mip = make_mip([1.0, 5.0], rows, 0.0, 1.0, True)
    fixing = reduced_cost_fixing(mip, np.array([1.0]), incumbent=1.0)
    assert fixing.bound == pytest.approx(1.0)
    assert fixing.at_lower.tolist() == [1] and fixing.at_upper.tolist() == []
    assert reduced_cost_fixing(mip, np.array([1.0]), incumbent=5.0).at_lower.tolist() == []  # 5 is not above 5
    wrong_sign = reduced_cost_fixing(mip, np.array([-3.0]), incumbent=1.0)  # clamped to 0: a weaker bound
    assert wrong_sign.bound == pytest.approx(0.0) and wrong_sign.at_lower.tolist() == [1]


def test_blossom_cut_on_the_two_triangles_point() -> None:
    """Triangles {0,1,2} and {3,4,5} at 1/2 joined by the matching 0-3, 1-4, 2-5 at 1: every
    degree row and subtour cut holds, the blossom (handle {0,1,2}, three teeth) is violated by 1/2."""
    formulation = build(random_tsp(6, seed=5))
    assert isinstance(formulation, TspFormulation)
    x = np.zeros(formulation.mip.n_cols)
    for a, b in ((0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5)):
        x[formulation.index[a, b]] = 0.5
    for a in range(3):
        x[formulation.index[a, a + 3]] = 1.0
    assert np.allclose(formulation.mip.a @ x, 2.0)
    found = blossoms(6, formulation.tails, formulation.heads, x)
    assert {tuple(b.handle.tolist()) for b in found} == {(0, 1, 2), (3, 4, 5)}
    assert all(b.rhs == 4.0 for b in found)
    cuts = formulation.separate(x)
    assert cuts is not None and (cuts.upper == 4.0).all()
    assert np.allclose(cuts.a @ x, 4.5)
