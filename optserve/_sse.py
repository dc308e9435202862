"""A small server-sent-events decoder (the WHATWG rules the job events stream needs).

Lines arrive without their terminators; a blank line dispatches the event being built, and
only then does its id become `last_event_id` (a half-received event is received again on resume).
`data` lines accumulate (joined by newlines), `id` and `event` set fields, lines starting with a
colon are comments (keep-alives), unknown fields and `retry` are ignored.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from models.job import JobEvent, JobStatus


@dataclass
class SSEDecoder:
    """Feed lines one by one; `feed` returns a JobEvent when a blank line completes one."""

    last_event_id: str | None = None
    """The id of the last complete event (what a reconnection sends as Last-Event-ID)."""
    _event: str = ""
    _data: list[str] = field(default_factory=list)
    _id: str | None = None

    def __post_init__(self) -> None:
        self._id = self.last_event_id

    def feed(self, line: str) -> JobEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        return None

    def _dispatch(self) -> JobEvent | None:
        self.last_event_id = self._id
        event, data = self._event or "message", self._data
        self._event, self._data = "", []
        if not data:
            return None
        return JobEvent.model_validate({"seq": self.last_event_id, "type": event, "data": json.loads("\n".join(data))})


def decode(lines: Iterable[str], decoder: SSEDecoder) -> Iterable[JobEvent]:
    """The events in a stream of lines."""
    for line in lines:
        event = decoder.feed(line)
        if event is not None:
            yield event


def is_final(event: JobEvent) -> bool:
    """True for the status event after which the server closes the stream."""
    if event.type.value != "status":
        return False
    try:
        return JobStatus(event.data.get("status")).finished
    except ValueError:
        return False
