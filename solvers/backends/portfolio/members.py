"""Who races in a portfolio: per family, the first usable exact backend and the first heuristic.

Only registered backends whose libraries are installed, whose module exists and that support
the problem take part. Without any heuristic, the second exact backend takes its place (two
different exact solvers still diversify: HiGHS and CBC, CP-SAT and HiGHS).
"""

import importlib.util

from models import ProblemKind
from models.problem import Problem
from solvers.contract import BackendSpec
from solvers.registry import Registry, availability
from solvers.selection import supports

EXACT: dict[ProblemKind, tuple[str, ...]] = {
    ProblemKind.knapsack: ("knapsack_exact", "cbc", "highs"),
    ProblemKind.tsp: ("highs", "cpsat", "cbc"),
    ProblemKind.facility_location: ("highs", "cbc"),
    ProblemKind.scheduling: ("cpsat", "highs", "cbc"),
}
HEURISTIC: dict[ProblemKind, tuple[str, ...]] = {
    ProblemKind.knapsack: ("ga",),
    ProblemKind.tsp: ("tsp_ls", "routing", "ga"),
    ProblemKind.facility_location: ("ga",),
    ProblemKind.scheduling: ("ga",),
}
PORTFOLIO_FAMILIES = frozenset(EXACT)


def usable(registry: Registry, name: str, problem: Problem) -> BackendSpec | None:
    """The backend `name` if it can answer `problem` here, else None."""
    if name not in registry.names():
        return None
    spec = registry.get(name)
    if not supports(spec, problem) or not availability(spec).usable:
        return None
    try:
        present = importlib.util.find_spec(spec.module) is not None
    except (ImportError, ValueError):
        present = False
    return spec if present else None


def members(registry: Registry, problem: Problem) -> list[BackendSpec]:
    """The exact member first, then the heuristic one (or a second exact one)."""
    kind = ProblemKind(problem.kind)
    exact = [s for s in (usable(registry, n, problem) for n in EXACT.get(kind, ())) if s is not None]
    heuristic = [s for s in (usable(registry, n, problem) for n in HEURISTIC.get(kind, ())) if s is not None]
    chosen = exact[:1] + heuristic[:1]
    if not heuristic:
        chosen = exact[:2]
    return chosen
