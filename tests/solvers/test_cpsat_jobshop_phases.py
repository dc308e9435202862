"""The order of the CP-SAT backend's job-shop phases (in process, phases recorded): which phase
runs first decides the answer at short time limits (see `scheduling._search_then_shave`)."""

import pytest

from models import ScheduleSolution, SolveOptions, Status
from solvers.backends.cpsat import scheduling
from solvers.contract import SolveContext
from solvers.families.scheduling.data import flatten
from solvers.families.scheduling.heuristic import best_schedule, to_solution
from tests.solvers.cases import FT06, FT10, jsplib, schedule_objective, schedule_violations


def record_phases(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every tabu phase as "search" and every CP-SAT run as its mode, in order."""
    phases: list[str] = []
    search, cpsat = scheduling._local_search, scheduling._cpsat

    def recorded_search(*args, **kwargs):  # type: ignore[no-untyped-def]
        phases.append("search")
        return search(*args, **kwargs)

    def recorded_cpsat(run, data, hint, seconds, mode="interleave"):  # type: ignore[no-untyped-def]
        phases.append(mode)
        return cpsat(run, data, hint, seconds, mode)

    monkeypatch.setattr(scheduling, "_local_search", recorded_search)
    monkeypatch.setattr(scheduling, "_cpsat", recorded_cpsat)
    return phases


def test_a_job_shop_below_the_large_size_searches_first_then_shaves(monkeypatch: pytest.MonkeyPatch) -> None:
    """ft10 at 1 s: tabu search from the constructive schedule, then CP-SAT shaving from its
    schedule; the old order (probe, search, CP-SAT with LNS) started with CP-SAT."""
    phases = record_phases(monkeypatch)
    problem = jsplib(FT10)
    raw = scheduling.solve(problem, SolveContext(SolveOptions(time_limit=1.0, seed=0)))
    assert phases == ["search", "shave"]
    assert isinstance(raw.solution, ScheduleSolution) and schedule_violations(problem, raw.solution) == []
    assert raw.objective == schedule_objective(problem, raw.solution) >= 930


def test_a_partial_warm_start_still_hints_the_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """A partial warm start can only be a CP-SAT hint, and only the probe takes it: the old order."""
    problem = jsplib(FT06)
    data = flatten(problem)
    complete = to_solution(data, best_schedule(data).placements)
    partial = complete.model_copy(update={"operations": complete.operations[:10]})
    phases = record_phases(monkeypatch)
    raw = scheduling.solve(problem, SolveContext(SolveOptions(time_limit=5.0, seed=0, warm_start=partial)))
    assert phases[0] == "shave", phases
    assert raw.status is Status.optimal and raw.objective == 55
