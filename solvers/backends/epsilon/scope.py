"""Which requests the epsilon-constraint backend answers exactly (light: no numpy, no solver)."""

from models import FacilityLocationProblem, KnapsackProblem, SolveRequest
from models.problem import Problem

FACILITY_CRITERIA = ["cost", "max_distance"]


def why_not(problem: Problem) -> str | None:
    """None when `solvers.backends.epsilon.backend` can compute the complete front of `problem`, else the reason."""
    if isinstance(problem, FacilityLocationProblem):
        if sorted(problem.criteria()) != FACILITY_CRITERIA:
            return "for facility location the epsilon-constraint method needs the objectives `cost` and `max_distance`"
        return None
    if not isinstance(problem, KnapsackProblem):
        return f"the epsilon-constraint method supports knapsack and facility location, not {problem.kind}"
    criteria = problem.criteria()
    if len(criteria) != 2:
        return f"the epsilon-constraint method needs exactly two objectives, got {len(criteria)}"
    if not any(integral(problem, name) for name in criteria):
        return "the epsilon-constraint method needs integer values in at least one objective"
    return None


def why_not_request(request: SolveRequest) -> str | None:
    """The declared scope of backend `epsilon` (see `solvers.contract.BackendSpec.scope`)."""
    return why_not(request.problem)


def integral(problem: KnapsackProblem, name: str) -> bool:
    """True when every item's value in criterion `name` is an integer."""
    return all(float(v).is_integer() for v in problem.criterion_values(name))
