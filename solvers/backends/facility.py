"""facility: Lagrangian relaxation, Lagrangian heuristic and a reduced MIP for facility location.

Large capacitated instances (OR-Library capa/capb/capc, 100 x 1000) defeat a plain MIP call:
HiGHS's first LP on the full strong formulation takes more than 10 s, and raw HiGHS
(`python -m bench.peers highs`) ends 60 s runs 1.3-24% above the optimum. This backend works in
two phases:

1. `solvers.families.facility.search`: subgradient ascent on the Lagrangian relaxation of the
   demand rows (`facility_bound`: a valid lower bound at every step), whose relaxed open sets are
   completed by an exact transportation solve (`facility_transport`), then a drop/add/swap local
   search pruned by Lagrangian bounds. Incumbents are reported as they come.
2. `solvers.families.facility.reduce`: facilities whose Lagrangian reduced cost proves them closed
   (or open) in every solution better than the incumbent are fixed; the strong formulation of
   what is left (`solvers.families.facility.mip`) is solved by HiGHS through the shared
   `CutLoop` and `HighsSession`, warm-started with the incumbent. Its bound is a bound of the
   whole problem (see `Reduction.valid_bound`), so a finished reduced MIP proves optimality.

Small problems (at most `DIRECT_MIP_PAIRS` facility-customer pairs) go straight to the full MIP:
HiGHS proves OR-Library's 50 x 50 instances optimal in 0.05-0.8 s, about what importing numba and
loading the compiled transportation kernel costs. Single sourcing and uncapacitated facilities
take the same paths (the relaxation stays valid; single-source sets are completed by a regret
greedy, the reduced MIP then has integral assignments).

Measured (`python -m bench.facility`, 60 s, one thread, 2 shared cores): every capa/capb/capc
instance reaches its optimum, 9 of 12 proven in 1-47 s, the other 3 stop with a reported gap of
0.26-0.39%; cap41-cap134 are all proven optimal, median 0.31 s including the child process.
"""

import math
import time
from dataclasses import replace

import highspy  # noqa: F401  # the reduced MIP's solver: importing it here fails fast when it is missing
import numpy as np

from models import FacilityLocationProblem, FacilitySolution, Status, Termination
from models.problem import Problem, is_multi_objective
from solvers.contract import Incumbent, RawResult, SolveContext
from solvers.families.facility.bound import LagrangeSolution
from solvers.families.facility.data import BoolArray, FacilityData, shares_of
from solvers.families.facility.mip import FacilityFormulation
from solvers.families.facility.reduce import Reduction, allowed_pairs, pair_kernel, reduce, restricted_problem
from solvers.gap import gap_within
from solvers.mip.cut_loop import CutLoop
from solvers.mip.highs_session import HighsSession

NAME = "facility"
DIRECT_MIP_PAIRS = 5_000
"""Up to this many facility x customer pairs the full MIP is solved directly."""
SINGLE_DIRECT_PAIRS = 500
"""The same for single sourcing: the knapsack relaxation (`families.facility.single`) is within
0.1-0.2% of the optimum on 25 x 100 and fixes most facilities, which a direct MIP lacks."""
SEARCH_SHARE = 0.7
"""Largest share of the time limit for the Lagrangian phase (on 100 x 1000 it converges in 1-6 s)."""
MIP_PAIRS_PER_SECOND = 10_000
"""The reduced MIP runs only when it has at most this many facility x customer pairs per second
left: measured, HiGHS proves 100 x 1000 instances reduced to 15 facilities in 3-5 s and to 39
in 30-45 s; a larger MIP in less time would not even finish its root LP."""
SINGLE_MIP_PAIRS_PER_SECOND = 1_000
"""The same with binary shares (single sourcing); larger problems get a kernel MIP instead
(`reduce.pair_kernel`): 25 x 100 reduced to 16 facilities takes HiGHS several seconds."""
KERNEL_STEPS = ((5, 2.0), (8, 2.5), (12, 3.0), (20, 4.0))
"""(cheapest pairs per customer, facilities per open one) of the successive kernel MIPs."""
KERNEL_HEURISTIC_EFFORT = 0.3
"""HiGHS's mip_heuristic_effort (default 0.05) on kernel MIPs (they exist to find solutions)."""
KERNEL_SHARE = 0.9
"""Most of the time left one kernel MIP may take (measured on 50 x 200: a first kernel given most
of the time finds solutions within 0.15% of the optimum that 40% of it did not)."""
RESERVE_SHARE = 0.08
"""Share of the time limit kept back from HiGHS (its limit is soft) for answering."""
MIN_MIP_SECONDS = 0.2
"""Relative gap reported as proven optimal (the service's own tolerance)."""
OPTIONS_TO_PARAMETERS = {
    "time_limit": "shared by the Lagrangian phase (at most SEARCH_SHARE) and the reduced MIP",
    "relative_gap": "stops the Lagrangian phase, and HiGHS's mip_rel_gap on the reduced MIP",
    "iteration_limit": "subgradient iterations of the Lagrangian phase",
    "threads": "HiGHS threads (reduced MIP)",
    "seed": "HiGHS random_seed (the Lagrangian phase is deterministic)",
    "warm_start": "its open set is assigned and kept if better; the incumbent warm-starts the MIP",
}


class Best:
    """The best solution and the best valid bound of the whole solve, reported as they improve."""

    def __init__(self, context: SolveContext) -> None:
        self.context = context
        self.objective = math.inf
        self.solution: FacilitySolution | None = None
        self.bound = -math.inf
        self.source = "lagrangian"

    def raise_bound(self, bound: float | None, source: str) -> None:
        if bound is not None and math.isfinite(bound) and bound > self.bound:
            self.bound, self.source = bound, source

    def offer(self, objective: float, solution: FacilitySolution | None) -> None:
        if solution is None or objective >= self.objective:
            return
        self.objective, self.solution = objective, solution
        shown = self.bound if math.isfinite(self.bound) else None
        self.context.progress(Incumbent(objective=objective, bound=shown, solution=solution,
                                        bound_source=self.source if shown is not None else None))

    def gap(self) -> float:
        if not math.isfinite(self.objective) or not math.isfinite(self.bound):
            return math.inf
        return (self.objective - self.bound) / max(abs(self.objective), 1e-9)


def solve(problem: Problem, context: SolveContext) -> RawResult:
    """The backend entry point (see `solvers.contract.SolveFunction`)."""
    if not isinstance(problem, FacilityLocationProblem) or is_multi_objective(problem):
        return RawResult(status=Status.error, termination=Termination.error,
                         native_status="unsupported: facility solves single-objective facility_location only")
    began = time.monotonic()
    data = FacilityData.from_problem(problem)
    if not data.feasible_capacity(np.ones(data.m, dtype=bool)):
        return RawResult(status=Status.infeasible, termination=Termination.completed,
                         native_status="the total capacity is below the total demand")
    if data.single_source and data.demand.max() > data.capacity.max() * (1 + 1e-12):
        j = int(np.argmax(data.demand))
        return RawResult(status=Status.infeasible, termination=Termination.completed,
                         native_status=f"single source: customer {problem.customers[j].id} demands "
                                       f"{data.demand[j]:g}, more than any facility holds ({data.capacity.max():g})")
    if data.m * data.n <= (SINGLE_DIRECT_PAIRS if data.single_source else DIRECT_MIP_PAIRS):
        return _direct(problem, context, began)
    return _lagrangian(problem, data, context, began)


def _direct(problem: FacilityLocationProblem, context: SolveContext, began: float) -> RawResult:
    formulation = FacilityFormulation(problem)
    loop = CutLoop(formulation, context, "highs")
    session = HighsSession(formulation, context, loop)
    raw = loop.run(session, build_time=time.monotonic() - began)
    raw.native_status = f"direct MIP: {raw.native_status}"
    return raw


def _lagrangian(problem: FacilityLocationProblem, data: FacilityData, context: SolveContext,
                began: float) -> RawResult:
    from solvers.families.facility.search import LagrangeSearch, SearchLimits, improve

    best = Best(context)

    def improved(cost: float, solution: FacilitySolution) -> None:
        best.raise_bound(search.bound, "lagrangian")  # reported with the incumbent
        best.offer(cost, solution)

    search = LagrangeSearch(problem, data, on_improve=improved)
    options = context.options
    warm = options.warm_start if isinstance(options.warm_start, FacilitySolution) else None
    build_time = time.monotonic() - began
    search.warm(warm)
    limits = SearchLimits(deadline=context.started + SEARCH_SHARE * options.time_limit,
                          iterations=options.iteration_limit or SearchLimits(0.0).iterations,
                          relative_gap=options.relative_gap)
    improve(search, limits)
    best.raise_bound(search.bound, "lagrangian")
    note = f"Lagrangian phase: {search.iterations} iterations, {search.assigned} open sets assigned"
    if gap_within(best.gap(), options.relative_gap) or search.best_point is None:
        return _result(best, context, note, build_time, completed=search.best_point is not None)
    fixing_began = time.monotonic()
    reduction = reduce(data, search.best_point, search.best_cost)
    fixing_seconds = time.monotonic() - fixing_began
    if not data.single_source and not _mip_fits(reduction, problem, context) \
            and time.monotonic() >= limits.deadline:
        # the MIP would be skipped anyway: the time it would have had goes to the search instead
        improve(search, replace(limits, deadline=context.started + (1 - RESERVE_SHARE) * options.time_limit))
        best.raise_bound(search.bound, "lagrangian")
        note = f"Lagrangian phase: {search.iterations} iterations, {search.assigned} open sets assigned"
        if gap_within(best.gap(), options.relative_gap) or search.best_point is None:
            return _result(best, context, note, build_time, completed=search.best_point is not None)
        reduction = reduce(data, search.best_point, search.best_cost)
    if data.single_source:
        completed, what = _single_mip(problem, data, reduction, search.best_point, best, context, fixing_seconds)
        return _result(best, context, f"{note}; {what}", build_time, completed)
    completed, what = _reduced_mip(problem, reduction, best, context)
    note += (f"; reduced MIP over {int(reduction.keep.sum())} of {data.m} facilities "
             f"({reduction.n_open} fixed open): {what}")
    return _result(best, context, note, build_time, completed)


def _single_mip(problem: FacilityLocationProblem, data: FacilityData, reduction: Reduction,
                point: LagrangeSolution, best: Best, context: SolveContext, fixing_seconds: float) -> tuple[bool, str]:
    """Single sourcing: pairs fixed by their Lagrangian bounds (`reduce.allowed_pairs`). First
    kernel MIPs around the incumbent (`reduce.pair_kernel`, growing while solved, each at most
    `KERNEL_SHARE` of the time left, only while a kernel is less than half the pairs left): they
    find good solutions fast. Then HiGHS on all the pairs left for the rest of the time: its bound
    holds for the whole problem, so it can prove optimality.

    Pair fixing costs about what the facility fixing before it cost (`fixing_seconds`: 0.40 and 0.41 s
    on 100 x 1,000): without that much time left besides the MIP's minimum it is skipped (at a 2 s
    limit the run spent both after its search and answered at 2.2 s with no MIP run)."""
    if _mip_budget(context) < MIN_MIP_SECONDS + fixing_seconds:
        return False, f"no time left for a MIP (pair fixing takes about {fixing_seconds:.2f} s)"
    allowed = allowed_pairs(data, point, reduction)
    notes: list[str] = []
    for step in KERNEL_STEPS:
        if best.solution is None or _mip_budget(context) < MIN_MIP_SECONDS:
            break
        shares = shares_of(problem, best.solution)
        pairs = pair_kernel(data, reduction, point, shares, *step) & (allowed | (shares > 0))
        if pairs.sum() > 0.5 * allowed.sum():
            break
        kernel = replace(reduction, keep=np.asarray(pairs.any(axis=1), dtype=np.bool_))
        solved, detail = _reduced_mip(problem, kernel, best, context, pairs,
                                      seconds=KERNEL_SHARE * _mip_budget(context))
        notes.append(f"kernel MIP over {int(pairs.sum())} pairs: {detail}")
        if not solved:
            break
    if _mip_budget(context) < MIN_MIP_SECONDS:
        return False, "; ".join(notes) or "no time left for a MIP"
    rows = replace(reduction, keep=reduction.keep & (allowed.any(axis=1) | reduction.forced_open))
    completed, detail = _reduced_mip(problem, rows, best, context, allowed, exact=True)
    notes.append(f"reduced MIP over the {int(allowed.sum())} of {data.m * data.n} pairs left by "
                 f"Lagrangian pair fixing ({int(rows.keep.sum())} facilities): {detail}")
    return completed, "; ".join(notes)


def _mip_budget(context: SolveContext) -> float:
    return context.remaining() - RESERVE_SHARE * context.options.time_limit


def _mip_fits(reduction: Reduction, problem: FacilityLocationProblem, context: SolveContext) -> bool:
    """Whether HiGHS can be expected to finish the reduced MIP in the time left (see MIP_PAIRS_PER_SECOND)."""
    budget = _mip_budget(context)
    rate = SINGLE_MIP_PAIRS_PER_SECOND if problem.single_source else MIP_PAIRS_PER_SECOND
    return budget >= MIN_MIP_SECONDS and reduction.keep.sum() * len(problem.customers) <= rate * budget


def _reduced_mip(problem: FacilityLocationProblem, reduction: Reduction, best: Best, context: SolveContext,
                 pairs: BoolArray | None = None, exact: bool = False,
                 seconds: float | None = None) -> tuple[bool, str]:
    """Solves the restricted problem with HiGHS; (True when HiGHS proved its optimum, what happened).
    With `pairs` only those pairs may serve: when they are a heuristic kernel (`reduce.pair_kernel`)
    its solutions count, its bounds do not; when `exact` (valid fixings) both do. `seconds` caps
    HiGHS's time (default: all that is left)."""
    budget = _mip_budget(context) if seconds is None else min(seconds, _mip_budget(context))
    if pairs is None and not _mip_fits(reduction, problem, context):
        return False, f"skipped, too large for the {max(budget, 0.0):.1f} s left"
    bounds_hold = pairs is None or exact

    def progress(incumbent: Incumbent) -> None:
        if bounds_hold and incumbent.bound is not None:
            best.raise_bound(reduction.valid_bound(incumbent.bound), "reduced_mip")
        if incumbent.objective is not None and isinstance(incumbent.solution, FacilitySolution):
            best.offer(incumbent.objective, incumbent.solution)

    inner = SolveContext(options=context.options.model_copy(update={"time_limit": budget,
                                                                    "warm_start": best.solution}),
                         progress=progress)
    formulation = FacilityFormulation(restricted_problem(problem, reduction.keep))
    loop = CutLoop(formulation, inner, "highs")
    session = HighsSession(formulation, inner, loop)
    fixed = np.flatnonzero(reduction.forced_open[reduction.keep]).astype(np.int32)
    if len(fixed):
        session.highs.changeColsBounds(len(fixed), fixed, np.ones(len(fixed)), np.ones(len(fixed)))
    if pairs is not None:
        banned = formulation.xcol[~pairs[reduction.keep]].astype(np.int32)
        session.highs.changeColsBounds(len(banned), banned, np.zeros(len(banned)), np.zeros(len(banned)))
        if not exact:
            session.highs.setOptionValue("mip_heuristic_effort", KERNEL_HEURISTIC_EFFORT)
    raw = loop.run(session)
    if bounds_hold and raw.status is not Status.infeasible and raw.bound is not None:
        best.raise_bound(reduction.valid_bound(raw.bound), "reduced_mip")
    if raw.objective is not None and isinstance(raw.solution, FacilitySolution):
        best.offer(raw.objective, raw.solution)
    return raw.termination is Termination.completed and raw.status is Status.optimal, raw.native_status


def _result(best: Best, context: SolveContext, note: str, build_time: float, completed: bool) -> RawResult:
    proven = gap_within(best.gap())
    within_target = gap_within(best.gap(), context.options.relative_gap)
    bound = best.bound if math.isfinite(best.bound) else None
    status = Status.no_solution if best.solution is None else (Status.optimal if proven else Status.feasible)
    return RawResult(
        status=status,
        termination=Termination.completed if completed or within_target else Termination.time_limit,
        solution=best.solution,
        objective=best.objective if best.solution is not None else None,
        bound=bound,
        bound_source=best.source if bound is not None else None,
        native_status=note,
        build_time=build_time,
        solve_time=context.elapsed() - build_time,
    )


def warm_up() -> None:
    """Loads the compiled transportation and single-source kernels (a solve process started ahead
    of requests calls it)."""
    from solvers.families.facility import transport

    transport.warm_up()
