"""MSER-5 finds a known transient; the simulation spec's warm-up rules reach the staffing model."""

import json

import numpy as np

from models.simulation import SimulationSpec
from models.staffing import StaffingProblem, StaffingSolution
from solvers.simulation.evaluator import model_payload
from solvers.simulation.families import simulate
from solvers.simulation.staffing_model import simulate_staffing
from solvers.simulation.streams import Streams
from solvers.simulation.truncation import mser5


def transient(n: int, offset: float, decay: float, seed: int) -> np.ndarray:
    """An offset decaying as exp(-t / decay), then stationary unit noise."""
    t = np.arange(n)
    return offset * np.exp(-t / decay) + np.random.default_rng(seed).normal(0, 1, n)


def test_mser5_cuts_a_decaying_offset_where_it_has_faded() -> None:
    """Offset 20 with decay 100: still 0.5 (half a noise sd) at t=370, 0.05 at t=600."""
    cuts = [mser5(transient(10_000, 20.0, 100.0, seed)).deleted for seed in range(10)]
    assert all(250 <= cut <= 1_000 for cut in cuts), cuts
    assert all(cut % 5 == 0 for cut in cuts)


def test_mser5_keeps_a_stationary_series_nearly_whole() -> None:
    cuts = [mser5(np.random.default_rng(seed).normal(5, 1, 10_000)) for seed in range(10)]
    assert np.median([c.deleted for c in cuts]) < 500 and not any(c.at_limit for c in cuts)


def test_mser5_flags_a_series_that_never_settles() -> None:
    """A trend over the whole run: the best cut is the last one allowed, and it says so."""
    drifting = mser5(np.linspace(10, 0, 2_000) + np.random.default_rng(1).normal(0, 0.1, 2_000))
    assert drifting.at_limit and drifting.deleted >= 900
    assert mser5([1.0, 2.0, 3.0]).deleted == 0


def busy_queue(horizon: float, warmup: float) -> StaffingProblem:
    """M/M/1 at utilisation 0.9, started empty."""
    return StaffingProblem.model_validate({
        "kind": "staffing", "arrivals": {"distribution": "exponential", "mean": 1.0},
        "stations": [{"id": "s", "service": {"distribution": "exponential", "mean": 0.9},
                      "servers": {"min": 1, "max": 3}}],
        "horizon": horizon, "warmup": warmup})


def test_the_spec_warmup_replaces_the_problems_and_is_reported() -> None:
    problem = busy_queue(400, 100)
    own = simulate_staffing(problem, [1], Streams(0, 0))
    replaced = simulate_staffing(problem, [1], Streams(0, 0), 0.0)
    assert own["warmup"] == 100 and replaced["warmup"] == 0
    assert 300 < own["customers"] < 500 and 300 < replaced["customers"] < 500  # both run `horizon` after the cut


def test_mser5_reaches_the_staffing_model_through_the_worker_payload() -> None:
    problem = busy_queue(2_000, 0)
    spec = SimulationSpec(warmup="mser5")
    payload = json.dumps(model_payload(problem, spec))
    runs = [simulate(problem, StaffingSolution(servers={"s": 1}), payload, Streams(3, r)) for r in range(6)]
    cuts = [run["warmup"] for run in runs]
    assert all(0 <= cut <= 1_000 for cut in cuts) and any(cut > 0 for cut in cuts)
    assert all(run["warmup_at_limit"] in (0.0, 1.0) for run in runs)
    assert all(abs(run["customers"] - (2_000 - cut)) < 250 for run, cut in zip(runs, cuts, strict=True))  # rate 1
