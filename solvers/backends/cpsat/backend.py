"""OR-Tools CP-SAT backend: scheduling (intervals, alternatives, setups) and TSP (AddCircuit).

The entry point the worker imports; the models live in `scheduling.py` (phases, with the model in
`schedule_model.py`) and `tsp.py`, what they share (parameters, status table, incumbent
reporting) in `common.py`.
"""

from models import SchedulingProblem, Status, Termination, TspProblem
from models.problem import Problem
from solvers.backends.cpsat import scheduling as cpsat_scheduling
from solvers.backends.cpsat import tsp as cpsat_tsp
from solvers.contract import RawResult, SolveContext


def solve(problem: Problem, context: SolveContext) -> RawResult:
    if isinstance(problem, SchedulingProblem):
        return cpsat_scheduling.solve(problem, context)
    if isinstance(problem, TspProblem):
        return cpsat_tsp.solve(problem, context)
    return RawResult(status=Status.error, termination=Termination.error,
                     native_status=f"cpsat does not solve {problem.kind} problems")


def warm_up() -> None:
    """Loads the compiled schedule searches, the TSP start tour's local search and the sparse 1-tree
    bound of large TSPs (a solve process started ahead of requests calls it)."""
    from solvers.families.scheduling import flowshop, heuristic, jobshop_tabu, parallel_search
    from solvers.families.tsp import certified, start

    certified.warm_up()
    start.warm_up()
    heuristic.warm_up()
    jobshop_tabu.warm_up()
    flowshop.warm_up()
    parallel_search.warm_up()
