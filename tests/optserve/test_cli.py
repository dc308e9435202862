"""The `optserve` command: convert files people already have, solve locally."""

import json
from pathlib import Path

from typer.testing import CliRunner

from optserve.cli import cli
from solvers.formats.manifest import benchmark_root

BENCH = benchmark_root()
runner = CliRunner()


def test_convert_tsplib_into_a_request_that_validates() -> None:
    out = runner.invoke(cli, ["convert", "tsplib", str(BENCH / "tsp" / "berlin52.tsp"), "--request"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.output)
    assert body["problem"]["metric"] == "euc_2d" and len(body["problem"]["coordinates"]) == 52


def test_convert_orlib_capacitated_and_uncapacitated() -> None:
    capped = json.loads(runner.invoke(cli, ["convert", "orlib-cap", str(BENCH / "facility" / "cap41.txt")]).output)
    free = json.loads(runner.invoke(cli, ["convert", "orlib-cap", str(BENCH / "facility" / "cap41.txt"),
                                          "--uncapacitated"]).output)
    assert len(capped["facilities"]) == 16 and len(capped["customers"]) == 50
    assert all(f.get("capacity") for f in capped["facilities"])
    assert not any(f.get("capacity") for f in free["facilities"])


def test_bad_files_exit_2_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsp"
    bad.write_text("NAME: x\nTYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: MAN_3D\nNODE_COORD_SECTION\n")
    out = runner.invoke(cli, ["convert", "tsplib", str(bad)])
    assert out.exit_code == 2


def test_solve_locally_prints_a_verified_result(tmp_path: Path) -> None:
    request = tmp_path / "r.json"
    request.write_text(json.dumps({"problem": {"kind": "knapsack", "capacity": 10, "items": [
        {"id": "A", "weight": 5, "value": 10}, {"id": "B", "weight": 4, "value": 40},
        {"id": "C", "weight": 6, "value": 30}, {"id": "D", "weight": 3, "value": 50}]}}))
    out = runner.invoke(cli, ["solve", str(request)])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert result["objective"] == 90 and result["verified"] and result["status"] == "optimal"
