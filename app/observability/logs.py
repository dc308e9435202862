"""Log lines a log system can read: JSON when stderr is not a terminal, text for people.

Fields passed as `extra={...}` become JSON keys; the id of the request being served (a context
variable set by the request middleware) is added to every line logged while serving it.
"""

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id: ContextVar[str | None] = ContextVar("optserve_request_id", default=None)

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}
_OURS = "_optserve_handler"


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The record's `extra=` fields plus the current request id."""
    fields = {key: value for key, value in vars(record).items() if key not in _STANDARD and not key.startswith("_")}
    rid = request_id.get()
    if rid is not None and "request_id" not in fields:
        fields["request_id"] = rid
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the extra fields, and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
            **extra_fields(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class TextFormatter(logging.Formatter):
    """The usual text line with the extra fields appended as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{key}={value}" for key, value in extra_fields(record).items())
        text = super().format(record)
        return f"{text} {fields}" if fields else text


def use_json(log_format: str | None, stream: Any = None) -> bool:
    if log_format is not None:
        return log_format == "json"
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    return not (callable(isatty) and isatty())


def configure_logging(log_format: str | None, level: int = logging.INFO) -> logging.Handler:
    """Installs (or replaces) this service's handler on the root logger; other handlers stay."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OURS, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if use_json(log_format) else TextFormatter())
    setattr(handler, _OURS, True)
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    return handler
