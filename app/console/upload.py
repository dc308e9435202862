"""Uploaded benchmark files into a job request, with the same readers as `optserve convert`.

The browser reads the file and sends its text as JSON (no multipart parser needed on the server);
the readers are plain Python and import no solver library.
"""

from typing import Any

from pydantic import Field

from app.errors import ApiError
from models._base import ContractModel
from models.errors import ErrorDetail
from solvers.formats import CONVERT_KINDS, FormatError, convert

MAX_UPLOAD_CHARS = 5_000_000


class ConvertRequest(ContractModel):
    """A file's text and its format (one of `optserve convert`'s)."""

    format: str = Field(description="tsplib | orlib-cap | jsplib | jsplib-flowshop | kp01 | ...")
    text: str = Field(max_length=MAX_UPLOAD_CHARS, description="The file's content.")
    capacity: float | None = Field(default=None, description="orlib-cap: value of the literal `capacity`.")
    time_limit: float = Field(default=10, gt=0, description="Time limit of the request built.")


def convert_upload(body: ConvertRequest) -> dict[str, Any]:
    """`{"problem": ..., "solver": "auto", "options": {...}}`, or 422 saying what is wrong with the file."""
    if body.format not in CONVERT_KINDS:
        raise _bad(["body", "format"], f"unknown format {body.format!r}; known: {', '.join(CONVERT_KINDS)}")
    options: dict[str, Any] = {}
    if body.capacity is not None and body.format == "orlib-cap":
        options["capacity"] = body.capacity
    try:
        problem = convert(body.format, body.text, **options)
    except FormatError as exc:
        raise _bad(["body", "text"], f"not a valid {body.format} file: {exc}") from None
    return {"problem": problem, "solver": "auto", "options": {"time_limit": body.time_limit, "seed": 0}}


def _bad(loc: list[str | int], message: str) -> ApiError:
    return ApiError(422, "validation_error", message, [ErrorDetail(loc=loc, msg=message)])
