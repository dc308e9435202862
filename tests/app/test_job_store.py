"""The job store behaves the same on SQLite and on the real PostgreSQL of this machine."""

from pathlib import Path

import pytest

from app.jobs.db import database_url
from app.jobs.store import IdempotencyConflict, JobStore
from models import Result, SolverInfo, Status, Termination, Timings
from models.job import EventType, JobRequest, JobStatus, Progress
from tests.instances import knapsack


def job_request(key: str | None = None, capacity: float = 80) -> JobRequest:
    problem = knapsack().model_copy(update={"capacity": capacity})
    return JobRequest(problem=problem, idempotency_key=key)


def test_plain_postgresql_url_gets_a_driver() -> None:
    assert database_url("postgresql://u@h:5432/d", Path(".")).startswith("postgresql+psycopg://u@h:5432/d")


def test_idempotent_create_and_conflict(store: JobStore) -> None:
    first, created = store.create("a", job_request("k"))
    again, created_again = store.create("b", job_request("k"))
    assert created and not created_again and again.id == first.id == "a"
    with pytest.raises(IdempotencyConflict):
        store.create("c", job_request("k", capacity=10))
    assert store.count(JobStatus.queued) == 1


def test_claim_is_exclusive_and_life_cycle_is_logged(store: JobStore) -> None:
    store.create("a", job_request())
    assert store.claim("a", "w1") is not None
    assert store.claim("a", "w2") is None
    store.record_progress("a", Progress(elapsed=1.0, incumbent=5.0), EventType.incumbent)
    result = Result(status=Status.optimal, termination=Termination.completed, objective=5.0,
                    timings=Timings(total=1.0), solver=SolverInfo(name="x"), seed=0)
    store.finish("a", JobStatus.succeeded, result, None)
    job = store.get("a")
    assert job is not None and job.status is JobStatus.succeeded and job.result == result and job.attempts == 1
    assert [(e.type.value, e.data.get("status")) for e in store.events_after("a", 0)] == [
        ("status", "queued"), ("status", "running"), ("incumbent", None), ("status", "succeeded")]
    assert [e.seq for e in store.events_after("a", 2)] == [3, 4]


def test_cancel_queued_at_once_and_running_by_flag(store: JobStore) -> None:
    store.create("q", job_request())
    store.create("r", job_request())
    store.claim("r", "w")
    assert store.request_cancel("q").status is JobStatus.cancelled  # type: ignore[union-attr]
    running = store.request_cancel("r")
    assert running is not None and running.status is JobStatus.running
    assert store.cancel_requested("r", "w")
    assert store.request_cancel("nope") is None


def test_stale_running_jobs_are_requeued_then_failed(store: JobStore) -> None:
    store.create("a", job_request())
    for attempt in (1, 2):
        assert store.claim("a", f"w{attempt}") is not None
        requeued, failed = store.recover_stale(0.0, max_attempts=2)
        if attempt == 1:
            assert requeued == ["a"] and not failed
    assert failed == ["a"]
    job = store.get("a")
    assert job is not None and job.status is JobStatus.failed and job.error and job.error.code == "worker_lost"


def test_a_workers_running_jobs_that_none_of_its_threads_runs_are_requeued(store: JobStore) -> None:
    """A claim that committed while its answer was lost (the database went away mid-claim) leaves a
    job running that nobody runs: the worker's reaper re-queues it at once, not after the heartbeat
    timeout; jobs it is running and other workers' jobs are left alone."""
    for job_id in ("lost", "busy", "theirs"):
        store.create(job_id, job_request())
    store.claim("lost", "w1")
    store.claim("busy", "w1")
    store.claim("theirs", "w2")
    requeued, failed = store.recover_orphans("w1", {"busy"}, max_attempts=3)
    assert requeued == ["lost"] and not failed
    statuses = {job_id: store.get(job_id).status for job_id in ("lost", "busy", "theirs")}  # type: ignore[union-attr]
    assert statuses == {"lost": JobStatus.queued, "busy": JobStatus.running, "theirs": JobStatus.running}
    assert store.claim("lost", "w1") is not None
    requeued, failed = store.recover_orphans("w1", set(), max_attempts=3)  # no thread busy: both
    assert sorted(requeued) == ["busy", "lost"] and not failed


def test_pages_filter_and_count(store: JobStore) -> None:
    for n in range(5):
        store.create(f"j{n}", job_request())
    store.claim("j0", "w")
    page = store.page(JobStatus.queued, limit=2, offset=1)
    assert page.total == 4 and len(page.items) == 2
    assert all(job.status is JobStatus.queued for job in page.items)


def test_a_lost_job_whose_cancel_was_asked_is_cancelled_not_requeued(store: JobStore) -> None:
    """The re-queue of a lost job cleared its cancel request, and the job ran again."""
    for job_id in ("stale", "orphan"):
        store.create(job_id, job_request())
        store.claim(job_id, "w1")
        store.request_cancel(job_id)
    assert store.recover_orphans("w1", {"stale"}, max_attempts=3) == ([], [])
    assert store.recover_stale(0.0, max_attempts=3) == ([], [])
    for job_id in ("stale", "orphan"):
        job = store.get(job_id)
        assert job is not None and job.status is JobStatus.cancelled, job_id
        assert store.claim(job_id, "w2") is None  # nobody runs it again
