"""Portfolio through dispatch: the optimum on tiny instances, the member that found it named."""

import random
import time
from dataclasses import replace

import pytest

from models import ProblemKind, SolveOptions, SolveRequest, Status, Termination, TspProblem
from solvers.backends.portfolio.backend import run_portfolio
from solvers.backends.portfolio.members import members
from solvers.contract import BackendSpec
from solvers.dispatch import solve
from solvers.objective import is_maximised
from solvers.registry import Registry, load_builtin
from solvers.runtime.pool import WorkerPool
from solvers.runtime.runner import RunLimits
from tests.conftest import CLOSING, SLOW_LOADING, STUBBORN
from tests.instances import TINY, knapsack, optimum

REGISTRY = load_builtin()


@pytest.mark.parametrize("instance", sorted(TINY))
def test_tiny_instances_reach_the_optimum_and_name_the_member(instance: str) -> None:
    problem = TINY[instance]
    names = [spec.name for spec in members(REGISTRY, problem)]
    assert len(names) == 2
    result = solve(SolveRequest(problem=problem, solver="portfolio", options=SolveOptions(time_limit=10)), REGISTRY)
    assert result.status is Status.optimal and result.verified, result.message
    assert result.objective == pytest.approx(optimum(problem))
    assert result.solver.name == "portfolio" and result.bound_by in names and result.bound_source
    found = [w for w in result.warnings if "solution found by" in w]
    assert found and f"found by {result.found_by}" in found[0]
    assert result.found_by in names
    assert result.members is not None and [m.name for m in result.members] == names
    own = {m.name: m for m in result.members}
    assert own[result.found_by].objective == pytest.approx(result.objective)
    assert own[result.found_by].runs >= 1
    sign = -1.0 if is_maximised(problem) else 1.0  # no member's own best beats the answer
    answer = result.objective
    assert answer is not None
    assert all(sign * (m.objective - answer) >= -1e-9 for m in result.members if m.objective is not None)
    assert own[result.bound_by].bound is not None


def test_gap_target_stops_the_race_early() -> None:
    rng = random.Random(9)
    problem = TspProblem.model_validate({"kind": "tsp", "metric": "euc_2d",
                                         "coordinates": [[rng.randint(0, 1000), rng.randint(0, 1000)]
                                                         for _ in range(60)]})
    options = SolveOptions(time_limit=20, relative_gap=0.3)
    result = solve(SolveRequest(problem=problem, solver="portfolio", options=options), REGISTRY)
    assert result.status is Status.feasible or result.status is Status.optimal
    assert result.gap is not None and result.gap <= 0.3 + 1e-6
    assert result.termination in (Termination.gap_limit, Termination.completed)
    assert result.timings.total < 15


def test_members_follow_the_registry() -> None:
    only_highs = Registry()
    only_highs.register(REGISTRY.get("highs"))
    assert [s.name for s in members(only_highs, TINY["knapsack"])] == ["highs"]
    assert members(REGISTRY, TINY["knapsack"])[0].name == "knapsack_exact"
    assert "knapsack_exact" not in [s.name for s in members(REGISTRY, TINY["knapsack_multi"])]
    empty = solve(SolveRequest(problem=TINY["job_shop"], solver="portfolio"), _portfolio_only())
    assert empty.status is Status.error


def _portfolio_only() -> Registry:
    registry = Registry()
    registry.register(REGISTRY.get("portfolio"))
    return registry


def test_portfolio_serves_every_single_objective_family() -> None:
    families = REGISTRY.get("portfolio").capabilities.families
    assert {ProblemKind.knapsack, ProblemKind.tsp, ProblemKind.facility_location, ProblemKind.scheduling} <= families


def test_a_member_with_nothing_does_not_hold_back_a_race_that_has_a_solution() -> None:
    """The exact member is stuck without a solution, the heuristic one reported one and blocks:
    the race answers at limit + answer_margin with that solution (before: it waited for the stuck
    member's grace, 3 s here)."""
    registry = Registry()
    silent = BackendSpec(name="silent", module="tests.silent_backend", description="never answers",
                         capabilities=replace(STUBBORN.capabilities, exact=True))
    registry.register(silent)
    registry.register(STUBBORN)
    problem = knapsack()
    assert [spec.name for spec in members(registry, problem)] == ["silent", "stubborn"]
    limits = RunLimits(grace=3.0, answer_margin=0.25)
    started = time.monotonic()
    raw = run_portfolio(problem, SolveOptions(time_limit=1.0), registry, limits)
    elapsed = time.monotonic() - started
    assert 1.25 <= elapsed < 2.0
    assert raw.status is Status.feasible and raw.termination is Termination.time_limit and raw.found_by == "stubborn"


def test_a_member_that_has_not_reported_yet_is_not_restarted() -> None:
    """The heuristic member's process is still loading (3 s) while the other member leads: restarting
    it every round (0.5 s here) killed the process each time, so every run met a fresh one loading
    from scratch and never reported (before: 3 runs)."""
    registry = Registry()
    leading = BackendSpec(name="leading", module=STUBBORN.module, description="reports at once, then blocks",
                          capabilities=replace(STUBBORN.capabilities, exact=True))
    registry.register(leading)
    registry.register(SLOW_LOADING)
    problem = knapsack()
    assert [spec.name for spec in members(registry, problem)] == ["leading", "slow-loading"]
    started = time.monotonic()
    raw = run_portfolio(problem, SolveOptions(time_limit=2.0), registry, RunLimits(grace=3.0, answer_margin=0.25))
    assert time.monotonic() - started < 2.0 + 0.25 + 0.5
    assert raw.found_by == "leading"
    assert raw.members is not None
    assert {report.name: report.runs for report in raw.members} == {"leading": 1, "slow-loading": 1}


def test_the_member_that_closed_the_race_answers_and_its_process_is_kept() -> None:
    """The member whose report met the bound is left to answer (0.1 s later here); before, it was
    cancelled with the others, so its process was killed and the next request met a fresh one loading."""
    registry = Registry()
    registry.register(STUBBORN)
    registry.register(replace(CLOSING, capabilities=replace(CLOSING.capabilities, exact=True)))
    problem = knapsack()
    assert [spec.name for spec in members(registry, problem)] == ["closing", "stubborn"]
    pool = WorkerPool()
    try:
        raw = run_portfolio(problem, SolveOptions(time_limit=5.0), registry, RunLimits(max_memory=None), pool=pool)
        assert raw.termination is Termination.completed and raw.found_by == "closing"
        assert raw.objective == raw.bound == optimum(problem)
        assert raw.bound_by == "closing" and raw.bound_source == "enumeration"  # the member, and how it proved it
        kept = pool.acquire(CLOSING.module, None)
        assert kept.solves == 1  # the race's process, reused (a fresh one would have 0)
        pool.release(kept)
    finally:
        pool.close()
