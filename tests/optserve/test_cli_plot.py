"""`optserve plot` (locally and with --server) and `optserve batch --report` (one offline HTML file)."""

import base64
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from typer.testing import CliRunner

from optserve.cli import cli

TSP = {"kind": "tsp", "coordinates": [[0, 0], [4, 0], [4, 3], [0, 3], [2, 5]], "metric": "euclidean"}
RESULT = {"status": "feasible", "termination": "time_limit", "objective": 16.5, "bound": 15.0, "gap": 0.0909,
          "solution": {"tour": [0, 1, 2, 4, 3]}, "verified": True, "timings": {"total": 1.0},
          "solver": {"name": "tsp_ls"}, "seed": 0}
SVG = "{http://www.w3.org/2000/svg}svg"


def files(tmp_path: Path) -> tuple[Path, Path]:
    result, request = tmp_path / "result.json", tmp_path / "request.json"
    result.write_text(json.dumps(RESULT))
    request.write_text(json.dumps({"problem": TSP, "solver": "auto"}))
    return result, request


def test_plot_draws_locally_and_says_why_it_cannot(tmp_path: Path) -> None:
    result, request = files(tmp_path)
    out = tmp_path / "tour.svg"
    run = CliRunner().invoke(cli, ["plot", str(result), "--problem", str(request), "--kind", "tour", "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert ET.parse(out).getroot().tag == SVG
    gantt = CliRunner().invoke(cli, ["plot", str(result), "--problem", str(request), "--kind", "gantt", "-o",
                                     str(tmp_path / "g.svg")])
    assert gantt.exit_code == 2 and "scheduling" in gantt.output
    alone = CliRunner().invoke(cli, ["plot", str(result), "--kind", "tour", "-o", str(tmp_path / "x.svg")])
    assert alone.exit_code == 2 and "--problem" in alone.output


def test_plot_with_a_server_uses_post_plots(tmp_path: Path, server_url: str) -> None:
    result, request = files(tmp_path)
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"problem": TSP, "result": RESULT}))
    out = tmp_path / "tour.svg"
    run = CliRunner().invoke(cli, ["plot", str(body), "--kind", "tour", "-o", str(out), "--server", server_url])
    assert run.exit_code == 0, run.output
    assert ET.parse(out).getroot().tag == SVG
    bad = CliRunner().invoke(cli, ["plot", str(result), "--problem", str(request), "--kind", "map", "-o",
                                   str(out), "--server", server_url])
    assert bad.exit_code == 2 and "map" in bad.output


def test_batch_report_is_one_offline_html_file_with_a_picture_per_request(tmp_path: Path) -> None:
    requests = tmp_path / "requests"
    requests.mkdir()
    (requests / "a_tour.json").write_text(json.dumps({"problem": TSP, "solver": "tsp_ls",
                                                       "options": {"time_limit": 1}}))
    (requests / "b_bad.json").write_text(json.dumps({"problem": {"kind": "tsp"}}))
    report = tmp_path / "report.html"
    run = CliRunner().invoke(cli, ["batch", str(requests), "--out", str(tmp_path / "out.jsonl"), "--report",
                                   str(report), "--no-progress", "--concurrency", "1"])
    assert run.exit_code == 1, run.output  # the invalid request failed
    page = report.read_text()
    assert "a_tour.json" in page and "b_bad.json" in page and "succeeded" in page and "failed" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "the report must not load anything"
    images = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert len(images) == 1
    assert ET.fromstring(base64.b64decode(images[0])).tag == SVG
