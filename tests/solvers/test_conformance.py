"""One behavioural suite for every registered backend: each family it claims, solved to the
brute-force optimum within its time limit, verified, with a bound on the right side."""

import time

import pytest

from models import SolveOptions, SolveRequest, Status
from models.problem import Problem
from solvers.contract import Incumbent
from solvers.dispatch import DispatchLimits, solve
from solvers.families.facility.generator import cornuejols
from solvers.objective import is_maximised
from solvers.registry import availability, load_builtin
from solvers.selection import supports
from tests.instances import TINY, optimum

REGISTRY = load_builtin()
TIME_LIMIT = 5.0
"""Ample for the tiny instances (the exact backends prove them in well under a second); heuristics
that cannot prove an asymmetric tour optimal (routing, tsp_ls) run to it, so it sets their test's length."""
OPTIMA = {name: optimum(problem) for name, problem in TINY.items()}


def cases() -> list[pytest.param]:  # type: ignore[valid-type]
    params = []
    for spec in REGISTRY.specs():
        for name, problem in TINY.items():
            if supports(spec, SolveRequest(problem=problem)):
                params.append(pytest.param(spec.name, name, id=f"{spec.name}-{name}"))
    return params


@pytest.mark.parametrize(("backend", "instance"), cases())
def test_backend_reaches_the_known_optimum(backend: str, instance: str) -> None:
    spec = REGISTRY.get(backend)
    assert availability(spec).usable, availability(spec).reason
    problem: Problem = TINY[instance]
    request = SolveRequest(problem=problem, solver=backend, options=SolveOptions(time_limit=TIME_LIMIT, seed=1))
    started = time.monotonic()
    result = solve(request, REGISTRY, DispatchLimits(grace=1.0))
    assert time.monotonic() - started < TIME_LIMIT + 3
    assert result.verified, result.message
    assert result.objective == pytest.approx(OPTIMA[instance], rel=1e-6)
    assert result.solver.name == backend
    if spec.capabilities.exact:
        assert result.status is Status.optimal
        assert result.gap is not None and result.gap <= 1e-6
    if result.bound is not None:
        maximise = is_maximised(problem)
        slack = 1e-6 * max(1.0, abs(OPTIMA[instance]))
        assert result.bound >= OPTIMA[instance] - slack if maximise else result.bound <= OPTIMA[instance] + slack
    if spec.capabilities.reports_bound:
        assert result.gap is not None, "a backend that reports bounds must yield a gap"


def test_every_family_has_an_exact_backend() -> None:
    for problem in TINY.values():
        request = SolveRequest(problem=problem)
        assert any(spec.capabilities.exact and supports(spec, request) for spec in REGISTRY.specs())


HEURISTICS_WITH_FAMILY_BOUNDS = ("ga", "tsp_ls", "routing")
"""Backends whose bound is never their own but a family's certified bound (1-tree, Lagrangian, ...);
the `facility` backend too, whose incumbents on the tiny instances come before any bound."""
BOUNDED_RUNS: dict[str, tuple[str, Problem]] = {
    f"{name}-{instance}": (name, problem) for name in HEURISTICS_WITH_FAMILY_BOUNDS
    for instance, problem in TINY.items() if supports(REGISTRY.get(name), SolveRequest(problem=problem))
} | {"facility-25x100-single-source": ("facility", cornuejols(25, 100, seed=1, single_source=True))}


@pytest.mark.parametrize("run", list(BOUNDED_RUNS))
def test_a_heuristics_incumbents_name_the_source_of_their_bound(run: str) -> None:
    """What a run cut short answers with is its last incumbent: its bound must say where it comes
    from, as the finished answer's does (a GA job shop answered at the margin said `ga` where its
    answer says `machine_job_bound`)."""
    backend, problem = BOUNDED_RUNS[run]
    reported: list[Incumbent] = []
    request = SolveRequest(problem=problem, solver=backend, options=SolveOptions(time_limit=2.0, seed=1))
    solve(request, REGISTRY, DispatchLimits(grace=1.0), progress=reported.append)
    bounded = [found for found in reported if found.bound is not None]
    assert bounded, "no incumbent with a bound was reported"
    assert all(found.bound_source not in (None, backend) for found in bounded), \
        [(found.bound, found.bound_source) for found in bounded]
