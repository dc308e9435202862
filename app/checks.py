"""Request checks beyond the schema: semantic issues (all at once, 422) and size limits (413)."""

from app.errors import ApiError, invalid_request
from app.settings import Settings
from models import SolveRequest, semantic_issues
from models.errors import ErrorDetail
from models.size import size_score


def check_request(request: SolveRequest, settings: Settings) -> None:
    """Raises the ApiError a client should see, or returns when the request may be solved."""
    issues = semantic_issues(request)
    if issues:
        raise invalid_request(issues)
    score = size_score(request.problem)
    if score > settings.max_problem_size:
        message = (f"problem size {score} exceeds this server's limit {settings.max_problem_size} "
                   "(OPTSERVE_MAX_PROBLEM_SIZE)")
        raise ApiError(413, "problem_too_large", message, [ErrorDetail(loc=["body", "problem"], msg=message)])
