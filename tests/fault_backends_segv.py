"""The segfaulting backend's module (a backend module exposes `solve`; see tests/fault_backends.py)."""

from models.problem import Problem
from solvers.contract import RawResult, SolveContext
from tests.fault_backends import crash


def solve(problem: Problem, context: SolveContext) -> RawResult:
    return crash()
