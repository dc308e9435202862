"""PROMETHEUS_MULTIPROC_DIR: solves counted in separate processes (API processes, `optserve worker`s) add up.

prometheus-client picks its value storage when it is first imported, so every recording process
is a fresh interpreter started with the variable set; the scrape happens here, in the parent,
through the module's own `render`, which reads the directory at call time.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.observability.metrics import render

ROOT = Path(__file__).resolve().parents[2]

RECORD = """
import sys
from app.observability.metrics import metrics
from models import Result, Status, Termination
from models.result import SolverInfo, Timings
result = Result(status=Status.optimal, termination=Termination.completed, timings=Timings(total=0.2),
                solver=SolverInfo(name="knapsack_exact"), seed=0)
for _ in range(int(sys.argv[1])):
    metrics().record_solve(result)
"""

WORKER = """
from app.jobs.celery_app import worker_context
from app.jobs.execute import execute
from models.job import JobRequest
context = worker_context()  # what `optserve worker` builds: store, solve processes, the commit hook
problem = {"kind": "knapsack", "capacity": 5, "items": [{"id": "a", "weight": 2, "value": 3},
                                                        {"id": "b", "weight": 4, "value": 5}]}
context.store.create("job-1", JobRequest.model_validate({"problem": problem, "solver": "knapsack_exact"}))
print(execute("job-1", context).value)
"""


def _start(code: str, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(*processes: subprocess.Popen[str]) -> list[str]:
    """Waits for every process (killing the rest if one fails); returns their outputs."""
    try:
        outputs = []
        for process in processes:
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
            outputs.append(out)
        return outputs
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.communicate()


def _value(text: str, sample: str) -> float:
    match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    assert match, f"{sample} not in the scrape:\n{text}"
    return float(match.group(1))


@pytest.fixture
def multiproc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of the recording processes; the parent's render reads the same directory."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    return {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}


SOLVES = 'optserve_solves_total{backend="knapsack_exact",status="optimal"}'


def test_solves_recorded_in_two_processes_are_summed_at_scrape(multiproc: dict[str, str]) -> None:
    _finish(_start(RECORD, multiproc, "2"), _start(RECORD, multiproc, "3"))
    assert len(list(Path(multiproc["PROMETHEUS_MULTIPROC_DIR"]).glob("counter_*.db"))) == 2  # one file each
    text = render(lambda status: 7 if status == "queued" else 0)[0].decode()
    assert _value(text, SOLVES) == 5.0
    assert _value(text, 'optserve_solve_duration_seconds_count{backend="knapsack_exact"}') == 5.0
    assert _value(text, 'optserve_solve_duration_seconds_sum{backend="knapsack_exact"}') == pytest.approx(1.0)
    assert _value(text, "optserve_queue_depth") == 7.0  # store-read gauges still join the scrape


def test_a_worker_process_counts_its_jobs_into_the_same_metrics(multiproc: dict[str, str], tmp_path: Path) -> None:
    worker_env = {**multiproc, "OPTSERVE_DATA_DIR": str(tmp_path / "data"), "OPTSERVE_PREWARM_BACKENDS": "[]",
                  "OPTSERVE_BROKER_URL": "redis://127.0.0.1:1/0"}  # unreachable: events fall back to polling
    worker_output, _ = _finish(_start(WORKER, worker_env), _start(RECORD, multiproc, "1"))
    assert worker_output.strip().splitlines()[-1] == "succeeded"
    assert _value(render(None)[0].decode(), SOLVES) == 2.0
