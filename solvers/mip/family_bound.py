"""The family's certified lower bound, found in a thread while a MIP backend builds and solves.

Why: a MIP run cut short by its time limit has only its own bound, and often none. At 2 s (one run
each, `python -m bench.time_limits --size medium`) CBC and Pyomo answered 300 random cities with no bound,
Pyomo answered 50 x 200 facility location (split and single-source) with none, and HiGHS, CBC and
Pyomo bounded a 20 x 15 job shop by their LP at 1136 where the machine and job bound is 1244. Large
instances get the same bounds with the quick solution reported before building
(`solvers.mip.early_start`); smaller ones get them here, beside the solve rather than before it, so a
model that proves its optimum within the limit is not held back (the 1-tree and Lagrangian kernels
release the GIL, and CBC runs as a separate program).

The bound is reported as an incumbent without a solution; the solve process's sender merges it with
the latest solution (`solvers.runtime.worker.IncumbentSender`), and the answer keeps the tightest
bound reported (`solvers.runtime.best_bound`). A bound found after the answer is dropped.
"""

import contextlib
import threading
from collections.abc import Callable

from models import FacilityLocationProblem, SchedulingProblem, TspProblem
from models.problem import Problem, is_multi_objective
from solvers.contract import Incumbent, ProgressSink
from solvers.families.facility.certified import facility_lower_bound
from solvers.families.scheduling.certified import scheduling_lower_bound
from solvers.families.scheduling.data import flatten
from solvers.families.tsp.certified import problem_lower_bound
from solvers.families.tsp.distance import distance_matrix
from solvers.mip.lp_bound import CertifiedBound

Bound = Callable[[float], CertifiedBound]
"""A family's certified bound of one problem, given the seconds it may take."""


def start_family_bound(problem: Problem, seconds: float, progress: ProgressSink) -> threading.Thread | None:
    """Starts the thread that reports `problem`'s certified bound, found in about `seconds`; None
    when the family has no such bound (knapsack: the MIP's own LP bound is Dantzig's; several
    objectives: no single bound)."""
    bound = None if is_multi_objective(problem) else _family_bound(problem)
    if bound is None:
        return None
    thread = threading.Thread(target=_report, args=(bound, seconds, progress), name="optserve-family-bound",
                              daemon=True)
    thread.start()
    return thread


def _family_bound(problem: Problem) -> Bound | None:
    if isinstance(problem, TspProblem):
        return lambda seconds: _tsp_bound(problem, seconds)
    if isinstance(problem, FacilityLocationProblem):
        return lambda seconds: _facility_bound(problem, seconds)
    if isinstance(problem, SchedulingProblem):
        return lambda _seconds: _scheduling_bound(problem)
    return None


def _report(bound: Bound, seconds: float, progress: ProgressSink) -> None:
    """A failure costs only the better gap: the solve goes on with its own bound."""
    with contextlib.suppress(Exception):
        found = bound(seconds)
        progress(Incumbent(bound=found.value, bound_source=found.source))


def _tsp_bound(problem: TspProblem, seconds: float) -> CertifiedBound:
    """On the candidate graph whatever the size: beside a backend's own Python (Pyomo building its
    model) the dense 1-tree, numpy step by numpy step, waits for the interpreter at every step and
    got 11,551 on 300 random cities in 0.5 s, the compiled sparse one 12,885 (12,916 and 12,920
    alone; 50 and 120 cities alike: 5,564 / 5,664 and 7,667 / 8,293)."""
    return problem_lower_bound(problem, distance_matrix(problem), None, seconds, sparse_from=0)


def _facility_bound(problem: FacilityLocationProblem, seconds: float) -> CertifiedBound:
    """The Lagrangian alone: the backend solves the LP relaxation itself, and beside Pyomo's model
    build the LP took half the budget without finishing and left the Lagrangian too little to pass
    the cheapest assignment (50 x 200: 18,987; the Lagrangian alone 21,986 there, 22,792 alone)."""
    return facility_lower_bound(problem, seconds, lp=False)[0]


def _scheduling_bound(problem: SchedulingProblem) -> CertifiedBound:
    return scheduling_lower_bound(flatten(problem))
