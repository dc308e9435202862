"""Service overhead benchmarks (issue: jobs, SDK, scale-out). Prints two tables:

1. tiny-solve latency through HTTP (`optserve serve` in a subprocess, warm solve processes) at p50
   and p99, against calling the same backend's `solve` in this process (ratio);
2. jobs per second through POST /jobs with 1 and 2 Celery workers on this machine's Redis and
   PostgreSQL (ratio).

    .venv/bin/python -m bench.service [--requests 200] [--jobs 60]
"""

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from models import SolveOptions
from solvers.contract import SolveContext
from tests.instances import knapsack
from tests.services import drop_postgres_database, ensure_redis, fresh_postgres_database, port_open

OPTSERVE = str(Path(sys.executable).parent / "optserve")
BODY: dict[str, Any] = {"problem": knapsack().model_dump(mode="json"), "solver": "knapsack_exact",
                        "options": {"time_limit": 5}}


def cpu_bound_job(seconds: float) -> dict[str, Any]:
    """A job that keeps one core busy for `seconds`: iterated local search on a random 300-city TSP
    (its bound never proves the tour optimal, so it runs to the time limit)."""
    rng = random.Random(7)
    coords = [[rng.uniform(0, 1000), rng.uniform(0, 1000)] for _ in range(300)]
    return {"problem": {"kind": "tsp", "coordinates": coords, "metric": "euc_2d"}, "solver": "tsp_ls",
            "options": {"time_limit": seconds, "threads": 1}}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([OPTSERVE, "serve", "--port", str(port)], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not port_open(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)


def http_latency(requests: int) -> list[float]:
    env = {**os.environ, "OPTSERVE_DATA_DIR": f"/tmp/optserve-bench-{uuid.uuid4().hex[:6]}"}
    server = start_server(8765, env)
    try:
        with httpx.Client(base_url="http://127.0.0.1:8765", timeout=30) as client:
            for _ in range(10):
                client.post("/solve", json=BODY)
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                client.post("/solve", json=BODY).raise_for_status()
                times.append(time.perf_counter() - started)
        return times
    finally:
        stop(server)


def in_process_latency(requests: int) -> list[float]:
    from solvers.backends import knapsack_exact

    problem = knapsack()
    times = []
    for _ in range(requests + 10):
        started = time.perf_counter()
        knapsack_exact.solve(problem, SolveContext(options=SolveOptions(time_limit=5)))
        times.append(time.perf_counter() - started)
    return times[10:]


def with_seed(body: dict[str, Any], seed: int) -> dict[str, Any]:
    return {**body, "options": {**body["options"], "seed": seed}}


def jobs_per_second(workers: int, jobs: int, body: dict[str, Any]) -> float:
    ensure_redis()
    url, name = fresh_postgres_database()
    broker = "redis://127.0.0.1:6379/12"
    env = {**os.environ, "OPTSERVE_DATABASE_URL": url, "OPTSERVE_BROKER_URL": broker}
    subprocess.run(["redis-cli", "-n", "12", "flushdb"], check=False, capture_output=True)
    server = start_server(8766, env)
    pool = [subprocess.Popen([OPTSERVE, "worker", "--concurrency", "1", "--loglevel", "WARNING"], env=env,
                             start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(workers)]
    try:
        time.sleep(6)
        with httpx.Client(base_url="http://127.0.0.1:8766", timeout=30) as client:
            started = time.perf_counter()
            ids = [client.post("/jobs", json=with_seed(body, n)).json()["id"] for n in range(jobs)]
            while client.get("/jobs", params={"status": "succeeded", "limit": 1}).json()["total"] < len(ids):
                time.sleep(0.05)
            return jobs / (time.perf_counter() - started)
    finally:
        for proc in [*pool, server]:
            stop(proc)
        drop_postgres_database(name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=60)
    parser.add_argument("--job-seconds", type=float, default=0.0,
                        help="0: tiny knapsack jobs (overhead); > 0: CPU-bound TSP jobs of this length (scale-out)")
    args = parser.parse_args()
    console = Console()
    http, local = http_latency(args.requests), in_process_latency(args.requests)
    table = Table("path", "p50 ms", "p99 ms", "p50 ratio to in-process")
    for name, values in (("HTTP POST /solve (warm processes)", http), ("backend solve() in process", local)):
        p50 = statistics.median(values)
        table.add_row(name, f"{1000 * p50:.2f}", f"{1000 * percentile(values, 0.99):.2f}",
                      f"{p50 / statistics.median(local):.1f}x")
    console.print(table)
    body = cpu_bound_job(args.job_seconds) if args.job_seconds > 0 else BODY
    rates = {n: jobs_per_second(n, args.jobs, body) for n in (1, 2)}
    jobs = Table("celery workers", "jobs", "jobs/s", "ratio to 1 worker")
    for n, rate in rates.items():
        jobs.add_row(str(n), str(args.jobs), f"{rate:.1f}", f"{rate / rates[1]:.2f}x")
    console.print(jobs)


if __name__ == "__main__":
    main()
