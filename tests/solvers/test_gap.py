"""The one gap formula: properties that must hold for any objective and bound."""

import math

from hypothesis import given
from hypothesis import strategies as st

from solvers.gap import relative_gap
from solvers.objective import tighten_bound

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)


@given(finite, finite)
def test_gap_is_non_negative_and_zero_only_when_equal(objective: float, bound: float) -> None:
    gap = relative_gap(objective, bound)
    assert gap is not None and gap >= 0
    assert (gap == 0) == (objective == bound)


@given(finite)
def test_gap_is_null_without_a_bound(objective: float) -> None:
    assert relative_gap(objective, None) is None
    assert relative_gap(None, objective) is None


def test_gap_formula_matches_the_contract() -> None:
    assert relative_gap(100.0, 90.0) == 0.1
    assert relative_gap(-50.0, -55.0) == 0.1
    assert relative_gap(0.0, 1e-12) == 1e-12 / 1e-9


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.booleans())
def test_tightened_bound_stays_valid_for_integer_objectives(bound: float, maximise: bool) -> None:
    tightened = tighten_bound(bound, maximise, integral=True)
    assert tightened == math.floor(tightened)
    # An integer optimum on the right side of the raw bound stays on the right side of the tight one.
    optimum = math.floor(bound) if maximise else math.ceil(bound)
    assert (tightened >= optimum) if maximise else (tightened <= optimum)
