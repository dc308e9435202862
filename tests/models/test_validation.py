"""Semantic validation lists every problem with its JSON path."""

from models import SolveRequest, semantic_issues


def issues_of(body: dict) -> dict[tuple, str]:  # type: ignore[type-arg]
    return {issue.loc: issue.msg for issue in semantic_issues(SolveRequest.model_validate(body))}


def test_knapsack_duplicates_and_dimension_mismatch_are_all_reported() -> None:
    found = issues_of({"problem": {"kind": "knapsack", "capacity": [5, 5], "items": [
        {"id": "a", "weight": [1, 1], "value": 1},
        {"id": "a", "weight": [1], "value": 1},
        {"id": "b", "weight": 3, "value": 1},
    ]}})
    assert set(found) == {("problem", "items", 1, "id"), ("problem", "items", 1, "weight"),
                          ("problem", "items", 2, "weight")}


def test_tsp_needs_one_distance_source_and_a_square_matrix() -> None:
    assert ("problem",) in issues_of({"problem": {"kind": "tsp"}})
    found = issues_of({"problem": {"kind": "tsp", "distances": [[0, 1], [1]], "metric": "euc_2d"}})
    assert ("problem", "metric") in found and ("problem", "distances", 1) in found
    found = issues_of({"problem": {"kind": "tsp", "coordinates": [[0, 0], [1, 2, 3]]}})
    assert ("problem", "coordinates", 1) in found


def test_facility_matrix_shape_and_ids() -> None:
    found = issues_of({"problem": {"kind": "facility_location",
                                   "facilities": [{"id": 1, "fixed_cost": 1}, {"id": 1, "fixed_cost": 2}],
                                   "customers": [{"id": "x", "demand": 1}],
                                   "costs": [[1, 2], [-1]]}})
    assert ("problem", "facilities", 1, "id") in found
    assert ("problem", "costs", 0) in found
    assert ("problem", "costs", 1, 0) in found


def test_scheduling_references_must_resolve() -> None:
    found = issues_of({"problem": {"kind": "scheduling", "machines": ["M1"], "jobs": [
        {"id": "j", "operations": [{"machine": "M9", "duration": 1}, {"duration": 2},
                                   {"alternatives": [{"machine": "M1", "duration": 1},
                                                     {"machine": "M7", "duration": 1}]}]},
    ], "setup_times": [[0, 1]]}})
    assert ("problem", "jobs", 0, "operations", 0, "machine") in found
    assert ("problem", "jobs", 0, "operations", 1) in found
    assert ("problem", "jobs", 0, "operations", 2, "alternatives", 1, "machine") in found
    assert ("problem", "setup_times", 0) in found


def test_warm_start_of_the_wrong_family_is_reported() -> None:
    found = issues_of({"problem": {"kind": "knapsack", "capacity": 1, "items": [{"id": 1, "weight": 1, "value": 1}]},
                       "options": {"warm_start": {"tour": [0]}}})
    assert ("options", "warm_start") in found
