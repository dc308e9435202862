"""Request checks beyond the schema: semantic issues (all at once, 422) and size limits (413)."""

from app.errors import ApiError, invalid_request
from app.settings import Settings
from models import SolveRequest, semantic_issues
from models.errors import ErrorDetail
from models.problem import Problem
from models.size import size_score


def check_semantics(request: SolveRequest) -> None:
    """422 listing every semantic issue at once (the schema has passed already)."""
    issues = semantic_issues(request)
    if issues:
        raise invalid_request(issues)


def check_size(problem: Problem, settings: Settings) -> None:
    """413 when the problem is over OPTSERVE_MAX_PROBLEM_SIZE."""
    score = size_score(problem)
    if score > settings.max_problem_size:
        message = (f"problem size {score} exceeds this server's limit {settings.max_problem_size} "
                   "(OPTSERVE_MAX_PROBLEM_SIZE)")
        raise ApiError(413, "problem_too_large", message, [ErrorDetail(loc=["body", "problem"], msg=message)])
