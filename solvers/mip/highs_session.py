"""A HiGHS model held through highspy's array API, for every backend built on HiGHS.

`highs` solves the family formulations with it; `facility` solves its reduced MIP with it. The
session passes the array model in one call, appends cut rows between rounds of
`solvers.mip.cut_loop.CutLoop`, reports improving solutions through a HiGHS callback, and gives
its row duals for reduced-cost fixing (`column_map` translates columns after deletions).
"""


import time
from dataclasses import replace

import highspy
import numpy as np
from numpy.typing import NDArray

from solvers.contract import SolveContext
from solvers.families.knapsack.mip import KnapsackFormulation
from solvers.mip.array_mip import ArrayMip, FloatArray, RowBlock
from solvers.mip.column_map import ColumnMap
from solvers.mip.cut_loop import CutLoop, MipOutcome, MipState
from solvers.mip.formulations import Formulation

MS = highspy.HighsModelStatus
STATUS: dict[highspy.HighsModelStatus, MipState] = {
    MS.kOptimal: MipState.optimal,
    MS.kInfeasible: MipState.infeasible,
    MS.kUnbounded: MipState.unbounded,
    MS.kUnboundedOrInfeasible: MipState.infeasible_or_unbounded,
    MS.kTimeLimit: MipState.time_limit,
    MS.kInterrupt: MipState.time_limit,
    MS.kHighsInterrupt: MipState.time_limit,  # type: ignore[attr-defined]  # missing from highspy's stubs
    MS.kIterationLimit: MipState.other_limit,
    MS.kSolutionLimit: MipState.other_limit,
    MS.kObjectiveBound: MipState.other_limit,
    MS.kObjectiveTarget: MipState.other_limit,
}
"""Native model status -> loop state; anything else (load, solve, memory errors...) is an error."""


def native_options(context: SolveContext, formulation: Formulation) -> dict[str, bool | int | float | str]:
    """Our options in HiGHS's names (the time limit is set per solve round), plus measured tuning."""
    options = context.options
    native: dict[str, bool | int | float | str] = {
        "output_flag": False,
        "mip_rel_gap": options.relative_gap,
        "random_seed": options.seed,
        "threads": options.threads,
    }
    if isinstance(formulation, KnapsackFormulation) and formulation.mip.n_rows == 1:
        # Measured (HiGHS 1.15, OR-Library knapPI 10,000 items): presolve alone takes 4-15 s and
        # overruns a 1 s time limit by 3-4 s; without it the same instances are proven optimal in
        # 0.2-0.5 s. Multi-dimensional knapsacks are not helped, so only one-row models skip it.
        native["presolve"] = "off"
    return native


class HighsSession:
    """One highspy instance holding the model; `solve` may be called again after `add_rows`."""

    def __init__(self, formulation: Formulation, context: SolveContext, loop: CutLoop) -> None:
        # HiGHS keeps one thread pool per process; a warm worker reused with another `threads`
        # value fails every run (measured: kError, model status kNotset) unless it is reset.
        highspy.Highs.resetGlobalScheduler(True)
        self.highs = highspy.Highs()  # type: ignore[no-untyped-call]
        for key, value in native_options(context, formulation).items():
            self.highs.setOptionValue(key, value)
        self._pass(formulation.mip)
        self._duals: FloatArray | None = None
        self.columns = ColumnMap(formulation.mip.n_cols)
        self.highs.cbMipImprovingSolution.subscribe(
            lambda event: loop.offer(self.columns.to_full(np.array(event.data_out.mip_solution)),
                                     event.data_out.mip_dual_bound)
        )
        if formulation.lazy_rows:  # every solution found may break lazy rows: cuts for the next round
            self.highs.cbMipSolution.subscribe(
                lambda event: loop.collect(self.columns.to_full(np.array(event.data_out.mip_solution)))
            )

    def _pass(self, mip: ArrayMip) -> None:
        a = mip.a
        status = self.highs.passModel(
            mip.n_cols, mip.n_rows, a.nnz, int(highspy.MatrixFormat.kRowwise),
            int(highspy.ObjSense.kMaximize if mip.maximise else highspy.ObjSense.kMinimize), mip.offset,
            mip.c, mip.col_lower, mip.col_upper, mip.row_lower, mip.row_upper,
            a.indptr.astype(np.int32), a.indices.astype(np.int32), a.data, mip.integrality.astype(np.int32),
        )
        if status == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS rejected the model")

    def add_rows(self, rows: RowBlock) -> None:
        rows = self.columns.rows(rows)
        a = rows.a
        self.highs.addRows(rows.n_rows, rows.lower, rows.upper, a.nnz, a.indptr[:-1].astype(np.int32),
                           a.indices.astype(np.int32), a.data)

    def solve(self, time_limit: float, start: FloatArray | None) -> MipOutcome:
        highs = self.highs
        began = time.monotonic()
        highs.setOptionValue("time_limit", max(time_limit, 0.01))
        if start is not None:
            start = self.columns.to_solver(start)
            highs.setSolution(len(start), np.arange(len(start), dtype=np.int32), start)
        highs.run()
        retried = ""
        if not self._objective_consistent():
            retried = self._again_without_presolve(time_limit - (time.monotonic() - began))
        info = highs.getInfo()
        bound: float | None = float(info.mip_dual_bound)
        detail = f"bound {info.mip_dual_bound}, gap {info.mip_gap}, nodes {info.mip_node_count}{retried}"
        if self._objective_consistent():
            return self._outcome(bound, detail)
        outcome = self._outcome(None, detail + "; objective inconsistent with the solution, bound dropped")
        if outcome.state is MipState.optimal:  # a claim its own numbers contradict
            outcome = replace(outcome, state=MipState.error)
        return outcome

    def _again_without_presolve(self, time_left: float) -> str:
        """Runs once more with presolve off (and leaves it off for the session's later rounds), after
        HiGHS answered with an objective that is not its solution's cost. Measured with HiGHS 1.16 on
        OR-Library cap131 given a feasible start (the first-fit plan, cost 1,248,142.9): "Optimal" at
        608,704.4, below the true optimum 793,439.6, returning the start itself; with presolve off, or
        without the start, it proves 793,439.6. (Presolve defects of this kind are reported upstream,
        e.g. ERGO-Code/HiGHS#1725, #3094.)"""
        highs = self.highs
        highs.setOptionValue("presolve", "off")
        highs.setOptionValue("time_limit", max(time_left, 0.01))
        highs.run()
        return "; solved again with presolve off (its first answer's objective was not its solution's cost)"

    def _objective_consistent(self) -> bool:
        """False when HiGHS's objective value differs from its solution's cost (see `fix_columns`
        and `_again_without_presolve`); then neither its status nor its dual bound is trusted."""
        highs = self.highs
        if highs.getInfo().primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
            return True
        lp = highs.getLp()
        cost = float(np.dot(lp.col_cost_, highs.getSolution().col_value)) + lp.offset_
        value = float(highs.getInfo().objective_function_value)
        return abs(cost - value) <= 1e-6 * max(1.0, abs(value))

    def relax(self, time_limit: float) -> MipOutcome:
        highs = self.highs
        highs.setOptionValue("time_limit", max(time_limit, 0.01))
        highs.setOptionValue("solve_relaxation", True)
        try:
            highs.run()
        finally:
            highs.setOptionValue("solve_relaxation", False)
        outcome = self._outcome(None, "LP relaxation")
        if outcome.state is MipState.optimal:
            outcome.bound = float(highs.getInfo().objective_function_value)
            valid = highs.getInfo().dual_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
            self._duals = np.array(highs.getSolution().row_dual) if valid else None
        return outcome

    def row_duals(self) -> FloatArray | None:
        """Row duals of the last optimal LP relaxation (`CutLoop` checks them itself)."""
        return self._duals

    def fix_columns(self, at_lower: NDArray[np.int64]) -> None:
        """Columns fixed at 0 are deleted from the model (see `column_map`), others get bounds.

        Only lower-bound fixing is offered: measured with HiGHS 1.16, after columns were fixed
        at 1 by `changeColsBounds` and others deleted, its reported objective (and so its dual
        bound) was 7 below the true value of its own solution on st70."""
        lp = self.highs.getLp()
        lower = self.columns.to_full(np.array(lp.col_lower_))
        at_lower = at_lower[np.isin(at_lower, self.columns.kept)]
        zero = at_lower[lower[at_lower] == 0.0]
        other = np.setdiff1d(at_lower, zero)
        if len(other):
            where = np.searchsorted(self.columns.kept, other).astype(np.int32)
            self.highs.changeColsBounds(len(where), where, lower[other], lower[other])
        positions = self.columns.delete(zero)
        if len(positions):
            self.highs.deleteCols(len(positions), positions)

    def _outcome(self, bound: float | None, detail: str) -> MipOutcome:
        highs = self.highs
        model_status = highs.getModelStatus()
        info = highs.getInfo()
        has_x = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        native = highs.modelStatusToString(model_status)
        return MipOutcome(
            state=STATUS.get(model_status, MipState.error),
            x=self.columns.to_full(np.array(highs.getSolution().col_value)) if has_x else None,
            bound=bound,
            native_status=native,
            log=f"{native}: objective {info.objective_function_value}, {detail}",
        )
