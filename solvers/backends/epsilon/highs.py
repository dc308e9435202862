"""HiGHS plumbing shared by the epsilon-constraint sweeps: one model in one highspy instance.

Imported only in a solve worker. Each solve is to proven optimality: relative gap 0 and an
absolute gap just under one when the objective is integral (below one, an integral optimum is
proven), else 1e-9.
"""

from dataclasses import dataclass, field

import highspy
import numpy as np

from models import Termination
from solvers.contract import FrontPoint, Incumbent, SolveContext
from solvers.mip.array_mip import ArrayMip, FloatArray

INTEGRAL_ABS_GAP = 1 - 1e-6
MIN_SOLVE_SECONDS = 0.05
"""Below this much time left, no further MIP is started."""
MS = highspy.HighsModelStatus
STATES = {MS.kOptimal: "optimal", MS.kInfeasible: "infeasible", MS.kTimeLimit: "time_limit",
          MS.kInterrupt: "time_limit", MS.kUnboundedOrInfeasible: "infeasible"}
"""Native model status -> what a sweep needs to know; anything else is an error."""


@dataclass
class Answer:
    """One MIP: how it ended and the best vector, if any."""

    state: str
    x: FloatArray | None
    native: str


@dataclass
class Sweep:
    """A sweep's state: points found, why it stopped, how many MIPs it took."""

    points: list[FrontPoint] = field(default_factory=list)
    complete: bool = False
    termination: Termination = Termination.completed
    native: str = ""
    solves: int = 0

    def add(self, point: FrontPoint, context: SolveContext) -> None:
        self.points.append(point)
        context.progress(Incumbent(solution=point.solution))

    def stopped(self, answer: Answer) -> "Sweep":
        self.termination = Termination.time_limit if answer.state == "time_limit" else Termination.error
        self.native = f"HiGHS: {answer.native}"
        return self

    def out_of_time(self, context: SolveContext) -> bool:
        if context.remaining() >= MIN_SOLVE_SECONDS:
            return False
        self.termination, self.native = Termination.time_limit, "time limit between MIPs"
        return True


class ExactMip:
    """An ArrayMip loaded into HiGHS with the options above; objective and bounds change in place."""

    def __init__(self, mip: ArrayMip, context: SolveContext) -> None:
        self.mip = mip
        self.highs = highspy.Highs()  # type: ignore[no-untyped-call]
        for key, value in {"output_flag": False, "mip_rel_gap": 0.0, "random_seed": context.options.seed,
                           "threads": context.options.threads}.items():
            self.highs.setOptionValue(key, value)
        a = mip.a
        sense = highspy.ObjSense.kMaximize if mip.maximise else highspy.ObjSense.kMinimize
        self.highs.passModel(
            mip.n_cols, mip.n_rows, a.nnz, int(highspy.MatrixFormat.kRowwise), int(sense), mip.offset,
            mip.c, mip.col_lower, mip.col_upper, mip.row_lower, mip.row_upper,
            a.indptr.astype(np.int32), a.indices.astype(np.int32), a.data, mip.integrality.astype(np.int32))

    def add_row(self, coefficients: FloatArray) -> int:
        """A free row over `coefficients` (bounds set later); returns its index."""
        cols = np.flatnonzero(coefficients).astype(np.int32)
        self.highs.addRow(-np.inf, np.inf, len(cols), cols, coefficients[cols])
        return int(self.highs.getNumRow()) - 1

    def set_row_lower(self, row: int, lower: float) -> None:
        self.highs.changeRowBounds(row, lower, np.inf)

    def set_objective(self, c: FloatArray) -> None:
        self.highs.changeColsCost(len(c), np.arange(len(c), dtype=np.int32), c)

    def set_column_upper(self, upper: FloatArray) -> None:
        n = len(upper)
        self.highs.changeColsBounds(n, np.arange(n, dtype=np.int32), self.mip.col_lower, upper)

    def solve(self, time_limit: float, integral: bool, start: FloatArray | None = None) -> Answer:
        highs = self.highs
        highs.setOptionValue("mip_abs_gap", INTEGRAL_ABS_GAP if integral else 1e-9)
        highs.setOptionValue("time_limit", max(time_limit, 0.01))
        if start is not None:
            highs.setSolution(len(start), np.arange(len(start), dtype=np.int32), start)
        highs.run()
        status = highs.getModelStatus()
        has_x = highs.getInfo().primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        x = np.array(highs.getSolution().col_value) if has_x else None
        return Answer(STATES.get(status, "error"), x, highs.modelStatusToString(status))
