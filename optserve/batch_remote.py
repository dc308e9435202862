"""Remote batch solving: submit each request as a job (its id as idempotency key), then wait.

`concurrency` tasks share one AsyncClient; each takes the next request, submits it and waits for
it, so at most `concurrency` jobs are in flight. Because the idempotency key is the content id,
a re-run after a crash re-attaches to jobs the server already has instead of solving them again.
"""

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import anyio
import httpx

from models import SolveRequest
from optserve._retry import RetryPolicy, retryable_status
from optserve.batch_inputs import BatchItem, failure
from optserve.batch_store import record
from optserve.client import AsyncClient
from optserve.exceptions import APIError, JobFailed, JobTimeout, TransportError
from optserve.jobs import AsyncJobHandle

OnRecord = Callable[[dict[str, Any]], None]
ERROR_CODES = {429: "rate_limited", 503: "service_unavailable"}
BATCH_RETRY = RetryPolicy(max_attempts=8, backoff=0.5, max_backoff=15.0, max_retry_after=120.0)
"""A batch outlives short outages: more patient than the interactive default."""


def run_remote(items: Iterable[BatchItem], server: str, concurrency: int, on_record: OnRecord,
               wait_timeout: float | None = None, transport: httpx.AsyncBaseTransport | None = None,
               poll: float = 1.0, api_key: str | None = None) -> None:
    """Runs every item as a job on `server`, calling `on_record` as each one finishes (`api_key`: see Client)."""

    async def main() -> None:
        async with AsyncClient(server, transport, api_key=api_key, retry=BATCH_RETRY) as client:
            queue = iter(items)
            async with anyio.create_task_group() as group:
                for _ in range(concurrency):
                    group.start_soon(_worker, client, queue, on_record, wait_timeout, poll)

    anyio.run(main)


async def _worker(client: AsyncClient, queue: Iterator[BatchItem], on_record: OnRecord,
                  wait_timeout: float | None, poll: float) -> None:
    for item in queue:
        on_record(await run_one(client, item, wait_timeout, poll))


async def run_one(client: AsyncClient, item: BatchItem, wait_timeout: float | None, poll: float) -> dict[str, Any]:
    """Submits and follows one job; every outcome becomes a record, nothing raises."""
    assert item.request_json is not None
    handle: AsyncJobHandle | None = None
    try:
        handle = await client.submit_request(SolveRequest.model_validate_json(item.request_json),
                                             idempotency_key=item.id)
        result = await handle.wait(timeout=wait_timeout, poll=poll)
    except JobFailed as exc:
        job = exc.job
        error = job.error.model_dump(mode="json") if job.error else failure("job_failed", str(exc))
        result_data = job.result.model_dump(mode="json") if job.result else None
        return record(item.name, item.id, job.status.value, result=result_data, error=error, job_id=job.id)
    except APIError as exc:
        code = ERROR_CODES[exc.status_code] if retryable_status(exc) else exc.code or f"http_{exc.status_code}"
        return _failed(item, handle, failure(code, exc.message, exc.details))
    except JobTimeout as exc:
        return _failed(item, handle, failure("timeout", str(exc)))
    except TransportError as exc:
        return _failed(item, handle, failure("transport_error", str(exc)))
    return record(item.name, item.id, handle.job.status.value, result=result.model_dump(mode="json"),
                  job_id=handle.id)


def _failed(item: BatchItem, handle: AsyncJobHandle | None, error: dict[str, Any]) -> dict[str, Any]:
    return record(item.name, item.id, "failed", error=error, job_id=handle.id if handle else None)
