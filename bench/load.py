"""Load: N concurrent clients for S seconds against a live `optserve serve` on 127.0.0.1.

Each client loops over a mix: a small `/solve`, a job submitted and polled to the end, a job
submitted and followed over its event stream, and a page of `GET /jobs`. The report: responses
outside 2xx and by-design 4xx (429 when slots or the queue are full), p50/p99 latency per route,
and the server's open file descriptors and child processes before and after (measured after a
warm-up of the same load has filled the pools, and after a short settle: they must be equal).

    .venv/bin/python -m bench.load --clients 50 --seconds 60
"""

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

BY_DESIGN = {429}
"""4xx answers that are the service working as designed under load (slot or queue full, Retry-After)."""
OPTSERVE = str(Path(sys.executable).parent / "optserve")


def knapsack(rng: random.Random, n: int = 30) -> dict[str, object]:
    items = [{"id": i, "weight": rng.randint(1, 30), "value": rng.randint(1, 50)} for i in range(n)]
    return {"kind": "knapsack", "capacity": 10 * n // 2, "items": items}


class Recorder:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.unexpected: list[str] = []

    def add(self, route: str, status: int, seconds: float) -> None:
        self.latency[route].append(seconds)
        self.status[route][status] += 1
        if not (200 <= status < 300 or status in BY_DESIGN):
            self.unexpected.append(f"{route} -> {status}")


async def timed(rec: Recorder, route: str, call: "asyncio.Future[httpx.Response] | object") -> httpx.Response:
    began = time.perf_counter()
    response: httpx.Response = await call  # type: ignore[misc]
    rec.add(route, response.status_code, time.perf_counter() - began)
    return response


async def submit(client: httpx.AsyncClient, rec: Recorder, rng: random.Random) -> str | None:
    body = {"problem": knapsack(rng), "options": {"time_limit": 2}}
    response = await timed(rec, "POST /jobs", client.post("/jobs", json=body))
    return str(response.json()["id"]) if response.status_code in (200, 202) else None


async def poll_job(client: httpx.AsyncClient, rec: Recorder, rng: random.Random) -> None:
    job_id = await submit(client, rec, rng)
    while job_id is not None:
        job = (await timed(rec, "GET /jobs/{id}", client.get(f"/jobs/{job_id}"))).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return
        await asyncio.sleep(0.2)


async def stream_job(client: httpx.AsyncClient, rec: Recorder, rng: random.Random) -> None:
    job_id = await submit(client, rec, rng)
    if job_id is None:
        return
    began = time.perf_counter()
    async with client.stream("GET", f"/jobs/{job_id}/events") as response:
        async for _ in response.aiter_lines():
            pass
    rec.add("GET /jobs/{id}/events (whole stream)", response.status_code, time.perf_counter() - began)


async def client_loop(base: str, rec: Recorder, seed: int, until: float) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while time.monotonic() < until:
            action = rng.random()
            if action < 0.40:
                body = {"problem": knapsack(rng), "options": {"time_limit": 2}}
                await timed(rec, "POST /solve", client.post("/solve", json=body))
            elif action < 0.65:
                await poll_job(client, rec, rng)
            elif action < 0.80:
                await stream_job(client, rec, rng)
            else:
                await timed(rec, "GET /jobs", client.get("/jobs", params={"limit": 20}))


def process_counts(pid: int) -> tuple[int, int]:
    """(open file descriptors of the server, its descendant processes)."""
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout.split()
    descendants = len(children)
    for child in children:
        descendants += len(subprocess.run(["pgrep", "-P", child], capture_output=True, text=True,
                                          check=False).stdout.split())
    return fds, descendants


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OPTSERVE_DATA_DIR": str(data_dir), "OPTSERVE_LOG_FORMAT": "json"}
    log = open(data_dir / "server.log", "wb")  # noqa: SIM115 (closed with the process)
    server = subprocess.Popen([OPTSERVE, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not become ready")


def report(rec: Recorder, seconds: float) -> None:
    total = sum(len(v) for v in rec.latency.values())
    print(f"{total} responses in {seconds:.0f} s ({total / seconds:.1f}/s); outside 2xx and by-design 4xx: "
          f"{len(rec.unexpected)} {sorted(set(rec.unexpected))[:5]}")
    print("| route | responses | statuses | p50 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for route, values in sorted(rec.latency.items()):
        q = statistics.quantiles(values, n=100) if len(values) > 1 else [values[0]] * 99
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(rec.status[route].items()))
        print(f"| {route} | {len(values)} | {statuses} | {q[49] * 1000:.0f} | {q[98] * 1000:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of the same load before 'before' is "
                        "measured: pools (solve processes, database connections) fill to their working size")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp), port)
        try:
            async def run(rec: Recorder, seconds: float) -> None:
                until = time.monotonic() + seconds
                await asyncio.gather(*(client_loop(f"http://127.0.0.1:{port}", rec, n, until)
                                       for n in range(args.clients)))

            asyncio.run(run(Recorder(), args.warmup))
            time.sleep(5.0)
            before = process_counts(server.pid)
            rec = Recorder()
            began = time.monotonic()
            asyncio.run(run(rec, args.seconds))
            elapsed = time.monotonic() - began
            time.sleep(5.0)  # settle: finished solve processes exit, keep-alive sockets close
            after = process_counts(server.pid)
            report(rec, elapsed)
            print(f"server open fds before/after: {before[0]}/{after[0]}; child processes before/after: "
                  f"{before[1]}/{after[1]}")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
