"""Intervals hold their nominal coverage when runs are long for the traffic, and say they may not
otherwise (the truth is Erlang C); `replications: auto` lengthens short staffing runs."""

from scipy import stats

from models.evaluation import EvaluateRequest, EvaluationResult
from models.staffing import StaffingProblem
from solvers.simulation.evaluate import evaluate_plan
from solvers.simulation.queueing import mmc_mean_wait
from solvers.simulation.staffing_model import simulate_staffing
from solvers.simulation.stats import kpi_stat
from solvers.simulation.streams import Streams
from solvers.simulation.traffic import RELAXATION_RUNS, short_run_warnings, station_traffic

MACRO = 100
"""Independent intervals; with true coverage 95%, fewer than COVERED_AT_LEAST happens with p < 0.001."""
COVERED_AT_LEAST = int(stats.binom.ppf(0.001, MACRO, 0.95))


def queue(mean_service: float, horizon: float, warmup: float, servers: int = 1) -> StaffingProblem:
    """Poisson arrivals at rate 1, exponential service: M/M/c at utilisation mean_service / c."""
    return StaffingProblem.model_validate({
        "kind": "staffing", "arrivals": {"distribution": "exponential", "mean": 1.0},
        "stations": [{"id": "s", "service": {"distribution": "exponential", "mean": mean_service},
                      "servers": {"min": 1, "max": max(servers, 3)}}],
        "horizon": horizon, "warmup": warmup})


def test_student_t_intervals_cover_the_erlang_c_wait_when_runs_are_long_for_the_traffic() -> None:
    """M/M/1 at utilisation 0.3, horizon 200 (136 relaxation times), 5 replications per interval."""
    problem = queue(0.3, 200, 20)
    truth = mmc_mean_wait(1, 1.0, 1 / 0.3)
    assert short_run_warnings(problem, [1]) == []
    covered, widths = 0, []
    for macro in range(MACRO):
        stat = kpi_stat([simulate_staffing(problem, [1], Streams(macro, r))["wait_mean"] for r in range(5)], 0.95)
        covered += abs(stat.mean - truth) <= stat.half_width
        widths.append(stat.half_width)
    assert covered >= COVERED_AT_LEAST, (covered, COVERED_AT_LEAST)
    assert sum(widths) / MACRO < 0.5 * truth  # informative, not covering by being huge


def test_heavy_traffic_and_short_runs_are_flagged() -> None:
    """The issue's cases: M/M/2 at 0.95 (84% coverage measured) warns, M/M/3 at 0.8 (97%) does not;
    M/M/1 at 0.5 with 34 relaxation times (89-91% measured) warns too."""
    heavy = short_run_warnings(queue(1.9, 5_000, 500, servers=2), [2])
    assert len(heavy) == 1 and "under-cover" in heavy[0] and "utilisation 0.95" in heavy[0]
    assert short_run_warnings(queue(2.4, 5_000, 500, servers=3), [3]) == []
    assert short_run_warnings(queue(0.5, 200, 20), [1]) != []
    assert "without bound" in short_run_warnings(queue(2.0, 5_000, 500), [1])[0]
    traffic = station_traffic(queue(1.9, 5_000, 500, servers=2), [2])[0]
    assert abs(traffic.utilisation - 0.95) < 1e-12 and 1_400 < traffic.relaxation < 1_600  # 1/(c mu (1-sqrt rho)^2)


def evaluate(problem: StaffingProblem, servers: int, simulation: dict[str, object]) -> EvaluationResult:
    request = EvaluateRequest.model_validate({"problem": problem.model_dump(), "solution": {"servers": {"s": servers}},
                                              "simulation": simulation})
    return evaluate_plan(request, 60, lambda: False)


def test_evaluate_warns_at_utilisation_0_95() -> None:
    result = evaluate(queue(1.9, 500, 50, servers=2), 2, {"replications": 2})
    assert any("under-cover" in w and "utilisation 0.95" in w for w in result.warnings), result.warnings
    assert result.simulation is not None and result.simulation.kpis["warmup"].mean == 50


def test_replications_auto_lengthens_a_short_horizon_and_says_so() -> None:
    """M/M/1 at 0.9 needs 50 x 342 time units; from 100 the 16-fold cap binds at 1,600 and the
    answer says so, and still warns that the runs are short."""
    result = evaluate(queue(0.9, 100, 10), 1, {"replications": "auto", "min_replications": 2, "max_replications": 2})
    assert result.simulation is not None
    assert 1_400 < result.simulation.kpis["customers"].mean < 1_800
    lengthened = [w for w in result.warnings if "horizon lengthened from 100 to 1600" in w]
    assert lengthened and f"{RELAXATION_RUNS} estimated relaxation times" in lengthened[0]
    assert any("max_replications (2) reached" in w for w in result.warnings)
    assert any("under-cover" in w for w in result.warnings)
