"""Pictures through the SDK: `plot(job_id, name)` and `render(problem, result, name)`, sync and async."""

import xml.etree.ElementTree as ET

import anyio
import httpx
import pytest

from optserve import AsyncClient, Client, NotFound, ValidationError
from tests.optserve.conftest import FAST_RETRY

TSP = {"kind": "tsp", "coordinates": [[0, 0], [4, 0], [4, 3], [0, 3], [2, 5]], "metric": "euclidean"}


def svg_root(data: bytes) -> ET.Element:
    root = ET.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def test_async_client_draws_a_jobs_pictures_and_a_posted_answer(asgi: httpx.ASGITransport) -> None:
    async def scenario() -> None:
        async with AsyncClient("http://optserve.test", asgi, retry=FAST_RETRY) as client:
            result = await client.solve(TSP, solver="tsp_ls", time_limit=1)
            svg_root(await client.render(TSP, result, "tour"))
            job = await client.submit(TSP, solver="tsp_ls", time_limit=1)
            await job.wait(timeout=20)
            svg_root(await client.plot(job.id, "tour"))
            with pytest.raises(NotFound):
                await client.plot(job.id, "gantt")
            with pytest.raises(ValidationError):
                wrong = {**result.model_dump(mode="json"), "solution": {"tour": [0, 9]}}
                await client.render(TSP, wrong, "tour")

    anyio.run(scenario)


def test_blocking_client_renders_on_a_live_server(server_url: str) -> None:
    with Client(server_url, retry=FAST_RETRY) as client:
        result = client.solve(TSP, solver="tsp_ls", time_limit=1)
        svg_root(client.render(TSP, result.model_dump(mode="json"), "tour"))
        with pytest.raises(NotFound):
            client.render(TSP, result, "map")
        with pytest.raises(ValueError):
            client.plot("job", "../tour")
