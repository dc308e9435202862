"""The server-sent-events decoder."""

import pytest

from optserve import EventType, JobEvent
from optserve._sse import SSEDecoder, decode, is_final


def events(text: str, decoder: SSEDecoder | None = None) -> list[JobEvent]:
    return list(decode(text.split("\n"), decoder or SSEDecoder()))


def test_fields_comments_and_multi_line_data() -> None:
    text = ': keep-alive\n\nid: 7\nevent: progress\ndata: {"elapsed": 1,\ndata:  "bound": 3}\nretry: 10\n\n'
    assert events(text) == [JobEvent(seq=7, type=EventType.progress, data={"elapsed": 1, "bound": 3})]


def test_the_id_counts_only_once_its_event_is_complete() -> None:
    decoder = SSEDecoder("4")
    assert events('id: 5\nevent: status\ndata: {"status": "running"}\n\nid: 6\ndata: {', decoder)[0].seq == 5
    assert decoder.last_event_id == "5"


def test_an_event_without_data_is_not_dispatched() -> None:
    assert events("id: 1\nevent: status\n\n") == []


@pytest.mark.parametrize(("status", "final"), [("succeeded", True), ("failed", True), ("cancelled", True),
                                               ("running", False), ("weird", False)])
def test_final_status_events(status: str, final: bool) -> None:
    assert is_final(JobEvent(seq=1, type=EventType.status, data={"status": status})) is final
    assert not is_final(JobEvent(seq=1, type=EventType.progress, data={"status": status}))
