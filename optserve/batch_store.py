"""The batch's results file (JSONL, appended as records arrive) and its CSV companion.

A record is `{"name", "id", "status", "result"?, "error"?}` (plus `job_id` when a server ran
it); `status` is succeeded, failed or cancelled. Reading tolerates a torn last line (a run
killed mid-write) and keeps the last record per id. Records of transient failures (transport,
rate limits, timeouts, crashed workers) do not count as done, so a re-run tries them again.
"""

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

RETRYABLE_CODES = frozenset({
    "transport_error", "rate_limited", "service_unavailable", "timeout", "worker_crashed", "interrupted",
})
CSV_COLUMNS = ("name", "id", "status", "objective", "bound", "gap", "time", "error")


def read_records(path: Path) -> dict[str, dict[str, Any]]:
    """The last record of each id in an existing results file (empty when there is none)."""
    records: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return records
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("id"), str):
                records[record["id"]] = record
    return records


def is_done(record: dict[str, Any]) -> bool:
    """Whether a re-run may skip this record's request."""
    error = record.get("error") or {}
    return record.get("status") == "succeeded" or error.get("code") not in RETRYABLE_CODES


class RecordWriter:
    """Appends records, one JSON line each, flushed as written (a crash loses at most one line)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        torn = _ends_without_newline(path)
        self._file: IO[str] = path.open("a", encoding="utf-8")
        if torn:
            self._file.write("\n")

    def write(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "RecordWriter":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _ends_without_newline(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with path.open("rb") as data:
        data.seek(-1, 2)
        return data.read(1) != b"\n"


def csv_path(jsonl: Path) -> Path:
    return jsonl.with_suffix(".csv")


def error_text(error: dict[str, Any] | None) -> str:
    """An error on one line: code, message, then each located detail."""
    if not error:
        return ""
    located = [f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg', '')}" for d in error.get("details") or []]
    message = (str(error.get("message") or "").strip().splitlines() or [""])[0]
    return "; ".join([f"{error.get('code')}: {message}", *located])


def csv_row(name: str, record: dict[str, Any]) -> dict[str, Any]:
    result = record.get("result") or {}
    timings = result.get("timings") or {}
    return {"name": name, "id": record["id"], "status": record.get("status"),
            "objective": result.get("objective"), "bound": result.get("bound"), "gap": result.get("gap"),
            "time": timings.get("total"), "error": error_text(record.get("error"))}


def write_csv(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def record(name: str, item_id: str, status: str, result: dict[str, Any] | None = None,
           error: dict[str, Any] | None = None, job_id: str | None = None) -> dict[str, Any]:
    """A results line; a result whose own status is `error` makes the record failed."""
    if status == "succeeded" and result is not None and result.get("status") == "error":
        status = "failed"
        error = error or {"code": "solve_error", "message": result.get("message") or "the solve ended in error",
                          "details": []}
    line: dict[str, Any] = {"name": name, "id": item_id, "status": status}
    if job_id is not None:
        line["job_id"] = job_id
    if result is not None:
        line["result"] = result
    if error is not None:
        line["error"] = error
    return line
