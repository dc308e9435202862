"""A family's quick solution, reported by a MIP backend before it builds its model.

Why: `Formulation.quick_start` is reported first by the cut loop, but only once the model exists;
on large instances building outlasts short limits (a 300 x 20 job shop at 5 s, 2,000 cities at 2 s,
Pyomo's 100 x 1,000 facility model at 2 s), and a run cut short while building answered
`no_solution`. Each family decides from what size its quick solution is worth computing ahead
(`EARLY_FROM` in its `early_start` module); the runner answers a run still building at the limit
with the last incumbent reported (`solvers.runtime.runner.RunLimits.answer_margin`). Each quick
solution carries the family's certified lower bound, computed in at most BOUND_SHARE of the time left
(and BOUND_SECONDS), so that such an answer still has a gap and says where its bound comes from.
Smaller instances get the same bound, in the same time, from a thread beside the solve; an answer
that is not proven waits for it (`wait_for_bound`).
"""

import threading

from models import FacilityLocationProblem, SchedulingProblem, Status, TspProblem
from models.problem import Problem
from solvers.contract import ProgressSink, RawResult, SolveContext
from solvers.families.facility.early_start import report_first_fit_plan
from solvers.families.scheduling.early_start import constructive_incumbent
from solvers.families.tsp.early_start import report_nearest_neighbour_tour
from solvers.mip.family_bound import start_family_bound

BOUND_SHARE = 0.1
"""Share of the time left that the quick solution's lower bound may take."""
BOUND_SECONDS = 0.5
"""Most seconds the quick solution's lower bound may take."""
BESIDE_SHARE = 0.25
"""Share of the time left that the bound found beside the solve may take (also at most BOUND_SECONDS).
More than BOUND_SHARE because it holds nothing back, and because it shares the interpreter with the
backend's own Python (CBC writing its model file, Pyomo building its model): 300 random cities at
2 s got the plain 1-tree (11,551) from CBC and Pyomo with 0.2 s, where the same 0.2 s alone reach 12,910."""


SETTLED = (Status.optimal, Status.infeasible, Status.unbounded, Status.error)
"""Answers the family bound can add nothing to (an error is reported at once)."""
WAIT_MARGIN = 0.05
"""Seconds before the time limit at which an answer stops waiting for the bound beside the solve."""


def report_quick_solution(problem: Problem, context: SolveContext) -> threading.Thread | None:
    """Reports the family's quick solution of a large instance as the first incumbent, with its bound;
    for any other instance, starts the search for the bound alone beside the solve (`family_bound`) and
    returns its thread (None when there is none), for `wait_for_bound`."""
    bound_seconds = min(BOUND_SECONDS, BOUND_SHARE * context.remaining())
    if _reported_ahead(problem, bound_seconds, context.progress):
        return None
    return start_family_bound(problem, min(BOUND_SECONDS, BESIDE_SHARE * context.remaining()), context.progress)


def wait_for_bound(bound: threading.Thread | None, raw: RawResult, context: SolveContext) -> RawResult:
    """Returns `raw` once the bound beside the solve has reported, unless `raw` is settled or the time
    limit (less WAIT_MARGIN) comes first. Why: a bound reported after the answer is dropped, and a MIP
    backend can answer before its bound's budget (at most BOUND_SECONDS) is spent: CBC on 300 random
    cities at 2 s decides at 0.34 s that no solve fits after writing its model, and answered its start
    tour with no bound at all."""
    if bound is not None and raw.status not in SETTLED:
        bound.join(timeout=max(0.0, context.remaining() - WAIT_MARGIN))
    return raw


def _reported_ahead(problem: Problem, bound_seconds: float, progress: ProgressSink) -> bool:
    """True when the family reported a quick solution with its bound (large instances; a TSP's tour is
    reported at every size, its bound only from `tsp.early_start.EARLY_FROM` cities)."""
    if isinstance(problem, SchedulingProblem):
        found = constructive_incumbent(problem)  # its bound takes 0.02 s: reported together
        if found is not None:
            progress(found)
        return found is not None
    if isinstance(problem, TspProblem):
        return report_nearest_neighbour_tour(problem, bound_seconds, progress)
    if isinstance(problem, FacilityLocationProblem):
        return report_first_fit_plan(problem, bound_seconds, progress)
    return False


def warm_up() -> None:
    """Loads the compiled kernels of the quick solutions and their bounds (the priority-rule pass, the
    facility Lagrangian and assignment kernels, the sparse 1-tree bound, the TSP start tour's local
    search): a MIP backend's process started ahead of requests calls it (its `warm_up`), so that a
    first large solve does not load them inside its limit (0.25 s for the facility kernels, more than
    the facility bound's whole budget at a 1 s limit; 0.6 s for the sparse bound)."""
    from solvers.families.facility import transport
    from solvers.families.scheduling import heuristic
    from solvers.families.tsp import certified, start

    transport.warm_up()
    heuristic.warm_up()
    certified.warm_up()
    start.warm_up()
