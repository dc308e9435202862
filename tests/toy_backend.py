"""A toy backend registered by tests: greedy knapsack by value density, no bound.

It exists to show that a backend is one module plus one declaration: dispatch and selection
take it without naming it. `orchestrate` is its in-process variant (best of two inner solves).
"""

from models import KnapsackProblem, KnapsackSolution, SolveRequest, Status, Termination
from models.problem import Problem
from solvers.contract import Orchestration, RawResult, SolveContext


def solve(problem: Problem, context: SolveContext) -> RawResult:
    assert isinstance(problem, KnapsackProblem)
    capacity = problem.capacities()[0]
    chosen, load, value = [], 0.0, 0.0
    for item in sorted(problem.items, key=lambda i: -float(i.value or 0.0) / max(float(i.weight), 1e-9)):  # type: ignore[arg-type]
        if load + float(item.weight) <= capacity:  # type: ignore[arg-type]
            chosen.append(item.id)
            load += float(item.weight)  # type: ignore[arg-type]
            value += float(item.value or 0.0)
    return RawResult(status=Status.feasible, termination=Termination.completed,
                     solution=KnapsackSolution(selected=chosen), objective=value, native_status="greedy")


def orchestrate(request: SolveRequest, env: Orchestration) -> RawResult:
    inner = env.solve(request.model_copy(update={"solver": "toy"}))
    return RawResult(status=Status.feasible, termination=inner.termination, solution=inner.solution,
                     objective=inner.objective, native_status="orchestrated toy")
