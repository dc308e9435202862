"""Who races in a portfolio: the first usable exact backend and the first heuristic, in the order
the registry prefers for the problem (the same order `auto` uses: one list, in `solvers/builtin.py`).

Only registered, installed, child-process backends that support the problem take part (an
orchestrator such as the portfolio itself never does). Without any heuristic, the second exact
backend takes its place (two different exact solvers still diversify: HiGHS and CBC, CP-SAT and
HiGHS).
"""

import importlib.util

from models import SolveOptions, SolveRequest
from models.problem import Problem
from solvers.contract import BackendSpec
from solvers.registry import Registry, availability
from solvers.selection import supports


def usable(spec: BackendSpec, problem: Problem) -> bool:
    """True when `spec` can run `problem` as a child solve here."""
    if spec.orchestrates(problem) or not supports(spec, SolveRequest(problem=problem)):
        return False
    if not availability(spec).usable:
        return False
    try:
        return importlib.util.find_spec(spec.module) is not None
    except (ImportError, ValueError):
        return False


def members(registry: Registry, problem: Problem, options: SolveOptions | None = None) -> list[BackendSpec]:
    """The exact member first, then the heuristic one (or a second exact one)."""
    request = SolveRequest(problem=problem, options=options or SolveOptions())
    candidates = [spec for spec in registry.in_preference_order(request) if usable(spec, problem)]
    exact = [spec for spec in candidates if spec.capabilities.exact]
    heuristic = [spec for spec in candidates if not spec.capabilities.exact]
    return exact[:1] + heuristic[:1] if heuristic else exact[:2]
