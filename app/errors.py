"""One exception-to-HTTP mapping, one error body (DESIGN.md section 3, Errors)."""

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.methods import allow_header
from models import ErrorBody, ErrorDetail, ErrorInfo, Issue
from models.issues import json_path
from solvers.selection import SelectionError


class ApiError(Exception):
    """An error with its HTTP status, stable code and located details."""

    def __init__(self, status: int, code: str, message: str, details: Sequence[ErrorDetail] = (),
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = list(details), headers


SELECTION_STATUS = {"unknown_solver": 422, "unsupported_problem": 422, "solver_unavailable": 503, "no_backend": 503}


def invalid_request(issues: Iterable[Issue]) -> ApiError:
    details = [ErrorDetail(loc=["body", *issue.loc], msg=issue.msg) for issue in issues]
    return ApiError(422, "validation_error", f"the request has {len(details)} problem(s)", details)


def from_selection(error: SelectionError) -> ApiError:
    status = SELECTION_STATUS.get(error.code, 422)
    return ApiError(status, error.code, error.message, [ErrorDetail(loc=["body", "solver"], msg=error.message)])


def error_response(status: int, code: str, message: str, details: Sequence[ErrorDetail] = (),
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorBody(error=ErrorInfo(code=code, message=message, details=list(details)))
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def _pydantic_details(errors: Sequence[Any]) -> list[ErrorDetail]:
    """One detail per located problem: a value failing every union member is reported once."""
    details: list[ErrorDetail] = []
    union_locs: set[tuple[str | int, ...]] = set()
    for error in errors:
        loc, from_union = json_path(list(error.get("loc", ())))
        if from_union:
            if tuple(loc) in union_locs:
                continue
            union_locs.add(tuple(loc))
        details.append(ErrorDetail(loc=loc, msg=str(error.get("msg", "invalid"))))
    return details


def method_not_allowed(request: Request) -> Response:
    """OPTIONS: 204 with `Allow`; any other unsupported method: 405 with the full `Allow`."""
    headers = allow_header(request)
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=headers)
    return error_response(405, "method_not_allowed", f"{request.method} is not allowed here; use "
                          f"{headers['Allow']}", headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Registers the handlers so every error leaves with the same body."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = _pydantic_details(exc.errors())
        return error_response(422, "validation_error", f"the request has {len(details)} problem(s)", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            return method_not_allowed(request)
        if exc.status_code == 400:  # a body that is not JSON text at all: the same 422 as malformed JSON
            return error_response(422, "validation_error", "the request body is not valid JSON",
                                  [ErrorDetail(loc=["body"], msg=str(exc.detail))])
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(OperationalError)
    async def _database_down(_: Request, exc: OperationalError) -> JSONResponse:
        return error_response(503, "database_unavailable", "the job database is unreachable; retry later",
                              headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return error_response(500, "internal_error", f"unexpected {type(exc).__name__}; this is a bug")
