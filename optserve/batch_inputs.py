"""Batch inputs: request files and JSONL lines, each with a content-derived id and its validity.

An id is the sha256 of the request's canonical JSON (keys sorted, no spaces), so the same
request gets the same id in every run, whatever its file name or formatting: that is what lets
a re-run skip finished work and, against a server, reuse the job (the id is the idempotency
key). Invalid requests are caught here with the server's 422 error shape (code, message,
details with JSON paths under `body`), so local and remote runs record the same thing.
"""

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic

from models import SolveRequest, semantic_issues
from models.issues import json_path


@dataclass(frozen=True)
class BatchItem:
    """One request of a batch: where it came from, its id, and either its JSON or why it is invalid."""

    name: str
    id: str
    request_json: str | None = None
    error: dict[str, Any] | None = None


class InputError(ValueError):
    """An input path that is neither a directory, a .json file nor a JSONL file."""


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def content_id(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def load_items(inputs: Sequence[Path]) -> list[BatchItem]:
    """Every request of every input, in order (directories sorted by file name)."""
    return [make_item(name, text) for path in inputs for name, text in sources(path)]


def sources(path: Path) -> Iterator[tuple[str, str]]:
    """(name, text) of each request in one input: a directory of .json files, a .json or a JSONL file."""
    if path.is_dir():
        for file in sorted(path.glob("*.json")):
            yield file.name, file.read_text(encoding="utf-8", errors="replace")
    elif path.is_file() and path.suffix == ".json":
        yield path.name, path.read_text(encoding="utf-8", errors="replace")
    elif path.is_file():
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    yield f"{path.name}:{number}", line
    else:
        raise InputError(f"{path}: no such directory or file")


def make_item(name: str, text: str) -> BatchItem:
    """Parses and validates one request; never raises."""
    try:
        data = json.loads(text)
        canonical = canonical_json(data)
    except ValueError as exc:
        error = failure("invalid_json", f"not a JSON document: {exc}", [{"loc": ["body"], "msg": str(exc)}])
        return BatchItem(name, content_id(text.strip()), error=error)
    item_id = content_id(canonical)
    details = validation_details(data)
    if details:
        return BatchItem(name, item_id, error=failure("validation_error", f"the request has {len(details)} "
                                                      "problem(s)", details))
    return BatchItem(name, item_id, request_json=canonical)


def validation_details(data: Any) -> list[dict[str, Any]]:
    """Every problem of a request body as {loc, msg}: schema errors, else semantic ones."""
    try:
        request = SolveRequest.model_validate(data)
    except pydantic.ValidationError as exc:
        return pydantic_details(exc.errors())
    return [{"loc": ["body", *issue.loc], "msg": issue.msg} for issue in semantic_issues(request)]


def pydantic_details(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """The server's rendering of pydantic errors (as app.errors does): union-member tags removed, one per path."""
    details: list[dict[str, Any]] = []
    seen_union: set[tuple[str | int, ...]] = set()
    for error in errors:
        loc, from_union = json_path(["body", *error.get("loc", ())])
        if from_union:
            if tuple(loc) in seen_union:
                continue
            seen_union.add(tuple(loc))
        details.append({"loc": loc, "msg": str(error.get("msg", "invalid"))})
    return details


def failure(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An error in the service's error-body shape."""
    return {"code": code, "message": message, "details": details or []}
