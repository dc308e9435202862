"""`optserve batch`: local process pool and remote jobs, resumable, with JSONL, CSV and exit code."""

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console
from typer.testing import CliRunner

from optserve.batch import BatchOptions, pending, run_batch
from optserve.batch_inputs import content_id, load_items
from optserve.batch_store import read_records
from optserve.cli import cli
from tests.instances import job_shop, knapsack, optimum, tsp_coordinates

VALID: dict[str, tuple[dict[str, Any], float]] = {
    "knapsack.json": ({"problem": knapsack().model_dump(mode="json"), "solver": "cbc", "options": {"time_limit": 10}},
                      optimum(knapsack())),
    "scheduling.json": ({"problem": job_shop().model_dump(mode="json"), "options": {"time_limit": 10}},
                        optimum(job_shop())),
    "tsp.json": ({"problem": tsp_coordinates().model_dump(mode="json")}, optimum(tsp_coordinates())),
}
BAD_SCHEMA = {"problem": {"kind": "knapsack", "capacity": -1, "items": [{"id": "A", "weight": 2, "value": 1}]}}
BAD_SEMANTICS = {"problem": {"kind": "knapsack", "capacity": 5, "items": [
    {"id": "A", "weight": 2, "value": 1}, {"id": "A", "weight": 3, "value": 2}]}}


@pytest.fixture
def requests_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "requests"
    folder.mkdir()
    for name, (body, _) in VALID.items():
        (folder / name).write_text(json.dumps(body, indent=2))
    (folder / "bad_schema.json").write_text(json.dumps(BAD_SCHEMA))
    (folder / "bad_semantics.json").write_text(json.dumps(BAD_SEMANTICS))
    (folder / "bad_solver.json").write_text(json.dumps({**VALID["tsp.json"][0], "solver": "gurobi"}))
    (folder / "notes.txt").write_text("not a request")
    return folder


def batch(inputs: list[Path], out: Path, **options: Any) -> tuple[int, str]:
    console = Console(file=io.StringIO(), width=120)
    code = run_batch(inputs, out, BatchOptions(progress=False, **options), console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    return code, output


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def check_records(out: Path) -> dict[str, dict[str, Any]]:
    by_name = {record["name"]: record for record in lines(out)}
    assert sorted(by_name) == sorted([*VALID, "bad_schema.json", "bad_semantics.json", "bad_solver.json"])
    for name, (body, best) in VALID.items():
        record = by_name[name]
        assert record["status"] == "succeeded", record
        assert record["id"] == content_id(json.dumps(body, sort_keys=True, separators=(",", ":")))
        assert record["result"]["objective"] == best and record["result"]["verified"]
    schema_error = by_name["bad_schema.json"]["error"]
    assert by_name["bad_schema.json"]["status"] == "failed" and schema_error["code"] == "validation_error"
    assert schema_error["details"][0]["loc"] == ["body", "problem", "capacity"]
    assert by_name["bad_semantics.json"]["error"]["details"] == [
        {"loc": ["body", "problem", "items", 1, "id"], "msg": "duplicate item id 'A'"}]
    solver_error = by_name["bad_solver.json"]["error"]
    assert solver_error["code"] == "unknown_solver" and solver_error["details"][0]["loc"] == ["body", "solver"]
    return by_name


def test_local_batch_records_everything_and_a_rerun_skips_it(requests_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "results.jsonl"
    code, output = batch([requests_dir], out, concurrency=3)
    assert code == 1 and "jobs succeeded" in output
    by_name = check_records(out)
    with (tmp_path / "out" / "results.csv").open() as table:
        rows = {row["name"]: row for row in csv.DictReader(table)}
    assert list(next(iter(rows.values()))) == ["name", "id", "status", "objective", "bound", "gap", "time", "error"]
    assert float(rows["tsp.json"]["objective"]) == by_name["tsp.json"]["result"]["objective"]
    assert float(rows["knapsack.json"]["gap"]) == 0 and float(rows["scheduling.json"]["time"]) > 0
    assert rows["bad_schema.json"]["error"].startswith("validation_error: ") and not rows["bad_schema.json"]["gap"]
    before = out.read_text()
    code, output = batch([requests_dir], out, concurrency=3)
    assert code == 1 and out.read_text() == before and "6 request(s) already in" in output


def test_remote_batch_submits_jobs_keyed_by_content(requests_dir: Path, tmp_path: Path,
                                                    asgi: httpx.ASGITransport) -> None:
    out = tmp_path / "remote.jsonl"
    code, _ = batch([requests_dir], out, server="http://optserve.test", concurrency=2, transport=asgi, poll=0.1)
    assert code == 1
    first = {name: record.get("job_id") for name, record in check_records(out).items()}
    out.unlink()
    code, _ = batch([requests_dir], out, server="http://optserve.test", concurrency=2, transport=asgi, poll=0.1)
    again = {record["name"]: record.get("job_id") for record in lines(out)}
    assert code == 1 and again == first and all(first[name] for name in VALID)


def test_jsonl_lines_are_named_by_line_and_duplicates_run_once(tmp_path: Path) -> None:
    source = tmp_path / "requests.jsonl"
    body = json.dumps(BAD_SCHEMA)
    source.write_text(f"{body}\n\n{{broken\n{body}\n")
    items = load_items([source])
    assert [item.name for item in items] == ["requests.jsonl:1", "requests.jsonl:3", "requests.jsonl:4"]
    assert items[0].id == items[2].id != items[1].id
    assert items[1].error is not None and items[1].error["code"] == "invalid_json"
    out = tmp_path / "results.jsonl"
    code, _ = batch([source], out)
    assert code == 1 and len(lines(out)) == 2
    with out.with_suffix(".csv").open() as table:
        assert [row["name"] for row in csv.DictReader(table)] == [item.name for item in items]


def test_transient_failures_are_retried_and_a_torn_line_is_ignored(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(f"{json.dumps(BAD_SCHEMA)}\n{json.dumps(BAD_SEMANTICS)}\n")
    first, second = load_items([source])
    out = tmp_path / "results.jsonl"
    out.write_text(json.dumps({"id": first.id, "name": "x", "status": "failed",
                               "error": {"code": "transport_error", "message": "refused"}}) + "\n"
                   + json.dumps({"id": second.id, "name": "y", "status": "failed",
                                 "error": {"code": "validation_error", "message": "bad"}}) + '\n{"id": "torn')
    assert [item.id for item in pending([first, second], read_records(out))] == [first.id]
    code, _ = batch([source], out)
    records = read_records(out)
    assert code == 1 and records[first.id]["error"]["code"] == "validation_error"
    assert out.read_text().count("\n") == 4


def test_the_cli_command(requests_dir: Path, tmp_path: Path) -> None:
    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    (only_bad / "bad.json").write_text(json.dumps(BAD_SCHEMA))
    runner = CliRunner()
    done = runner.invoke(cli, ["batch", str(only_bad), "--out", str(tmp_path / "r.jsonl"), "--no-progress"])
    assert done.exit_code == 1 and (tmp_path / "r.csv").exists()
    missing = runner.invoke(cli, ["batch", str(tmp_path / "nowhere"), "--out", str(tmp_path / "r.jsonl")])
    assert missing.exit_code == 2
