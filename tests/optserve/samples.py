"""Wire payloads for fake servers: a Result, Jobs in each state, SSE text."""

import json
from typing import Any

from tests.instances import knapsack

PROBLEM = knapsack().model_dump(mode="json")

RESULT: dict[str, Any] = {
    "status": "optimal", "termination": "completed", "objective": 90.0, "bound": 90.0, "gap": 0.0,
    "bound_source": "fake", "solution": {"selected": ["B", "D"]}, "verified": True,
    "timings": {"total": 0.01, "queue": 0.0, "build": 0.0, "solve": 0.01, "verify": 0.0},
    "solver": {"name": "fake", "version": "1"}, "seed": 0, "warnings": [], "message": None,
}


def job(job_id: str = "j1", status: str = "queued", result: dict[str, Any] | None = None,
        error: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": job_id, "status": status, "created_at": "2026-11-23T10:00:00Z", "started_at": None,
            "finished_at": None, "progress": {"elapsed": 0.0, "incumbent": None, "bound": None},
            "result": result, "error": error, "attempts": 0, "idempotency_key": None,
            "kind": "knapsack", "solver": "auto"}


def sse(*events: tuple[int, str, dict[str, Any]]) -> str:
    return "".join(f"id: {seq}\nevent: {kind}\ndata: {json.dumps(data)}\n\n" for seq, kind, data in events)
