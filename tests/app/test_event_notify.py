"""Event streams are fed by notifications: the database cost follows the events, not the clients."""

import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient

from app.jobs.relay import RedisRelay
from app.main import create_app
from bench.sse import play_worker, quiet_services, run_live, start_jobs
from tests.services import REDIS_PORT, ensure_redis


def test_fifty_subscribers_cost_one_query_per_event_not_per_client() -> None:
    result = run_live(subscribers=50, jobs=2, events=10, interval=0.05)
    per_job = 10 + 3  # queued, running, 10 incumbents, the final status
    assert result.events_received == 50 * per_job  # every client got every event
    assert result.events_written == 2 * 11
    assert result.streaming_queries <= result.events_written + 2 * result.jobs  # polling would be ~50 * 5/s
    assert result.connect_queries <= 3 * result.subscribers


def test_last_event_id_resumes_after_that_event(tmp_path: Path) -> None:
    services = quiet_services(tmp_path)
    with TestClient(create_app(services.settings, services)) as client:
        [job_id] = start_jobs(services.store, 1)
        play_worker(services.store, [job_id], events=3, interval=0.0)
        full = client.get(f"/jobs/{job_id}/events").text
        resumed = client.get(f"/jobs/{job_id}/events", headers={"Last-Event-ID": "4"}).text
        ended = client.get(f"/jobs/{job_id}/events", headers={"Last-Event-ID": "99999999999999999999999"})
    ids = [int(line[4:]) for line in full.splitlines() if line.startswith("id: ")]
    assert ids == [1, 2, 3, 4, 5, 6]
    assert [int(line[4:]) for line in resumed.splitlines() if line.startswith("id: ")] == [5, 6]
    assert ended.status_code == 200 and "id: " not in ended.text  # past the end of a finished job: empty


def test_a_live_subscriber_wakes_on_commit_without_polling(tmp_path: Path) -> None:
    services = quiet_services(tmp_path)
    services.events.safety_poll = 60.0  # only a notification can deliver within the test's time
    with TestClient(create_app(services.settings, services)) as client:
        [job_id] = start_jobs(services.store, 1)
        writer = threading.Timer(0.3, play_worker, args=(services.store, [job_id], 2, 0.05))
        began = time.monotonic()
        writer.start()
        text = client.get(f"/jobs/{job_id}/events").text
        writer.join()
    assert text.count("event: incumbent") == 2 and "event: status" in text
    assert time.monotonic() - began < 5.0


def test_redis_relay_carries_job_ids_between_processes() -> None:
    ensure_redis()
    url = f"redis://127.0.0.1:{REDIS_PORT}/11"
    listener, publisher = RedisRelay(url, "optserve-test-relay"), RedisRelay(url, "optserve-test-relay")
    received: list[str] = []
    got = threading.Event()

    def heard(job_id: str) -> None:
        received.append(job_id)
        got.set()

    listener.listen(heard)
    try:
        deadline = time.monotonic() + 5
        while not got.is_set() and time.monotonic() < deadline:  # until the subscription is live
            publisher.publish("job-42")
            got.wait(0.1)
    finally:
        listener.close()
        publisher.close()
    assert received and set(received) == {"job-42"}
