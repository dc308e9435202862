"""The tightest bound of a run survives into its answer, whichever way the bound points."""

from models import KnapsackSolution, Status, Termination
from solvers.contract import Incumbent, RawResult
from solvers.runtime.best_bound import BestBound

SOLUTION = KnapsackSolution(selected=[])


def raw(bound: float | None, status: Status = Status.feasible) -> RawResult:
    return RawResult(status=status, termination=Termination.time_limit, solution=SOLUTION, objective=10.0,
                     bound=bound, bound_source="backend" if bound is not None else None)


def kept(maximise: bool, *bounds: tuple[float | None, str | None]) -> BestBound:
    best = BestBound(maximise=maximise, backend="highs")
    for value, source in bounds:
        best.offer(Incumbent(objective=10.0, bound=value, bound_source=source, solution=SOLUTION))
    return best


def test_a_minimisation_keeps_the_largest_bound_and_its_source() -> None:
    best = kept(False, (7.0, "held_karp_1tree"), (5.0, None), (None, None))
    assert (best.value, best.source) == (7.0, "held_karp_1tree")
    assert kept(False, (5.0, "held_karp_1tree"), (7.0, None)).source == "highs"


def test_a_maximisation_keeps_the_smallest_bound() -> None:
    assert kept(True, (15.0, "lp"), (12.0, None), (14.0, "x")).value == 12.0


def test_a_result_without_a_bound_or_with_a_weaker_one_gets_the_kept_bound() -> None:
    best = kept(False, (7.0, "lagrangian"))
    for answer in (raw(None), raw(6.0)):
        completed = best.complete(answer)
        assert (completed.bound, completed.bound_source) == (7.0, "lagrangian")


def test_a_tighter_result_bound_and_a_proven_optimum_are_left_alone() -> None:
    best = kept(False, (7.0, "lagrangian"))
    assert best.complete(raw(8.0)).bound_source == "backend"
    assert best.complete(raw(None, Status.optimal)).bound is None
    assert kept(False).complete(raw(None)).bound is None
