"""One benchmark run as a row: our backend through the dispatcher, or a raw peer in a subprocess.

Every row is scored the same way: `value` is the objective recomputed from the solution (by the
dispatcher's evaluator for our backends, by `bench.peers` for raw peers) and `gap_to_optimum` is
measured against the manifest's optimum (or best known value), with the README's convention:
(value - ref) / |ref| when minimising, (ref - value) / |ref| when maximising. Positive = worse.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.peers import PEERS, run_peer
from models import Result, SolveOptions, SolveRequest
from solvers.formats.manifest import BenchmarkInstance

PEER_PREFIX = "peer:"
OPTIMUM_TOL = 1e-6
"""Relative distance to the optimum within which a value counts as optimal."""


@dataclass
class Row:
    """One (instance, backend) run."""

    instance: str
    family: str
    size: str
    backend: str
    value: float | None
    reference: float | None
    reference_kind: str
    gap_to_optimum: float | None
    reported_gap: float | None
    bound: float | None
    status: str
    termination: str
    verified: bool | None
    time: float | None
    message: str = ""
    found_by: str = ""
    """For the portfolio: the member whose solution was returned (Result.found_by)."""

    @property
    def hit_optimum(self) -> bool:
        return (self.reference_kind == "optimum" and self.gap_to_optimum is not None
                and abs(self.gap_to_optimum) <= OPTIMUM_TOL)

    @property
    def wrong_optimal_claim(self) -> bool:
        """Claims `optimal` yet misses the known optimum: a bug in a model, a solver or the data."""
        return (self.status == "optimal" and self.reference_kind == "optimum"
                and (self.gap_to_optimum is None or abs(self.gap_to_optimum) > OPTIMUM_TOL))


def gap_to_reference(value: float | None, reference: float | None, maximise: bool) -> float | None:
    if value is None or reference is None:
        return None
    difference = reference - value if maximise else value - reference
    return difference / max(abs(reference), 1e-9)


SolveFunction = Callable[..., Result]


def _row(instance: BenchmarkInstance, backend: str, value: float | None, **fields: Any) -> Row:
    reference, kind = instance.reference
    entry = instance.entry
    fields["message"] = " ".join(str(fields.get("message", "")).split())[:1000]
    return Row(instance=entry.name, family=entry.problem, size=str(entry.size).replace(" ", ""), backend=backend,
               value=value, reference=reference, reference_kind=kind,
               gap_to_optimum=gap_to_reference(value, reference, instance.maximise), **fields)


def run_ours(instance: BenchmarkInstance, backend: str, options: SolveOptions, solve: SolveFunction,
             registry: Any, limits: Any) -> Row:
    """Solves through the dispatcher (`solve(request, registry, limits)`), as the service would."""
    from solvers.selection import SelectionError

    request = SolveRequest(problem=instance.problem, solver=backend, options=options)
    started = time.perf_counter()
    try:
        result = solve(request, registry, limits)
    except SelectionError as exc:
        return _row(instance, backend, None, reported_gap=None, bound=None, status="unsupported",
                    termination="", verified=None, time=None, message=exc.message)
    except Exception as exc:
        return _row(instance, backend, None, reported_gap=None, bound=None, status="error", termination="error",
                    verified=None, time=time.perf_counter() - started, message=f"{type(exc).__name__}: {exc}")
    name = backend if backend != "auto" else f"auto({result.solver.name})"
    return _row(instance, name, result.objective, reported_gap=result.gap, bound=result.bound,
                status=result.status.value, termination=result.termination.value, verified=result.verified,
                time=result.timings.total, message=result.message or "; ".join(result.warnings),
                found_by=result.found_by or "")


def run_raw(instance: BenchmarkInstance, peer: str, options: SolveOptions, root: str | None, grace: float) -> Row:
    """A raw peer in its own process; the peer re-checks its solution with our evaluator."""
    name = PEER_PREFIX + peer
    reason = PEERS[peer].support(instance.problem)
    if reason:
        return _row(instance, name, None, reported_gap=None, bound=None, status="unsupported", termination="",
                    verified=None, time=None, message=reason)
    outcome = run_peer(peer, instance.entry.name, options.time_limit, options.threads, options.seed, root, grace)
    from solvers.gap import relative_gap

    message = "; ".join(part for part in (outcome.native_status, outcome.message) if part)
    return _row(instance, name, outcome.value, reported_gap=relative_gap(outcome.value, outcome.bound),
                bound=outcome.bound, status=outcome.status, termination="", verified=outcome.verified,
                time=outcome.time if outcome.time is not None else outcome.wall, message=message)


def supported_by_ours(spec_name: str, instance: BenchmarkInstance, registry: Any) -> bool:
    """False for backends that do not take this problem (kept out of the table instead of `unsupported` rows)."""
    from solvers.selection import supports

    if spec_name == "auto":
        return True
    if spec_name not in registry.names():
        return True  # reported as an unknown solver by the dispatcher
    return bool(supports(registry.get(spec_name), SolveRequest(problem=instance.problem)))
