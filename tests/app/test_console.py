"""The console's pages in process: filters, a job's page, the upload converter, and API keys.

With keys required a page asked for without one renders locked (the key field, no data); the
console's script then asks again with `X-API-Key` and `X-Console-Fragment: 1` and gets the content.
Another caller's job stays invisible (404), as on the API.
"""

import time

from fastapi.testclient import TestClient

from app.settings import Settings
from tests.app.keyed import KNAPSACK, keyed, new_key, service

BERLIN4 = "NAME: t\nTYPE: TSP\nDIMENSION: 4\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n" \
          "1 0 0\n2 3 0\n3 3 4\n4 0 4\nEOF\n"


def finished(client: TestClient, job_id: str, headers: dict[str, str] | None = None) -> None:
    deadline = time.monotonic() + 20
    while client.get(f"/jobs/{job_id}", headers=headers).json()["status"] not in {"succeeded", "failed"}:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_pages_show_jobs_filter_them_and_draw_a_finished_job(client: TestClient) -> None:
    job_id = client.post("/jobs", json={"problem": KNAPSACK, "solver": "auto"}).json()["id"]
    finished(client, job_id)
    jobs = client.get("/ui").text
    assert f'data-job="{job_id}"' in jobs and "succeeded" in jobs and "knapsack" in jobs
    assert job_id not in client.get("/ui?status=failed").text
    page = client.get(f"/ui/jobs/{job_id}").text
    assert f'src="/jobs/{job_id}/plots/items.svg"' in page and 'id="download"' in page
    assert client.get("/ui/jobs/nope").status_code == 404
    assert "knapsack_exact" in client.get("/ui/solvers").text
    assert '<option value="facility_location">' in client.get("/ui/new").text
    assert all(not path.startswith("/ui") for path in client.get("/openapi.json").json()["paths"])
    assert "](/ui)" in client.get("/openapi.json").json()["info"]["description"]


def test_an_uploaded_tsplib_file_becomes_a_request(client: TestClient) -> None:
    body = client.post("/ui/convert", json={"format": "tsplib", "text": BERLIN4}).json()
    assert body["problem"]["coordinates"] == [[0, 0], [3, 0], [3, 4], [0, 4]] and body["solver"] == "auto"
    error = client.post("/ui/convert", json={"format": "tsplib", "text": "nonsense"})
    assert error.status_code == 422 and error.json()["error"]["details"][0]["loc"] == ["body", "text"]
    assert client.post("/ui/convert", json={"format": "docx", "text": "x"}).status_code == 422


def test_with_keys_required_pages_are_locked_until_a_key_is_sent(settings: Settings) -> None:
    with service(keyed(settings)) as client:
        alice, bob = new_key(client, "alice"), new_key(client, "bob")
        job_id = client.post("/jobs", json={"problem": KNAPSACK, "solver": "auto"}, headers=alice).json()["id"]
        finished(client, job_id, alice)
        locked = client.get("/ui")
        assert locked.status_code == 200 and "data-locked" in locked.text and job_id not in locked.text
        fragment = {"X-Console-Fragment": "1", "X-API-Key": alice["Authorization"].removeprefix("Bearer ")}
        unlocked = client.get("/ui", headers=fragment)
        assert unlocked.status_code == 200 and job_id in unlocked.text and "<html" not in unlocked.text
        page = client.get(f"/ui/jobs/{job_id}", headers=fragment).text
        assert f'data-src="/jobs/{job_id}/plots/items.svg"' in page
        assert client.get(f"/ui/jobs/{job_id}", headers=bob).status_code == 404
        assert client.get(f"/jobs/{job_id}/plots", headers=bob).status_code == 404
        assert client.get(f"/jobs/{job_id}/plots/items.svg", headers=alice).status_code == 200
        assert client.get(f"/jobs/{job_id}/plots").status_code == 401
        assert client.get("/ui", headers={"X-Console-Fragment": "1", "X-API-Key": "wrong"}).status_code == 401
        assert client.post("/ui/convert", json={"format": "tsplib", "text": BERLIN4}).status_code == 401
