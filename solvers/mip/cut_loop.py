"""The solve loop every MIP backend shares: start, solve, separate, re-solve, report honestly.

A backend supplies a `MipSession` (its solver holding the model) and translates its native
statuses into `MipState`; everything else (lazy-cut rounds under one deadline, keeping the best
decoded solution, reporting incumbents, the final status) is decided here, once.

Formulations with lazy rows (the TSP) get LP cut rounds first (while the start solution is
computed in a thread: the TSP's local search runs in numba kernels that release the GIL), then,
when the session can give row duals and fix columns, reduced-cost fixing against the incumbent
(`rc_fixing`), which shrinks a 200-city TSP from 19,900 edge columns to one or two thousand.
LP rounds are not repeated after MIP rounds: measured on kroA200 and pr76 they found no new cut
(and HiGHS then stopped its LP at once with "time limit reached").
"""

import math
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from enum import Enum
from typing import Protocol, cast

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from models import Status, Termination
from solvers.contract import Incumbent, RawResult, SolveContext
from solvers.mip.array_mip import FloatArray, RowBlock
from solvers.mip.formulation import Decoded, Formulation
from solvers.mip.rc_fixing import reduced_cost_fixing

MIN_SOLVE_SECONDS = 0.05
"""Below this much time left, another solve round is not started."""
LP_SHARE = 0.5
"""At most this share of the remaining time goes to LP cut rounds (formulations with lazy rows)."""
MAX_LP_ROUNDS = 200


class MipState(str, Enum):
    """A solver's answer, in the loop's words (each backend maps its native codes to these)."""

    optimal = "optimal"
    infeasible = "infeasible"
    unbounded = "unbounded"
    infeasible_or_unbounded = "infeasible_or_unbounded"
    time_limit = "time_limit"
    other_limit = "other_limit"
    error = "error"


@dataclass
class MipOutcome:
    """One solver call: state, best vector (if any), proven bound (if any), native status text."""

    state: MipState
    x: FloatArray | None
    bound: float | None
    native_status: str
    log: str = ""


class MipSession(Protocol):
    """A solver loaded with a formulation's model."""

    def solve(self, time_limit: float, start: FloatArray | None) -> MipOutcome: ...

    def relax(self, time_limit: float) -> MipOutcome:
        """The LP relaxation: `optimal` with its x and objective (a valid bound), or another state."""
        ...

    def add_rows(self, rows: RowBlock) -> None: ...


class FixingSession(MipSession, Protocol):
    """A session that can also fix columns from the duals of its last LP (optional)."""

    def row_duals(self) -> FloatArray | None:
        """Row multipliers of the last LP relaxation solved, if the solver has them."""
        ...

    def fix_columns(self, at_lower: NDArray[np.int64]) -> None:
        """Fixes these columns at their lower bound for the rest of the solve."""
        ...


class CutLoop:
    """Runs a session to the end of the problem or of the time limit; see the module docstring."""

    def __init__(self, formulation: Formulation, context: SolveContext, source: str) -> None:
        self.formulation = formulation
        self.context = context
        self.source = source
        self.best: Decoded | None = None
        self.bound: float | None = None
        self.solve_time = 0.0
        self.rounds = 0
        self.added: list[RowBlock] = []
        self.pending: list[RowBlock] = []
        """Cuts separated from the solver's intermediate solutions, added after its round."""
        self.fixed = 0
        self.col_lower = formulation.mip.col_lower.copy()
        self.col_upper = formulation.mip.col_upper.copy()
        """Column bounds after reduced-cost fixing (the fixed model still holds every optimum)."""

    def offer(self, x: FloatArray, bound: float | None = None) -> None:
        """A MIP-feasible vector from the solver (final or incumbent): decode, keep if better, report.

        With lazy rows its violated rows are kept too: each intermediate solution that breaks
        them (a TSP solution with subtours) yields cuts, so a round adds more than the last
        solution's and fewer rounds are needed."""
        self._consider(self.formulation.decode(x), bound)
        self.collect(x)

    def collect(self, x: FloatArray) -> None:
        """Any solution the solver finds (improving or not): keeps the lazy rows it violates.
        Measured with HiGHS (cbMipSolution, 20-80 solutions a round): pr76 and kroA200 needed 3
        MIP rounds instead of 4, and were proven in 10 and 17 s instead of 15-28 s."""
        if self.formulation.lazy_rows:
            cuts = self.formulation.separate(x)
            if cuts is not None:
                self.pending.append(cuts)

    def _consider(self, decoded: Decoded | None, bound: float | None = None) -> None:
        if decoded is None or not self.formulation.better(decoded, self.best):
            return
        self.best = decoded
        shown = self._tightest(bound) if self.formulation.exact else None
        self.context.progress(Incumbent(objective=decoded.objective, bound=shown, solution=decoded.solution))

    def _tightest(self, bound: float | None) -> float | None:
        if bound is None or not math.isfinite(bound):
            return self.bound
        if self.bound is None:
            return bound
        return min(self.bound, bound) if self.formulation.mip.maximise else max(self.bound, bound)

    def run(self, session: MipSession, build_time: float = 0.0) -> RawResult:
        self._consider(self.formulation.quick_start())
        with ThreadPoolExecutor(1) as pool:  # the start solution (a TSP local search) meanwhile
            start = pool.submit(self.formulation.start, self.context.options.warm_start)
            if self.formulation.lazy_rows:
                self._lp_rounds(session, start)
            self._consider(start.result())
        if self.formulation.lazy_rows:
            self._fix(session)
        outcome: MipOutcome | None = None
        while True:
            remaining = self.context.remaining()
            if remaining < MIN_SOLVE_SECONDS:
                if outcome is not None:  # the last round's solution still violated lazy rows
                    outcome = MipOutcome(MipState.time_limit, None, None, "time limit between cut rounds",
                                         outcome.log)
                break
            outcome = self._round(session, remaining)
            if outcome.state is not MipState.optimal or outcome.x is None:
                break
            cuts = self.formulation.separate(outcome.x)
            if cuts is None:
                break
            self._add(session, unique_rows([cuts, *self.pending]))
        return self._result(outcome, build_time)

    def _add(self, session: MipSession, cuts: RowBlock) -> None:
        session.add_rows(cuts)
        self.added.append(cuts)

    def _lp_rounds(self, session: MipSession, start: "Future[Decoded | None]") -> None:
        """Cuts from LP points first: cheap rounds that spare most of the MIP rounds. The start
        solution is reported as soon as it is ready, not after the rounds (a short deadline may
        come first)."""
        deadline = time.monotonic() + LP_SHARE * self.context.remaining()
        for _ in range(MAX_LP_ROUNDS):
            if start.done() and start.exception() is None:
                self._consider(start.result())
            left = deadline - time.monotonic()
            if left < MIN_SOLVE_SECONDS:
                return
            began = time.monotonic()
            outcome = session.relax(left)
            self.solve_time += time.monotonic() - began
            if outcome.state is not MipState.optimal or outcome.x is None:
                return
            self.bound = self._tightest(outcome.bound)
            cuts = self.formulation.separate(outcome.x)
            if cuts is None:
                return
            self._add(session, cuts)

    def _fix(self, session: MipSession) -> None:
        """Reduced-cost fixing after the LP rounds (minimisation, with an incumbent, when the
        session supports it); its Lagrangian bound is a valid bound too."""
        mip = self.formulation.mip
        if mip.maximise or self.best is None or not hasattr(session, "fix_columns"):
            return
        fixer = cast(FixingSession, session)
        y = fixer.row_duals()
        mip = replace(mip, col_lower=self.col_lower, col_upper=self.col_upper)
        if self.added:
            mip = mip.with_rows(RowBlock(sp.vstack([b.a for b in self.added], format="csr"),
                                         np.concatenate([b.lower for b in self.added]),
                                         np.concatenate([b.upper for b in self.added])))
        if y is None or len(y) > mip.n_rows:
            return
        y = np.concatenate([y, np.zeros(mip.n_rows - len(y))])  # rows added since: multiplier 0
        fixing = reduced_cost_fixing(mip, y, self.best.objective)
        self.bound = self._tightest(fixing.bound)
        if len(fixing.at_lower):  # fixing at upper bounds is not applied: see HighsSession.fix_columns
            self.col_upper[fixing.at_lower] = self.col_lower[fixing.at_lower]
            fixer.fix_columns(fixing.at_lower)
            self.fixed += len(fixing.at_lower)

    def _round(self, session: MipSession, remaining: float) -> MipOutcome:
        self.pending = []
        start = None if self.best is None else self.formulation.encode(self.best.solution)
        began = time.monotonic()
        outcome = session.solve(remaining, start)
        self.solve_time += time.monotonic() - began
        self.rounds += 1
        self.bound = self._tightest(outcome.bound)
        if outcome.x is not None:
            self.offer(outcome.x)
        return outcome

    def _result(self, outcome: MipOutcome | None, build_time: float) -> RawResult:
        status, termination = _verdict(outcome, self.best is not None, self.formulation.mip.bounded())
        warnings = list(self.formulation.warnings)
        if outcome is not None and outcome.state is MipState.infeasible and self.best is not None:
            warnings.append("the solver reported infeasible, but a feasible solution is known; kept it")
        best = self.best if status not in (Status.infeasible, Status.unbounded) else None
        exact = self.formulation.exact
        return RawResult(
            status=Status.feasible if status is Status.optimal and not exact else status,
            termination=termination,
            solution=best.solution if best else None,
            objective=best.objective if best else None,
            bound=self.bound if exact and status is not Status.infeasible else None,
            bound_source=self.source if exact and self.bound is not None else None,
            native_status=(outcome.native_status if outcome else "time limit reached before the first solve")
            + (f" after {self.rounds} rounds" if self.rounds > 1 else "")
            + (f"; {self.fixed} columns fixed by reduced costs" if self.fixed else ""),
            log=outcome.log[-4000:] if outcome else "",
            build_time=build_time,
            solve_time=self.solve_time,
            warnings=warnings,
        )


def unique_rows(blocks: list[RowBlock]) -> RowBlock:
    """The rows of `blocks` stacked, each distinct row once (same columns, values and sides)."""
    a = sp.vstack([b.a for b in blocks], format="csr")
    lower = np.concatenate([b.lower for b in blocks])
    upper = np.concatenate([b.upper for b in blocks])
    keys = [a.indices[a.indptr[i]:a.indptr[i + 1]].tobytes() + a.data[a.indptr[i]:a.indptr[i + 1]].tobytes()
            + lower[i:i + 1].tobytes() + upper[i:i + 1].tobytes() for i in range(a.shape[0])]
    first = sorted({key: i for i, key in reversed(list(enumerate(keys)))}.values())
    return RowBlock(sp.csr_matrix(a[first]), lower[first], upper[first])


def _verdict(outcome: MipOutcome | None, have_solution: bool, bounded: bool) -> tuple[Status, Termination]:
    found = Status.feasible if have_solution else Status.no_solution
    if outcome is None:
        return found, Termination.time_limit
    state = outcome.state
    if state is MipState.optimal:
        return (Status.optimal if outcome.x is not None else found), Termination.completed
    if state is MipState.infeasible or (state is MipState.infeasible_or_unbounded and bounded):
        return (Status.feasible if have_solution else Status.infeasible), Termination.completed
    if state is MipState.unbounded:
        return Status.unbounded, Termination.completed
    if state is MipState.time_limit:
        return found, Termination.time_limit
    if state is MipState.other_limit:
        return found, Termination.iteration_limit
    return (Status.feasible if have_solution else Status.error), Termination.error
