"""Prometheus metrics: requests, solves, event streams, and job counts read at scrape time.

Counters and histograms live in one process-wide `Metrics` (prometheus-client's collectors are
process state by nature). With PROMETHEUS_MULTIPROC_DIR set before the processes start (API
processes and `optserve worker`s on one machine), every process writes its values to files in
that directory and `/metrics` sums them with the multiprocess collector. Queue depth and running
jobs are read from the job store when scraped, so they are right whichever process ran the job.
"""

import os
from collections.abc import Callable, Iterator
from functools import lru_cache

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from models import Result

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
SOLVE_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600)


class Metrics:
    """The service's counters and histograms, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("optserve_http_requests", "HTTP requests answered, by route template, method and "
                                "status.", ["route", "method", "status"], registry=r)
        self.latency = Histogram("optserve_http_request_duration_seconds", "Time to answer (whole stream for "
                                 "event streams).", ["route", "method", "status"], buckets=LATENCY_BUCKETS,
                                 registry=r)
        self.solves = Counter("optserve_solves", "Finished solves (POST /solve and jobs), by backend and result "
                              "status.", ["backend", "status"], registry=r)
        self.solve_seconds = Histogram("optserve_solve_duration_seconds", "Total seconds per solve, by backend.",
                                       ["backend"], buckets=SOLVE_BUCKETS, registry=r)
        self.events = Counter("optserve_events_streamed", "Job events sent to server-sent-event clients.",
                              registry=r)

    def record_solve(self, result: Result) -> None:
        backend = result.solver.name or "unknown"
        self.solves.labels(backend=backend, status=result.status.value).inc()
        self.solve_seconds.labels(backend=backend).observe(max(result.timings.total, 0.0))


@lru_cache(maxsize=1)
def metrics() -> Metrics:
    """The process's metrics (created on first use, never at import)."""
    return Metrics()


class JobCounts:
    """Gauges computed when scraped: queued jobs (the queue depth) and running jobs."""

    def __init__(self, count: Callable[[str], int]) -> None:
        self.count = count

    def collect(self) -> Iterator[Metric]:
        for status, name, help_text in (("queued", "optserve_queue_depth", "Jobs waiting to run."),
                                        ("running", "optserve_jobs_running", "Jobs running now.")):
            gauge = GaugeMetricFamily(name, help_text)
            gauge.add_metric([], float(self.count(status)))
            yield gauge


class _Forward:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def render(count: Callable[[str], int] | None) -> tuple[bytes, str]:
    """The exposition text for one scrape and its content type."""
    scrape = CollectorRegistry()
    if multiprocess_dir():
        MultiProcessCollector(scrape)  # type: ignore[no-untyped-call]
    else:
        scrape.register(_Forward(metrics().registry))
    if count is not None:
        scrape.register(JobCounts(count))
    return generate_latest(scrape), CONTENT_TYPE_LATEST
