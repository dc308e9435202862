"""Event streams cost the database one read per event per job, not one per client every 0.2 s.

Starts the service in this process (uvicorn on a free loopback port), opens N concurrent
`GET /jobs/{id}/events` streams spread over a few running jobs, then plays a remote worker:
writes progress events to those jobs at a steady pace and finishes them. A SQLAlchemy listener
on the engine counts every query the service issues (the worker's own writes are excluded by
thread), split into "connect" (each client's existence check and backlog) and "streaming".

    .venv/bin/python -m bench.sse --subscribers 200 --jobs 4 --events 20
"""

import argparse
import asyncio
import logging
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event

from app.jobs.store import JobStore
from app.services import Services
from app.settings import Settings
from models import ErrorInfo
from models.job import EventType, JobRequest, JobStatus, Progress

REQUEST = {"problem": {"kind": "knapsack", "capacity": 5, "items": [{"id": "a", "weight": 2, "value": 3}]}}


class NoExecutor:
    """Jobs are 'run' by the measuring code (a remote worker), not by the service."""

    def start(self) -> None: ...
    def submit(self, job_id: str) -> None: ...
    def stop(self, timeout: float = 5.0) -> None: ...


def quiet_services(data_dir: Path) -> Services:
    settings = Settings(data_dir=data_dir, database_url=None, broker_url=None, prewarm_backends=[])
    return Services(settings=settings, _executor=NoExecutor())


@dataclass
class QueryCounter:
    """Counts queries on an engine, except those issued by the threads in `ignore`."""

    ignore: set[int] = field(default_factory=set)
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, *_: Any) -> None:
        if threading.get_ident() not in self.ignore:
            with self.lock:
                self.count += 1

    def take(self) -> int:
        with self.lock:
            value, self.count = self.count, 0
        return value


def start_jobs(store: JobStore, jobs: int) -> list[str]:
    ids = [f"sse-bench-{n}" for n in range(jobs)]
    for job_id in ids:
        store.create(job_id, JobRequest.model_validate(REQUEST))
        store.claim(job_id, "remote-worker")
    return ids


def play_worker(store: JobStore, ids: list[str], events: int, interval: float) -> int:
    """Writes `events` progress events per job, then finishes each; returns the events written."""
    for n in range(events):
        for job_id in ids:
            store.record_progress(job_id, Progress(elapsed=n * interval, incumbent=float(n)), EventType.incumbent)
        time.sleep(interval)
    for job_id in ids:
        store.finish(job_id, JobStatus.failed, None, ErrorInfo(code="bench", message="done"))
    return (events + 1) * len(ids)


def subscribers_connected(services: Services) -> int:
    return sum(len(feed.queues) for feed in services.events._feeds.values())


def wait_until(predicate: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("subscribers did not all connect")
        time.sleep(0.05)


@dataclass
class Measurement:
    subscribers: int
    jobs: int
    events_written: int
    connect_queries: int
    streaming_queries: int
    events_received: int

    def report(self) -> str:
        per_event = self.streaming_queries / self.events_written
        return (f"{self.subscribers} subscribers on {self.jobs} jobs: {self.events_written} events written, "
                f"{self.events_received} delivered; queries while streaming {self.streaming_queries} "
                f"({per_event:.2f} per event written), at connect {self.connect_queries} "
                f"({self.connect_queries / self.subscribers:.1f} per subscriber)")


def measure(services: Services, open_streams: Callable[[list[str]], Callable[[], int]], jobs: int, events: int,
            interval: float, subscribers: int) -> Measurement:
    """`open_streams(ids)` starts the clients and returns a function that waits and counts their events."""
    store = services.store
    counter = QueryCounter(ignore={threading.get_ident()})
    event.listen(store.engine, "before_cursor_execute", counter)
    try:
        ids = start_jobs(store, jobs)
        counter.take()
        finish = open_streams(ids)
        wait_until(lambda: subscribers_connected(services) >= subscribers, timeout=60)
        time.sleep(0.3)  # let the feeds' first reads settle
        connect = counter.take()
        written = play_worker(store, ids, events, interval)
        received = finish()
        streaming = counter.take()
    finally:
        event.remove(store.engine, "before_cursor_execute", counter)
    return Measurement(subscribers, jobs, written, connect, streaming, received)


def run_live(subscribers: int, jobs: int, events: int, interval: float) -> Measurement:
    import httpx
    import uvicorn

    from app.main import create_app

    with tempfile.TemporaryDirectory() as tmp:
        services = quiet_services(Path(tmp))
        app = create_app(services.settings, services)
        logging.getLogger().setLevel(logging.WARNING)  # one line per request would drown the result
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0,
                                               log_level="warning", access_log=False, limit_concurrency=None))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        wait_until(lambda: server.started, timeout=30)
        port = server.servers[0].sockets[0].getsockname()[1]

        def open_streams(ids: list[str]) -> Callable[[], int]:
            loop = asyncio.new_event_loop()
            done: list[int] = []

            async def one(client: httpx.AsyncClient, job_id: str) -> int:
                received = 0
                async with client.stream("GET", f"/jobs/{job_id}/events") as response:
                    async for line in response.aiter_lines():
                        received += line.startswith("id: ")
                return received

            async def all_streams() -> None:
                limits = httpx.Limits(max_connections=subscribers + 10)
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120,
                                             limits=limits) as client:
                    counts = await asyncio.gather(*(one(client, ids[n % len(ids)]) for n in range(subscribers)))
                done.append(sum(counts))

            def run() -> None:
                try:
                    loop.run_until_complete(all_streams())
                finally:
                    loop.close()

            runner = threading.Thread(target=run, daemon=True)
            runner.start()

            def finish() -> int:
                runner.join(timeout=120)
                return done[0] if done else -1

            return finish

        try:
            return measure(services, open_streams, jobs, events, interval, subscribers)
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--events", type=int, default=20, help="progress events per job")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between events")
    args = parser.parse_args()
    began = time.monotonic()
    result = run_live(args.subscribers, args.jobs, args.events, args.interval)
    print(result.report())
    polling = args.subscribers * 5 * (time.monotonic() - began)
    print(f"(the old 0.2 s polling would have cost about {polling:.0f} queries over this run's wall time)")


if __name__ == "__main__":
    main()
