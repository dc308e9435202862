"""Settings: every variable documented in the README, bad values refused at start, no machine paths."""

import re
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

import solvers
from app.settings import Settings
from app.settings_doc import BEGIN, END, README, environment_table
from models import SolveRequest
from models.problem import Problem
from optserve.cli import cli
from solvers.families.facility.generator import cornuejols
from solvers.families.tsp.generator import random_tsp
from solvers.formats.manifest import benchmark_root
from solvers.registry import load_builtin
from solvers.selection import select
from tests.instances import facility, job_shop, knapsack, tsp_coordinates

CHECKOUT = Path(solvers.__file__).resolve().parents[1]
SHIPPED = ("app", "solvers", "models", "optserve")


def readme_table(text: str) -> str:
    """The table between the markers of a README text ('' when the markers are missing)."""
    if BEGIN not in text or END not in text:
        return ""
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip()


def test_readme_lists_every_setting_as_generated() -> None:
    table = readme_table(README.read_text(encoding="utf-8"))
    for name in Settings.model_fields:
        assert f"| `OPTSERVE_{name.upper()}` |" in table, f"OPTSERVE_{name.upper()} missing from the README"
    assert table == environment_table(), "README settings table is stale: run `python -m app.settings_doc --write`"


def test_an_unknown_prewarm_backend_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(prewarm_backends=["highs", "nope"])
    message = str(caught.value)
    assert "'nope'" in message and "knapsack_exact" in message
    assert Settings(prewarm_backends=["highs"]).prewarm_backends == ["highs"]


def test_serve_stops_at_start_on_a_bad_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPTSERVE_PREWARM_BACKENDS", '["nope"]')
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert "OPTSERVE_PREWARM_BACKENDS: Value error, unknown backend(s) 'nope'" in result.output


def test_benchmarks_dir_defaults_next_to_the_checkout_and_follows_its_variable(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPTSERVE_BENCHMARKS_DIR", raising=False)
    assert benchmark_root() == CHECKOUT.parent / "shared" / "benchmarks"
    monkeypatch.setenv("OPTSERVE_BENCHMARKS_DIR", str(tmp_path))
    assert benchmark_root() == tmp_path
    assert benchmark_root("elsewhere") == Path("elsewhere")


def test_shipped_code_has_no_machine_specific_path() -> None:
    pattern = re.compile(r"""["'`(\s]/(work|home|Users|tmp)/""")
    hits = [f"{path.relative_to(CHECKOUT)}:{number}" for package in SHIPPED
            for path in sorted((CHECKOUT / package).rglob("*.py"))
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert hits == []


def test_shipped_code_reads_the_environment_only_through_settings() -> None:
    allowed = {
        "optserve/_base.py",  # the SDK's OPTSERVE_API_KEY: a client concern, not the service's
        "app/observability/metrics.py",  # PROMETHEUS_MULTIPROC_DIR: prometheus-client's own variable
    }
    pattern = re.compile(r"os\.environ|getenv\(")
    files = [path for package in SHIPPED for path in sorted((CHECKOUT / package).rglob("*.py"))]
    hits = [str(path.relative_to(CHECKOUT)) for path in files
            if pattern.search(path.read_text(encoding="utf-8")) and str(path.relative_to(CHECKOUT)) not in allowed]
    assert hits == []


def test_readme_backend_list_matches_the_registry() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Backends\n", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^- `([a-z0-9_]+)`:", section, flags=re.MULTILINE)
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(load_builtin().names())


@pytest.mark.parametrize("problem", [knapsack(), tsp_coordinates(), random_tsp(300, seed=11), facility(),
                                     cornuejols(50, 200, seed=3, single_source=True), job_shop()],
                         ids=lambda p: p.kind)
def test_what_auto_picks_is_warm_by_default(problem: Problem) -> None:
    """A first `auto` request that met a process still loading answered worse: at 1 s, 300 random
    cities 13,338 against 12,983 once warm, 50 x 200 facility location 23,462 against 23,161 with the
    cheapest-assignment bound (bench/RESULTS.md, sixteenth session)."""
    assert select(load_builtin(), SolveRequest(problem=problem)).name in Settings().prewarm_backends
